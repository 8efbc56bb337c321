//! Settings: the parsed command line turned, once, into checked and typed settings. Every flag
//! is checked here and every default is decided here (one per command); nothing past this
//! module sees a clap type or a flag.

use super::{argument_error, Error};
use crate::analysis::calibrate::ChangeModel;
use crate::analysis::sensitivity::Pruning;
use crate::cli::{self, CliCommand, LangArg};
use crate::engine::precision::DEFAULT_MAX_PATHS;
use crate::model::edit::MAX_PATHS;
use crate::report::labels::Lang;
use crate::scenario::{self, LoadOptions, Loaded, RunSettings};
use std::path::{Path, PathBuf};

/// Paths per simulation of `plancast sensitivity` unless `--paths` is given (a run per
/// assumption and quantile: 5,000 keeps the whole analysis to seconds).
pub const SENSITIVITY_PATHS: u64 = 5_000;

/// Paths per simulation of `plancast solve` unless `--paths` is given (a solve takes about 20 to
/// 40 simulations).
pub const SOLVE_PATHS: u64 = 20_000;

/// A scenario file with the overrides and the as-of year that apply to it.
#[derive(Debug, Clone)]
pub struct ScenarioInput {
    /// The scenario file.
    pub path: PathBuf,
    /// `--set KEY=VALUE`, as typed.
    pub sets: Vec<String>,
    /// `--as-of`.
    pub as_of: Option<i64>,
}

impl ScenarioInput {
    /// Loads and validates the scenario with these run settings (None: the scenario's own).
    pub fn load(&self, paths: Option<u64>, seed: Option<u64>) -> Result<Loaded, Error> {
        let options = LoadOptions {
            sets: self.sets.clone(),
            settings: RunSettings {
                paths,
                seed,
                as_of: self.as_of,
            },
        };
        Ok(scenario::load(&self.path, &options)?)
    }
}

/// What the simulations of a command use: paths (None: the scenario's own), seed (None: the
/// scenario's own) and worker threads (None: all cores).
#[derive(Debug, Clone, Copy)]
pub struct Simulation {
    /// Paths per simulation.
    pub paths: Option<u64>,
    /// Seed shared by every simulation.
    pub seed: Option<u64>,
    /// Worker threads.
    pub threads: Option<usize>,
}

/// How `plancast run` spends its paths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RunMode {
    /// All the paths, once.
    Plain,
    /// Add paths until every 95% half-width is at most `half_width`, up to `max_paths`.
    Precision {
        /// Largest 95% interval half-width wanted.
        half_width: f64,
        /// The most paths allowed.
        max_paths: u64,
    },
    /// Only part `index` of `count` of the paths, written as a partial result.
    Shard(Shard),
}

/// Which part of a sharded run: `index` of `count`, 1-based (checked: 1 <= index <= count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// K, from 1 to `count`.
    pub index: u64,
    /// N, at least 1.
    pub count: u64,
}

/// `plancast run`.
#[derive(Debug, Clone)]
pub struct Run {
    /// The scenario.
    pub input: ScenarioInput,
    /// Paths, seed, threads.
    pub simulation: Simulation,
    /// Plain, precision or shard.
    pub mode: RunMode,
    /// The output folder.
    pub out: PathBuf,
    /// Print nothing but errors.
    pub quiet: bool,
    /// Print summary.json on standard output instead of the table.
    pub json: bool,
    /// Draw charts and report.html in this language (None: `--no-charts`).
    pub charts: Option<Lang>,
}

/// `plancast sensitivity`.
#[derive(Debug, Clone)]
pub struct Sensitivity {
    /// The scenario.
    pub input: ScenarioInput,
    /// Paths (default [`SENSITIVITY_PATHS`]), seed, threads.
    pub simulation: Simulation,
    /// Target ids (empty: every target).
    pub targets: Vec<String>,
    /// Which assumptions are simulated.
    pub pruning: Pruning,
    /// The output folder.
    pub out: PathBuf,
    /// Quiet, JSON, language.
    pub output: AnalysisOutput,
}

/// What an analysis command prints and the language it draws and names in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalysisOutput {
    /// Print nothing but errors.
    pub quiet: bool,
    /// Print the result document on standard output instead of the table.
    pub json: bool,
    /// Language of the charts and of the names printed.
    pub lang: Lang,
}

impl From<cli::AnalysisOutputArgs> for AnalysisOutput {
    fn from(args: cli::AnalysisOutputArgs) -> Self {
        AnalysisOutput {
            quiet: args.quiet,
            json: args.json,
            lang: args.lang.into(),
        }
    }
}

