//! `plancast solve`: the value of an assumption at which a target is met with a given
//! probability, found by a root search on common random numbers ([`super::root`]).
//!
//! Two modes:
//! - vary: one number of the scenario (a [`Knob`], resolved from its dotted key by
//!   [`crate::scenario::knob`]). Each value tried is set through the model's checked edit
//!   ([`Scenario::with_knob`]), with the same seed and paths; nothing is reloaded.
//! - without `--vary` (targets on growth, additive and count indicators): the constant annual
//!   growth (increment, additions) needed from the starting point, the last year fixed by
//!   observations given `as_of`, to the due year. Every year of that window gets the same shift
//!   δ added to the indicator's growth rate (percentage points; additive: units; count: a percent
//!   change of the Poisson rate), through an extra event that strikes with probability 1 (its own
//!   random stream, so the other draws do not move). The answer is the scenario's own median
//!   average growth over the window, moved by δ: "the median path must grow at g% a year".
//!   Targets on different indicators are solved in the same simulations, since a shift on one
//!   indicator leaves the others' paths untouched.

use super::root::{self, Outcome, Problem, Uncertainty};
use super::{simulate_targets, AnalysisError, RunRecord};
use crate::model::edit::Knob;
use crate::model::{Comparison, ModelKind, Scenario, Target, TargetKind};
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
}

