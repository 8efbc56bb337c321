//! `plancast track` and `plancast backtest` through the command line: the track equals the runs
//! as of each year; the backtest's PIT, coverage and Brier score against a case with
//! closed-form predictive distributions, worked out by hand.

use assert_cmd::Command;
use plancast::numeric::normal::norm_cdf;
use serde_json::Value;
use std::io::Write;

fn plancast() -> Command {
    Command::cargo_bin("plancast").unwrap()
}

/// x_t = 2 t + sum of t iid N(0, 1) shocks (fixed trend 2, noise 1) from 0 in 2020: as of 2020
/// the predictive distribution of year 2020 + t is N(2 t, t). The published values sit at
/// chosen standard scores z_t: 0, 1.5, -2, 0.5, -1 (2021..2025).
const SCORES: [f64; 5] = [0.0, 1.5, -2.0, 0.5, -1.0];

fn scenario() -> tempfile::NamedTempFile {
    let observed: Vec<String> = SCORES
        .iter()
        .enumerate()
        .map(|(k, z)| {
            let t = (k + 1) as f64;
            format!("{} = {:.12}", 2020 + k + 1, 2.0 * t + z * t.sqrt())
        })
        .collect();
    let text = format!(
        r#"[scenario]
name = "backtest case"
base_year = 2020
horizon = 2025

[indicators.x]
name = "x"
model = "additive"
base = 0
observed = {{ {} }}
step = [{{ from = 2021, to = 2025, trend = 2, noise = 1 }}]

[indicators.y]
name = "y"
model = "growth"
base = 100
observed = {{ 2022 = 112 }}
growth = [{{ from = 2021, to = 2025, trend = {{ dist = "normal", mean = 5, sd = 2 }}, noise = 1 }}]

[[targets]]
id = "x_2023"
indicator = "x"
year = 2023
at_least = 5

[[targets]]
id = "x_2025"
indicator = "x"
year = 2025
at_least = 9

[[targets]]
id = "y_2025"
indicator = "y"
year = 2025
at_least = 120
"#,
        observed.join(", ")
    );
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

#[test]
fn backtest_matches_the_closed_form_and_the_hand_count() {
    let file = scenario();
    let out = tempfile::tempdir().unwrap();
    let paths = 200_000u64;
    let output = plancast()
        .args(["backtest"])
        .arg(file.path())
        .args([
            "--as-of", "2020", "--paths", "200000", "--seed", "3", "--out",
        ])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("band   nominal"), "{stdout}");
    let b: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("backtest.json")).unwrap()).unwrap();
    let rows = b["rows"].as_array().unwrap();
    // x's five values and y's 2022 value.
    assert_eq!(rows.len(), 6);
    for (k, z) in SCORES.iter().enumerate() {
        let row = rows
            .iter()
            .find(|r| r["indicator"] == "x" && r["year"] == 2021 + k as i64)
            .unwrap();
        let pit = row["pit"].as_f64().unwrap();
        assert!(
            (pit - norm_cdf(*z)).abs() < 0.01,
            "{}: pit {pit}, closed form {}",
            2021 + k,
            norm_cdf(*z)
        );
        // Central bands: |z| below 0.674, 1.2816, 1.6449.
        for (key, bound) in [
            ("in_50", 0.674_49),
            ("in_80", 1.281_55),
            ("in_90", 1.644_85),
        ] {
            assert_eq!(
                row[key].as_bool().unwrap(),
                z.abs() < bound,
                "{} {key}",
                2021 + k
            );
        }
    }
    // Hand count over all six values (y's 2022 value is scored too: take its bands from the file).
    let y = rows.iter().find(|r| r["indicator"] == "y").unwrap();
    let y_in = |key: &str| y[key].as_bool().unwrap() as u64;
    let expected = [2 + y_in("in_50"), 3 + y_in("in_80"), 4 + y_in("in_90")];
    for (band, inside) in b["coverage"].as_array().unwrap().iter().zip(expected) {
        assert_eq!(band["inside"].as_u64().unwrap(), inside, "{band}");
        assert_eq!(band["total"].as_u64().unwrap(), 6);
    }
    // Brier: x_2023 (missed: 2.536 < 5) had p = P(N(6, 3) >= 5); x_2025 (missed: 7.76 < 9) had
    // p = P(N(10, 5) >= 9). y_2025 is not decided.
    let p1 = norm_cdf(1.0 / 3f64.sqrt());
    let p2 = norm_cdf(1.0 / 5f64.sqrt());
    let decided = b["decided"].as_array().unwrap();
    assert_eq!(decided.len(), 2, "{decided:?}");
    for d in decided {
        assert_eq!(d["outcome"], "missed");
    }
    let brier = b["brier"].as_f64().unwrap();
    let exact = (p1 * p1 + p2 * p2) / 2.0;
    // The estimate is (p̂1² + p̂2²)/2: its standard error is about (p1 se1 + p2 se2).
    let se =
        p1 * (p1 * (1.0 - p1) / paths as f64).sqrt() + p2 * (p2 * (1.0 - p2) / paths as f64).sqrt();
    assert!(
        (brier - exact).abs() <= 4.0 * se,
        "brier {brier}, closed form {exact}"
    );
    let csv = std::fs::read_to_string(out.path().join("backtest.csv")).unwrap();
    assert!(csv
        .trim_start_matches('\u{feff}')
        .starts_with("indicator,year,observed,pit,in_50,in_80,in_90"));
    assert!(out.path().join("charts/backtest_pit.png").exists());
    assert!(out.path().join("charts/backtest_coverage.svg").exists());
}

