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
