//! Fuzz target: any text as a scenario file. Loading and validation must return a scenario or
//! located diagnostics, never panic; a small valid scenario is then simulated (32 paths), which
//! must end in results or a runtime error, never a panic.

#![no_main]

// Each target uses one of the shared checks.
#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

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
    checks::simulate_if_small(&loaded.scenario);
});
