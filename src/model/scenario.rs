//! The validated scenario: private fields, readers, and the one constructor the loader uses.
//! Changes after validation go through the checked edits of [`super::edit`].

use super::correlation::Correlation;
use super::plan::Plan;
use super::{Event, Group, Indicator, Sampling, Target, UpdateMode};

/// The parts of a scenario as the validator assembles them. Only the loader
/// (`scenario::load`) turns parts into a [`Scenario`] (`Scenario::from_parts` is
/// crate-private): every rule of the format has been checked by then.
#[derive(Debug, Clone)]
pub struct ScenarioParts {
    /// Display name.
    pub name: String,
    /// Chinese display name.
    pub name_zh: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Year of the `base` values.
    pub base_year: i32,
    /// Last simulated year.
    pub horizon: i32,
    /// Observations after this year are ignored (None: use all).
    pub as_of: Option<i32>,
    /// Seed (scenario default or run setting).
    pub seed: u64,
    /// Number of paths (scenario default or run setting).
    pub paths: u64,
    /// Trend-score sampling.
    pub sampling: Sampling,
    /// Whether observations inform the trends.
    pub update: UpdateMode,
    /// Indicators in file order.
    pub indicators: Vec<Indicator>,
    /// Derived indicators in evaluation order (dependencies first).
    pub derived_order: Vec<usize>,
    /// Trend-score and noise correlation.
    pub correlation: Correlation,
    /// Events.
    pub events: Vec<Event>,
    /// Targets in file order.
    pub targets: Vec<Target>,
    /// Named groups.
    pub groups: Vec<Group>,
    /// Non-fatal remarks made while loading (e.g. a repaired correlation matrix).
    pub warnings: Vec<String>,
}

/// What a checked edit changed (see [`Scenario::edited`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Changed {
    /// Targets only (added, or a threshold).
    Targets,
    /// Events only (added, or a probability or effect size).
    Events,
    /// The noise correlations only.
    NoiseCorrelation,
    /// Anything else: indicators, correlations, settings.
    Other,
}

/// A validated scenario, ready to simulate. Read it through its methods; change it only
/// through the checked edits of [`super::edit`], which keep it valid.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub(super) parts: ScenarioParts,
    /// Derived from the parts: kept in step by [`Scenario::from_parts`], the one way a
    /// scenario is made (checked edits rebuild through it too).
    plan: Plan,
}

impl Scenario {
    /// Wraps parts that the validator has checked.
    pub(crate) fn from_parts(parts: ScenarioParts) -> Scenario {
        let mut scenario = Scenario {
            parts,
            plan: Plan::default(),
        };
        scenario.plan = super::plan::prepare(&scenario, None);
        scenario
    }

    /// `parts`, a checked edit of this scenario that changed only what `changed` says, as a
    /// scenario. Its plan is computed again, except the posterior when the edit cannot have
    /// changed it: the posterior takes nearly all of a plan's time (13 ms for the bundled
    /// scenario), and `solve` makes thousands of edits.
    pub(super) fn edited(&self, parts: ScenarioParts, changed: Changed) -> Scenario {
        let mut scenario = Scenario {
            parts,
            plan: Plan::default(),
        };
        let keep = match changed {
            // The posterior reads no target, and of the correlations only the trends'.
            Changed::Targets | Changed::NoiseCorrelation => true,
            Changed::Events => super::posterior::same_after_event_edit(self, &scenario),
            Changed::Other => false,
        };
        let posterior = keep.then(|| std::sync::Arc::clone(&self.plan.posterior));
        scenario.plan = super::plan::prepare(&scenario, posterior);
        scenario
    }

    /// The plan of the run: year axis, values fixed by observations (after `as_of`), where each
    /// indicator's simulation starts, decided targets, due-year groups, milestone pairs.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Display name.
    pub fn name(&self) -> &str {
        &self.parts.name
    }

    /// Chinese display name.
    pub fn name_zh(&self) -> Option<&str> {
        self.parts.name_zh.as_deref()
    }

    /// Free text.
    pub fn description(&self) -> Option<&str> {
        self.parts.description.as_deref()
    }

    /// Year of the `base` values.
    pub fn base_year(&self) -> i32 {
        self.parts.base_year
    }

    /// Last simulated year.
    pub fn horizon(&self) -> i32 {
        self.parts.horizon
    }

    /// Observations after this year are ignored (None: use all).
    pub fn as_of(&self) -> Option<i32> {
        self.parts.as_of
    }

    /// Seed of the run.
    pub fn seed(&self) -> u64 {
        self.parts.seed
    }

    /// Number of paths of the run.
    pub fn paths(&self) -> u64 {
        self.parts.paths
    }

    /// Trend-score sampling.
    pub fn sampling(&self) -> Sampling {
        self.parts.sampling
    }

    /// Whether observations inform the trends (`scenario.update`).
    pub fn update(&self) -> UpdateMode {
        self.parts.update
    }

    /// Indicators in file order.
    pub fn indicators(&self) -> &[Indicator] {
        &self.parts.indicators
    }

    /// Derived indicators in evaluation order (dependencies first).
    pub fn derived_order(&self) -> &[usize] {
        &self.parts.derived_order
    }

    /// Trend-score and noise correlation.
    pub fn correlation(&self) -> &Correlation {
        &self.parts.correlation
    }

    /// Events.
    pub fn events(&self) -> &[Event] {
        &self.parts.events
    }

    /// Targets in file order.
    pub fn targets(&self) -> &[Target] {
        &self.parts.targets
    }

    /// Named groups.
    pub fn groups(&self) -> &[Group] {
        &self.parts.groups
    }

    /// Non-fatal remarks made while loading (e.g. a repaired correlation matrix).
    pub fn warnings(&self) -> &[String] {
        &self.parts.warnings
    }

    /// Id, label and Chinese label of every group of a run, in the engine's order: one per due
    /// year (`due_2025`, "All 2025 targets"), then the named groups in file order.
    pub fn group_identities(&self) -> Vec<(String, Option<String>, Option<String>)> {
        self.plan
            .due_groups
            .iter()
            .map(|(year, _)| {
                (
                    format!("due_{year}"),
                    Some(format!("All {year} targets")),
                    Some(format!("{year} 年全部目标")),
                )
            })
            .chain(
                self.parts
                    .groups
                    .iter()
                    .map(|g| (g.id.clone(), g.label.clone(), g.label_zh.clone())),
            )
            .collect()
    }

    /// Index of the indicator with this id.
    pub fn indicator_index(&self, id: &str) -> Option<usize> {
        self.parts.indicators.iter().position(|i| i.id == id)
    }

    /// Index of the target with this id.
    pub fn target_index(&self, id: &str) -> Option<usize> {
        self.parts.targets.iter().position(|t| t.id == id)
    }
}
