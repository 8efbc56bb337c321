//! The plan of a run, derived from the validated scenario once (when it is built, and again
//! after each checked edit): the year axis, the values that observations already fix (after
//! `as_of`), where each indicator's simulation starts, which target outcomes are already decided,
//! the due-year groups and the milestone pairs.

use super::posterior::Posterior;
use super::{Basis, ModelKind, Scenario};
use std::sync::Arc;

/// Per-indicator facts the simulation needs.
#[derive(Debug, Clone)]
pub struct PlanIndicator {
    /// First year with a value (stochastic: the indicator's base year; derived: the first year
    /// every term of the formula has a value).
    pub first_year: i32,
    /// Last year whose value is fixed by the base and usable observations; simulation starts the
    /// year after (stochastic only; derived: equal to `first_year - 1`).
    pub start_year: i32,
    /// Last year through which the value is the same in every path.
    pub fixed_through: i32,
    /// Fixed values for `first_year ..= start_year` (stochastic only), gaps filled
    /// geometrically (growth) or linearly (additive, count).
    pub fixed_values: Vec<f64>,
    /// Observations used (year <= as_of), the rest ignored by the simulation.
    pub usable_observations: Vec<(i32, f64)>,
}

/// A scenario made ready for simulation with a given `as_of`.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// First year on the axis (earliest indicator base year).
    pub first_year: i32,
    /// Last year on the axis (the horizon).
    pub last_year: i32,
    /// The effective as_of year (the horizon when none is set).
    pub as_of: i32,
    /// Per-indicator facts, in scenario order.
    pub indicators: Vec<PlanIndicator>,
    /// For each target: true when observations already decide it.
    pub target_fixed: Vec<bool>,
    /// For each target: what its probability rests on.
    pub target_basis: Vec<Basis>,
    /// The latest year with a usable observation (year <= as_of) of any indicator; None when
    /// nothing is observed after the base years.
    pub latest_observation: Option<i32>,
    /// For each target: past due, that is due at or before `latest_observation` yet not decided
    /// by observations (its own indicator's value for the year is not published). A rule on the
    /// data, not on the clock, so that results stay reproducible.
    pub target_past_due: Vec<bool>,
    /// Automatic groups: (due year, member targets).
    pub due_groups: Vec<(i32, Vec<usize>)>,
    /// Milestone pairs on the same indicator: (earlier target, later target).
    pub milestone_pairs: Vec<(usize, usize)>,
    /// The trends given the usable observations (`scenario.update`). Shared: a checked edit
    /// that cannot change it keeps it (`Scenario::edited`).
    pub posterior: Arc<super::posterior::Posterior>,
}

impl Plan {
    /// Number of years on the axis.
    pub fn n_years(&self) -> usize {
        (self.last_year - self.first_year + 1) as usize
    }

    /// Position of `year` on the axis.
    #[inline]
    pub fn year_index(&self, year: i32) -> usize {
        (year - self.first_year) as usize
    }
}

