//! The checks behind the fuzz targets in `fuzz/`, outside the shipped library: the fuzz targets and
//! the regression test that replays their findings (`tests/fuzz_regressions.rs`) include this file
//! with `#[path]`, so both run the same code.

use plancast::model::formula::Formula;
use plancast::model::Scenario;

/// Indicator names a fuzzed formula may refer to.
const FORMULA_NAMES: [&str; 4] = ["a", "b", "gdp", "rd_spend"];

/// Paths in each fuzzed formula evaluation.
const FORMULA_PATHS: usize = 4;

/// Parses, binds and evaluates a fuzzed formula: `data` is formula text, optionally followed by a
/// NUL byte and bytes that give the input values (each as `i8 / 4`, with `0x7f` for `f64::MAX`
/// and `0x80` for 0). Text that does not parse or bind is simply rejected.
///
/// # Panics
/// When the vector and the scalar evaluation of a formula disagree (other than both NaN): this
/// is the fuzzers' oracle, so a mismatch must stop them.
pub fn check_formula_bytes(data: &[u8]) {
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
    let Ok(program) = formula.bind(&FORMULA_NAMES, &mut |name, lag| {
        (FORMULA_NAMES.contains(&name) && lag <= 5).then(|| {
            slots += 1;
            slots - 1
        })
    }) else {
        return;
    };
    let value = |k: usize| -> f64 {
        match values.get(k) {
            None => 1.5,
            Some(0x7f) => f64::MAX,
            Some(0x80) => 0.0,
            Some(&b) => (b as i8) as f64 / 4.0,
        }
    };
    let columns: Vec<Vec<f64>> = (0..slots)
        .map(|s| {
            (0..FORMULA_PATHS)
                .map(|p| value(s * FORMULA_PATHS + p))
                .collect()
        })
        .collect();
    let inputs: Vec<&[f64]> = columns.iter().map(|c| c.as_slice()).collect();
    let mut out = vec![0.0; FORMULA_PATHS];
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

/// Simulates a fuzzed scenario (with its own path count) if it is small enough to keep each
/// fuzz execution short; results and runtime errors are both fine, only a panic is a finding.
pub fn simulate_if_small(scenario: &Scenario) {
    let years = (scenario.horizon() - scenario.base_year()).max(0) as usize + 1;
    if scenario.indicators().len() * years <= 5_000 && scenario.events().len() <= 20 {
        let _ = plancast::engine::simulate(scenario, Some(1), &|_| {});
    }
}
