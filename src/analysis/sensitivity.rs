//! `plancast sensitivity`: which assumptions move each target, one at a time, on common random
//! numbers.
//!
//! Assumptions are each period's uncertain `trend` (of every growth, additive and count
//! indicator), each event probability and each correlation entry. Each is held at its 10th, 50th
//! and 90th percentile while everything else keeps its distribution; the other draws do not move
//! (streams are keyed by indicator and event, trend scores are drawn for every indicator whether
//! or not its trend is fixed, and event uniforms are drawn whether or not the event strikes), so
//! the change in a target's probability is the effect of the assumption alone.
//!
//! A trend's percentiles are those of its own distribution. An event probability and a
//! correlation are single numbers in the scenario; they are given the spread of an estimate
//! from [`EVIDENCE_YEARS`] years of yearly data: the probability on the logit scale with standard
//! error 1 / sqrt(N p (1 - p)), the correlation on Fisher's z scale with standard error
//! 1 / sqrt(N - 3). Their 50th percentile is the scenario's value itself.
//!
//! Variance share (first-order, one at a time): writing the assumption as X = F⁻¹(Φ(u)) with u
//! standard normal, let g(u) be the mean of the targeted quantity Y with X held at F⁻¹(Φ(u)). From
//! the runs at u = −z, 0, z (z = Φ⁻¹(0.9)) fit g(u) ≈ a + b u + c u², so that
//! Var_u(g(u)) = b² + 2c², with b = (g₊ − g₋)/(2z) and c = (g₊ + g₋ − 2g₀)/(2z²). The share is
//! that variance over Var(Y) in the scenario as written. It is exact when g is quadratic in u
//! (e.g. linear models with normal trends) and is the first-order Sobol index when the
//! assumption is independent of the others.
//!
//! Only assumptions that at least one selected target can depend on are simulated
//! ([`super::dependencies`]); for the others the three runs would repeat the scenario as written
//! bit for bit, so their rows take its numbers and say `depends = false`. [`Pruning::SimulateAll`]
//! runs them anyway (`--all-assumptions`), which the tests use to check that claim.

use super::assumptions::{assumptions, hold, Assumption, EVIDENCE_YEARS, Z90};
use super::dependencies::dependencies;
use super::{outcome_unit, target_stats_of, AnalysisError, RunRecord, TargetStat};
use crate::scenario::Loaded;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// The first-order share of Var(Y) from the target means at the 10th, 50th and 90th
/// percentiles (see the module documentation). None when Y does not vary.
pub fn variance_share(mean_low: f64, mean_mid: f64, mean_high: f64, variance: f64) -> Option<f64> {
    if variance.is_nan() || variance <= 0.0 {
        return None;
    }
    let b = (mean_high - mean_low) / (2.0 * Z90);
    let c = (mean_high + mean_low - 2.0 * mean_mid) / (2.0 * Z90 * Z90);
    Some((b * b + 2.0 * c * c) / variance)
}

/// Which assumptions `run` simulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pruning {
    /// Only those at least one selected target can depend on (the default).
    #[default]
    SkipIndependent,
    /// Every assumption (same numbers, more runs; for checking the dependency analysis).
    SimulateAll,
}

/// One assumption's effect on one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    /// Assumption name.
    pub assumption: String,
    /// The assumption's name for readers ([`Assumption::label`]).
    #[serde(default)]
    pub label: String,
    /// Its Chinese name ([`Assumption::label_zh`]).
    #[serde(default)]
    pub label_zh: String,
    /// Its dotted key.
    pub key: String,
    /// Its kind.
    pub kind: String,
    /// Value at the 10th percentile.
    pub low_value: f64,
    /// Value at the 50th percentile.
    pub mid_value: f64,
    /// Value at the 90th percentile.
    pub high_value: f64,
    /// Probability with the assumption at its 10th percentile.
    pub p_low: f64,
    /// Probability with the assumption at its 50th percentile (for an event probability or a
    /// correlation, the scenario's own value: `p_base`).
    pub p_mid: f64,
    /// Probability with the assumption at its 90th percentile.
    pub p_high: f64,
    /// |p_high − p_low|: the length of the tornado bar.
    pub swing: f64,
    /// Mean of the targeted quantity at the 10th, 50th and 90th percentiles.
    pub outcome_means: [f64; 3],
    /// Share of the targeted quantity's variance (None when it does not vary).
    pub variance_share: Option<f64>,
    /// Remarks (e.g. a repaired correlation matrix).
    pub note: Option<String>,
    /// False when the target cannot depend on the assumption ([`super::dependencies`]): holding
    /// it leaves every number the target reads the same, so the row is the scenario as written
    /// (p_low = p_mid = p_high = p_base, zero swing and share) whether or not it was simulated.
    pub depends: bool,
}

