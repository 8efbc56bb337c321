//! Fuzz target: any bytes as the `year,value` history of `plancast calibrate`. Reading and
//! estimating must end in estimates with finite numbers or a located error, never a panic.

#![no_main]

#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = checks::scratch_file("history.csv", data);
    checks::calibrate_file(&path);
});
