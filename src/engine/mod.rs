//! The simulation engine: paths are cut into fixed chunks, chunks into fixed blocks; blocks run
//! in parallel on rayon and their accumulators merge in block order. Chunk and block sizes are
//! constants, and every random stream is derived from (seed, chunk, purpose, id), so results
//! depend only on the scenario, the seed and the number of paths, never on the thread count.

pub mod accumulator;
pub mod chunk;
pub mod partial;
mod pipeline;
pub mod precision;
pub mod results;
pub mod rng;
pub mod sobol;
pub mod strata;

use crate::model::plan::Plan;
use crate::model::score_map::ScoreMap;
use crate::model::{ModelKind, Scenario, TargetKind};
use accumulator::Accumulator;
use rayon::prelude::*;
use std::sync::Mutex;

/// Paths per chunk (the unit of vectorised work and of random streams). Part of the
/// reproducibility contract: changing it changes the numbers.
pub const CHUNK_PATHS: usize = 1024;

/// Chunks per block (the unit of parallel work and of merging).
pub const BLOCK_CHUNKS: u64 = 16;

/// Where a (indicator, year) cell's results go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellSlot {
    /// No value in that year.
    Empty,
    /// Same in every path: index into `fixed_cells`.
    Fixed(usize),
    /// Varies across paths: index into `cells`.
    Simulated(usize),
}

/// Which cells are tracked, per indicator per year.
#[derive(Debug, Clone)]
pub struct Layout {
    /// slots[indicator][year index].
    pub slots: Vec<Vec<CellSlot>>,
    /// Number of simulated cells.
    pub simulated: usize,
    /// Number of fixed cells.
    pub fixed: usize,
}

/// Everything a worker needs to simulate chunks.
pub struct Context<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Its plan (`Scenario::plan`).
    pub plan: &'a Plan,
    /// Cell layout.
    pub layout: Layout,
    /// Growth, additive and count indicators.
    pub stochastic: Vec<usize>,
    /// Indicators with yearly shocks (growth and additive with noise or a noise correlation).
    pub noisy: Vec<usize>,
    /// Indicators some event acts on.
    pub event_targets: Vec<usize>,
    /// Stream key of each indicator.
    pub keys: Vec<u64>,
    /// period_of[indicator][year index].
    pub period_of: Vec<Vec<Option<usize>>>,
    /// Members of each group: due-year groups first, then named groups.
    pub group_members: Vec<Vec<usize>>,
    /// Copula maps of the trends, by indicator, then period.
    pub trend_maps: Vec<Vec<ScoreMap>>,
    /// Per indicator and period: the first earlier period with the same trend distribution,
    /// whose row of trends the period copies instead of mapping the same scores through the
    /// same map again (plans often repeat a distribution, e.g. before and after a target year).
    pub trend_same_as: Vec<Vec<Option<usize>>>,
    /// Per target: for a level target on a simulated cell, that cell (its outcome distribution
    /// is the cell's).
    pub level_cells: Vec<Option<usize>>,
    /// What the run keeps ([`Keep`]).
    pub keep: Keep,
}

/// What a simulation records besides the targets' met counts and groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Every cell's and every target outcome's moments and quantiles: what a run reports.
    Everything,
    /// Moments only (the target outcomes' and the cells'), no quantile sketch. For analyses
    /// that compare probabilities, means and variances of many runs (`sensitivity`, `solve`),
    /// where sketching every cell is work they do not need. Those numbers are the same, bit for
    /// bit; the cells' moments are kept so that an overflowing cell fails the run as it fails a
    /// full one.
    TargetMoments,
}

impl<'a> Context<'a> {
    /// Builds the context for `scenario` (its plan included).
    pub fn new(scenario: &'a Scenario) -> Self {
        Self::keeping(scenario, Keep::Everything)
    }

