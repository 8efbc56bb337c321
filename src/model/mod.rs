//! The validated model: distributions, formulas, indicators, periods, correlation, events and
//! targets. A [`Scenario`] can only be built by `scenario::load`, which checks every
//! rule of the format, and changed only through the checked edits of [`edit`]; its fields are
//! private, so simulation cannot fail on its account.

pub mod correlation;
pub mod dist;
pub mod dist_spec;
pub mod edit;
pub mod formula;
pub mod plan;
pub mod posterior;
pub mod rules;
mod scenario;
pub mod score_map;

pub use scenario::{Scenario, ScenarioParts};

use dist::Dist;
use formula::Program;
use std::collections::BTreeMap;

/// Trend-score dimensions that `sampling = "sobol"` serves with Sobol points (the size of the
/// engine's table of direction numbers); further dimensions get pseudo-random draws.
pub const SOBOL_DIMENSIONS: usize = 256;

/// How trend scores are drawn across paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sampling {
    /// Independent pseudo-random draws.
    Random,
    /// Latin hypercube over paths.
    Lhs,
    /// Owen-scrambled Sobol points (see `engine::sobol`).
    Sobol,
}

impl Sampling {
    /// The name used in scenario files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Sampling::Random => "random",
            Sampling::Lhs => "lhs",
            Sampling::Sobol => "sobol",
        }
    }
}

/// Whether observations inform the trends (scenario spec, section 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UpdateMode {
    /// Each path's trend and its shock state at the last observation are drawn given the
    /// observations (the default).
    Posterior,
    /// Observations only set the starting point.
    None,
}

impl UpdateMode {
    /// The name used in scenario files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            UpdateMode::Posterior => "posterior",
            UpdateMode::None => "none",
        }
    }
}

/// What a target's probability rests on (scenario spec, section 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// Decided by published values.
    Observed,
    /// Observations bear on it: its indicator's, or for a derived indicator its inputs'.
    Updated,
    /// No observation bears on it: the probability restates the assumptions.
    Prior,
}

impl Basis {
    /// The name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Basis::Observed => "observed",
            Basis::Updated => "updated",
            Basis::Prior => "prior",
        }
    }
}

/// The model an indicator follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Compound growth in percent per year.
    Growth,
    /// Increments in units per year.
    Additive,
    /// Poisson additions per year.
    Count,
    /// Computed from a formula of other indicators.
    Derived,
}

impl ModelKind {
    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Growth => "growth",
            ModelKind::Additive => "additive",
            ModelKind::Count => "count",
            ModelKind::Derived => "derived",
        }
    }

    /// The key that holds this model's periods (or formula).
    pub fn period_key(self) -> &'static str {
        match self {
            ModelKind::Growth => "growth",
            ModelKind::Additive => "step",
            ModelKind::Count => "rate",
            ModelKind::Derived => "formula",
        }
    }

    /// True for the models simulated year by year (growth, additive, count).
    pub fn is_stochastic(self) -> bool {
        !matches!(self, ModelKind::Derived)
    }
}

/// One period of an indicator's path assumptions.
#[derive(Debug, Clone)]
pub struct Period {
    /// First year (inclusive).
    pub from: i32,
    /// Last year (inclusive).
    pub to: i32,
    /// Structural trend, drawn once per path through the indicator's trend score.
    pub trend: Dist,
    /// The trend distribution as written; checked edits rebuild `trend` from it.
    pub trend_spec: dist_spec::DistSpec,
    /// Standard deviation of the yearly shock.
    pub noise: f64,
    /// AR(1) coefficient of the shock, in [0, 1).
    pub persistence: f64,
}

/// A derived indicator's compiled formula.
#[derive(Debug, Clone)]
pub struct DerivedFormula {
    /// The text as written.
    pub text: String,
    /// The compiled program; slot `k` reads `inputs[k]`.
    pub program: Program,
    /// For each slot: (indicator index, lag in years).
    pub slots: Vec<(usize, usize)>,
}

/// One validated indicator.
#[derive(Debug, Clone)]
pub struct Indicator {
    /// Identifier (`[a-z][a-z0-9_]*`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Chinese display name.
    pub name_zh: Option<String>,
    /// Unit.
    pub unit: String,
    /// Where the baseline comes from.
    pub source: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// The model.
    pub kind: ModelKind,
    /// Year of `base`; for derived indicators, the first year in which every term of the
    /// formula has a value.
    pub base_year: i32,
    /// Value in `base_year` (growth, additive, count).
    pub base: Option<f64>,
    /// Published values by year (all of them; `as_of` is applied when a run is plan).
    pub observed: BTreeMap<i32, f64>,
    /// Sources of the published values by year.
    pub observed_sources: BTreeMap<i32, String>,
    /// Periods, sorted by year, covering `base_year + 1 ..= horizon` exactly once.
    pub periods: Vec<Period>,
    /// Lower clamp (additive).
    pub min: Option<f64>,
    /// Upper clamp (additive).
    pub max: Option<f64>,
    /// Yearly exit share `q` of a count indicator, in `[0, 1)`: each unit present at the end of
    /// the previous year leaves with probability `q` (binomial thinning); 0 elsewhere.
    pub exit: f64,
    /// The formula (derived).
    pub formula: Option<DerivedFormula>,
}

