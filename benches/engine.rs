//! Engine benchmarks with fixed seeds: the bundled Guangxi scenario and the small test scenario,
//! on the library directly (no file writing). Run with `cargo bench`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use plancast::scenario::{self, LoadOptions, RunSettings};
use std::path::Path;

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
    let mut group = c.benchmark_group("simulate");
    group.sample_size(10);
    for (name, path, paths) in [
        (
            "guangxi_100k",
            "scenarios/guangxi-14th-fyp.toml",
            100_000u64,
        ),
        ("small_1m", "tests/fixtures/valid/small.toml", 1_000_000),
    ] {
        let loaded = load(path, paths);
        group.throughput(Throughput::Elements(paths));
        group.bench_function(name, |b| {
            b.iter(|| plancast::engine::simulate(&loaded.scenario, None, &|_| {}).expect("runs"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_engine);
criterion_main!(benches);
