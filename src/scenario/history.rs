//! A yearly history file (`year,value`), as `plancast calibrate` reads it: parsed here, with
//! the file's line and column in every message, like a scenario file.

use super::diagnostic::{Diagnostic, Location};
use super::Diagnostics;
use std::path::Path;

fn located(file: &str, line: usize, column: usize, message: String) -> Diagnostics {
    Diagnostics(vec![Diagnostic::located(
        Location::File {
            path: file.to_string(),
            line,
            column,
        },
        message,
    )])
}

/// Reads a `year,value` history: a header line `year,value`, then one year per line; blank
/// lines and lines starting with `#` are skipped. Errors name the file and line.
pub fn read_history(path: &Path) -> Result<Vec<(i32, f64)>, Diagnostics> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostics(vec![Diagnostic::located(
            Location::FileOnly(file.clone()),
            format!("cannot read the history file: {e}"),
        )])
    })?;
    let mut header_seen = false;
    let mut points: Vec<(i32, f64, usize)> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.trim_start_matches('\u{feff}').trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = content.split(',').map(str::trim).collect();
        if !header_seen {
            let lower: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
            if lower != ["year", "value"] {
                return Err(located(
                    &file,
                    line,
                    1,
                    format!("expected the header `year,value`, found `{content}`"),
                ));
            }
            header_seen = true;
            continue;
        }
        if fields.len() != 2 {
            return Err(located(
                &file,
                line,
                1,
                format!(
                    "expected two fields `year,value`, found {} in `{content}`",
                    fields.len()
                ),
            ));
        }
        let year: i32 = fields[0].parse().map_err(|_| {
            located(
                &file,
                line,
                1,
                format!(
                    "`{}` is not a year (a whole number such as 2021)",
                    fields[0]
                ),
            )
        })?;
        let column = raw.find(',').map(|c| c + 2).unwrap_or(1);
        let value: f64 = fields[1]
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| {
                located(
                    &file,
                    line,
                    column,
                    format!("`{}` is not a finite number", fields[1]),
                )
            })?;
        if let Some(&(_, _, first)) = points.iter().find(|p| p.0 == year) {
            return Err(located(
                &file,
                line,
                1,
                format!("year {year} is listed twice (first on line {first})"),
            ));
        }
        points.push((year, value, line));
    }
    if !header_seen {
        return Err(Diagnostics(vec![Diagnostic::located(
            Location::FileOnly(file),
            "the history file is empty: expected a header `year,value` and one line per year",
        )]));
    }
    points.sort_by_key(|p| p.0);
    Ok(points.into_iter().map(|(y, v, _)| (y, v)).collect())
}
