//! Blocks simulated on a pool's workers while the calling thread merges them in block order.
//!
//! Each worker takes the next piece of work, simulates it into an accumulator and hands it to
//! the caller, which merges whatever block comes next in order as soon as it is whole. Nobody
//! waits at the end of a batch, and the merges run beside the simulation rather than between
//! batches with every worker idle. The merge order is the block order, so the numbers are
//! those of the sequential loop, whatever the thread count.
//!
//! The pieces are whole blocks, except for the last blocks (one per worker), which are handed
//! out chunk by chunk: a worker that finds no whole block left helps with the chunks of the
//! last ones instead of waiting idle while another finishes a whole block (up to a block's
//! time, a few percent of a run on two threads). A split block's chunks are folded in chunk
//! order, as [`Context::run_block_chunks_in_parallel`] folds them: the same accumulator, bit
//! for bit.

use super::accumulator::Accumulator;
use super::{chunk, Context, BLOCK_CHUNKS, CHUNK_PATHS};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, PoisonError};

/// How far past the last merged block a worker may start one, per worker: bounds the
/// accumulators waiting for an earlier block to be merged (a worker held up by the system
/// cannot let the others fill memory).
const AHEAD_PER_WORKER: u64 = 3;

/// One piece of work: a whole block, or one chunk of a block split at the end of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    /// Every chunk of the block, into one accumulator.
    Block(u64),
    /// Chunk `chunk` (0-based within its block) of `block`, into an accumulator of its own.
    Chunk { block: u64, chunk: u64 },
}

impl Piece {
    fn block(self) -> u64 {
        match self {
            Piece::Block(block) | Piece::Chunk { block, .. } => block,
        }
    }
}

/// The pieces of a run, numbered in the order they are taken: the blocks `first..split` whole,
/// then the chunks of the blocks `split..last` in path order.
struct Pieces {
    first: u64,
    split: u64,
    last: u64,
}

impl Pieces {
    /// The last `workers` blocks of `blocks` split (all of them if there are fewer).
    fn new(blocks: std::ops::Range<u64>, workers: u64) -> Self {
        let split = blocks.end.saturating_sub(workers).max(blocks.start);
        Pieces {
            first: blocks.start,
            split,
            last: blocks.end,
        }
    }

    /// Piece number `n`, or None past the last (the last block's chunks stop at the last path).
    fn get(&self, ctx: &Context, n: u64) -> Option<Piece> {
        let whole = self.split - self.first;
        if n < whole {
            return Some(Piece::Block(self.first + n));
        }
        let (block, chunk) = (
            self.split + (n - whole) / BLOCK_CHUNKS,
            (n - whole) % BLOCK_CHUNKS,
        );
        (block < self.last && ctx.chunk(block, chunk).is_some())
            .then_some(Piece::Chunk { block, chunk })
    }
}

/// A split block while its chunks come in: the fold so far and the chunks that came early.
struct SplitBlock {
    /// The chunks `0..next` folded in order.
    folded: Accumulator,
    next: u64,
    early: BTreeMap<u64, Accumulator>,
}

/// What the workers and the merging caller share.
struct Shared {
    /// The next piece number to take.
    next: AtomicU64,
    /// Blocks merged so far, as the first block not merged yet.
    merged: Mutex<u64>,
    /// Signalled when `merged` moves or the run stops.
    room: Condvar,
    /// Set when the caller stops early (or a worker panicked): take no further piece.
    stop: AtomicBool,
    /// Accumulators already merged and reset, for later pieces.
    spare: Mutex<Vec<Accumulator>>,
}

impl Shared {
    fn halt(&self) {
        self.stop.store(true, Ordering::SeqCst);
        // Under the lock, so that a worker between its check of `stop` and its wait still
        // hears it.
        let _guard = self.merged.lock().unwrap_or_else(PoisonError::into_inner);
        self.room.notify_all();
    }

    /// An empty accumulator of `ctx`: a spare one if any.
    fn accumulator(&self, ctx: &Context) -> Accumulator {
        super::pop_spare(&self.spare).unwrap_or_else(|| ctx.empty_accumulator())
    }

    /// Keeps `acc`, reset, for a later piece.
    fn recycle(&self, mut acc: Accumulator) {
        acc.reset();
        super::push_spare(&self.spare, acc);
    }
}

/// Stops the run if a worker unwinds, so that the caller and the other workers do not wait
/// for its piece forever (the pool's scope then passes the panic on).
struct HaltOnPanic<'a>(&'a Shared);

impl Drop for HaltOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.halt();
        }
    }
}

