//! The summary record: one documented, serialisable type that holds everything a run produced
//! and everything needed to reproduce it. `summary.json` is this type; every other output is
//! computed from it, so the charts and report can be redrawn from the file alone.
//!
//! Fields added for the charts and report (same format tag: older files still read, without
//! them): `targets[].outcome_histogram` (the outcome's distribution in equal-width bins, as
//! shares of paths, see [`Histogram`]) and `indicators[].periods[].trend_dist` (the kind of the
//! trend distribution, e.g. `pert`).

use crate::engine::accumulator::Distribution;
use crate::engine::results::CellValue;
use crate::engine::Simulation;
use crate::model::posterior::PeriodTrend;
use crate::model::{Basis, Comparison, ModelKind, Sampling, Scenario, TargetKind, UpdateMode};
use crate::report::histogram::Histogram;
use crate::scenario::{FileRecord, Loaded};
use crate::stats::sketch::RELATIVE_ACCURACY;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version tag of the summary format.
pub const FORMAT: &str = "plancast-summary/2";

/// The probabilities reported for each quantity (percent points of the distribution).
pub const QUANTILES: [(&str, f64); 7] = [
    ("p05", 0.05),
    ("p10", 0.10),
    ("p25", 0.25),
    ("p50", 0.50),
    ("p75", 0.75),
    ("p90", 0.90),
    ("p95", 0.95),
];

/// Everything a run produced.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// Always [`FORMAT`].
    pub format: String,
    /// Engine name and version.
    pub engine: EngineInfo,
    /// What was simulated.
    pub scenario: ScenarioInfo,
    /// How it was simulated.
    pub run: RunInfo,
    /// Wall time and threads: the only fields that may differ between identical runs.
    pub timing: Timing,
    /// One entry per target, in scenario order.
    pub targets: Vec<TargetResult>,
    /// Joint probabilities: one group per due year, then the named groups.
    pub groups: Vec<GroupResult>,
    /// Conditional probabilities of later milestones given earlier ones on the same indicator.
    pub milestones: Vec<MilestoneResult>,
    /// Per indicator per year distribution.
    pub indicators: Vec<IndicatorResult>,
    /// Remarks (e.g. a repaired correlation matrix).
    pub warnings: Vec<String>,
    /// What the observations did to the trends (`update = "posterior"`): one entry per
    /// indicator whose trend moved; absent in older summaries.
    #[serde(default)]
    pub trend_updates: Vec<TrendUpdateResult>,
    /// How `--precision` chose the path count (absent for a run with a fixed path count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<crate::engine::precision::PrecisionInfo>,
}

/// Engine identification.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EngineInfo {
    /// "plancast".
    pub name: String,
    /// Crate version.
    pub version: String,
}

/// The scenario as run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScenarioInfo {
    /// Display name.
    pub name: String,
    /// Chinese display name.
    pub name_zh: Option<String>,
    /// The scenario file and the files it extends, with SHA-256.
    pub files: Vec<FileRecord>,
    /// SHA-256 of the scenario file (first of `files`).
    pub sha256: String,
    /// Base year.
    pub base_year: i32,
    /// Horizon.
    pub horizon: i32,
}

/// Run settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunInfo {
    /// Seed.
    pub seed: u64,
    /// Number of paths.
    pub paths: u64,
    /// Trend-score sampling.
    pub sampling: Sampling,
    /// Observations after this year were ignored (null: all used).
    pub as_of: Option<i32>,
    /// `--set` overrides, as typed.
    pub overrides: Vec<String>,
    /// Whether observations informed the trends (`posterior` or `none`); absent in older
    /// summaries.
    #[serde(default)]
    pub update: Option<UpdateMode>,
    /// Relative accuracy of the reported quantiles (sketch), e.g. 0.0039.
    pub quantile_relative_accuracy: f64,
    /// The latest year with a published value used (at or before `as_of`) of any indicator;
    /// null when none; absent in older summaries.
    #[serde(default)]
    pub latest_observation: Option<i32>,
}

/// Timing fields (excluded from reproducibility comparisons).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Timing {
    /// Wall time of the simulation, seconds.
    pub elapsed_seconds: f64,
    /// Worker threads used.
    pub threads: usize,
}