    /// [`Context::new`], recording what `keep` says.
    pub fn keeping(scenario: &'a Scenario, keep: Keep) -> Self {
        let plan = scenario.plan();
        let n_years = plan.n_years();
        let mut simulated = 0;
        let mut fixed = 0;
        let slots: Vec<Vec<CellSlot>> = plan
            .indicators
            .iter()
            .map(|pi| {
                (0..n_years)
                    .map(|t| {
                        let year = plan.first_year + t as i32;
                        if year < pi.first_year {
                            CellSlot::Empty
                        } else if year <= pi.fixed_through {
                            fixed += 1;
                            CellSlot::Fixed(fixed - 1)
                        } else {
                            simulated += 1;
                            CellSlot::Simulated(simulated - 1)
                        }
                    })
                    .collect()
            })
            .collect();
        let stochastic: Vec<usize> = (0..scenario.indicators().len())
            .filter(|&i| scenario.indicators()[i].kind.is_stochastic())
            .collect();
        let in_noise_pair = |id: &str| {
            scenario
                .correlation()
                .pairs
                .iter()
                .any(|(kind, a, b, _)| kind == "noise" && (a == id || b == id))
        };
        let noisy = stochastic
            .iter()
            .copied()
            .filter(|&i| {
                let ind = &scenario.indicators()[i];
                ind.kind != ModelKind::Count
                    && (ind.periods.iter().any(|p| p.noise > 0.0) || in_noise_pair(&ind.id))
            })
            .collect();
        let mut event_targets: Vec<usize> = scenario
            .events()
            .iter()
            .flat_map(|e| e.effects.iter().map(|f| f.indicator))
            .collect();
        event_targets.sort_unstable();
        event_targets.dedup();
        let period_of = scenario
            .indicators()
            .iter()
            .map(|ind| {
                (0..n_years)
                    .map(|t| ind.period_index(plan.first_year + t as i32))
                    .collect()
            })
            .collect();
        let group_members = plan
            .due_groups
            .iter()
            .map(|(_, members)| members.clone())
            .chain(scenario.groups().iter().map(|g| g.targets.clone()))
            .collect();
        let level_cells = scenario
            .targets()
            .iter()
            .map(
                |t| match (t.kind, slots[t.indicator].get(plan.year_index(t.to))) {
                    (TargetKind::Level, Some(&CellSlot::Simulated(c))) => Some(c),
                    _ => None,
                },
            )
            .collect();
        let trend_same_as: Vec<Vec<Option<usize>>> = scenario
            .indicators()
            .iter()
            .map(|ind| {
                let periods = &ind.periods;
                (0..periods.len())
                    .map(|k| (0..k).find(|&j| periods[j].trend == periods[k].trend))
                    .collect()
            })
            .collect();
        // A repeated distribution's map is the earlier period's, copied rather than built again
        // (building a table evaluates the distribution's quantile at every node).
        let trend_maps = scenario
            .indicators()
            .iter()
            .zip(&trend_same_as)
            .map(|(ind, same_as)| {
                let mut maps: Vec<ScoreMap> = Vec::with_capacity(ind.periods.len());
                for (period, &same) in ind.periods.iter().zip(same_as) {
                    let map = match same {
                        Some(j) => maps[j].clone(),
                        None => ScoreMap::new(&period.trend),
                    };
                    maps.push(map);
                }
                maps
            })
            .collect();
        Context {
            keep,
            level_cells,
            scenario,
            plan,
            layout: Layout {
                slots,
                simulated,
                fixed,
            },
            stochastic,
            noisy,
            event_targets,
            keys: scenario
                .indicators()
                .iter()
                .map(|i| rng::key_of(&i.id))
                .collect(),
            period_of,
            group_members,
            trend_maps,
            trend_same_as,
        }
    }

    fn empty_accumulator(&self) -> Accumulator {
        Accumulator::new(
            self.layout.simulated,
            self.layout.fixed,
            self.scenario.targets().len(),
            self.group_members.len(),
            self.plan.milestone_pairs.len(),
        )
    }

    /// Simulates block `block` (paths `block * BLOCK_CHUNKS * CHUNK_PATHS ..`, cut at the
    /// scenario's path count).
    pub fn run_block(&self, block: u64) -> Accumulator {
        let mut acc = self.empty_accumulator();
        self.run_block_in(
            block,
            &mut chunk::Workspace::new(self, CHUNK_PATHS),
            &mut acc,
        );
        acc
    }

    /// [`Context::run_block`] into `acc`, an empty accumulator of this context (new or
    /// [`Accumulator::reset`]), with a workspace reused from an earlier block (its contents do
    /// not matter: every buffer a chunk reads is written first in that chunk).
    pub fn run_block_in(
        &self,
        block: u64,
        workspace: &mut chunk::Workspace,
        acc: &mut Accumulator,
    ) {
        debug_assert_eq!(acc.paths, 0, "an empty accumulator");
        for (chunk_index, first, len) in (0..BLOCK_CHUNKS).map_while(|c| self.chunk(block, c)) {
            workspace.run(self, chunk_index, first, len, acc);
        }
        self.copy_level_cells(acc);
    }

