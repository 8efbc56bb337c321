//! Every chart of a run, drawn in parallel (rayon) but collected in a fixed order, so the files
//! written are the same whatever the number of threads.

use super::render::{PlotError, Rendered};
use super::{fan, outcome, probabilities};
use crate::report::audit::audit_line;
use crate::report::labels::Labels;
use crate::report::summary::Summary;
use rayon::prelude::*;

/// What a chart shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartKind {
    /// The target-probability chart of all targets.
    Probabilities,
    /// The fan chart of one indicator (its id).
    Fan(String),
    /// The outcome distribution of one target (its id).
    Outcome(String),
}

/// One drawn chart and where it goes.
#[derive(Debug, Clone)]
pub struct ChartFile {
    /// What it shows.
    pub kind: ChartKind,
    /// Path without extension, relative to the output folder (e.g. `charts/fan_gdp`).
    pub stem: String,
    /// The chart in both formats.
    pub rendered: Rendered,
}

/// File stem of the target-probability chart.
pub const PROBABILITIES_STEM: &str = "charts/target_probabilities";

/// The stem of a chart.
pub fn stem(kind: &ChartKind) -> String {
    match kind {
        ChartKind::Probabilities => PROBABILITIES_STEM.to_string(),
        ChartKind::Fan(id) => format!("charts/fan_{id}"),
        ChartKind::Outcome(id) => format!("charts/outcome_{id}"),
    }
}

/// Draws every chart of `summary`: the target probabilities, a fan chart per indicator and an
/// outcome distribution per target, in that order.
pub fn draw_all(summary: &Summary, labels: &Labels) -> Result<Vec<ChartFile>, PlotError> {
    let audit = audit_line(summary, labels);
    let mut kinds = vec![ChartKind::Probabilities];
    kinds.extend(
        summary
            .indicators
            .iter()
            .map(|i| ChartKind::Fan(i.id.clone())),
    );
    kinds.extend(
        summary
            .targets
            .iter()
            .map(|t| ChartKind::Outcome(t.id.clone())),
    );
    kinds
        .into_par_iter()
        .map(|kind| {
            let rendered = match &kind {
                ChartKind::Probabilities => probabilities::chart(summary, labels, &audit),
                ChartKind::Fan(id) => {
                    let indicator = summary.indicators.iter().find(|i| &i.id == id);
                    let indicator = indicator.ok_or_else(|| missing("indicator", id))?;
                    fan::chart(summary, indicator, labels, &audit)
                }
                ChartKind::Outcome(id) => {
                    let target = summary.targets.iter().find(|t| &t.id == id);
                    let target = target.ok_or_else(|| missing("target", id))?;
                    outcome::chart(summary, target, labels, &audit)
                }
            }?;
            Ok(ChartFile {
                stem: stem(&kind),
                kind,
                rendered,
            })
        })
        .collect()
}

fn missing(what: &str, id: &str) -> PlotError {
    PlotError::Draw(format!("no {what} `{id}` in the summary"))
}
