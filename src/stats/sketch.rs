//! A mergeable quantile sketch with bounded relative error, so that memory does not grow with the
//! number of paths.
//!
//! Values are counted in logarithmic buckets, as in DDSketch (Masson, Rim & Lee, "DDSketch: a fast
//! and fully-mergeable quantile sketch with relative-error guarantees", VLDB 2019), with the cheap
//! log-linear index of that paper: log2|x| is approximated by exponent + mantissa fraction, read
//! straight from the bits of the f64, and each octave is cut into [`BUCKETS_PER_OCTAVE`] equal
//! parts. A bucket's upper end is at most (1 + 1/128) times its lower end, so the reported value
//! (the bucket's midpoint) is within [`RELATIVE_ACCURACY`] of the exact order statistic.
//! Merging adds integer counts, so the result does not depend on merge order.

use super::scan::{bucketed_magnitude_ranges, least_from, ChunkScan};

/// Buckets per factor of two.
pub const BUCKETS_PER_OCTAVE: i64 = 128;

/// Guaranteed relative error of [`Sketch::quantile`] against the exact order statistic
/// (1 / (2 * BUCKETS_PER_OCTAVE)).
pub const RELATIVE_ACCURACY: f64 = 1.0 / (2.0 * BUCKETS_PER_OCTAVE as f64);

/// Magnitudes below this are counted as zero (and reported as 0).
pub const ZERO_THRESHOLD: f64 = 1e-300;

/// A dense run of bucket counts starting at bucket index `offset`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Store {
    offset: i64,
    counts: Vec<u64>,
}

impl Store {
    #[inline]
    fn add(&mut self, index: i64, n: u64) {
        if self.counts.is_empty() {
            self.offset = index;
            self.counts.push(n);
            return;
        }
        if index < self.offset {
            // Shifted up in place (no new allocation while the capacity suffices: a store
            // reused from block to block has grown to its usual span already).
            let grow = (self.offset - index) as usize;
            let len = self.counts.len();
            self.counts.resize(grow + len, 0);
            self.counts.copy_within(0..len, grow);
            self.counts[..grow].fill(0);
            self.offset = index;
        }
        let position = (index - self.offset) as usize;
        if position >= self.counts.len() {
            self.counts.resize(position + 1, 0);
        }
        self.counts[position] += n;
    }

    /// Empty again (as [`Store::default`]), keeping the allocation.
    fn clear(&mut self) {
        self.offset = 0;
        self.counts.clear();
    }

    /// Becomes a copy of `other`, reusing the allocation.
    fn copy_from(&mut self, other: &Store) {
        self.offset = other.offset;
        self.counts.clone_from(&other.counts);
    }

    fn merge(&mut self, other: &Store) {
        if other.counts.is_empty() {
            return;
        }
        // Make room once, then add in place.
        self.add(other.offset, 0);
        self.add(other.offset + other.counts.len() as i64 - 1, 0);
        let start = (other.offset - self.offset) as usize;
        for (slot, &count) in self.counts[start..].iter_mut().zip(&other.counts) {
            *slot += count;
        }
    }

    fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The first and last bucket index held, if any.
    fn span(&self) -> Option<(i64, i64)> {
        (!self.counts.is_empty()).then(|| (self.offset, self.offset + self.counts.len() as i64 - 1))
    }

    /// A store read back from a file: its buckets are indices some f64 can have, and its
    /// counts add up without overflow (their sum).
    fn checked_total(&self) -> Result<u64, &'static str> {
        if self.counts.is_empty() {
            return Ok(0);
        }
        let last = self
            .offset
            .checked_add(self.counts.len() as i64 - 1)
            .ok_or("bucket index out of range")?;
        if self.offset < MIN_INDEX || last > MAX_INDEX {
            return Err("bucket index out of range");
        }
        self.counts
            .iter()
            .try_fold(0u64, |sum, &c| sum.checked_add(c))
            .ok_or("bucket counts overflow")
    }
}

/// The lowest bucket index any f64 has (that of the smallest magnitude).
const MIN_INDEX: i64 = -1023 * BUCKETS_PER_OCTAVE;

/// The highest bucket index any f64 bit pattern gives (infinity and NaN included).
const MAX_INDEX: i64 = ((1i64 << (63 - SUB_BUCKET_SHIFT)) - 1) - 1023 * BUCKETS_PER_OCTAVE;