/// Simulates `blocks` on `pool`'s workers and merges them into `total` in block order, calling
/// `after_block` after each merge (it returns false to stop: later blocks are dropped) and
/// `progress` with the paths merged so far.
pub(super) fn simulate_pipelined(
    ctx: &Context,
    pool: &rayon::ThreadPool,
    blocks: std::ops::Range<u64>,
    total: &mut Accumulator,
    progress: &(dyn Fn(u64) + Sync),
    after_block: &mut dyn FnMut(u64, &Accumulator, &Accumulator) -> bool,
) {
    // The pool has at most `super::max_useful_threads` workers, so neither the workspaces nor
    // the blocks in flight grow with whatever `--threads` asked.
    let workers = pool.current_num_threads() as u64;
    let ahead = AHEAD_PER_WORKER * workers;
    let (first, last) = (blocks.start, blocks.end);
    let pieces = Pieces::new(blocks, workers);
    let shared = Shared {
        next: AtomicU64::new(0),
        merged: Mutex::new(first),
        room: Condvar::new(),
        stop: AtomicBool::new(false),
        spare: Mutex::new(Vec::new()),
    };
    let (sender, receiver) = mpsc::channel::<(Piece, Accumulator)>();
    pool.in_place_scope(|scope| {
        for _ in 0..workers {
            let (shared, pieces, sender) = (&shared, &pieces, sender.clone());
            scope.spawn(move |_| {
                let _halt = HaltOnPanic(shared);
                let mut workspace = chunk::Workspace::new(ctx, CHUNK_PATHS);
                loop {
                    let n = shared.next.fetch_add(1, Ordering::SeqCst);
                    let Some(piece) = pieces.get(ctx, n) else {
                        break;
                    };
                    if shared.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    // Every earlier piece is taken already, so waiting here always ends.
                    let mut merged = shared.merged.lock().unwrap_or_else(PoisonError::into_inner);
                    while piece.block() >= *merged + ahead && !shared.stop.load(Ordering::SeqCst) {
                        merged = shared
                            .room
                            .wait(merged)
                            .unwrap_or_else(PoisonError::into_inner);
                    }
                    drop(merged);
                    if shared.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let mut acc = shared.accumulator(ctx);
                    match piece {
                        Piece::Block(block) => ctx.run_block_in(block, &mut workspace, &mut acc),
                        Piece::Chunk { block, chunk } => {
                            ctx.run_chunk_in(block, chunk, &mut workspace, &mut acc)
                        }
                    }
                    if sender.send((piece, acc)).is_err() {
                        break;
                    }
                }
            });
        }
        // Only the workers hold senders now: if they all end early (a panic), `recv` fails
        // instead of waiting.
        drop(sender);
        // Whole blocks waiting for an earlier one, and split blocks still coming in.
        let mut waiting: BTreeMap<u64, Accumulator> = BTreeMap::new();
        let mut splits: BTreeMap<u64, SplitBlock> = BTreeMap::new();
        let mut want = first;
        'merging: while want < last {
            let Ok((piece, acc)) = receiver.recv() else {
                break;
            };
            match piece {
                Piece::Block(block) => {
                    waiting.insert(block, acc);
                }
                Piece::Chunk { block, chunk } => {
                    let split = splits.entry(block).or_insert_with(|| SplitBlock {
                        folded: shared.accumulator(ctx),
                        next: 0,
                        early: BTreeMap::new(),
                    });
                    split.early.insert(chunk, acc);
                    while let Some(chunk_acc) = split.early.remove(&split.next) {
                        split.folded.merge(&chunk_acc);
                        split.next += 1;
                        shared.recycle(chunk_acc);
                    }
                    if split.next == ctx.chunks_in(block) {
                        if let Some(mut done) = splits.remove(&block) {
                            ctx.copy_level_cells(&mut done.folded);
                            waiting.insert(block, done.folded);
                        }
                    }
                }
            }
            while let Some(acc) = waiting.remove(&want) {
                let go_on = super::merge_block(total, want, &acc, progress, after_block);
                want += 1;
                if !go_on {
                    break 'merging;
                }
                *shared.merged.lock().unwrap_or_else(PoisonError::into_inner) = want;
                shared.room.notify_all();
                shared.recycle(acc);
            }
        }
        // Done or stopped: the workers finish the piece in hand and take no other.
        shared.halt();
        drop(receiver);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_the_whole_blocks_then_the_last_blocks_chunk_by_chunk() {
        use crate::scenario::{load, LoadOptions, RunSettings};
        // Five blocks less 1,000 paths: the last block's last chunk is partial.
        let paths = 5 * super::super::BLOCK_PATHS - 1000;
        let options = LoadOptions {
            sets: Vec::new(),
            settings: RunSettings {
                paths: Some(paths),
                seed: Some(1),
                as_of: None,
            },
        };
        let path = std::path::Path::new("tests/fixtures/valid/small.toml");
        let loaded = load(path, &options).expect("the fixture loads");
        let ctx = Context::new(&loaded.scenario);
        let taken =
            |pieces: &Pieces| -> Vec<Piece> { (0..).map_while(|n| pieces.get(&ctx, n)).collect() };
        let chunks = |block: u64| (0..BLOCK_CHUNKS).map(move |chunk| Piece::Chunk { block, chunk });
        let mut expected: Vec<Piece> = (0..3).map(Piece::Block).collect();
        expected.extend(chunks(3).chain(chunks(4)));
        assert_eq!(taken(&Pieces::new(0..5, 2)), expected);
        assert_eq!(ctx.chunks_in(4), BLOCK_CHUNKS);
        // A range inside the run: its own last blocks are split (whole chunks every one).
        let mut expected: Vec<Piece> = vec![Piece::Block(1)];
        expected.extend(chunks(2));
        assert_eq!(taken(&Pieces::new(1..3, 1)), expected);
        // More workers than blocks: every block split.
        assert_eq!(taken(&Pieces::new(3..4, 4)), chunks(3).collect::<Vec<_>>());
        // One chunk fewer: the last block has 15.
        let short = 5 * super::super::BLOCK_PATHS - super::super::CHUNK_PATHS as u64;
        let options = LoadOptions {
            settings: RunSettings {
                paths: Some(short),
                ..options.settings
            },
            ..options
        };
        let loaded = load(path, &options).expect("the fixture loads");
        let ctx = Context::new(&loaded.scenario);
        assert_eq!(ctx.chunks_in(4), BLOCK_CHUNKS - 1);
        let last = Pieces::new(0..5, 1);
        let all: Vec<Piece> = (0..).map_while(|n| last.get(&ctx, n)).collect();
        assert_eq!(all.len() as u64, 4 + BLOCK_CHUNKS - 1);
    }
}
