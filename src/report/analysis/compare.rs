//! The text and CSV of `plancast compare`: the printed side-by-side table and `compare.csv`.

use crate::analysis::compare::{Cell, Comparison};
use crate::report::analysis::run_line;
use crate::report::format::percent_with_interval;
use crate::report::labels::{Labels, Lang};
use crate::report::sheet::{Cell as SheetCell, Table};

/// The table of `compare.csv` and of `compare.xlsx`: one row per target, then one per joint
/// probability (`kind` says which); per scenario, its probability and interval (blank where the
/// scenario lacks the row), and for every scenario after the first its change from the first
/// (`NAME_change`, in probability).
pub fn table(comparison: &Comparison) -> Table {
    let mut header = vec![
        "kind".to_string(),
        "target".to_string(),
        "label".to_string(),
        "label_zh".to_string(),
        "due_year".to_string(),
    ];
    for (c, column) in comparison.columns.iter().enumerate() {
        header.push(format!("{}_probability", column.name));
        header.push(format!("{}_ci_lower", column.name));
        header.push(format!("{}_ci_upper", column.name));
        if c > 0 {
            header.push(format!("{}_change", column.name));
        }
    }
    let mut table = Table::new(header);
    let cells = |record: &mut Vec<SheetCell>, cells: &[Option<Cell>]| {
        let first = cells.first().copied().flatten().map(|c| c.probability);
        for (c, cell) in cells.iter().enumerate() {
            match cell {
                Some(x) => {
                    record.extend([x.probability, x.ci_lower, x.ci_upper].map(SheetCell::Percent))
                }
                None => record.extend([SheetCell::Empty, SheetCell::Empty, SheetCell::Empty]),
            }
            if c > 0 {
                record.push(match (cell, first) {
                    (Some(x), Some(f)) => SheetCell::Percent(x.probability - f),
                    _ => SheetCell::Empty,
                });
            }
        }
    };
    for r in &comparison.rows {
        let mut record = vec![
            SheetCell::text("target"),
            SheetCell::text(&r.target),
            SheetCell::opt_text(r.label.as_deref()),
            SheetCell::opt_text(r.label_zh.as_deref()),
            SheetCell::Integer(r.due_year.into()),
        ];
        cells(&mut record, &r.cells);
        table.push(record);
    }
    for g in &comparison.groups {
        let mut record = vec![
            SheetCell::text("group"),
            SheetCell::text(&g.id),
            SheetCell::opt_text(g.label.as_deref()),
            SheetCell::opt_text(g.label_zh.as_deref()),
            SheetCell::Empty,
        ];
        cells(&mut record, &g.cells);
        table.push(record);
    }
    table
}

/// The contents of `compare.csv` ([`table`]).
pub fn to_csv(comparison: &Comparison) -> Result<Vec<u8>, csv::Error> {
    crate::report::csv::table_csv(&table(comparison))
}

/// The contents of `compare.xlsx`: one sheet, `compare`, with the rows of `compare.csv`.
pub fn to_xlsx(comparison: &Comparison) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    crate::report::xlsx::workbook(&[("compare", &table(comparison))])
}

/// The printed table: one row per target, one column per scenario (probabilities in percent);
/// `labels` chooses the language of the target names.
pub fn render(comparison: &Comparison, labels: &Labels) -> String {
    let width = comparison
        .columns
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(20);
    let id_width = comparison
        .rows
        .iter()
        .map(|r| r.target.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    let mut text = String::new();
    if let Some(first) = comparison.columns.first() {
        text.push_str(&run_line("compare", &first.run));
    }
    text.push_str(&format!("{:<id_width$} {:>4}", "target", "due"));
    for c in &comparison.columns {
        text.push_str(&format!("  {:>width$}", c.name));
    }
    text.push('\n');
    for r in &comparison.rows {
        text.push_str(&format!("{:<id_width$} {:>4}", r.target, r.due_year));
        for cell in &r.cells {
            let shown = match cell {
                // The same wording as the `run` table, so both read alike.
                Some(c) if c.decided && c.probability >= 1.0 => "met (observed)".to_string(),
                Some(c) if c.decided => "missed (observed)".to_string(),
                Some(c) => percent_with_interval(c.probability, c.ci_lower, c.ci_upper),
                None => String::new(),
            };
            text.push_str(&format!("  {shown:>width$}"));
        }
        if labels.lang() == Lang::Zh {
            if let Some(name) = r.label_zh.as_deref().or(r.label.as_deref()) {
                text.push_str(&format!("  {name}"));
            }
        }
        text.push('\n');
    }
    if !comparison.groups.is_empty() {
        text.push_str("\njoint probabilities\n");
        let group_width = comparison
            .groups
            .iter()
            .map(|g| g.id.chars().count())
            .max()
            .unwrap_or(0)
            .max(id_width + 5);
        for g in &comparison.groups {
            text.push_str(&format!("{:<group_width$}", g.id));
            for cell in &g.cells {
                let shown = cell
                    .map(|c| percent_with_interval(c.probability, c.ci_lower, c.ci_upper))
                    .unwrap_or_default();
                text.push_str(&format!("  {shown:>width$}"));
            }
            text.push('\n');
        }
    }
    if let Some(first) = comparison.columns.first() {
        text.push_str(&format!(
            "\n{} scenarios, each {} paths with seed {} (common random numbers), in {:.1} s\n",
            comparison.columns.len(),
            first.run.paths,
            first.run.seed,
            comparison.elapsed_seconds
        ));
    }
    text
}
