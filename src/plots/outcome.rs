//! placeholder
use super::render::{PlotError, Rendered};
use super::text::Labels;
use crate::report::summary::{Summary, TargetResult};
/// Draws the outcome distribution of `target`.
pub fn chart(
    _s: &Summary,
    _t: &TargetResult,
    _l: &Labels,
    _a: &str,
) -> Result<Rendered, PlotError> {
    super::render(10, 10, |_| Ok(()))
}
