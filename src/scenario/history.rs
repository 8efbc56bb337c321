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

/// The earliest year a history may hold.
pub const FIRST_YEAR: i32 = 1000;

/// The latest year a history may hold.
pub const LAST_YEAR: i32 = 9999;

/// A year as a history file writes it: four digits, nothing else (no sign, no leading zero, no
/// decimals), from [`FIRST_YEAR`] to [`LAST_YEAR`].
fn parse_year(text: &str) -> Option<i32> {
    let year: i32 = (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()?;
    (FIRST_YEAR..=LAST_YEAR).contains(&year).then_some(year)
}

/// Reads a `year,value` history: a header line `year,value`, then one year per line; blank
/// lines and lines starting with `#` are skipped. Errors name the file and line. The file is
/// read only if it is a regular file within [`super::limits::MAX_HISTORY_BYTES`]; years are
/// four digits and each appears once, so a history holds at most 9,000 years and takes
/// linear time.
pub fn read_history(path: &Path) -> Result<Vec<(i32, f64)>, Diagnostics> {
    let file = path.display().to_string();
    let bytes = super::limits::read_regular_file(path, super::limits::MAX_HISTORY_BYTES).map_err(
        |reason| {
            Diagnostics(vec![Diagnostic::located(
                Location::FileOnly(file.clone()),
                format!("cannot read the history file: {reason}"),
            )])
        },
    )?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let before = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        let line = before.matches('\n').count() + 1;
        located(
            &file,
            line,
            1,
            "the file is not valid UTF-8 text (save it as UTF-8 CSV)".to_string(),
        )
    })?;
    let mut header_seen = false;
    let mut points: Vec<(i32, f64, usize)> = Vec::new();
    // Year -> the line it was first given on (a map: a long file must not take quadratic time).
    let mut lines_of: std::collections::HashMap<i32, usize> = std::collections::HashMap::new();
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
        let year = parse_year(fields[0]).ok_or_else(|| {
            located(
                &file,
                line,
                1,
                format!(
                    "`{}` is not a year (four digits from {FIRST_YEAR} to {LAST_YEAR}, such as 2021)",
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
        if let Some(&first) = lines_of.get(&year) {
            return Err(located(
                &file,
                line,
                1,
                format!("year {year} is listed twice (first on line {first})"),
            ));
        }
        lines_of.insert(year, line);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<(i32, f64)>, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.csv");
        std::fs::write(&path, text).unwrap();
        read_history(&path).map_err(|d| d.to_string())
    }

    #[test]
    fn years_are_four_digits_once_each() {
        assert_eq!(
            read("year,value\n2021,1\n2020,2\n").unwrap(),
            vec![(2020, 2.0), (2021, 1.0)]
        );
        for bad in ["+2021", "02021", "2021.0", "-2021", "99999", "0999"] {
            let message = read(&format!("year,value\n{bad},1\n")).unwrap_err();
            assert!(message.contains("is not a year"), "{bad}: {message}");
        }
        let message = read("year,value\n2021,1\n2022,1\n2021,3\n").unwrap_err();
        assert!(
            message.contains("year 2021 is listed twice (first on line 2)"),
            "{message}"
        );
    }

    #[test]
    fn many_rows_are_refused_on_the_first_repeated_year() {
        // 300,000 rows once took 33 s (a quadratic search for repeated years).
        let mut text = String::from("year,value\n");
        for k in 0..300_000 {
            text.push_str(&format!("{},1\n", 1000 + k % 2000));
        }
        let message = read(&text).unwrap_err();
        assert!(
            message.contains("year 1000 is listed twice (first on line 2)"),
            "{message}"
        );
    }
}
