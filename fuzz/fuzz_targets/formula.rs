//! Fuzz target: formula text is parsed, bound to a few indicator names and evaluated, both over a
//! vector of paths and for one path. Nothing may panic, and the two evaluations must agree bit for
//! bit (or both be NaN).

#![no_main]

use libfuzzer_sys::fuzz_target;
use plancast::model::formula::Formula;

const NAMES: [&str; 4] = ["a", "b", "gdp", "rd_spend"];

fuzz_target!(|data: &[u8]| {
    // Text up to the first NUL byte; the bytes after it give the input values.
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
    // Each slot's values: from the input bytes (as i8 / 4, with a few special values).
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
});
