//! Issue 14: a target whose due year the data already cover, but which no published value
//! decides, is flagged "past due" (a rule on the data, not on the clock): in summary.json,
//! targets.csv, the terminal table and the report.

use std::fs;
use std::path::Path;

mod common;

/// small.toml with GDP published for 2026 and the firm count for 2025: the data reach 2026,
/// firms_2025 and gdp_2022 are decided, rd_cagr and rd_intensity_2025 (due 2025) are not.
fn scenario(dir: &Path) -> std::path::PathBuf {
    let text = fs::read_to_string("tests/fixtures/valid/small.toml").unwrap();
    let gdp = "observed = { 2021 = 24740.86, 2022 = 26300.87 }";
    let firms = "model = \"count\"\nbase = 2806\n";
    assert!(
        text.contains(gdp) && text.contains(firms),
        "small.toml changed"
    );
    let text = text
        .replace(
            gdp,
            "observed = { 2021 = 24740.86, 2022 = 26300.87, 2026 = 33000 }",
        )
        .replace(firms, &format!("{firms}observed = {{ 2025 = 5100 }}\n"));
    let path = dir.join("later-data.toml");
    fs::write(&path, text).unwrap();
    path
}

fn run(scenario: &Path, out: &Path, extra: &[&str]) -> String {
    let scenario = scenario.to_str().unwrap();
    let args: Vec<&str> = ["run", scenario, "--paths", "2000"]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    String::from_utf8(common::plancast_ok(&args, out).stdout).unwrap()
}

fn past_due(out: &Path) -> (Option<i64>, Vec<String>) {
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    let ids = summary["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["past_due"] == true)
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    (summary["run"]["latest_observation"].as_i64(), ids)
}

#[test]
fn targets_due_in_years_the_data_cover_but_do_not_decide_are_past_due() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario(dir.path());
    let out = dir.path().join("out");
    let table = run(&scenario, &out, &[]);
    assert_eq!(
        past_due(&out),
        (
            Some(2026),
            vec!["rd_intensity_2025".to_string(), "rd_cagr".to_string()]
        )
    );
    // The terminal: a mark in the basis column and one line naming them.
    assert!(
        table.contains("past due: 2 targets fall due by 2026, the latest year with published data"),
        "{table}"
    );
    assert!(table.contains("(rd_intensity_2025, rd_cagr)"), "{table}");
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| l.ends_with("· past due"))
        .collect();
    assert_eq!(rows.len(), 2, "{table}");
    // targets.csv: a past_due column.
    let csv = fs::read_to_string(out.join("targets.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "past_due")
        .expect("past_due column");
    let flagged: Vec<String> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[column] == "true")
        .map(|r| r[0].to_string())
        .collect();
    assert_eq!(flagged, ["rd_intensity_2025", "rd_cagr"]);
    // The report: a badge on each.
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("class=\"badge pastdue\"").count(), 2);

    // As of 2024 the data end in 2022: nothing due later is past due, and no line is printed.
    let earlier = dir.path().join("earlier");
    let table = run(&scenario, &earlier, &["--as-of", "2024", "--no-charts"]);
    assert_eq!(past_due(&earlier), (Some(2022), vec![]));
    assert!(!table.contains("past due"), "{table}");
}
