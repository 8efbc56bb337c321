//! Analysis for economists (scenario spec, section 9): sensitivity, required values (solve),
//! scenario comparison and calibration from history. Every command that compares runs keeps the
//! seed and path count fixed, so the engine's common random numbers make a difference between
//! two runs the effect of the change and not noise.
//!
//! This module calls the library directly ([`crate::scenario::load`], [`crate::engine::simulate`]);
//! the commands live one per file, and the small helpers they share live here. Each command
//! returns a result type; its text, CSV and charts are made from that result in `report::analysis`
//! and `report::charts` (`tornado`, `compare`), which depend on this module and not the reverse.

pub mod calibrate;
pub mod compare;
pub mod dependencies;
pub mod root;
pub mod sensitivity;
pub mod solve;

use crate::engine::{self, Simulation};
use crate::model::{Scenario, TargetKind};
use crate::scenario::diagnostic::{did_you_mean, Diagnostic, Location};
use crate::scenario::{self, Diagnostics, LoadOptions, Loaded, RunSettings};
use crate::stats::interval::Proportion;
use std::path::{Path, PathBuf};

/// Why an analysis failed.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The scenario or an argument is invalid (exit 2).
    #[error("{0}")]
    Input(#[from] Diagnostics),
    /// A failure while running (exit 1).
    #[error("{0}")]
    Runtime(String),
}

impl AnalysisError {
    /// An invalid command-line argument, named as typed.
    pub fn argument(argument: impl Into<String>, message: impl Into<String>) -> Self {
        AnalysisError::Input(Diagnostics(vec![Diagnostic::located(
            Location::Argument(argument.into()),
            message,
        )]))
    }

    /// An invalid argument with a hint.
    pub fn argument_with_help(
        argument: impl Into<String>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Self {
        AnalysisError::Input(Diagnostics(vec![Diagnostic::located(
            Location::Argument(argument.into()),
            message,
        )
        .with_optional_help(help)]))
    }
}

impl From<engine::EngineError> for AnalysisError {
    fn from(e: engine::EngineError) -> Self {
        AnalysisError::Runtime(e.to_string())
    }
}

/// The options every analysis command shares with `run`.
#[derive(Debug, Clone, Default)]
pub struct CommonOptions {
    /// `--set KEY=VALUE` arguments.
    pub sets: Vec<String>,
    /// `--paths` (None: the command's default).
    pub paths: Option<u64>,
    /// `--seed` (None: the scenario's).
    pub seed: Option<u64>,
    /// `--as-of`.
    pub as_of: Option<i64>,
    /// `--threads` (None: all cores).
    pub threads: Option<usize>,
}

impl CommonOptions {
    /// Load options for `path` with extra overrides appended to `--set`.
    pub fn load(&self, path: &Path, extra_sets: &[String]) -> Result<Loaded, AnalysisError> {
        let mut sets = self.sets.clone();
        sets.extend(extra_sets.iter().cloned());
        let options = LoadOptions {
            sets,
            settings: RunSettings {
                paths: self.paths,
                seed: self.seed,
                as_of: self.as_of,
            },
        };
        Ok(scenario::load(path, &options)?)
    }
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

/// Indices of the targets named by `--target` (all targets when none is named), or an error that
/// names the unknown id and the nearest valid one.
pub fn select_targets(scenario: &Scenario, ids: &[String]) -> Result<Vec<usize>, AnalysisError> {
    if ids.is_empty() {
        return Ok((0..scenario.targets.len()).collect());
    }
    ids.iter()
        .map(|id| {
            scenario
                .targets
                .iter()
                .position(|t| &t.id == id)
                .ok_or_else(|| {
                    AnalysisError::argument_with_help(
                        format!("--target {id}"),
                        format!("the scenario has no target `{id}`"),
                        did_you_mean(id, scenario.targets.iter().map(|t| t.id.as_str())),
                    )
                })
        })
        .collect()
}

/// The unit of a target's outcome (cagr targets are in percent per year).
pub fn outcome_unit(scenario: &Scenario, target: usize) -> String {
    let t = &scenario.targets[target];
    if t.kind == TargetKind::Cagr {
        "% per year".to_string()
    } else {
        scenario.indicators[t.indicator].unit.clone()
    }
}

/// The default output folder of an analysis command: `output/<scenario stem>/<command>/`.
pub fn default_out_dir(scenario: &Path, command: &str) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "run".to_string());
    PathBuf::from("output").join(stem).join(command)
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
            scenario: loaded.scenario.name.clone(),
            file: first.map(|f| f.path.clone()).unwrap_or_default(),
            sha256: first.map(|f| f.sha256.clone()).unwrap_or_default(),
            seed: loaded.scenario.seed,
            paths: loaded.scenario.paths,
            as_of: loaded.scenario.as_of,
            sampling: loaded.scenario.sampling.name().to_string(),
            overrides: loaded.overrides.clone(),
            engine_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    /// The audit line of a chart, in the format of `report::audit::audit_line`: name, short
    /// sha256, seed, paths, sampling, as_of, engine version and any `--set` overrides.
    pub fn audit_line(&self) -> String {
        let sha: String = self.sha256.chars().take(12).collect();
        let mut line = format!(
            "{} · sha256 {sha} · seed {} · {} paths · {} · as_of {} · plancast {}",
            self.scenario,
            self.seed,
            self.paths,
            self.sampling,
            self.as_of
                .map(|y| y.to_string())
                .unwrap_or_else(|| "all".to_string()),
            self.engine_version
        );
        match self.overrides.len() {
            0 => {}
            1 => line.push_str(&format!(" · --set {}", self.overrides[0])),
            n => line.push_str(&format!(" · {n} --set overrides")),
        }
        line
    }
}
