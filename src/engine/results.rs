//! Reading a finished [`Simulation`]: the one reader of its accumulator, cell layout and
//! plan. Everything outside the engine (the summary, the analyses) asks these methods
//! for a target's probability, a group's joint probability, a milestone's conditional counts or
//! a cell's distribution, and never indexes the accumulator itself. Every probability is a
//! [`Proportion`] with its 95% Wilson interval, computed here by [`proportion`] and nowhere
//! else.

use super::accumulator::{Accumulator, Distribution, PairCounts};
use super::{CellSlot, Simulation};
use crate::stats::interval::{wilson, Proportion};
use crate::stats::moments::Moments;
use std::ops::RangeInclusive;

/// The share `k / n` with its Monte Carlo standard error and 95% Wilson interval: the single
/// place where a run's counts become probabilities.
pub fn proportion(k: u64, n: u64) -> Proportion {
    wilson(k, n)
}

/// One target's result in a finished run.
#[derive(Debug, Clone, Copy)]
pub struct TargetOutcome<'a> {
    /// Target index (scenario order).
    pub target: usize,
    /// Paths meeting the target.
    pub met: u64,
    /// Paths in the run.
    pub paths: u64,
    /// `met / paths` with its 95% Wilson interval (also for a target decided by observations).
    pub probability: Proportion,
    /// True when observations already decide the target (no Monte Carlo uncertainty).
    pub decided: bool,
    /// Distribution of the targeted quantity across paths (moments and quantile sketch).
    pub outcome: &'a Distribution,
}

impl TargetOutcome<'_> {
    /// The probability as reported: [`TargetOutcome::probability`], except that a target decided
    /// by observations has no Monte Carlo uncertainty at all (standard error 0, interval
    /// collapsed onto the estimate).
    pub fn reported_probability(&self) -> Proportion {
        let p = self.probability;
        if self.decided {
            Proportion {
                estimate: p.estimate,
                std_error: 0.0,
                lower: p.estimate,
                upper: p.estimate,
            }
        } else {
            p
        }
    }

    /// True when every path meets the target.
    pub fn met_in_every_path(&self) -> bool {
        self.met == self.paths
    }

    /// Mean and variance of the targeted quantity.
    pub fn moments(&self) -> Moments {
        self.outcome.moments
    }

    /// The `p` quantile of the targeted quantity (from the sketch).
    pub fn quantile(&self, p: f64) -> f64 {
        self.outcome.sketch.quantile(p)
    }
}

/// One group's joint result: due-year groups first (by year), then the named groups in
/// scenario order.
#[derive(Debug, Clone, Copy)]
pub struct GroupOutcome<'a> {
    /// The due year of an automatic group; None for a named group.
    pub due_year: Option<i32>,
    /// Member targets (indices).
    pub members: &'a [usize],
    /// Paths meeting every member.
    pub met: u64,
    /// `met / paths` with its 95% Wilson interval.
    pub probability: Proportion,
}

/// A later milestone given an earlier one on the same indicator.
#[derive(Debug, Clone, Copy)]
pub struct MilestoneOutcome {
    /// The earlier target (index).
    pub earlier: usize,
    /// The later target (index).
    pub later: usize,
    /// The raw counts.
    pub counts: PairCounts,
    /// Paths in which the earlier target was met.
    pub earlier_met: u64,
    /// Paths in which the earlier target was missed.
    pub earlier_missed: u64,
    /// P(later met | earlier met); None when the earlier one is never met.
    pub given_met: Option<Proportion>,
    /// P(later met | earlier missed); None when the earlier one is always met.
    pub given_missed: Option<Proportion>,
}

/// What a run left in one (indicator, year) cell.
#[derive(Debug, Clone, Copy)]
pub enum CellValue<'a> {
    /// The same value in every path (base, observation or fill; None if no path ran).
    Fixed(Option<f64>),
    /// The value varies across paths: its distribution.
    Simulated(&'a Distribution),
}

impl CellValue<'_> {
    /// The median: the fixed value, or the sketch's median of a simulated cell.
    pub fn median(&self) -> Option<f64> {
        match *self {
            CellValue::Fixed(v) => v,
            CellValue::Simulated(d) => Some(d.sketch.quantile(0.5)),
        }
    }
}

impl Simulation {
    /// Paths in the run.
    pub fn paths(&self) -> u64 {
        self.accumulator.paths
    }

    /// The merged accumulator, for folding shards and for tests of the merge; read results
    /// through the other methods.
    pub fn accumulator(&self) -> &Accumulator {
        &self.accumulator
    }

    /// The merged accumulator, by value (e.g. to store a shard).
    pub fn into_accumulator(self) -> Accumulator {
        self.accumulator
    }

    /// First year on the axis (earliest indicator base year).
    pub fn first_year(&self) -> i32 {
        self.plan.first_year
    }

    /// Last year on the axis (the horizon).
    pub fn last_year(&self) -> i32 {
        self.plan.last_year
    }

    /// The year axis, first to last year.
    pub fn years(&self) -> RangeInclusive<i32> {
        self.plan.first_year..=self.plan.last_year
    }

