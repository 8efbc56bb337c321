//! The random-number floor of a scenario (benchmark tooling, outside the shipped library; included
//! with `#[path]` by `benches/engine.rs` and `examples/measure.rs`): the cost of drawing the random numbers a run draws,
//! and nothing else. Benchmarks time it next to `plancast::engine::simulate` to report how far above
//! the floor the engine is (issue 5 asks for at most 1.5 times).
//!
//! It walks the same chunks and blocks as the engine, on a thread pool of the same size, with
//! the same generators and stream keys, and per chunk draws what the engine draws:
//! - per stochastic indicator, one trend score per path (a standard normal with `random`
//!   sampling, an open uniform with `lhs`);
//! - per simulated year, one standard normal per path for every indicator with yearly shocks;
//! - per event and year of its window, per path one strike uniform and one uniform per effect;
//! - per count indicator and simulated year, two random words per path for its Poisson draw (as
//!   one block, as the engine draws them).
//!
//! Normals are the engine's (`Stream::fill_normals`: the batched ziggurat, with its rare
//! rejected draws); uniforms are drawn as the engine draws them (the trend strata as one block,
//! event uniforms one word at a time). What the floor leaves out: the further words of Poisson
//! draws with rates of 64 and more (PTRS rejects about one first pair in ten), the shock states
//! of posterior trends and the Sobol points. The engine draws nothing else.

use plancast::engine::rng::{self, open_uniform, Purpose};
use plancast::engine::{Context, EngineError, BLOCK_CHUNKS, CHUNK_PATHS};
use plancast::model::{ModelKind, Sampling, Scenario};
use rayon::prelude::*;

/// How many random numbers one run of a scenario draws per path, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrawCounts {
    /// Standard normals (trend scores with `random` sampling, yearly shocks).
    pub normals: u64,
    /// Open uniforms (trend strata with `lhs`, event strikes and effects).
    pub uniforms: u64,
    /// Random words of Poisson draws (two per draw).
    pub words: u64,
}

/// Draws the random numbers of `scenario` (all its paths) with `threads` workers (None: all
/// cores) and returns the counts drawn per path (for the last, possibly partial, chunk too).
pub fn draw_floor(scenario: &Scenario, threads: Option<usize>) -> Result<DrawCounts, EngineError> {
    let ctx = Context::new(scenario);
    let pool = plancast::engine::thread_pool(threads)?;
    let counts = pool.install(|| {
        (0..ctx.blocks())
            .into_par_iter()
            .map(|block| floor_block(&ctx, block))
            .reduce(DrawCounts::default, |a, b| DrawCounts {
                normals: a.normals + b.normals,
                uniforms: a.uniforms + b.uniforms,
                words: a.words + b.words,
            })
    });
    let paths = scenario.paths().max(1);
    Ok(DrawCounts {
        normals: counts.normals / paths,
        uniforms: counts.uniforms / paths,
        words: counts.words / paths,
    })
}

/// Draws one block's random numbers into a reused buffer; returns the total counts.
fn floor_block(ctx: &Context, block: u64) -> DrawCounts {
    let scenario = ctx.scenario;
    let plan = ctx.plan;
    let seed = scenario.seed();
    let mut buffer = vec![0.0f64; CHUNK_PATHS];
    let mut words = vec![0u64; 2 * CHUNK_PATHS];
    let mut counts = DrawCounts::default();
    for c in 0..BLOCK_CHUNKS {
        let chunk_index = block * BLOCK_CHUNKS + c;
        let first = chunk_index * CHUNK_PATHS as u64;
        if first >= scenario.paths() {
            break;
        }
        let n = (scenario.paths() - first).min(CHUNK_PATHS as u64) as usize;
        let row = &mut buffer[..n];
        for &i in &ctx.stochastic {
            let mut stream = rng::stream(seed, chunk_index, Purpose::Trend, ctx.keys[i]);
            match scenario.sampling() {
                Sampling::Random => {
                    fill_normals(row, &mut stream);
                    counts.normals += n as u64;
                }
                // Sobol scenarios are counted as uniforms; the benchmarks use random and lhs.
                Sampling::Lhs | Sampling::Sobol => {
                    fill_uniforms(row, &mut stream);
                    counts.uniforms += n as u64;
                }
            }
        }
        let mut noise: Vec<rng::Stream> = ctx
            .noisy
            .iter()
            .map(|&i| rng::stream(seed, chunk_index, Purpose::Noise, ctx.keys[i]))
            .collect();
        let mut events: Vec<rng::Stream> = scenario
            .events()
            .iter()
            .map(|e| rng::stream(seed, chunk_index, Purpose::Event, rng::key_of(&e.id)))
            .collect();
        let mut count_streams: Vec<(usize, rng::Stream)> = ctx
            .stochastic
            .iter()
            .filter(|&&i| scenario.indicators()[i].kind == ModelKind::Count)
            .map(|&i| {
                (
                    i,
                    rng::stream(seed, chunk_index, Purpose::Count, ctx.keys[i]),
                )
            })
            .collect();
        for year in (plan.first_year + 1)..=plan.last_year {
            let t = plan.year_index(year);
            for stream in noise.iter_mut() {
                fill_normals(row, stream);
                counts.normals += n as u64;
            }
            for (event, stream) in scenario.events().iter().zip(events.iter_mut()) {
                if year < event.from || year > event.to {
                    continue;
                }
                for _ in 0..=event.effects.len() {
                    event_uniforms(row, stream);
                    counts.uniforms += n as u64;
                }
            }
            for (i, stream) in count_streams.iter_mut() {
                if year <= plan.indicators[*i].start_year || ctx.period_of[*i][t].is_none() {
                    continue;
                }
                count_words(&mut words[..2 * n], stream);
                counts.words += 2 * n as u64;
            }
        }
    }
    counts
}

/// Fills `row` with standard normals (the engine's normal sampler: the batched ziggurat).
fn fill_normals(row: &mut [f64], stream: &mut rng::Stream) {
    stream.fill_normals(row);
    std::hint::black_box(&*row);
}

/// Fills `row` with open uniforms as the engine draws them for the trend strata (one block).
fn fill_uniforms(row: &mut [f64], stream: &mut rng::Stream) {
    stream.fill_open_uniforms(row);
    std::hint::black_box(&*row);
}

/// Draws `row.len()` open uniforms one word at a time, as the engine draws event strikes and
/// effects (interleaved per path).
fn event_uniforms(row: &mut [f64], stream: &mut rng::Stream) {
    for u in row.iter_mut() {
        *u = open_uniform(stream);
    }
    std::hint::black_box(&*row);
}

/// Draws the two random words per path of a row of Poisson draws, as one block.
fn count_words(words: &mut [u64], stream: &mut rng::Stream) {
    stream.fill_words(words);
    std::hint::black_box(&*words);
}
