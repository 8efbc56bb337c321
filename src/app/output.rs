//! Writing a command's outputs: every file set goes through the report's one atomic writer
//! ([`crate::report::output::write_files`]); errors become the message a user reads.

use super::Error;
use crate::report::{self, output, output::FileSet};
use std::path::{Path, PathBuf};

/// Writes files into `dir` atomically as one set ([`output::write_files`]); returns the final
/// paths, or the error a user reads.
pub fn write_set(dir: &Path, files: &[(FileSet, &str, &[u8])]) -> Result<Vec<PathBuf>, Error> {
    output::write_files(dir, files).map_err(|e| {
        // "No such file or directory" for a folder that exists: a folder that takes no new
        // files, such as /proc/self (issue 13). That is the --out argument's fault (exit 2).
        if e.kind() == std::io::ErrorKind::NotFound && dir.is_dir() {
            return Error::BadArgument(format!(
                "cannot write to {}: the folder takes no new files (a system folder such as /proc or /sys?); choose another --out",
                dir.display()
            ));
        }
        Error::Runtime(format!("cannot write to {}: {e}", dir.display()))
    })
}

/// The assumptions of `loaded` as `plancast show` lists them (English names), for the
/// `assumptions` sheet of `results.xlsx`.
pub fn assumptions_view(loaded: &crate::scenario::Loaded) -> report::show::ScenarioView {
    report::show::build(loaded, &report::Labels::new(report::Lang::En))
}

/// Writes summary.json, targets.csv, quantiles.csv, results.xlsx (the results set; `view` gives
/// the workbook's `assumptions` sheet) and the given chart and report files (the charts set, left
/// as it is when `None`) into `dir`, atomically.
pub fn write_outputs(
    dir: &Path,
    summary: &report::summary::Summary,
    view: &report::show::ScenarioView,
    charts: Option<&Vec<(String, Vec<u8>)>>,
) -> Result<Vec<PathBuf>, Error> {
    let encode = |e: String| Error::Runtime(format!("cannot encode the results: {e}"));
    let json = serde_json::to_vec_pretty(summary).map_err(|e| encode(e.to_string()))?;
    let targets = report::csv::targets_csv(summary).map_err(|e| encode(e.to_string()))?;
    let quantiles = report::csv::quantiles_csv(summary).map_err(|e| encode(e.to_string()))?;
    let workbook =
        report::xlsx::results_workbook(summary, view).map_err(|e| encode(e.to_string()))?;
    let mut files: Vec<(FileSet, &str, &[u8])> = vec![
        (FileSet::Results, "summary.json", &json),
        (FileSet::Results, "targets.csv", &targets),
        (FileSet::Results, "quantiles.csv", &quantiles),
        (FileSet::Results, "results.xlsx", &workbook),
    ];
    for (relative, contents) in charts.into_iter().flatten() {
        files.push((FileSet::Charts, relative, contents));
    }
    write_set(dir, &files)
}
