//! `targets.csv` and `quantiles.csv`: UTF-8 with a byte-order mark so that Excel shows Chinese
//! names intact, RFC 4180 quoting, numbers at full precision, one header row (pandas reads them
//! with `pd.read_csv(path, encoding="utf-8-sig")` or plain `pd.read_csv(path)`). The byte-order
//! mark, the number format and the finisher here serve every CSV file plancast writes, the
//! analysis files of [`super::analysis`] included.

use super::summary::{Summary, QUANTILES};

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

/// The contents of `targets.csv`: one row per target.
pub fn targets_csv(summary: &Summary) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
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
        "probability",
        "ci_lower",
        "ci_upper",
        "std_error",
        "met_paths",
        "paths",
    ];
    header.extend(distribution_columns());
    header.extend(["median_margin", "source"]);
    write_row(&mut w, &header)?;
    for t in &summary.targets {
        let mut row = vec![
            t.id.clone(),
            t.label.clone().unwrap_or_default(),
            t.label_zh.clone().unwrap_or_default(),
            t.indicator.clone(),
            t.kind.name().to_string(),
            t.from.to_string(),
            t.due_year.to_string(),
            t.comparison.symbol().to_string(),
            number(t.threshold),
            t.unit.clone(),
            serde_json::to_value(t.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            t.basis.map(|b| b.name().to_string()).unwrap_or_default(),
            number(t.probability),
            number(t.ci_lower),
            number(t.ci_upper),
            number(t.std_error),
            t.met_paths.to_string(),
            summary.run.paths.to_string(),
            number(t.outcome.mean),
            number(t.outcome.sd),
        ];
        row.extend(t.outcome.values().iter().map(|&v| number(v)));
        row.push(number(t.median_margin));
        row.push(t.source.clone().unwrap_or_default());
        write_row(&mut w, &row)?;
    }
    w.flush()?;
    finish(w)
}

/// The contents of `quantiles.csv`: one row per indicator and year.
pub fn quantiles_csv(summary: &Summary) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = vec!["indicator", "year", "observed"];
    header.extend(distribution_columns());
    write_row(&mut w, &header)?;
    for ind in &summary.indicators {
        for y in &ind.years {
            let mut row = vec![
                ind.id.clone(),
                y.year.to_string(),
                y.observed.map(number).unwrap_or_default(),
                number(y.quantiles.mean),
                number(y.quantiles.sd),
            ];
            row.extend(y.quantiles.values().iter().map(|&v| number(v)));
            write_row(&mut w, &row)?;
        }
    }
    w.flush()?;
    finish(w)
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
