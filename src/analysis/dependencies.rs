//! Which sensitivity assumptions can change which targets, so that `plancast sensitivity` only
//! simulates what can matter.
//!
//! The question is answered for the engine as it runs, path by path, not only in distribution:
//! an assumption is independent of a target when holding it leaves every number the target reads
//! bit for bit the same on common random numbers. That follows the data flow of
//! `engine/chunk.rs`:
//!
//! - a stochastic indicator's values come from its own trend values (its periods' distributions
//!   at its correlated trend score), its own correlated shocks, the events that act on it and its
//!   own Poisson stream. The independent normals behind the scores and shocks are drawn from
//!   streams keyed by the indicator, whatever any assumption says; an indicator's correlated
//!   score (or shock) is its row of the Cholesky factor applied to them, so it moves only when
//!   that row moves;
//! - a derived indicator's value in year y reads its sources in years y − lag;
//! - a target reads its indicator in years up to its due year.
//!
//! So an assumption first moves some indicators from some year on ([`direct_reach`]): a trend its
//! own indicator from its period's first simulated year; an event probability the indicators the
//! event acts on from its window's first simulated year; a correlation entry every indicator
//! whose factor row differs, bit for bit, between the scenario and the scenario with the entry
//! held at its 10th or 90th percentile (computed by the edit that [`hold`](super::assumptions::hold)
//! makes for the runs, `Scenario::correlation_entry_edit`, without building the scenario: a row
//! depends only on the entries of its own and earlier rows, and a matrix that has to be repaired
//! can move rows an ordinary change would not, such as those of indicators declared before the
//! pair). The reach is then closed over formulas, lags added ([`reach`]), and
//! a target depends on the assumption when its indicator is reached no later than its due year.
//! With posterior trends (`update = "posterior"`), an indicator's trend score is drawn given
//! the observations of its whole group of correlated trend scores, so an assumption that
//! touches one member of a group with observations reaches all of them.
//! Any doubt is resolved towards "depends": a wrong skip would be a wrong answer, a needless run
//! only costs time.

use super::assumptions::{Assumption, Lever};
use crate::model::correlation::Factor;
use crate::model::plan::Plan;
use crate::model::Scenario;

/// Per indicator (scenario order), the first year whose value an assumption can change; `None`
/// when it changes no year of that indicator.
pub type Reach = Vec<Option<i32>>;

/// Which targets can depend on which assumptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependencies {
    /// `depends[target][assumption]`, targets in scenario order, assumptions in the order given
    /// to [`dependencies`].
    pub depends: Vec<Vec<bool>>,
}

impl Dependencies {
    /// True when at least one of `targets` can depend on assumption `assumption`.
    pub fn any_depends(&self, targets: &[usize], assumption: usize) -> bool {
        targets.iter().any(|&k| self.depends[k][assumption])
    }
}

/// The dependency table of every target of `scenario` on each of `assumptions`.
pub fn dependencies(scenario: &Scenario, assumptions: &[Assumption]) -> Dependencies {
    let plan = scenario.plan();
    let reaches: Vec<Reach> = assumptions
        .iter()
        .map(|a| reach(scenario, plan, a))
        .collect();
    let depends = (0..scenario.targets().len())
        .map(|k| {
            reaches
                .iter()
                .map(|r| target_reached(scenario, k, r))
                .collect()
        })
        .collect();
    Dependencies { depends }
}

/// True when target `k` reads a value that `reach` says can change: its indicator is reached in
/// or before its due year (every target kind reads only years up to its due year).
pub fn target_reached(scenario: &Scenario, k: usize, reach: &Reach) -> bool {
    let target = &scenario.targets()[k];
    reach[target.indicator].is_some_and(|year| year <= target.to)
}

/// The indicators (and first years) `assumption` can change, closed over derived formulas.
pub fn reach(scenario: &Scenario, plan: &Plan, assumption: &Assumption) -> Reach {
    let mut reach = direct_reach(scenario, plan, assumption);
    // derived_order lists sources before the formulas that read them, so one pass closes it.
    for &d in scenario.derived_order() {
        let Some(formula) = &scenario.indicators()[d].formula else {
            continue;
        };
        for &(source, lag) in &formula.slots {
            if let Some(year) = reach[source] {
                let year = year.saturating_add(i32::try_from(lag).unwrap_or(i32::MAX));
                reach[d] = Some(reach[d].map_or(year, |y: i32| y.min(year)));
            }
        }
    }
    reach
}

