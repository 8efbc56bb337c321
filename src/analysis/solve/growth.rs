//! The required-growth table: the constant yearly shift of an indicator's growth that gives
//! each target a 50% and an 80% chance, and the scenario's own median growth it moves.

use super::{GrowthRow, Required};
use crate::analysis::root::{self, Outcome, Problem};
use crate::analysis::{simulate_targets, target_stats_of, AnalysisError};
use crate::model::{Comparison, ModelKind, Scenario, Target, TargetKind};

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
pub(super) fn required_growth(
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
        // A ratio is moved through the input the plan controls: its numerator
        // ([`controlled_input`]).
        let varied = controlled_input(scenario, t.indicator);
        let ind = &scenario.indicators()[varied.unwrap_or(t.indicator)];
        let varied = varied.unwrap_or(t.indicator);
        let start_year = base_sim.start_year(varied);
        let start_value = base_sim.median_value(varied, start_year);
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
                indicator: varied,
                model: ind.kind,
                start_year,
                start_value: start_value.unwrap_or(f64::NAN),
                due_year: t.due_year(),
            });
        }
        rows.push(GrowthRow {
            target: t.id.clone(),
            label: t.label.clone(),
            label_zh: t.label_zh.clone(),
            indicator: scenario.indicators()[t.indicator].id.clone(),
            varied: ind.id.clone(),
            model: ind.kind,
            due_year: t.due_year(),
            start_year,
            start_value,
            unit,
            probability: Some(base_stats[k].probability.estimate),
            probability_ci: Some([
                base_stats[k].probability.lower,
                base_stats[k].probability.upper,
            ]),
            scenario_median: None,
            required: Vec::new(),
            note,
        });
    }

    // The scenario's own median growth over each window: the threshold at which an extra
    // "growth over the window" target is met in half of the paths (exact counts, no sketch).
    let medians = window_medians(scenario, &base_sim, &windows, threads, simulations)?;

    // Rounds: no two windows of one round share an indicator.
    // A window's shift must not move another window's target in the same round: a ratio's
    // target reads its denominator too.
    let reads: Vec<Vec<usize>> = windows
        .iter()
        .map(|w| inputs_of(scenario, scenario.targets()[w.target].indicator))
        .collect();
    let mut rounds: Vec<Vec<usize>> = Vec::new();
    for (w, window) in windows.iter().enumerate() {
        match rounds.iter_mut().find(|r| {
            r.iter().all(|&o| {
                windows[o].indicator != window.indicator
                    && !reads[w].contains(&windows[o].indicator)
                    && !reads[o].contains(&window.indicator)
            })
        }) {
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
                let stats = target_stats_of(&s, threads)?;
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
                            met_without_growth: value <= 0.0,
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

/// The indicator whose growth `solve` shifts for a target on `indicator`: the indicator
/// itself when it is simulated; for a derived indicator (a ratio such as
/// `rd_spend / gdp * 100`), the first indicator its formula reads in the same year, when that one
/// is simulated (the numerator: the input the plan controls, the denominator left as the
/// scenario has it; docs/analysis.md). None when the indicator is simulated itself, or when
/// its formula's first input is derived too or read with a lag.
pub fn controlled_input(scenario: &Scenario, indicator: usize) -> Option<usize> {
    let ind = &scenario.indicators()[indicator];
    let formula = ind.formula.as_ref()?;
    let &(first, lag) = formula.slots.first()?;
    (lag == 0 && scenario.indicators()[first].kind.is_stochastic()).then_some(first)
}

/// Every indicator the values of `indicator` depend on, itself included (through the formulas
/// of derived indicators, at any depth).
fn inputs_of(scenario: &Scenario, indicator: usize) -> Vec<usize> {
    let mut seen = vec![indicator];
    let mut next = 0;
    while next < seen.len() {
        if let Some(formula) = &scenario.indicators()[seen[next]].formula {
            for &(input, _) in &formula.slots {
                if !seen.contains(&input) {
                    seen.push(input);
                }
            }
        }
        next += 1;
    }
    seen
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
        let stats = target_stats_of(&s, threads)?;
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
