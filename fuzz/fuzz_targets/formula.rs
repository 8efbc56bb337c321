//! Fuzz target: formula text is parsed, bound to a few indicator names and evaluated, both over a
//! vector of paths and for one path. Nothing may panic, and the two evaluations must agree bit for
//! bit (or both be NaN).

#![no_main]

// Each target uses one of the shared checks.
#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    checks::check_formula_bytes(data);
});
