//! Running the analysis commands (`sensitivity`, `solve`, `compare`, `calibrate`): load the
//! scenarios, resolve the ids and keys the user typed (errors name the flag), call the library's
//! analysis, render its result, and write the files atomically; return the text to print.

use super::output::write_set;
use super::settings::{AnalysisOutput, Calibrate, Compare, Sensitivity, Solve, SolveMode};
use super::{argument_error, argument_error_with_help, Error};
use crate::analysis::{calibrate, compare, sensitivity, solve, AnalysisError};
use crate::model::Scenario;
use crate::report;
use crate::report::labels::Labels;
use crate::report::output::FileSet;
use crate::scenario::diagnostic::{did_you_mean, Diagnostic, Location};
use crate::scenario::{self, Diagnostics, Loaded};
use std::path::{Path, PathBuf};

impl From<AnalysisError> for Error {
    fn from(e: AnalysisError) -> Self {
        match e {
            AnalysisError::Edit(e) => Error::BadArgument(e.to_string()),
            AnalysisError::NoSolution(m) => Error::BadArgument(m),
            AnalysisError::Engine(e) => Error::Runtime(e.to_string()),
            AnalysisError::Runtime(m) => Error::Runtime(m),
        }
    }
}

/// Indices of the targets named by `--target` (all targets when none is named), or an error
/// that names the unknown id and the nearest valid one.
fn select_targets(scenario: &Scenario, ids: &[String]) -> Result<Vec<usize>, Error> {
    if ids.is_empty() {
        return Ok((0..scenario.targets().len()).collect());
    }
    ids.iter()
        .map(|id| {
            scenario.target_index(id).ok_or_else(|| {
                argument_error_with_help(
                    format!("--target {id}"),
                    format!("the scenario has no target `{id}`"),
                    did_you_mean(id, scenario.targets().iter().map(|t| t.id.as_str())),
                )
            })
        })
        .collect()
}

pub(super) fn csv_error(e: csv::Error) -> Error {
    Error::Runtime(format!("cannot write CSV: {e}"))
}

pub(super) fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Runtime(format!("cannot write the workbook: {e}"))
}

pub(super) fn chart_error(e: crate::report::charts::PlotError) -> Error {
    Error::Runtime(e.to_string())
}

/// The SVG and PNG files of a chart, named `stem.svg` and `stem.png`.
pub(super) fn chart_files(
    stem: &str,
    chart: crate::report::charts::Rendered,
) -> [(String, Vec<u8>); 2] {
    [
        (format!("{stem}.svg"), chart.svg.into_bytes()),
        (format!("{stem}.png"), chart.png),
    ]
}

pub(super) fn json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec_pretty(value).map_err(|e| Error::Runtime(format!("cannot write JSON: {e}")))
}

/// Writes `files` into `dir` as the file set `set`.
pub(super) fn write_all(
    dir: &Path,
    set: FileSet,
    files: &[(String, Vec<u8>)],
) -> Result<Vec<PathBuf>, Error> {
    let files: Vec<(FileSet, &str, &[u8])> = files
        .iter()
        .map(|(name, contents)| (set, name.as_str(), contents.as_slice()))
        .collect();
    write_set(dir, &files)
}

/// What an analysis command prints: the result document (`--json`), nothing (`--quiet`), or
/// its table followed by the files written.
fn printed(
    output: AnalysisOutput,
    document: &[u8],
    table: impl FnOnce() -> String,
    written: &[PathBuf],
) -> String {
    if output.json {
        let mut text = String::from_utf8_lossy(document).into_owned();
        text.push('\n');
        text
    } else if output.quiet {
        String::new()
    } else {
        let mut text = table();
        text.push_str(&wrote(written));
        text
    }
}