/// Quantiles of a stream of values within [`RELATIVE_ACCURACY`], mergeable exactly.
///
/// ```
/// use plancast::stats::sketch::{Sketch, RELATIVE_ACCURACY};
/// let mut s = Sketch::new();
/// s.extend(&(1..=1000).map(f64::from).collect::<Vec<_>>());
/// // The exact median (rank 499 of 0..999) is 500.
/// assert!((s.quantile(0.5) - 500.0).abs() <= 500.0 * RELATIVE_ACCURACY);
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sketch {
    positive: Store,
    negative: Store,
    zeros: u64,
    count: u64,
    min: f64,
    max: f64,
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch {
            positive: Store::default(),
            negative: Store::default(),
            zeros: 0,
            count: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

/// The bits of a value less its sign.
const MAGNITUDE: u64 = u64::MAX >> 1;

/// Mantissa bits below the ones that pick the part of the octave (52 - log2(128)).
const SUB_BUCKET_SHIFT: u32 = 52 - BUCKETS_PER_OCTAVE.trailing_zeros();

/// The bucket index of a positive, normal magnitude: `exponent * 128 + floor(128 * fraction)`,
/// which is exactly the biased exponent and the top 7 mantissa bits read as one integer, less
/// the bias.
#[inline]
fn index_of(magnitude: f64) -> i64 {
    index_of_bits(magnitude.to_bits())
}

/// [`index_of`] from the bits of a value; the sign bit is ignored.
#[inline]
fn index_of_bits(bits: u64) -> i64 {
    ((bits & !(1u64 << 63)) >> SUB_BUCKET_SHIFT) as i64 - 1023 * BUCKETS_PER_OCTAVE
}

/// Size of the four interleaved histograms of [`Sketch::extend_mixed_finite`]: one slot per
/// bucket for up to `LANE_BUCKETS - 1` buckets, and the last slot for zeros.
const LANE_BUCKETS: usize = 256;

/// [`LANE_BUCKETS`] for [`count_one_sign`], whose lanes are the thread's and kept all zero
/// from call to call, so that a wide span costs only the slots it uses: a cell's chunk often
/// spans several hundred buckets (most of the bundled scenario's do).
const COUNT_LANE_BUCKETS: usize = 1024;

/// Counts `values` (finite, of one sign) into `store`, given the bit patterns of the values
/// of smallest and largest magnitude at least [`ZERO_THRESHOLD`], in either order; values
/// whose magnitude's bit pattern is below `zero_below` are not bucketed but returned as the
/// number of zeros (`WITH_ZEROS`, for non-negative values with zeros, a -0 among them:
/// `zero_below` is then `ZERO_THRESHOLD.to_bits()`; without, the test is compiled out and none
/// are zeros).
///
/// When the values span few buckets (the usual case for a chunk of one cell), consecutive
/// values often fall in the same bucket, and incrementing one counter in memory after another
/// waits for the previous store each time. Four histograms (the thread's, a bucket's four
/// counters side by side) break that chain; they are added up into the store afterwards (exact
/// integer counts, same result).
fn count_one_sign<const WITH_ZEROS: bool>(
    store: &mut Store,
    values: &[f64],
    min_bits: u64,
    max_bits: u64,
    zero_below: u64,
) -> u64 {
    let (first, last) = (index_of_bits(min_bits), index_of_bits(max_bits));
    let (first, last) = (first.min(last), first.max(last));
    store.add(first, 0);
    store.add(last, 0);
    let offset = (first - store.offset) as usize;
    let span = (last - first) as usize + 1;
    let counts = &mut store.counts[offset..offset + span];
    if span >= COUNT_LANE_BUCKETS || values.len() < span || values.len() > u16::MAX as usize {
        let mut zeros = 0;
        for &v in values {
            let bits = v.to_bits();
            if WITH_ZEROS && bits & MAGNITUDE < zero_below {
                zeros += 1;
            } else {
                counts[(index_of_bits(bits) - first) as usize] += 1;
            }
        }
        return zeros;
    }
    // u16 counters (the slice is at most 65535 long). The last slot of each lane counts zeros.
    // The lanes are the thread's, left all zero by every call (each slot used is cleared as it
    // is read): clearing the whole 8 kB on every call cost more than the few slots a count
    // cell's chunk uses.
    thread_local! {
        static LANES: std::cell::RefCell<[u16; 4 * COUNT_LANE_BUCKETS]> =
            const { std::cell::RefCell::new([0; 4 * COUNT_LANE_BUCKETS]) };
    }
    prefetch(counts);
    LANES.with_borrow_mut(|lanes| {
        count_in_lanes::<WITH_ZEROS>(lanes, counts, values, first, zero_below)
    })
}

/// Asks for the cache lines of `counts` ahead of use: a cell's store is read and written once
/// per chunk, after every other cell's, so it has usually left the core's caches by then; the
/// lines arrive while the chunk's values are counted into the lanes.
#[inline(always)]
fn prefetch(counts: &[u64]) {
    #[cfg(target_arch = "x86_64")]
    for line in counts.chunks(8) {
        // SAFETY: a prefetch is a hint; it reads nothing and cannot fault (and SSE, which
        // provides it, is part of baseline x86-64).
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                line.as_ptr().cast(),
            )
        };
    }
}

/// The narrow case of [`count_one_sign`]: `values` counted in the all-zero `lanes` (bucket `b`'s
/// four counters at `4 b .. 4 b + 4`, one for each value position modulo 4), added into `counts`
/// (one per bucket from `first`), the lanes left all zero again; returns the number of zeros.
#[inline(always)]
fn count_in_lanes<const WITH_ZEROS: bool>(
    lanes: &mut [u16; 4 * COUNT_LANE_BUCKETS],
    counts: &mut [u64],
    values: &[f64],
    first: i64,
    zero_below: u64,
) -> u64 {
    const ZERO_SLOT: usize = COUNT_LANE_BUCKETS - 1;
    // The bucket relative to `first`, modulo COUNT_LANE_BUCKETS, which never changes it (all are
    // below `span`) but lets the compiler drop the bounds checks. Modulo a power of two below
    // 2^18, the sign bit (2^18 once shifted) and the order of the subtractions do not matter,
    // so `index_of_bits(bits) - first` is one shift and one subtraction. The zero test is a
    // select, not a branch.
    let base = (first + 1023 * BUCKETS_PER_OCTAVE) as usize;
    let bucket = |v: f64| {
        let bits = v.to_bits();
        let index =
            ((bits >> SUB_BUCKET_SHIFT) as usize).wrapping_sub(base) & (COUNT_LANE_BUCKETS - 1);
        if WITH_ZEROS && bits & MAGNITUDE < zero_below {
            ZERO_SLOT
        } else {
            index
        }
    };
    let mut blocks = values.chunks_exact(4);
    for block in &mut blocks {
        for k in 0..4 {
            lanes[4 * bucket(block[k]) + k] += 1;
        }
    }
    for &v in blocks.remainder() {
        lanes[4 * bucket(v)] += 1;
    }
    // A bucket's four counters as one word: multiplied by 0x0001_0001_0001_0001, its top 16
    // bits are their sum, exact because they count at most u16::MAX values in all.
    let sum_of = |quad: &[u16]| {
        let word = u64::from(quad[0])
            | u64::from(quad[1]) << 16
            | u64::from(quad[2]) << 32
            | u64::from(quad[3]) << 48;
        word.wrapping_mul(0x0001_0001_0001_0001) >> 48
    };
    let done = wide::fold_lanes_if_available(counts, &mut lanes[..]);
    for (count, quad) in counts[done..]
        .iter_mut()
        .zip(lanes[4 * done..].chunks_exact_mut(4))
    {
        *count += sum_of(quad);
        quad.fill(0);
    }
    let zeros = &mut lanes[4 * ZERO_SLOT..];
    let zero_count = sum_of(zeros);
    zeros.fill(0);
    zero_count
}

