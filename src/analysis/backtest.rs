//! `plancast backtest`: the run as of a year scored against every value published after it
//! (scenario spec, section 10). For each published value: its PIT (its percentile in that year's
//! predictive distribution) and whether it falls inside the central 50%, 80% and 90% bands; per
//! band, the share inside against the nominal; per indicator, the mean CRPS; and the Brier score
//! of the as-of probabilities of the targets that published values have decided since.
//!
//! The predictive distribution of a cell is the run's quantile sketch: PIT is its CDF, linear
//! within a bucket (for a count this approximates the mid-PIT of the atom); CRPS is
//! `2 ∫ (1{y <= q(τ)} − τ)(q(τ) − y) dτ` over [`CRPS_LEVELS`] midpoint quantile levels.

use super::track::Outcome;
use super::{AnalysisError, RunRecord};
use crate::engine::results::{proportion, CellValue};
use crate::engine::{self, Simulation};
use crate::model::{ModelKind, UpdateMode};
use crate::scenario::Loaded;
use crate::stats::sketch::Sketch;
use serde::{Deserialize, Serialize};

/// Quantile levels of the CRPS integral (midpoints of equal-probability cells).
pub const CRPS_LEVELS: usize = 400;

/// The central bands scored, as nominal coverage.
pub const BANDS: [f64; 3] = [0.5, 0.8, 0.9];

/// One published value scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestRow {
    /// Indicator id.
    pub indicator: String,
    /// Year.
    pub year: i32,
    /// The published value.
    pub observed: f64,
    /// Its percentile in the predictive distribution (0..1).
    pub pit: f64,
    /// Inside the central 50% band (p25..p75).
    pub in_50: bool,
    /// Inside the central 80% band (p10..p90).
    pub in_80: bool,
    /// Inside the central 90% band (p05..p95).
    pub in_90: bool,
    /// Continuous ranked probability score, in the indicator's unit.
    pub crps: f64,
}

/// How often one band held the published value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BandCoverage {
    /// Nominal coverage (0.5, 0.8 or 0.9).
    pub nominal: f64,
    /// Values inside.
    pub inside: u64,
    /// Values scored.
    pub total: u64,
    /// Share inside.
    pub share: f64,
    /// 95% Wilson interval of the share, lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// Mean CRPS of one indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorScore {
    /// Indicator id.
    pub indicator: String,
    /// Unit of the CRPS.
    pub unit: String,
    /// Values scored.
    pub values: usize,
    /// Mean CRPS.
    pub mean_crps: f64,
}

/// A target decided by values published after the as-of year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecidedTarget {
    /// Target id.
    pub target: String,
    /// Its probability as of the as-of year.
    pub probability: f64,
    /// How it turned out.
    pub outcome: Outcome,
}

/// The result of `plancast backtest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backtest {
    /// The run scored (as of `as_of`).
    pub run: RunRecord,
    /// Whether observations informed the trends.
    pub update: UpdateMode,
    /// The as-of year.
    pub as_of: i32,
    /// Every published value after it.
    pub rows: Vec<BacktestRow>,
    /// Coverage of each band.
    pub coverage: Vec<BandCoverage>,
    /// Mean CRPS per indicator.
    pub crps: Vec<IndicatorScore>,
    /// Targets decided since, with their as-of probability.
    pub decided: Vec<DecidedTarget>,
    /// Brier score of those probabilities (None when no target was decided since).
    pub brier: Option<f64>,
}

/// Scores `at` (the scenario as of a year) against the values published after it; `latest`
/// is the same scenario with every observation (it tells which targets have been decided).
///
/// Errors: [`AnalysisError::NoSolution`] when no value was published after the as-of year.
pub fn run(
    at: &Loaded,
    latest: &Loaded,
    threads: Option<usize>,
) -> Result<Backtest, AnalysisError> {
    let scenario = &at.scenario;
    let as_of = scenario.plan().as_of;
    let sim = engine::simulate(scenario, threads, &|_| {})?;
    let rows = score_values(at, &sim);
    if rows.is_empty() {
        return Err(AnalysisError::NoSolution(format!(
            "no value was published after {as_of}: nothing to score (choose an earlier --as-of)"
        )));
    }
    let coverage = BANDS
        .iter()
        .enumerate()
        .map(|(band, &nominal)| {
            let inside = rows
                .iter()
                .filter(|r| [r.in_50, r.in_80, r.in_90][band])
                .count() as u64;
            let p = proportion(inside, rows.len() as u64);
            BandCoverage {
                nominal,
                inside,
                total: rows.len() as u64,
                share: p.estimate,
                low: p.lower,
                high: p.upper,
            }
        })
        .collect();
    let mut crps: Vec<IndicatorScore> = Vec::new();
    for row in &rows {
        match crps.iter_mut().find(|s| s.indicator == row.indicator) {
            Some(s) => {
                s.mean_crps += row.crps;
                s.values += 1;
            }
            None => crps.push(IndicatorScore {
                indicator: row.indicator.clone(),
                unit: scenario
                    .indicator_index(&row.indicator)
                    .map(|i| scenario.indicators()[i].unit.clone())
                    .unwrap_or_default(),
                values: 1,
                mean_crps: row.crps,
            }),
        }
    }
    for s in &mut crps {
        s.mean_crps /= s.values as f64;
    }
    let decided = decided_targets(at, latest, &sim, threads)?;
    let brier = (!decided.is_empty()).then(|| {
        decided
            .iter()
            .map(|d| {
                let o = if d.outcome == Outcome::Met { 1.0 } else { 0.0 };
                (d.probability - o).powi(2)
            })
            .sum::<f64>()
            / decided.len() as f64
    });
    Ok(Backtest {
        run: RunRecord::of(at),
        update: scenario.update(),
        as_of,
        rows,
        coverage,
        crps,
        decided,
        brier,
    })
}