/// The plan of `scenario` (its own plan is not read). Computed once when the scenario is built
/// and after each checked edit; read it with [`Scenario::plan`]. `posterior`: the posterior of
/// a scenario that the edit cannot have changed (None: computed here).
pub(super) fn prepare(scenario: &Scenario, posterior: Option<Arc<Posterior>>) -> Plan {
    let horizon = scenario.horizon();
    let as_of = scenario.as_of().unwrap_or(horizon);
    let first_year = scenario
        .indicators()
        .iter()
        .filter(|i| i.kind.is_stochastic())
        .map(|i| i.base_year)
        .min()
        .unwrap_or(scenario.base_year())
        .min(scenario.base_year());

    let mut indicators: Vec<PlanIndicator> = scenario
        .indicators()
        .iter()
        .map(|ind| {
            if !ind.kind.is_stochastic() {
                return PlanIndicator {
                    first_year: scenario.base_year(),
                    start_year: scenario.base_year() - 1,
                    fixed_through: horizon,
                    fixed_values: Vec::new(),
                    usable_observations: Vec::new(),
                };
            }
            let base = ind.base.unwrap_or(0.0);
            let usable: Vec<(i32, f64)> = ind
                .observed
                .iter()
                .filter(|(&y, _)| y > ind.base_year && y <= as_of)
                .map(|(&y, &v)| (y, v))
                .collect();
            let mut known = vec![(ind.base_year, base)];
            known.extend(usable.iter().copied());
            let start_year = known.last().map(|k| k.0).unwrap_or(ind.base_year);
            let mut fixed_values = vec![base];
            for pair in known.windows(2) {
                let ((y0, v0), (y1, v1)) = (pair[0], pair[1]);
                let span = (y1 - y0) as f64;
                for y in (y0 + 1)..=y1 {
                    let t = (y - y0) as f64 / span;
                    let value = if y == y1 {
                        v1
                    } else if ind.kind == ModelKind::Growth {
                        v0 * (v1 / v0).powf(t)
                    } else {
                        v0 + (v1 - v0) * t
                    };
                    fixed_values.push(value);
                }
            }
            // An indicator whose later years carry no uncertainty at all (fixed trends, no noise,
            // no events) is still "simulated"; fixed_through marks only what observations fix.
            PlanIndicator {
                first_year: ind.base_year,
                start_year,
                fixed_through: start_year,
                fixed_values,
                usable_observations: usable,
            }
        })
        .collect();

    // Derived indicators: first year with values and last fixed year, in dependency order.
    for &d in scenario.derived_order() {
        let Some(formula) = &scenario.indicators()[d].formula else {
            continue;
        };
        let first = scenario.indicators()[d].base_year;
        let mut fixed = horizon;
        for &(source, lag) in &formula.slots {
            fixed = fixed.min(indicators[source].fixed_through + lag as i32);
        }
        indicators[d] = PlanIndicator {
            first_year: first,
            start_year: first - 1,
            fixed_through: fixed.max(first - 1),
            fixed_values: Vec::new(),
            usable_observations: Vec::new(),
        };
    }

    let target_fixed: Vec<bool> = scenario
        .targets()
        .iter()
        .map(|t| t.to <= indicators[t.indicator].fixed_through)
        .collect();

    // An indicator "has data" when it, or any input of its formula (through derived inputs),
    // has a usable observation; derived indicators come in dependency order.
    let mut has_data: Vec<bool> = indicators
        .iter()
        .map(|pi| !pi.usable_observations.is_empty())
        .collect();
    for &d in scenario.derived_order() {
        if let Some(formula) = &scenario.indicators()[d].formula {
            has_data[d] = formula.slots.iter().any(|&(source, _)| has_data[source]);
        }
    }
    let target_basis = scenario
        .targets()
        .iter()
        .zip(&target_fixed)
        .map(|(t, &fixed)| {
            if fixed {
                Basis::Observed
            } else if has_data[t.indicator] {
                Basis::Updated
            } else {
                Basis::Prior
            }
        })
        .collect();

    let latest_observation = indicators
        .iter()
        .filter_map(|pi| pi.usable_observations.last().map(|o| o.0))
        .max();
    let target_past_due = scenario
        .targets()
        .iter()
        .zip(&target_fixed)
        .map(|(t, &fixed)| !fixed && latest_observation.is_some_and(|y| t.due_year() <= y))
        .collect();

    let mut due_years: Vec<i32> = scenario.targets().iter().map(|t| t.due_year()).collect();
    due_years.sort_unstable();
    due_years.dedup();
    let due_groups = due_years
        .into_iter()
        .map(|year| {
            let members = (0..scenario.targets().len())
                .filter(|&t| scenario.targets()[t].due_year() == year)
                .collect();
            (year, members)
        })
        .collect();

    let mut milestone_pairs = Vec::new();
    for (a, ta) in scenario.targets().iter().enumerate() {
        for (b, tb) in scenario.targets().iter().enumerate() {
            if a != b && ta.indicator == tb.indicator && ta.due_year() < tb.due_year() {
                milestone_pairs.push((a, b));
            }
        }
    }

    let observed: Vec<super::posterior::Observed<'_>> = indicators
        .iter()
        .map(|pi| super::posterior::Observed {
            usable: &pi.usable_observations,
            start_year: pi.start_year,
        })
        .collect();
    let posterior =
        posterior.unwrap_or_else(|| Arc::new(super::posterior::build(scenario, &observed)));
    Plan {
        first_year,
        last_year: horizon,
        as_of,
        posterior,
        indicators,
        target_fixed,
        target_basis,
        latest_observation,
        target_past_due,
        due_groups,
        milestone_pairs,
    }
}
