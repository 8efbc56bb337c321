//! `targets.csv` and `quantiles.csv`: UTF-8 with a byte-order mark so that Excel shows Chinese
//! names intact, RFC 4180 quoting, numbers at full precision, one header row (pandas reads them
//! with `pd.read_csv(path, encoding="utf-8-sig")` or plain `pd.read_csv(path)`). The byte-order
//! mark, the number format and the finisher here serve every CSV file plancast writes, the
//! analysis files of [`super::analysis`] included.

use super::sheet::{Cell, Table};
use super::summary::{Quantiles, Summary, QUANTILES};

/// The UTF-8 byte-order mark that starts every CSV file, so that Excel reads it as UTF-8 and
/// shows Chinese names intact.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A number for a CSV cell: full precision (shortest text that reads back exactly), empty when
/// not finite.
pub fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// A cell as a spreadsheet may open it safely: text that begins with `=`, `+`, `-`, `@`, a tab
/// or a carriage return opens as a formula in Excel (or LibreOffice), so such text gets a
/// leading `'` (shown by neither, read as text), unless it is a number (`-3.5` stays a number).
/// Every cell of every CSV file plancast writes goes through here ([`write_row`]), since
/// labels, names, ids, units and sources are user text.
pub fn safe_cell(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && text.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Writes one record, every cell through [`safe_cell`].
pub fn write_row<I, S>(w: &mut csv::Writer<Vec<u8>>, cells: I) -> Result<(), csv::Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    w.write_record(
        cells
            .into_iter()
            .map(|c| safe_cell(c.as_ref()).into_owned()),
    )
}

/// `mean, sd, p05, ..., p95`: the columns of a distribution, in [`QUANTILES`] order.
fn distribution_columns() -> impl Iterator<Item = &'static str> {
    ["mean", "sd"]
        .into_iter()
        .chain(QUANTILES.iter().map(|(name, _)| *name))
}

/// Finishes a CSV writer into the file's bytes: [`BOM`], then the records.
pub fn finish(writer: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, csv::Error> {
    let body = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    let mut out = BOM.to_vec();
    out.extend(body);
    Ok(out)
}

/// A cell as CSV text: numbers of every kind at full precision ([`number`]).
pub fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Number(x) | Cell::Percent(x) => number(*x),
        Cell::Integer(n) => n.to_string(),
        Cell::Empty => String::new(),
    }
}

/// A table as a CSV file: byte-order mark, header, rows, every cell through [`safe_cell`].
pub fn table_csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    write_row(&mut w, &table.header)?;
    for row in &table.rows {
        write_row(&mut w, row.iter().map(cell_text))?;
    }
    w.flush()?;
    finish(w)
}

/// The table of `targets.csv` and of the `targets` sheet of `results.xlsx`: one row per target.
pub fn targets_table(summary: &Summary) -> Table {
    let mut header: Vec<&str> = vec![
        "id",
        "label",
        "label_zh",
        "indicator",
        "kind",
        "from",
        "due_year",
        "comparison",
        "threshold",
        "unit",
        "status",
        "basis",
        "past_due",
        "probability",
        "ci_lower",
        "ci_upper",
        "std_error",
        "met_paths",
        "paths",
    ];
    header.extend(distribution_columns());
    header.extend(["median_margin", "source"]);
    let mut table = Table::new(header);
    for t in &summary.targets {
        let mut row = vec![
            Cell::text(&t.id),
            Cell::opt_text(t.label.as_deref()),
            Cell::opt_text(t.label_zh.as_deref()),
            Cell::text(&t.indicator),
            Cell::text(t.kind.name()),
            Cell::Integer(t.from.into()),
            Cell::Integer(t.due_year.into()),
            Cell::text(t.comparison.symbol()),
            Cell::Number(t.threshold),
            Cell::text(&t.unit),
            Cell::text(
                serde_json::to_value(t.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            ),
            Cell::text(t.basis.map(|b| b.name()).unwrap_or_default()),
            Cell::text(if t.past_due { "true" } else { "false" }),
            Cell::Percent(t.probability),
            Cell::Percent(t.ci_lower),
            Cell::Percent(t.ci_upper),
            Cell::Percent(t.std_error),
            Cell::count(t.met_paths),
            Cell::count(summary.run.paths),
        ];
        row.extend(distribution_cells(&t.outcome));
        row.push(Cell::Number(t.median_margin));
        row.push(Cell::opt_text(t.source.as_deref()));
        table.push(row);
    }
    table
}

/// The contents of `targets.csv`: one row per target ([`targets_table`]).
pub fn targets_csv(summary: &Summary) -> Result<Vec<u8>, csv::Error> {
    table_csv(&targets_table(summary))
}

/// The table of `quantiles.csv` and of the `quantiles` sheet of `results.xlsx`: one row per
/// indicator and year.
pub fn quantiles_table(summary: &Summary) -> Table {
    let mut header: Vec<&str> = vec!["indicator", "year", "observed"];
    header.extend(distribution_columns());
    let mut table = Table::new(header);
    for ind in &summary.indicators {
        for y in &ind.years {
            let mut row = vec![
                Cell::text(&ind.id),
                Cell::Integer(y.year.into()),
                y.observed.map_or(Cell::Empty, Cell::Number),
            ];
            row.extend(distribution_cells(&y.quantiles));
            table.push(row);
        }
    }
    table
}

/// The contents of `quantiles.csv`: one row per indicator and year ([`quantiles_table`]).
pub fn quantiles_csv(summary: &Summary) -> Result<Vec<u8>, csv::Error> {
    table_csv(&quantiles_table(summary))
}

/// The cells of [`distribution_columns`].
fn distribution_cells(q: &Quantiles) -> impl Iterator<Item = Cell> {
    [q.mean, q.sd]
        .into_iter()
        .chain(q.values())
        .map(Cell::Number)
}

#[cfg(test)]
mod tests {
    use super::safe_cell;

    #[test]
    fn user_text_never_opens_as_a_formula() {
        for (text, safe) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+cmd|calc", "'+cmd|calc"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("-3.5", "-3.5"),
            ("+4", "+4"),
            ("GDP", "GDP"),
            ("", ""),
        ] {
            assert_eq!(safe_cell(text), safe, "{text}");
        }
    }
}