/// Every value published after the as-of year (simulated and derived indicators), scored.
fn score_values(at: &Loaded, sim: &Simulation) -> Vec<BacktestRow> {
    let scenario = &at.scenario;
    let as_of = scenario.plan().as_of;
    let mut rows = Vec::new();
    for (i, ind) in scenario.indicators().iter().enumerate() {
        for (&year, &observed) in &ind.observed {
            if year <= as_of || year > scenario.horizon() || !observed.is_finite() {
                continue;
            }
            if ind.kind.is_stochastic() && year <= ind.base_year {
                continue;
            }
            let Some(cell) = sim.cell(i, year) else {
                continue;
            };
            let row = match cell {
                CellValue::Simulated(d) if ind.kind == ModelKind::Count => {
                    score_count(&d.sketch, observed)
                }
                CellValue::Simulated(d) => score(&d.sketch, observed),
                CellValue::Fixed(Some(v)) => point_score(v, observed),
                CellValue::Fixed(None) => continue,
            };
            let (pit, [in_50, in_80, in_90], crps) = row;
            rows.push(BacktestRow {
                indicator: ind.id.clone(),
                year,
                observed,
                pit,
                in_50,
                in_80,
                in_90,
                crps,
            });
        }
    }
    rows
}

/// PIT, band membership and CRPS of `y` under the distribution in `sketch`.
pub fn score(sketch: &Sketch, y: f64) -> (f64, [bool; 3], f64) {
    let pit = sketch.cdf(y);
    let inside = BANDS.map(|nominal| {
        let tail = (1.0 - nominal) / 2.0;
        sketch.quantile(tail) <= y && y <= sketch.quantile(1.0 - tail)
    });
    let mut crps = 0.0;
    for c in 0..CRPS_LEVELS {
        let tau = (c as f64 + 0.5) / CRPS_LEVELS as f64;
        let q = sketch.quantile(tau);
        let indicator = if y <= q { 1.0 } else { 0.0 };
        crps += 2.0 * (indicator - tau) * (q - y);
    }
    (pit, inside, crps / CRPS_LEVELS as f64)
}

/// The same for a count (whole numbers with mass on each): `y` is inside a central band when its
/// own mass overlaps it, `P(X < y) <= 1 - tail` and `P(X <= y) >= tail`, and the PIT is the
/// mid-point `(P(X < y) + P(X <= y)) / 2`. Read from the sketch at `y ∓ 0.5`, between whole
/// numbers, so that the sketch's buckets (a fraction of a unit wide at small counts) do not put a
/// value that many paths hit exactly outside every band.
pub fn score_count(sketch: &Sketch, y: f64) -> (f64, [bool; 3], f64) {
    let below = sketch.cdf(y - 0.5);
    let at_or_below = sketch.cdf(y + 0.5);
    let inside = BANDS.map(|nominal| {
        let tail = (1.0 - nominal) / 2.0;
        below <= 1.0 - tail && at_or_below >= tail
    });
    let (_, _, crps) = score(sketch, y);
    ((below + at_or_below) / 2.0, inside, crps)
}

/// The same for a value that is the same in every path.
fn point_score(v: f64, y: f64) -> (f64, [bool; 3], f64) {
    let pit = if y < v {
        0.0
    } else if y > v {
        1.0
    } else {
        0.5
    };
    (pit, [y == v; 3], (v - y).abs())
}

/// The targets that values published after the as-of year decide, with their as-of
/// probability and outcome (from a run of `latest`, where they are the same in every path).
fn decided_targets(
    at: &Loaded,
    latest: &Loaded,
    sim: &Simulation,
    threads: Option<usize>,
) -> Result<Vec<DecidedTarget>, AnalysisError> {
    let now_fixed = &latest.scenario.plan().target_fixed;
    let then_fixed = &at.scenario.plan().target_fixed;
    if !now_fixed
        .iter()
        .zip(then_fixed)
        .any(|(&now, &then)| now && !then)
    {
        return Ok(Vec::new());
    }
    let latest_sim = engine::simulate(&latest.scenario, threads, &|_| {})?;
    let mut decided = Vec::new();
    for (k, (then, now)) in sim.targets().zip(latest_sim.targets()).enumerate() {
        if now_fixed[k] && !then_fixed[k] {
            decided.push(DecidedTarget {
                target: at.scenario.targets()[k].id.clone(),
                probability: then.reported_probability().estimate,
                outcome: if now.met_in_every_path() {
                    Outcome::Met
                } else {
                    Outcome::Missed
                },
            });
        }
    }
    Ok(decided)
}
