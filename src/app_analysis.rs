//! Running the analysis commands (`sensitivity`, `solve`, `compare`, `calibrate`): typed
//! arguments in, the library's analysis out, files written atomically through
//! [`crate::report::output::OutputDir`], and the text to print returned.

use crate::analysis::{self, calibrate, compare, sensitivity, solve, AnalysisError, CommonOptions};
use crate::app::Error;
use crate::cli::{CalibrateArgs, CompareArgs, SensitivityArgs, SimulationArgs, SolveArgs};
use crate::report;
use crate::report::labels::{Labels, Lang};
use crate::report::output::{FileSet, OutputDir};
use std::path::{Path, PathBuf};

impl From<AnalysisError> for Error {
    fn from(e: AnalysisError) -> Self {
        match e {
            AnalysisError::Input(d) => Error::Input(d),
            AnalysisError::Runtime(m) => Error::Runtime(m),
        }
    }
}

fn common(args: &SimulationArgs) -> CommonOptions {
    CommonOptions {
        sets: args.sets.clone(),
        paths: args.paths,
        seed: args.seed,
        as_of: args.as_of,
        threads: args.threads.map(usize::from),
    }
}

/// Writes `files` (relative name, contents) into `dir` atomically as the file set `set`;
/// returns the final paths.
fn write_all(dir: &Path, set: FileSet, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>, Error> {
    let fail =
        |e: std::io::Error| Error::Runtime(format!("cannot write to {}: {e}", dir.display()));
    let mut out = OutputDir::create(dir).map_err(fail)?;
    for (name, contents) in files {
        out.write(set, name, contents).map_err(fail)?;
    }
    out.commit().map_err(fail)
}

fn chart_error(e: crate::report::charts::PlotError) -> Error {
    Error::Runtime(e.to_string())
}

/// The SVG and PNG files of a chart, named `stem.svg` and `stem.png`.
fn chart_files(stem: &str, chart: crate::report::charts::Rendered) -> [(String, Vec<u8>); 2] {
    [
        (format!("{stem}.svg"), chart.svg.into_bytes()),
        (format!("{stem}.png"), chart.png),
    ]
}

fn json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec_pretty(value).map_err(|e| Error::Runtime(format!("cannot write JSON: {e}")))
}

fn wrote(paths: &[PathBuf]) -> String {
    let dirs: Vec<String> = paths
        .iter()
        .filter(|p| p.parent().and_then(|d| d.file_name()) != Some("charts".as_ref()))
        .map(|p| p.display().to_string())
        .collect();
    let charts = paths.len() - dirs.len();
    if charts > 0 {
        format!("wrote {} and {charts} chart files\n", dirs.join(", "))
    } else {
        format!("wrote {}\n", dirs.join(", "))
    }
}

/// `plancast sensitivity`.
pub fn sensitivity(args: &SensitivityArgs) -> Result<String, Error> {
    let pruning = if args.all_assumptions {
        sensitivity::Pruning::SimulateAll
    } else {
        sensitivity::Pruning::SkipIndependent
    };
    let report = sensitivity::run_with(
        &args.scenario,
        &common(&args.simulation),
        &args.targets,
        pruning,
    )?;
    let mut files = vec![
        ("sensitivity.json".to_string(), json(&report)?),
        (
            "sensitivity.csv".to_string(),
            report::analysis::sensitivity::to_csv(&report)?,
        ),
    ];
    let labels = Labels::new(Lang::En);
    let audit = report.run.audit_line();
    for target in &report.targets {
        // The chart shows only what the target can depend on.
        let chart =
            crate::report::charts::tornado::chart(&target.dependent_only(), &labels, &audit)
                .map_err(chart_error)?;
        files.extend(chart_files(&format!("charts/tornado-{}", target.id), chart));
    }
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| analysis::default_out_dir(&args.scenario, "sensitivity"));
    let written = write_all(&dir, FileSet::Sensitivity, &files)?;
    let mut text = report::analysis::sensitivity::render(&report);
    text.push_str(&wrote(&written));
    Ok(text)
}

/// `plancast solve`.
pub fn solve(args: &SolveArgs) -> Result<String, Error> {
    let request = solve::SolveRequest {
        targets: args.targets.clone(),
        all: args.all,
        probability: args.probability,
        vary: args.vary.clone(),
        range: args.range.as_ref().and_then(|r| match r.as_slice() {
            [lo, hi] => Some((*lo, *hi)),
            _ => None,
        }),
    };
    let report = solve::run(&args.scenario, &common(&args.simulation), &request)?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| analysis::default_out_dir(&args.scenario, "solve"));
    let written = write_all(
        &dir,
        FileSet::Solve,
        &[("solve.json".to_string(), json(&report)?)],
    )?;
    let mut text = report::analysis::solve::render(&report);
    text.push_str(&wrote(&written));
    Ok(text)
}

/// `plancast compare`.
pub fn compare(args: &CompareArgs) -> Result<String, Error> {
    let comparison = compare::run(&args.scenarios, &common(&args.simulation))?;
    let mut files = vec![
        (
            "compare.csv".to_string(),
            report::analysis::compare::to_csv(&comparison)?,
        ),
        ("compare.json".to_string(), json(&comparison)?),
    ];
    let labels = Labels::new(Lang::En);
    let audit = comparison
        .columns
        .first()
        .map(|c| c.run.audit_line())
        .unwrap_or_default();
    let chart =
        crate::report::charts::compare::chart(&comparison, &labels, &audit).map_err(chart_error)?;
    files.extend(chart_files("charts/compare", chart));
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join("compare"));
    let written = write_all(&dir, FileSet::Compare, &files)?;
    let mut text = report::analysis::compare::render(&comparison);
    text.push_str(&wrote(&written));
    Ok(text)
}

/// `plancast calibrate`: prints the estimates and the period block (writes no file).
pub fn calibrate(args: &CalibrateArgs) -> Result<String, Error> {
    if let (Some(from), Some(to)) = (args.from, args.to) {
        if from >= to {
            return Err(AnalysisError::argument(
                format!("--from {from} --to {to}"),
                "--from must come before --to",
            )
            .into());
        }
    }
    let model = if args.model == "additive" {
        calibrate::ChangeModel::Additive
    } else {
        calibrate::ChangeModel::Growth
    };
    let history = calibrate::read_history(&args.history)?;
    let result = calibrate::calibrate(
        &args.history.display().to_string(),
        &history,
        args.from,
        args.to,
        model,
    )?;
    Ok(report::analysis::calibrate::render(&result))
}