/// One target's sensitivities, largest swing first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetSensitivity {
    /// Target id.
    pub id: String,
    /// Label.
    pub label: Option<String>,
    /// Indicator id.
    pub indicator: String,
    /// Due year.
    pub due_year: i32,
    /// Unit of the targeted quantity.
    pub unit: String,
    /// Probability in the scenario as written.
    pub p_base: f64,
    /// Its 95% Wilson interval.
    #[serde(default)]
    pub p_base_ci: [f64; 2],
    /// Chinese label.
    #[serde(default)]
    pub label_zh: Option<String>,
    /// Variance of the targeted quantity in the scenario as written.
    pub outcome_variance: f64,
    /// True when observations already decide the target.
    pub decided: bool,
    /// Effects, largest variance share first (ties: largest swing).
    pub effects: Vec<Effect>,
}

impl TargetSensitivity {
    /// The same target with only the assumptions it can depend on (what the tornado chart and
    /// the printed table show).
    pub fn dependent_only(&self) -> TargetSensitivity {
        TargetSensitivity {
            effects: self.effects.iter().filter(|e| e.depends).cloned().collect(),
            ..self.clone()
        }
    }
}

/// The `sensitivity.json` record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityReport {
    /// Format tag: "plancast-sensitivity/1".
    pub format: String,
    /// What was run.
    pub run: RunRecord,
    /// Years of data behind the spread given to event probabilities and correlations.
    pub evidence_years: f64,
    /// How the variance share is computed.
    pub variance_share_method: String,
    /// Simulations run.
    pub simulations: usize,
    /// Assumptions not simulated because no selected target can depend on them.
    pub skipped_assumptions: usize,
    /// Wall-clock seconds.
    pub elapsed_seconds: f64,
    /// Every assumption held.
    pub assumptions: Vec<Assumption>,
    /// Per target.
    pub targets: Vec<TargetSensitivity>,
}

