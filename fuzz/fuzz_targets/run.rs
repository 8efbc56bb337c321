//! Fuzz target: a scenario file run as `plancast run` does, with few paths: load, simulate,
//! build the summary, render the table and the CSV files and draw every chart and the report.
//! Each step must end in a result or a typed error, never a panic or a hang (libFuzzer's
//! `-timeout` catches the hangs).

#![no_main]

#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = checks::scratch_file("scenario.toml", data);
    checks::run_scenario_file(&path);
});
