//! `run --precision` and `run --shard K/N` + `merge`, end to end through the binary: a precision
//! run that stops at N paths has exactly the numbers of a plain run with N paths, and merged
//! shards have exactly the numbers (summary.json apart from timing, and the CSV files) of one
//! run with all the paths. Bad combinations of parts exit 2 with a message.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

const SCENARIO: &str = "tests/fixtures/valid/small.toml";

fn plancast() -> Command {
    Command::cargo_bin("plancast").unwrap()
}

/// summary.json without its timing fields (and without the precision record when asked).
fn numbers(dir: &Path, drop_precision: bool) -> Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let object = v.as_object_mut().unwrap();
    object.remove("timing");
    if drop_precision {
        object.remove("precision");
    }
    v
}

fn run(args: &[&str], out: &Path) {
    plancast()
        .args(["run", SCENARIO, "-q", "--no-charts", "--out"])
        .arg(out)
        .args(args)
        .assert()
        .success();
}

#[test]
fn precision_run_equals_a_plain_run_with_the_paths_it_reached() {
    let dir = tempfile::tempdir().unwrap();
    for sampling in ["random", "lhs", "sobol"] {
        let set = format!("scenario.sampling={sampling}");
        let precise = dir.path().join(format!("precise-{sampling}"));
        run(
            &["--precision", "0.006", "--seed", "4", "--set", &set],
            &precise,
        );
        let summary = numbers(&precise, false);
        let info = &summary["precision"];
        assert_eq!(info["met"], Value::Bool(true), "{sampling}: {info}");
        let reached = info["reached_paths"].as_u64().unwrap();
        assert_eq!(summary["run"]["paths"].as_u64(), Some(reached));
        assert!(info["worst_half_width"].as_f64().unwrap() <= 0.006);
        // It stopped at the first step that met the rule: the step before did not.
        let steps = info["steps"].as_array().unwrap();
        assert_eq!(steps.last().unwrap().as_u64(), Some(reached));
        assert!(
            reached > 16_384,
            "{sampling}: the test should need several steps"
        );

        let plain = dir.path().join(format!("plain-{sampling}"));
        let paths = reached.to_string();
        run(&["--paths", &paths, "--seed", "4", "--set", &set], &plain);
        assert_eq!(
            numbers(&precise, true),
            numbers(&plain, true),
            "{sampling}: precision run and plain run with {reached} paths differ"
        );
        assert_eq!(
            std::fs::read(precise.join("quantiles.csv")).unwrap(),
            std::fs::read(plain.join("quantiles.csv")).unwrap()
        );
    }
}

#[test]
fn precision_not_met_stops_at_max_paths_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    plancast()
        .args([
            "run",
            SCENARIO,
            "--precision",
            "0.0001",
            "--max-paths",
            "20000",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("precision: NOT met"));
    let summary = numbers(&out, false);
    assert_eq!(summary["precision"]["met"], Value::Bool(false));
    assert_eq!(summary["precision"]["reached_paths"].as_u64(), Some(20_000));
    assert_eq!(
        summary["precision"]["steps"],
        serde_json::json!([16_384, 20_000])
    );
}