/// Runs the sensitivity analysis of `loaded` for the targets `chosen` (indices), simulating
/// the assumptions `pruning` selects, with `threads` workers (None: all cores).
pub fn run(
    loaded: &Loaded,
    chosen: &[usize],
    pruning: Pruning,
    threads: Option<usize>,
) -> Result<SensitivityReport, AnalysisError> {
    let started = Instant::now();
    let scenario = &loaded.scenario;
    let chosen = chosen.to_vec();
    let list = assumptions(scenario);
    let deps = dependencies(scenario, &list);
    let simulated: Vec<bool> = (0..list.len())
        .map(|a| pruning == Pruning::SimulateAll || deps.any_depends(&chosen, a))
        .collect();

    // Every job is one simulation on one thread; jobs run in parallel. Job 0 is the scenario
    // as written.
    let mut jobs: Vec<Option<(usize, f64)>> = vec![None];
    for (a, assumption) in list.iter().enumerate() {
        if !simulated[a] {
            continue;
        }
        jobs.push(Some((a, assumption.low_value)));
        if !assumption.mid_is_base {
            jobs.push(Some((a, assumption.mid_value)));
        }
        jobs.push(Some((a, assumption.high_value)));
    }
    let pool = crate::engine::thread_pool(threads)?;
    type JobResult = Result<(Vec<TargetStat>, Option<String>), AnalysisError>;
    let results: Vec<JobResult> = pool.install(|| {
        jobs.par_iter()
            .map(|job| {
                let (held, note) = match job {
                    None => (scenario.clone(), None),
                    Some((a, value)) => hold(scenario, list[*a].lever, *value)?,
                };
                let stats = target_stats_of(&held, Some(1))?;
                Ok((stats, note))
            })
            .collect()
    });
    let mut results = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    let simulations = results.len();
    let (base, _) = results.remove(0);

    // Regroup: per assumption, (low, mid, high) stats.
    let mut per_assumption = Vec::with_capacity(list.len());
    let mut next = results.into_iter();
    for (assumption, &was_simulated) in list.iter().zip(&simulated) {
        if !was_simulated {
            // Holding it would leave every selected target's numbers as they are; its note (a
            // repaired matrix) is about the assumption, so it is kept as the full run has it.
            let note = join_notes(
                hold(scenario, assumption.lever, assumption.low_value)?.1,
                hold(scenario, assumption.lever, assumption.high_value)?.1,
            );
            per_assumption.push((base.clone(), base.clone(), base.clone(), note));
            continue;
        }
        let (low, note_low) = next.next().ok_or_else(missing)?;
        let mid = if assumption.mid_is_base {
            base.clone()
        } else {
            next.next().ok_or_else(missing)?.0
        };
        let (high, note_high) = next.next().ok_or_else(missing)?;
        per_assumption.push((low, mid, high, join_notes(note_low, note_high)));
    }

    let targets = chosen
        .iter()
        .map(|&k| {
            let t = &scenario.targets()[k];
            let mut effects: Vec<Effect> = list
                .iter()
                .zip(&per_assumption)
                .zip(&deps.depends[k])
                .map(|((a, (low, mid, high, note)), &depends)| {
                    let means = [low[k].mean, mid[k].mean, high[k].mean];
                    let share = if base[k].decided {
                        None
                    } else {
                        variance_share(means[0], means[1], means[2], base[k].variance)
                    };
                    Effect {
                        assumption: a.name.clone(),
                        label: a.label.clone(),
                        label_zh: a.label_zh.clone(),
                        key: a.key.clone(),
                        kind: a.kind.clone(),
                        low_value: a.low_value,
                        mid_value: a.mid_value,
                        high_value: a.high_value,
                        p_low: low[k].probability.estimate,
                        p_mid: mid[k].probability.estimate,
                        p_high: high[k].probability.estimate,
                        swing: (high[k].probability.estimate - low[k].probability.estimate).abs(),
                        outcome_means: means,
                        variance_share: share,
                        note: note.clone(),
                        depends,
                    }
                })
                .collect();
            effects.sort_by(|x, y| {
                let share = |e: &Effect| e.variance_share.unwrap_or(0.0);
                share(y)
                    .total_cmp(&share(x))
                    .then(y.swing.total_cmp(&x.swing))
            });
            TargetSensitivity {
                id: t.id.clone(),
                label: t.label.clone(),
                indicator: scenario.indicators()[t.indicator].id.clone(),
                due_year: t.due_year(),
                unit: outcome_unit(scenario, k),
                p_base: base[k].probability.estimate,
                p_base_ci: [base[k].probability.lower, base[k].probability.upper],
                label_zh: t.label_zh.clone(),
                outcome_variance: base[k].variance,
                decided: base[k].decided,
                effects,
            }
        })
        .collect();

    Ok(SensitivityReport {
        format: "plancast-sensitivity/1".to_string(),
        run: RunRecord::of(loaded),
        evidence_years: EVIDENCE_YEARS,
        variance_share_method: "first-order, one at a time: (b^2 + 2c^2) / Var(Y), from the target means at the 10th, 50th and 90th percentiles fitted as a + b u + c u^2 in the normal score u (docs/analysis.md)".to_string(),
        simulations,
        skipped_assumptions: simulated.iter().filter(|&&s| !s).count(),
        elapsed_seconds: started.elapsed().as_secs_f64(),
        assumptions: list,
        targets,
    })
}

/// The notes of the runs at the 10th and 90th percentile, as one.
fn join_notes(low: Option<String>, high: Option<String>) -> Option<String> {
    match (low, high) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    }
}

fn missing() -> AnalysisError {
    AnalysisError::Runtime("internal error: a sensitivity run is missing".to_string())
}

/// The normal score u of the percentile at which the assumptions are held (10th, 50th, 90th).
pub fn scores() -> [f64; 3] {
    [-Z90, 0.0, Z90]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z90_is_the_90th_percentile() {
        assert!((crate::numeric::normal::norm_cdf(Z90) - 0.9).abs() < 1e-12);
    }

    #[test]
    fn variance_share_is_exact_for_quadratic_curves() {
        // g(u) = 1 + 2u + 0.5u^2 with u ~ N(0,1): Var = 2^2 + 2 * 0.5^2 = 4.5.
        let g = |u: f64| 1.0 + 2.0 * u + 0.5 * u * u;
        let [lo, mid, hi] = scores().map(g);
        let share = variance_share(lo, mid, hi, 9.0).unwrap();
        assert!((share - 0.5).abs() < 1e-12, "{share}");
        assert_eq!(variance_share(1.0, 1.0, 1.0, 0.0), None);
    }
}
