//! Fuzz target: a (mutated) `summary.json` redrawn as `plancast plot` does. Reading it and
//! drawing every chart and the report must end in files or a typed error, never a panic or a
//! hang.

#![no_main]

#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = checks::scratch_file("summary.json", data);
    checks::plot_summary_folder(path.parent().expect("scratch folder"));
});