/// One target's row of the required-growth table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrowthRow {
    /// Target id.
    pub target: String,
    /// Label.
    pub label: Option<String>,
    /// Indicator id.
    pub indicator: String,
    /// Indicator model.
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
            let result = solve_vary(
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
    let rows = required_growth(scenario, &chosen, &goals, threads, &mut simulations)?;
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

#[allow(clippy::too_many_arguments)]
fn solve_vary(
    scenario: &Scenario,
    target: usize,
    knob: &Knob,
    key: &str,
    probability: f64,
    range: Option<(f64, f64)>,
    threads: Option<usize>,
    simulations: &mut u32,
) -> Result<VaryResult, AnalysisError> {
    let current = scenario.knob_value(knob);
    let start = match (current, range) {
        (_, Some((lo, _))) => lo,
        (Some(v), None) => v,
        (None, None) => {
            return Err(AnalysisError::NoSolution(format!(
                "the scenario has no value at `{key}`: give a search range"
            )))
        }
    };
    let step = match range {
        Some((lo, hi)) => hi - lo,
        None => (start.abs() * 0.1).max(0.1),
    };
    let problem = Problem {
        start,
        step,
        lower: range.map(|r| r.0).unwrap_or(f64::NEG_INFINITY),
        upper: range.map(|r| r.1).unwrap_or(f64::INFINITY),
        goal: probability,
        tolerance: step * 1e-4,
        fixed_range: range.is_some(),
    };
    let mut evaluate_at = |theta: f64| -> Result<f64, AnalysisError> {
        *simulations += 1;
        let edited = scenario.with_knob(knob, theta)?;
        let (_, stats) = simulate_targets(&edited, threads)?;
        Ok(stats[target].probability.estimate)
    };
    let current_probability = match current {
        Some(v) => evaluate_at(v)?,
        None => f64::NAN,
    };
    let outcomes = root::solve(&[problem], &mut |values| {
        values
            .iter()
            .map(|v| v.map(&mut evaluate_at).unwrap_or(Ok(f64::NAN)))
            .collect()
    })?;
    let root = match outcomes[0] {
        Outcome::Found(root) => root,
        Outcome::NotBracketed { low, high } => {
            return Err(AnalysisError::NoSolution(format!(
                "no value of `{key}` gives target `{}` a probability of {probability}: it is {:.4} at {} and {:.4} at {}{}",
                scenario.targets()[target].id,
                low.1,
                low.0,
                high.1,
                high.0,
                if range.is_some() { " (the ends of the range)" } else { "" }
            )))
        }
    };
    let h = root::slope_step(&root, probability, scenario.paths(), &problem);
    let p_minus = evaluate_at(root.value - h)?;
    let p_plus = evaluate_at(root.value + h)?;
    let uncertainty = root::uncertainty(
        root.value,
        h,
        p_minus,
        p_plus,
        probability,
        scenario.paths(),
    );
    Ok(VaryResult {
        target: scenario.targets()[target].id.clone(),
        key: key.to_string(),
        probability,
        current_value: current,
        current_probability,
        value: root.value,
        uncertainty,
        evaluations: root.evaluations + 2,
    })
}

/// What one target's required-growth search needs.
#[derive(Debug, Clone)]
struct Window {
    target: usize,
    indicator: usize,
    model: ModelKind,
    start_year: i32,
    start_value: f64,
    due_year: i32,
}

impl Window {
    fn years(&self) -> f64 {
        (self.due_year - self.start_year) as f64
    }

    /// Average growth per year implied by a value at the due year.
    fn growth_to(&self, end: f64) -> f64 {
        match self.model {
            ModelKind::Growth => 100.0 * ((end / self.start_value).powf(1.0 / self.years()) - 1.0),
            _ => (end - self.start_value) / self.years(),
        }
    }
}

/// The required-growth table for the targets `chosen`, at each probability in `goals`.
fn required_growth(
    scenario: &Scenario,
    chosen: &[usize],
    goals: &[f64],
    threads: Option<usize>,
    simulations: &mut u32,
) -> Result<Vec<GrowthRow>, AnalysisError> {
    let (base_sim, base_stats) = simulate_targets(scenario, threads)?;
    *simulations += 1;
    let mut rows = Vec::new();
    let mut windows = Vec::new();
    for &k in chosen {
        let t = &scenario.targets()[k];
        let ind = &scenario.indicators()[t.indicator];
        let start_year = base_sim.start_year(t.indicator);
        let start_value = base_sim.median_value(t.indicator, start_year);
        let unit = match ind.kind {
            ModelKind::Growth => "% per year".to_string(),
            _ if ind.unit.trim() == "%" => "percentage points per year".to_string(),
            _ => format!("{} per year", ind.unit),
        };
        let note = if !ind.kind.is_stochastic() {
            Some("derived indicator: use --vary KEY on one of its inputs".to_string())
        } else if base_stats[k].decided || t.due_year() <= start_year {
            Some("decided by observations".to_string())
        } else if ind.kind == ModelKind::Growth && !start_value.is_some_and(|v| v > 0.0) {
            Some("no positive starting value".to_string())
        } else {
            None
        };
        if note.is_none() {
            windows.push(Window {
                target: k,
                indicator: t.indicator,
                model: ind.kind,
                start_year,
                start_value: start_value.unwrap_or(f64::NAN),
                due_year: t.due_year(),
            });
        }
        rows.push(GrowthRow {
            target: t.id.clone(),
            label: t.label.clone(),
            indicator: ind.id.clone(),
            model: ind.kind,
            due_year: t.due_year(),
            start_year,
            start_value,
            unit,
            probability: Some(base_stats[k].probability.estimate),
            scenario_median: None,
            required: Vec::new(),
            note,
        });
    }

    // The scenario's own median growth over each window: the threshold at which an extra
    // "growth over the window" target is met in half of the paths (exact counts, no sketch).
    let medians = window_medians(scenario, &base_sim, &windows, threads, simulations)?;

    // Rounds: no two windows of one round share an indicator.
    let mut rounds: Vec<Vec<usize>> = Vec::new();
    for (w, window) in windows.iter().enumerate() {
        match rounds
            .iter_mut()
            .find(|r| r.iter().all(|&o| windows[o].indicator != window.indicator))
        {
            Some(round) => round.push(w),
            None => rounds.push(vec![w]),
        }
    }
    let mut required: Vec<Vec<Required>> = vec![Vec::new(); windows.len()];
    let mut unreachable: Vec<Option<String>> = vec![None; windows.len()];
    for round in &rounds {
        for &goal in goals {
            let problems: Vec<Problem> = round
                .iter()
                .map(|&w| shift_problem(scenario, &windows[w], medians[w], goal))
                .collect();
            let mut evaluate = |shifts: &[Option<f64>]| -> Result<Vec<f64>, AnalysisError> {
                *simulations += 1;
                let mut s = scenario.clone();
                for (&w, shift) in round.iter().zip(shifts) {
                    if let Some(shift) = shift {
                        s = with_shift(&s, &windows[w], *shift)?;
                    }
                }
                let (_, stats) = simulate_targets(&s, threads)?;
                Ok(round
                    .iter()
                    .map(|&w| stats[windows[w].target].probability.estimate)
                    .collect())
            };
            let outcomes = root::solve(&problems, &mut evaluate)?;
            // Slopes for every solved window, in two more simulations.
            let steps: Vec<Option<(f64, f64)>> = outcomes
                .iter()
                .zip(&problems)
                .map(|(o, p)| match o {
                    Outcome::Found(r) => {
                        Some((r.value, root::slope_step(r, goal, scenario.paths(), p)))
                    }
                    _ => None,
                })
                .collect();
            let minus: Vec<Option<f64>> = steps.iter().map(|s| s.map(|(v, h)| v - h)).collect();
            let plus: Vec<Option<f64>> = steps.iter().map(|s| s.map(|(v, h)| v + h)).collect();
            let (p_minus, p_plus) = if steps.iter().any(Option::is_some) {
                (evaluate(&minus)?, evaluate(&plus)?)
            } else {
                (Vec::new(), Vec::new())
            };
            for (j, &w) in round.iter().enumerate() {
                match (outcomes[j], steps[j]) {
                    (Outcome::Found(_), Some((shift, h))) => {
                        let uncertainty = root::uncertainty(
                            shift,
                            h,
                            p_minus[j],
                            p_plus[j],
                            goal,
                            scenario.paths(),
                        );
                        let value = match windows[w].model {
                            ModelKind::Count => medians[w] * (1.0 + shift / 100.0),
                            _ => medians[w] + shift,
                        };
                        required[w].push(Required {
                            probability: goal,
                            value,
                            shift,
                            uncertainty,
                        });
                    }
                    (Outcome::NotBracketed { low, high }, _) => {
                        unreachable[w] = Some(if low.1 >= goal && high.1 >= goal {
                            format!(
                                "met with probability {:.3} even at the lowest growth tried: no growth needed",
                                low.1.min(high.1)
                            )
                        } else {
                            format!(
                                "a {:.0}% chance is out of reach: the probability is {:.3} with a shift of {} and {:.3} with {}",
                                100.0 * goal,
                                low.1,
                                low.0,
                                high.1,
                                high.0
                            )
                        });
                    }
                    _ => {}
                }
            }
        }
    }
    for (w, window) in windows.iter().enumerate() {
        if let Some(row) = rows
            .iter_mut()
            .find(|r| r.target == scenario.targets()[window.target].id)
        {
            row.scenario_median = Some(medians[w]);
            row.required = std::mem::take(&mut required[w]);
            row.required
                .sort_by(|a, b| a.probability.total_cmp(&b.probability));
            if let Some(note) = unreachable[w].take() {
                row.note = Some(note);
            }
        }
    }
    Ok(rows)
}

/// The search for the shift δ giving probability `goal`.
fn shift_problem(scenario: &Scenario, window: &Window, median: f64, goal: f64) -> Problem {
    let ind = &scenario.indicators()[window.indicator];
    let spread = ind
        .periods
        .iter()
        .filter(|p| p.to > window.start_year && p.from <= window.due_year)
        .map(|p| (p.trend.quantile(0.9) - p.trend.quantile(0.1)) / 2.0 + p.noise)
        .fold(0.0, f64::max);
    let (step, lower) = match window.model {
        ModelKind::Growth => (spread.max(0.5), -200.0),
        ModelKind::Additive => (spread.max(median.abs() * 0.25).max(1e-6), f64::NEG_INFINITY),
        ModelKind::Count => (20.0, -100.0),
        ModelKind::Derived => (1.0, f64::NEG_INFINITY),
    };
    Problem {
        start: 0.0,
        step,
        lower,
        upper: f64::INFINITY,
        goal,
        tolerance: step * 1e-3,
        fixed_range: false,
    }
}

/// `scenario` with `shift` added to every year of `window` (through the model's checked edit;
/// the shift's own random stream is named after the target).
fn with_shift(scenario: &Scenario, window: &Window, shift: f64) -> Result<Scenario, AnalysisError> {
    Ok(scenario.with_growth_shift(
        format!("solve:shift:{}", scenario.targets()[window.target].id),
        window.indicator,
        window.start_year + 1,
        window.due_year,
        shift,
    )?)
}

/// The exact median of each window's average growth in the scenario as written.
fn window_medians(
    scenario: &Scenario,
    base: &crate::engine::Simulation,
    windows: &[Window],
    threads: Option<usize>,
    simulations: &mut u32,
) -> Result<Vec<f64>, AnalysisError> {
    if windows.is_empty() {
        return Ok(Vec::new());
    }
    let first = scenario.targets().len();
    let mut means = vec![f64::NAN; windows.len()];
    let problems: Vec<Problem> = windows
        .iter()
        .map(|w| {
            // Start from the sketch's median (within 0.4% of the level).
            let guess = base
                .median_value(w.indicator, w.due_year)
                .map(|end| w.growth_to(end))
                .filter(|g| g.is_finite())
                .unwrap_or(0.0);
            let step = (guess.abs() * 0.02).max(1e-3);
            Problem {
                start: guess,
                step,
                lower: f64::NEG_INFINITY,
                upper: f64::INFINITY,
                goal: 0.5,
                tolerance: step * 1e-2,
                fixed_range: false,
            }
        })
        .collect();
    let outcomes = root::solve(&problems, &mut |thresholds| {
        *simulations += 1;
        let mut s = scenario.clone();
        for (w, threshold) in windows.iter().zip(thresholds) {
            let (kind, value) = match w.model {
                ModelKind::Growth => (TargetKind::Cagr, threshold.unwrap_or(0.0)),
                _ => (TargetKind::Change, threshold.unwrap_or(0.0) * w.years()),
            };
            s = s.with_probe_target(Target {
                id: format!("solve:median:{}", scenario.targets()[w.target].id),
                indicator: w.indicator,
                kind,
                from: w.start_year,
                to: w.due_year,
                comparison: Comparison::AtLeast,
                threshold: value,
                source: None,
                label: None,
                label_zh: None,
            })?;
        }
        let (_, stats) = simulate_targets(&s, threads)?;
        // The mean change over the window does not depend on the threshold.
        for (w, m) in means.iter_mut().enumerate() {
            *m = stats[first + w].mean / windows[w].years();
        }
        Ok((0..windows.len())
            .map(|w| stats[first + w].probability.estimate)
            .collect())
    })?;
    // Count indicators: the mean additions per year (a median of whole additions is often 0,
    // and the shift scales the mean exactly).
    Ok(outcomes
        .iter()
        .zip(windows)
        .zip(&means)
        .map(|((o, w), &mean)| match (o, w.model) {
            (_, ModelKind::Count) => mean,
            (Outcome::Found(r), _) => r.value,
            (Outcome::NotBracketed { .. }, _) => f64::NAN,
        })
        .collect())
}
