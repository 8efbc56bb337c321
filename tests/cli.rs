//! The command line end to end: a run writes its files (CSV with a byte-order mark,
//! summary.json that parses), prints the table, and leaves no staging folder behind.

use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;

fn plancast() -> Command {
    Command::cargo_bin("plancast").unwrap()
}

#[test]
fn run_writes_summary_and_csv_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    plancast()
        .args([
            "run",
            "tests/fixtures/valid/small.toml",
            "--paths",
            "5_000",
            "--seed",
            "3",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("rd_intensity_2025"))
        .stdout(predicate::str::contains("met (observed)"))
        .stdout(predicate::str::contains("due_2025"));
    let names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            ".plancast-files",
            "charts",
            "quantiles.csv",
            "report.html",
            "results.xlsx",
            "summary.json",
            "targets.csv"
        ],
        "{names:?}"
    );

    for csv in ["targets.csv", "quantiles.csv"] {
        let bytes = fs::read(out.join(csv)).unwrap();
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            "{csv} lacks the UTF-8 byte-order mark"
        );
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let width = reader.headers().unwrap().len();
        let rows: Vec<_> = reader.records().map(|r| r.unwrap()).collect();
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r.len() == width));
    }
    let quantiles = fs::read_to_string(out.join("quantiles.csv")).unwrap();
    assert!(quantiles
        .starts_with("\u{feff}indicator,year,observed,mean,sd,p05,p10,p25,p50,p75,p90,p95\n"));

    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["run"]["paths"], 5000);
    assert_eq!(summary["run"]["seed"], 3);
    assert_eq!(summary["scenario"]["sha256"].as_str().unwrap().len(), 64);
    let targets = summary["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 5);
    for t in targets {
        let p = t["probability"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p));
        assert!(t["ci_lower"].as_f64().unwrap() <= p && p <= t["ci_upper"].as_f64().unwrap());
    }
}

#[test]
fn overrides_and_as_of_are_recorded_and_change_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], out: &str| -> serde_json::Value {
        let out = dir.path().join(out);
        plancast()
            .args([
                "run",
                "tests/fixtures/valid/small.toml",
                "--paths",
                "4000",
                "-q",
                "--out",
            ])
            .arg(&out)
            .args(args)
            .assert()
            .success()
            .stdout("");
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap()
    };
    let base = run(&[], "base");
    let raised = run(
        &["--set", "indicators.rd_spend.growth.0.trend.mode=14"],
        "raised",
    );
    let ex_ante = run(&["--as-of", "2020"], "ex_ante");
    assert_eq!(
        raised["run"]["overrides"][0],
        "indicators.rd_spend.growth.0.trend.mode=14"
    );
    let p = |s: &serde_json::Value, k: usize| s["targets"][k]["probability"].as_f64().unwrap();
    // A higher R&D growth mode raises the chance of the R&D growth target (target 2).
    assert!(p(&raised, 2) > p(&base, 2));
    // Seen from 2020, the 2022 GDP target is no longer decided by observation.
    assert_eq!(base["targets"][4]["status"], "observed_met");
    assert_eq!(ex_ante["targets"][4]["status"], "simulated");
    assert_eq!(ex_ante["run"]["as_of"], 2020);
}

