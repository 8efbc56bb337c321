//! Sharded runs: `plancast run --shard K/N` computes the K-th of N parts of the blocks of a run
//! and writes a partial result; `plancast merge` checks that a set of parts belongs together and
//! covers every block once, and combines them into exactly the result of one run.
//!
//! Bit-identical merging: the integer counts and quantile-sketch buckets of the accumulator add
//! up in any order, but mean and variance merge by floating-point updates (Chan et al.) whose
//! result depends on the grouping. A single run folds the blocks' moments left to right, block
//! by block, so a partial result keeps the moments of each of its blocks, and the merge replays
//! that same left fold over all the blocks in order. Everything else is added shard by shard.

use crate::app::{self, argument_error, Error};
use crate::app_charts::{draw_charts_and_report, fallback_warning};
use crate::cli::{MergeArgs, RunArgs};
use crate::engine::{self, accumulator::Accumulator};
use crate::model::Sampling;
use crate::report::labels::Labels;
use crate::report::{self, output::FileSet, output::OutputDir};
use crate::scenario::{self, Diagnostics, FileRecord, RunSettings};
use crate::stats::moments::Moments;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Version tag of the partial-result format.
pub const PARTIAL_FORMAT: &str = "plancast-partial/1";

/// File name of a partial result inside a shard's output folder.
pub const PARTIAL_FILE: &str = "partial.json";

/// What must be the same in every part of one run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunIdentity {
    /// Engine version that computed the part.
    pub engine_version: String,
    /// Scenario name.
    pub scenario_name: String,
    /// SHA-256 of the scenario file.
    pub scenario_sha256: String,
    /// The scenario file and the files it extends.
    pub files: Vec<FileRecord>,
    /// The resolved scenario (extends merged, overrides applied) as TOML: merge rebuilds the
    /// scenario from it, so the files need not be present where the merge runs.
    pub document: String,
    /// `--set` overrides as typed.
    pub overrides: Vec<String>,
    /// Seed.
    pub seed: u64,
    /// Paths of the whole run.
    pub paths: u64,
    /// Trend-score sampling.
    pub sampling: Sampling,
    /// Effective as_of year.
    pub as_of: Option<i32>,
    /// `--as-of` as given (re-applied when the scenario is rebuilt).
    pub as_of_argument: Option<i64>,
    /// N, the number of parts.
    pub shard_count: u64,
    /// Blocks of the whole run.
    pub total_blocks: u64,
}

/// One shard's partial result (the contents of `partial.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Partial {
    /// Always [`PARTIAL_FORMAT`].
    pub format: String,
    /// What the part belongs to.
    pub run: RunIdentity,
    /// K, from 1 to N.
    pub shard_index: u64,
    /// First block computed.
    pub first_block: u64,
    /// One past the last block computed.
    pub end_block: u64,
    /// Wall time of this part's simulation, seconds.
    pub elapsed_seconds: f64,
    /// Worker threads this part used.
    pub threads: usize,
    /// The part's blocks folded together (counts and sketches are used from it).
    pub accumulator: Accumulator,
    /// Per block, in order: the moments of every simulated cell, then of every target outcome.
    pub block_moments: Vec<Vec<Moments>>,
}

/// The blocks of part `index` (1-based) of `count` among `total` blocks: a contiguous range,
/// the parts' sizes differing by at most one block.
pub fn block_range(index: u64, count: u64, total: u64) -> std::ops::Range<u64> {
    let split = |k: u64| ((k as u128 * total as u128) / count as u128) as u64;
    split(index - 1)..split(index)
}

fn block_moments(block: &Accumulator) -> Vec<Moments> {
    block
        .cells
        .iter()
        .chain(&block.target_outcomes)
        .map(|d| d.moments)
        .collect()
}