    /// Chunk `c` (0-based within block `block`) into `acc`, an empty accumulator of this
    /// context, with a workspace reused from earlier work. Folding a block's chunks so made in
    /// chunk order, then [`Context::copy_level_cells`], gives [`Context::run_block_in`]'s
    /// accumulator bit for bit. Nothing is added past the scenario's last path.
    fn run_chunk_in(
        &self,
        block: u64,
        c: u64,
        workspace: &mut chunk::Workspace,
        acc: &mut Accumulator,
    ) {
        debug_assert_eq!(acc.paths, 0, "an empty accumulator");
        if let Some((chunk_index, first, len)) = self.chunk(block, c) {
            workspace.run(self, chunk_index, first, len, acc);
        }
    }

    /// Number of chunks in block `block` (fewer than [`BLOCK_CHUNKS`] only in the scenario's
    /// last block).
    fn chunks_in(&self, block: u64) -> u64 {
        (0..BLOCK_CHUNKS)
            .take_while(|&c| self.chunk(block, c).is_some())
            .count() as u64
    }

    /// A level target's outcomes are its cell's values: its distribution is the cell's, copied
    /// into `acc` once its chunks are all in, rather than sketched a second time (the same
    /// result, bit for bit). Once per block, not per chunk: a copy allocates the sketch anew.
    fn copy_level_cells(&self, acc: &mut Accumulator) {
        if self.keep != Keep::Everything {
            return;
        }
        for (k, cell) in self.level_cells.iter().enumerate() {
            if let Some(c) = *cell {
                let (cells, outcomes) = (&acc.cells, &mut acc.target_outcomes);
                outcomes[k].copy_from(&cells[c]);
            }
        }
    }

    /// Chunk `c` of block `block`: (chunk index, first path, paths), or None past the last path.
    fn chunk(&self, block: u64, c: u64) -> Option<(u64, u64, usize)> {
        let chunk_index = block * BLOCK_CHUNKS + c;
        let first = chunk_index * CHUNK_PATHS as u64;
        let total = self.scenario.paths();
        (first < total).then(|| {
            let len = (total - first).min(CHUNK_PATHS as u64) as usize;
            (chunk_index, first, len)
        })
    }

    /// [`Context::run_block`] with the block's chunks simulated in parallel on the current rayon
    /// pool, each into its own accumulator, then folded in chunk order: bit for bit the same
    /// accumulator (the fold merges each chunk's moments and counts in the same order as the
    /// sequential loop does). For runs with too few blocks to keep every worker busy, e.g. the
    /// 5,000-path runs of `sensitivity` (one block). Workspaces come from and go back to `spare`.
    fn run_block_chunks_in_parallel(
        &self,
        block: u64,
        spare: &Mutex<Vec<chunk::Workspace>>,
    ) -> Accumulator {
        let chunks: Vec<Accumulator> = (0..self.chunks_in(block))
            .into_par_iter()
            .map(|c| {
                let mut workspace =
                    pop_spare(spare).unwrap_or_else(|| chunk::Workspace::new(self, CHUNK_PATHS));
                let mut acc = self.empty_accumulator();
                self.run_chunk_in(block, c, &mut workspace, &mut acc);
                push_spare(spare, workspace);
                acc
            })
            .collect();
        let mut acc = self.empty_accumulator();
        for chunk in &chunks {
            acc.merge(chunk);
        }
        self.copy_level_cells(&mut acc);
        acc
    }

    /// Number of blocks in the run.
    pub fn blocks(&self) -> u64 {
        blocks_for(self.scenario.paths())
    }
}

/// A failure during simulation (the input was valid, but the numbers went wrong).
#[derive(Debug, Clone, thiserror::Error)]
pub enum EngineError {
    /// A formula or target produced a non-finite number.
    #[error("{0}")]
    NonFinite(String),
    /// The run settings cannot be served (e.g. a path count out of range).
    #[error("{0}")]
    Settings(String),
    /// The thread pool could not be created.
    #[error("could not start {threads} worker threads: {reason}")]
    Threads {
        /// Requested threads.
        threads: usize,
        /// Why.
        reason: String,
    },
}

/// What a run produced. Its parts are the engine's own: read it through the methods of
/// [`results`] (targets, groups, milestones, cells, the year axis).
#[derive(Debug, Clone)]
pub struct Simulation {
    /// The plan used (as_of applied).
    plan: Plan,
    /// Cell layout.
    layout: Layout,
    /// Merged results.
    accumulator: Accumulator,
    /// Group order: due-year groups first (by year), then named groups.
    group_members: Vec<Vec<usize>>,
}

/// Paths per block: the unit of parallel work, of merging, of `--precision` steps and of
/// shards.
pub const BLOCK_PATHS: u64 = BLOCK_CHUNKS * CHUNK_PATHS as u64;