/// Mean, standard deviation and quantiles of a quantity.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Quantiles {
    /// Mean.
    pub mean: f64,
    /// Standard deviation.
    pub sd: f64,
    /// 5th percentile.
    pub p05: f64,
    /// 10th percentile.
    pub p10: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl Quantiles {
    /// Mean, sd and quantiles of `d`. The sketch's values carry binary digits of its buckets
    /// (0.833984375) well beyond its accuracy (1/256 of the value), so each is rounded to
    /// [`QUANTILE_DIGITS`] significant digits. Whole-number quantities (counts) get the whole
    /// number the sketch holds at that rank ([`Sketch::whole_quantile`]: exact below 256),
    /// not a rounded midpoint.
    ///
    /// [`Sketch::whole_quantile`]: crate::stats::sketch::Sketch::whole_quantile
    fn of(d: &Distribution, whole_numbers: bool) -> Self {
        let q = |p: f64| {
            if whole_numbers {
                d.sketch.whole_quantile(p)
            } else {
                significant(d.sketch.quantile(p), QUANTILE_DIGITS)
            }
        };
        Quantiles {
            mean: d.moments.mean,
            sd: d.moments.sd(),
            p05: q(0.05),
            p10: q(0.10),
            p25: q(0.25),
            p50: q(0.50),
            p75: q(0.75),
            p90: q(0.90),
            p95: q(0.95),
        }
    }

    fn constant(value: f64) -> Self {
        Quantiles {
            mean: value,
            sd: 0.0,
            p05: value,
            p10: value,
            p25: value,
            p50: value,
            p75: value,
            p90: value,
            p95: value,
        }
    }

    /// The values in [`QUANTILES`] order.
    pub fn values(&self) -> [f64; 7] {
        [
            self.p05, self.p10, self.p25, self.p50, self.p75, self.p90, self.p95,
        ]
    }
}

/// Significant digits of a reported quantile that is not a whole number: the sketch is accurate
/// to 1/256 (0.39%) of the value, so a fourth digit is the last that can mean anything and
/// rounding to it moves the value by at most 0.05%.
pub const QUANTILE_DIGITS: i32 = 4;

/// `x` rounded to `digits` significant digits (0, NaN and infinities as they are); the result
/// is the double nearest the decimal, so it prints as that decimal.
///
/// ```
/// use plancast::report::summary::significant;
/// assert_eq!(significant(0.833984375, 4).to_string(), "0.834");
/// assert_eq!(significant(52876.4, 4).to_string(), "52880");
/// assert_eq!(significant(-12.3456, 4).to_string(), "-12.35");
/// assert_eq!(significant(0.0, 4), 0.0);
/// ```
pub fn significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let shift = digits - 1 - x.abs().log10().floor() as i32;
    if shift >= 0 {
        let scale = 10f64.powi(shift);
        let rounded = (x * scale).round() / scale;
        if rounded.is_finite() {
            rounded
        } else {
            x
        }
    } else {
        let scale = 10f64.powi(-shift);
        (x / scale).round() * scale
    }
}

/// Whether a target's outcome was simulated or is already decided by observations.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    /// Depends on the simulated future.
    Simulated,
    /// Decided by observations: met.
    ObservedMet,
    /// Decided by observations: missed.
    ObservedMissed,
}

