//! Command-line arguments (the only module that knows about clap): clap types and value enums,
//! nothing else. `app` turns a parsed [`CliCommand`] into checked settings once
//! (`app::settings`); nothing past that point sees a flag.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// plancast: what is the chance that we reach each target of our plan?
///
/// Runs a scenario file (the plan's indicators, growth assumptions and targets) through a Monte
/// Carlo simulation and reports the probability of meeting every target, with its 95% interval.
///
/// Exit codes: 0 success, 1 runtime failure, 2 invalid scenario or arguments.
#[derive(Debug, Parser)]
#[command(name = "plancast", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: CliCommand,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Simulate a scenario: print the targets table and write summary.json, targets.csv,
    /// quantiles.csv, charts/ (SVG and PNG) and report.html.
    ///
    /// Example: plancast run scenarios/guangxi-14th-fyp.toml --paths 100000 --seed 7
    Run(RunArgs),
    /// Redraw the charts and report.html of an earlier run from its summary.json, without
    /// simulating again.
    ///
    /// Example: plancast plot output/guangxi-14th-fyp --lang zh
    Plot(PlotArgs),
    /// The assumptions of a scenario as a table (indicator, model, period, trend distribution
    /// with its 5/50/95% values, noise, persistence, observed years, source), then its events,
    /// correlations and targets; simulates nothing.
    ///
    /// Example: plancast show scenarios/guangxi-14th-fyp.toml --as-of 2020
    Show(ShowArgs),
    /// Check a scenario file without simulating; print every problem found.
    ///
    /// Example: plancast validate scenarios/guangxi-14th-fyp.toml
    Validate(ValidateArgs),
    /// Combine the partial results of `run --shard K/N` into the outputs of one run with all the
    /// paths (the same numbers, bit for bit).
    ///
    /// Example: plancast merge parts/1 parts/2 parts/3 parts/4 --out output/guangxi
    Merge(MergeArgs),
    /// For every uncertain assumption (trends, event probabilities, correlations), each
    /// target's probability with that assumption held at its 10th and 90th percentile, and its
    /// share of the targeted quantity's variance. Writes sensitivity.csv, sensitivity.json and a
    /// tornado chart per target.
    ///
    /// Example: plancast sensitivity scenarios/guangxi-14th-fyp.toml --target rd_intensity_2035
    Sensitivity(SensitivityArgs),
    /// The value of one key at which a target is met with probability P (--vary KEY), or the
    /// annual growth each target needs from the starting point for a 50% and an 80% chance.
    /// Writes solve.json (the growth table) or solve-vary.json (--vary), so that both can
    /// share a folder.
    ///
    /// Example: plancast solve scenarios/guangxi-14th-fyp.toml --target rd_intensity_2025
    /// --probability 0.5 --vary indicators.rd_spend.growth.0.trend.mode
    Solve(SolveArgs),
    /// The targets of several scenarios side by side (same seed, common random numbers).
    /// Writes compare.csv, compare.json and a grouped chart.
    ///
    /// Example: plancast compare scenarios/guangxi-14th-fyp.toml
    /// scenarios/guangxi-14th-fyp-optimistic.toml scenarios/guangxi-14th-fyp-pessimistic.toml
    Compare(CompareArgs),
    /// Mean, spread and persistence of past growth from a yearly series (year,value), printed as
    /// a period block ready to paste into a scenario.
    ///
    /// Example: plancast calibrate scenarios/history/gdp_revised.csv --from 2010
    Calibrate(CalibrateArgs),
    /// Every target's probability as of each year, from the base year to the latest
    /// observation: how the odds moved as the data came in. Writes track.csv, track.json, a
    /// chart per target, an overview chart and track.html.
    ///
    /// Example: plancast track scenarios/guangxi-14th-fyp.toml --paths 20000
    Track(TrackArgs),
    /// The run as of a year scored against every value published since: PIT, coverage of the
    /// 50/80/90% bands, CRPS, and the Brier score of the targets decided since. Writes
    /// backtest.csv, backtest.json, a PIT histogram and a coverage chart.
    ///
    /// Example: plancast backtest scenarios/guangxi-14th-fyp.toml --as-of 2020
    Backtest(BacktestArgs),
    /// Print a shell completion script, generated from these very definitions.
    ///
    /// Example: plancast completions bash > ~/.local/share/bash-completion/completions/plancast
    Completions(CompletionsArgs),
    /// Print the manual page (roff), generated from these very definitions.
    ///
    /// Example: plancast man > plancast.1 && man ./plancast.1
    Man,
}

