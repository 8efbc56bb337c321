//! An output folder is consistent as a set: a commit cut short between two renames is finished by
//! the next `run` or `plot` on the folder; files an earlier run wrote and this one did not are
//! removed, but only within the part of the folder the command owns, and never a file plancast
//! did not write; two runs into one folder at once leave one complete set.

#![cfg(unix)]

use plancast::report::output::{FileSet, OutputDir};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SCENARIO: &str = "tests/fixtures/valid/small.toml";
const RESULTS: [&str; 4] = [
    "summary.json",
    "targets.csv",
    "quantiles.csv",
    "results.xlsx",
];
const MANIFEST: &str = ".plancast-files";

fn plancast(args: &[&str], out: &Path) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_plancast"))
        .args(args)
        .arg(out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "plancast {args:?} {}: {}",
        out.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `plancast run SCENARIO --paths 3000 --seed SEED [extra] --out OUT`; returns its stderr.
fn run(scenario: &Path, seed: &str, extra: &[&str], out: &Path) -> String {
    let mut args = vec!["run", scenario.to_str().unwrap(), "-q", "--paths", "3000"];
    args.extend(["--seed", seed]);
    args.extend(extra);
    args.push("--out");
    String::from_utf8_lossy(&plancast(&args, out).stderr).to_string()
}

/// Every file under `dir` by relative path (plancast's hidden bookkeeping included).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, found);
            } else {
                let relative = path.strip_prefix(root).unwrap().display().to_string();
                found.insert(relative, fs::read(&path).unwrap());
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(dir, dir, &mut found);
    found
}

/// The files of an output set, for comparing runs: summary.json without its timing (the only
/// part allowed to differ between identical runs), everything else byte for byte.
fn comparable(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = files(dir);
    if let Some(bytes) = found.get_mut("summary.json") {
        let mut value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        value.as_object_mut().unwrap().remove("timing");
        *bytes = serde_json::to_vec(&value).unwrap();
    }
    found
}

/// The names of files missing from, added to or different in `got` compared with `wanted`.
fn differences(got: &BTreeMap<String, Vec<u8>>, wanted: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut names: Vec<&String> = got.keys().chain(wanted.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| got.get(*n) != wanted.get(*n))
        .map(|n| match (got.contains_key(n), wanted.contains_key(n)) {
            (true, false) => format!("{n} (extra)"),
            (false, true) => format!("{n} (missing)"),
            _ => format!("{n} (different)"),
        })
        .collect()
}

fn assert_same(got: &BTreeMap<String, Vec<u8>>, wanted: &BTreeMap<String, Vec<u8>>) {
    let differences = differences(got, wanted);
    assert!(differences.is_empty(), "{differences:?}");
}

/// Only the entries of `all` whose name passes `keep`.
fn only(all: &BTreeMap<String, Vec<u8>>, keep: impl Fn(&str) -> bool) -> BTreeMap<String, Vec<u8>> {
    all.iter()
        .filter(|(name, _)| keep(name))
        .map(|(n, b)| (n.clone(), b.clone()))
        .collect()
}

fn is_result(name: &str) -> bool {
    RESULTS.contains(&name)
}

fn is_chart_or_report(name: &str) -> bool {
    name == "report.html" || name.starts_with("charts/")
}

/// plancast's journal, staging folders and temporary journal in `dir`.
fn bookkeeping_in_progress(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".plancast-") && n != MANIFEST)
        .collect()
}

/// small.toml without its `firms_2025` target (so one outcome chart fewer), written into `dir`.
fn scenario_without_a_target(dir: &Path) -> PathBuf {
    let text = fs::read_to_string(SCENARIO).unwrap();
    let block =
        "[[targets]]\nid = \"firms_2025\"\nindicator = \"firms\"\nyear = 2025\nat_least = 5000\n\n";
    assert!(text.contains(block), "small.toml changed: update this test");
    let path = dir.join("fewer-targets.toml");
    fs::write(&path, text.replace(block, "")).unwrap();
    path
}

/// Stages the files of the output folder `from` into `to` as `run` does (results first, then
/// charts and report) and stops after `moves` renames, as a run killed there would.
fn interrupted_commit(from: &Path, to: &Path, moves: usize) {
    let source = files(from);
    let mut out = OutputDir::create(to).unwrap();
    for (name, bytes) in only(&source, is_result) {
        out.write(FileSet::Results, &name, &bytes).unwrap();
    }
    for (name, bytes) in only(&source, is_chart_or_report) {
        out.write(FileSet::Charts, &name, &bytes).unwrap();
    }
    out.commit_interrupted_after(moves).unwrap();
}

