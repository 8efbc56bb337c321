//! Model rules that have exact answers: lags in formulas, clamps, the growth floor, event effects
//! on counts, derived history, `extends` versus `--set`, and the correlation repair.

mod common;

use common::*;
use plancast::scenario::{self, LoadOptions};
use std::io::Write;

fn year_of<'a>(
    s: &'a plancast::report::summary::Summary,
    id: &str,
    year: i32,
) -> &'a plancast::report::summary::YearResult {
    let ind = s.indicators.iter().find(|i| i.id == id).unwrap();
    ind.years.iter().find(|y| y.year == year).unwrap()
}

#[test]
fn lagged_formula_recovers_the_growth_rate() {
    // x grows by exactly 5% a year, so (x - x[-1]) / x[-1] * 100 = 5 in every simulated year.
    let text = header("lags")
        + r#"
[indicators.x]
name = "x"
model = "growth"
base = 80
growth = [{ from = 2021, to = 2025, trend = 5 }]

[indicators.x_growth]
name = "growth of x"
model = "derived"
formula = "(x - x[-1]) / x[-1] * 100"

[indicators.share]
name = "share"
model = "derived"
formula = "x / (x + 20) * 100"
"#;
    let s = run_text(&text, 2_000, 1, 2);
    for year in 2021..=2025 {
        let y = year_of(&s, "x_growth", year);
        assert!(
            (y.quantiles.p50 - 5.0).abs() < 1e-9 && y.quantiles.sd < 1e-9,
            "{year}: {:?}",
            y.quantiles
        );
    }
    // A lag has no value in the base year; a formula without lags has history there.
    assert!(s
        .indicators
        .iter()
        .find(|i| i.id == "x_growth")
        .unwrap()
        .years
        .iter()
        .all(|y| y.year > 2020));
    assert_eq!(year_of(&s, "share", 2020).quantiles.p50, 80.0);
}

#[test]
fn additive_clamp_growth_floor_and_count_events() {
    // a: +10 a year, clamped at 25 -> 25 from 2022 on.
    // g: an event of -500 points strikes every year; growth is floored at -99%: 100 * 0.01^5.
    // c: 7 additions a year expected, but an event of -100% every year stops all additions.
    let text = header("rules")
        + r#"
[indicators.a]
name = "a"
model = "additive"
base = 0
max = 25
step = [{ from = 2021, to = 2025, trend = 10 }]

[indicators.g]
name = "g"
model = "growth"
base = 100
growth = [{ from = 2021, to = 2025, trend = 3 }]

[indicators.c]
name = "c"
model = "count"
base = 4
rate = [{ from = 2021, to = 2025, trend = 7 }]

[[events]]
id = "always"
probability = 1
effects = { g = -500, c = -100 }
"#;
    let s = run_text(&text, 2_000, 1, 2);
    assert_eq!(year_of(&s, "a", 2021).quantiles.p50, 10.0);
    assert_eq!(year_of(&s, "a", 2025).quantiles.p95, 25.0);
    let g = year_of(&s, "g", 2025).quantiles.mean;
    assert!((g - 100.0 * 0.01f64.powi(5)).abs() < 1e-18, "{g}");
    assert_eq!(year_of(&s, "c", 2025).quantiles.p95, 4.0);
}

fn load_summary_numbers(path: &std::path::Path, sets: &[&str]) -> String {
    let mut s = run_file(path, 3_000, 5, 2, sets);
    s.timing.elapsed_seconds = 0.0;
    s.scenario.files.clear();
    s.scenario.sha256.clear();
    s.run.overrides.clear();
    serde_json::to_string(&(s.targets, s.groups, s.indicators)).unwrap()
}

#[test]
fn extends_equals_the_same_change_by_set() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string("tests/fixtures/valid/small.toml").unwrap();
    std::fs::write(dir.path().join("base.toml"), &base).unwrap();
    std::fs::write(
        dir.path().join("variant.toml"),
        "extends = \"base.toml\"\n[indicators.firms]\nrate = [{ from = 2021, to = 2030, trend = 500 }]\n",
    )
    .unwrap();
    let by_extends = load_summary_numbers(&dir.path().join("variant.toml"), &[]);
    let by_set = load_summary_numbers(
        &dir.path().join("base.toml"),
        &["indicators.firms.rate.0.trend=500"],
    );
    let unchanged = load_summary_numbers(&dir.path().join("base.toml"), &[]);
    assert_eq!(by_extends, by_set);
    assert_ne!(by_extends, unchanged);
}

#[test]
fn repair_replaces_an_impossible_correlation_and_says_so() {
    let text = header("repair")
        + r#"
[indicators.a]
name = "a"
model = "additive"
base = 0
step = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 0, sd = 1 } }]

[indicators.b]
name = "b"
model = "additive"
base = 0
step = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 0, sd = 1 } }]

[indicators.c]
name = "c"
model = "additive"
base = 0
step = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 0, sd = 1 } }]

[correlation]
trend = [["a", "b", 0.9], ["a", "c", 0.9], ["b", "c", -0.9]]
repair = true
"#;
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    let loaded = scenario::load(file.path(), &LoadOptions::default()).unwrap();
    assert!(loaded
        .scenario
        .warnings()
        .iter()
        .any(|w| w.contains("nearest correlation matrix")));
    let mut strict = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    strict
        .write_all(text.replace("repair = true", "repair = false").as_bytes())
        .unwrap();
    let refused = scenario::load(strict.path(), &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(refused.contains("not positive definite"), "{refused}");
}