/// The AVX-512 form of the lanes' fold in [`count_in_lanes`], built by compilers from Rust 1.89
/// (whose AVX-512 intrinsics it uses).
mod wide {
    /// Adds each of the first buckets' four counters (`lanes[4 b .. 4 b + 4]`) into `counts[b]`
    /// and clears them, eight buckets a register, with AVX-512 if the processor has it (and the
    /// compiler could build it, on x86-64): the number of buckets done (a multiple of eight; 0
    /// otherwise), the rest the caller's.
    #[rustversion::since(1.89)]
    pub(super) fn fold_lanes_if_available(counts: &mut [u64], lanes: &mut [u16]) -> usize {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has AVX-512F, the one feature the function is compiled for.
            return unsafe { fold_lanes(counts, lanes) };
        }
        let _ = (counts, lanes);
        0
    }

    /// Without a compiler that builds the AVX-512 form: nothing done.
    #[rustversion::before(1.89)]
    pub(super) fn fold_lanes_if_available(_counts: &mut [u64], _lanes: &mut [u16]) -> usize {
        0
    }

    /// A bucket's four 16-bit counters are one 64-bit lane: added in pairs (two 32-bit sums),
    /// then the pair (exact integer sums: at most 4 times 65,535).
    ///
    /// # Safety
    /// The processor must have AVX-512F.
    #[rustversion::since(1.89)]
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn fold_lanes(counts: &mut [u64], lanes: &mut [u16]) -> usize {
        use std::arch::x86_64::*;
        let n = counts.len().min(lanes.len() / 4) / 8 * 8;
        let fields = _mm512_set1_epi64(0x0000_ffff_0000_ffff);
        let low = _mm512_set1_epi64(0xffff_ffff);
        for first in (0..n).step_by(8) {
            // SAFETY: `first + 8 <= n`: the 32 counters from `4 first` and the 8 counts from
            // `first` are inside their slices; the accesses are unaligned.
            unsafe {
                let quads = lanes.as_mut_ptr().add(4 * first);
                let w = _mm512_loadu_si512(quads.cast());
                let pairs = _mm512_add_epi64(
                    _mm512_and_si512(w, fields),
                    _mm512_and_si512(_mm512_srli_epi64::<16>(w), fields),
                );
                let sums =
                    _mm512_add_epi64(_mm512_and_si512(pairs, low), _mm512_srli_epi64::<32>(pairs));
                let at = counts.as_mut_ptr().add(first);
                _mm512_storeu_si512(
                    at.cast(),
                    _mm512_add_epi64(_mm512_loadu_si512(at.cast()), sums),
                );
                _mm512_storeu_si512(quads.cast(), _mm512_setzero_si512());
            }
        }
        n
    }
}

/// The lower end of bucket `index`.
fn lower_bound(index: i64) -> f64 {
    let exponent = index.div_euclid(BUCKETS_PER_OCTAVE);
    let part = index.rem_euclid(BUCKETS_PER_OCTAVE) as f64 / BUCKETS_PER_OCTAVE as f64;
    (1.0 + part) * 2f64.powi(exponent as i32)
}

/// The value reported for bucket `index`: the midpoint of its ends.
fn representative(index: i64) -> f64 {
    0.5 * (lower_bound(index) + lower_bound(index + 1))
}

impl Sketch {
    /// An empty sketch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empty again: equal to [`Sketch::new`], but keeping the memory its buckets took, for
    /// a sketch that is filled again and again (the engine's accumulators, block after block).
    pub fn clear(&mut self) {
        self.positive.clear();
        self.negative.clear();
        (self.zeros, self.count) = (0, 0);
        (self.min, self.max) = (f64::INFINITY, f64::NEG_INFINITY);
    }

    /// Becomes equal to `other`, reusing this sketch's memory (`clone_from` of the derived
    /// `Clone` allocates anew).
    pub fn copy_from(&mut self, other: &Sketch) {
        self.positive.copy_from(&other.positive);
        self.negative.copy_from(&other.negative);
        (self.zeros, self.count) = (other.zeros, other.count);
        (self.min, self.max) = (other.min, other.max);
    }

    /// Adds one value. Non-finite values are ignored (the engine reports them separately).
    #[inline]
    pub fn add(&mut self, value: f64) {
        if !value.is_finite() {
            return;
        }
        self.count += 1;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        let magnitude = value.abs();
        if magnitude < ZERO_THRESHOLD {
            self.zeros += 1;
        } else if value > 0.0 {
            self.positive.add(index_of(magnitude), 1);
        } else {
            self.negative.add(index_of(magnitude), 1);
        }
    }