/// One target's result.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TargetResult {
    /// Target id.
    pub id: String,
    /// Indicator id.
    pub indicator: String,
    /// Indicator unit (for cagr targets the outcome is in percent per year).
    pub unit: String,
    /// Kind.
    pub kind: TargetKind,
    /// First year involved (level: the year).
    pub from: i32,
    /// Due year.
    pub due_year: i32,
    /// Comparison.
    pub comparison: Comparison,
    /// Threshold.
    pub threshold: f64,
    /// Where the plan states it.
    pub source: Option<String>,
    /// Label.
    pub label: Option<String>,
    /// Chinese label.
    pub label_zh: Option<String>,
    /// Simulated or decided by observations.
    pub status: TargetStatus,
    /// What the probability rests on: observed, updated or prior; absent in older summaries.
    #[serde(default)]
    pub basis: Option<Basis>,
    /// Past due: due at or before the latest year with published data (`run.latest_observation`)
    /// yet not decided by it, so the probability forecasts an outcome that has already happened;
    /// false in older summaries.
    #[serde(default)]
    pub past_due: bool,
    /// Probability that the target is met (k / n).
    pub probability: f64,
    /// Paths meeting it (k).
    pub met_paths: u64,
    /// Monte Carlo standard error of the probability.
    pub std_error: f64,
    /// 95% Wilson interval, lower end.
    pub ci_lower: f64,
    /// 95% Wilson interval, upper end.
    pub ci_upper: f64,
    /// Distribution of the targeted quantity (level, cagr, cumulative or change).
    pub outcome: Quantiles,
    /// Median of (outcome - threshold), signed so that positive means the target is cleared.
    pub median_margin: f64,
    /// Histogram of the outcome (for the outcome-distribution chart); absent in summaries
    /// written before it was added.
    #[serde(default)]
    pub outcome_histogram: Option<Histogram>,
}

/// What the observations did to one indicator's trend.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrendUpdateResult {
    /// Indicator id.
    pub indicator: String,
    /// Years of the observations used (empty: moved only through correlated trends).
    pub observations: Vec<i32>,
    /// Per period: prior and posterior trend (mean, 5th and 95th percentiles).
    pub periods: Vec<PeriodTrendResult>,
    /// True when most of the posterior lies where the prior puts 0.2% of its mass: the
    /// observations contradict the assumed trend distribution.
    pub conflict: bool,
    /// Remarks on the observations.
    pub remarks: Vec<String>,
}

/// Prior and posterior of one period's trend.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PeriodTrendResult {
    /// First year.
    pub from: i32,
    /// Last year.
    pub to: i32,
    /// Prior mean, 5th and 95th percentiles.
    pub prior: [f64; 3],
    /// Posterior mean, 5th and 95th percentiles.
    pub posterior: [f64; 3],
}

impl From<&PeriodTrend> for PeriodTrendResult {
    fn from(p: &PeriodTrend) -> Self {
        PeriodTrendResult {
            from: p.from,
            to: p.to,
            prior: [p.prior.mean, p.prior.p05, p.prior.p95],
            posterior: [p.posterior.mean, p.posterior.p05, p.posterior.p95],
        }
    }
}

/// A group's joint probability.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GroupResult {
    /// Group id (`due_<year>` for the automatic ones).
    pub id: String,
    /// Label.
    pub label: Option<String>,
    /// Chinese label.
    pub label_zh: Option<String>,
    /// Due year for automatic groups.
    pub due_year: Option<i32>,
    /// Member target ids.
    pub targets: Vec<String>,
    /// Share of paths meeting every member.
    pub probability: f64,
    /// Paths meeting every member.
    pub met_paths: u64,
    /// Monte Carlo standard error.
    pub std_error: f64,
    /// 95% Wilson interval, lower end.
    pub ci_lower: f64,
    /// 95% Wilson interval, upper end.
    pub ci_upper: f64,
}

/// Conditional probabilities of a later milestone given an earlier one on the same indicator.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MilestoneResult {
    /// Earlier target id.
    pub earlier: String,
    /// Later target id.
    pub later: String,
    /// P(later met | earlier met); null when the earlier one is never met.
    pub given_met: Option<f64>,
    /// 95% Wilson interval of `given_met` (null with it).
    pub given_met_ci: Option<[f64; 2]>,
    /// Paths in which the earlier one was met.
    pub earlier_met_paths: u64,
    /// P(later met | earlier missed); null when the earlier one is always met.
    pub given_missed: Option<f64>,
    /// 95% Wilson interval of `given_missed` (null with it).
    pub given_missed_ci: Option<[f64; 2]>,
    /// Paths in which the earlier one was missed.
    pub earlier_missed_paths: u64,
}