/// `plancast run --shard K/N`: simulates part K and writes `partial.json` into the output folder.
pub fn run_command(args: &RunArgs) -> Result<String, Error> {
    let Some(spec) = args.shard else {
        return Err(Error::Runtime("run_command needs --shard".to_string()));
    };
    let loaded = app::load(&args.scenario, args.paths, args.seed)?;
    let scenario = &loaded.scenario;
    let total_blocks = engine::blocks_for(scenario.paths);
    if spec.count > total_blocks {
        return Err(argument_error(
            format!("--shard {}/{}", spec.index, spec.count),
            format!(
                "{} paths make {total_blocks} block(s) of {} paths, and a part is at least one block: use at most {total_blocks} shard(s), or more paths",
                scenario.paths,
                engine::BLOCK_PATHS
            ),
        ));
    }
    let blocks = block_range(spec.index, spec.count, total_blocks);
    let threads = args.threads.map(usize::from);
    let started = Instant::now();
    let mut moments = Vec::with_capacity((blocks.end - blocks.start) as usize);
    let sim = engine::simulate_blocks(
        scenario,
        threads,
        blocks.clone(),
        &|_| {},
        &mut |_, block, _| {
            moments.push(block_moments(block));
            true
        },
    )
    .map_err(|e| Error::Runtime(e.to_string()))?;
    let elapsed_seconds = started.elapsed().as_secs_f64();
    let document = toml::to_string(&loaded.document)
        .map_err(|e| Error::Runtime(format!("cannot record the scenario: {e}")))?;
    let partial = Partial {
        format: PARTIAL_FORMAT.to_string(),
        run: RunIdentity {
            engine_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario_name: scenario.name.clone(),
            scenario_sha256: loaded
                .files
                .first()
                .map(|f| f.sha256.clone())
                .unwrap_or_default(),
            files: loaded.files.clone(),
            document,
            overrides: loaded.overrides.clone(),
            seed: scenario.seed,
            paths: scenario.paths,
            sampling: scenario.sampling,
            as_of: scenario.as_of,
            as_of_argument: args.scenario.as_of,
            shard_count: spec.count,
            total_blocks,
        },
        shard_index: spec.index,
        first_block: blocks.start,
        end_block: blocks.end,
        elapsed_seconds,
        threads: threads.unwrap_or_else(rayon::current_num_threads),
        accumulator: sim.accumulator,
        block_moments: moments,
    };
    let out_dir = args.out.clone().unwrap_or_else(|| {
        app::default_out_dir(&args.scenario.scenario)
            .join(format!("shard-{}-of-{}", spec.index, spec.count))
    });
    let bytes = serde_json::to_vec(&partial)
        .map_err(|e| Error::Runtime(format!("cannot encode the partial result: {e}")))?;
    let written = (|| {
        let mut out = OutputDir::create(&out_dir)?;
        out.write(FileSet::Partial, PARTIAL_FILE, &bytes)?;
        out.commit()
    })()
    .map_err(|e| Error::Runtime(format!("cannot write to {}: {e}", out_dir.display())))?;
    if args.quiet {
        return Ok(String::new());
    }
    Ok(format!(
        "shard {}/{}: blocks {}..{} of {total_blocks} ({} of {} paths) in {:.2} s; wrote {}\n",
        spec.index,
        spec.count,
        blocks.start,
        blocks.end,
        partial.accumulator.paths,
        scenario.paths,
        elapsed_seconds,
        written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// A bad set of parts (exit 2).
fn parts_error(message: String) -> Error {
    argument_error("plancast merge".to_string(), message)
}

/// Reads one part: a shard's output folder or its partial.json.
pub fn read_partial(path: &Path) -> Result<Partial, Error> {
    let file: PathBuf = if path.is_dir() {
        path.join(PARTIAL_FILE)
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&file).map_err(|e| {
        parts_error(format!(
            "cannot read {}: {e} (give the output folder of a `plancast run --shard K/N`)",
            file.display()
        ))
    })?;
    let partial: Partial = serde_json::from_slice(&bytes).map_err(|e| {
        parts_error(format!(
            "{} is not a partial result of `plancast run --shard` ({e})",
            file.display()
        ))
    })?;
    if partial.format != PARTIAL_FORMAT {
        return Err(parts_error(format!(
            "{}: format `{}`, but this plancast reads `{PARTIAL_FORMAT}`",
            file.display(),
            partial.format
        )));
    }
    Ok(partial)
}

/// The first field in which two parts' identities differ, as "name: a vs b".
fn first_difference(a: &RunIdentity, b: &RunIdentity) -> Option<String> {
    macro_rules! compare {
        ($field:ident, $name:expr) => {
            if a.$field != b.$field {
                return Some(format!("{}: {:?} vs {:?}", $name, a.$field, b.$field));
            }
        };
    }
    compare!(engine_version, "engine version");
    compare!(scenario_sha256, "scenario sha256");
    compare!(files, "scenario files");
    compare!(overrides, "--set overrides");
    compare!(seed, "seed");
    compare!(paths, "paths");
    compare!(sampling, "sampling");
    compare!(as_of, "as_of");
    compare!(as_of_argument, "--as-of");
    compare!(shard_count, "number of shards");
    compare!(total_blocks, "blocks");
    compare!(scenario_name, "scenario name");
    if a.document != b.document {
        return Some("resolved scenario content differs".to_string());
    }
    None
}

/// Checks that `parts` (with the paths they were read from) are the N parts of one run, each
/// once, with the expected blocks; returns them in shard order.
pub fn check_parts(mut parts: Vec<(PathBuf, Partial)>) -> Result<Vec<Partial>, Error> {
    let Some((first_path, first)) = parts.first() else {
        return Err(parts_error("no parts given".to_string()));
    };
    let (first_path, identity) = (first_path.clone(), first.run.clone());
    if identity.engine_version != env!("CARGO_PKG_VERSION") {
        return Err(parts_error(format!(
            "{} was computed by plancast {}, this is {}: run the shards and the merge with the same version",
            first_path.display(),
            identity.engine_version,
            env!("CARGO_PKG_VERSION")
        )));
    }
    for (path, part) in &parts[1..] {
        if let Some(difference) = first_difference(&identity, &part.run) {
            return Err(parts_error(format!(
                "{} and {} are not parts of the same run ({difference})",
                first_path.display(),
                path.display()
            )));
        }
    }
    parts.sort_by_key(|(_, p)| p.shard_index);
    for pair in parts.windows(2) {
        if pair[0].1.shard_index == pair[1].1.shard_index {
            return Err(parts_error(format!(
                "shard {}/{} is given twice ({} and {})",
                pair[0].1.shard_index,
                identity.shard_count,
                pair[0].0.display(),
                pair[1].0.display()
            )));
        }
    }
    let n = identity.shard_count;
    let missing: Vec<String> = (1..=n)
        .filter(|k| !parts.iter().any(|(_, p)| p.shard_index == *k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(parts_error(format!(
            "incomplete run: shard(s) {} missing ({} of {n} given)",
            missing.join(", "),
            parts.len()
        )));
    }
    for (path, part) in &parts {
        let expected = block_range(part.shard_index, n, identity.total_blocks);
        let shape_ok = part.first_block == expected.start
            && part.end_block == expected.end
            && part.block_moments.len() as u64 == expected.end - expected.start;
        if !shape_ok {
            return Err(parts_error(format!(
                "{}: shard {}/{n} should hold blocks {}..{}; the file is damaged",
                path.display(),
                part.shard_index,
                expected.start,
                expected.end
            )));
        }
    }
    Ok(parts.into_iter().map(|(_, p)| p).collect())
}

/// Folds checked parts into the accumulator a single run would have produced.
fn fold(parts: &[Partial], empty: Accumulator) -> Result<Accumulator, Error> {
    let mut total = empty;
    let n_dists = total.cells.len() + total.target_outcomes.len();
    for part in parts {
        let a = &part.accumulator;
        let same_shape = a.cells.len() == total.cells.len()
            && a.target_outcomes.len() == total.target_outcomes.len()
            && a.fixed_cells.len() == total.fixed_cells.len()
            && a.target_met.len() == total.target_met.len()
            && a.group_met.len() == total.group_met.len()
            && a.pairs.len() == total.pairs.len()
            && part.block_moments.iter().all(|b| b.len() == n_dists);
        if !same_shape {
            return Err(parts_error(format!(
                "shard {}: its results do not fit the scenario; the file is damaged",
                part.shard_index
            )));
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
    Ok(total)
}

/// Combines shard outputs into the summary of the whole run.
pub fn merge_parts(paths: &[PathBuf]) -> Result<report::summary::Summary, Error> {
    let parts = paths
        .iter()
        .map(|p| Ok((p.clone(), read_partial(p)?)))
        .collect::<Result<Vec<_>, Error>>()?;
    let parts = check_parts(parts)?;
    let identity = &parts[0].run;
    let document: toml::Table = toml::from_str(&identity.document).map_err(|e| {
        parts_error(format!(
            "the recorded scenario cannot be read back ({e}); the files are damaged"
        ))
    })?;
    let settings = RunSettings {
        paths: Some(identity.paths),
        seed: Some(identity.seed),
        as_of: identity.as_of_argument,
    };
    let loaded = scenario::load_document(
        document,
        identity.files.clone(),
        identity.overrides.clone(),
        &settings,
    )
    .map_err(|d: Diagnostics| Error::Input(d))?;
    let total = fold(&parts, engine::empty_accumulator(&loaded.scenario))?;
    if total.paths != identity.paths {
        return Err(parts_error(format!(
            "the parts hold {} paths, the run has {}; the files are damaged",
            total.paths, identity.paths
        )));
    }
    let sim = engine::simulation_from(&loaded.scenario, total)
        .map_err(|e| Error::Runtime(e.to_string()))?;
    let elapsed: f64 = parts.iter().map(|p| p.elapsed_seconds).sum();
    let threads = parts.iter().map(|p| p.threads).max().unwrap_or(1);
    Ok(report::summary::build(&loaded, &sim, elapsed, threads))
}

/// `plancast merge PART... --out DIR`.
pub fn merge_command(args: &MergeArgs) -> Result<String, Error> {
    let summary = merge_parts(&args.parts)?;
    // The same outputs as `plancast run`: charts and report unless --no-charts.
    let labels = Labels::new(args.charts.lang.into());
    let drawn = if args.charts.no_charts {
        None
    } else {
        Some(draw_charts_and_report(&summary, &labels)?)
    };
    let written = app::write_outputs(&args.out, &summary, drawn.as_ref().map(|d| &d.files))
        .map_err(|e| Error::Runtime(format!("cannot write to {}: {e}", args.out.display())))?;
    if let Some(w) = fallback_warning(&labels.fallbacks()) {
        eprintln!("{w}");
    }
    if args.quiet {
        return Ok(String::new());
    }
    let mut text = report::table::render(&summary);
    text.push_str(&format!(
        "\n{} paths from {} shards ({:.2} s of simulation in all); wrote {}\n",
        summary.run.paths,
        args.parts.len(),
        summary.timing.elapsed_seconds,
        written
            .iter()
            .filter(|p| !p.parent().is_some_and(|d| d.ends_with("charts")))
            .map(|p| p.display().to_string())
            .chain(drawn.map(|d| format!("{} charts (SVG and PNG)", d.charts)))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Ok(text)
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
}