/// The indicators (and first years) `assumption` changes before formulas are evaluated.
pub fn direct_reach(scenario: &Scenario, plan: &Plan, assumption: &Assumption) -> Reach {
    let n = scenario.indicators().len();
    let mut reach: Reach = vec![None; n];
    // Years up to an indicator's start year are fixed by its base and observations; the first
    // simulated year is the first an assumption can touch.
    let from_year = |i: usize, from: i32, to: i32| -> Option<i32> {
        let first = from.max(plan.indicators[i].start_year.saturating_add(1));
        (first <= to.min(plan.last_year)).then_some(first)
    };
    match assumption.lever {
        Lever::Trend { indicator, period } => {
            let p = &scenario.indicators()[indicator].periods[period];
            // A trend's effect persists after its period (the level carries on), so it reaches
            // every later year, provided the period has a simulated year at all.
            reach[indicator] = from_year(indicator, p.from, p.to);
        }
        Lever::EventProbability { event } => {
            let e = &scenario.events()[event];
            for effect in &e.effects {
                let i = effect.indicator;
                if let Some(year) = from_year(i, e.from, e.to) {
                    reach[i] = Some(reach[i].map_or(year, |y: i32| y.min(year)));
                }
            }
        }
        Lever::Correlation { pair } => {
            let is_trend = scenario.correlation().pairs[pair].0 == "trend";
            let pick = |s: &Scenario| -> Factor {
                if is_trend {
                    s.correlation().trend.clone()
                } else {
                    s.correlation().noise.clone()
                }
            };
            let base = pick(scenario);
            for value in [assumption.low_value, assumption.high_value] {
                // A value the edit refused changes nothing (and is refused again when run). The
                // factor is the one `hold` puts in the held scenario (the same edit code), made
                // without the scenario's plan.
                let held = match scenario.correlation_entry_edit(pair, value) {
                    Ok(edit) => edit.factor,
                    Err(_) => base.clone(),
                };
                for (i, slot) in reach.iter_mut().enumerate() {
                    if !same_row(&base, &held, i) {
                        *slot = from_year(i, i32::MIN, i32::MAX);
                    }
                }
            }
        }
    }
    // Posterior trends: an indicator's trend score is drawn given the observations of its
    // whole group of correlated trend scores, so an assumption that touches any member of a
    // group with observations (its trend, an event acting on it, a correlation of its row)
    // reaches every member of the group from its first simulated year.
    let posterior = &plan.posterior;
    if posterior.active {
        let mut touched = vec![false; n];
        for (i, slot) in reach.iter().enumerate() {
            touched[i] = slot.is_some();
        }
        match assumption.lever {
            Lever::Trend { indicator, .. } => touched[indicator] = true,
            Lever::EventProbability { event } => {
                for effect in &scenario.events()[event].effects {
                    touched[effect.indicator] = true;
                }
            }
            Lever::Correlation { pair } => {
                let (_, a, b, _) = &scenario.correlation().pairs[pair];
                for id in [a, b] {
                    if let Some(i) = scenario.indicator_index(id) {
                        touched[i] = true;
                    }
                }
            }
        }
        // A correlation entry can join two groups: then both move if either has observations.
        if let Lever::Correlation { pair } = assumption.lever {
            let (_, a, b, _) = &scenario.correlation().pairs[pair];
            if let (Some(a), Some(b)) = (scenario.indicator_index(a), scenario.indicator_index(b)) {
                if posterior.group_updated[a] || posterior.group_updated[b] {
                    for &j in posterior.trend_group[a]
                        .iter()
                        .chain(&posterior.trend_group[b])
                    {
                        if let Some(year) = from_year(j, i32::MIN, i32::MAX) {
                            reach[j] = Some(reach[j].map_or(year, |y: i32| y.min(year)));
                        }
                    }
                }
            }
        }
        for (i, &touched) in touched.iter().enumerate() {
            if touched && posterior.group_updated[i] {
                for &j in &posterior.trend_group[i] {
                    if let Some(year) = from_year(j, i32::MIN, i32::MAX) {
                        reach[j] = Some(reach[j].map_or(year, |y: i32| y.min(year)));
                    }
                }
            }
        }
    }
    reach
}

/// True when row `i` of both factors has the same entries, bit for bit (then the correlated
/// draws of indicator `i` are the same numbers: an identity factor's row is `[(i, 1.0)]`, and
/// `1.0 * d` is `d`).
fn same_row(a: &Factor, b: &Factor, i: usize) -> bool {
    match (a.rows.get(i), b.rows.get(i)) {
        (Some(x), Some(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(&(j, u), &(k, v))| j == k && u.to_bits() == v.to_bits())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_compare_bit_for_bit() {
        let identity = Factor::identity(2);
        let mut other = Factor::identity(2);
        other.identity = false;
        assert!(same_row(&identity, &other, 0));
        other.rows[1] = vec![(0, 0.5), (1, 0.75_f64.sqrt())];
        assert!(same_row(&identity, &other, 0));
        assert!(!same_row(&identity, &other, 1));
        assert!(!same_row(&identity, &other, 2));
    }
}
