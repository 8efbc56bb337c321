//! Engine benchmarks with fixed seeds (issue 5, "Speed, measured"), on the library directly (no
//! file writing, no charts): the synthetic benchmark scenario at 1,000,000 paths, the bundled
//! Guangxi scenario at 100,000 paths and the small test scenario at 1,000,000 paths. Each
//! scenario is timed twice: the engine (`simulate`) and its random-number floor
//! (`benches/support/floor.rs`: the same random numbers drawn and nothing else). At the end
//! the ratio engine / floor of each scenario is printed from criterion's estimates, with the
//! engine's throughput in indicator-years (simulated cells per path times paths) per second,
//! and per core (divided by the threads the engine used; `benches/measure.sh` measures one
//! thread's CPU time directly).
//!
//! Run with `cargo bench --bench engine`; one benchmark with e.g.
//! `cargo bench --bench engine -- synthetic`.

#[path = "support/floor.rs"]
mod floor;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use plancast::scenario::{self, LoadOptions, RunSettings};
use std::path::{Path, PathBuf};

/// (name, scenario file, paths).
const CASES: [(&str, &str, u64); 3] = [
    (
        "synthetic_1m",
        "benches/scenarios/synthetic.toml",
        1_000_000,
    ),
    ("guangxi_100k", "scenarios/guangxi-14th-fyp.toml", 100_000),
    ("small_1m", "tests/fixtures/valid/small.toml", 1_000_000),
];

fn load(path: &str, paths: u64) -> plancast::scenario::Loaded {
    let options = LoadOptions {
        sets: Vec::new(),
        settings: RunSettings {
            paths: Some(paths),
            seed: Some(42),
            as_of: None,
        },
    };
    scenario::load(Path::new(path), &options).expect("bundled scenario is valid")
}

fn bench_engine(c: &mut Criterion) {
    let started = std::time::SystemTime::now();
    let mut group = c.benchmark_group("simulate");
    group.sample_size(10);
    let mut indicator_years = Vec::new();
    for (name, path, paths) in CASES {
        let loaded = load(path, paths);
        let cells = plancast::engine::Context::new(&loaded.scenario)
            .layout
            .simulated;
        indicator_years.push(cells as f64 * paths as f64);
        // Criterion's `thrpt` line then reads in indicator-years (the floor's too: the same work).
        group.throughput(Throughput::Elements(cells as u64 * paths));
        group.bench_function(name, |b| {
            b.iter(|| plancast::engine::simulate(&loaded.scenario, None, &|_| {}).expect("runs"))
        });
        group.bench_function(format!("{name}_floor"), |b| {
            b.iter(|| floor::draw_floor(&loaded.scenario, None).expect("runs"))
        });
    }
    group.finish();
    print_ratios(started, &indicator_years);
}

/// Prints engine / floor per scenario from the mean estimates criterion wrote since `started`,
/// and the engine's indicator-years per second (`indicator_years` of each case).
fn print_ratios(started: std::time::SystemTime, indicator_years: &[f64]) {
    let dir = criterion_dir().join("simulate");
    // The workers of `simulate` with no thread count: the pool it builds.
    let threads = plancast::engine::thread_pool(None).map_or(1, |pool| pool.current_num_threads());
    println!("\nengine / random-number floor (criterion mean estimates; {threads} threads):");
    for ((name, _, _), &work) in CASES.iter().zip(indicator_years) {
        let engine = mean_ns(&dir.join(name), started);
        match (engine, mean_ns(&dir.join(format!("{name}_floor")), started)) {
            (Some(engine), Some(floor)) => println!(
                "  {name:<14} engine {:>8.3} s  floor {:>8.3} s  ratio {:.2}  {:.3e} indicator-years/s ({:.3e} per core)",
                engine / 1e9,
                floor / 1e9,
                engine / floor,
                work / (engine / 1e9),
                work / (engine / 1e9) / threads as f64
            ),
            _ => println!("  {name:<14} (not measured in this run)"),
        }
    }
}

/// Where criterion writes its results: `$CARGO_TARGET_DIR/criterion`, else `target/criterion`.
fn criterion_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"))
        .join("criterion")
}

/// The mean point estimate (ns) of one benchmark, if written since `started`.
fn mean_ns(bench: &Path, started: std::time::SystemTime) -> Option<f64> {
    let file = bench.join("new").join("estimates.json");
    if std::fs::metadata(&file).ok()?.modified().ok()? < started {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value["mean"]["point_estimate"].as_f64()
}

// No plots: criterion's plotting backend needs a system font and panics without one (as on a
// fresh server); the numbers are in its reports and in the lines printed above.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench_engine
}
criterion_main!(benches);