#[test]
fn plot_finishes_a_run_cut_short_between_two_renames_before_reading_the_summary() {
    let temp = tempfile::tempdir().unwrap();
    let scenario = Path::new(SCENARIO);
    let (out, new) = (temp.path().join("out"), temp.path().join("new"));
    run(scenario, "1", &[], &out);
    run(scenario, "2", &[], &new);
    let old_set = files(&out);
    // Results are staged in name order: cut after quantiles.csv, results.xlsx and summary.json,
    // so that targets.csv, the charts and the report are still the old ones.
    interrupted_commit(&new, &out, 3);
    let (cut, new_set) = (files(&out), files(&new));
    assert!(cut["summary.json"] == new_set["summary.json"]);
    assert!(cut["targets.csv"] == old_set["targets.csv"]);
    assert!(cut["targets.csv"] != new_set["targets.csv"]);
    assert_eq!(
        bookkeeping_in_progress(&out).len(),
        2,
        "journal and staging"
    );

    let stderr = String::from_utf8_lossy(&plancast(&["plot"], &out).stderr).to_string();
    assert!(
        stderr.contains("finished the interrupted write"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // Plot rewrites only charts and report: the results are the finished move's.
    assert_same(&comparable(&out), &comparable(&new));
    assert!(bookkeeping_in_progress(&out).is_empty());
}

#[test]
fn the_next_run_finishes_a_run_cut_short_and_keeps_the_finished_charts() {
    let temp = tempfile::tempdir().unwrap();
    let scenario = Path::new(SCENARIO);
    let (out, new) = (temp.path().join("out"), temp.path().join("new"));
    let later = temp.path().join("later");
    run(scenario, "1", &[], &out);
    // Different charts: one target fewer, so the new set also has a stale chart to remove.
    run(&scenario_without_a_target(temp.path()), "2", &[], &new);
    run(scenario, "3", &["--no-charts"], &later);
    // Cut after the four results: every chart and the report are still the old ones.
    interrupted_commit(&new, &out, 4);
    assert!(out.join("charts/outcome_firms_2025.png").exists());

    let stderr = run(scenario, "3", &["--no-charts"], &out);
    assert!(
        stderr.contains("finished the interrupted write"),
        "{stderr}"
    );
    let now = comparable(&out);
    // Charts and report: the interrupted run's, finished (its stale chart removed); results: this
    // run's.
    assert_same(
        &only(&now, is_chart_or_report),
        &only(&comparable(&new), is_chart_or_report),
    );
    assert!(!out.join("charts/outcome_firms_2025.png").exists());
    assert_same(
        &only(&now, is_result),
        &only(&comparable(&later), is_result),
    );
    assert!(bookkeeping_in_progress(&out).is_empty());
}

#[test]
fn a_run_removes_the_files_of_an_earlier_run_it_did_not_write_and_keeps_the_users_files() {
    let temp = tempfile::tempdir().unwrap();
    let fewer = scenario_without_a_target(temp.path());
    let (out, fresh) = (temp.path().join("out"), temp.path().join("fresh"));
    run(Path::new(SCENARIO), "1", &[], &out);
    assert!(out.join("charts/outcome_firms_2025.svg").exists());
    fs::write(out.join("notes.txt"), "my notes").unwrap();
    fs::write(out.join("charts/my-chart.png"), "my own chart").unwrap();

    run(&fewer, "1", &[], &out);
    run(&fewer, "1", &[], &fresh);
    let mut expected = comparable(&fresh);
    expected.insert("notes.txt".into(), b"my notes".to_vec());
    expected.insert("charts/my-chart.png".into(), b"my own chart".to_vec());
    // Exactly what a run into an empty folder writes, plus the user's files (the manifest, the
    // same for both, lists only plancast's).
    assert_same(&comparable(&out), &expected);
    let manifest = fs::read_to_string(out.join(MANIFEST)).unwrap();
    assert!(!manifest.contains("notes.txt") && !manifest.contains("my-chart"));
}

#[test]
fn no_charts_keeps_the_earlier_charts_until_a_run_draws_charts_again() {
    let temp = tempfile::tempdir().unwrap();
    let fewer = scenario_without_a_target(temp.path());
    let out = temp.path().join("out");
    run(Path::new(SCENARIO), "1", &[], &out);
    let charts_before = only(&files(&out), is_chart_or_report);

    let stderr = run(&fewer, "2", &["--no-charts"], &out);
    assert!(stderr.contains("plancast plot"), "{stderr}");
    assert_same(&only(&files(&out), is_chart_or_report), &charts_before);

    run(&fewer, "2", &[], &out);
    assert!(!out.join("charts/outcome_firms_2025.svg").exists());
    assert!(out.join("charts/outcome_rd_cagr.svg").exists());
}

#[test]
fn commands_writing_part_of_a_folder_leave_the_other_parts_alone() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    run(Path::new(SCENARIO), "1", &[], &out);
    plancast(
        &[
            "solve", SCENARIO, "--target", "rd_cagr", "--paths", "2000", "--out",
        ],
        &out,
    );
    let with_solve = files(&out);
    assert!(with_solve.contains_key("solve.json"));
    // plot owns only charts and report; a run owns results, charts and report.
    plancast(&["plot"], &out);
    run(Path::new(SCENARIO), "4", &[], &out);
    let after = files(&out);
    assert!(after["solve.json"] == with_solve["solve.json"]);
    let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&after), names(&with_solve));
}

