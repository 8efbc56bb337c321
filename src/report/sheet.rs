//! A table of typed cells: the one description of a tabular output, written both as CSV
//! ([`super::csv::table_csv`]) and as a sheet of an Excel workbook ([`super::xlsx`]), so that
//! `targets.csv` and the `targets` sheet of `results.xlsx` cannot drift apart. Plain data: it
//! imports neither writer.

/// One cell. The kind decides how a workbook shows it; in CSV every number is written at full
/// precision whatever its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (labels, ids, units, sources): a string cell, never a formula.
    Text(String),
    /// A number shown as written (general format); blank when not finite.
    Number(f64),
    /// A probability or share in 0..1, shown in percent in a workbook; blank when not finite.
    Percent(f64),
    /// A whole number (a year, a count of paths).
    Integer(i64),
    /// Nothing.
    Empty,
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// A text cell from an optional text (blank when missing).
    pub fn opt_text(s: Option<&str>) -> Cell {
        s.map_or(Cell::Empty, Cell::text)
    }

    /// A count of paths (saturating at `i64::MAX`, far beyond any run).
    pub fn count(n: u64) -> Cell {
        Cell::Integer(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

/// A header row and rows of cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these column names.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Self {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(
            row.len(),
            self.header.len(),
            "row length differs from header"
        );
        self.rows.push(row);
    }
}