#[test]
fn backtest_without_later_values_is_refused() {
    let file = scenario();
    let out = tempfile::tempdir().unwrap();
    let output = plancast()
        .args(["backtest"])
        .arg(file.path())
        .args(["--as-of", "2025", "--paths", "1000", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no value was published after 2025"),
        "{stderr}"
    );
    assert!(!out.path().join("backtest.json").exists());
}

#[test]
fn track_equals_the_runs_as_of_each_year() {
    let file = scenario();
    let out = tempfile::tempdir().unwrap();
    let output = plancast()
        .args(["track"])
        .arg(file.path())
        .args(["--paths", "5000", "--seed", "9", "--no-charts", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let track: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("track.json")).unwrap()).unwrap();
    // From the base year to the latest observation.
    let years: Vec<i64> = track["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y.as_i64().unwrap())
        .collect();
    assert_eq!(years, (2020..=2025).collect::<Vec<_>>());
    for year in [2020, 2022, 2024] {
        let run_dir = tempfile::tempdir().unwrap();
        let status = plancast()
            .args(["run"])
            .arg(file.path())
            .args(["--paths", "5000", "--seed", "9", "--no-charts", "--quiet"])
            .args(["--as-of", &year.to_string(), "--out"])
            .arg(run_dir.path())
            .output()
            .unwrap();
        assert!(status.status.success());
        let summary: Value =
            serde_json::from_slice(&std::fs::read(run_dir.path().join("summary.json")).unwrap())
                .unwrap();
        for t in summary["targets"].as_array().unwrap() {
            let tracked = track["targets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == t["id"])
                .unwrap();
            let point = tracked["points"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["as_of"] == year)
                .unwrap();
            assert_eq!(
                point["probability"], t["probability"],
                "{} as of {year}",
                t["id"]
            );
            assert_eq!(point["low"], t["ci_lower"]);
            assert_eq!(point["high"], t["ci_upper"]);
            assert_eq!(point["basis"], t["basis"]);
        }
    }
    // Outcomes appear once the values published up to the as-of year decide a target.
    let csv = std::fs::read_to_string(out.path().join("track.csv")).unwrap();
    assert!(csv.contains("x_2023,2023,0,0,0,observed,missed"), "{csv}");
    assert!(csv.contains("y_2025,2020,"), "{csv}");
    let line_2020 = csv.lines().find(|l| l.starts_with("y_2025,2020,")).unwrap();
    assert!(line_2020.ends_with(",prior,"), "{line_2020}");
    let line_2022 = csv.lines().find(|l| l.starts_with("y_2025,2022,")).unwrap();
    assert!(line_2022.ends_with(",updated,"), "{line_2022}");
}
