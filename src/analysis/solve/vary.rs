//! Solving for one number: the value of a [`Knob`] at which a target is met with the
//! probability sought, by a root search over checked edits of the scenario.

use super::VaryResult;
use crate::analysis::root::{self, Outcome, Problem};
use crate::analysis::{target_stats_of, AnalysisError};
use crate::model::edit::Knob;
use crate::model::Scenario;

#[allow(clippy::too_many_arguments)]
pub(super) fn solve_vary(
    scenario: &Scenario,
    target: usize,
    knob: &Knob,
    key: &str,
    probability: f64,
    range: Option<(f64, f64)>,
    threads: Option<usize>,
    simulations: &mut u32,
) -> Result<VaryResult, AnalysisError> {
    let current = scenario.knob_value(knob);
    let start = match (current, range) {
        (_, Some((lo, _))) => lo,
        (Some(v), None) => v,
        (None, None) => {
            return Err(AnalysisError::NoSolution(format!(
                "the scenario has no value at `{key}`: give a search range"
            )))
        }
    };
    let step = match range {
        Some((lo, hi)) => hi - lo,
        None => (start.abs() * 0.1).max(0.1),
    };
    let problem = Problem {
        start,
        step,
        lower: range.map(|r| r.0).unwrap_or(f64::NEG_INFINITY),
        upper: range.map(|r| r.1).unwrap_or(f64::INFINITY),
        goal: probability,
        tolerance: step * 1e-4,
        fixed_range: range.is_some(),
    };
    let mut evaluate_at = |theta: f64| -> Result<f64, AnalysisError> {
        *simulations += 1;
        let edited = scenario.with_knob(knob, theta)?;
        let stats = target_stats_of(&edited, threads)?;
        Ok(stats[target].probability.estimate)
    };
    let current_probability = match current {
        Some(v) => evaluate_at(v)?,
        None => f64::NAN,
    };
    let outcomes = root::solve(&[problem], &mut |values| {
        values
            .iter()
            .map(|v| v.map(&mut evaluate_at).unwrap_or(Ok(f64::NAN)))
            .collect()
    })?;
    let root = match outcomes[0] {
        Outcome::Found(root) => root,
        Outcome::NotBracketed { low, high } => {
            return Err(AnalysisError::NoSolution(format!(
                "no value of `{key}` gives target `{}` a probability of {probability}: it is {:.4} at {} and {:.4} at {}{}",
                scenario.targets()[target].id,
                low.1,
                low.0,
                high.1,
                high.0,
                if range.is_some() { " (the ends of the range)" } else { "" }
            )))
        }
    };
    let h = root::slope_step(&root, probability, scenario.paths(), &problem);
    let p_minus = evaluate_at(root.value - h)?;
    let p_plus = evaluate_at(root.value + h)?;
    let uncertainty = root::uncertainty(
        root.value,
        h,
        p_minus,
        p_plus,
        probability,
        scenario.paths(),
    );
    Ok(VaryResult {
        target: scenario.targets()[target].id.clone(),
        key: key.to_string(),
        probability,
        current_value: current,
        current_probability,
        value: root.value,
        uncertainty,
        evaluations: root.evaluations + 2,
    })
}