#[test]
fn precision_outside_zero_to_half_is_refused() {
    for bad in ["0", "0.5", "-0.1", "NaN", "2"] {
        plancast()
            .args([
                "run",
                SCENARIO,
                "--precision",
                bad,
                "--out",
                "/nonexistent/x",
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--precision"));
    }
    plancast()
        .args(["run", SCENARIO, "--max-paths", "1000"])
        .assert()
        .code(2);
}

fn shard_run(k: u64, n: u64, extra: &[&str], out: &Path) {
    let shard = format!("{k}/{n}");
    run(&[&["--shard", shard.as_str()], extra].concat(), out);
}

#[test]
fn merged_shards_equal_one_run_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    // 100,000 paths: 7 blocks, the last one partial; 3 shards of 2, 2 and 3 blocks.
    for sampling in ["random", "lhs", "sobol"] {
        let set = format!("scenario.sampling={sampling}");
        let common = ["--paths", "100000", "--seed", "21", "--set", set.as_str()];
        let single = dir.path().join(format!("single-{sampling}"));
        run(&common, &single);
        let parts: Vec<_> = (1..=3)
            .map(|k| dir.path().join(format!("part-{sampling}-{k}")))
            .collect();
        for (k, part) in parts.iter().enumerate() {
            // Different thread counts per shard change nothing.
            let threads = (k + 1).to_string();
            shard_run(
                k as u64 + 1,
                3,
                &[&common[..], &["--threads", threads.as_str()]].concat(),
                part,
            );
            assert!(part.join("partial.json").is_file());
        }
        let merged = dir.path().join(format!("merged-{sampling}"));
        // Parts in any order.
        // Charts too for one of them (as `plancast run` would draw).
        let charts: &[&str] = if sampling == "sobol" {
            &[]
        } else {
            &["--no-charts"]
        };
        plancast()
            .arg("merge")
            .args(charts)
            .args([&parts[2], &parts[0], &parts[1]])
            .arg("--out")
            .arg(&merged)
            .assert()
            .success()
            .stdout(predicate::str::contains("100000 paths from 3 shards"));
        assert_eq!(merged.join("report.html").is_file(), sampling == "sobol");
        assert_eq!(
            numbers(&merged, false),
            numbers(&single, false),
            "{sampling}: merged shards differ from the single run"
        );
        for file in ["quantiles.csv", "targets.csv"] {
            assert_eq!(
                std::fs::read(merged.join(file)).unwrap(),
                std::fs::read(single.join(file)).unwrap(),
                "{sampling}: {file}"
            );
        }
    }
}

#[test]
fn parts_that_do_not_belong_together_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    let common = ["--paths", "40000", "--seed", "5"];
    shard_run(1, 2, &common, &p("a1"));
    shard_run(2, 2, &common, &p("a2"));
    shard_run(2, 2, &["--paths", "40000", "--seed", "6"], &p("b2"));
    shard_run(
        2,
        2,
        &[&common[..], &["--set", "scenario.sampling=lhs"]].concat(),
        &p("c2"),
    );
    let merge = |parts: &[&str]| {
        let mut cmd = plancast();
        cmd.args(["merge", "--no-charts"]);
        for part in parts {
            cmd.arg(p(part));
        }
        cmd.arg("--out").arg(p("merged"));
        cmd.assert()
    };
    merge(&["a1", "b2"])
        .code(2)
        .stderr(predicate::str::contains(
            "not parts of the same run (seed: 5 vs 6)",
        ));
    merge(&["a1", "c2"])
        .code(2)
        .stderr(predicate::str::contains("not parts of the same run"));
    merge(&["a1"])
        .code(2)
        .stderr(predicate::str::contains("shard(s) 2/2 missing"));
    merge(&["a1", "a2", "a2"])
        .code(2)
        .stderr(predicate::str::contains("shard 2/2 is given twice"));
    std::fs::create_dir_all(p("junk")).unwrap();
    std::fs::write(p("junk/partial.json"), b"{\"format\": 3}").unwrap();
    merge(&["a1", "junk"])
        .code(2)
        .stderr(predicate::str::contains("is not a partial result"));
    merge(&["a1", "nowhere"])
        .code(2)
        .stderr(predicate::str::contains("cannot read"));
    assert!(!p("merged").join("summary.json").exists());
    merge(&["a2", "a1"]).success();
    assert!(p("merged").join("summary.json").exists());
}

#[test]
fn more_shards_than_blocks_is_refused() {
    plancast()
        .args([
            "run",
            SCENARIO,
            "--paths",
            "20000",
            "--shard",
            "3/3",
            "--out",
            "/nonexistent/x",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("use at most 2 shard(s)"));
}

/// The merge rebuilds the scenario from the resolved content recorded in the parts: a variant
/// built with `extends` and changed by `--set` and `--as-of` merges to the single run's numbers,
/// with the files and overrides recorded as in the single run.
#[test]
fn shards_of_an_extended_scenario_with_overrides_merge_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "scenarios/guangxi-14th-fyp-optimistic.toml";
    let common = [
        "--paths",
        "40000",
        "--seed",
        "8",
        "--as-of",
        "2020",
        "--set",
        "scenario.sampling=sobol",
    ];
    let single = dir.path().join("single");
    plancast()
        .args(["run", scenario, "-q", "--no-charts"])
        .args(common)
        .arg("--out")
        .arg(&single)
        .assert()
        .success();
    for k in 1..=2 {
        plancast()
            .args(["run", scenario, "-q"])
            .args(common)
            .args(["--shard", &format!("{k}/2"), "--out"])
            .arg(dir.path().join(format!("part{k}")))
            .assert()
            .success();
    }
    let merged = dir.path().join("merged");
    plancast()
        .args(["merge", "-q", "--no-charts", "--out"])
        .arg(&merged)
        .arg(dir.path().join("part1"))
        .arg(dir.path().join("part2"))
        .assert()
        .success()
        .stdout("");
    let summary = numbers(&merged, false);
    assert_eq!(summary, numbers(&single, false));
    assert_eq!(summary["scenario"]["files"].as_array().unwrap().len(), 2);
    assert_eq!(summary["run"]["as_of"], serde_json::json!(2020));
}