    /// Adds every value of a slice.
    ///
    /// Fast path: when every value is finite and of one sign away from zero (the usual case
    /// for a cell of a chunk), the store is grown once to cover the buckets of the smallest and
    /// largest magnitudes, and each value then costs one integer index and one increment. The
    /// test needs no floating-point comparison: for values of one sign the bit patterns, read
    /// as integers, are ordered like the magnitudes, so the smallest and largest patterns give
    /// the sign, the extreme magnitudes (hence the bucket range) and finiteness. Otherwise the
    /// values are added one by one. Both paths give the same sketch.
    pub fn extend(&mut self, values: &[f64]) {
        const SIGN: u64 = 1 << 63;
        const INFINITY: u64 = 0x7ff0_0000_0000_0000;
        let (mut lo, mut hi) = (u64::MAX, 0u64);
        for &v in values {
            let bits = v.to_bits();
            lo = lo.min(bits);
            hi = hi.max(bits);
        }
        let smallest = ZERO_THRESHOLD.to_bits();
        let (store, min_bits, max_bits) = if values.is_empty() {
            return;
        } else if hi < INFINITY && lo >= smallest {
            (&mut self.positive, lo, hi)
        } else if lo >= SIGN | smallest && hi < SIGN | INFINITY {
            (&mut self.negative, lo, hi)
        } else {
            self.extend_mixed(values);
            return;
        };
        count_one_sign::<false>(store, values, min_bits, max_bits, 0);
        self.count += values.len() as u64;
        let (a, b) = (f64::from_bits(min_bits), f64::from_bits(max_bits));
        self.min = self.min.min(a.min(b));
        self.max = self.max.max(a.max(b));
    }

    /// [`Sketch::extend`] given `scan`, the [`ChunkScan`] of the same `values` (which the
    /// caller computed anyway for the moments): when its sum is finite every value is finite
    /// and its min and max are exact, so the one-sign test needs no pass of its own. Anything
    /// else goes to [`Sketch::extend`]. The result is the same sketch either way.
    pub fn extend_scanned(&mut self, values: &[f64], scan: &ChunkScan) {
        if values.is_empty() {
            return;
        }
        let store = if !scan.sum.is_finite() {
            return self.extend(values);
        } else if scan.min >= ZERO_THRESHOLD {
            &mut self.positive
        } else if scan.max <= -ZERO_THRESHOLD {
            &mut self.negative
        } else if scan.min.to_bits() == 0 || scan.min > 0.0 {
            // Zeros and positive values (counts that start from 0, say).
            return self.extend_non_negative(values, scan);
        } else {
            return self.extend_mixed_finite(values, scan);
        };
        count_one_sign::<false>(store, values, scan.min.to_bits(), scan.max.to_bits(), 0);
        self.count += values.len() as u64;
        self.min = self.min.min(scan.min);
        self.max = self.max.max(scan.max);
    }

    /// [`Sketch::extend_scanned`] for finite values that are +0, below [`ZERO_THRESHOLD`] or
    /// positive: one branch-free pass finds the smallest positive bucketed value, a second
    /// counts (zeros in a slot of their own).
    fn extend_non_negative(&mut self, values: &[f64], scan: &ChunkScan) {
        let smallest = ZERO_THRESHOLD.to_bits();
        // A -0 among the values is a zero, as `add` counts it.
        let least = least_from(values, ZERO_THRESHOLD);
        let lo = if least < f64::INFINITY {
            least.to_bits()
        } else {
            u64::MAX
        };
        let zeros = if lo == u64::MAX {
            values.len() as u64
        } else {
            count_one_sign::<true>(&mut self.positive, values, lo, scan.max.to_bits(), smallest)
        };
        self.zeros += zeros;
        self.count += values.len() as u64;
        self.min = self.min.min(scan.min);
        self.max = self.max.max(scan.max);
    }

    /// [`Sketch::extend_scanned`] for finite values of both signs (zeros among them): one pass
    /// without branches finds each sign's bucket range, a second counts into one histogram of
    /// both ranges and a slot for zeros (as interleaved histograms on the stack, as
    /// [`count_one_sign`] does, when the ranges are narrow), added into the stores at the end.
    /// Ranges over 2^16 buckets go to [`Sketch::extend_mixed`]. The same sketch either way.
    fn extend_mixed_finite(&mut self, values: &[f64], scan: &ChunkScan) {
        const ZERO_SLOT: usize = LANE_BUCKETS - 1;
        let smallest = ZERO_THRESHOLD.to_bits();
        let [lo_pos, hi_pos, lo_neg, hi_neg] = bucketed_magnitude_ranges(values, ZERO_THRESHOLD);
        // (first bucket, number of buckets) of each sign; none when it has no bucketed value.
        let range = |lo: u64, hi: u64| {
            (lo <= hi).then(|| {
                (
                    index_of_bits(lo),
                    (index_of_bits(hi) - index_of_bits(lo)) as usize + 1,
                )
            })
        };
        let (pos, neg) = (range(lo_pos, hi_pos), range(lo_neg, hi_neg));
        let span_pos = pos.map_or(0, |(_, span)| span);
        let span_neg = neg.map_or(0, |(_, span)| span);
        if span_pos + span_neg > 1 << 16 {
            return self.extend_mixed(values);
        }
        let first_pos = pos.map_or(0, |(first, _)| first);
        let first_neg = neg.map_or(0, |(first, _)| first);
        // Slot of a value: its positive bucket, or span_pos + its negative bucket, or `zero`.
        let slot = |v: f64, zero: usize| {
            let bits = v.to_bits();
            let index = index_of_bits(bits);
            if bits & MAGNITUDE < smallest {
                zero
            } else if bits >> 63 == 0 {
                (index - first_pos) as usize
            } else {
                span_pos + (index - first_neg) as usize
            }
        };
        let narrow = span_pos + span_neg < ZERO_SLOT
            && values.len() >= 4 * (span_pos + span_neg)
            && values.len() <= u16::MAX as usize;
        let mut counts = vec![0u64; span_pos + span_neg + 1];
        let zero = span_pos + span_neg;
        if narrow {
            // `& (LANE_BUCKETS - 1)` never changes a slot but drops the bounds check.
            let mut lanes = [[0u16; LANE_BUCKETS]; 4];
            let mut blocks = values.chunks_exact(4);
            for block in &mut blocks {
                for k in 0..4 {
                    lanes[k][slot(block[k], ZERO_SLOT) & (LANE_BUCKETS - 1)] += 1;
                }
            }
            for &v in blocks.remainder() {
                lanes[0][slot(v, ZERO_SLOT) & (LANE_BUCKETS - 1)] += 1;
            }
            let total = |j: usize| {
                (u64::from(lanes[0][j]) + u64::from(lanes[1][j]))
                    + (u64::from(lanes[2][j]) + u64::from(lanes[3][j]))
            };
            for (j, count) in counts[..zero].iter_mut().enumerate() {
                *count = total(j);
            }
            counts[zero] = total(ZERO_SLOT);
        } else {
            // Wide ranges: consecutive values rarely share a bucket; one histogram.
            for &v in values {
                counts[slot(v, zero)] += 1;
            }
        }
        for (store, range, base) in [
            (&mut self.positive, pos, 0),
            (&mut self.negative, neg, span_pos),
        ] {
            if let Some((first, span)) = range {
                store.add(first, 0);
                store.add(first + span as i64 - 1, 0);
                let offset = (first - store.offset) as usize;
                for (slot, &count) in store.counts[offset..offset + span]
                    .iter_mut()
                    .zip(&counts[base..base + span])
                {
                    *slot += count;
                }
            }
        }
        self.zeros += counts[zero];
        self.count += values.len() as u64;
        self.min = self.min.min(scan.min);
        self.max = self.max.max(scan.max);
    }

