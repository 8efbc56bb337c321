//! Mergeable accumulators: what a block of paths leaves behind. Blocks merge in index order, so
//! a run's numbers do not depend on how many threads computed the blocks.

use crate::stats::moments::Moments;
use crate::stats::scan::ChunkScan;
use crate::stats::sketch::Sketch;
use serde::{Deserialize, Serialize};

/// Distribution of one quantity across paths.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Mean and variance.
    pub moments: Moments,
    /// Quantiles.
    pub sketch: Sketch,
}

impl Distribution {
    /// Adds a chunk of values.
    pub fn add_chunk(&mut self, values: &[f64]) {
        let scan = ChunkScan::of(values);
        self.moments.merge(&Moments::with_sum(values, scan.sum));
        self.sketch.extend_scanned(values, &scan);
    }

    /// Adds a chunk of values to the moments only (the quantile sketch stays as it is): the
    /// moments [`Distribution::add_chunk`] gives, bit for bit.
    pub fn add_moments(&mut self, values: &[f64]) {
        // The sum alone: the scan's minimum and maximum are for the sketch.
        self.moments.merge(&Moments::of(values));
    }

    /// Empty again, keeping the sketch's memory.
    pub fn clear(&mut self) {
        self.moments = Moments::default();
        self.sketch.clear();
    }

    /// Becomes equal to `other`, reusing this one's memory.
    pub fn copy_from(&mut self, other: &Distribution) {
        self.moments = other.moments;
        self.sketch.copy_from(&other.sketch);
    }

    /// Merges another distribution (after this one, in path order).
    pub fn merge(&mut self, other: &Distribution) {
        self.moments.merge(&other.moments);
        self.sketch.merge(&other.sketch);
    }
}

/// Counts behind a conditional milestone probability.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairCounts {
    /// Paths where the earlier target was met.
    pub earlier_met: u64,
    /// ... and the later one too.
    pub both_met: u64,
    /// Paths where the earlier target was missed but the later one met.
    pub later_met_after_miss: u64,
}

/// The first non-finite value met, by path order: (global path index, indicator or target,
/// year, is_target).
pub type NonFinite = (u64, usize, i32, bool);

/// Everything a set of paths contributes to the results.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Accumulator {
    /// Number of paths.
    pub paths: u64,
    /// One per simulated (indicator, year) cell, in [`super::Layout`] order.
    pub cells: Vec<Distribution>,
    /// Values of cells that are the same in every path (fixed history), by cell.
    pub fixed_cells: Vec<Option<f64>>,
    /// Paths meeting each target.
    pub target_met: Vec<u64>,
    /// Outcome distribution of each target.
    pub target_outcomes: Vec<Distribution>,
    /// Paths meeting every member of each group (due-year groups first, then named groups).
    pub group_met: Vec<u64>,
    /// Counts for each milestone pair.
    pub pairs: Vec<PairCounts>,
    /// First non-finite value met, if any.
    pub non_finite: Option<NonFinite>,
}

impl Accumulator {
    /// An empty accumulator with room for the given numbers of items.
    pub fn new(
        cells: usize,
        fixed_cells: usize,
        targets: usize,
        groups: usize,
        pairs: usize,
    ) -> Self {
        Accumulator {
            paths: 0,
            cells: vec![Distribution::default(); cells],
            fixed_cells: vec![None; fixed_cells],
            target_met: vec![0; targets],
            target_outcomes: vec![Distribution::default(); targets],
            group_met: vec![0; groups],
            pairs: vec![PairCounts::default(); pairs],
            non_finite: None,
        }
    }

    /// Empty again, with room for the same items: equal to the [`Accumulator::new`] it was
    /// made by, but keeping the memory its sketches took (an accumulator reused block after
    /// block grows its sketches once, not in every block).
    pub fn reset(&mut self) {
        self.paths = 0;
        self.cells.iter_mut().for_each(Distribution::clear);
        self.fixed_cells.fill(None);
        self.target_met.fill(0);
        self.target_outcomes
            .iter_mut()
            .for_each(Distribution::clear);
        self.group_met.fill(0);
        self.pairs.fill(PairCounts::default());
        self.non_finite = None;
    }

    /// Merges `other`, which must hold paths that come after this one's.
    pub fn merge(&mut self, other: &Accumulator) {
        self.paths += other.paths;
        for (a, b) in self.cells.iter_mut().zip(&other.cells) {
            a.merge(b);
        }
        for (a, b) in self.fixed_cells.iter_mut().zip(&other.fixed_cells) {
            if a.is_none() {
                *a = *b;
            }
        }
        for (a, b) in self.target_met.iter_mut().zip(&other.target_met) {
            *a += b;
        }
        for (a, b) in self.target_outcomes.iter_mut().zip(&other.target_outcomes) {
            a.merge(b);
        }
        for (a, b) in self.group_met.iter_mut().zip(&other.group_met) {
            *a += b;
        }
        for (a, b) in self.pairs.iter_mut().zip(&other.pairs) {
            a.earlier_met += b.earlier_met;
            a.both_met += b.both_met;
            a.later_met_after_miss += b.later_met_after_miss;
        }
        if self.non_finite.is_none() {
            self.non_finite = other.non_finite;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_accumulator_is_a_new_one() {
        let new = Accumulator::new(3, 2, 2, 1, 1);
        let mut used = new.clone();
        used.paths = 7;
        used.cells[1].add_chunk(&[1.0, 2.5, -3.0, 0.0]);
        used.fixed_cells[0] = Some(4.0);
        used.target_met[1] = 5;
        used.target_outcomes[0].add_chunk(&[9.0, 11.0]);
        used.group_met[0] = 2;
        used.pairs[0].both_met = 1;
        used.non_finite = Some((3, 1, 2030, true));
        assert_ne!(used, new);
        used.reset();
        assert_eq!(used, new);
        // And it fills as a new one does.
        let mut fresh = new.clone();
        for acc in [&mut used, &mut fresh] {
            acc.cells[2].add_chunk(&[0.5, 700.0, 3.0]);
        }
        assert_eq!(used, fresh);
    }
}