/// Number of blocks that `paths` paths make (the last one may be partial).
pub fn blocks_for(paths: u64) -> u64 {
    paths.div_ceil(BLOCK_PATHS)
}

/// Most workers a pool gets: twice the processors this process may use. More gain nothing,
/// and each holds a workspace and work in flight (tens of MB for a plan-sized scenario, a
/// simulation's in `sensitivity`), so `--threads 1024` on a laptop must not multiply the memory
/// by a thousand. The numbers do not depend on the workers.
pub fn max_useful_threads() -> usize {
    2 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A rayon pool of `threads` workers (None: all cores), at most [`max_useful_threads`].
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, EngineError> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        builder = builder.num_threads(t.min(max_useful_threads()));
    }
    builder.build().map_err(|e| EngineError::Threads {
        threads: threads.unwrap_or(0),
        reason: e.to_string(),
    })
}

/// Runs the simulation with `threads` workers (None: all cores). `progress` is called with the
/// number of paths merged after each block.
pub fn simulate(
    scenario: &Scenario,
    threads: Option<usize>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Simulation, EngineError> {
    let blocks = blocks_for(scenario.paths());
    simulate_blocks(scenario, threads, 0..blocks, progress, &mut |_, _, _| true)
}

/// [`simulate`] keeping moments only ([`Keep::TargetMoments`]): the same met counts,
/// probabilities, group and milestone counts and moments, bit for bit; every quantile sketch is
/// left empty, so the result is for reading targets' probabilities and moments only.
pub fn simulate_target_moments(
    scenario: &Scenario,
    threads: Option<usize>,
) -> Result<Simulation, EngineError> {
    let blocks = blocks_for(scenario.paths());
    let ctx = Context::keeping(scenario, Keep::TargetMoments);
    simulate_blocks_with(&ctx, threads, 0..blocks, &|_| {}, &mut |_, _, _| true)
}

/// Simulates the blocks `blocks` of the run (paths cut at `scenario.paths`) and folds them, in
/// block order, into one accumulator: the same left fold as [`simulate`], so blocks `0..b` give
/// bit for bit the accumulator of a run of `b` whole blocks.
///
/// After each block is folded in, `after_block(block, block_accumulator, total)` is called in
/// block order; returning false stops the run there (blocks computed beyond it are dropped), which
/// keeps the result independent of the thread count.
pub fn simulate_blocks(
    scenario: &Scenario,
    threads: Option<usize>,
    blocks: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
    after_block: &mut dyn FnMut(u64, &Accumulator, &Accumulator) -> bool,
) -> Result<Simulation, EngineError> {
    simulate_blocks_with(
        &Context::new(scenario),
        threads,
        blocks,
        progress,
        after_block,
    )
}

/// [`simulate_blocks`] for a context built already.
fn simulate_blocks_with(
    ctx: &Context,
    threads: Option<usize>,
    blocks: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
    after_block: &mut dyn FnMut(u64, &Accumulator, &Accumulator) -> bool,
) -> Result<Simulation, EngineError> {
    let scenario = ctx.scenario;
    // One thread runs on the caller's thread with no pool of its own: an analysis that runs many
    // one-thread simulations from its own parallel loop would otherwise enter a second pool from
    // each of its workers, and a worker waiting there steals the loop's next job onto the same
    // stack, nesting until the stack overflows.
    let pool = match threads {
        Some(1) => None,
        _ => Some(thread_pool(threads)?),
    };
    let last = blocks.end.min(ctx.blocks());
    let workers = pool.as_ref().map_or(1, |p| p.current_num_threads()) as u64;
    let mut total = ctx.empty_accumulator();
    match &pool {
        // Enough blocks for every worker: the workers simulate, this thread merges beside them.
        Some(pool) if last.saturating_sub(blocks.start) >= 2 * workers => {
            pipeline::simulate_pipelined(
                ctx,
                pool,
                blocks.start..last,
                &mut total,
                progress,
                after_block,
            );
        }
        // Too few blocks to keep every worker busy (a block is 16 chunks): each block's chunks
        // are split across the workers instead (same numbers, see
        // `run_block_chunks_in_parallel`).
        Some(pool) => {
            let spare: Mutex<Vec<chunk::Workspace>> = Mutex::new(Vec::new());
            for b in blocks.start..last {
                let acc = pool.install(|| ctx.run_block_chunks_in_parallel(b, &spare));
                if !merge_block(&mut total, b, &acc, progress, after_block) {
                    break;
                }
            }
        }
        // One thread: the blocks in order on this thread, with one workspace, and one
        // accumulator reset after each merge (its sketches keep the memory they grew).
        None => {
            let mut workspace = chunk::Workspace::new(ctx, CHUNK_PATHS);
            let mut acc = ctx.empty_accumulator();
            for b in blocks.start..last {
                ctx.run_block_in(b, &mut workspace, &mut acc);
                if !merge_block(&mut total, b, &acc, progress, after_block) {
                    break;
                }
                acc.reset();
            }
        }
    }
    finish(scenario, ctx, total)
}

/// Merges block `b`'s accumulator `acc` into `total` (blocks come in order), then calls
/// `after_block` and `progress`; returns whether to go on (`after_block`'s answer).
fn merge_block(
    total: &mut Accumulator,
    b: u64,
    acc: &Accumulator,
    progress: &(dyn Fn(u64) + Sync),
    after_block: &mut dyn FnMut(u64, &Accumulator, &Accumulator) -> bool,
) -> bool {
    total.merge(acc);
    let go_on = after_block(b, acc, total);
    progress(total.paths);
    go_on
}

/// A workspace or accumulator left by an earlier block or chunk, if any (a poisoned lock
/// still holds valid ones: a workspace's contents never matter, and an accumulator is reset
/// before it is put back).
fn pop_spare<T>(spare: &Mutex<Vec<T>>) -> Option<T> {
    spare.lock().unwrap_or_else(|e| e.into_inner()).pop()
}

/// Keeps a workspace or (reset) accumulator for reuse.
fn push_spare<T>(spare: &Mutex<Vec<T>>, item: T) {
    spare.lock().unwrap_or_else(|e| e.into_inner()).push(item);
}

/// Wraps a folded accumulator as a [`Simulation`] of `scenario` (used by `plancast merge`, which
/// folds shards' accumulators itself). Fails like a run would on a non-finite value.
pub fn simulation_from(
    scenario: &Scenario,
    accumulator: Accumulator,
) -> Result<Simulation, EngineError> {
    let ctx = Context::new(scenario);
    finish(scenario, &ctx, accumulator)
}

/// The first indicator and year (in the order of the file, then of the years) whose values
/// in some path left the range of numbers or are too large to average: growth compounding to
/// infinity, say, which no target need read (issue 13: such a run once ended with exit 0 and
/// nulls in its summary). The message names both.
fn overflowing_cell(scenario: &Scenario, ctx: &Context, total: &Accumulator) -> Option<String> {
    for (i, slots) in ctx.layout.slots.iter().enumerate() {
        for (t, slot) in slots.iter().enumerate() {
            let CellSlot::Simulated(c) = *slot else {
                continue;
            };
            let m = &total.cells[c].moments;
            if m.mean.is_finite() && m.m2.is_finite() {
                continue;
            }
            let year = ctx.plan.first_year + t as i32;
            return Some(format!(
                "`{}` leaves the range of numbers (about ±1.8e308) in {year} in some paths, or its values there are too large to average: check its base, trend, noise and events",
                scenario.indicators()[i].id
            ));
        }
    }
    None
}

/// An empty accumulator shaped for `scenario`.
pub fn empty_accumulator(scenario: &Scenario) -> Accumulator {
    Context::new(scenario).empty_accumulator()
}

fn finish(
    scenario: &Scenario,
    ctx: &Context,
    total: Accumulator,
) -> Result<Simulation, EngineError> {
    // A growth that overflows is named at its indicator and year, before the targets that
    // read it; a formula's own non-finite value (division by zero) comes first of all.
    if total.non_finite.is_none_or(|(.., is_target)| is_target) {
        if let Some(message) = overflowing_cell(scenario, ctx, &total) {
            return Err(EngineError::NonFinite(message));
        }
    }
    if let Some((path, item, year, is_target)) = total.non_finite {
        let message = if is_target {
            let t = &scenario.targets()[item];
            format!(
                "target `{}`: its {} outcome in {year} is not a finite number in path {path} (e.g. a growth rate from a zero or negative value of `{}`)",
                t.id,
                t.kind.name(),
                scenario.indicators()[t.indicator].id
            )
        } else {
            let ind = &scenario.indicators()[item];
            format!(
                "formula of `{}` gives a non-finite value in {year} (path {path}): `{}` divides by zero or takes the log or root of a negative number",
                ind.id,
                ind.formula.as_ref().map(|f| f.text.as_str()).unwrap_or("")
            )
        };
        return Err(EngineError::NonFinite(message));
    }
    let group_members = ctx.group_members.clone();
    let layout = ctx.layout.clone();
    Ok(Simulation {
        plan: ctx.plan.clone(),
        layout,
        accumulator: total,
        group_members,
    })
}
