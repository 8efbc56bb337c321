//! `plancast compare`: the targets of several scenarios side by side. Every scenario runs with
//! the same seed and the same number of paths (those of the first scenario unless `--seed` and
//! `--paths` are given), so the draws that two scenarios share are the same: a difference between
//! two columns is the effect of the scenarios' differences, not noise.

use super::{finish_csv, simulate_targets, AnalysisError, RunRecord};
use crate::report::table::percent;
use crate::scenario::Loaded;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// One scenario's column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Short name used in headers (the file stem, made unique).
    pub name: String,
    /// What was run.
    pub run: RunRecord,
}

/// One cell: a target's probability in one scenario.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Probability that the target is met.
    pub probability: f64,
    /// 95% Wilson interval, lower end.
    pub ci_lower: f64,
    /// 95% Wilson interval, upper end.
    pub ci_upper: f64,
    /// Decided by observations.
    pub decided: bool,
}

/// One row: a target across the scenarios (None where a scenario lacks it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Target id.
    pub target: String,
    /// Label (from the first scenario that has the target).
    pub label: Option<String>,
    /// Due year.
    pub due_year: i32,
    /// One cell per column.
    pub cells: Vec<Option<Cell>>,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Format tag: "plancast-compare/1".
    pub format: String,
    /// The scenarios, in the order given.
    pub columns: Vec<Column>,
    /// One row per target, in order of first appearance.
    pub rows: Vec<Row>,
    /// Wall-clock seconds.
    pub elapsed_seconds: f64,
}

/// Runs every scenario (loaded by the application with the same seed and paths, so that the
/// draws they share are the same), each under its stem: the file name without `.toml`.
pub fn run(
    scenarios: &[(String, Loaded)],
    threads: Option<usize>,
) -> Result<Comparison, AnalysisError> {
    let started = Instant::now();
    let mut columns = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    for (c, (stem, l)) in scenarios.iter().enumerate() {
        let (_, stats) = simulate_targets(&l.scenario, threads)?;
        let mut name = stem.clone();
        let mut n = 2;
        while columns.iter().any(|col: &Column| col.name == name) {
            name = format!("{stem}_{n}");
            n += 1;
        }
        columns.push(Column {
            name,
            run: RunRecord::of(l),
        });
        for (k, t) in l.scenario.targets().iter().enumerate() {
            let row = match rows.iter().position(|r| r.target == t.id) {
                Some(r) => r,
                None => {
                    rows.push(Row {
                        target: t.id.clone(),
                        label: t.label.clone(),
                        due_year: t.due_year(),
                        cells: vec![None; scenarios.len()],
                    });
                    rows.len() - 1
                }
            };
            let s = stats[k];
            rows[row].cells[c] = Some(Cell {
                probability: s.probability.estimate,
                ci_lower: if s.decided {
                    s.probability.estimate
                } else {
                    s.probability.lower
                },
                ci_upper: if s.decided {
                    s.probability.estimate
                } else {
                    s.probability.upper
                },
                decided: s.decided,
            });
        }
    }
    Ok(Comparison {
        format: "plancast-compare/1".to_string(),
        columns,
        rows,
        elapsed_seconds: started.elapsed().as_secs_f64(),
    })
}

/// The contents of `compare.csv`: one row per target; per scenario, its probability and
/// interval (blank where the scenario lacks the target).
pub fn to_csv(comparison: &Comparison) -> Result<Vec<u8>, AnalysisError> {
    use super::csv_number as num;
    let fail = |e: csv::Error| AnalysisError::Runtime(format!("cannot write CSV: {e}"));
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
    w.write_record(&header).map_err(fail)?;
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
        w.write_record(&record).map_err(fail)?;
    }
    finish_csv(w)
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