/// What `plancast solve` solves for.
#[derive(Debug, Clone, PartialEq)]
pub enum SolveMode {
    /// The value of `key` at which `target` is met with `probability`.
    Vary {
        /// Target id.
        target: String,
        /// The probability sought, in (0, 1).
        probability: f64,
        /// The dotted key, as typed.
        key: String,
        /// Search range (finite, lower first).
        range: Option<(f64, f64)>,
    },
    /// The growth each target needs for 50% and 80% (and `probability`, if given).
    Growth {
        /// Target ids (empty: every target).
        targets: Vec<String>,
        /// One more probability, in (0, 1).
        probability: Option<f64>,
        /// Every target (`--all`).
        all: bool,
    },
}

/// `plancast solve`.
#[derive(Debug, Clone)]
pub struct Solve {
    /// The scenario.
    pub input: ScenarioInput,
    /// Paths (default [`SOLVE_PATHS`]), seed, threads.
    pub simulation: Simulation,
    /// What to solve.
    pub mode: SolveMode,
    /// The output folder.
    pub out: PathBuf,
    /// Quiet, JSON, language.
    pub output: AnalysisOutput,
}

/// `plancast compare`.
#[derive(Debug, Clone)]
pub struct Compare {
    /// The scenarios, each with the same overrides and as_of.
    pub inputs: Vec<ScenarioInput>,
    /// Paths and seed (default: the first scenario's), threads.
    pub simulation: Simulation,
    /// The output folder.
    pub out: PathBuf,
    /// Quiet, JSON, language.
    pub output: AnalysisOutput,
}

/// `plancast track`.
#[derive(Debug, Clone)]
pub struct Track {
    /// The scenario and its overrides (as_of is set per year).
    pub input: ScenarioInput,
    /// First as-of year (None: the scenario's base year).
    pub from: Option<i64>,
    /// Last as-of year (None: the latest observation).
    pub to: Option<i64>,
    /// Paths, seed, threads.
    pub simulation: Simulation,
    /// The output folder.
    pub out: PathBuf,
    /// Print nothing but errors.
    pub quiet: bool,
    /// Print track.json on standard output instead of the table.
    pub json: bool,
    /// Draw charts and track.html in this language (None: `--no-charts`).
    pub charts: Option<Lang>,
}

/// `plancast backtest`.
#[derive(Debug, Clone)]
pub struct Backtest {
    /// The scenario, its overrides and the as-of year scored.
    pub input: ScenarioInput,
    /// Paths, seed, threads.
    pub simulation: Simulation,
    /// The output folder.
    pub out: PathBuf,
    /// Print nothing but errors.
    pub quiet: bool,
    /// Print backtest.json on standard output instead of the table.
    pub json: bool,
    /// Draw the charts in this language (None: `--no-charts`).
    pub charts: Option<Lang>,
}

/// `plancast calibrate`.
#[derive(Debug, Clone)]
pub struct Calibrate {
    /// The history file.
    pub history: PathBuf,
    /// First year used.
    pub from: Option<i32>,
    /// Last year used.
    pub to: Option<i32>,
    /// How yearly changes are measured.
    pub model: ChangeModel,
}

/// `plancast merge`.
#[derive(Debug, Clone)]
pub struct Merge {
    /// The parts (folders or partial.json files).
    pub parts: Vec<PathBuf>,
    /// The output folder.
    pub out: PathBuf,
    /// Print nothing but errors.
    pub quiet: bool,
    /// Draw charts and report.html in this language (None: `--no-charts`).
    pub charts: Option<Lang>,
}

/// `plancast plot`.
#[derive(Debug, Clone)]
pub struct Plot {
    /// The output folder of an earlier run.
    pub dir: PathBuf,
    /// Language of the charts and report.
    pub lang: Lang,
}

/// `plancast show`.
#[derive(Debug, Clone)]
pub struct Show {
    /// The scenario, its overrides and as-of year.
    pub input: ScenarioInput,
    /// Language of the names.
    pub lang: Lang,
    /// Print JSON instead of the tables.
    pub json: bool,
}