    /// [`Sketch::extend`] for values of both signs, zeros or non-finite values: one pass finds
    /// each sign's bucket range, both stores grow once, a second pass counts.
    fn extend_mixed(&mut self, values: &[f64]) {
        const MAGNITUDE: u64 = u64::MAX >> 1;
        let smallest = ZERO_THRESHOLD.to_bits();
        let mut range = [(u64::MAX, 0u64); 2];
        for &v in values {
            let bits = v.to_bits();
            let magnitude = bits & MAGNITUDE;
            if v.is_finite() && magnitude >= smallest {
                let r = &mut range[(bits >> 63) as usize];
                *r = (r.0.min(magnitude), r.1.max(magnitude));
            }
        }
        let mut bases = [0i64; 2];
        for (sign, &(lo, hi)) in range.iter().enumerate() {
            if lo <= hi {
                let store = if sign == 0 {
                    &mut self.positive
                } else {
                    &mut self.negative
                };
                store.add(index_of_bits(lo), 0);
                store.add(index_of_bits(hi), 0);
                bases[sign] = store.offset;
            }
        }
        for &v in values {
            if !v.is_finite() {
                continue;
            }
            self.count += 1;
            self.min = self.min.min(v);
            self.max = self.max.max(v);
            let bits = v.to_bits();
            let magnitude = bits & MAGNITUDE;
            if magnitude < smallest {
                self.zeros += 1;
                continue;
            }
            let sign = (bits >> 63) as usize;
            let store = if sign == 0 {
                &mut self.positive
            } else {
                &mut self.negative
            };
            store.counts[(index_of_bits(magnitude) - bases[sign]) as usize] += 1;
        }
    }

