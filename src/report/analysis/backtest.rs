//! The text and CSV of `plancast backtest`: `backtest.csv` (one row per published value) and the
//! printed coverage table, CRPS per indicator and Brier score.

use crate::analysis::backtest::Backtest;
use crate::report::csv::{finish, number as num, write_row};
use crate::report::format::percent;

/// The contents of `backtest.csv`: `indicator, year, observed, pit, in_50, in_80, in_90, crps`.
pub fn to_csv(backtest: &Backtest) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    write_row(
        &mut w,
        [
            "indicator",
            "year",
            "observed",
            "pit",
            "in_50",
            "in_80",
            "in_90",
            "crps",
        ],
    )?;
    for r in &backtest.rows {
        write_row(
            &mut w,
            [
                r.indicator.clone(),
                r.year.to_string(),
                num(r.observed),
                num(r.pit),
                r.in_50.to_string(),
                r.in_80.to_string(),
                r.in_90.to_string(),
                num(r.crps),
            ],
        )?;
    }
    finish(w)
}

/// The printed coverage table, then the CRPS per indicator and the Brier score.
pub fn render(b: &Backtest) -> String {
    let mut text = format!(
        "{} — backtest as of {} against {} values published since ({} paths, seed {}, trends {})\n\n",
        b.run.scenario,
        b.as_of,
        b.rows.len(),
        b.run.paths,
        b.run.seed,
        b.update.name()
    );
    text.push_str("band   nominal   inside   share  [95% CI]\n");
    for c in &b.coverage {
        text.push_str(&format!(
            "{:>3.0}%   {:>7}   {:>3}/{:<3} {:>6}  [{:.0}%, {:.0}%]\n",
            c.nominal * 100.0,
            percent(c.nominal),
            c.inside,
            c.total,
            percent(c.share),
            c.low * 100.0,
            c.high * 100.0
        ));
    }
    text.push_str(
        "(a share well below its nominal: bands too narrow, overconfident; well above: too wide)\n",
    );
    let width = b
        .crps
        .iter()
        .map(|s| s.indicator.chars().count())
        .max()
        .unwrap_or(9)
        .max(9);
    text.push_str(&format!("\n{:<width$}  values  mean CRPS\n", "indicator"));
    for s in &b.crps {
        text.push_str(&format!(
            "{:<width$}  {:>6}  {} {}\n",
            s.indicator,
            s.values,
            crate::report::format::compact(s.mean_crps),
            s.unit
        ));
    }
    match b.brier {
        Some(brier) => {
            text.push_str(&format!(
                "\nBrier score of the {} targets decided since {}: {:.3} (0 is perfect; 0.25 is a coin flip's)\n",
                b.decided.len(),
                b.as_of,
                brier
            ));
            for d in &b.decided {
                text.push_str(&format!(
                    "  {}: {} as of {}, {}\n",
                    d.target,
                    percent(d.probability),
                    b.as_of,
                    d.outcome.name()
                ));
            }
        }
        None => text.push_str(&format!("\nno target has been decided since {}\n", b.as_of)),
    }
    text
}