    /// The effective as_of year (the horizon when none is set).
    pub fn as_of(&self) -> i32 {
        self.plan.as_of
    }

    /// The last year of `indicator` fixed by its base and usable observations (its simulation
    /// starts the year after).
    pub fn start_year(&self, indicator: usize) -> i32 {
        self.plan.indicators[indicator].start_year
    }

    /// Number of targets.
    pub fn target_count(&self) -> usize {
        self.accumulator.target_met.len()
    }

    /// Target `k`'s result.
    pub fn target(&self, k: usize) -> TargetOutcome<'_> {
        let acc = &self.accumulator;
        let met = acc.target_met[k];
        TargetOutcome {
            target: k,
            met,
            paths: acc.paths,
            probability: proportion(met, acc.paths),
            decided: self.plan.target_fixed[k],
            outcome: &acc.target_outcomes[k],
        }
    }

    /// Every target's result, in scenario order.
    pub fn targets(&self) -> impl Iterator<Item = TargetOutcome<'_>> + '_ {
        (0..self.target_count()).map(|k| self.target(k))
    }

    /// Every group's joint result: the due-year groups (by year), then the named groups.
    pub fn groups(&self) -> impl Iterator<Item = GroupOutcome<'_>> + '_ {
        let n = self.accumulator.paths;
        let due_years = self
            .plan
            .due_groups
            .iter()
            .map(|(year, _)| Some(*year))
            .chain(std::iter::repeat(None));
        self.group_members
            .iter()
            .zip(due_years)
            .zip(&self.accumulator.group_met)
            .map(move |((members, due_year), &met)| GroupOutcome {
                due_year,
                members,
                met,
                probability: proportion(met, n),
            })
    }

    /// Every milestone pair (earlier and later target on the same indicator) with its
    /// conditional probabilities.
    pub fn milestones(&self) -> impl Iterator<Item = MilestoneOutcome> + '_ {
        let n = self.accumulator.paths;
        self.plan
            .milestone_pairs
            .iter()
            .zip(&self.accumulator.pairs)
            .map(move |(&(earlier, later), &c)| {
                let missed = n - c.earlier_met;
                MilestoneOutcome {
                    earlier,
                    later,
                    counts: c,
                    earlier_met: c.earlier_met,
                    earlier_missed: missed,
                    given_met: (c.earlier_met > 0).then(|| proportion(c.both_met, c.earlier_met)),
                    given_missed: (missed > 0).then(|| proportion(c.later_met_after_miss, missed)),
                }
            })
    }

    /// What the run left in the cell of `indicator` in `year`; None outside the year axis or
    /// before the indicator has a value.
    pub fn cell(&self, indicator: usize, year: i32) -> Option<CellValue<'_>> {
        if year < self.plan.first_year || year > self.plan.last_year {
            return None;
        }
        let slot = *self.layout.slots[indicator].get(self.plan.year_index(year))?;
        self.cell_value(slot)
    }

    /// Every year of `indicator` that has a value, in order, with what the run left there.
    pub fn cells(&self, indicator: usize) -> impl Iterator<Item = (i32, CellValue<'_>)> + '_ {
        let first = self.plan.first_year;
        self.layout.slots[indicator]
            .iter()
            .enumerate()
            .filter_map(move |(t, &slot)| Some((first + t as i32, self.cell_value(slot)?)))
    }

    /// The median of `indicator` in `year` (fixed history included); None where it has no value.
    pub fn median_value(&self, indicator: usize, year: i32) -> Option<f64> {
        self.cell(indicator, year)?.median()
    }

    /// The widest 95% Wilson half-width among the targets the simulation decides, and its
    /// target; see [`worst_half_width`].
    pub fn worst_half_width(&self) -> Option<(f64, usize)> {
        worst_half_width(&self.accumulator, &self.plan.target_fixed)
    }

    fn cell_value(&self, slot: CellSlot) -> Option<CellValue<'_>> {
        let acc = &self.accumulator;
        match slot {
            CellSlot::Empty => None,
            CellSlot::Fixed(c) => Some(CellValue::Fixed(acc.fixed_cells[c])),
            CellSlot::Simulated(c) => Some(CellValue::Simulated(&acc.cells[c])),
        }
    }
}

/// The widest 95% Wilson half-width among targets the simulation decides, and its target index,
/// from the accumulator of a run so far (`--precision` checks it between blocks). Targets fixed
/// by observations (`target_fixed`) have no Monte Carlo error and do not count; None when no
/// target counts.
pub fn worst_half_width(accumulator: &Accumulator, target_fixed: &[bool]) -> Option<(f64, usize)> {
    let n = accumulator.paths;
    let mut worst: Option<(f64, usize)> = None;
    for (k, &met) in accumulator.target_met.iter().enumerate() {
        if target_fixed.get(k).copied().unwrap_or(false) {
            continue;
        }
        let p = proportion(met, n);
        let half = 0.5 * (p.upper - p.lower);
        if worst.is_none_or(|(w, _)| half > w) {
            worst = Some((half, k));
        }
    }
    worst
}