/// A command with its settings checked.
#[derive(Debug, Clone)]
pub enum Command {
    /// `plancast completions SHELL`.
    Completions(cli::ShellArg),
    /// `plancast man`.
    Man,
    /// `plancast show`.
    Show(Show),
    /// `plancast run`.
    Run(Run),
    /// `plancast plot`.
    Plot(Plot),
    /// `plancast validate`.
    Validate(ScenarioInput),
    /// `plancast merge`.
    Merge(Merge),
    /// `plancast sensitivity`.
    Sensitivity(Sensitivity),
    /// `plancast solve`.
    Solve(Solve),
    /// `plancast compare`.
    Compare(Compare),
    /// `plancast calibrate`.
    Calibrate(Calibrate),
    /// `plancast track`.
    Track(Track),
    /// `plancast backtest`.
    Backtest(Backtest),
}

impl From<LangArg> for Lang {
    fn from(lang: LangArg) -> Self {
        match lang {
            LangArg::En => Lang::En,
            LangArg::Zh => Lang::Zh,
        }
    }
}

/// `--paths N`, checked: from 1 to [`MAX_PATHS`].
fn checked_paths(paths: Option<u64>) -> Result<Option<u64>, Error> {
    match paths {
        Some(n) if !(1..=MAX_PATHS).contains(&n) => Err(argument_error(
            format!("--paths {n}"),
            format!("--paths must be between 1 and {MAX_PATHS}"),
        )),
        other => Ok(other),
    }
}

/// A probability flag, checked: strictly between 0 and 1.
fn checked_probability(p: Option<f64>) -> Result<Option<f64>, Error> {
    match p {
        Some(p) if !(p > 0.0 && p < 1.0) => Err(argument_error(
            format!("--probability {p}"),
            "the probability must lie strictly between 0 and 1, e.g. 0.8",
        )),
        other => Ok(other),
    }
}

fn simulation(args: &cli::SimulationArgs, default_paths: Option<u64>) -> Result<Simulation, Error> {
    Ok(Simulation {
        paths: checked_paths(args.paths)?.or(default_paths),
        seed: args.seed,
        threads: args.threads.map(usize::from),
    })
}

fn evidence_simulation(args: &cli::EvidenceArgs) -> Result<Simulation, Error> {
    Ok(Simulation {
        paths: checked_paths(args.paths)?,
        seed: args.seed,
        threads: args.threads.map(usize::from),
    })
}

fn charts(args: &cli::ChartArgs) -> Option<Lang> {
    (!args.no_charts).then(|| args.lang.into())
}

/// The stem of a scenario file name (`run` when it has none).
fn stem(scenario: &Path) -> String {
    scenario
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "run".to_string())
}

/// The default output folder of `run`: `output/<scenario file stem>/`.
pub fn default_out_dir(scenario: &Path) -> PathBuf {
    PathBuf::from("output").join(stem(scenario))
}

/// The default output folder of an analysis command: `output/<scenario stem>/<command>/`.
pub fn default_analysis_dir(scenario: &Path, command: &str) -> PathBuf {
    default_out_dir(scenario).join(command)
}

