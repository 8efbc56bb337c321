//! `plancast track`: every target's probability as of each year, from the plan's base year to
//! the latest observation (scenario spec, section 10). Each as-of year is an ordinary run of the
//! scenario with `as_of` set to that year, with the same seed and paths, so the numbers at as-of
//! Y are those of `plancast run --as-of Y`.

use super::{AnalysisError, RunRecord};
use crate::engine;
use crate::model::{Basis, Scenario, UpdateMode};
use crate::scenario::Loaded;
use serde::{Deserialize, Serialize};

/// How a target turned out, once published values decide it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Met.
    Met,
    /// Missed.
    Missed,
}

impl Outcome {
    /// The name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::Missed => "missed",
        }
    }
}

/// One target's probability as of one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackPoint {
    /// The as-of year.
    pub as_of: i32,
    /// Probability that the target is met.
    pub probability: f64,
    /// 95% interval, lower end.
    pub low: f64,
    /// 95% interval, upper end.
    pub high: f64,
    /// What the probability rests on.
    pub basis: Basis,
    /// The outcome, once values published up to the as-of year decide the target.
    pub outcome: Option<Outcome>,
}

/// One target's track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetTrack {
    /// Target id.
    pub id: String,
    /// Label.
    pub label: Option<String>,
    /// Chinese label.
    pub label_zh: Option<String>,
    /// Due year.
    pub due_year: i32,
    /// One point per as-of year.
    pub points: Vec<TrackPoint>,
}

/// The result of `plancast track`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    /// The run of the last as-of year (seed, paths, files).
    pub run: RunRecord,
    /// Whether observations informed the trends.
    pub update: UpdateMode,
    /// As-of years, in order.
    pub years: Vec<i32>,
    /// One track per target, in scenario order.
    pub targets: Vec<TargetTrack>,
}

/// The latest year with a published value of a simulated indicator (after its base year, up
/// to the horizon), if any.
pub fn latest_observation_year(scenario: &Scenario) -> Option<i32> {
    scenario
        .indicators()
        .iter()
        .filter(|i| i.kind.is_stochastic())
        .flat_map(|i| {
            i.observed
                .keys()
                .copied()
                .filter(move |&y| y > i.base_year && y <= scenario.horizon())
        })
        .max()
}

/// Runs every view (the scenario loaded as of each year, in increasing order).
pub fn run(views: &[(i32, Loaded)], threads: Option<usize>) -> Result<Track, AnalysisError> {
    let Some((_, last)) = views.last() else {
        return Err(AnalysisError::NoSolution(
            "no as-of year to track".to_string(),
        ));
    };
    let scenario = &last.scenario;
    let mut targets: Vec<TargetTrack> = scenario
        .targets()
        .iter()
        .map(|t| TargetTrack {
            id: t.id.clone(),
            label: t.label.clone(),
            label_zh: t.label_zh.clone(),
            due_year: t.due_year(),
            points: Vec::with_capacity(views.len()),
        })
        .collect();
    for (year, view) in views {
        let sim = engine::simulate(&view.scenario, threads, &|_| {})?;
        let basis = &view.scenario.plan().target_basis;
        for (k, result) in sim.targets().enumerate() {
            let p = result.reported_probability();
            let outcome = result.decided.then(|| {
                if result.met_in_every_path() {
                    Outcome::Met
                } else {
                    Outcome::Missed
                }
            });
            targets[k].points.push(TrackPoint {
                as_of: *year,
                probability: p.estimate,
                low: p.lower,
                high: p.upper,
                basis: basis[k],
                outcome,
            });
        }
    }
    Ok(Track {
        run: RunRecord::of(last),
        update: scenario.update(),
        years: views.iter().map(|(y, _)| *y).collect(),
        targets,
    })
}
