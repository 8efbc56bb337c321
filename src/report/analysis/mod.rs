//! What the analysis commands print and write besides JSON: the text tables of `sensitivity`,
//! `solve`, `compare`, `calibrate`, `track` and `backtest`, and their CSV files. The
//! analyses in [`crate::analysis`] return result types; this module turns them into text and
//! files, with the number formatting and the CSV conventions ([`crate::report::csv::finish`]) of
//! every other output.

pub mod backtest;
pub mod calibrate;
pub mod compare;
pub mod sensitivity;
pub mod solve;
pub mod track;

use crate::analysis::RunRecord;

/// The first line of every analysis text: the scenario, the paths per simulation, the seed and
/// the as-of year, and why its probabilities may differ a little from another command's.
pub fn run_line(command: &str, run: &RunRecord) -> String {
    format!(
        "{command}: {} — {} paths per simulation, seed {}, as_of {}\n\
         (probabilities are estimates from {} paths each, shown with their 95% interval; a run with other paths differs within that interval: docs/analysis.md, \"Why the numbers differ\")\n\n",
        run.scenario,
        run.paths,
        run.seed,
        run.as_of
            .map(|y| y.to_string())
            .unwrap_or_else(|| "latest".to_string()),
        run.paths
    )
}