#[test]
fn two_runs_into_one_folder_at_once_leave_one_complete_set() {
    let temp = tempfile::tempdir().unwrap();
    let fewer = scenario_without_a_target(temp.path());
    let (alone_a, alone_b) = (temp.path().join("a"), temp.path().join("b"));
    run(Path::new(SCENARIO), "1", &[], &alone_a);
    run(&fewer, "2", &[], &alone_b);
    let (set_a, set_b) = (comparable(&alone_a), comparable(&alone_b));
    let mut winners = [0; 2];
    for round in 0..6 {
        let out = temp.path().join(format!("together-{round}"));
        let spawn = |scenario: &Path, seed: &str| {
            Command::new(env!("CARGO_BIN_EXE_plancast"))
                .args(["run", scenario.to_str().unwrap(), "-q", "--paths", "3000"])
                .args(["--seed", seed, "--out"])
                .arg(&out)
                .output()
        };
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| spawn(Path::new(SCENARIO), "1"));
            let b = s.spawn(|| spawn(&fewer, "2"));
            (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
        });
        assert!(a.status.success() && b.status.success(), "round {round}");
        let together = comparable(&out);
        if together == set_a {
            winners[0] += 1;
        } else if together == set_b {
            winners[1] += 1;
        } else {
            panic!(
                "round {round}: the folder is neither run's complete set: {:?} against one, {:?} against the other",
                differences(&together, &set_a),
                differences(&together, &set_b)
            );
        }
        assert!(bookkeeping_in_progress(&out).is_empty(), "round {round}");
    }
    eprintln!(
        "last writer: small.toml {} times, fewer targets {} times",
        winners[0], winners[1]
    );
}

#[test]
fn concurrent_commits_of_many_files_leave_one_complete_set_after_every_round() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    const WRITERS: usize = 4;
    // Writer w writes files 0..(100 + 40 w), each holding its name, writer and round: long
    // commits that overlap, and sets of different sizes, so an interleaving shows as a mix of
    // writers or as a stale file left over.
    let set = |writer: usize, round: usize| -> BTreeMap<String, Vec<u8>> {
        (0..100 + 40 * writer)
            .map(|i| {
                let name = format!("data/file-{i:03}.txt");
                let text = format!("{name} writer {writer} round {round}");
                (name, text.into_bytes())
            })
            .collect()
    };
    let barrier = std::sync::Barrier::new(WRITERS);
    for round in 0..5 {
        std::thread::scope(|s| {
            for writer in 0..WRITERS {
                let (out, barrier, files) = (&out, &barrier, set(writer, round));
                s.spawn(move || {
                    let mut staged = OutputDir::create(out).unwrap();
                    for (name, bytes) in &files {
                        staged.write(FileSet::Results, name, bytes).unwrap();
                    }
                    barrier.wait();
                    staged.commit().unwrap();
                });
            }
        });
        let mut found = files(&out);
        found.remove(MANIFEST);
        let last = (0..WRITERS).find(|&w| found == set(w, round));
        assert!(
            last.is_some(),
            "round {round}: not one writer's complete set: {:?}",
            (0..WRITERS)
                .map(|w| differences(&found, &set(w, round)).len())
                .collect::<Vec<_>>()
        );
        assert!(bookkeeping_in_progress(&out).is_empty(), "round {round}");
    }
}
