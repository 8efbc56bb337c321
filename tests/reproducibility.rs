//! Same seed, same numbers: `summary.json` (timing aside) and `quantiles.csv` are identical
//! whatever the number of threads, and a different seed gives different numbers.

mod common;

use common::run_file;
use plancast::report::csv::quantiles_csv;
use std::path::Path;

fn numbers(threads: usize, seed: u64, sampling_lhs: bool) -> (String, Vec<u8>) {
    numbers_at(40_000, threads, seed, sampling_lhs)
}

fn numbers_at(paths: u64, threads: usize, seed: u64, sampling_lhs: bool) -> (String, Vec<u8>) {
    let sets: &[&str] = if sampling_lhs {
        &["scenario.sampling=lhs"]
    } else {
        &[]
    };
    let mut s = run_file(
        Path::new("tests/fixtures/valid/small.toml"),
        paths,
        seed,
        threads,
        sets,
    );
    s.timing.threads = 0;
    s.timing.elapsed_seconds = 0.0;
    (
        serde_json::to_string(&s).unwrap(),
        quantiles_csv(&s).unwrap(),
    )
}

/// 40,000 paths are three blocks of 16,384, the last one partial: with several threads there
/// are fewer blocks than twice the workers, so each block's chunks are split across them
/// (`engine::simulate_blocks`), and the Latin hypercube strata come from the per-process cache
/// (`engine::strata`; the runs after the first read it).
#[test]
fn identical_numbers_with_one_and_several_threads() {
    for lhs in [false, true] {
        let (json1, csv1) = numbers(1, 99, lhs);
        for threads in [2, 3, 8] {
            let (json, csv) = numbers(threads, 99, lhs);
            assert!(
                json1 == json,
                "summary differs between 1 and {threads} threads (lhs {lhs})"
            );
            assert!(
                csv1 == csv,
                "quantiles.csv differs between 1 and {threads} threads (lhs {lhs})"
            );
        }
    }
}

/// 70,000 paths are five blocks: two workers take whole blocks (the caller merging them in
/// order as they come), and a run of more than 2^16 paths computes its strata without the
/// cache. 120,000 paths are eight blocks: enough for three workers on whole blocks, more
/// workers than this machine may have cores, so blocks finish out of order. 300,000 paths
/// are 19 blocks: eight threads take whole blocks, fewer working at once where the machine
/// has fewer than four cores (at most twice the cores simulate).
#[test]
fn identical_numbers_with_whole_blocks_per_worker_and_uncached_strata() {
    for lhs in [false, true] {
        assert!(
            numbers_at(70_000, 1, 7, lhs) == numbers_at(70_000, 2, 7, lhs),
            "summary or quantiles.csv differ between 1 and 2 threads (lhs {lhs})"
        );
        assert!(
            numbers_at(120_000, 1, 7, lhs) == numbers_at(120_000, 3, 7, lhs),
            "summary or quantiles.csv differ between 1 and 3 threads (lhs {lhs})"
        );
        assert!(
            numbers_at(300_000, 1, 7, lhs) == numbers_at(300_000, 8, 7, lhs),
            "summary or quantiles.csv differ between 1 and 8 threads (lhs {lhs})"
        );
    }
}

/// A run told to stop after a block (as `--precision` stops) holds exactly the blocks up to it,
/// whatever the thread count, although workers have started later blocks by then. 250,000
/// paths are 16 blocks: with several workers the last ones are handed out chunk by chunk, so
/// the run also stops inside those (after block 13 or 14) and at the last one.
#[test]
fn a_run_stopped_after_a_block_holds_the_same_blocks_with_any_threads() {
    let loaded = common::load(
        "tests/fixtures/valid/small.toml",
        Some(250_000),
        Some(5),
        &[],
    );
    let blocks = plancast::engine::blocks_for(250_000);
    assert_eq!(blocks, 16);
    let stopped = |threads: usize, stop_after: u64| {
        let mut seen = Vec::new();
        let sim = plancast::engine::simulate_blocks(
            &loaded.scenario,
            Some(threads),
            0..blocks,
            &|_| {},
            &mut |b, _, _| {
                seen.push(b);
                b < stop_after
            },
        )
        .unwrap();
        (seen, sim.into_accumulator())
    };
    for stop_after in [6, 13, 14, 15] {
        let (seen1, acc1) = stopped(1, stop_after);
        assert_eq!(seen1, (0..=stop_after).collect::<Vec<u64>>());
        assert_eq!(
            acc1.paths,
            (250_000u64).min((stop_after + 1) * plancast::engine::BLOCK_PATHS)
        );
        for threads in [2, 3] {
            let (seen, acc) = stopped(threads, stop_after);
            assert_eq!(
                seen, seen1,
                "{threads} threads merged other blocks (stop after {stop_after})"
            );
            assert!(
                acc == acc1,
                "{threads} threads: another accumulator (stop after {stop_after})"
            );
        }
    }
}

#[test]
fn a_different_seed_gives_different_numbers() {
    assert_ne!(numbers(2, 1, false).0, numbers(2, 2, false).0);
}

#[test]
fn summary_round_trips_through_json() {
    let s = run_file(
        Path::new("tests/fixtures/valid/small.toml"),
        5_000,
        3,
        2,
        &[],
    );
    let text = serde_json::to_string_pretty(&s).unwrap();
    let back: plancast::report::summary::Summary = serde_json::from_str(&text).unwrap();
    assert_eq!(back, s);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    for t in value["targets"].as_array().unwrap() {
        assert!(t["id"].is_string() && t["probability"].is_number());
    }
    for g in value["groups"].as_array().unwrap() {
        assert!(g["id"].is_string() && g["probability"].is_number());
    }
}

/// A period whose trend distribution repeats an earlier period's takes that period's row of
/// trends (the same map of the same scores) instead of mapping the scores again; a period with
/// another distribution maps its own. The golden runs pin the numbers either way.
#[test]
fn a_repeated_trend_distribution_is_mapped_once() {
    let synthetic = common::load("benches/scenarios/synthetic.toml", Some(1_000), None, &[]);
    let ctx = plancast::engine::Context::new(&synthetic.scenario);
    for &i in &ctx.stochastic {
        // Each of the 14 growth indicators repeats its 2021-2025 trend in 2026-2035; the
        // others have one period.
        let expected = match synthetic.scenario.indicators()[i].periods.len() {
            2 => vec![None, Some(0)],
            _ => vec![None],
        };
        assert_eq!(ctx.trend_same_as[i], expected, "indicator {i}");
    }
    let repeated = ctx.trend_same_as.iter().filter(|s| s.len() == 2).count();
    assert_eq!(repeated, 14);
    let bundled = common::load("scenarios/guangxi-14th-fyp.toml", Some(1_000), None, &[]);
    let ctx = plancast::engine::Context::new(&bundled.scenario);
    let gdp = bundled.scenario.indicator_index("gdp").unwrap();
    assert!(ctx.trend_same_as[gdp].iter().all(Option::is_none));
}
