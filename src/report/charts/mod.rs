//! Charts, drawn with plotters from a finished [`Summary`](crate::report::summary::Summary) (or
//! an analysis result) only, so `plancast plot` can redraw them from `summary.json`, each as SVG
//! and PNG. Charts depend on the summary and on the shared presentation pieces of
//! [`crate::report`] (numbers in [`format`](crate::report::format), text in
//! [`labels`](crate::report::labels), colours in [`style`](crate::report::style), embedded
//! [`fonts`](crate::report::fonts), the [`audit_line`](crate::report::audit::audit_line)); none
//! of those depends on the charts.
//!
//! Pieces shared by every chart kind:
//! - [`render()`]: draw one chart closure into both formats ([`Rendered`]);
//! - [`frame()`]: white background, title, subtitle and the audit line every chart carries;
//! - [`rows`]: the label column of the horizontal-row charts.
//!
//! A chart kind is one module with a function `fn chart(summary, ..., labels) -> Result<Rendered>`;
//! [`all`] draws every chart of a run.

pub mod all;
pub mod backend;
pub mod backtest;
pub mod compare;
pub mod fan;
pub mod frame;
pub mod outcome;
pub mod probabilities;
pub mod render;
pub mod rows;
pub mod tornado;
pub mod track;

pub use all::{draw_all, ChartFile, ChartKind};
pub use frame::frame;
pub use render::{render, Area, PlotError, Rendered};
