//! Partial runs: the blocks of one part of a sharded run, and the fold that combines the parts
//! into exactly the accumulator a single run would have produced.
//!
//! Bit-identical merging: the integer counts and quantile-sketch buckets of the accumulator add
//! up in any order, but mean and variance merge by floating-point updates (Chan et al.) whose
//! result depends on the grouping. A single run folds the blocks' moments left to right, block
//! by block, so a part keeps the moments of each of its blocks, and [`fold`] replays that same
//! left fold over all the blocks in order. Everything else is added part by part.
//!
//! Reading and writing the parts' files (`partial.json`) is the application's business
//! (`app::shard`); this module only computes and combines.

use super::accumulator::Accumulator;
use super::{blocks_for, simulate_blocks, EngineError};
use crate::model::Scenario;
use crate::stats::moments::Moments;
use serde::{Deserialize, Serialize};

/// The computed part of a sharded run: a contiguous range of blocks, folded.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PartialRun {
    /// First block computed.
    pub first_block: u64,
    /// One past the last block computed.
    pub end_block: u64,
    /// The part's blocks folded together (counts and sketches are used from it).
    pub accumulator: Accumulator,
    /// Per block, in order: the moments of every simulated cell, then of every target outcome.
    pub block_moments: Vec<Vec<Moments>>,
}

/// Why a set of parts cannot be folded: the parts do not fit the scenario (a damaged file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    /// A part's accumulator or block moments have another shape than the scenario's.
    #[error("part {part}: its results do not fit the scenario; the file is damaged")]
    Shape {
        /// Position of the part in the fold (0-based).
        part: usize,
    },
    /// The parts together hold another number of paths than the run.
    #[error("the parts hold {held} paths, the run has {expected}; the files are damaged")]
    Paths {
        /// Paths in the folded parts.
        held: u64,
        /// Paths of the run.
        expected: u64,
    },
}

/// The blocks of part `index` (1-based) of `count` among `total` blocks: a contiguous range,
/// the parts' sizes differing by at most one block.
pub fn block_range(index: u64, count: u64, total: u64) -> std::ops::Range<u64> {
    let split = |k: u64| ((k as u128 * total as u128) / count as u128) as u64;
    split(index - 1)..split(index)
}

/// The moments of every simulated cell, then of every target outcome, of one block.
fn block_moments(block: &Accumulator) -> Vec<Moments> {
    block
        .cells
        .iter()
        .chain(&block.target_outcomes)
        .map(|d| d.moments)
        .collect()
}

/// Simulates the blocks `blocks` of `scenario`'s run with `threads` workers (None: all cores),
/// keeping each block's moments for the fold.
pub fn simulate_part(
    scenario: &Scenario,
    threads: Option<usize>,
    blocks: std::ops::Range<u64>,
) -> Result<PartialRun, EngineError> {
    let mut moments = Vec::with_capacity((blocks.end - blocks.start) as usize);
    let sim = simulate_blocks(
        scenario,
        threads,
        blocks.clone(),
        &|_| {},
        &mut |_, block, _| {
            moments.push(block_moments(block));
            true
        },
    )?;
    Ok(PartialRun {
        first_block: blocks.start,
        end_block: blocks.end,
        accumulator: sim.accumulator,
        block_moments: moments,
    })
}

/// Number of blocks in `scenario`'s run: the most parts it can be split into.
pub fn total_blocks(scenario: &Scenario) -> u64 {
    blocks_for(scenario.paths())
}

/// Folds the parts (in block order, each checked for shape) into the accumulator a single run
/// of `paths` paths would have produced, starting from `empty` (shaped for the scenario).
pub fn fold(
    parts: &[&PartialRun],
    empty: Accumulator,
    paths: u64,
) -> Result<Accumulator, FoldError> {
    let mut total = empty;
    let n_dists = total.cells.len() + total.target_outcomes.len();
    for (k, part) in parts.iter().enumerate() {
        let a = &part.accumulator;
        let same_shape = a.cells.len() == total.cells.len()
            && a.target_outcomes.len() == total.target_outcomes.len()
            && a.fixed_cells.len() == total.fixed_cells.len()
            && a.target_met.len() == total.target_met.len()
            && a.group_met.len() == total.group_met.len()
            && a.pairs.len() == total.pairs.len()
            && part.block_moments.iter().all(|b| b.len() == n_dists);
        if !same_shape {
            return Err(FoldError::Shape { part: k });
        }
        total.merge(a);
    }
    // Replay the single run's left fold of block moments, block by block.
    let mut moments = vec![Moments::default(); n_dists];
    for block in parts.iter().flat_map(|p| &p.block_moments) {
        for (m, b) in moments.iter_mut().zip(block) {
            m.merge(b);
        }
    }
    let (cells, outcomes) = moments.split_at(total.cells.len());
    for (d, m) in total.cells.iter_mut().zip(cells) {
        d.moments = *m;
    }
    for (d, m) in total.target_outcomes.iter_mut().zip(outcomes) {
        d.moments = *m;
    }
    if total.paths != paths {
        return Err(FoldError::Paths {
            held: total.paths,
            expected: paths,
        });
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_ranges_cover_every_block_once() {
        for total in [1u64, 2, 7, 61, 1000] {
            for count in 1..=total.min(13) {
                let mut next = 0;
                for k in 1..=count {
                    let r = block_range(k, count, total);
                    assert_eq!(r.start, next, "total {total}, {k}/{count}");
                    assert!(r.end > r.start, "empty part {k}/{count} of {total}");
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn a_part_of_another_shape_is_refused() {
        let empty = Accumulator::new(2, 0, 1, 0, 0);
        let part = PartialRun {
            first_block: 0,
            end_block: 1,
            accumulator: Accumulator::new(3, 0, 1, 0, 0),
            block_moments: vec![],
        };
        assert_eq!(fold(&[&part], empty, 0), Err(FoldError::Shape { part: 0 }));
    }
}
