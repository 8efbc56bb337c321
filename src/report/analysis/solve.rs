//! The text of `plancast solve`: the value found with `--vary`, or the required-growth table.

use crate::analysis::solve::{SolveReport, TABLE_PROBABILITIES};
use crate::model::ModelKind;
use crate::stats::interval::Z95;

/// The printed answer.
pub fn render(report: &SolveReport) -> String {
    let mut text = String::new();
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
            text.push_str(&format!(
                "  now: {} = {} gives probability {:.3}\n",
                v.key, c, v.current_probability
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
            "{:<width$} {:>5} {:>5} {:>8} {:>10}",
            "target", "from", "due", "p now", "median"
        );
        for p in TABLE_PROBABILITIES.iter().chain(&extra) {
            header.push_str(&format!(" {:>16}", format!("for {:.0}%", 100.0 * p)));
        }
        header.push_str("  unit");
        text.push_str(&header);
        text.push('\n');
        for r in &report.rows {
            let derived = r.model == ModelKind::Derived;
            let mut line = format!(
                "{:<width$} {:>5} {:>5} {:>8} {:>10}",
                r.target,
                if derived {
                    "-".to_string()
                } else {
                    r.start_year.to_string()
                },
                r.due_year,
                r.probability.map(|p| format!("{p:.3}")).unwrap_or_default(),
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
                        format!(
                            "{:.2} ±{:.2}",
                            q.value,
                            Z95 * q.uncertainty.std_error * q.value_scale(r)
                        )
                    })
                    .unwrap_or_else(|| "-".to_string());
                line.push_str(&format!(" {cell:>16}"));
            }
            if !derived {
                line.push_str(&format!("  {}", r.unit));
            }
            if let Some(note) = &r.note {
                line.push_str(&format!("  ({note})"));
            }
            text.push_str(&line);
            text.push('\n');
        }
        text.push_str("median: the scenario's own median average growth per year from the starting point (from) to the due year (count indicators: mean additions per year); for P%: the same figure with every year of the window shifted so that the chance is P% (± 95% Monte Carlo interval)\n");
    }
    text.push_str(&format!(
        "\n{} simulations of {} paths (seed {}) in {:.1} s\n",
        report.simulations, report.run.paths, report.run.seed, report.elapsed_seconds
    ));
    text
}
