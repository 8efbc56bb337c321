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
    /// A number in a part cannot come from a run: a count beyond the paths, a damaged quantile
    /// sketch, a non-finite mean.
    #[error("part {part}: `{field}` is damaged ({problem})")]
    Damaged {
        /// Position of the part in the fold (0-based).
        part: usize,
        /// Where in the part, e.g. `accumulator.target_met[3]`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The parts' quantile sketches would need more memory to merge than any run of the
    /// scenario could (buckets spread over the whole range of numbers).
    #[error(
        "the parts' quantile sketches would need {bytes} bytes to merge; the files are damaged"
    )]
    TooLarge {
        /// Bytes the merged sketches would take.
        bytes: u64,
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

/// Whether `part` has the shape of `empty` (an accumulator shaped for the scenario).
fn same_shape(part: &PartialRun, empty: &Accumulator) -> bool {
    let a = &part.accumulator;
    let n_dists = empty.cells.len() + empty.target_outcomes.len();
    a.cells.len() == empty.cells.len()
        && a.target_outcomes.len() == empty.target_outcomes.len()
        && a.fixed_cells.len() == empty.fixed_cells.len()
        && a.target_met.len() == empty.target_met.len()
        && a.group_met.len() == empty.group_met.len()
        && a.pairs.len() == empty.pairs.len()
        && part.block_moments.iter().all(|b| b.len() == n_dists)
}

/// The most memory the merged quantile sketches of a fold may take: far above any run (a cell's
/// sketch spans a few dozen buckets), far below what damaged bucket indices could ask for.
pub const MAX_MERGED_SKETCH_BYTES: u64 = 256 << 20;

/// Paths in blocks `blocks` of a run of `paths` paths (the last block may be short).
pub fn paths_in_blocks(blocks: std::ops::Range<u64>, paths: u64) -> u64 {
    let start = blocks.start.saturating_mul(super::BLOCK_PATHS).min(paths);
    let end = blocks.end.saturating_mul(super::BLOCK_PATHS).min(paths);
    end - start
}

/// Checks every number of part `index` (0-based position in the fold) of a run of `scenario`
/// with `paths` paths, as read back from a file: path counts those of its blocks, every count of
/// met paths within them, milestone counts consistent, sketches sound and holding every path,
/// means and spreads finite, a recorded non-finite value pointing at a path, indicator or target
/// of the run; and first, the shape of the scenario's accumulator.
pub fn check_part(
    part: &PartialRun,
    index: usize,
    scenario: &Scenario,
    paths: u64,
) -> Result<(), FoldError> {
    if !same_shape(part, &super::empty_accumulator(scenario)) {
        return Err(FoldError::Shape { part: index });
    }
    let damaged = |field: String, problem: String| FoldError::Damaged {
        part: index,
        field,
        problem,
    };
    let total_blocks = super::blocks_for(paths);
    if part.first_block > part.end_block || part.end_block > total_blocks {
        return Err(damaged(
            "first_block..end_block".into(),
            format!("not a range of the run's {total_blocks} blocks"),
        ));
    }
    let a = &part.accumulator;
    let n = paths_in_blocks(part.first_block..part.end_block, paths);
    if a.paths != n {
        return Err(damaged(
            "accumulator.paths".into(),
            format!("{} paths, but its blocks hold {n}", a.paths),
        ));
    }
    let within = |field: &str, values: &[u64]| match values.iter().position(|&m| m > n) {
        Some(k) => Err(damaged(
            format!("accumulator.{field}[{k}]"),
            format!("{} paths, more than the part's {n}", values[k]),
        )),
        None => Ok(()),
    };
    within("target_met", &a.target_met)?;
    within("group_met", &a.group_met)?;
    for (k, p) in a.pairs.iter().enumerate() {
        if p.earlier_met > n
            || p.both_met > p.earlier_met
            || p.later_met_after_miss > n - p.earlier_met
        {
            return Err(damaged(
                format!("accumulator.pairs[{k}]"),
                "milestone counts that no set of paths gives".into(),
            ));
        }
    }
    if let Some(k) = a
        .fixed_cells
        .iter()
        .position(|v| v.is_some_and(|v| !v.is_finite()))
    {
        return Err(damaged(
            format!("accumulator.fixed_cells[{k}]"),
            "not a finite number".into(),
        ));
    }
    let has_non_finite = a.non_finite.is_some();
    if let Some((path, item, _, is_target)) = a.non_finite {
        let items = if is_target {
            scenario.targets().len()
        } else {
            scenario.indicators().len()
        };
        if path >= paths || item >= items {
            return Err(damaged(
                "accumulator.non_finite".into(),
                "names a path, indicator or target the run does not have".into(),
            ));
        }
    }
    let distributions = a
        .cells
        .iter()
        .enumerate()
        .map(|(k, d)| (format!("accumulator.cells[{k}]"), d))
        .chain(
            a.target_outcomes
                .iter()
                .enumerate()
                .map(|(k, d)| (format!("accumulator.target_outcomes[{k}]"), d)),
        );
    for (field, d) in distributions {
        d.sketch
            .check()
            .map_err(|problem| damaged(format!("{field}.sketch"), problem.to_string()))?;
        if d.sketch.count() != n {
            return Err(damaged(
                format!("{field}.sketch.count"),
                format!("{} values, but the part has {n} paths", d.sketch.count()),
            ));
        }
        check_moments(&d.moments, n, has_non_finite)
            .map_err(|problem| damaged(format!("{field}.moments"), problem))?;
    }
    for (b, block) in part.block_moments.iter().enumerate() {
        let block_paths = paths_in_blocks(
            part.first_block + b as u64..part.first_block + b as u64 + 1,
            paths,
        );
        for (k, m) in block.iter().enumerate() {
            check_moments(m, block_paths, has_non_finite)
                .map_err(|problem| damaged(format!("block_moments[{b}][{k}]"), problem))?;
        }
    }
    Ok(())
}

/// Moments of `n` values: that count, and (unless the run met a non-finite value, which it
/// reports) a finite mean and a finite, non-negative sum of squares.
fn check_moments(m: &Moments, n: u64, non_finite_allowed: bool) -> Result<(), String> {
    if m.count != n {
        return Err(format!("{} values, but {n} paths", m.count));
    }
    let sound = m.mean.is_finite() && m.m2.is_finite() && m.m2 >= 0.0;
    if !sound && !non_finite_allowed {
        return Err("the mean or spread is not a finite number".into());
    }
    Ok(())
}

/// Bytes the merged quantile sketches of `parts` take: for each distribution, the union of the
/// bucket ranges its sketch has in the parts.
fn merged_sketch_bytes(parts: &[&PartialRun]) -> u64 {
    let Some(first) = parts.first() else { return 0 };
    let n = first.accumulator.cells.len() + first.accumulator.target_outcomes.len();
    let mut bytes = 0u64;
    for d in 0..n {
        for sign in 0..2 {
            let union = parts
                .iter()
                .filter_map(|p| {
                    let a = &p.accumulator;
                    let dist = a
                        .cells
                        .get(d)
                        .or_else(|| a.target_outcomes.get(d - a.cells.len()))?;
                    dist.sketch.bucket_spans()[sign]
                })
                .reduce(|(lo, hi), (l, h)| (lo.min(l), hi.max(h)));
            if let Some((lo, hi)) = union {
                bytes = bytes.saturating_add((hi - lo + 1) as u64 * 8);
            }
        }
    }
    bytes
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
        if !same_shape(part, &total) {
            return Err(FoldError::Shape { part: k });
        }
    }
    let bytes = merged_sketch_bytes(parts);
    if bytes > MAX_MERGED_SKETCH_BYTES {
        return Err(FoldError::TooLarge { bytes });
    }
    for part in parts {
        total.merge(&part.accumulator);
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
