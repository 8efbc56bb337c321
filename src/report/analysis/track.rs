//! The text and CSV of `plancast track`: `track.csv` (one row per target and as-of year) and the
//! printed table (one row per target, one column per as-of year).

use crate::analysis::track::Track;
use crate::report::csv::{finish, number as num, write_row};
use crate::report::format::percent;

/// The contents of `track.csv`: `target, as_of, probability, low, high, basis, outcome`.
pub fn to_csv(track: &Track) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    write_row(
        &mut w,
        [
            "target",
            "as_of",
            "probability",
            "low",
            "high",
            "basis",
            "outcome",
        ],
    )?;
    for t in &track.targets {
        for p in &t.points {
            write_row(
                &mut w,
                [
                    t.id.clone(),
                    p.as_of.to_string(),
                    num(p.probability),
                    num(p.low),
                    num(p.high),
                    p.basis.name().to_string(),
                    p.outcome.map(|o| o.name().to_string()).unwrap_or_default(),
                ],
            )?;
        }
    }
    finish(w)
}

/// The printed table: per target, its probability at each as-of year (a decided target shows
/// `met` or `missed`; a prior-only probability is marked `*`).
pub fn render(track: &Track) -> String {
    let id_width = track
        .targets
        .iter()
        .map(|t| t.id.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut text = format!(
        "{} — probability of each target as of each year ({} paths, seed {}, trends {})\n\n",
        track.run.scenario,
        track.run.paths,
        track.run.seed,
        track.update.name()
    );
    text.push_str(&format!("{:<id_width$} {:>4}", "target", "due"));
    for y in &track.years {
        text.push_str(&format!(" {y:>7}"));
    }
    text.push('\n');
    let mut any_prior = false;
    for t in &track.targets {
        text.push_str(&format!("{:<id_width$} {:>4}", t.id, t.due_year));
        for p in &t.points {
            let cell = match p.outcome {
                Some(o) => o.name().to_string(),
                None if p.basis == crate::model::Basis::Prior => {
                    any_prior = true;
                    format!("{}*", percent(p.probability))
                }
                None => percent(p.probability),
            };
            text.push_str(&format!(" {cell:>7}"));
        }
        text.push('\n');
    }
    if any_prior {
        text.push_str("\n* no observation bears on it yet: the probability restates the assumptions (prior)\n");
    }
    text
}