impl Indicator {
    /// The period that applies in `year`, if any.
    pub fn period_index(&self, year: i32) -> Option<usize> {
        self.periods
            .iter()
            .position(|p| p.from <= year && year <= p.to)
    }
}

/// What a target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// The value in one year.
    Level,
    /// Compound average annual growth in percent, from -> to.
    Cagr,
    /// Sum of the values over from..=to.
    Cumulative,
    /// value(to) - value(from).
    Change,
}

impl TargetKind {
    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            TargetKind::Level => "level",
            TargetKind::Cagr => "cagr",
            TargetKind::Cumulative => "cumulative",
            TargetKind::Change => "change",
        }
    }
}

/// How the outcome is compared with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// outcome >= threshold.
    AtLeast,
    /// outcome > threshold.
    Above,
    /// outcome <= threshold.
    AtMost,
    /// outcome < threshold.
    Below,
}

impl Comparison {
    /// True when `outcome` meets `threshold` under this comparison.
    #[inline]
    pub fn is_met(self, outcome: f64, threshold: f64) -> bool {
        match self {
            Comparison::AtLeast => outcome >= threshold,
            Comparison::Above => outcome > threshold,
            Comparison::AtMost => outcome <= threshold,
            Comparison::Below => outcome < threshold,
        }
    }

    /// The mathematical symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => ">=",
            Comparison::Above => ">",
            Comparison::AtMost => "<=",
            Comparison::Below => "<",
        }
    }

    /// The key used in scenario files.
    pub fn key(self) -> &'static str {
        match self {
            Comparison::AtLeast => "at_least",
            Comparison::Above => "above",
            Comparison::AtMost => "at_most",
            Comparison::Below => "below",
        }
    }

    /// Signed distance by which `outcome` clears the threshold (negative: shortfall).
    pub fn margin(self, outcome: f64, threshold: f64) -> f64 {
        match self {
            Comparison::AtLeast | Comparison::Above => outcome - threshold,
            Comparison::AtMost | Comparison::Below => threshold - outcome,
        }
    }
}

/// One validated target.
#[derive(Debug, Clone)]
pub struct Target {
    /// Unique id.
    pub id: String,
    /// Index of the indicator in [`Scenario::indicators`].
    pub indicator: usize,
    /// What is measured.
    pub kind: TargetKind,
    /// First year involved (level: the year itself).
    pub from: i32,
    /// Last year involved; the due year.
    pub to: i32,
    /// How the outcome is compared.
    pub comparison: Comparison,
    /// The threshold.
    pub threshold: f64,
    /// Where the plan states it.
    pub source: Option<String>,
    /// Display label.
    pub label: Option<String>,
    /// Chinese display label.
    pub label_zh: Option<String>,
}

impl Target {
    /// The year by which the target is due.
    pub fn due_year(&self) -> i32 {
        self.to
    }
}

/// A named group of targets whose joint probability is reported.
#[derive(Debug, Clone)]
pub struct Group {
    /// Unique id.
    pub id: String,
    /// Display label.
    pub label: Option<String>,
    /// Chinese display label.
    pub label_zh: Option<String>,
    /// Member target indices.
    pub targets: Vec<usize>,
}

/// One effect of an event on an indicator.
#[derive(Debug, Clone)]
pub struct Effect {
    /// Index of the affected indicator.
    pub indicator: usize,
    /// Size of the effect, drawn each time the event strikes.
    pub size: Dist,
    /// The size distribution as written; checked edits rebuild `size` from it.
    pub size_spec: dist_spec::DistSpec,
}

/// A random event that strikes independently in each year of its window.
#[derive(Debug, Clone)]
pub struct Event {
    /// Unique id.
    pub id: String,
    /// Display label.
    pub label: Option<String>,
    /// Chance in each year of the window.
    pub probability: f64,
    /// First year of the window.
    pub from: i32,
    /// Last year of the window.
    pub to: i32,
    /// Effects, in file order.
    pub effects: Vec<Effect>,
}
