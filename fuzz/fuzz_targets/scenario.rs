//! Fuzz target: any text as a scenario file. Loading and validation must return a scenario or
//! located diagnostics, never panic; a small valid scenario is then simulated (32 paths), which
//! must end in results or a runtime error, never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use plancast::scenario::{self, LoadOptions, RunSettings};
use std::io::Write;
use std::sync::OnceLock;

/// One scratch file per fuzzing process (the loader reads from a path).
fn scratch() -> &'static std::path::PathBuf {
    static PATH: OnceLock<std::path::PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("plancast-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        dir.join("scenario.toml")
    })
}

fuzz_target!(|data: &[u8]| {
    let path = scratch();
    let mut file = std::fs::File::create(path).expect("scratch file");
    file.write_all(data).expect("write scratch file");
    drop(file);
    let options = LoadOptions {
        sets: Vec::new(),
        settings: RunSettings {
            paths: Some(32),
            seed: Some(1),
            as_of: None,
        },
    };
    let Ok(loaded) = scenario::load(path, &options) else {
        return;
    };
    let s = &loaded.scenario;
    // Keep each execution short: simulate only scenarios of modest size.
    let years = (s.horizon - s.base_year).max(0) as usize + 1;
    if s.indicators.len() * years > 5_000 || s.events.len() > 20 {
        return;
    }
    let _ = plancast::engine::simulate(s, Some(1), &|_| {});
});
