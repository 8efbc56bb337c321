//! The application: turns a parsed command into work and reports. Errors are typed here and
//! mapped to exit codes in one place ([`Error::exit_code`]).

use crate::app_charts::{draw_charts_and_report, fallback_warning, plot};
use crate::cli::{CliCommand, RunArgs, ScenarioArgs};
use crate::engine;
use crate::precision;
use crate::progress::RunProgress;
use crate::report::labels::Labels;
use crate::report::{self, output::FileSet, output::OutputDir};
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
    /// An argument other than the scenario is invalid, e.g. a folder without summary.json
    /// (exit 2).
    #[error("error: {0}")]
    BadArgument(String),
    /// A failure while running (exit 1).
    #[error("error: {0}")]
    Runtime(String),
}

impl Error {
    /// 2 for bad input, 1 for runtime failures.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) | Error::BadArgument(_) => 2,
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
    /// Charts drawn and how long drawing them and the report took, seconds.
    pub charts: Option<(usize, f64)>,
    /// Labels that could not be drawn as written (see [`Labels::fallbacks`]).
    pub fallbacks: Vec<String>,
}

/// `plancast run`: simulate, then write every output atomically.
pub fn run(args: &RunArgs) -> Result<RunOutcome, Error> {
    let precision = precision_settings(args)?;
    let loaded = load(&args.scenario, args.paths, args.seed)?;
    let threads = args.threads.map(usize::from);
    let started = Instant::now();
    let progress_total = precision.map_or(loaded.scenario.paths, |(_, max_paths)| max_paths);
    let progress = RunProgress::new(progress_total, args.quiet);
    let report_progress = |done| progress.update(done);
    let (sim, precision_info) = match precision {
        None => (
            engine::simulate(&loaded.scenario, threads, &report_progress),
            None,
        ),
        Some((h, max_paths)) => {
            match precision::run(&loaded.scenario, h, max_paths, threads, &report_progress) {
                Ok((sim, info)) => (Ok(sim), Some(info)),
                Err(e) => (Err(e), None),
            }
        }
    };
    progress.finish();
    let sim = sim.map_err(|e| Error::Runtime(e.to_string()))?;
    let elapsed = started.elapsed().as_secs_f64();
    let used_threads = threads.unwrap_or_else(rayon::current_num_threads);
    let mut summary = report::summary::build(&loaded, &sim, elapsed, used_threads);
    summary.precision = precision_info;

    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.scenario.scenario));
    let labels = Labels::new(args.charts.lang.into());
    let drawn = if args.charts.no_charts {
        None
    } else {
        Some(draw_charts_and_report(&summary, &labels)?)
    };
    let written = write_outputs(&out_dir, &summary, drawn.as_ref().map(|d| &d.files))
        .map_err(|e| Error::Runtime(format!("cannot write to {}: {e}", out_dir.display())))?;
    if args.charts.no_charts && out_dir.join("report.html").exists() {
        // Not deleted (they may be wanted), but they no longer match summary.json.
        eprintln!(
            "note: {} and charts/ there are from an earlier run; `plancast plot {}` redraws them",
            out_dir.join("report.html").display(),
            out_dir.display()
        );
    }
    Ok(RunOutcome {
        summary,
        written,
        charts: drawn.map(|d| (d.charts, d.seconds)),
        fallbacks: labels.fallbacks(),
    })
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

/// Writes summary.json, targets.csv, quantiles.csv (the results set) and the given chart and
/// report files (the charts set, left as it is when `None`) into `dir`, atomically.
pub fn write_outputs(
    dir: &Path,
    summary: &report::summary::Summary,
    extra: Option<&Vec<(String, Vec<u8>)>>,
) -> std::io::Result<Vec<PathBuf>> {
    let json = serde_json::to_vec_pretty(summary).map_err(std::io::Error::other)?;
    let targets = report::csv::targets_csv(summary).map_err(std::io::Error::other)?;
    let quantiles = report::csv::quantiles_csv(summary).map_err(std::io::Error::other)?;
    let mut out = OutputDir::create(dir)?;
    out.write(FileSet::Results, "summary.json", &json)?;
    out.write(FileSet::Results, "targets.csv", &targets)?;
    out.write(FileSet::Results, "quantiles.csv", &quantiles)?;
    for (relative, contents) in extra.into_iter().flatten() {
        out.write(FileSet::Charts, relative, contents)?;
    }
    out.commit()
}

/// Runs a parsed command; returns the text to print on standard output.
pub fn execute(command: CliCommand) -> Result<String, Error> {
    match command {
        CliCommand::Validate(args) => validate(&args.scenario),
        CliCommand::Merge(args) => crate::shard::merge_command(&args),
        CliCommand::Run(args) if args.shard.is_some() => crate::shard::run_command(&args),
        CliCommand::Sensitivity(args) => crate::app_analysis::sensitivity(&args),
        CliCommand::Solve(args) => crate::app_analysis::solve(&args),
        CliCommand::Compare(args) => crate::app_analysis::compare(&args),
        CliCommand::Calibrate(args) => crate::app_analysis::calibrate(&args),
        CliCommand::Plot(args) => {
            let (drawn, fallbacks) = plot(&args)?;
            if let Some(w) = fallback_warning(&fallbacks) {
                eprintln!("{w}");
            }
            Ok(format!(
                "drew {} charts (SVG and PNG) and report.html in {:.2} s into {}\n",
                drawn.charts,
                drawn.seconds,
                args.out_dir.display()
            ))
        }
        CliCommand::Run(args) => {
            let outcome = run(&args)?;
            if let Some(w) = fallback_warning(&outcome.fallbacks) {
                eprintln!("{w}");
            }
            if args.quiet {
                return Ok(String::new());
            }
            let mut text = report::table::render(&outcome.summary);
            // Chart files are many: name the folder, not each file.
            let mut listed: Vec<String> = outcome
                .written
                .iter()
                .filter(|p| !p.parent().is_some_and(|d| d.ends_with("charts")))
                .map(|p| p.display().to_string())
                .collect();
            if let Some((charts, seconds)) = outcome.charts {
                let dir = outcome.written.iter().find_map(|p| {
                    p.parent()
                        .filter(|d| d.ends_with("charts"))
                        .map(Path::to_path_buf)
                });
                if let Some(dir) = dir {
                    listed.push(format!(
                        "{}/ ({charts} charts, SVG and PNG, drawn in {seconds:.2} s)",
                        dir.display()
                    ));
                }
            }
            if let Some(info) = &outcome.summary.precision {
                text.push('\n');
                text.push_str(&precision_line(info));
            }
            text.push_str(&format!(
                "\n{} paths in {:.2} s; wrote {}\n",
                outcome.summary.run.paths,
                outcome.summary.timing.elapsed_seconds,
                listed.join(", ")
            ));
            Ok(text)
        }
    }
}
