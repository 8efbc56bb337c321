//! Sharded runs, the file side: `plancast run --shard K/N` computes the K-th of N parts of the
//! blocks of a run ([`crate::engine::partial`]) and writes it as `partial.json` with the identity
//! of the run; `plancast merge` reads the parts, checks that they belong together and cover every
//! block once, and has the engine fold them into exactly the result of one run.

use super::charts::{draw_charts_and_report, fallback_warning};
use super::output::{assumptions_view, write_outputs, write_set};
use super::settings::{Merge, Run, Shard};
use super::{argument_error, Error};
use crate::engine::{self, accumulator::Accumulator, partial};
use crate::model::Sampling;
use crate::report::labels::Labels;
use crate::report::{self, output::FileSet};
use crate::scenario::{self, Diagnostics, FileRecord, RunSettings};
use crate::stats::moments::Moments;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Version tag of the partial-result format.
pub const PARTIAL_FORMAT: &str = "plancast-partial/2";

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

impl Partial {
    /// The computed part, moved out of the file's record.
    fn into_part(self) -> partial::PartialRun {
        partial::PartialRun {
            first_block: self.first_block,
            end_block: self.end_block,
            accumulator: self.accumulator,
            block_moments: self.block_moments,
        }
    }
}

/// `plancast run --shard K/N`: simulates part K and writes `partial.json` into the output folder.
pub fn run_command(settings: &Run, spec: Shard) -> Result<String, Error> {
    let loaded = settings
        .input
        .load(settings.simulation.paths, settings.simulation.seed)?;
    let scenario = &loaded.scenario;
    let total_blocks = partial::total_blocks(scenario);
    if spec.count > total_blocks {
        return Err(argument_error(
            format!("--shard {}/{}", spec.index, spec.count),
            format!(
                "{} paths make {total_blocks} block(s) of {} paths, and a part is at least one block: use at most {total_blocks} shard(s), or more paths",
                scenario.paths(),
                engine::BLOCK_PATHS
            ),
        ));
    }
    let blocks = partial::block_range(spec.index, spec.count, total_blocks);
    let threads = settings.simulation.threads;
    let started = Instant::now();
    let part = partial::simulate_part(scenario, threads, blocks.clone())?;
    let elapsed_seconds = started.elapsed().as_secs_f64();
    let document = toml::to_string(&loaded.document)
        .map_err(|e| Error::Runtime(format!("cannot record the scenario: {e}")))?;
    let partial = Partial {
        format: PARTIAL_FORMAT.to_string(),
        run: RunIdentity {
            engine_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario_name: scenario.name().to_string(),
            scenario_sha256: loaded
                .files
                .first()
                .map(|f| f.sha256.clone())
                .unwrap_or_default(),
            files: loaded.files.clone(),
            document,
            overrides: loaded.overrides.clone(),
            seed: scenario.seed(),
            paths: scenario.paths(),
            sampling: scenario.sampling(),
            as_of: scenario.as_of(),
            as_of_argument: settings.input.as_of,
            shard_count: spec.count,
            total_blocks,
        },
        shard_index: spec.index,
        first_block: part.first_block,
        end_block: part.end_block,
        elapsed_seconds,
        threads: threads.unwrap_or_else(rayon::current_num_threads),
        accumulator: part.accumulator,
        block_moments: part.block_moments,
    };
    let bytes = serde_json::to_vec(&partial)
        .map_err(|e| Error::Runtime(format!("cannot encode the partial result: {e}")))?;
    let written = write_set(&settings.out, &[(FileSet::Partial, PARTIAL_FILE, &bytes)])?;
    if settings.quiet {
        return Ok(String::new());
    }
    Ok(format!(
        "shard {}/{}: blocks {}..{} of {total_blocks} ({} of {} paths) in {:.2} s; wrote {}\n",
        spec.index,
        spec.count,
        blocks.start,
        blocks.end,
        partial.accumulator.paths,
        scenario.paths(),
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
    let bytes = scenario::limits::read_regular_file(&file, scenario::limits::MAX_PARTIAL_BYTES)
        .map_err(|reason| {
            parts_error(format!(
                "cannot read {}: {reason} (give the output folder of a `plancast run --shard K/N`)",
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
        let expected = partial::block_range(part.shard_index, n, identity.total_blocks);
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

/// Combines shard outputs into the summary of the whole run, with the scenario's assumptions
/// (the `assumptions` sheet of `results.xlsx`).
pub fn merge_parts(
    paths: &[PathBuf],
) -> Result<(report::summary::Summary, report::show::ScenarioView), Error> {
    let parts = paths
        .iter()
        .map(|p| Ok((p.clone(), read_partial(p)?)))
        .collect::<Result<Vec<_>, Error>>()?;
    let parts = check_parts(parts)?;
    let identity = parts[0].run.clone();
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
    let elapsed: f64 = parts.iter().map(|p| p.elapsed_seconds).sum();
    let threads = parts.iter().map(|p| p.threads).max().unwrap_or(1);
    let paths = identity.paths;
    let shard_indices: Vec<u64> = parts.iter().map(|p| p.shard_index).collect();
    let runs: Vec<partial::PartialRun> = parts.into_iter().map(Partial::into_part).collect();
    let damaged = |e: partial::FoldError| match e {
        partial::FoldError::Shape { part } => parts_error(format!(
            "shard {}/{}: its results do not fit the scenario; the file is damaged",
            shard_indices[part], identity.shard_count
        )),
        partial::FoldError::Damaged {
            part,
            field,
            problem,
        } => parts_error(format!(
            "shard {}/{}: `{field}` is damaged ({problem}); compute that shard again",
            shard_indices[part], identity.shard_count
        )),
        other => parts_error(other.to_string()),
    };
    // Every number read back is checked before it is used (issue 13: a damaged sketch once
    // asked for 32 GB, a count beyond the paths gave a probability of 15,258,789).
    for (k, run) in runs.iter().enumerate() {
        partial::check_part(run, k, &loaded.scenario, paths).map_err(&damaged)?;
    }
    let total = partial::fold(
        &runs.iter().collect::<Vec<_>>(),
        engine::empty_accumulator(&loaded.scenario),
        paths,
    )
    .map_err(&damaged)?;
    let sim = engine::simulation_from(&loaded.scenario, total)?;
    Ok((
        report::summary::build(&loaded, &sim, elapsed, threads),
        assumptions_view(&loaded),
    ))
}

/// `plancast merge PART... --out DIR`.
pub fn merge_command(settings: &Merge) -> Result<String, Error> {
    let (summary, view) = merge_parts(&settings.parts)?;
    // The same outputs as `plancast run`: charts and report unless --no-charts.
    let labels = settings.charts.map(Labels::new);
    let drawn = match &labels {
        Some(labels) => Some(draw_charts_and_report(&summary, labels)?),
        None => None,
    };
    let written = write_outputs(
        &settings.out,
        &summary,
        &view,
        drawn.as_ref().map(|d| &d.files),
    )?;
    if let Some(w) = fallback_warning(&labels.map(|l| l.fallbacks()).unwrap_or_default()) {
        eprintln!("{w}");
    }
    if settings.quiet {
        return Ok(String::new());
    }
    let mut text = report::table::render(&summary);
    text.push_str(&format!(
        "\n{} paths from {} shards ({:.2} s of simulation in all); wrote {}\n",
        summary.run.paths,
        settings.parts.len(),
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
