//! The cited sources travel with the project (issue 14, item 11): every "plan line N" in the
//! bundled scenario, its documentation and history files points at a line of
//! `data/guangxi-14th-fyp-plan.txt`, and every "CSV indicator,year" / "guangxi-published.csv
//! indicator,year" at a row of `data/guangxi-published.csv`.

use std::collections::BTreeSet;
use std::fs;

const CITING: [&str; 8] = [
    "scenarios/guangxi-14th-fyp.toml",
    "scenarios/guangxi-14th-fyp-optimistic.toml",
    "scenarios/guangxi-14th-fyp-pessimistic.toml",
    "scenarios/README.md",
    "docs/guangxi-assumptions.md",
    "scenarios/history/gdp_revised.csv",
    "scenarios/history/rd_expenditure.csv",
    "scenarios/history/hightech_firms.csv",
];

/// The whole number that starts `text` (after spaces), if any.
fn leading_number(text: &str) -> Option<usize> {
    let digits: String = text
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// `indicator,year` pairs that follow `marker` in `text`.
fn cited_rows(text: &str, marker: &str) -> Vec<(String, String)> {
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = text[at + marker.len()..].trim_start_matches('`');
            let indicator: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            let year: String = rest[indicator.len()..]
                .strip_prefix(',')?
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            (!indicator.is_empty() && year.len() == 4).then_some((indicator, year))
        })
        .collect()
}

#[test]
fn citations_point_at_lines_and_rows_in_data() {
    let plan = fs::read_to_string("data/guangxi-14th-fyp-plan.txt").unwrap();
    let plan_lines = plan.lines().count();
    assert!(plan.contains("广西科技创新"), "the plan's text");
    let table = fs::read_to_string("data/guangxi-published.csv").unwrap();
    let rows: BTreeSet<(String, String)> = table
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut cells = l.split(',');
            Some((cells.next()?.to_string(), cells.next()?.to_string()))
        })
        .collect();
    let (mut lines_checked, mut rows_checked) = (0, 0);
    for file in CITING {
        let text = fs::read_to_string(file).unwrap();
        assert!(
            !text.contains("../shared/") && !text.contains("/work/shared/"),
            "{file} cites a source outside the repository"
        );
        for (at, _) in text.match_indices("plan line") {
            let rest = text[at + "plan line".len()..].trim_start_matches('s');
            if let Some(n) = leading_number(rest) {
                assert!(
                    (1..=plan_lines).contains(&n),
                    "{file}: plan line {n} (the plan has {plan_lines})"
                );
                lines_checked += 1;
            }
        }
        for marker in ["CSV ", "guangxi-published.csv ", "rows `", ", `"] {
            for (indicator, year) in cited_rows(&text, marker) {
                if marker.contains('`') && !rows.iter().any(|(i, _)| *i == indicator) {
                    continue; // a backquoted pair that is not a row citation
                }
                assert!(
                    rows.contains(&(indicator.clone(), year.clone())),
                    "{file}: {indicator},{year} is not a row of data/guangxi-published.csv"
                );
                rows_checked += 1;
            }
        }
    }
    assert!(lines_checked > 50, "{lines_checked} plan lines checked");
    assert!(rows_checked > 30, "{rows_checked} rows checked");
}
