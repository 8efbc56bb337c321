//! An interrupted run leaves no half-written file: a run killed (SIGKILL) while it simulates
//! leaves the previous complete outputs untouched, a run killed at any moment leaves every output
//! file complete (the old one or the new one) and, once its journal is finished, the whole set
//! old or new (never a mix), and the next run removes the staging folder a killed run left
//! behind. (tests/output_set.rs checks interrupted commits cut at a chosen rename.)

#![cfg(unix)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SCENARIO: &str = "tests/fixtures/valid/small.toml";
const FILES: [&str; 4] = [
    "summary.json",
    "targets.csv",
    "quantiles.csv",
    "results.xlsx",
];

fn spawn(out: &Path, paths: &str, seed: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_plancast"))
        .args([
            "run",
            SCENARIO,
            "-q",
            "--no-charts",
            "--paths",
            paths,
            "--seed",
            seed,
            "--out",
        ])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn run(out: &Path, paths: &str, seed: &str) {
    assert!(spawn(out, paths, seed).wait().unwrap().success());
}

fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let bytes = if e.path().is_file() {
                fs::read(e.path()).unwrap()
            } else {
                Vec::new()
            };
            (name, bytes)
        })
        .collect();
    files.sort();
    files
}

fn staging_folders(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".plancast-staging-"))
        })
        .collect()
}

/// summary.json without its timing, for comparing runs.
fn numbers(bytes: &[u8]) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    v.as_object_mut().unwrap().remove("timing");
    v
}

#[test]
fn killed_while_simulating_leaves_the_previous_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run(&out, "20000", "1");
    let before = contents(&out);
    // Many paths: several seconds of simulation; killed after half a second.
    let mut child = spawn(&out, "50000000", "2");
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run ended before it could be killed"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(contents(&out), before, "the outputs changed");
}

#[test]
fn killed_at_any_moment_leaves_only_complete_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let reference = dir.path().join("reference");
    run(&out, "100000", "1");
    run(&reference, "100000", "2");
    let old: Vec<Vec<u8>> = FILES
        .iter()
        .map(|f| fs::read(out.join(f)).unwrap())
        .collect();
    let new: Vec<Vec<u8>> = FILES
        .iter()
        .map(|f| fs::read(reference.join(f)).unwrap())
        .collect();
    // How long a run takes, then kills spread over that time (and a little beyond), so that
    // some land in the simulation, some in the writing and some after the end.
    let started = Instant::now();
    run(&dir.path().join("timing"), "100000", "2");
    let duration = started.elapsed();
    let mut outcomes = [0usize; 3]; // old set, new set, mixed
    let mut journals = 0;
    for step in 0..24u32 {
        let mut child = spawn(&out, "100000", "2");
        std::thread::sleep(duration * step / 20);
        let _ = child.kill();
        child.wait().unwrap();
        // What the next plancast on this folder does first: finish a commit the kill cut short.
        if plancast::report::output::finish_interrupted(&out).unwrap() {
            journals += 1;
        }
        let mut kinds = Vec::new();
        for (k, file) in FILES.iter().enumerate() {
            let bytes = fs::read(out.join(file))
                .unwrap_or_else(|e| panic!("step {step}: {file} missing: {e}"));
            let is_old = bytes == old[k];
            let is_new = if *file == "summary.json" {
                numbers(&bytes) == numbers(&new[k])
            } else {
                bytes == new[k]
            };
            assert!(
                is_old || is_new,
                "step {step}: {file} is neither the old nor the new complete file"
            );
            kinds.push(is_new);
        }
        let outcome = if kinds.iter().all(|&n| n) {
            1
        } else if kinds.iter().all(|&n| !n) {
            0
        } else {
            2
        };
        outcomes[outcome] += 1;
        // Back to the old set for the next attempt.
        for (k, file) in FILES.iter().enumerate() {
            fs::write(out.join(file), &old[k]).unwrap();
        }
    }
    eprintln!(
        "kills: {} left the old set, {} the new set, {} a mix of complete old and new files; \
         {journals} left a journal to finish",
        outcomes[0], outcomes[1], outcomes[2]
    );
    assert!(
        outcomes[0] > 0,
        "no kill landed before the outputs were replaced"
    );
    assert_eq!(outcomes[2], 0, "a kill left a mix of old and new files");
}

#[test]
fn a_later_run_removes_a_stale_staging_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run(&out, "5000", "1");
    // A process that has ended: its id names the stale folder of a "killed" run.
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let stale = out.join(format!(".plancast-staging-{pid}"));
    fs::create_dir_all(&stale).unwrap();
    fs::write(stale.join("summary.json"), b"{\"format\": \"plancast-sum").unwrap();
    // A run killed while simulating leaves nothing to clean; one killed while writing leaves a
    // folder like this one.
    run(&out, "5000", "3");
    assert!(!stale.exists(), "the stale staging folder is still there");
    assert!(staging_folders(&out).is_empty());
    assert_eq!(
        contents(&out)
            .iter()
            .map(|(n, _)| n.clone())
            .collect::<Vec<_>>(),
        FILES
            .iter()
            .chain(&[".plancast-files"])
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .tap_sort()
    );
}

/// Sorting in an expression.
trait TapSort {
    fn tap_sort(self) -> Self;
}

impl TapSort for Vec<String> {
    fn tap_sort(mut self) -> Self {
        self.sort();
        self
    }
}