/// One indicator's results.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IndicatorResult {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// Unit.
    pub unit: String,
    /// Model.
    pub model: ModelKind,
    /// Where the baseline comes from.
    pub source: Option<String>,
    /// Formula of a derived indicator.
    pub formula: Option<String>,
    /// Yearly exit share of a count indicator (absent when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<f64>,
    /// Last year fixed by the base and observations (simulation starts after it).
    pub start_year: i32,
    /// All published values (including those after as_of, which the simulation ignored).
    pub observed: BTreeMap<i32, f64>,
    /// Sources of the published values.
    pub observed_sources: BTreeMap<i32, String>,
    /// Assumptions per period, as text (for the report).
    pub periods: Vec<PeriodInfo>,
    /// Per-year distribution.
    pub years: Vec<YearResult>,
}

/// One period's assumptions, described.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PeriodInfo {
    /// First year.
    pub from: i32,
    /// Last year.
    pub to: i32,
    /// Trend: mean of the distribution (null where it has none, e.g. student_t with df <= 1).
    pub trend_mean: Option<f64>,
    /// Trend: 10th and 90th percentiles.
    pub trend_p10: f64,
    /// Trend: 90th percentile.
    pub trend_p90: f64,
    /// Noise standard deviation.
    pub noise: f64,
    /// AR(1) persistence.
    pub persistence: f64,
    /// Kind of the trend distribution (`normal`, `pert`, ...); absent in older summaries.
    #[serde(default)]
    pub trend_dist: Option<String>,
}

/// One year of an indicator.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct YearResult {
    /// Year.
    pub year: i32,
    /// Published value for that year, if any.
    pub observed: Option<f64>,
    /// True when the value is the same in every path (base, observation or fill).
    pub fixed: bool,
    /// Distribution across paths.
    #[serde(flatten)]
    pub quantiles: Quantiles,
}

