//! The text of `plancast solve`: the value found with `--vary`, or the required-growth table.

use crate::analysis::solve::{SolveReport, TABLE_PROBABILITIES};
use crate::model::ModelKind;
use crate::report::analysis::run_line;
use crate::report::format::percent_with_interval;
use crate::report::labels::{Labels, Lang};
use crate::stats::interval::{wilson, Z95};

/// What a required-growth cell says when the chance is reached without any growth.
pub const MET_WITHOUT_GROWTH: &str = "met even without growth";

/// The printed answer; `labels` chooses the language of the target names.
pub fn render(report: &SolveReport, labels: &Labels) -> String {
    let mut text = run_line("solve", &report.run);
    if let Some(v) = &report.vary {
        text.push_str(&format!(
            "target {}: probability {:.2} at {} = {:.4} (95% interval {:.4} .. {:.4}, SE {:.4})\n",
            v.target,
            v.probability,
            v.key,
            v.value,
            v.uncertainty.lower,
            v.uncertainty.upper,
            v.uncertainty.std_error
        ));
        if let Some(c) = v.current_value {
            // The estimate is k / paths exactly, so k and its interval follow from it.
            let paths = report.run.paths;
            let now = wilson((v.current_probability * paths as f64).round() as u64, paths);
            text.push_str(&format!(
                "  now: {} = {} gives probability {}\n",
                v.key,
                c,
                percent_with_interval(v.current_probability, now.lower, now.upper)
            ));
        }
    } else {
        let extra: Vec<f64> = report
            .rows
            .iter()
            .flat_map(|r| r.required.iter().map(|q| q.probability))
            .filter(|p| !TABLE_PROBABILITIES.contains(p))
            .take(1)
            .collect();
        let width = report
            .rows
            .iter()
            .map(|r| r.target.chars().count())
            .max()
            .unwrap_or(0)
            .max(6);
        let mut header = format!(
            "{:<width$} {:>5} {:>5} {:>22} {:>10}",
            "target", "from", "due", "p now [95% CI]", "median"
        );
        for p in TABLE_PROBABILITIES.iter().chain(&extra) {
            header.push_str(&format!(" {:>22}", format!("for {:.0}%", 100.0 * p)));
        }
        header.push_str("  unit");
        text.push_str(&header);
        text.push('\n');
        for r in &report.rows {
            let derived = r.model == ModelKind::Derived;
            let p_now = match (r.probability, r.probability_ci) {
                (Some(p), Some([lo, hi])) => percent_with_interval(p, lo, hi),
                (Some(p), None) => percent_with_interval(p, f64::NAN, f64::NAN),
                _ => String::new(),
            };
            let mut line = format!(
                "{:<width$} {:>5} {:>5} {:>22} {:>10}",
                r.target,
                if derived {
                    "-".to_string()
                } else {
                    r.start_year.to_string()
                },
                r.due_year,
                p_now,
                r.scenario_median
                    .map(|m| format!("{m:.2}"))
                    .unwrap_or_else(|| "-".to_string()),
            );
            for p in TABLE_PROBABILITIES.iter().chain(&extra) {
                let cell = r
                    .required
                    .iter()
                    .find(|q| q.probability == *p)
                    .map(|q| {
                        if q.met_without_growth || q.value <= 0.0 {
                            MET_WITHOUT_GROWTH.to_string()
                        } else {
                            format!(
                                "{:.2} ±{:.2}",
                                q.value,
                                Z95 * q.uncertainty.std_error * q.value_scale(r)
                            )
                        }
                    })
                    .unwrap_or_else(|| "-".to_string());
                line.push_str(&format!(" {cell:>22}"));
            }
            if !derived {
                line.push_str(&format!("  {}", r.unit));
                if !r.varied.is_empty() && r.varied != r.indicator {
                    line.push_str(&format!(" of {} (numerator of {})", r.varied, r.indicator));
                }
            }
            if labels.lang() == Lang::Zh {
                if let Some(name) = r.label_zh.as_deref().or(r.label.as_deref()) {
                    line.push_str(&format!("  {name}"));
                }
            }
            if let Some(note) = &r.note {
                line.push_str(&format!("  ({note})"));
            }
            text.push_str(&line);
            text.push('\n');
        }
        text.push_str("median: the scenario's own median average growth per year from the starting point (from) to the due year (count indicators: mean additions per year); for P%: the same figure with every year of the window shifted so that the chance is P% (± 95% Monte Carlo interval); a ratio (e.g. R&D intensity) is moved through its numerator, the input the plan controls, its denominator left as the scenario has it; \"met even without growth\": the chance is reached with zero or less growth\n");
    }
    text.push_str(&format!(
        "\n{} simulations of {} paths (seed {}) in {:.1} s\n",
        report.simulations, report.run.paths, report.run.seed, report.elapsed_seconds
    ));
    text
}
