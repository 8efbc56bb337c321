//! The text and CSV of `plancast sensitivity`: the printed table of the assumptions that move
//! each target most, and `sensitivity.csv` (one row per target and assumption).

use crate::analysis::sensitivity::{Effect, SensitivityReport};
use crate::report::analysis::run_line;
use crate::report::csv::{finish, number as num, write_row};
use crate::report::format::{percent, percent_with_interval};
use crate::report::labels::{Labels, Lang};

/// The contents of `sensitivity.csv`: one row per (target, assumption).
pub fn to_csv(report: &SensitivityReport) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    write_row(
        &mut w,
        [
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
        ],
    )?;
    for t in &report.targets {
        for e in &t.effects {
            write_row(
                &mut w,
                [
                    t.id.clone(),
                    e.assumption.clone(),
                    e.key.clone(),
                    e.kind.clone(),
                    num(e.low_value),
                    num(e.mid_value),
                    num(e.high_value),
                    num(t.p_base),
                    num(t.p_base_ci[0]),
                    num(t.p_base_ci[1]),
                    num(e.p_low),
                    num(e.p_mid),
                    num(e.p_high),
                    num(e.swing),
                    num(e.outcome_means[0]),
                    num(e.outcome_means[1]),
                    num(e.outcome_means[2]),
                    e.variance_share.map(num).unwrap_or_default(),
                    e.note.clone().unwrap_or_default(),
                    e.depends.to_string(),
                ],
            )?;
        }
    }
    finish(w)
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
