//! The analysis commands on the command line: each writes its files, and bad input ends with
//! exit code 2 and a message that says what is wrong.

use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;

fn plancast() -> Command {
    Command::cargo_bin("plancast").unwrap()
}

const SCENARIO: &str = "tests/fixtures/analysis/closed_form_growth.toml";

#[test]
fn sensitivity_writes_csv_json_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    plancast()
        .args([
            "sensitivity",
            "tests/fixtures/analysis/two_trends.toml",
            "--paths",
            "2000",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("log_ab_2025"))
        .stdout(predicate::str::contains("1. a trend 2021-2025"));
    let csv = fs::read_to_string(dir.path().join("sensitivity.csv")).unwrap();
    assert!(csv.starts_with(
        "\u{feff}target,assumption,key,kind,low_value,mid_value,high_value,p_base,p_base_ci_lower,p_base_ci_upper,p_low,p_mid,p_high,swing,"
    ));
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("sensitivity.json")).unwrap()).unwrap();
    assert_eq!(json["format"], "plancast-sensitivity/1");
    // A tornado chart per target, SVG and PNG, with the audit line.
    for target in ["a_2025", "b_2025", "log_ab_2025"] {
        let svg =
            fs::read_to_string(dir.path().join(format!("charts/tornado-{target}.svg"))).unwrap();
        assert!(
            svg.contains("seed 11") && svg.contains("2000 paths"),
            "{target}"
        );
        let png = fs::read(dir.path().join(format!("charts/tornado-{target}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{target}");
    }
}

#[test]
fn sensitivity_skips_what_the_target_cannot_depend_on_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = "tests/fixtures/analysis/dependencies.toml";
    plancast()
        .args(["sensitivity", fixture, "--target", "ratio_2025"])
        .args(["--paths", "1000", "--out"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "5 of 11 assumptions skipped as independent of the selected target(s)",
        ))
        .stdout(predicate::str::contains("16 simulations of 1000 paths"));
    // The CSV keeps a row per assumption and says which ones the target cannot depend on.
    let csv = fs::read_to_string(dir.path().join("sensitivity.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",note,depends"), "{header}");
    let independent: Vec<&str> = csv.lines().filter(|l| l.ends_with(",false")).collect();
    assert_eq!(independent.len(), 5, "{csv}");
    assert!(
        independent.iter().any(|l| l.contains("d trend 2021-2030")),
        "{csv}"
    );
    assert_eq!(csv.lines().filter(|l| l.ends_with(",true")).count(), 6);
    // The tornado chart leaves them out.
    let svg = fs::read_to_string(dir.path().join("charts/tornado-ratio_2025.svg")).unwrap();
    // Rows carry the indicators' names, the ranking's measure first, the axis in percent.
    assert!(svg.contains("A: trend 2021-2024"), "{svg}");
    assert!(!svg.contains("trend 2021-2030"));
    assert!(svg.contains("% · A: trend 2021-2024"), "{svg}");
    assert!(svg.contains("0%"), "{svg}");

    // --all-assumptions runs every one: nothing skipped.
    let all = tempfile::tempdir().unwrap();
    plancast()
        .args(["sensitivity", fixture, "--target", "ratio_2025"])
        .args(["--all-assumptions", "--paths", "1000", "--out"])
        .arg(all.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("no assumption skipped"))
        .stdout(predicate::str::contains("29 simulations of 1000 paths"));
}

#[test]
fn sensitivity_rejects_an_unknown_target() {
    plancast()
        .args([
            "sensitivity",
            SCENARIO,
            "--target",
            "a_2052",
            "--paths",
            "1000",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no target `a_2052`"))
        .stderr(predicate::str::contains("did you mean `a_2025`?"));
}

#[test]
fn solve_writes_the_value_and_interval() {
    let dir = tempfile::tempdir().unwrap();
    plancast()
        .args([
            "solve",
            SCENARIO,
            "--target",
            "a_2025",
            "--probability",
            "0.8",
            "--vary",
            "indicators.a.growth.0.trend.mean",
            "--paths",
            "5000",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("95% interval"));
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("solve-vary.json")).unwrap()).unwrap();
    let value = json["value"].as_f64().unwrap();
    assert!(json["lower"].as_f64().unwrap() < value && value < json["upper"].as_f64().unwrap());
}

#[test]
fn solve_rejects_bad_arguments() {
    let cases: [(&[&str], &str); 7] = [
        (
            &["--target", "a_2025", "--probability", "1.5"],
            "strictly between 0 and 1",
        ),
        (&["--probability", "0.8"], "--target ID, or use --all"),
        (
            &[
                "--target",
                "a_2025",
                "--probability",
                "0.8",
                "--vary",
                "indicators.a.growth.0.trend",
            ],
            "not a number",
        ),
        (
            &[
                "--target",
                "a_2025",
                "--probability",
                "0.8",
                "--vary",
                "indicators.a.growth.0.trend.min",
            ],
            "no value at",
        ),
        (
            // A misspelt key is named on the --vary argument, with the nearest valid name.
            &[
                "--target",
                "a_2025",
                "--probability",
                "0.8",
                "--vary",
                "indicators.a.growth.0.trend.median",
            ],
            "argument `--vary indicators.a.growth.0.trend.median`: unknown parameter `median` for a normal distribution (it takes mean, sd, min, max)\n  help: did you mean `mean`?",
        ),
        (
            &["--target", "a_2025", "--vary", "indicators.a.base"],
            "needs --probability",
        ),
        (
            &[
                "--target",
                "a_2025",
                "--probability",
                "0.8",
                "--vary",
                "indicators.a.base",
                "--range",
                "5",
                "1",
            ],
            "lower first",
        ),
    ];
    for (args, message) in cases {
        plancast()
            .args(["solve", SCENARIO, "--paths", "1000"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
}

#[test]
fn compare_writes_one_row_per_target_and_needs_two_files() {
    let dir = tempfile::tempdir().unwrap();
    plancast()
        .args([
            "compare",
            SCENARIO,
            "tests/fixtures/analysis/other_targets.toml",
            "--paths",
            "2000",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("a_2023"));
    let csv = fs::read_to_string(dir.path().join("compare.csv")).unwrap();
    let targets = csv.lines().filter(|l| l.starts_with("target,")).count();
    assert_eq!(targets, 3, "{csv}");
    assert!(csv.lines().next().unwrap().contains("label_zh"), "{csv}");
    assert!(
        csv.contains("_change") && csv.contains("\ngroup,due_"),
        "{csv}"
    );
    let svg = fs::read_to_string(dir.path().join("charts/compare.svg")).unwrap();
    assert!(
        svg.contains("a_2023 (2023)") && svg.contains("seed 3"),
        "{svg}"
    );
    assert!(dir.path().join("charts/compare.png").exists());
    // The audit line names every scenario; the difference chart is drawn too.
    assert!(
        svg.contains("closed_form_growth.toml") && svg.contains("other_targets.toml"),
        "{svg}"
    );
    assert!(dir.path().join("charts/compare-change.svg").exists());
    plancast().args(["compare", SCENARIO]).assert().code(2);
    plancast()
        .args(["compare", SCENARIO, "tests/fixtures/analysis/missing.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.toml"));
}

#[test]
fn calibrate_prints_a_period_block_and_locates_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    fs::write(
        &good,
        "# test series\nyear,value\n2010,100\n2011,105\n2012,111\n2013,115\n2014,122\n",
    )
    .unwrap();
    plancast()
        .arg("calibrate")
        .arg(&good)
        .assert()
        .success()
        .stdout(predicate::str::contains("growth = ["))
        .stdout(predicate::str::contains("from = 2015"))
        .stdout(predicate::str::contains("warning: only 4 yearly rates"));

    let bad = dir.path().join("bad.csv");
    fs::write(&bad, "year,value\n2010,100\n2011,abc\n").unwrap();
    plancast()
        .arg("calibrate")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.csv:3:"))
        .stderr(predicate::str::contains("`abc` is not a finite number"));

    let header = dir.path().join("header.csv");
    fs::write(&header, "date,gdp\n2010,100\n").unwrap();
    plancast()
        .arg("calibrate")
        .arg(&header)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("header.csv:1:1"))
        .stderr(predicate::str::contains("expected the header `year,value`"));

    plancast()
        .arg("calibrate")
        .arg(&good)
        .args(["--from", "2013"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("at least 2 are needed"));
}

/// Issue 14, defects 2, 3 and 9: near-zero chances print as `<0.1`, every analysis states its
/// paths and seed and its base probabilities with intervals, `--quiet` prints nothing, `--json`
/// prints the document, `--lang zh` names targets in Chinese, and `solve --vary` leaves the
/// table of `solve --all` in the same folder alone.
#[test]
fn analyses_state_paths_seed_and_intervals_and_take_quiet_json_and_lang() {
    const GUANGXI: &str = "scenarios/guangxi-14th-fyp.toml";
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name);
    // 0 of 5000 paths: the interval's upper end is 0.08%, not "0.0".
    plancast()
        .args(["run", GUANGXI, "--paths", "5000", "--no-charts", "--out"])
        .arg(out("run"))
        .assert()
        .success()
        .stdout(predicate::str::contains("0% [  0.0,  <0.1]"))
        .stdout(predicate::str::contains("[0.0, 0.0]").not());
    plancast()
        .args(["compare", GUANGXI, GUANGXI, "--paths", "5000", "--out"])
        .arg(out("compare"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "5000 paths per simulation, seed 20211029",
        ))
        .stdout(predicate::str::contains("0% [0.0, <0.1]"))
        .stdout(predicate::str::contains("joint probabilities"));
    plancast()
        .args([
            "compare", GUANGXI, GUANGXI, "--paths", "5000", "--lang", "zh", "--out",
        ])
        .arg(out("compare"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "全社会研发经费支出占地区生产总值比重",
        ));
    plancast()
        .args([
            "compare", GUANGXI, GUANGXI, "--paths", "5000", "--quiet", "--out",
        ])
        .arg(out("compare"))
        .assert()
        .success()
        .stdout("");
    let sensitivity = [
        "sensitivity",
        GUANGXI,
        "--target",
        "rd_intensity_2035",
        "--paths",
        "2000",
    ];
    plancast()
        .args(sensitivity)
        .arg("--out")
        .arg(out("sens"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2000 paths per simulation, seed 20211029",
        ))
        // The base probability with its interval (the number follows the bundled scenario).
        .stdout(
            predicate::str::is_match(r"base probability [0-9.<>]+% \[[0-9.<>]+, [0-9.<>]+\]")
                .unwrap(),
        );
    let json = plancast()
        .args(sensitivity)
        .args(["--json", "--lang", "zh", "--out"])
        .arg(out("sens"))
        .output()
        .unwrap();
    assert!(json.status.success());
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(document["format"], "plancast-sensitivity/1");
    assert_eq!(
        document["targets"][0]["p_base_ci"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    plancast()
        .args(sensitivity)
        .args(["--quiet", "--out"])
        .arg(out("sens"))
        .assert()
        .success()
        .stdout("");

    // solve --all's table and a --vary answer share a folder.
    let solve = out("solve");
    plancast()
        .args([
            "solve",
            GUANGXI,
            "--target",
            "hv_patents_per_10k_2025",
            "--paths",
            "2000",
            "--quiet",
            "--out",
        ])
        .arg(&solve)
        .assert()
        .success()
        .stdout("");
    plancast()
        .args([
            "solve",
            GUANGXI,
            "--target",
            "rd_intensity_2025",
            "--probability",
            "0.5",
            "--vary",
            "indicators.rd_spend.growth.0.trend.mode",
            "--paths",
            "2000",
            "--out",
        ])
        .arg(&solve)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2000 paths per simulation, seed 20211029",
        ))
        .stdout(predicate::str::contains("gives probability 0% [0.0, 0.2]"));
    assert!(solve.join("solve.json").exists() && solve.join("solve-vary.json").exists());
    let table: serde_json::Value =
        serde_json::from_slice(&fs::read(solve.join("solve.json")).unwrap()).unwrap();
    assert_eq!(table["rows"][0]["target"], "hv_patents_per_10k_2025");
}

#[test]
fn run_json_prints_the_summary_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let output = plancast()
        .args([
            "run",
            SCENARIO,
            "--paths",
            "2000",
            "--no-charts",
            "--json",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let written: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(printed, written);
}
