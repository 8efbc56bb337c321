//! `plancast solve`: the value of an assumption at which a target is met with a given
//! probability, found by a root search on common random numbers ([`super::root`]).
//!
//! Two modes:
//! - vary: one number of the scenario (a [`Knob`], resolved from its dotted key by
//!   [`crate::scenario::knob`]). Each value tried is set through the model's checked edit
//!   ([`crate::model::Scenario::with_knob`]), with the same seed and paths; nothing is reloaded.
//! - without `--vary` (targets on growth, additive and count indicators): the constant annual
//!   growth (increment, additions) needed from the starting point, the last year fixed by
//!   observations given `as_of`, to the due year. Every year of that window gets the same shift
//!   δ added to the indicator's growth rate (percentage points; additive: units; count: a percent
//!   change of the Poisson rate), through an extra event that strikes with probability 1 (its own
//!   random stream, so the other draws do not move). The answer is the scenario's own median
//!   average growth over the window, moved by δ: "the median path must grow at g% a year".
//!   Targets on different indicators are solved in the same simulations, since a shift on one
//!   indicator leaves the others' paths untouched.

mod growth;
mod vary;

use super::root::Uncertainty;
use super::{AnalysisError, RunRecord};
use crate::model::edit::Knob;
use crate::model::ModelKind;
use crate::scenario::Loaded;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// The probabilities of the required-growth table.
pub const TABLE_PROBABILITIES: [f64; 2] = [0.5, 0.8];

/// The result of `--vary`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaryResult {
    /// Target id.
    pub target: String,
    /// The key varied.
    pub key: String,
    /// The probability sought.
    pub probability: f64,
    /// The key's value in the scenario (None when it has none and a range was given).
    pub current_value: Option<f64>,
    /// The target's probability at the current value.
    pub current_probability: f64,
    /// The solved value.
    pub value: f64,
    /// Its Monte Carlo uncertainty.
    pub uncertainty: Uncertainty,
    /// Simulations used.
    pub evaluations: u32,
}

/// The required growth for one probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Required {
    /// The probability.
    pub probability: f64,
    /// Required median average growth (increment, additions) per year over the window.
    pub value: f64,
    /// The shift δ added to every year of the window.
    pub shift: f64,
    /// Monte Carlo uncertainty of the shift (and of `value`, up to the count scaling).
    pub uncertainty: Uncertainty,
    /// True when `value` is zero or less: the chance is reached even without growth (printed
    /// so, not as a negative growth).
    #[serde(default)]
    pub met_without_growth: bool,
}

/// One target's row of the required-growth table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrowthRow {
    /// Target id.
    pub target: String,
    /// Label.
    pub label: Option<String>,
    /// Chinese label.
    #[serde(default)]
    pub label_zh: Option<String>,
    /// Indicator id (of the target).
    pub indicator: String,
    /// The indicator whose growth is shifted: the target's own, or for a ratio its numerator
    /// (the input the plan controls; docs/analysis.md).
    #[serde(default)]
    pub varied: String,
    /// Model of the varied indicator.
    pub model: ModelKind,
    /// Due year.
    pub due_year: i32,
    /// The starting point: last year fixed by observations.
    pub start_year: i32,
    /// The value there.
    pub start_value: Option<f64>,
    /// Unit of the growth figures: "% per year", or the indicator's unit per year.
    pub unit: String,
    /// The target's probability in the scenario as written.
    pub probability: Option<f64>,
    /// Its 95% Wilson interval.
    #[serde(default)]
    pub probability_ci: Option<[f64; 2]>,
    /// The scenario's own median average growth per year over the window (count indicators:
    /// mean additions per year).
    pub scenario_median: Option<f64>,
    /// Required growth, one per probability asked.
    pub required: Vec<Required>,
    /// Why there is no answer (derived indicator, decided by observations, unreachable).
    pub note: Option<String>,
}

