//! `--precision H`: add paths until every target's 95% interval is narrow enough.
//!
//! Paths are added in whole blocks along a fixed schedule (one block, then doubling: 16,384,
//! 32,768, 65,536, ... paths, capped at `--max-paths`), and the stopping rule is checked only at
//! those steps. The schedule and the rule depend on nothing but the results so far, which depend
//! only on the scenario and the seed, so the stopping point is deterministic and independent of the
//! thread count; and since blocks fold in order, a run that stops at N paths holds exactly the
//! numbers of a plain run with `--paths N`. Checking at doubling steps rather than after every
//! block keeps the number of looks small (log2 of the paths), which limits the optimism of
//! stopping at the first look that happens to pass.

use crate::engine::{self, EngineError, Simulation};
use crate::model::{Sampling, Scenario};
use serde::{Deserialize, Serialize};

/// Default `--max-paths`: a cap that a run on a laptop reaches in well under a minute.
pub const DEFAULT_MAX_PATHS: u64 = 10_000_000;

/// The outcome of a precision run, as reported in `summary.json` and the terminal.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PrecisionInfo {
    /// Requested largest 95% interval half-width (H).
    pub requested_half_width: f64,
    /// The most paths allowed (`--max-paths`).
    pub max_paths: u64,
    /// Paths at which the run stopped (equal to `run.paths`).
    pub reached_paths: u64,
    /// Whether every target's half-width is at most H.
    pub met: bool,
    /// The largest half-width among the targets the simulation decides (null if none).
    pub worst_half_width: Option<f64>,
    /// The target with that half-width.
    pub worst_target: Option<String>,
    /// The path counts checked, in order.
    pub steps: Vec<u64>,
}

/// The path counts at which the rule is checked: whole blocks doubling from one block, ending
/// at `max_paths` (which need not be a whole number of blocks).
pub fn schedule(max_paths: u64) -> Vec<u64> {
    let mut steps = Vec::new();
    let mut n = engine::BLOCK_PATHS;
    while n < max_paths {
        steps.push(n);
        n = n.saturating_mul(2);
    }
    steps.push(max_paths);
    steps
}

/// The widest 95% Wilson half-width among targets the simulation decides (see
/// [`super::results::worst_half_width`], where every probability's interval is computed).
pub use super::results::worst_half_width;

/// Runs `scenario` (its `paths` is ignored) until every target's half-width is at most `h` or
/// `max_paths` is reached. Returns the simulation at the stopping point and the record.
pub fn run(
    scenario: &Scenario,
    h: f64,
    max_paths: u64,
    threads: Option<usize>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Simulation, PrecisionInfo), EngineError> {
    let target_fixed = &scenario.plan().target_fixed;
    let steps = schedule(max_paths);
    let mut checked = Vec::new();
    let mut verdict: Option<(bool, Option<(f64, usize)>)> = None;
    let simulation = if scenario.sampling() == Sampling::Lhs {
        // Latin hypercube strata depend on the total path count, so a smaller run is not a
        // prefix of a larger one: each step is a fresh run (at most twice the work in all).
        let mut last = None;
        for &n in &steps {
            let at_n = scenario
                .with_paths(n)
                .map_err(|e| EngineError::Settings(e.to_string()))?;
            let sim = engine::simulate(&at_n, threads, progress)?;
            checked.push(n);
            let worst = worst_half_width(&sim.accumulator, target_fixed);
            let met = worst.is_none_or(|(w, _)| w <= h);
            verdict = Some((met, worst));
            last = Some(sim);
            if met {
                break;
            }
        }
        last.expect("the schedule has at least one step")
    } else {
        // Random and Sobol points are indexed by the global path number: one run up to
        // max_paths, stopped at the first step that meets the rule.
        let capped = scenario
            .with_paths(max_paths)
            .map_err(|e| EngineError::Settings(e.to_string()))?;
        let mut next_step = 0usize;
        engine::simulate_blocks(
            &capped,
            threads,
            0..engine::blocks_for(max_paths),
            progress,
            &mut |_, _, total| {
                if next_step >= steps.len() || total.paths < steps[next_step] {
                    return true;
                }
                next_step += 1;
                checked.push(total.paths);
                let worst = worst_half_width(total, target_fixed);
                let met = worst.is_none_or(|(w, _)| w <= h);
                verdict = Some((met, worst));
                !met
            },
        )?
    };
    let (met, worst) = verdict.unwrap_or((false, None));
    let info = PrecisionInfo {
        requested_half_width: h,
        max_paths,
        reached_paths: simulation.accumulator.paths,
        met,
        worst_half_width: worst.map(|(w, _)| w),
        worst_target: worst.map(|(_, k)| scenario.targets()[k].id.clone()),
        steps: checked,
    };
    Ok((simulation, info))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::accumulator::Accumulator;
    use crate::stats::interval::wilson;

    #[test]
    fn schedule_doubles_whole_blocks_and_ends_at_the_cap() {
        let b = engine::BLOCK_PATHS;
        assert_eq!(schedule(b), vec![b]);
        assert_eq!(schedule(5 * b), vec![b, 2 * b, 4 * b, 5 * b]);
        assert_eq!(schedule(100), vec![100]);
        assert_eq!(schedule(4 * b), vec![b, 2 * b, 4 * b]);
    }

    #[test]
    fn targets_decided_by_observations_do_not_count() {
        let mut acc = Accumulator::new(0, 0, 3, 0, 0);
        acc.paths = 10_000;
        // Target 0 decided (met in every path), 1 at 50%, 2 at 10%.
        acc.target_met = vec![10_000, 5_000, 1_000];
        let (w, k) = worst_half_width(&acc, &[true, false, false]).unwrap();
        assert_eq!(k, 1);
        let p = wilson(5_000, 10_000);
        assert_eq!(w, 0.5 * (p.upper - p.lower));
        // Nothing decided by the simulation: no half-width at all.
        assert_eq!(worst_half_width(&acc, &[true, true, true]), None);
        // A simulated target stuck at 0 or 1 still has a (narrow) interval and counts.
        acc.target_met = vec![0, 10_000, 10_000];
        assert!(worst_half_width(&acc, &[false, true, true]).unwrap().0 > 0.0);
    }
}
