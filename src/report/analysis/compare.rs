//! The text and CSV of `plancast compare`: the printed side-by-side table and `compare.csv`.

use crate::analysis::compare::Comparison;
use crate::report::csv::{finish, number as num, write_row};
use crate::report::format::percent;

/// The contents of `compare.csv`: one row per target; per scenario, its probability and
/// interval (blank where the scenario lacks the target).
pub fn to_csv(comparison: &Comparison) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "target".to_string(),
        "label".to_string(),
        "due_year".to_string(),
    ];
    for c in &comparison.columns {
        header.push(format!("{}_probability", c.name));
        header.push(format!("{}_ci_lower", c.name));
        header.push(format!("{}_ci_upper", c.name));
    }
    write_row(&mut w, &header)?;
    for r in &comparison.rows {
        let mut record = vec![
            r.target.clone(),
            r.label.clone().unwrap_or_default(),
            r.due_year.to_string(),
        ];
        for cell in &r.cells {
            match cell {
                Some(c) => record.extend([num(c.probability), num(c.ci_lower), num(c.ci_upper)]),
                None => record.extend([String::new(), String::new(), String::new()]),
            }
        }
        write_row(&mut w, &record)?;
    }
    finish(w)
}

/// The printed table: one row per target, one column per scenario (probabilities in percent).
pub fn render(comparison: &Comparison) -> String {
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
    let mut text = format!("{:<id_width$} {:>4}", "target", "due");
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
                Some(c) => format!(
                    "{} [{:.1}, {:.1}]",
                    percent(c.probability),
                    100.0 * c.ci_lower,
                    100.0 * c.ci_upper
                ),
                None => String::new(),
            };
            text.push_str(&format!("  {shown:>width$}"));
        }
        text.push('\n');
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
