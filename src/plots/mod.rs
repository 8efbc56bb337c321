//! Charts, drawn with plotters from a finished [`Summary`](crate::report::summary::Summary) only
//! (so `plancast plot` can redraw them from `summary.json`), each as SVG and PNG.
//!
//! Shared pieces, for every chart kind:
//! - [`render()`]: draw one chart closure into both formats ([`Rendered`]), then
//!   [`Rendered::write_to`] an [`OutputDir`](crate::report::output::OutputDir);
//! - [`frame`]: white background, title, subtitle and the [`audit_line`] every chart carries;
//! - [`Labels`]: text in the chosen [`Lang`], with the embedded [`fonts`] and a fallback to the
//!   English name (reported once) where a Chinese name has a character the font lacks;
//! - [`style`]: colours and the four [`Status`] classes of a probability.
//!
//! A chart kind is one module with a function `fn chart(summary, ..., labels) -> Result<Rendered>`.

pub mod audit;
pub mod backend;
pub mod charts;
pub mod compare;
pub mod fan;
pub mod fonts;
pub mod format;
pub mod outcome;
pub mod probabilities;
pub mod render;
pub mod rows;
pub mod style;
pub mod text;
pub mod tornado;

pub use audit::{audit_line, frame};
pub use render::{render, Area, PlotError, Rendered};
pub use style::Status;
pub use text::{Labels, Lang};
