//! The text and CSV of `plancast sensitivity`: the printed table of the assumptions that move
//! each target most, and `sensitivity.csv` (one row per target and assumption).

use crate::analysis::sensitivity::{Effect, SensitivityReport};
use crate::report::analysis::run_line;
use crate::report::format::{percent, percent_with_interval};
use crate::report::labels::{Labels, Lang};
use crate::report::sheet::{Cell, Table};

/// The table of `sensitivity.csv` and of `sensitivity.xlsx`: one row per (target, assumption).
pub fn table(report: &SensitivityReport) -> Table {
    let mut table = Table::new([
        "target",
        "assumption",
        "key",
        "kind",
        "low_value",
        "mid_value",
        "high_value",
        "p_base",
        "p_base_ci_lower",
        "p_base_ci_upper",
        "p_low",
        "p_mid",
        "p_high",
        "swing",
        "mean_low",
        "mean_mid",
        "mean_high",
        "variance_share",
        "note",
        "depends",
    ]);
    for t in &report.targets {
        for e in &t.effects {
            table.push(vec![
                Cell::text(&t.id),
                Cell::text(&e.assumption),
                Cell::text(&e.key),
                Cell::text(&e.kind),
                Cell::Number(e.low_value),
                Cell::Number(e.mid_value),
                Cell::Number(e.high_value),
                Cell::Percent(t.p_base),
                Cell::Percent(t.p_base_ci[0]),
                Cell::Percent(t.p_base_ci[1]),
                Cell::Percent(e.p_low),
                Cell::Percent(e.p_mid),
                Cell::Percent(e.p_high),
                Cell::Percent(e.swing),
                Cell::Number(e.outcome_means[0]),
                Cell::Number(e.outcome_means[1]),
                Cell::Number(e.outcome_means[2]),
                e.variance_share.map_or(Cell::Empty, Cell::Percent),
                Cell::opt_text(e.note.as_deref()),
                Cell::text(e.depends.to_string()),
            ]);
        }
    }
    table
}

/// The contents of `sensitivity.csv` ([`table`]).
pub fn to_csv(report: &SensitivityReport) -> Result<Vec<u8>, csv::Error> {
    crate::report::csv::table_csv(&table(report))
}

/// The contents of `sensitivity.xlsx`: one sheet, `sensitivity`, with the rows of
/// `sensitivity.csv`.
pub fn to_xlsx(report: &SensitivityReport) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    crate::report::xlsx::workbook(&[("sensitivity", &table(report))])
}

/// The printed table: per target, the three assumptions that matter most; `labels` chooses
/// the language of the target names.
pub fn render(report: &SensitivityReport, labels: &Labels) -> String {
    let mut text = run_line("sensitivity", &report.run);
    for t in &report.targets {
        let name = match (labels.lang(), &t.label_zh, &t.label) {
            (Lang::Zh, Some(zh), _) => format!(" {zh}"),
            _ => String::new(),
        };
        text.push_str(&format!(
            "{}{name}  (due {}, base probability {}{})\n",
            t.id,
            t.due_year,
            percent_with_interval(t.p_base, t.p_base_ci[0], t.p_base_ci[1]),
            if t.decided {
                ", decided by observations"
            } else {
                ""
            }
        ));
        let top: Vec<&Effect> = t
            .effects
            .iter()
            .filter(|e| e.depends && (e.swing > 0.0 || e.variance_share.unwrap_or(0.0) > 0.0))
            .take(3)
            .collect();
        if top.is_empty() {
            text.push_str("    no assumption moves it\n");
        }
        for (rank, e) in top.iter().enumerate() {
            text.push_str(&format!(
                "    {}. {:<48} p {} -> {} (at {} -> {})  variance share {}\n",
                rank + 1,
                e.assumption,
                percent(e.p_low),
                percent(e.p_high),
                short(e.low_value),
                short(e.high_value),
                e.variance_share
                    .map(crate::report::charts::tornado::share)
                    .unwrap_or_else(|| "-".to_string())
            ));
        }
    }
    if report.skipped_assumptions == 0 {
        text.push_str("\nno assumption skipped\n");
    } else {
        text.push_str(&format!(
            "\n{} of {} assumptions skipped as independent of the selected target(s)\n",
            report.skipped_assumptions,
            report.assumptions.len()
        ));
    }
    text.push_str(&format!(
        "{} assumptions, {} simulations of {} paths (seed {}) in {:.1} s\n",
        report.assumptions.len(),
        report.simulations,
        report.run.paths,
        report.run.seed,
        report.elapsed_seconds
    ));
    text
}

/// A compact number for the table.
fn short(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}
