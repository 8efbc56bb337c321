//! Inputs from fuzzing (see docs/fuzzing.md) kept as tests: those that once crashed plancast or
//! got a poor message (`empty-message-*`), and a sample of the fuzz corpora (`corpus-*`). Each
//! scenario in `tests/fixtures/fuzz/scenario/` must load to a scenario or to diagnostics that put
//! every problem in words and, if valid and small, simulate without a panic; each formula in
//! `tests/fixtures/fuzz/formula/` (text, then a NUL byte and input bytes) must parse, bind and
//! evaluate without a panic, vector and scalar evaluation agreeing bit for bit. This mirrors the
//! fuzz targets in `fuzz/fuzz_targets/`.

use plancast::model::formula::Formula;
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
            let s = &loaded.scenario;
            let years = (s.horizon - s.base_year).max(0) as usize + 1;
            if s.indicators.len() * years <= 5_000 && s.events.len() <= 20 {
                let _ = plancast::engine::simulate(s, Some(1), &|_| {});
            }
        });
        assert!(outcome.is_ok(), "{} panics", file.display());
    }
}

const NAMES: [&str; 4] = ["a", "b", "gdp", "rd_spend"];

fn check_formula(data: &[u8]) {
    let (text, values) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let Ok(formula) = Formula::parse(text) else {
        return;
    };
    let mut slots = 0usize;
    let Ok(program) = formula.bind(&NAMES, &mut |name, lag| {
        (NAMES.contains(&name) && lag <= 5).then(|| {
            slots += 1;
            slots - 1
        })
    }) else {
        return;
    };
    const PATHS: usize = 4;
    let value = |k: usize| -> f64 {
        match values.get(k) {
            None => 1.5,
            Some(0x7f) => f64::MAX,
            Some(0x80) => 0.0,
            Some(&b) => (b as i8) as f64 / 4.0,
        }
    };
    let columns: Vec<Vec<f64>> = (0..slots)
        .map(|s| (0..PATHS).map(|p| value(s * PATHS + p)).collect())
        .collect();
    let inputs: Vec<&[f64]> = columns.iter().map(|c| c.as_slice()).collect();
    let mut out = vec![0.0; PATHS];
    let mut scratch = Vec::new();
    program.eval(&inputs, &mut out, &mut scratch);
    for (p, &v) in out.iter().enumerate() {
        let row: Vec<f64> = columns.iter().map(|c| c[p]).collect();
        let scalar = program.eval_scalar(&row);
        assert!(
            scalar.to_bits() == v.to_bits() || (scalar.is_nan() && v.is_nan()),
            "`{text}` path {p}: vector {v} vs scalar {scalar}"
        );
    }
}

#[test]
fn fuzz_formulas_never_panic() {
    let files = inputs("formula");
    assert!(!files.is_empty());
    for file in files {
        let data = std::fs::read(&file).unwrap();
        let outcome = std::panic::catch_unwind(|| check_formula(&data));
        assert!(outcome.is_ok(), "{} panics", file.display());
    }
}