/// `plancast completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish or powershell.
    #[arg(value_enum)]
    pub shell: ShellArg,
}

/// The shells `plancast completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShellArg {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
    /// PowerShell.
    Powershell,
}

/// Simulation options shared by the analysis commands (as for `run`).
#[derive(Debug, Args)]
pub struct SimulationArgs {
    /// Override one value by its dotted path; repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Ignore observations after this year (e.g. the plan's base year for the ex-ante view).
    #[arg(long = "as-of", value_name = "YEAR")]
    pub as_of: Option<i64>,
    /// Paths per simulation (default: sensitivity 5000, solve 20000, compare the first
    /// scenario's `paths`, else 100000). Accepts 1e6 and 1_000_000.
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub paths: Option<u64>,
    /// Random seed shared by every simulation (default: the scenario's `seed`, else 1).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores; more than twice the cores are not used). Results do
    /// not depend on it.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
}

/// What the analysis commands print and in which language they draw (`sensitivity`, `solve`,
/// `compare`).
#[derive(Debug, Clone, Copy, Args)]
pub struct AnalysisOutputArgs {
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the result document (the JSON file written) on standard output instead of the
    /// table; every message goes to standard error.
    #[arg(long, conflicts_with = "quiet")]
    pub json: bool,
    /// Language of the charts and names: en, or zh for the scenario's Chinese names.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
}

/// `plancast sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Simulation options shared with `run`.
    #[command(flatten)]
    pub simulation: SimulationArgs,
    /// A target to analyse; repeatable (default: every target).
    #[arg(long = "target", value_name = "ID")]
    pub targets: Vec<String>,
    /// Simulate every assumption, also those no selected target can depend on (same numbers,
    /// more runs; for checking).
    #[arg(long)]
    pub all_assumptions: bool,
    /// Output folder (default: output/NAME/sensitivity/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Quiet, JSON and language.
    #[command(flatten)]
    pub output: AnalysisOutputArgs,
}

/// `plancast solve`.
#[derive(Debug, Args)]
pub struct SolveArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Simulation options shared with `run`.
    #[command(flatten)]
    pub simulation: SimulationArgs,
    /// The target (repeatable without --vary).
    #[arg(long = "target", value_name = "ID")]
    pub targets: Vec<String>,
    /// Every target: the required-growth table.
    #[arg(long, conflicts_with = "vary")]
    pub all: bool,
    /// The probability to reach, strictly between 0 and 1 (needed with --vary).
    #[arg(long, value_name = "P")]
    pub probability: Option<f64>,
    /// The numeric key to solve for, as a --set path, e.g.
    /// indicators.rd_spend.growth.0.trend.mode.
    #[arg(long, value_name = "KEY")]
    pub vary: Option<String>,
    /// Search the value of --vary between LO and HI.
    #[arg(long, num_args = 2, value_names = ["LO", "HI"], allow_negative_numbers = true)]
    pub range: Option<Vec<f64>>,
    /// Output folder (default: output/NAME/solve/). Paths per simulation default to 20000.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Quiet, JSON and language.
    #[command(flatten)]
    pub output: AnalysisOutputArgs,
}

/// `plancast compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Two or more scenario files.
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<PathBuf>,
    /// Simulation options shared with `run`.
    #[command(flatten)]
    pub simulation: SimulationArgs,
    /// Output folder (default: output/compare/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Quiet, JSON and language.
    #[command(flatten)]
    pub output: AnalysisOutputArgs,
}

