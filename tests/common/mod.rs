//! Helpers shared by the integration tests: run a scenario given as text through the library.

#![allow(dead_code)]

use plancast::report::summary::{self, Summary};
use plancast::scenario::{self, LoadOptions, RunSettings};
use std::io::Write;

/// Loads `text` as a scenario file and simulates it with the given paths, seed and threads.
pub fn run_text(text: &str, paths: u64, seed: u64, threads: usize) -> Summary {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    run_file(file.path(), paths, seed, threads, &[])
}

/// Loads a scenario file and simulates it.
pub fn run_file(
    path: &std::path::Path,
    paths: u64,
    seed: u64,
    threads: usize,
    sets: &[&str],
) -> Summary {
    let options = LoadOptions {
        sets: sets.iter().map(|s| s.to_string()).collect(),
        settings: RunSettings {
            paths: Some(paths),
            seed: Some(seed),
            as_of: None,
        },
    };
    let loaded =
        scenario::load(path, &options).unwrap_or_else(|d| panic!("invalid test scenario:\n{d}"));
    let sim = plancast::engine::simulate(&loaded.scenario, Some(threads), &|_| {}).unwrap();
    summary::build(&loaded, &sim, 0.0, threads)
}

/// The target with this id.
pub fn target<'a>(s: &'a Summary, id: &str) -> &'a summary::TargetResult {
    s.targets
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("no target {id}"))
}

/// The group with this id.
pub fn group<'a>(s: &'a Summary, id: &str) -> &'a summary::GroupResult {
    s.groups
        .iter()
        .find(|g| g.id == id)
        .unwrap_or_else(|| panic!("no group {id}"))
}

/// Asserts |estimate - exact| <= 4 standard errors of a proportion with n paths.
pub fn assert_within_4se(what: &str, estimate: f64, exact: f64, n: u64) {
    let se = (exact * (1.0 - exact) / n as f64).sqrt();
    // Printed for the record (visible with --nocapture): how far from the closed form, in SE.
    eprintln!(
        "{what}: estimate {estimate:.5}, closed form {exact:.5}, difference {:+.2} SE",
        (estimate - exact) / se
    );
    assert!(
        (estimate - exact).abs() <= 4.0 * se,
        "{what}: estimate {estimate:.5}, closed form {exact:.5}, 4 SE = {:.5}",
        4.0 * se
    );
}

/// A scenario header with years 2020..2025.
pub fn header(name: &str) -> String {
    format!("[scenario]\nname = \"{name}\"\nbase_year = 2020\nhorizon = 2025\n\n")
}

/// Loads a scenario file with the given paths and seed (None: the file's own) and overrides.
pub fn load(
    path: &str,
    paths: Option<u64>,
    seed: Option<u64>,
    sets: &[&str],
) -> plancast::scenario::Loaded {
    let options = LoadOptions {
        sets: sets.iter().map(|s| s.to_string()).collect(),
        settings: RunSettings {
            paths,
            seed,
            as_of: None,
        },
    };
    scenario::load(std::path::Path::new(path), &options)
        .unwrap_or_else(|d| panic!("invalid test scenario:\n{d}"))
}

/// Indices of the targets `ids` (every target when `ids` is empty).
pub fn target_indices(loaded: &plancast::scenario::Loaded, ids: &[&str]) -> Vec<usize> {
    if ids.is_empty() {
        return (0..loaded.scenario.targets().len()).collect();
    }
    ids.iter()
        .map(|id| {
            loaded
                .scenario
                .target_index(id)
                .unwrap_or_else(|| panic!("no target {id}"))
        })
        .collect()
}

/// Runs the `plancast` binary with `args` followed by `--out out`, asserts that it succeeded
/// (the message names the arguments and gives its standard error) and returns its output.
pub fn plancast_ok(args: &[&str], out: &std::path::Path) -> std::process::Output {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_plancast"))
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "plancast {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
