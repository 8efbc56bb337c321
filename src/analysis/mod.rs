//! Analysis for economists (scenario spec, section 9): sensitivity, required values (solve),
//! scenario comparison and calibration from history. Every command that compares runs keeps the
//! seed and path count fixed, so the engine's common random numbers make a difference between
//! two runs the effect of the change and not noise.
//!
//! Each analysis takes loaded scenarios and typed requests (the application loads the files and
//! checks the flags), changes the model only through its checked edits
//! ([`crate::model::edit`]), runs the engine, and returns a result type: no text, no files.
//! The commands live one per file, and the small helpers they share live here. Their text, CSV
//! and charts are made from those results in `report::analysis` and `report::charts` (`tornado`,
//! `compare`), which depend on this module and not the reverse.

pub mod assumptions;
pub mod backtest;
pub mod calibrate;
pub mod compare;
pub mod dependencies;
pub mod root;
pub mod sensitivity;
pub mod solve;
pub mod track;

use crate::engine::{self, Simulation};
use crate::model::{Scenario, TargetKind};
use crate::scenario::Loaded;
use crate::stats::interval::Proportion;

/// Why an analysis failed.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// A checked edit refused a value the analysis needed (e.g. a trial value of `solve`).
    #[error("{0}")]
    Edit(#[from] crate::model::edit::EditError),
    /// The question has no answer in the range searched (e.g. no value gives the probability).
    #[error("{0}")]
    NoSolution(String),
    /// The simulation failed.
    #[error("{0}")]
    Engine(#[from] engine::EngineError),
    /// Any other failure while running (exit 1).
    #[error("{0}")]
    Runtime(String),
}

/// One target's result in one run: what every analysis compares.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TargetStat {
    /// Probability that the target is met, with its 95% Wilson interval.
    pub probability: Proportion,
    /// Mean of the targeted quantity.
    pub mean: f64,
    /// Variance of the targeted quantity across paths.
    pub variance: f64,
    /// True when observations already decide the target.
    pub decided: bool,
}

/// Simulates `scenario` and returns the simulation and every target's [`TargetStat`].
pub fn simulate_targets(
    scenario: &Scenario,
    threads: Option<usize>,
) -> Result<(Simulation, Vec<TargetStat>), AnalysisError> {
    let sim = engine::simulate(scenario, threads, &|_| {})?;
    let stats = target_stats(&sim);
    Ok((sim, stats))
}

/// Every target's [`TargetStat`] of `scenario`, from a simulation that records nothing else
/// ([`engine::simulate_target_moments`]): the numbers of [`simulate_targets`], bit for bit, for
/// analyses that run many simulations and read only these.
pub fn target_stats_of(
    scenario: &Scenario,
    threads: Option<usize>,
) -> Result<Vec<TargetStat>, AnalysisError> {
    let sim = engine::simulate_target_moments(scenario, threads)?;
    Ok(target_stats(&sim))
}

/// Every target's [`TargetStat`] from a finished simulation.
pub fn target_stats(sim: &Simulation) -> Vec<TargetStat> {
    sim.targets()
        .map(|t| {
            let m = t.moments();
            TargetStat {
                probability: t.probability,
                mean: m.mean,
                variance: m.variance(),
                decided: t.decided,
            }
        })
        .collect()
}

/// The unit of a target's outcome (cagr targets are in percent per year).
pub fn outcome_unit(scenario: &Scenario, target: usize) -> String {
    let t = &scenario.targets()[target];
    if t.kind == TargetKind::Cagr {
        "% per year".to_string()
    } else {
        scenario.indicators()[t.indicator].unit.clone()
    }
}

/// The audit facts every analysis records: what was run, with which seed, paths and as_of.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct RunRecord {
    /// Scenario display name.
    pub scenario: String,
    /// The scenario file.
    pub file: String,
    /// SHA-256 of the scenario file.
    pub sha256: String,
    /// Seed shared by every run (common random numbers).
    pub seed: u64,
    /// Paths per run.
    pub paths: u64,
    /// Effective as_of year.
    pub as_of: Option<i32>,
    /// Trend-score sampling ("random" or "lhs").
    pub sampling: String,
    /// `--set` overrides, as typed.
    pub overrides: Vec<String>,
    /// Engine version.
    pub engine_version: String,
}

impl RunRecord {
    /// The record of `loaded`.
    pub fn of(loaded: &Loaded) -> Self {
        let first = loaded.files.first();
        RunRecord {
            scenario: loaded.scenario.name().to_string(),
            file: first.map(|f| f.path.clone()).unwrap_or_default(),
            sha256: first.map(|f| f.sha256.clone()).unwrap_or_default(),
            seed: loaded.scenario.seed(),
            paths: loaded.scenario.paths(),
            as_of: loaded.scenario.as_of(),
            sampling: loaded.scenario.sampling().name().to_string(),
            overrides: loaded.overrides.clone(),
            engine_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}
