//! Inputs from fuzzing (see docs/fuzzing.md) kept as tests: those that once crashed plancast or
//! got a poor message (`empty-message-*`), and a sample of the fuzz corpora (`corpus-*`). Each
//! scenario in `tests/fixtures/fuzz/scenario/` must load to a scenario or to diagnostics that put
//! every problem in words and, if valid and small, simulate without a panic; each formula in
//! `tests/fixtures/fuzz/formula/` (text, then a NUL byte and input bytes) must parse, bind and
//! evaluate without a panic, vector and scalar evaluation agreeing bit for bit. This mirrors the
//! fuzz targets in `fuzz/fuzz_targets/`.

#[path = "../fuzz/checks.rs"]
mod checks;

use plancast::scenario::{self, LoadOptions, RunSettings};
use std::path::{Path, PathBuf};

fn inputs(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new("tests/fixtures/fuzz").join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn fuzz_scenarios_never_panic() {
    let files = inputs("scenario");
    assert!(!files.is_empty());
    for file in files {
        let options = LoadOptions {
            sets: Vec::new(),
            settings: RunSettings {
                paths: Some(32),
                seed: Some(1),
                as_of: None,
            },
        };
        let outcome = std::panic::catch_unwind(|| {
            let loaded = match scenario::load(&file, &options) {
                Ok(loaded) => loaded,
                Err(diagnostics) => {
                    // Every problem is put in words (two inputs once gave "TOML syntax error: "
                    // and nothing more).
                    for line in diagnostics.to_string().lines() {
                        let line = line.trim_end();
                        assert!(
                            !line.ends_with(':'),
                            "{}: a message without words: {line:?}",
                            file.display()
                        );
                    }
                    return;
                }
            };
            checks::simulate_if_small(&loaded.scenario);
        });
        assert!(outcome.is_ok(), "{} panics", file.display());
    }
}

#[test]
fn fuzz_formulas_never_panic() {
    let files = inputs("formula");
    assert!(!files.is_empty());
    for file in files {
        let data = std::fs::read(&file).unwrap();
        let outcome = std::panic::catch_unwind(|| checks::check_formula_bytes(&data));
        assert!(outcome.is_ok(), "{} panics", file.display());
    }
}

/// Every file of `tests/fixtures/fuzz/<folder>/`, copied to a scratch file named `name` (the
/// commands read from paths with fixed names), through `check`, which must not panic.
fn replay(folder: &str, name: &str, check: fn(&Path)) {
    let files = inputs(folder);
    assert!(!files.is_empty(), "no inputs in {folder}");
    for file in files {
        let dir = tempfile::tempdir().unwrap();
        let scratch = dir.path().join(name);
        std::fs::copy(&file, &scratch).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&scratch));
        assert!(outcome.is_ok(), "{} panics", file.display());
    }
}

/// Scenarios run as `plancast run` does (summary, CSV, charts): the `run` fuzz target.
#[test]
fn fuzz_runs_never_panic() {
    replay("run", "scenario.toml", checks::run_scenario_file);
}

/// Damaged `partial.json` files merged: the `merge` fuzz target.
#[test]
fn fuzz_merges_never_panic() {
    replay("merge", "partial.json", checks::merge_partial_file);
}

/// Damaged `summary.json` files redrawn: the `plot` fuzz target.
#[test]
fn fuzz_plots_never_panic() {
    replay("plot", "summary.json", |path| {
        checks::plot_summary_folder(path.parent().unwrap())
    });
}

/// History files calibrated: the `calibrate` fuzz target.
#[test]
fn fuzz_calibrations_never_panic() {
    replay("calibrate", "history.csv", checks::calibrate_file);
}