/// Options of `track` and `backtest` besides the scenario.
#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// Override one value by its dotted path; repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Paths per run (default: the scenario's `paths`, else 100000). Accepts 1e6 and 1_000_000.
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub paths: Option<u64>,
    /// Random seed shared by every run (default: the scenario's `seed`, else 1).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores; more than twice the cores are not used). Results do
    /// not depend on it.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the result document (the JSON file written) on standard output instead of the
    /// table; every message goes to standard error.
    #[arg(long, conflicts_with = "quiet")]
    pub json: bool,
    /// Charts and report options.
    #[command(flatten)]
    pub charts: ChartArgs,
}

/// `plancast track`.
#[derive(Debug, Args)]
pub struct TrackArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// First as-of year (default: the scenario's base year).
    #[arg(long, value_name = "YEAR")]
    pub from: Option<i64>,
    /// Last as-of year (default: the latest year with a published value).
    #[arg(long, value_name = "YEAR")]
    pub to: Option<i64>,
    /// Output folder (default: output/NAME/track/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Paths, seed, overrides, threads, charts.
    #[command(flatten)]
    pub options: EvidenceArgs,
}

/// `plancast backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Score the run that uses only values published up to this year.
    #[arg(long = "as-of", value_name = "YEAR", required = true)]
    pub as_of: i64,
    /// Output folder (default: output/NAME/backtest/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Paths, seed, overrides, threads, charts.
    #[command(flatten)]
    pub options: EvidenceArgs,
}

/// `plancast calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// A CSV file with a header `year,value` and one line per year (`#` starts a comment line).
    pub history: PathBuf,
    /// First year to use.
    #[arg(long, value_name = "YEAR")]
    pub from: Option<i32>,
    /// Last year to use.
    #[arg(long, value_name = "YEAR")]
    pub to: Option<i32>,
    /// How yearly changes are measured: growth (percent) or additive (units).
    #[arg(long, value_name = "MODEL", value_enum, default_value_t = ChangeModelArg::Growth)]
    pub model: ChangeModelArg,
}

/// How `calibrate` measures yearly changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChangeModelArg {
    /// Percent growth (the `growth` model).
    Growth,
    /// Increments in units (the `additive` model).
    Additive,
}

/// Options shared by commands that read a scenario.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// The scenario file (TOML), e.g. scenarios/guangxi-14th-fyp.toml.
    pub scenario: PathBuf,
    /// Override one value by its dotted path; repeatable.
    /// Example: --set indicators.rd_spend.growth.0.trend.mean=14
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Ignore observations after this year (e.g. the plan's base year for the ex-ante view).
    #[arg(long = "as-of", value_name = "YEAR")]
    pub as_of: Option<i64>,
}

/// `plancast run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario, its overrides and as-of year.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Number of simulated paths (default: the scenario's `paths`, else 100000). Accepts 1e6 and
    /// 1_000_000.
    #[arg(long, value_name = "N", value_parser = parse_count, conflicts_with = "precision")]
    pub paths: Option<u64>,
    /// Add paths (16384, then doubling) until every target's 95% interval half-width is at most
    /// H (a probability, e.g. 0.005), or --max-paths is reached. The output says which.
    #[arg(long, value_name = "H", allow_negative_numbers = true)]
    pub precision: Option<f64>,
    /// The most paths --precision may use (default 10000000).
    #[arg(long, value_name = "N", value_parser = parse_count, requires = "precision")]
    pub max_paths: Option<u64>,
    /// Compute only part K of N of the paths (split by blocks of 16384) and write a partial
    /// result (partial.json) into --out; combine the parts with `plancast merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard, conflicts_with = "precision")]
    pub shard: Option<ShardSpec>,
    /// Random seed (default: the scenario's `seed`, else 1). Same seed, same numbers.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores; more than twice the cores are not used). Results do
    /// not depend on it.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Output folder (default: output/NAME/, NAME being the scenario file name without .toml).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print summary.json on standard output instead of the table; every message goes to
    /// standard error.
    #[arg(long, conflicts_with_all = ["shard", "quiet"])]
    pub json: bool,
    /// Charts and report options.
    #[command(flatten)]
    pub charts: ChartArgs,
}