    /// Merges `other` into `self`; the result is the same in any order.
    pub fn merge(&mut self, other: &Sketch) {
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
        self.zeros += other.zeros;
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The q-quantile (0 <= q <= 1): the order statistic of 0-based rank floor(q (n - 1)),
    /// within [`RELATIVE_ACCURACY`], clamped to the exact minimum and maximum. NaN when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return f64::NAN;
        }
        let rank = (q.clamp(0.0, 1.0) * (self.count - 1) as f64).floor() as u64;
        let mut seen = 0u64;
        // Most negative first: the negative store in descending bucket order.
        for (i, &c) in self.negative.counts.iter().enumerate().rev() {
            seen += c;
            if seen > rank {
                let index = self.negative.offset + i as i64;
                return (-representative(index)).clamp(self.min, self.max);
            }
        }
        seen += self.zeros;
        if seen > rank {
            return 0.0f64.clamp(self.min, self.max);
        }
        for (i, &c) in self.positive.counts.iter().enumerate() {
            seen += c;
            if seen > rank {
                let index = self.positive.offset + i as i64;
                return representative(index).clamp(self.min, self.max);
            }
        }
        self.max
    }

    /// [`Sketch::quantile`] of whole-number data: a whole number, the order statistic's bucket
    /// narrowed to the whole numbers it holds by the rank within it. Bucket ends are whole
    /// numbers from 128 up and buckets below 128 are at most half a unit wide, so each bucket
    /// holds whole numbers of its own: one below 256, where the result is the exact order
    /// statistic (the smallest k with F(k) >= q), two from 256, four from 512 and so on, where
    /// the rank within the bucket picks one as if they were equally frequent. (The midpoint
    /// rounded, which this replaces, reported k + 1 for every k from 128 on.) A bucket holding
    /// no whole number (data that are not whole) gives its rounded midpoint.
    pub fn whole_quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return f64::NAN;
        }
        let rank = (q.clamp(0.0, 1.0) * (self.count - 1) as f64).floor() as u64;
        // The whole number at `within` of `count` places in bucket `index` (a magnitude
        // bucket [lo, hi): values in [lo, hi), or in (-hi, -lo] for the negative store).
        let pick = |index: i64, within: u64, count: u64, negative: bool| -> f64 {
            let (lo, hi) = (lower_bound(index), lower_bound(index + 1));
            let (first, last) = if negative {
                (-(hi.ceil() - 1.0), -lo.ceil())
            } else {
                (lo.ceil(), hi.ceil() - 1.0)
            };
            let value = if last < first {
                let mid = representative(index);
                if negative { -mid } else { mid }.round()
            } else {
                let n = last - first + 1.0;
                first + (within as f64 * n / count as f64).floor().min(n - 1.0)
            };
            value.clamp(self.min, self.max)
        };
        let mut seen = 0u64;
        for (i, &c) in self.negative.counts.iter().enumerate().rev() {
            if seen + c > rank {
                return pick(self.negative.offset + i as i64, rank - seen, c, true);
            }
            seen += c;
        }
        seen += self.zeros;
        if seen > rank {
            return 0.0f64.clamp(self.min, self.max);
        }
        for (i, &c) in self.positive.counts.iter().enumerate() {
            if seen + c > rank {
                return pick(self.positive.offset + i as i64, rank - seen, c, false);
            }
            seen += c;
        }
        self.max
    }

    /// The share of values at or below `x`, linear within the bucket that holds `x` (so within
    /// the sketch's relative accuracy of the exact empirical CDF); NaN when empty.
    pub fn cdf(&self, x: f64) -> f64 {
        if self.count == 0 || x.is_nan() {
            return f64::NAN;
        }
        if x < self.min {
            return 0.0;
        }
        if x >= self.max {
            return 1.0;
        }
        let mut below = 0.0;
        for (lo, hi, c) in self.buckets() {
            if x >= hi {
                below += c as f64;
            } else {
                if x >= lo && hi > lo {
                    below += c as f64 * (x - lo) / (hi - lo);
                }
                break;
            }
        }
        (below / self.count as f64).clamp(0.0, 1.0)
    }

    /// Every non-empty bucket in increasing order of value, as (lower end, upper end, count);
    /// exact zeros come as (0, 0, count). Ends are clamped to the exact minimum and maximum, so a
    /// histogram spread from these never leaves the range of the data.
    pub fn buckets(&self) -> Vec<(f64, f64, u64)> {
        let mut out = Vec::new();
        let clamp = |v: f64| v.clamp(self.min, self.max);
        for (i, &c) in self.negative.counts.iter().enumerate().rev() {
            if c > 0 {
                let index = self.negative.offset + i as i64;
                out.push((
                    clamp(-lower_bound(index + 1)),
                    clamp(-lower_bound(index)),
                    c,
                ));
            }
        }
        if self.zeros > 0 {
            out.push((0.0, 0.0, self.zeros));
        }
        for (i, &c) in self.positive.counts.iter().enumerate() {
            if c > 0 {
                let index = self.positive.offset + i as i64;
                out.push((clamp(lower_bound(index)), clamp(lower_bound(index + 1)), c));
            }
        }
        out
    }

    /// Checks a sketch read back from a file (a shard's `partial.json`): every bucket is one an
    /// f64 can fall in, the counts add up to the count without overflow, and the minimum and
    /// maximum are numbers in order (or absent for an empty sketch). The problem in words
    /// otherwise. A checked sketch merges in memory bounded by [`Sketch::bucket_spans`].
    pub fn check(&self) -> Result<(), &'static str> {
        let total = self
            .positive
            .checked_total()?
            .checked_add(self.negative.checked_total()?)
            .and_then(|t| t.checked_add(self.zeros))
            .ok_or("bucket counts overflow")?;
        if total != self.count {
            return Err("bucket counts do not add up to the count");
        }
        if self.count == 0 {
            return Ok(());
        }
        if self.min.is_nan() || self.max.is_nan() || self.min > self.max {
            return Err("minimum and maximum are not in order");
        }
        Ok(())
    }

    /// The first and last bucket index of the positive and of the negative values (None when
    /// there are none): what merging with this sketch makes room for.
    pub fn bucket_spans(&self) -> [Option<(i64, i64)>; 2] {
        [self.positive.span(), self.negative.span()]
    }

    /// Consistency check used by tests: bucket counts add up to the count.
    pub fn is_consistent(&self) -> bool {
        self.positive.total() + self.negative.total() + self.zeros == self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lanes' fold eight buckets a register (where the processor has AVX-512) against the
    /// sums written out: counts added, lanes cleared, for spans of every length modulo eight
    /// and counters up to the largest a lane can hold.
    #[test]
    fn folded_lanes_are_the_sums_of_each_buckets_counters() {
        let mut x = 0x0f01d_u64;
        for span in (0..40).chain([255, 1023]) {
            let mut lanes = [0u16; 4 * COUNT_LANE_BUCKETS];
            for (k, c) in lanes[..4 * span].iter_mut().enumerate() {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1442695040888963407);
                *c = match k % 5 {
                    0 => 16_387,
                    1 => 0,
                    _ => (x >> 50) as u16,
                };
            }
            let mut counts: Vec<u64> = (0..span as u64).map(|b| b * 1_000_003).collect();
            let expected: Vec<u64> = (0..span)
                .map(|b| {
                    counts[b]
                        + lanes[4 * b..4 * b + 4]
                            .iter()
                            .map(|&c| u64::from(c))
                            .sum::<u64>()
                })
                .collect();
            let done = wide::fold_lanes_if_available(&mut counts, &mut lanes);
            assert_eq!(done % 8, 0);
            assert_eq!(counts[..done], expected[..done], "span {span}");
            assert!(
                lanes[..4 * done].iter().all(|&c| c == 0),
                "span {span}: cleared"
            );
            assert!(lanes[4 * done..4 * span].iter().any(|&c| c != 0) || done == span);
        }
    }

    #[test]
    fn damaged_sketches_are_refused() {
        let mut s = Sketch::new();
        s.extend(&[f64::MIN_POSITIVE, 1.0, f64::MAX, -2.0, 0.0]);
        assert_eq!(s.check(), Ok(()));
        assert!(MIN_INDEX <= index_of(1e-300) && index_of_bits(u64::MAX) == MAX_INDEX);
        for offset in [
            1i64 << 62,
            2_000_000_000,
            -2_000_000_000,
            -(1 << 31),
            1 << 31,
        ] {
            let mut bad = s.clone();
            bad.positive.offset = offset;
            assert_eq!(bad.check(), Err("bucket index out of range"), "{offset}");
        }
        let mut bad = s.clone();
        bad.positive.counts[0] = u64::MAX;
        assert_eq!(bad.check(), Err("bucket counts overflow"));
        let mut bad = s.clone();
        bad.count += 1;
        assert_eq!(bad.check(), Err("bucket counts do not add up to the count"));
        let mut bad = s;
        bad.min = f64::NAN;
        assert_eq!(bad.check(), Err("minimum and maximum are not in order"));
        assert_eq!(Sketch::new().check(), Ok(()));
    }

    fn exact(sorted: &[f64], q: f64) -> f64 {
        sorted[(q * (sorted.len() - 1) as f64).floor() as usize]
    }

    #[test]
    fn quantiles_within_stated_relative_accuracy() {
        // A deterministic spread over many octaves and both signs.
        let values: Vec<f64> = (0..20_000)
            .map(|i| {
                let u = (i as f64 + 0.5) / 20_000.0;
                let x = (u * 40.0 - 20.0).exp() * if i % 3 == 0 { -1.0 } else { 1.0 };
                if i % 97 == 0 {
                    0.0
                } else {
                    x
                }
            })
            .collect();
        let mut sketch = Sketch::new();
        sketch.extend(&values);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for k in 0..=100 {
            let q = k as f64 / 100.0;
            let (got, want) = (sketch.quantile(q), exact(&sorted, q));
            assert!(
                (got - want).abs() <= RELATIVE_ACCURACY * want.abs() + 1e-300,
                "q={q}: got {got}, exact {want}"
            );
        }
        assert!(sketch.is_consistent());
    }

    #[test]
    fn extend_equals_adding_one_by_one() {
        let positive: Vec<f64> = (1..2000).map(|i| (i as f64 * 0.37).exp2() * 1e-3).collect();
        let negative: Vec<f64> = positive.iter().map(|v| -v * 3.3).collect();
        let mut mixed = positive.clone();
        mixed.extend(&negative);
        mixed.push(0.0);
        let mut with_nan = positive.clone();
        with_nan.insert(10, f64::NAN);
        with_nan.push(f64::INFINITY);
        let single = vec![42.0];
        for values in [&positive, &negative, &mixed, &with_nan, &single] {
            let mut fast = Sketch::new();
            // Two calls, so that the second grows a non-empty store.
            let (a, b) = values.split_at(values.len() / 2);
            fast.extend(b);
            fast.extend(a);
            let mut slow = Sketch::new();
            for &v in values.iter() {
                slow.add(v);
            }
            assert_eq!(fast, slow);
            assert!(fast.is_consistent());
        }
    }

    #[test]
    fn extend_scanned_equals_adding_one_by_one() {
        // Narrow ranges (the four-histogram path), a wide one (the plain path), both signs,
        // zeros, non-finite values and a short slice.
        let narrow: Vec<f64> = (0..1024)
            .map(|i| 100.0 + ((i * 7919) % 997) as f64 * 0.05)
            .collect();
        let narrow_negative: Vec<f64> = narrow.iter().map(|v| -v).collect();
        let wide: Vec<f64> = (1..1024).map(|i| (i as f64 * 0.37).exp2() * 1e-3).collect();
        let mut mixed = narrow.clone();
        mixed.extend(&narrow_negative);
        mixed.push(0.0);
        let mut with_nan = narrow.clone();
        with_nan.insert(10, f64::NAN);
        let with_infinity: Vec<f64> = narrow.iter().map(|v| v * 1e306).collect();
        let short = vec![3.0, 3.01, 2.99];
        // Counts from 0: zeros (and a value below the zero threshold) among positives, narrow
        // and wide, and all zeros.
        let counts: Vec<f64> = (0..1024).map(|i| ((i * 7919) % 13) as f64).collect();
        let mut counts_wide = counts.clone();
        counts_wide[7] = 1e9;
        counts_wide[8] = 1e-310;
        let all_zero = vec![0.0; 100];
        // Both signs near zero (a growth rate, say), with +0, -0 and tiny values; and a mixed
        // row too wide for the histograms.
        let rates: Vec<f64> = (0..1024)
            .map(|i| match i % 97 {
                0 => 0.0,
                1 => -0.0,
                2 => -1e-301,
                _ => ((i * 7919) % 1001) as f64 * 0.01 - 3.0,
            })
            .collect();
        let negative_and_zero: Vec<f64> = (0..600).map(|i| -((i % 5) as f64)).collect();
        // Several hundred buckets (the histograms of up to 1,024 slots), without and with zeros.
        let medium: Vec<f64> = (0..2048)
            .map(|i| 1.0 + ((i * 7919) % 2039) as f64 * 0.01)
            .collect();
        let medium_counts: Vec<f64> = (0..2048).map(|i| ((i * 7919) % 40) as f64).collect();
        // A -0 after a +0 among positive values (a formula's 0 times a negative number), and
        // among zeros only: zeros, as `add` counts them.
        let signed_zeros = vec![0.0, -0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, -0.0, 0.0];
        let only_zeros = vec![0.0, -0.0, 0.0, -0.0, 1e-310, 0.0];
        let mut mixed_wide = wide.clone();
        mixed_wide.extend(wide.iter().map(|v| -v));
        // Halves of the most values the histograms take (u16::MAX), all in one bucket, and with
        // zeros: a bucket's four counters then add up to u16::MAX.
        let full = vec![7.0; 2 * u16::MAX as usize];
        let full_with_zeros: Vec<f64> = (0..2 * u16::MAX as usize)
            .map(|i| if i % 3 == 0 { 0.0 } else { 5.0 })
            .collect();
        for values in [
            &full,
            &full_with_zeros,
            &rates,
            &negative_and_zero,
            &medium,
            &medium_counts,
            &signed_zeros,
            &only_zeros,
            &mixed_wide,
            &narrow,
            &narrow_negative,
            &wide,
            &mixed,
            &with_nan,
            &with_infinity,
            &short,
            &counts,
            &counts_wide,
            &all_zero,
        ] {
            let mut fast = Sketch::new();
            let (a, b) = values.split_at(values.len() / 2);
            fast.extend_scanned(b, &ChunkScan::of(b));
            fast.extend_scanned(a, &ChunkScan::of(a));
            let mut slow = Sketch::new();
            for &v in values.iter() {
                slow.add(v);
            }
            assert_eq!(fast, slow);
            assert!(fast.is_consistent());
        }
    }

    #[test]
    fn integer_index_matches_the_log_linear_formula() {
        for i in 0..10_000 {
            let x = (i as f64 * 0.0137 - 60.0).exp2() * (1.0 + (i % 7) as f64 / 7.0);
            let bits = x.to_bits();
            let exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
            let mantissa = (bits & ((1u64 << 52) - 1)) as f64 / (1u64 << 52) as f64;
            let formula =
                exponent * BUCKETS_PER_OCTAVE + (mantissa * BUCKETS_PER_OCTAVE as f64) as i64;
            assert_eq!(index_of(x), formula, "x = {x}");
        }
    }

    #[test]
    fn a_cleared_sketch_refills_as_a_new_one() {
        // Rows whose ranges move down, up and across zero, so that the reused stores grow at
        // both ends (in place at the low end) and a copy takes both signs.
        let rows: Vec<Vec<f64>> = vec![
            (1..700).map(|i| 50.0 + i as f64 * 0.9).collect(),
            (1..400).map(|i| 0.01 * i as f64).collect(),
            (1..900).map(|i| 1e6 / i as f64).collect(),
            (0..300).map(|i| (i as f64 - 150.0) * 0.25).collect(),
        ];
        let mut reused = Sketch::new();
        for round in 0..3 {
            let mut fresh = Sketch::new();
            for row in rows.iter().cycle().skip(round).take(rows.len()) {
                fresh.extend(row);
                reused.extend(row);
            }
            assert_eq!(reused, fresh, "round {round}");
            let mut copy = Sketch::new();
            copy.extend(&[3.0, -4.0, 0.0]);
            copy.copy_from(&fresh);
            assert_eq!(copy, fresh);
            reused.clear();
            assert_eq!(reused, Sketch::new());
        }
    }

    #[test]
    fn merge_is_order_free() {
        let a: Vec<f64> = (1..500).map(|i| i as f64 * 1.7).collect();
        let b: Vec<f64> = (1..300).map(|i| -(i as f64) * 0.3).collect();
        let (mut x, mut y, mut sa, mut sb) =
            (Sketch::new(), Sketch::new(), Sketch::new(), Sketch::new());
        sa.extend(&a);
        sb.extend(&b);
        x.merge(&sa);
        x.merge(&sb);
        y.merge(&sb);
        y.merge(&sa);
        assert_eq!(x, y);
    }

    #[test]
    fn whole_quantiles_are_exact_order_statistics_below_256_and_in_the_bucket_above() {
        // Whole numbers 0..=1200, number k present (k % 7 + 1) times, some negative too.
        let mut values: Vec<f64> = Vec::new();
        for k in -300i32..=1200 {
            for _ in 0..(k.rem_euclid(7) + 1) {
                values.push(f64::from(k));
            }
        }
        let mut s = Sketch::new();
        s.extend(&values);
        values.sort_by(f64::total_cmp);
        for step in 0..=1000 {
            let q = f64::from(step) / 1000.0;
            let exact = values[(q * (values.len() - 1) as f64).floor() as usize];
            let got = s.whole_quantile(q);
            assert_eq!(got.fract(), 0.0, "q {q}: {got}");
            if exact.abs() < 256.0 {
                assert_eq!(got, exact, "q {q}");
            } else {
                // The bucket holding it: 2^(e - 7) whole numbers wide in octave [2^e, 2^(e+1)).
                let width = 2f64.powi(exact.abs().log2().floor() as i32 - 7);
                assert!((got - exact).abs() < width, "q {q}: {got} vs {exact}");
            }
        }
    }

    #[test]
    fn negative_zero_after_positive_zero() {
        for values in [
            vec![0.0, -0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            vec![0.0, -0.0, 0.0, -0.0, 0.0],
        ] {
            let mut fast = Sketch::new();
            fast.extend_scanned(&values, &ChunkScan::of(&values));
            let mut slow = Sketch::new();
            for &v in &values {
                slow.add(v);
            }
            assert_eq!(fast, slow, "{values:?}");
        }
    }
}
