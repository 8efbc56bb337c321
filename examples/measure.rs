//! Wall time and peak memory of one simulation, next to its random-number floor.
//!
//! ```text
//! cargo run --release --example measure -- SCENARIO PATHS [THREADS] [--recording]
//! ```
//!
//! Loads SCENARIO (seed 42), times the random-number floor ([`floor`]) and
//! then the engine ([`plancast::engine::simulate`], no file output), and prints both wall
//! times (and CPU times), their ratio and the process's peak resident memory (`VmHWM` from
//! `/proc/self/status`, Linux only). Run one process per path count so that each peak is its
//! own; `benches/measure.sh` runs the whole table.
//!
//! With `--recording` it also times, on one thread, recording the scenario's cells alone (see
//! `recording_cost`): the part of the engine's cost that the floor does not include and that
//! no engine recording every path of every cell can avoid.

#[path = "../benches/support/floor.rs"]
mod floor;

use plancast::scenario::{self, LoadOptions, RunSettings};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let (Some(file), Some(paths)) = (positional.first(), positional.get(1)) else {
        eprintln!("usage: measure SCENARIO PATHS [THREADS] [--recording]");
        return ExitCode::from(2);
    };
    let Ok(paths) = paths.replace('_', "").parse::<f64>() else {
        eprintln!("PATHS must be a number, e.g. 1000000 or 1e6");
        return ExitCode::from(2);
    };
    let threads = match positional.get(2).map(|t| t.parse::<usize>()) {
        None => None,
        Some(Ok(t)) if t > 0 => Some(t),
        Some(_) => {
            eprintln!("THREADS must be a positive integer");
            return ExitCode::from(2);
        }
    };
    let options = LoadOptions {
        sets: Vec::new(),
        settings: RunSettings {
            paths: Some(paths as u64),
            seed: Some(42),
            as_of: None,
        },
    };
    let loaded = match scenario::load(Path::new(file), &options) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return ExitCode::from(2);
        }
    };
    let scenario = &loaded.scenario;

    let (started, cpu_started) = (Instant::now(), cpu_seconds());
    let draws = match floor::draw_floor(scenario, threads) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let floor = started.elapsed().as_secs_f64();
    let floor_cpu = cpu_seconds() - cpu_started;

    let (started, cpu_started) = (Instant::now(), cpu_seconds());
    if let Err(e) = plancast::engine::simulate(scenario, threads, &|_| {}) {
        eprintln!("{e}");
        return ExitCode::from(1);
    }
    let engine = started.elapsed().as_secs_f64();
    let engine_cpu = cpu_seconds() - cpu_started;

    // Indicator-years: the simulated (indicator, year) cells of a path, times the paths; per
    // second of CPU time, that is per core.
    let cells = plancast::engine::Context::new(scenario).layout.simulated as f64;
    let indicator_years = cells * scenario.paths() as f64;
    println!(
        "{file}: {} paths, {} threads: engine {engine:.3} s (cpu {engine_cpu:.2} s), floor {floor:.3} s (cpu {floor_cpu:.2} s; {} normals + {} uniforms + {} Poisson words per path), ratio {:.2} (cpu {:.2}), {:.3e} indicator-years/s per core of cpu ({cells} per path), peak RSS {}",
        scenario.paths(),
        threads.map_or_else(|| "all".to_string(), |t| t.to_string()),
        draws.normals,
        draws.uniforms,
        draws.words,
        engine / floor,
        engine_cpu / floor_cpu,
        indicator_years / engine_cpu,
        peak_rss().unwrap_or_else(|| "unknown".to_string())
    );

    if args.iter().any(|a| a == "--recording") {
        let (cells, seconds) = recording_cost(scenario);
        println!(
            "  recording alone ({cells} cells per path into moments and sketches, 1 thread): {seconds:.3} s = {:.2} x floor cpu",
            seconds / floor_cpu
        );
    }
    ExitCode::SUCCESS
}

/// CPU seconds that recording the scenario's simulated cells takes on its own, for all its
/// paths, on one thread: each cell's rows go through the engine's own
/// [`plancast::engine::accumulator::Distribution::add_chunk`] (exact moments and quantile
/// sketch), exactly as the engine records them. The values are stand-ins of the same shape as
/// real cells (per cell a level between 1 and 10^6, spread lognormally with a 10% sd), computed
/// before the clock starts. With the random-number floor, this is a lower bound on what any
/// engine that records every path of every cell costs.
fn recording_cost(scenario: &plancast::model::Scenario) -> (usize, f64) {
    use plancast::engine::accumulator::Distribution;
    let cells = plancast::engine::Context::new(scenario).layout.simulated;
    let chunk = plancast::engine::CHUNK_PATHS;
    // A fixed sequence of standard-normal-like scores (sum of 4 uniforms, centred and scaled).
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state = plancast::engine::rng::mix(state);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let rows: Vec<Vec<f64>> = (0..cells)
        .map(|c| {
            let level = 10f64.powi((c % 7) as i32);
            (0..chunk)
                .map(|_| {
                    let z = (next() + next() + next() + next() - 2.0) * 3f64.sqrt();
                    level * (0.1 * z).exp()
                })
                .collect()
        })
        .collect();
    let mut distributions = vec![Distribution::default(); cells];
    let chunks = scenario.paths().div_ceil(chunk as u64);
    let cpu_started = cpu_seconds();
    for _ in 0..chunks {
        for (distribution, row) in distributions.iter_mut().zip(&rows) {
            distribution.add_chunk(row);
        }
    }
    std::hint::black_box(&distributions);
    (cells, cpu_seconds() - cpu_started)
}

/// User plus system CPU time of this process so far, in seconds (`/proc/self/stat`, in clock
/// ticks of 1/100 s); 0 where unavailable. Less sensitive than wall time to other processes on
/// the machine.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which ends with ')'): utime and stime are 12th and 13th.
    let Some(rest) = stat.rsplit(')').next() else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// `VmHWM` (peak resident set size) of this process, e.g. "43 MB".
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{:.0} MB", kb / 1024.0))
}
