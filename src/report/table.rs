//! The table printed after a run: one line per target, then the joint and conditional
//! probabilities.

use super::format::{compact, percent, percent_bound, percent_interval, percent_with_interval};
use super::summary::{Summary, TargetStatus};
use std::fmt::Write;

/// Below this many paths a conditional probability is flagged as a rough figure: its 95%
/// interval is then wider than about 20 points.
pub const SMALL_SAMPLE: u64 = 100;

/// "k of N targets rest on data (o observed, u updated); p restate assumptions (prior)", or
/// None for a summary without bases.
pub fn basis_line(s: &Summary) -> Option<String> {
    use crate::model::Basis;
    let count = |b: Basis| s.targets.iter().filter(|t| t.basis == Some(b)).count();
    let (observed, updated, prior) = (
        count(Basis::Observed),
        count(Basis::Updated),
        count(Basis::Prior),
    );
    if observed + updated + prior == 0 {
        return None;
    }
    Some(format!(
        "{} of {} targets rest on data ({observed} decided by published values, {updated} updated by observations); {prior} rest on assumptions alone (prior)",
        observed + updated,
        s.targets.len()
    ))
}

/// "past due: ..." naming the targets whose due year the data already cover but do not decide,
/// or None when there are none.
pub fn past_due_line(s: &Summary) -> Option<String> {
    let ids: Vec<&str> = s
        .targets
        .iter()
        .filter(|t| t.past_due)
        .map(|t| t.id.as_str())
        .collect();
    let latest = s.run.latest_observation?;
    if ids.is_empty() {
        return None;
    }
    let tail = if ids.len() == 1 {
        "target falls due by {latest}, the latest year with published data, but its own value is not published: its probability forecasts an outcome that has already happened"
    } else {
        "targets fall due by {latest}, the latest year with published data, but their own values are not published: their probabilities forecast outcomes that have already happened"
    };
    Some(format!(
        "past due: {} {} ({})",
        ids.len(),
        tail.replace("{latest}", &latest.to_string()),
        ids.join(", ")
    ))
}

/// The whole table as text.
pub fn render(summary: &Summary) -> String {
    let mut out = String::new();
    let s = summary;
    let _ = writeln!(
        out,
        "{} — {} paths, seed {}, sampling {}, as_of {}{}",
        s.scenario.name,
        s.run.paths,
        s.run.seed,
        s.run.sampling.name(),
        s.run
            .as_of
            .map(|y| y.to_string())
            .unwrap_or_else(|| "latest".into()),
        match s.run.update {
            Some(mode) => format!(", trends {}", mode.name()),
            None => String::new(),
        }
    );
    let id_width = s
        .targets
        .iter()
        .map(|t| t.id.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(
        out,
        "\n{:<id_width$}  {:>4}  {:>16}  {:>24}  {:>12}  basis",
        "target", "due", "threshold", "probability [95% CI]", "median"
    );
    let _ = writeln!(out, "{}", "-".repeat(id_width + 76));
    for t in &s.targets {
        let kind = match t.kind.name() {
            "level" => String::new(),
            other => format!("{other} "),
        };
        let threshold = format!("{kind}{} {}", t.comparison.symbol(), compact(t.threshold));
        let probability = match t.status {
            TargetStatus::Simulated => format!(
                "{:>6} [{:>5}, {:>5}]",
                percent(t.probability),
                percent_bound(t.ci_lower),
                percent_bound(t.ci_upper)
            ),
            TargetStatus::ObservedMet => "met (observed)".to_string(),
            TargetStatus::ObservedMissed => "missed (observed)".to_string(),
        };
        let _ = writeln!(
            out,
            "{:<id_width$}  {:>4}  {:>16}  {:>24}  {:>12}  {}",
            t.id,
            t.due_year,
            threshold,
            probability,
            compact(t.outcome.p50),
            t.basis.map(|b| b.name()).unwrap_or("").to_string()
                + if t.past_due { " · past due" } else { "" }
        );
    }
    if let Some(line) = basis_line(s) {
        let _ = writeln!(out, "\n{line}");
    }
    if let Some(line) = past_due_line(s) {
        let _ = writeln!(out, "{line}");
    }
    for u in s.trend_updates.iter().filter(|u| u.conflict) {
        let _ = writeln!(
            out,
            "warning: {}: the observations contradict the assumed trend (most of the posterior lies beyond the prior's 0.1st-99.9th percentiles); revisit the assumption",
            u.indicator
        );
    }
    if !s.groups.is_empty() {
        let _ = writeln!(out, "\njoint probabilities");
        for g in &s.groups {
            let _ = writeln!(
                out,
                "  {:<24} {:>7} {}  ({} {})",
                g.id,
                percent(g.probability),
                percent_interval(g.ci_lower, g.ci_upper),
                g.targets.len(),
                if g.targets.len() == 1 {
                    "target"
                } else {
                    "targets"
                }
            );
        }
    }
    if !s.milestones.is_empty() {
        let _ = writeln!(out, "\nmilestones (later target given the earlier one)");
        for m in &s.milestones {
            let show = |p: Option<f64>, ci: Option<[f64; 2]>, paths: u64| match (p, ci) {
                (Some(p), Some([lo, hi])) => format!(
                    "{} of {paths} paths{}",
                    percent_with_interval(p, lo, hi),
                    if paths < SMALL_SAMPLE {
                        " (few paths: a rough figure)"
                    } else {
                        ""
                    }
                ),
                _ => "n/a (no such paths)".into(),
            };
            let _ = writeln!(
                out,
                "  {} -> {}\n      if met: {}\n      if missed: {}",
                m.earlier,
                m.later,
                show(m.given_met, m.given_met_ci, m.earlier_met_paths),
                show(m.given_missed, m.given_missed_ci, m.earlier_missed_paths)
            );
        }
    }
    for w in &s.warnings {
        let _ = writeln!(out, "\nwarning: {w}");
    }
    out
}
