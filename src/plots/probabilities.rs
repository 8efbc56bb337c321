//! placeholder
use super::render::{PlotError, Rendered};
use super::text::Labels;
use crate::report::summary::Summary;
/// Draws the target-probability chart.
pub fn chart(_s: &Summary, _l: &Labels, _a: &str) -> Result<Rendered, PlotError> {
    super::render(10, 10, |_| Ok(()))
}