/// `plancast plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// The output folder of an earlier `plancast run` (holding summary.json).
    pub out_dir: PathBuf,
    /// Language of the charts and report: en, or zh for the scenario's Chinese names.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
}

/// Language of charts and report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    /// English.
    En,
    /// Chinese (names from `name_zh` / `label_zh`).
    Zh,
}

/// Which part of a sharded run: `index` of `count`, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSpec {
    /// K, from 1 to `count`.
    pub index: u64,
    /// N, at least 1.
    pub count: u64,
}

/// Parses `K/N` with 1 <= K <= N.
pub fn parse_shard(text: &str) -> Result<ShardSpec, String> {
    let usage = format!("`{text}` is not a shard: write K/N, e.g. 2/8 for the second of 8 parts");
    let (k, n) = text.split_once('/').ok_or_else(|| usage.clone())?;
    let (index, count) = match (k.trim().parse::<u64>(), n.trim().parse::<u64>()) {
        (Ok(k), Ok(n)) => (k, n),
        _ => return Err(usage),
    };
    if count == 0 || index == 0 || index > count {
        return Err(format!(
            "shard `{text}`: K must be between 1 and N (e.g. 1/4 to 4/4)"
        ));
    }
    Ok(ShardSpec { index, count })
}

/// `plancast merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The output folders of the shards (each holds a partial.json), or the partial.json files.
    #[arg(required = true, value_name = "PART")]
    pub parts: Vec<PathBuf>,
    /// Output folder for the combined results.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Charts and report options.
    #[command(flatten)]
    pub charts: ChartArgs,
}

/// Whether and in which language to draw the charts and `report.html` (`run` and `merge`).
#[derive(Debug, Clone, Copy, Args)]
pub struct ChartArgs {
    /// Skip the charts and report.html (write only summary.json and the CSV files).
    #[arg(long)]
    pub no_charts: bool,
    /// Language of the charts and report: en, or zh for the scenario's Chinese names.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
}

/// `plancast show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The scenario, its overrides and as-of year.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Names in this language: en, or zh for the scenario's Chinese names.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// Print the tables as one JSON document.
    #[arg(long)]
    pub json: bool,
}

/// `plancast validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The scenario, its overrides and as-of year.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}

/// Parses a path count written as `100000`, `100_000`, `100,000` or `1e6`.
pub fn parse_count(text: &str) -> Result<u64, String> {
    // `_` and `,` group digits: each stands between two digits (`1_000_000`, `1,000,000`), so
    // `1,,0` and `1_` are not numbers.
    let chars: Vec<char> = text.chars().collect();
    let grouped = chars.iter().enumerate().all(|(i, c)| {
        !matches!(c, '_' | ',')
            || (i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()))
    });
    if !grouped {
        return Err(format!(
            "`{text}` is not a whole number of paths: `_` and `,` may only stand between digits (e.g. 100_000 or 1e6)"
        ));
    }
    let cleaned: String = chars.iter().filter(|c| !matches!(c, '_' | ',')).collect();
    if let Ok(n) = cleaned.parse::<u64>() {
        return Ok(n);
    }
    match cleaned.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x < 1.8e19 => Ok(x as u64),
        _ => Err(format!(
            "`{text}` is not a whole number of paths (e.g. 100000 or 1e6)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_count;

    #[test]
    fn path_counts_group_digits_only_between_digits() {
        for (text, n) in [
            ("100000", 100_000),
            ("1_000", 1000),
            ("1,000,000", 1_000_000),
            ("1e6", 1_000_000),
        ] {
            assert_eq!(parse_count(text), Ok(n), "{text}");
        }
        // Once read as 10 and 1.
        for text in ["1,,0", "1_", "_1", ",5", "1__0", "1e6_"] {
            assert!(parse_count(text).is_err(), "{text}");
        }
    }
}
