//! Fuzz target: a (mutated) `partial.json` given to `plancast merge`. Reading, checking and
//! folding the part must end in the summary of a run or a typed error (bad input), never a
//! panic, an allocation failure or a hang.

#![no_main]

#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = checks::scratch_file("partial.json", data);
    checks::merge_partial_file(&path);
});
