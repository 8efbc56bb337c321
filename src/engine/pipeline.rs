//! Blocks simulated on a pool's workers while the calling thread merges them in block order.
//!
//! Each worker takes the next block number, simulates it into an accumulator and hands it to
//! the caller, which merges whatever block comes next in order as soon as it arrives. Nobody
//! waits at the end of a batch, and the merges run beside the simulation rather than between
//! batches with every worker idle. The merge order is the block order, so the numbers are
//! those of the sequential loop, whatever the thread count.

use super::accumulator::Accumulator;
use super::{chunk, Context, CHUNK_PATHS};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, PoisonError};

/// How far past the last merged block a worker may start one, per worker: bounds the
/// accumulators waiting for an earlier block to be merged (a worker held up by the system
/// cannot let the others fill memory).
const AHEAD_PER_WORKER: u64 = 3;

/// What the workers and the merging caller share.
struct Shared {
    /// The next block number to take.
    next: AtomicU64,
    /// Blocks merged so far, as the first block not merged yet.
    merged: Mutex<u64>,
    /// Signalled when `merged` moves or the run stops.
    room: Condvar,
    /// Set when the caller stops early (or a worker panicked): take no further block.
    stop: AtomicBool,
    /// Accumulators already merged and reset, for later blocks.
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
}

/// Stops the run if a worker unwinds, so that the caller and the other workers do not wait
/// for its block forever (the pool's scope then passes the panic on).
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
    let shared = Shared {
        next: AtomicU64::new(first),
        merged: Mutex::new(first),
        room: Condvar::new(),
        stop: AtomicBool::new(false),
        spare: Mutex::new(Vec::new()),
    };
    let (sender, receiver) = mpsc::channel::<(u64, Accumulator)>();
    pool.in_place_scope(|scope| {
        for _ in 0..workers {
            let (shared, sender) = (&shared, sender.clone());
            scope.spawn(move |_| {
                let _halt = HaltOnPanic(shared);
                let mut workspace = chunk::Workspace::new(ctx, CHUNK_PATHS);
                loop {
                    let block = shared.next.fetch_add(1, Ordering::SeqCst);
                    if block >= last || shared.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    // Every earlier block is taken already, so waiting here always ends.
                    let mut merged = shared.merged.lock().unwrap_or_else(PoisonError::into_inner);
                    while block >= *merged + ahead && !shared.stop.load(Ordering::SeqCst) {
                        merged = shared
                            .room
                            .wait(merged)
                            .unwrap_or_else(PoisonError::into_inner);
                    }
                    drop(merged);
                    if shared.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let mut acc =
                        super::pop_spare(&shared.spare).unwrap_or_else(|| ctx.empty_accumulator());
                    ctx.run_block_in(block, &mut workspace, &mut acc);
                    if sender.send((block, acc)).is_err() {
                        break;
                    }
                }
            });
        }
        // Only the workers hold senders now: if they all end early (a panic), `recv` fails
        // instead of waiting.
        drop(sender);
        let mut waiting: BTreeMap<u64, Accumulator> = BTreeMap::new();
        let mut want = first;
        'merging: while want < last {
            let Ok((block, acc)) = receiver.recv() else {
                break;
            };
            waiting.insert(block, acc);
            while let Some(mut acc) = waiting.remove(&want) {
                let go_on = super::merge_block(total, want, &acc, progress, after_block);
                want += 1;
                if !go_on {
                    break 'merging;
                }
                *shared.merged.lock().unwrap_or_else(PoisonError::into_inner) = want;
                shared.room.notify_all();
                acc.reset();
                super::push_spare(&shared.spare, acc);
            }
        }
        // Done or stopped: the workers finish the block in hand and take no other.
        shared.halt();
        drop(receiver);
    });
}
