//! Results as people and programs read them: the documented summary record, the terminal table,
//! CSV, JSON and Excel files, the charts, the HTML report, the analysis texts and files, and atomic
//! writing of an output folder.
//!
//! Dependencies run one way: [`summary`] holds the numbers; the presentation pieces
//! ([`format`](mod@format), [`labels`], [`style`], [`fonts`], [`audit`]) use only the summary;
//! [`table`], [`sheet`], [`csv`], [`analysis`] and [`charts`] use those; [`xlsx`] writes the
//! [`sheet`] tables of [`csv`], [`show`] and [`analysis`] as workbooks; [`html`] uses the charts
//! and embeds the faces of [`fonts`] cut to the page ([`page_fonts`], [`font_subset`]).

pub mod analysis;
pub mod audit;
pub mod charts;
pub mod csv;
pub mod font_subset;
pub mod fonts;
pub mod format;
pub mod histogram;
pub mod html;
pub mod labels;
pub mod output;
pub mod page_fonts;
pub mod sheet;
pub mod show;
pub mod style;
pub mod summary;
pub mod table;
pub mod track_html;
pub mod xlsx;

pub use audit::audit_line;
pub use labels::{Labels, Lang};
pub use style::Status;
