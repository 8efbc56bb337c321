//! Results as people and programs read them: the documented summary record, the terminal table,
//! CSV and JSON files, and atomic writing of an output folder.

pub mod csv;
pub mod histogram;
pub mod html;
pub mod output;
pub mod summary;
pub mod table;
