//! Charts of the analysis commands: a tornado chart per target (sensitivity) and a grouped bar
//! chart of the compared scenarios.

use super::compare::Comparison;
use super::sensitivity::SensitivityReport;
use super::AnalysisError;

/// Chart files (relative name, contents) for `sensitivity`: one tornado per target.
pub fn tornado_files(_report: &SensitivityReport) -> Result<Vec<(String, Vec<u8>)>, AnalysisError> {
    Ok(Vec::new())
}

/// Chart files for `compare`: the grouped bar chart.
pub fn compare_files(_comparison: &Comparison) -> Result<Vec<(String, Vec<u8>)>, AnalysisError> {
    Ok(Vec::new())
}