/// Builds the summary of a finished run.
pub fn build(loaded: &Loaded, sim: &Simulation, elapsed_seconds: f64, threads: usize) -> Summary {
    let scenario: &Scenario = &loaded.scenario;
    let n = sim.paths();
    // Count indicators that start from a whole number stay whole in every path.
    let counts_whole: Vec<bool> = scenario
        .indicators()
        .iter()
        .map(|ind| {
            ind.kind == ModelKind::Count
                && ind.base.is_some_and(|b| b.fract() == 0.0)
                && ind.observed.values().all(|v| v.fract() == 0.0)
        })
        .collect();

    let targets = scenario
        .targets()
        .iter()
        .zip(sim.targets())
        .enumerate()
        .map(|(k, (t, r))| {
            let met = r.met;
            let p = r.reported_probability();
            let whole = counts_whole[t.indicator] && t.kind != TargetKind::Cagr;
            let outcome = Quantiles::of(r.outcome, whole);
            let status = match (r.decided, r.met_in_every_path()) {
                (false, _) => TargetStatus::Simulated,
                (true, true) => TargetStatus::ObservedMet,
                (true, false) => TargetStatus::ObservedMissed,
            };
            TargetResult {
                id: t.id.clone(),
                indicator: scenario.indicators()[t.indicator].id.clone(),
                unit: if t.kind == TargetKind::Cagr {
                    "% per year".to_string()
                } else {
                    scenario.indicators()[t.indicator].unit.clone()
                },
                kind: t.kind,
                from: t.from,
                due_year: t.due_year(),
                comparison: t.comparison,
                threshold: t.threshold,
                source: t.source.clone(),
                label: t.label.clone(),
                label_zh: t.label_zh.clone(),
                status,
                basis: scenario.plan().target_basis.get(k).copied(),
                past_due: scenario
                    .plan()
                    .target_past_due
                    .get(k)
                    .copied()
                    .unwrap_or(false),
                probability: p.estimate,
                met_paths: met,
                std_error: p.std_error,
                ci_lower: p.lower,
                ci_upper: p.upper,
                median_margin: t.comparison.margin(outcome.p50, t.threshold),
                outcome,
                outcome_histogram: Histogram::of(&r.outcome.sketch, t.threshold, whole),
            }
        })
        .collect();

    let mut groups = Vec::new();
    for (g, (id, label, label_zh)) in sim.groups().zip(scenario.group_identities()) {
        let p = g.probability;
        groups.push(GroupResult {
            id,
            label,
            label_zh,
            due_year: g.due_year,
            targets: g
                .members
                .iter()
                .map(|&k| scenario.targets()[k].id.clone())
                .collect(),
            probability: p.estimate,
            met_paths: g.met,
            std_error: p.std_error,
            ci_lower: p.lower,
            ci_upper: p.upper,
        });
    }

    let milestones = sim
        .milestones()
        .map(|m| MilestoneResult {
            earlier: scenario.targets()[m.earlier].id.clone(),
            later: scenario.targets()[m.later].id.clone(),
            given_met: m.given_met.map(|p| p.estimate),
            given_met_ci: m.given_met.map(|p| [p.lower, p.upper]),
            earlier_met_paths: m.earlier_met,
            given_missed: m.given_missed.map(|p| p.estimate),
            given_missed_ci: m.given_missed.map(|p| [p.lower, p.upper]),
            earlier_missed_paths: m.earlier_missed,
        })
        .collect();

    let indicators = scenario
        .indicators()
        .iter()
        .enumerate()
        .map(|(i, ind)| {
            let years = sim
                .cells(i)
                .map(|(year, cell)| {
                    let (fixed, quantiles) = match cell {
                        CellValue::Fixed(v) => (true, Quantiles::constant(v.unwrap_or(f64::NAN))),
                        CellValue::Simulated(d) => (false, Quantiles::of(d, counts_whole[i])),
                    };
                    YearResult {
                        year,
                        observed: ind.observed.get(&year).copied(),
                        fixed,
                        quantiles,
                    }
                })
                .collect();
            IndicatorResult {
                id: ind.id.clone(),
                name: ind.name.clone(),
                name_zh: ind.name_zh.clone(),
                unit: ind.unit.clone(),
                model: ind.kind,
                source: ind.source.clone(),
                formula: ind.formula.as_ref().map(|f| f.text.clone()),
                exit: (ind.exit > 0.0).then_some(ind.exit),
                start_year: sim.start_year(i),
                observed: ind.observed.clone(),
                observed_sources: ind.observed_sources.clone(),
                periods: ind
                    .periods
                    .iter()
                    .map(|p| PeriodInfo {
                        from: p.from,
                        to: p.to,
                        trend_mean: Some(p.trend.mean()).filter(|m| m.is_finite()),
                        trend_p10: p.trend.quantile(0.1),
                        trend_p90: p.trend.quantile(0.9),
                        noise: p.noise,
                        persistence: p.persistence,
                        trend_dist: Some(p.trend.kind().to_string()),
                    })
                    .collect(),
                years,
            }
        })
        .collect();

    Summary {
        format: FORMAT.to_string(),
        engine: EngineInfo {
            name: "plancast".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        scenario: ScenarioInfo {
            name: scenario.name().to_string(),
            name_zh: scenario.name_zh().map(str::to_string),
            sha256: loaded
                .files
                .first()
                .map(|f| f.sha256.clone())
                .unwrap_or_default(),
            files: loaded.files.clone(),
            base_year: scenario.base_year(),
            horizon: scenario.horizon(),
        },
        run: RunInfo {
            seed: scenario.seed(),
            paths: n,
            sampling: scenario.sampling(),
            as_of: scenario.as_of(),
            overrides: loaded.overrides.clone(),
            update: Some(scenario.update()),
            quantile_relative_accuracy: RELATIVE_ACCURACY,
            latest_observation: scenario.plan().latest_observation,
        },
        timing: Timing {
            elapsed_seconds,
            threads,
        },
        targets,
        groups,
        milestones,
        indicators,
        warnings: scenario.warnings().to_vec(),
        trend_updates: trend_updates(scenario),
        precision: None,
    }
}

/// The trend updates of the run's posterior, in scenario order.
fn trend_updates(scenario: &Scenario) -> Vec<TrendUpdateResult> {
    scenario
        .plan()
        .posterior
        .updates
        .iter()
        .zip(scenario.indicators())
        .filter_map(|(update, ind)| {
            update.as_ref().map(|u| TrendUpdateResult {
                indicator: ind.id.clone(),
                observations: u.observations.clone(),
                periods: u.periods.iter().map(PeriodTrendResult::from).collect(),
                conflict: u.conflict,
                remarks: u.remarks.clone(),
            })
        })
        .collect()
}