impl Command {
    /// Checks every flag of `command` and settles its defaults.
    pub fn from_cli(command: CliCommand) -> Result<Command, Error> {
        Ok(match command {
            CliCommand::Run(args) => Command::Run(run(args)?),
            CliCommand::Completions(args) => Command::Completions(args.shell),
            CliCommand::Man => Command::Man,
            CliCommand::Show(args) => Command::Show(Show {
                input: input(args.scenario),
                lang: args.lang.into(),
                json: args.json,
            }),
            CliCommand::Plot(args) => Command::Plot(Plot {
                dir: args.out_dir,
                lang: args.lang.into(),
            }),
            CliCommand::Validate(args) => Command::Validate(input(args.scenario)),
            CliCommand::Merge(args) => Command::Merge(Merge {
                charts: charts(&args.charts),
                parts: args.parts,
                out: args.out,
                quiet: args.quiet,
            }),
            CliCommand::Sensitivity(args) => {
                let out = args
                    .out
                    .unwrap_or_else(|| default_analysis_dir(&args.scenario, "sensitivity"));
                Command::Sensitivity(Sensitivity {
                    simulation: simulation(&args.simulation, Some(SENSITIVITY_PATHS))?,
                    input: ScenarioInput {
                        path: args.scenario,
                        sets: args.simulation.sets,
                        as_of: args.simulation.as_of,
                    },
                    targets: args.targets,
                    pruning: if args.all_assumptions {
                        Pruning::SimulateAll
                    } else {
                        Pruning::SkipIndependent
                    },
                    out,
                    output: args.output.into(),
                })
            }
            CliCommand::Solve(args) => Command::Solve(solve(args)?),
            CliCommand::Compare(args) => {
                let sim = simulation(&args.simulation, None)?;
                Command::Compare(Compare {
                    inputs: args
                        .scenarios
                        .into_iter()
                        .map(|path| ScenarioInput {
                            path,
                            sets: args.simulation.sets.clone(),
                            as_of: args.simulation.as_of,
                        })
                        .collect(),
                    simulation: sim,
                    out: args
                        .out
                        .unwrap_or_else(|| PathBuf::from("output").join("compare")),
                    output: args.output.into(),
                })
            }
            CliCommand::Track(args) => {
                if let (Some(from), Some(to)) = (args.from, args.to) {
                    if from > to {
                        return Err(argument_error(
                            format!("--from {from} --to {to}"),
                            "--from must not come after --to",
                        ));
                    }
                }
                let out = args
                    .out
                    .unwrap_or_else(|| default_analysis_dir(&args.scenario, "track"));
                Command::Track(Track {
                    simulation: evidence_simulation(&args.options)?,
                    input: ScenarioInput {
                        path: args.scenario,
                        sets: args.options.sets,
                        as_of: None,
                    },
                    from: args.from,
                    to: args.to,
                    out,
                    quiet: args.options.quiet,
                    json: args.options.json,
                    charts: charts(&args.options.charts),
                })
            }
            CliCommand::Backtest(args) => {
                let out = args
                    .out
                    .unwrap_or_else(|| default_analysis_dir(&args.scenario, "backtest"));
                Command::Backtest(Backtest {
                    simulation: evidence_simulation(&args.options)?,
                    input: ScenarioInput {
                        path: args.scenario,
                        sets: args.options.sets,
                        as_of: Some(args.as_of),
                    },
                    out,
                    quiet: args.options.quiet,
                    json: args.options.json,
                    charts: charts(&args.options.charts),
                })
            }
            CliCommand::Calibrate(args) => {
                if let (Some(from), Some(to)) = (args.from, args.to) {
                    if from >= to {
                        return Err(argument_error(
                            format!("--from {from} --to {to}"),
                            "--from must come before --to",
                        ));
                    }
                }
                Command::Calibrate(Calibrate {
                    history: args.history,
                    from: args.from,
                    to: args.to,
                    model: match args.model {
                        cli::ChangeModelArg::Growth => ChangeModel::Growth,
                        cli::ChangeModelArg::Additive => ChangeModel::Additive,
                    },
                })
            }
        })
    }
}

fn input(args: cli::ScenarioArgs) -> ScenarioInput {
    ScenarioInput {
        path: args.scenario,
        sets: args.sets,
        as_of: args.as_of,
    }
}

fn run(args: cli::RunArgs) -> Result<Run, Error> {
    let mode = match (args.precision, args.shard) {
        (Some(h), _) => {
            if !(h > 0.0 && h < 0.5) {
                return Err(argument_error(
                    format!("--precision {h}"),
                    "--precision is the largest 95% interval half-width wanted, a probability above 0 and below 0.5 (e.g. 0.005 for ±0.5 percentage points)",
                ));
            }
            let max_paths = args.max_paths.unwrap_or(DEFAULT_MAX_PATHS);
            if max_paths == 0 || max_paths > MAX_PATHS {
                return Err(argument_error(
                    format!("--max-paths {max_paths}"),
                    format!("--max-paths must be between 1 and {MAX_PATHS}"),
                ));
            }
            RunMode::Precision {
                half_width: h,
                max_paths,
            }
        }
        (None, Some(spec)) => RunMode::Shard(Shard {
            index: spec.index,
            count: spec.count,
        }),
        (None, None) => RunMode::Plain,
    };
    let out = match (&args.out, mode) {
        (Some(out), _) => out.clone(),
        (None, RunMode::Shard(spec)) => default_out_dir(&args.scenario.scenario)
            .join(format!("shard-{}-of-{}", spec.index, spec.count)),
        (None, _) => default_out_dir(&args.scenario.scenario),
    };
    Ok(Run {
        simulation: Simulation {
            paths: checked_paths(args.paths)?,
            seed: args.seed,
            threads: args.threads.map(usize::from),
        },
        charts: charts(&args.charts),
        input: input(args.scenario),
        mode,
        out,
        quiet: args.quiet,
        json: args.json,
    })
}