#[test]
fn validate_reports_a_valid_scenario() {
    plancast()
        .args(["validate", "scenarios/guangxi-14th-fyp.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("valid"));
}

#[test]
fn bundled_variants_validate() {
    for file in [
        "guangxi-14th-fyp-optimistic.toml",
        "guangxi-14th-fyp-pessimistic.toml",
    ] {
        plancast()
            .args(["validate", &format!("scenarios/{file}")])
            .assert()
            .success();
    }
}

#[test]
fn help_explains_the_commands() {
    plancast()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("run").and(predicate::str::contains("validate")))
        .stdout(predicate::str::contains("Exit codes"));
    plancast()
        .args(["run", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--paths").and(predicate::str::contains("--set")));
}

#[test]
fn a_formula_that_divides_by_zero_is_a_runtime_failure_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("zero.toml");
    fs::write(
        &file,
        r#"
[scenario]
name = "division by zero"
base_year = 2020
horizon = 2025

[indicators.x]
name = "x"
model = "additive"
base = 1
step = [{ from = 2021, to = 2025, trend = 1 }]

[indicators.ratio]
name = "ratio"
model = "derived"
formula = "x / (x - 3)"
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    plancast()
        .args(["run"])
        .arg(&file)
        .args(["--paths", "100", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`ratio`").and(predicate::str::contains("2022")))
        .stderr(predicate::str::contains("panicked").not());
    assert!(!out.exists());
}

#[test]
fn set_can_change_a_published_value_and_points_at_itself_when_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    plancast()
        .args([
            "run",
            "tests/fixtures/valid/small.toml",
            "--paths",
            "2000",
            "-q",
            "--out",
        ])
        .arg(&out)
        .args(["--set", "indicators.gdp.observed.2022=25000"])
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    // The 2022 GDP target (>= 26000) is now decided as missed by the changed observation.
    assert_eq!(summary["targets"][4]["status"], "observed_missed");
    plancast()
        .args([
            "validate",
            "tests/fixtures/valid/small.toml",
            "--set",
            "indicators.gdp.observed.2022=-5",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "argument `--set indicators.gdp.observed.2022=-5`",
        ))
        .stderr(predicate::str::contains("must be positive"));
}

/// Issue 14, defect 5: every file an example in `--help` names exists in the repository (the
/// calibrate example once named a history file that was not there).
#[test]
fn help_examples_name_files_that_exist() {
    use clap::CommandFactory;
    let command = plancast::cli::Cli::command();
    let mut checked = 0;
    for sub in command.get_subcommands() {
        let about = sub
            .get_long_about()
            .or_else(|| sub.get_about())
            .map(|a| a.to_string())
            .unwrap_or_default();
        for word in about.split_whitespace() {
            if word.ends_with(".toml") || word.ends_with(".csv") {
                assert!(
                    std::path::Path::new(word).exists(),
                    "`plancast {} --help` names {word}, which does not exist",
                    sub.get_name()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 8, "{checked} files checked");
}

/// Every key of `summary.json` (at any depth) in `value`.
fn keys(value: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                keys(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

/// Issue 14, defect 6: docs/summary-format.md documents every field a run writes into
/// summary.json, and scenario-format.md section 15 every option of `run`.
#[test]
fn the_docs_name_every_summary_field_and_run_option() {
    let dir = tempfile::tempdir().unwrap();
    plancast()
        .args([
            "run",
            "scenarios/guangxi-14th-fyp.toml",
            "--precision",
            "0.2",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    let mut found = std::collections::BTreeSet::new();
    keys(&summary, &mut found);
    let doc = fs::read_to_string("docs/summary-format.md").unwrap();
    let missing: Vec<&String> = found
        .iter()
        // Years are keys of `observed` and `observed_sources`.
        .filter(|k| !k.chars().all(|c| c.is_ascii_digit()))
        .filter(|k| !doc.contains(&format!("`{k}`")))
        .collect();
    assert!(missing.is_empty(), "summary-format.md lacks {missing:?}");
    for field in ["trend_updates", "basis", "update", "outcome_histogram"] {
        assert!(found.contains(field), "{field} not in the summary");
    }

    use clap::CommandFactory;
    let format = fs::read_to_string("docs/scenario-format.md").unwrap();
    let section = format
        .split("## 15. Running plancast")
        .nth(1)
        .and_then(|s| s.split("## 16.").next())
        .unwrap();
    let command = plancast::cli::Cli::command();
    let run = command.find_subcommand("run").unwrap();
    for arg in run.get_arguments() {
        if let Some(long) = arg.get_long() {
            assert!(
                section.contains(&format!("--{long}")),
                "scenario-format.md section 15 lacks --{long}"
            );
        }
    }
}

/// Issue 14, conventions: completion scripts for four shells and a manual page, generated from
/// the clap definitions, so they name the commands and options that exist.
#[test]
fn completions_and_man_page_come_from_the_command_line_definitions() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = plancast().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        for word in [
            "sensitivity",
            "backtest",
            "completions",
            "no-charts",
            "precision",
        ] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    plancast().args(["completions", "tcsh"]).assert().code(2);
    let output = plancast().arg("man").output().unwrap();
    assert!(output.status.success());
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH plancast"),
        "{page}"
    );
    for word in [
        "PLANCAST SOLVE",
        "solve-vary.json",
        "lang",
        "quiet",
        "Exit codes",
    ] {
        assert!(page.contains(word), "man page lacks {word}");
    }
}

/// Issue 14, conventions: NO_COLOR turns colour off everywhere (help, usage errors), even when
/// CLICOLOR_FORCE asks for it; without NO_COLOR, CLICOLOR_FORCE does colour the help.
#[test]
fn no_color_is_respected() {
    let help = |no_color: bool| {
        let mut command = plancast();
        command.env("CLICOLOR_FORCE", "1").env_remove("NO_COLOR");
        if no_color {
            command.env("NO_COLOR", "1");
        }
        let output = command.args(["run", "--help"]).output().unwrap();
        let error = {
            let mut command = plancast();
            command.env("CLICOLOR_FORCE", "1").env_remove("NO_COLOR");
            if no_color {
                command.env("NO_COLOR", "1");
            }
            command.args(["run", "--bogus"]).output().unwrap()
        };
        [output.stdout, error.stderr]
    };
    for text in help(true) {
        assert!(!text.contains(&0x1b), "{}", String::from_utf8_lossy(&text));
    }
    assert!(
        help(false).iter().all(|t| t.contains(&0x1b)),
        "the forced help has colour"
    );
}

/// Issue 14, conventions: report.html has a table of contents, sections that fold, a filter for
/// the targets table, and group names where it showed ids.
#[test]
fn report_has_contents_folds_a_target_filter_and_group_names() {
    let dir = tempfile::tempdir().unwrap();
    plancast()
        .args([
            "run",
            "tests/fixtures/valid/small.toml",
            "--paths",
            "2000",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(
        html.contains("<nav class=\"toc\"><a href=\"#headline\">"),
        "no contents"
    );
    for section in ["targets", "charts", "assumptions", "audit"] {
        assert!(html.contains(&format!("href=\"#{section}\"")), "{section}");
        assert!(html.contains(&format!("id=\"{section}\"")), "{section}");
    }
    assert!(html.matches("<details open>").count() >= 4, "sections fold");
    assert_eq!(
        html.matches("<details").count(),
        html.matches("</details>").count()
    );
    assert!(html.contains("id=\"target-filter\"") && html.contains("function filterTargets"));
    // The headline cards name the groups ("All 2025 targets"), not their ids.
    assert!(html.contains("All 2025 targets"), "group names");
    assert!(!html.contains("(due_2025)"), "group ids in the cards");
}

/// Issue 14, conventions: `plancast show` prints the assumptions (with the trend's 5/50/95%
/// values), events, correlations and targets, in Chinese with `--lang zh`, or as JSON.
#[test]
fn show_prints_the_assumptions_events_correlations_and_targets() {
    let scenario = "scenarios/guangxi-14th-fyp.toml";
    plancast()
        .args([
            "show",
            scenario,
            "--set",
            "indicators.ht_firms.growth.0.trend.mean=8",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("5% / 50% / 95%"))
        .stdout(predicate::str::contains(
            "ht_firms                 growth   2021-2025 normal",
        ))
        .stdout(predicate::str::contains(" / 8 / "))
        .stdout(predicate::str::contains("= rd_spend / gdp * 100"))
        .stdout(predicate::str::contains("\nevents\n"))
        .stdout(predicate::str::contains("\ncorrelations\n"))
        .stdout(predicate::str::contains("rd_intensity_2035"));
    plancast()
        .args(["show", scenario, "--lang", "zh"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "全社会研发经费支出占地区生产总值比重",
        ));
    let output = plancast()
        .args(["show", scenario, "--json", "--as-of", "2020"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let view: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(view["as_of"], 2020);
    assert_eq!(view["targets"].as_array().unwrap().len(), 51);
    assert_eq!(
        view["assumptions"][0]["trend_p05_p50_p95"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

/// Issue 14, conventions: `track --json` and `backtest --json` print the document they write.
#[test]
fn track_and_backtest_print_their_document_with_json() {
    for (args, file) in [
        (vec!["track", "--from", "2023"], "track.json"),
        (vec!["backtest", "--as-of", "2022"], "backtest.json"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let output = plancast()
            .arg(args[0])
            .arg("scenarios/guangxi-14th-fyp.toml")
            .args(&args[1..])
            .args(["--paths", "1000", "--no-charts", "--json", "--out"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let written: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.path().join(file)).unwrap()).unwrap();
        assert_eq!(printed, written, "{file}");
        assert_eq!(printed["run"]["paths"], 1000, "{file}");
    }
}
