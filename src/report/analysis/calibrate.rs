//! The text of `plancast calibrate`: the estimates, the warnings and a period block to paste
//! into a scenario.

use crate::analysis::calibrate::{Calibration, ChangeModel};

/// Rounds to 4 significant decimals for the block.
fn round(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = (4 - x.abs().log10().ceil() as i32).clamp(0, 12);
    let factor = 10f64.powi(digits);
    (x * factor).round() / factor
}

/// The printed result: the estimates, the warnings, and the period block.
pub fn render(c: &Calibration) -> String {
    let (key, unit) = match c.model {
        ChangeModel::Growth => ("growth", "% per year"),
        ChangeModel::Additive => ("step", "units per year"),
    };
    let first_rate = c.rates.first().map(|r| r.0).unwrap_or(c.years.0);
    let last = c.years.1;
    let phi = c.persistence.unwrap_or(0.0).clamp(0.0, 0.95);
    let mut text = format!(
        "# plancast calibrate {}: {} yearly rates, {}..{} ({unit})\n",
        c.file,
        c.rates.len(),
        first_rate,
        c.rates.last().map(|r| r.0).unwrap_or(last)
    );
    text.push_str(&format!(
        "# mean {:.3} (SE {:.3}), sd {:.3} (SE {:.3}), persistence {} from {} consecutive pairs\n",
        c.mean,
        c.mean_se,
        c.sd,
        c.sd_se,
        match (c.persistence, c.persistence_se) {
            (Some(p), Some(se)) => format!("{p:.3} (SE {se:.3})"),
            _ => "not estimated".to_string(),
        },
        c.pairs
    ));
    if !c.sub_periods.is_empty() {
        text.push_str("# by sub-period:");
        for p in &c.sub_periods {
            text.push_str(&format!(
                " {}..{} mean {:.2} (sd {:.2});",
                p.from, p.to, p.mean, p.sd
            ));
        }
        text.pop();
        text.push('\n');
    }
    for w in &c.warnings {
        text.push_str(&format!("# warning: {w}\n"));
    }
    text.push_str("# trend: normal(mean, SE of the mean); noise: sd of the yearly rates; adjust `to` to your horizon\n");
    text.push_str(&format!(
        "{key} = [\n  {{ from = {}, to = {}, trend = {{ dist = \"normal\", mean = {}, sd = {} }}, noise = {}, persistence = {} }},\n]\n",
        last + 1,
        last + 10,
        round(c.mean),
        round(c.mean_se.max(1e-9)),
        round(c.sd),
        round(phi)
    ));
    text
}
