//! What the analysis commands print and write besides JSON: the text tables of `sensitivity`,
//! `solve`, `compare` and `calibrate`, and the CSV files of `sensitivity` and `compare`. The
//! analyses in [`crate::analysis`] return result types; this module turns them into text and
//! files, with the number formatting and the CSV conventions ([`crate::report::csv::finish`]) of
//! every other output.

pub mod calibrate;
pub mod compare;
pub mod sensitivity;
pub mod solve;