pub(super) fn wrote(paths: &[PathBuf]) -> String {
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
pub fn sensitivity(settings: &Sensitivity) -> Result<String, Error> {
    let sim = settings.simulation;
    let loaded = settings.input.load(sim.paths, sim.seed)?;
    let chosen = select_targets(&loaded.scenario, &settings.targets)?;
    let report = sensitivity::run(&loaded, &chosen, settings.pruning, sim.threads)?;
    let document = json(&report)?;
    let mut files = vec![
        ("sensitivity.json".to_string(), document.clone()),
        (
            "sensitivity.csv".to_string(),
            report::analysis::sensitivity::to_csv(&report).map_err(csv_error)?,
        ),
        (
            "sensitivity.xlsx".to_string(),
            report::analysis::sensitivity::to_xlsx(&report).map_err(xlsx_error)?,
        ),
    ];
    let labels = Labels::new(settings.output.lang);
    let audit = crate::report::audit::analysis_audit_line(&report.run);
    for target in &report.targets {
        // The chart shows only what the target can depend on.
        let chart =
            crate::report::charts::tornado::chart(&target.dependent_only(), &labels, &audit)
                .map_err(chart_error)?;
        files.extend(chart_files(&format!("charts/tornado-{}", target.id), chart));
    }
    let written = write_all(&settings.out, FileSet::Sensitivity, &files)?;
    Ok(printed(
        settings.output,
        &document,
        || report::analysis::sensitivity::render(&report, &labels),
        &written,
    ))
}

/// `plancast solve`.
pub fn solve(settings: &Solve) -> Result<String, Error> {
    let sim = settings.simulation;
    let loaded = settings.input.load(sim.paths, sim.seed)?;
    let scenario = &loaded.scenario;
    let request = match &settings.mode {
        SolveMode::Vary {
            target,
            probability,
            key,
            range,
        } => solve::SolveRequest::Vary {
            target: select_targets(scenario, std::slice::from_ref(target))?[0],
            knob: scenario::knob::resolve(&loaded, key).map_err(|e| {
                argument_error_with_help(format!("--vary {key}"), e.message, e.help)
            })?,
            key: key.clone(),
            probability: *probability,
            range: *range,
        },
        SolveMode::Growth {
            targets,
            probability,
            all,
        } => solve::SolveRequest::Growth {
            targets: if *all {
                (0..scenario.targets().len()).collect()
            } else {
                select_targets(scenario, targets)?
            },
            all: *all,
            probability: *probability,
        },
    };
    let report =
        solve::run(&loaded, &request, sim.threads).map_err(|e| match (&settings.mode, e) {
            // A trial value the model refuses, or no value in the range: the problem is with --vary.
            (SolveMode::Vary { key, .. }, AnalysisError::Edit(e)) => argument_error_with_help(
                format!("--vary {key}"),
                e.to_string(),
                Some(format!(
                    "give --range LO HI within the values `{key}` may take"
                )),
            ),
            (SolveMode::Vary { key, .. }, AnalysisError::NoSolution(m)) => {
                argument_error(format!("--vary {key}"), m)
            }
            (_, e) => e.into(),
        })?;
    // The growth table and a --vary answer are separate sets, so neither replaces the other.
    let (set, name) = match settings.mode {
        SolveMode::Vary { .. } => (FileSet::SolveVary, "solve-vary.json"),
        SolveMode::Growth { .. } => (FileSet::Solve, "solve.json"),
    };
    let document = json(&report)?;
    let written = write_all(&settings.out, set, &[(name.to_string(), document.clone())])?;
    let labels = Labels::new(settings.output.lang);
    Ok(printed(
        settings.output,
        &document,
        || report::analysis::solve::render(&report, &labels),
        &written,
    ))
}

/// Says which scenario a loading problem (e.g. a `--set` key it lacks) belongs to.
fn naming(error: Error, path: &Path) -> Error {
    match error {
        Error::Input(mut d) => {
            for diagnostic in &mut d.0 {
                if diagnostic.help.is_none() {
                    diagnostic.help = Some(format!("while loading {}", path.display()));
                }
            }
            Error::Input(d)
        }
        other => other,
    }
}

/// `plancast compare`.
pub fn compare(settings: &Compare) -> Result<String, Error> {
    if settings.inputs.len() < 2 {
        return Err(argument_error(
            "compare",
            "give at least two scenario files to compare",
        ));
    }
    // The first scenario fixes the seed and paths for all (common random numbers).
    let sim = settings.simulation;
    let mut loaded: Vec<(String, Loaded)> = Vec::with_capacity(settings.inputs.len());
    for (c, input) in settings.inputs.iter().enumerate() {
        let (paths, seed) = match loaded.first() {
            None => (sim.paths, sim.seed),
            Some((_, first)) => (Some(first.scenario.paths()), Some(first.scenario.seed())),
        };
        let l = input
            .load(paths, seed)
            .map_err(|e| naming(e, &input.path))?;
        let stem = input
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| format!("scenario{}", c + 1));
        loaded.push((stem, l));
    }
    let comparison = compare::run(&loaded, sim.threads)?;
    let document = json(&comparison)?;
    let mut files = vec![
        (
            "compare.csv".to_string(),
            report::analysis::compare::to_csv(&comparison).map_err(csv_error)?,
        ),
        (
            "compare.xlsx".to_string(),
            report::analysis::compare::to_xlsx(&comparison).map_err(xlsx_error)?,
        ),
        ("compare.json".to_string(), document.clone()),
    ];
    let labels = Labels::new(settings.output.lang);
    let runs: Vec<&crate::analysis::RunRecord> =
        comparison.columns.iter().map(|c| &c.run).collect();
    let audit = crate::report::audit::comparison_audit_line(&runs);
    let chart =
        crate::report::charts::compare::chart(&comparison, &labels, &audit).map_err(chart_error)?;
    files.extend(chart_files(
        "charts/compare-change",
        crate::report::charts::compare::change_chart(&comparison, &labels, &audit)
            .map_err(chart_error)?,
    ));
    files.extend(chart_files("charts/compare", chart));
    let written = write_all(&settings.out, FileSet::Compare, &files)?;
    Ok(printed(
        settings.output,
        &document,
        || report::analysis::compare::render(&comparison, &labels),
        &written,
    ))
}

/// `plancast calibrate`: prints the estimates and the period block (writes no file).
pub fn calibrate(settings: &Calibrate) -> Result<String, Error> {
    let history = scenario::history::read_history(&settings.history)?;
    let file = settings.history.display().to_string();
    let result = calibrate::calibrate(&file, &history, settings.from, settings.to, settings.model)
        .map_err(|e| match e {
            AnalysisError::NoSolution(m) => Error::Input(Diagnostics(vec![Diagnostic::located(
                Location::FileOnly(file.clone()),
                m,
            )])),
            other => other.into(),
        })?;
    Ok(report::analysis::calibrate::render(&result))
}
