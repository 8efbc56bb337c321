//! `plancast compare`: the targets of several scenarios side by side. Every scenario runs with
//! the same seed and the same number of paths (those of the first scenario unless `--seed` and
//! `--paths` are given), so the draws that two scenarios share are the same: a difference between
//! two columns is the effect of the scenarios' differences, not noise.

use super::{simulate_targets, AnalysisError, RunRecord};
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
    /// Chinese label (from the first scenario that has the target).
    #[serde(default)]
    pub label_zh: Option<String>,
    /// Due year.
    pub due_year: i32,
    /// One cell per column.
    pub cells: Vec<Option<Cell>>,
}

/// One joint probability (a due-year group `due_<year>` or a named group) across the
/// scenarios (None where a scenario lacks the group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    /// Group id (`due_<year>` for the automatic ones).
    pub id: String,
    /// Label.
    pub label: Option<String>,
    /// Chinese label.
    pub label_zh: Option<String>,
    /// One cell per column: the probability of meeting every member together.
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
    /// The joint probabilities, in order of first appearance.
    #[serde(default)]
    pub groups: Vec<GroupRow>,
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
    let mut groups: Vec<GroupRow> = Vec::new();
    for (c, (stem, l)) in scenarios.iter().enumerate() {
        let (sim, stats) = simulate_targets(&l.scenario, threads)?;
        for (g, (id, label, label_zh)) in sim.groups().zip(l.scenario.group_identities()) {
            let row = match groups.iter().position(|r| r.id == id) {
                Some(r) => r,
                None => {
                    groups.push(GroupRow {
                        id,
                        label,
                        label_zh,
                        cells: vec![None; scenarios.len()],
                    });
                    groups.len() - 1
                }
            };
            groups[row].cells[c] = Some(Cell {
                probability: g.probability.estimate,
                ci_lower: g.probability.lower,
                ci_upper: g.probability.upper,
                decided: false,
            });
        }
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
                        label_zh: t.label_zh.clone(),
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
        groups,
        elapsed_seconds: started.elapsed().as_secs_f64(),
    })
}
