//! Excel workbooks (`results.xlsx`, `compare.xlsx`, `sensitivity.xlsx`): each sheet is a
//! [`Table`], the same one its CSV file is written from. Numbers are number cells (years and
//! path counts whole, probabilities in percent with two decimals), text is a string cell (never a
//! formula, so no `'` guard is needed as in CSV), Chinese is stored as written. The header row is
//! bold and frozen, the columns sized to their contents. Written in memory
//! ([`workbook`]) so that the file goes through the same atomic writer as every other output.

use super::csv::{quantiles_table, targets_table};
use super::sheet::{Cell, Table};
use super::show::{years, ScenarioView};
use super::summary::Summary;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

/// The number format of probability cells: percent with two decimals, so that 30 paths in
/// 100,000 show as 0.03% (the cell holds the exact share).
pub const PERCENT_FORMAT: &str = "0.00%";

/// Excel's longest text in one cell, in characters; longer text is cut there.
const MAX_TEXT: usize = 32_767;

/// The widest a column is sized to its contents, in pixels (about 50 characters), so that a long
/// source note does not make a column many screens wide.
const MAX_WIDTH_PIXELS: u32 = 360;

/// The bytes of an `.xlsx` workbook with one sheet per `(name, table)`, in order. Sheet names must
/// be valid Excel names (at most 31 characters, none of `[]:*?/\`); plancast's are fixed.
pub fn workbook(sheets: &[(&str, &Table)]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(1980, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format(PERCENT_FORMAT);
    for (name, table) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name)?;
        for (c, head) in table.header.iter().enumerate() {
            sheet.write_string_with_format(0, column(c)?, head.as_str(), &bold)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            for (c, cell) in row.iter().enumerate() {
                let c = column(c)?;
                match cell {
                    Cell::Text(s) if s.chars().count() > MAX_TEXT => {
                        let cut: String = s.chars().take(MAX_TEXT).collect();
                        sheet.write_string(r, c, cut)?;
                    }
                    Cell::Text(s) => {
                        sheet.write_string(r, c, s.as_str())?;
                    }
                    Cell::Number(x) if x.is_finite() => {
                        sheet.write_number(r, c, *x)?;
                    }
                    Cell::Percent(x) if x.is_finite() => {
                        sheet.write_number_with_format(r, c, *x, &percent)?;
                    }
                    Cell::Integer(n) => {
                        // Counts and years are far below 2^53: exact as a number cell.
                        sheet.write_number(r, c, *n as f64)?;
                    }
                    Cell::Number(_) | Cell::Percent(_) | Cell::Empty => {}
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        sheet.set_autofit_max_width(MAX_WIDTH_PIXELS);
        sheet.autofit();
    }
    book.save_to_buffer()
}

fn column(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

/// The bytes of `results.xlsx`: sheets `targets` and `quantiles` (the tables of `targets.csv` and
/// `quantiles.csv`), `assumptions` (the rows of `plancast show`, `view`, one per indicator and
/// period), `groups` and `milestones`.
pub fn results_workbook(summary: &Summary, view: &ScenarioView) -> Result<Vec<u8>, XlsxError> {
    workbook(&[
        ("targets", &targets_table(summary)),
        ("quantiles", &quantiles_table(summary)),
        ("assumptions", &assumptions_table(summary, view)),
        ("groups", &groups_table(summary)),
        ("milestones", &milestones_table(summary)),
    ])
}

/// The `assumptions` sheet: [`ScenarioView::assumptions`] with the trend's 5/50/95% values in
/// three columns, and the indicator's names in both languages and unit from the summary.
pub fn assumptions_table(summary: &Summary, view: &ScenarioView) -> Table {
    let mut table = Table::new([
        "indicator",
        "name",
        "name_zh",
        "unit",
        "model",
        "period",
        "trend",
        "trend_p05",
        "trend_p50",
        "trend_p95",
        "noise",
        "persistence",
        "observed_years",
        "source",
    ]);
    for r in &view.assumptions {
        let ind = summary.indicators.iter().find(|i| i.id == r.indicator);
        let trend = |k: usize| {
            r.trend_p05_p50_p95
                .get(k)
                .map_or(Cell::Empty, |&x| Cell::Number(x))
        };
        table.push(vec![
            Cell::text(&r.indicator),
            Cell::text(ind.map_or(r.name.as_str(), |i| i.name.as_str())),
            Cell::opt_text(ind.and_then(|i| i.name_zh.as_deref())),
            Cell::opt_text(ind.map(|i| i.unit.as_str())),
            Cell::text(&r.model),
            Cell::text(&r.period),
            Cell::text(&r.trend),
            trend(0),
            trend(1),
            trend(2),
            r.noise.map_or(Cell::Empty, Cell::Number),
            r.persistence.map_or(Cell::Empty, Cell::Number),
            Cell::text(years(&r.observed_years)),
            Cell::text(&r.source),
        ]);
    }
    table
}

/// The `groups` sheet: one row per group (joint probability of its targets).
pub fn groups_table(summary: &Summary) -> Table {
    let mut table = Table::new([
        "id",
        "label",
        "label_zh",
        "due_year",
        "targets",
        "probability",
        "ci_lower",
        "ci_upper",
        "std_error",
        "met_paths",
        "paths",
    ]);
    for g in &summary.groups {
        table.push(vec![
            Cell::text(&g.id),
            Cell::opt_text(g.label.as_deref()),
            Cell::opt_text(g.label_zh.as_deref()),
            g.due_year.map_or(Cell::Empty, |y| Cell::Integer(y.into())),
            Cell::text(g.targets.join(", ")),
            Cell::Percent(g.probability),
            Cell::Percent(g.ci_lower),
            Cell::Percent(g.ci_upper),
            Cell::Percent(g.std_error),
            Cell::count(g.met_paths),
            Cell::count(summary.run.paths),
        ]);
    }
    table
}

/// The `milestones` sheet: one row per pair of targets on one indicator, the later one's chance
/// given that the earlier one was met and given that it was missed.
pub fn milestones_table(summary: &Summary) -> Table {
    let mut table = Table::new([
        "earlier",
        "later",
        "given_met",
        "given_met_ci_lower",
        "given_met_ci_upper",
        "earlier_met_paths",
        "given_missed",
        "given_missed_ci_lower",
        "given_missed_ci_upper",
        "earlier_missed_paths",
    ]);
    let percent = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Percent);
    for m in &summary.milestones {
        table.push(vec![
            Cell::text(&m.earlier),
            Cell::text(&m.later),
            percent(m.given_met),
            percent(m.given_met_ci.map(|c| c[0])),
            percent(m.given_met_ci.map(|c| c[1])),
            Cell::count(m.earlier_met_paths),
            percent(m.given_missed),
            percent(m.given_missed_ci.map(|c| c[0])),
            percent(m.given_missed_ci.map(|c| c[1])),
            Cell::count(m.earlier_missed_paths),
        ]);
    }
    table
}
