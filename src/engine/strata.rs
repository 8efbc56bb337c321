//! Latin hypercube strata, remembered across simulations of one process.
//!
//! With `lhs` sampling, path `p` of a trend dimension falls in stratum `perm(p)` of a keyed
//! permutation of `0..paths` ([`super::rng::Permutation`]): a Feistel network with cycle
//! walking, which costs up to 4 rounds per walk and up to 4 walks per path. `sensitivity`,
//! `solve` and `compare` simulate one scenario many times with the same seed and path count,
//! so they need the same permutations every time; this cache computes each chunk's strata once.
//! It holds exactly the values `Permutation::apply` returns, so results are the same bit for
//! bit with or without it.
//!
//! Only runs of at most [`MAX_CACHED_PATHS`] paths are cached (4 bytes per path and trend
//! dimension: at most 256 kB per dimension, 15 MB for the bundled scenario's 60), and the cache
//! is emptied when it would grow beyond [`MAX_CACHED_BYTES`], so memory stays bounded in a
//! long-lived process. Chunks are filled by the first simulation that needs them, in parallel,
//! without a lock held while computing.

use super::rng::Permutation;
use super::CHUNK_PATHS;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Largest path count whose strata are cached.
pub const MAX_CACHED_PATHS: u64 = 1 << 16;

/// Bound on the memory the cache holds (it is emptied, not grown, beyond it).
pub const MAX_CACHED_BYTES: usize = 64 << 20;

/// The strata of one permutation, chunk by chunk, filled on first use.
struct Table {
    chunks: Vec<OnceLock<Box<[u32]>>>,
}

struct Cache {
    tables: HashMap<(u64, u64), Arc<Table>>,
    bytes: usize,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(|| {
        Mutex::new(Cache {
            tables: HashMap::new(),
            bytes: 0,
        })
    })
}

/// The table for (`paths`, `key`), or None when runs of this size are not cached.
fn table(paths: u64, key: u64) -> Option<Arc<Table>> {
    if paths > MAX_CACHED_PATHS {
        return None;
    }
    // A poisoned lock only means another thread panicked mid-insert; the map is still valid.
    let mut cache = cache().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(table) = cache.tables.get(&(paths, key)) {
        return Some(Arc::clone(table));
    }
    let bytes = paths as usize * std::mem::size_of::<u32>();
    if cache.bytes + bytes > MAX_CACHED_BYTES {
        cache.tables.clear();
        cache.bytes = 0;
    }
    let table = Arc::new(Table {
        chunks: (0..paths.div_ceil(CHUNK_PATHS as u64))
            .map(|_| OnceLock::new())
            .collect(),
    });
    cache.bytes += bytes;
    cache.tables.insert((paths, key), Arc::clone(&table));
    Some(table)
}

/// Calls `each(p, stratum)` for the `len` paths of chunk `chunk_index` (paths
/// `chunk_index * CHUNK_PATHS ..`), `stratum` being `Permutation::new(paths, key).apply(path)`:
/// from the cache when runs of `paths` paths are cached, computed directly otherwise.
#[inline]
pub fn for_chunk(
    paths: u64,
    key: u64,
    chunk_index: u64,
    len: usize,
    mut each: impl FnMut(usize, u64),
) {
    let first = chunk_index * CHUNK_PATHS as u64;
    let permutation = Permutation::new(paths, key);
    assert!(len <= CHUNK_PATHS, "a chunk has at most CHUNK_PATHS paths");
    let mut run = [0u64; CHUNK_PATHS];
    let Some(table) = table(paths, key) else {
        permutation.apply_run(first, &mut run[..len]);
        for (p, &stratum) in run[..len].iter().enumerate() {
            each(p, stratum);
        }
        return;
    };
    let strata = table.chunks[chunk_index as usize].get_or_init(|| {
        // A whole chunk (the last one may be partial); below 2^16 paths a stratum fits a u32.
        let end = (first + CHUNK_PATHS as u64).min(paths);
        let run = &mut run[..(end - first) as usize];
        permutation.apply_run(first, run);
        run.iter().map(|&s| s as u32).collect()
    });
    for (p, &stratum) in strata.iter().take(len).enumerate() {
        each(p, u64::from(stratum));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_strata_are_the_permutation() {
        for paths in [
            1u64,
            5,
            1023,
            1024,
            1025,
            5000,
            20_000,
            MAX_CACHED_PATHS + 1,
        ] {
            let key = 0x5eed ^ paths;
            let permutation = Permutation::new(paths, key);
            // Twice: the first call fills the cache, the second reads it.
            for _ in 0..2 {
                for chunk in 0..paths.div_ceil(CHUNK_PATHS as u64) {
                    let first = chunk * CHUNK_PATHS as u64;
                    let len = (paths - first).min(CHUNK_PATHS as u64) as usize;
                    let mut seen = 0;
                    for_chunk(paths, key, chunk, len, |p, stratum| {
                        assert_eq!(stratum, permutation.apply(first + p as u64), "{paths}");
                        seen += 1;
                    });
                    assert_eq!(seen, len);
                }
            }
        }
    }
}
