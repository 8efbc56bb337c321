//! The application: turns a parsed command into work and reports. Errors are typed here and
//! mapped to exit codes in one place ([`Error::exit_code`]).

use crate::cli::{CliCommand, RunArgs, ScenarioArgs};
use crate::engine;
use crate::precision;
use crate::report::{self, output::OutputDir};
use crate::scenario::diagnostic::{Diagnostic, Location};
use crate::scenario::{self, Diagnostics, LoadOptions, Loaded, RunSettings};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Everything that can end a command unsuccessfully.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario or an argument is invalid (exit 2).
    #[error("{0}")]
    Input(#[from] Diagnostics),
    /// A failure while running (exit 1).
    #[error("error: {0}")]
    Runtime(String),
}

impl Error {
    /// 2 for bad input, 1 for runtime failures.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Runtime(_) => 1,
        }
    }
}

/// A bad command-line argument (exit 2), located at the argument.
pub fn argument_error(argument: String, message: impl Into<String>) -> Error {
    Error::Input(Diagnostics(vec![Diagnostic::located(
        Location::Argument(argument),
        message,
    )]))
}

pub(crate) fn load(
    args: &ScenarioArgs,
    paths: Option<u64>,
    seed: Option<u64>,
) -> Result<Loaded, Error> {
    let options = LoadOptions {
        sets: args.sets.clone(),
        settings: RunSettings {
            paths,
            seed,
            as_of: args.as_of,
        },
    };
    Ok(scenario::load(&args.scenario, &options)?)
}

/// `plancast validate`: prints a short description of a valid scenario.
pub fn validate(args: &ScenarioArgs) -> Result<String, Error> {
    let loaded = load(args, None, None)?;
    let s = &loaded.scenario;
    let mut text = format!(
        "{}: valid — {}, {}, {}, years {}..{}\n",
        args.scenario.display(),
        count(s.indicators.len(), "indicator"),
        count(s.targets.len(), "target"),
        count(s.events.len(), "event"),
        s.base_year,
        s.horizon
    );
    for w in &s.warnings {
        text.push_str(&format!("warning: {w}\n"));
    }
    Ok(text)
}

/// "1 target", "3 targets".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The default output folder: `output/<scenario file stem>/`.
pub fn default_out_dir(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "run".to_string());
    PathBuf::from("output").join(stem)
}

/// The result of `plancast run`.
pub struct RunOutcome {
    /// The summary record.
    pub summary: report::summary::Summary,
    /// Files written.
    pub written: Vec<PathBuf>,
}

/// `plancast run`: simulate, then write every output atomically.
pub fn run(args: &RunArgs) -> Result<RunOutcome, Error> {
    let precision = precision_settings(args)?;
    let loaded = load(&args.scenario, args.paths, args.seed)?;
    let threads = args.threads.map(usize::from);
    let started = Instant::now();
    let (sim, precision_info) = match precision {
        None => (engine::simulate(&loaded.scenario, threads, &|_| {}), None),
        Some((h, max_paths)) => {
            match precision::run(&loaded.scenario, h, max_paths, threads, &|_| {}) {
                Ok((sim, info)) => (Ok(sim), Some(info)),
                Err(e) => (Err(e), None),
            }
        }
    };
    let sim = sim.map_err(|e| Error::Runtime(e.to_string()))?;
    let elapsed = started.elapsed().as_secs_f64();
    let used_threads = threads.unwrap_or_else(rayon::current_num_threads);
    let mut summary = report::summary::build(&loaded, &sim, elapsed, used_threads);
    summary.precision = precision_info;

    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.scenario.scenario));
    let written = write_outputs(&out_dir, &summary)
        .map_err(|e| Error::Runtime(format!("cannot write to {}: {e}", out_dir.display())))?;
    Ok(RunOutcome { summary, written })
}

/// `--precision H` and `--max-paths N`, checked: H in (0, 0.5), N from 1 to the path limit.
fn precision_settings(args: &RunArgs) -> Result<Option<(f64, u64)>, Error> {
    let Some(h) = args.precision else {
        return Ok(None);
    };
    if !(h > 0.0 && h < 0.5) {
        return Err(argument_error(
            format!("--precision {h}"),
            "--precision is the largest 95% interval half-width wanted, a probability above 0 and below 0.5 (e.g. 0.005 for ±0.5 percentage points)",
        ));
    }
    let max_paths = args.max_paths.unwrap_or(precision::DEFAULT_MAX_PATHS);
    if max_paths == 0 || max_paths > scenario::validate::MAX_PATHS {
        return Err(argument_error(
            format!("--max-paths {max_paths}"),
            format!(
                "--max-paths must be between 1 and {}",
                scenario::validate::MAX_PATHS
            ),
        ));
    }
    Ok(Some((h, max_paths)))
}

/// The terminal line that says what `--precision` reached.
pub fn precision_line(info: &precision::PrecisionInfo) -> String {
    let worst = match (&info.worst_half_width, &info.worst_target) {
        (Some(w), Some(t)) => format!("widest half-width {w:.4} (target `{t}`)"),
        _ => "no target depends on the simulation".to_string(),
    };
    if info.met {
        format!(
            "precision: every target's 95% interval half-width is at most {} at {} paths; {worst}\n",
            info.requested_half_width, info.reached_paths
        )
    } else {
        format!(
            "precision: NOT met: half-width {} not reached within --max-paths {}; {worst}\n",
            info.requested_half_width, info.reached_paths
        )
    }
}

/// Writes summary.json, targets.csv and quantiles.csv into `dir`, atomically.
pub fn write_outputs(
    dir: &Path,
    summary: &report::summary::Summary,
) -> std::io::Result<Vec<PathBuf>> {
    let json = serde_json::to_vec_pretty(summary).map_err(std::io::Error::other)?;
    let targets = report::csv::targets_csv(summary).map_err(std::io::Error::other)?;
    let quantiles = report::csv::quantiles_csv(summary).map_err(std::io::Error::other)?;
    let mut out = OutputDir::create(dir)?;
    out.write("summary.json", &json)?;
    out.write("targets.csv", &targets)?;
    out.write("quantiles.csv", &quantiles)?;
    out.commit()
}

/// Runs a parsed command; returns the text to print on standard output.
pub fn execute(command: CliCommand) -> Result<String, Error> {
    match command {
        CliCommand::Validate(args) => validate(&args.scenario),
        CliCommand::Merge(args) => crate::shard::merge_command(&args),
        CliCommand::Run(args) if args.shard.is_some() => crate::shard::run_command(&args),
        CliCommand::Run(args) => {
            let outcome = run(&args)?;
            if args.quiet {
                return Ok(String::new());
            }
            let mut text = report::table::render(&outcome.summary);
            if let Some(info) = &outcome.summary.precision {
                text.push('\n');
                text.push_str(&precision_line(info));
            }
            text.push_str(&format!(
                "\n{} paths in {:.2} s; wrote {}\n",
                outcome.summary.run.paths,
                outcome.summary.timing.elapsed_seconds,
                outcome
                    .written
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            Ok(text)
        }
    }
}