/// The `solve.json` record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolveReport {
    /// Format tag: "plancast-solve/1".
    pub format: String,
    /// What was run.
    pub run: RunRecord,
    /// "vary" or "growth".
    pub mode: String,
    /// The probability asked for (None: the 50% / 80% table only).
    pub probability: Option<f64>,
    /// The solved value for a single target and probability (vary: the key's value; growth: the
    /// required growth).
    pub value: Option<f64>,
    /// 95% interval of `value`, lower end.
    pub lower: Option<f64>,
    /// 95% interval of `value`, upper end.
    pub upper: Option<f64>,
    /// The `--vary` result.
    pub vary: Option<VaryResult>,
    /// The required-growth rows.
    pub rows: Vec<GrowthRow>,
    /// Simulations run.
    pub simulations: u32,
    /// Wall-clock seconds.
    pub elapsed_seconds: f64,
}

/// What to solve.
#[derive(Debug, Clone)]
pub enum SolveRequest {
    /// The value of one number at which one target is met with `probability`.
    Vary {
        /// Target index.
        target: usize,
        /// The number to vary.
        knob: Knob,
        /// Its dotted key, as typed (for the record).
        key: String,
        /// The probability sought, in (0, 1).
        probability: f64,
        /// A search range (finite, lower first).
        range: Option<(f64, f64)>,
    },
    /// The growth each target needs for 50% and 80% (and `probability`, if given).
    Growth {
        /// Target indices.
        targets: Vec<usize>,
        /// True for every target (`--all`: the table only).
        all: bool,
        /// One more probability, in (0, 1).
        probability: Option<f64>,
    },
}

/// Runs `plancast solve` on `loaded` with `threads` workers (None: all cores).
pub fn run(
    loaded: &Loaded,
    request: &SolveRequest,
    threads: Option<usize>,
) -> Result<SolveReport, AnalysisError> {
    let started = Instant::now();
    let record = RunRecord::of(loaded);
    let scenario = &loaded.scenario;
    let mut simulations = 0u32;

    let (chosen, all, probability) = match request {
        SolveRequest::Vary {
            target,
            knob,
            key,
            probability,
            range,
        } => {
            let result = vary::solve_vary(
                scenario,
                *target,
                knob,
                key,
                *probability,
                *range,
                threads,
                &mut simulations,
            )?;
            return Ok(SolveReport {
                format: "plancast-solve/1".to_string(),
                run: record,
                mode: "vary".to_string(),
                probability: Some(*probability),
                value: Some(result.value),
                lower: Some(result.uncertainty.lower),
                upper: Some(result.uncertainty.upper),
                vary: Some(result),
                rows: Vec::new(),
                simulations,
                elapsed_seconds: started.elapsed().as_secs_f64(),
            });
        }
        SolveRequest::Growth {
            targets,
            all,
            probability,
        } => (targets.clone(), *all, *probability),
    };
    let mut goals: Vec<f64> = TABLE_PROBABILITIES.to_vec();
    if let Some(p) = probability {
        if !goals.contains(&p) {
            goals.push(p);
        }
    }
    let rows = growth::required_growth(scenario, &chosen, &goals, threads, &mut simulations)?;
    let single = (!all && rows.len() == 1)
        .then_some(probability)
        .flatten()
        .and_then(|p| rows[0].required.iter().find(|r| r.probability == p));
    let (value, lower, upper) = match single {
        Some(r) => {
            let scale = r.value_scale(&rows[0]);
            (
                Some(r.value),
                Some(r.value - (r.shift - r.uncertainty.lower) * scale),
                Some(r.value + (r.uncertainty.upper - r.shift) * scale),
            )
        }
        None => (None, None, None),
    };
    Ok(SolveReport {
        format: "plancast-solve/1".to_string(),
        run: record,
        mode: "growth".to_string(),
        probability,
        value,
        lower,
        upper,
        vary: None,
        rows,
        simulations,
        elapsed_seconds: started.elapsed().as_secs_f64(),
    })
}

impl Required {
    /// d value / d shift: 1, except for count indicators (percent change of the rate).
    pub fn value_scale(&self, row: &GrowthRow) -> f64 {
        match (row.model, row.scenario_median) {
            (ModelKind::Count, Some(m)) => m / 100.0,
            _ => 1.0,
        }
    }
}