fn solve(args: cli::SolveArgs) -> Result<Solve, Error> {
    let probability = checked_probability(args.probability)?;
    let range = match args.range.as_deref() {
        Some(&[lo, hi]) => {
            if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                return Err(argument_error(
                    format!("--range {lo} {hi}"),
                    "the range needs two finite numbers, the lower first",
                ));
            }
            Some((lo, hi))
        }
        _ => None,
    };
    let mode = match args.vary {
        Some(key) => {
            let Some(probability) = probability else {
                return Err(argument_error(
                    format!("--vary {key}"),
                    "--vary needs --probability P (the chance to reach, e.g. 0.8)",
                ));
            };
            if args.all || args.targets.len() != 1 {
                return Err(argument_error(
                    format!("--vary {key}"),
                    "--vary solves for one target: name it with --target ID",
                ));
            }
            SolveMode::Vary {
                target: args.targets[0].clone(),
                probability,
                key,
                range,
            }
        }
        None => {
            if range.is_some() {
                return Err(argument_error(
                    "--range",
                    "--range bounds the value of --vary KEY; without --vary the required growth is searched freely",
                ));
            }
            if !args.all && args.targets.is_empty() {
                return Err(argument_error(
                    "solve",
                    "name a target with --target ID, or use --all for every target",
                ));
            }
            SolveMode::Growth {
                targets: args.targets,
                probability,
                all: args.all,
            }
        }
    };
    Ok(Solve {
        simulation: simulation(&args.simulation, Some(SOLVE_PATHS))?,
        out: args
            .out
            .unwrap_or_else(|| default_analysis_dir(&args.scenario, "solve")),
        input: ScenarioInput {
            path: args.scenario,
            sets: args.simulation.sets,
            as_of: args.simulation.as_of,
        },
        mode,
        output: args.output.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn settings(args: &[&str]) -> Result<Command, Error> {
        let cli = cli::Cli::try_parse_from(std::iter::once("plancast").chain(args.iter().copied()))
            .expect("parses");
        Command::from_cli(cli.command)
    }

    #[test]
    fn each_command_has_one_default_path_count() {
        let Ok(Command::Sensitivity(s)) = settings(&["sensitivity", "a.toml"]) else {
            panic!("sensitivity")
        };
        assert_eq!(s.simulation.paths, Some(SENSITIVITY_PATHS));
        let Ok(Command::Solve(s)) = settings(&["solve", "a.toml", "--all"]) else {
            panic!("solve")
        };
        assert_eq!(s.simulation.paths, Some(SOLVE_PATHS));
        let Ok(Command::Run(r)) = settings(&["run", "a.toml"]) else {
            panic!("run")
        };
        // run and compare: the scenario's own `paths` (else the format's default).
        assert_eq!(r.simulation.paths, None);
        assert_eq!(r.out, PathBuf::from("output/a"));
    }

    #[test]
    fn path_counts_are_checked_once_for_every_command() {
        for args in [
            &["run", "a.toml", "--paths", "0"][..],
            &["sensitivity", "a.toml", "--paths", "0"],
            &["solve", "a.toml", "--all", "--paths", "0"],
            &["compare", "a.toml", "b.toml", "--paths", "0"],
            &["run", "a.toml", "--paths", "1e10"],
        ] {
            let error = settings(args).expect_err("refused");
            assert_eq!(error.exit_code(), 2);
            assert!(
                error.to_string().contains("--paths must be between 1 and"),
                "{error}"
            );
        }
    }

    #[test]
    fn solve_flags_are_checked_before_loading() {
        let e = settings(&["solve", "a.toml", "--target", "t", "--vary", "k"]).unwrap_err();
        assert!(e.to_string().contains("--vary needs --probability"), "{e}");
        let e =
            settings(&["solve", "a.toml", "--target", "t", "--probability", "1.5"]).unwrap_err();
        assert!(e.to_string().contains("strictly between 0 and 1"), "{e}");
        let e = settings(&["solve", "a.toml", "--all", "--range", "2", "1"]).unwrap_err();
        assert!(e.to_string().contains("the lower first"), "{e}");
        let e = settings(&["solve", "a.toml"]).unwrap_err();
        assert!(e.to_string().contains("--all for every target"), "{e}");
    }

    #[test]
    fn precision_and_shard_defaults() {
        let Ok(Command::Run(r)) = settings(&["run", "a.toml", "--precision", "0.01"]) else {
            panic!("run")
        };
        assert_eq!(
            r.mode,
            RunMode::Precision {
                half_width: 0.01,
                max_paths: DEFAULT_MAX_PATHS
            }
        );
        let Ok(Command::Run(r)) = settings(&["run", "a.toml", "--shard", "2/4"]) else {
            panic!("run")
        };
        assert_eq!(r.out, PathBuf::from("output/a/shard-2-of-4"));
        assert!(settings(&["run", "a.toml", "--precision", "0.7"]).is_err());
    }
}
