//! Fast exact Poisson draws for `lambda < TABLE_LAMBDA_MAX`, by additivity and tables.
//!
//! `Poisson(lambda) = Poisson(l0) + Poisson(d)` for independent parts, with `l0 = floor(4
//! lambda) / 4` on a grid of step 1/4 and `d = lambda - l0` in `[0, 1/4)`. The first part is
//! drawn from a precomputed alias table of `Poisson(l0)` (Walker 1977, built by Vose's 1991
//! method): one uniform `u`, one table entry, no search: with `n` entries, `x = n u`, entry
//! `i = floor(x)` gives `i` if `x - i < prob[i]`, else `alias[i]` (skipped when `l0 = 0`). The
//! second part by inversion from 0 with one uniform, `exp(-d)` squeezed between Taylor sums
//! so that it is computed in about d^2/2 of draws (at most 3%).
//!
//! Each table covers `k` up to where the remaining mass is below 1e-18 (then renormalised).
//! The probabilities the tables encode agree with the exact Poisson pmf within 1e-13
//! (`tests/poisson_table.rs`), thresholds being kept to 2^-48 (4e-15); the entry index is
//! uniform within n 2^-64. The tables are built once per process (about 28,000 entries of 8
//! bytes).

use super::open_unit;
use rand::RngCore;
use std::sync::OnceLock;

/// Rates from here up use another method.
pub const TABLE_LAMBDA_MAX: f64 = 64.0;
/// Grid points per unit rate.
const GRID_PER_UNIT: f64 = 4.0;
/// Mass left out of the upper tail of a table.
const TAIL_MASS: f64 = 1e-18;

/// Low bits of an entry that hold the alias; the rest is the keep-threshold.
const ALIAS_BITS: u32 = 16;
const ALIAS_MASK: u64 = (1 << ALIAS_BITS) - 1;

/// Room for the entries of all tables (a power of two above the 27,000-odd they take).
const ENTRY_ROOM: usize = 1 << 15;

/// Number of grid rates `j / 4` with a table.
const TABLE_COUNT: usize = (TABLE_LAMBDA_MAX * GRID_PER_UNIT) as usize;

/// The alias tables of `Poisson(j / 4)`, `j = 0 .. 256`, concatenated: table `j` is
/// `entries[start ..][.. len]` with `start | len << 32 = start_len[j]`. An entry packs, for
/// index `i`, the probability of keeping `i` as a 64-bit fixed-point threshold (its low 16 bits
/// cleared) and, in those low bits, the alias taken otherwise: 8 bytes, so a table set stays
/// small in cache.
struct Tables {
    /// The entries, then zeros up to a power of two, so that an index masked to that size
    /// needs no bounds check in the draw loops (every index a draw forms is below the used
    /// length anyway).
    entries: Box<[u64; ENTRY_ROOM]>,
    /// `start | len << 32` of each table (as a [`PreparedRow`] holds it, so that eight can be
    /// gathered at once); a fixed-size array so that a grid index below [`TABLE_COUNT`] needs
    /// no bounds check.
    start_len: [u64; TABLE_COUNT],
}

impl Tables {
    /// (start, length) of table `j` (below [`TABLE_COUNT`]).
    #[inline(always)]
    fn span(&self, j: u32) -> (u32, u32) {
        let start_len = self.start_len[j as usize];
        (start_len as u32, (start_len >> 32) as u32)
    }
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut entries = Vec::new();
        let mut start_len = [0u64; TABLE_COUNT];
        for (j, slot) in start_len.iter_mut().enumerate() {
            let table = alias_table(&pmf_table(j as f64 / GRID_PER_UNIT));
            // About 28,000 entries in all: far inside u32.
            *slot = entries.len() as u64 | (table.len() as u64) << 32;
            entries.extend(table);
        }
        assert!(
            entries.len() <= ENTRY_ROOM,
            "room for every table's entries"
        );
        entries.resize(ENTRY_ROOM, 0);
        let entries = entries
            .into_boxed_slice()
            .try_into()
            .expect("entries padded to their room");
        Tables { entries, start_len }
    })
}

/// `P(X = k)` for `X ~ Poisson(lambda)`, `k = 0, 1, ...` until the rest is below
/// [`TAIL_MASS`].
fn pmf_table(lambda: f64) -> Vec<f64> {
    let mut pmf = (-lambda).exp();
    let mut table = vec![pmf];
    let mut k = 0.0;
    // The remaining mass after k (> lambda) is below pmf * (k + 1) / (k + 1 - lambda).
    while !(k > lambda && pmf * (k + 1.0) / (k + 1.0 - lambda) < TAIL_MASS) {
        k += 1.0;
        pmf *= lambda / k;
        table.push(pmf);
    }
    table
}

/// Vose's alias table for the (renormalised) probabilities `pmf`, packed (see [`Tables`]).
fn alias_table(pmf: &[f64]) -> Vec<u64> {
    let n = pmf.len();
    assert!(
        n <= ALIAS_MASK as usize,
        "alias table too long for its entries"
    );
    let total: f64 = pmf.iter().sum();
    let mut scaled: Vec<f64> = pmf.iter().map(|p| p * n as f64 / total).collect();
    // Every index keeps itself unless paired below.
    let mut entries: Vec<u64> = (0..n as u64).map(|i| !ALIAS_MASK | i).collect();
    let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| scaled[i] < 1.0);
    while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
        small.pop();
        // scaled[s] in [0, 1): the keep-threshold as a fraction of 2^64.
        let threshold = (scaled[s] * 18_446_744_073_709_551_616.0) as u64;
        entries[s] = (threshold & !ALIAS_MASK) | l as u64;
        scaled[l] = (scaled[l] + scaled[s]) - 1.0;
        if scaled[l] < 1.0 {
            large.pop();
            small.push(l);
        }
    }
    entries
}

/// The probabilities the alias table of `Poisson(lambda)` encodes, by `k` (for tests):
/// `P(k) = (keep[k] + sum of (1 - keep[i]) over entries i aliased to k) / n`.
pub fn tabulated_pmf(lambda: f64) -> Vec<f64> {
    let entries = alias_table(&pmf_table(lambda));
    let n = entries.len() as f64;
    let keep = |e: u64| (e & !ALIAS_MASK) as f64 / 18_446_744_073_709_551_616.0;
    let mut pmf: Vec<f64> = entries.iter().map(|&e| keep(e) / n).collect();
    for &e in &entries {
        pmf[(e & ALIAS_MASK) as usize] += (1.0 - keep(e)) / n;
    }
    pmf
}

/// A Poisson(`lambda`) draw for `0 <= lambda < TABLE_LAMBDA_MAX`, as an `f64`; two random
/// words (the first unused below 1/4, where the tabulated part is always 0).
#[inline]
pub fn sample<R: RngCore + ?Sized>(rng: &mut R, lambda: f64) -> f64 {
    Sampler::new().sample(rng, lambda)
}

/// The tables, looked up once for a row of draws ([`sample`] looks them up on every call).
#[derive(Clone, Copy)]
pub struct Sampler {
    tables: &'static Tables,
}

impl Default for Sampler {
    fn default() -> Self {
        Self::new()
    }
}

impl Sampler {
    /// The process's tables (built on first use).
    pub fn new() -> Self {
        Sampler { tables: tables() }
    }

    /// [`sample`] with these tables: the same draw.
    #[inline]
    pub fn sample<R: RngCore + ?Sized>(self, rng: &mut R, lambda: f64) -> f64 {
        let first = rng.next_u64();
        self.sample_words(lambda, first, rng.next_u64())
    }

    /// The draw for `0 <= lambda < TABLE_LAMBDA_MAX` from two random words: `first` picks the
    /// table entry and its coin (unused when `lambda < 1/4`), `second` is the uniform of the
    /// residual part. The same as [`Sampler::tabulated_part`] plus [`residual_part`].
    #[inline]
    pub fn sample_words(self, lambda: f64, first: u64, second: u64) -> f64 {
        debug_assert!((0.0..TABLE_LAMBDA_MAX).contains(&lambda));
        if lambda < 1.0 / GRID_PER_UNIT {
            // l0 = 0: the first part is always 0.
            return residual_part(lambda, second);
        }
        let (k, residual) = self.tabulated_part(lambda, first);
        k + residual_part(residual, second)
    }

    /// For `1/4 <= lambda < TABLE_LAMBDA_MAX`: the draw of the tabulated part `Poisson(l0)`
    /// from `first`, and the residual rate `lambda - l0`.
    #[inline(always)]
    pub fn tabulated_part(self, lambda: f64, first: u64) -> (f64, f64) {
        // Integer types are u32 throughout: their conversions to and from f64 are one
        // instruction each, where usize ones take several.
        let j = ((lambda * GRID_PER_UNIT) as u32).min(TABLE_COUNT as u32 - 1);
        let residual = (lambda - j as f64 / GRID_PER_UNIT).max(0.0);
        let (start, len) = self.tables.span(j);
        let k = alias_index(&self.tables.entries, start, len, first);
        (k as f64, residual)
    }
}

/// What a draw for one rate below [`TABLE_LAMBDA_MAX`] needs that depends on the rate alone
/// (its table, and the Taylor bounds of `exp(-d)` for its residual rate `d`, [`residual_part`]'s
/// squeeze), computed once for as long as a path's rate stays the same.
/// [`Sampler::sample_prepared`] then gives the draw of [`Sampler::sample_words`] bit for bit,
/// with about half its arithmetic.
///
/// The squeeze's bounds are held as positions of the residual's word: the uniform of a word is
/// `u = (m + 0.5) 2^-53` with `m` its high 53 bits ([`open_unit`]), non-decreasing in `m`, so
/// `u >= bound` exactly when `m` is at least the first position whose uniform reaches the bound
/// (`first_reaching`). A draw then compares integers and converts no word to a float unless
/// the squeeze does not decide it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PreparedTable {
    start: u32,
    len: u32,
    /// The residual rate `d` (for the draws the squeeze does not decide).
    residual: f64,
    /// The first positions whose uniform reaches the squeeze's bounds `lo`, `hi` and
    /// `lo (1 + d)`.
    lo_at: u64,
    hi_at: u64,
    lo_one_at: u64,
}

/// One past the largest position of a word's uniform (`m < 2^53`).
const POSITIONS: u64 = 1 << 53;

/// The uniform at position `m` ([`open_unit`] of a word whose high 53 bits are `m`; `m <=
/// 2^53`; through `i64`, whose conversion is one instruction where a `u64`'s is several).
#[inline(always)]
fn unit_at(m: u64) -> f64 {
    (m as i64 as f64 + 0.5) * (1.0 / POSITIONS as f64)
}

/// The least position `m` whose uniform [`unit_at`] is at least `bound` (not NaN), or `2^53`
/// when none is: as [`unit_at`] never decreases, `unit_at(m) >= bound` exactly when
/// `m >= first_reaching(bound)`.
#[inline(always)]
fn first_reaching(bound: f64) -> u64 {
    debug_assert!(!bound.is_nan(), "a bound to compare with");
    if bound > 0.5 && bound <= 1.0 {
        // The squeeze's bounds (all above 3/4): `B = bound 2^53` is a whole number in
        // (2^52, 2^53], and from 2^52 on `m + 0.5` rounds to the even one of `m` and `m + 1`,
        // so the least `m` with `m + (m & 1) >= B` is `B - 1` for an even `B` and `B` for an
        // odd one, `(B - 1) | 1` (below 2^52, `m + 0.5 < 2^52 < B`).
        return ((bound * POSITIONS as f64) as i64 as u64 - 1) | 1;
    }
    // `m <= (m + 0.5) rounded <= m + 1`, so the least position is within one of
    // `floor(bound 2^53)`: it is the first of the three from one below that reaches the bound
    // (the guess kept from 1 up so that one below is a position; at the top, position 2^53's
    // uniform is 1.0, as 2^53 - 1's is, so the count stops at 2^53 only for bounds above 1).
    let guess = (bound * POSITIONS as f64).clamp(1.0, POSITIONS as f64) as i64 as u64;
    let below = guess - 1;
    let m = below + u64::from(unit_at(below) < bound) + u64::from(unit_at(guess) < bound);
    m.min(POSITIONS)
}

impl PreparedTable {
    /// A valid prepared table that always draws 0 (rate 0's table, every position below the
    /// squeeze's bounds): what a row holds before its rates are prepared, and for rates PTRS
    /// draws.
    pub const ZERO: PreparedTable = PreparedTable {
        start: 0,
        len: 2,
        residual: 0.0,
        lo_at: POSITIONS,
        hi_at: POSITIONS,
        lo_one_at: POSITIONS,
    };
}

/// The prepared table draws of a row of paths, field by field, so that eight paths' fields are
/// one vector load each.
#[derive(Debug, Clone, Default)]
pub struct PreparedRow {
    /// `start | len << 32`.
    start_len: Vec<u64>,
    residual: Vec<f64>,
    lo_at: Vec<u64>,
    hi_at: Vec<u64>,
    lo_one_at: Vec<u64>,
}

impl PreparedRow {
    /// Room for `len` paths, each holding [`PreparedTable::ZERO`].
    pub fn new(len: usize) -> Self {
        let zero = PreparedTable::ZERO;
        PreparedRow {
            start_len: vec![u64::from(zero.start) | u64::from(zero.len) << 32; len],
            residual: vec![zero.residual; len],
            lo_at: vec![zero.lo_at; len],
            hi_at: vec![zero.hi_at; len],
            lo_one_at: vec![zero.lo_one_at; len],
        }
    }

    /// Path `p`'s preparation becomes `table`.
    #[inline(always)]
    pub fn set(&mut self, p: usize, table: PreparedTable) {
        self.start_len[p] = u64::from(table.start) | u64::from(table.len) << 32;
        self.residual[p] = table.residual;
        self.lo_at[p] = table.lo_at;
        self.hi_at[p] = table.hi_at;
        self.lo_one_at[p] = table.lo_one_at;
    }

    /// The preparations of paths `range`, in order (the fields' slices read side by side,
    /// without an index to check).
    #[inline(always)]
    pub fn tables(
        &self,
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = PreparedTable> + '_ {
        (self.start_len[range.clone()].iter())
            .zip(&self.residual[range.clone()])
            .zip(&self.lo_at[range.clone()])
            .zip(&self.hi_at[range.clone()])
            .zip(&self.lo_one_at[range])
            .map(
                |((((&start_len, &residual), &lo_at), &hi_at), &lo_one_at)| {
                    PreparedTable::from_fields(start_len, residual, lo_at, hi_at, lo_one_at)
                },
            )
    }

    /// Prepares paths `group` for their rates in `lambdas` as [`Sampler::prepare`] and
    /// [`PreparedRow::set`] do one by one, eight a register with AVX-512 when the processor has
    /// it (and the compiler could build it), if every rate is tabulated and every squeeze
    /// bound of the eight is in (1/2, 1] (nearly always: a rate on the grid has its upper bound
    /// just above 1) and every path is within the row and `lambdas`: whether it did; when not,
    /// nothing is written and the caller prepares them one by one.
    pub fn prepare_eight(&mut self, sampler: Sampler, lambdas: &[f64], group: &[u32; 8]) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            avx512::prepare_eight_if_available(sampler, self, lambdas, group)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (sampler, lambdas, group);
            false
        }
    }

    /// Path `p`'s preparation.
    #[inline(always)]
    pub fn get(&self, p: usize) -> PreparedTable {
        PreparedTable::from_fields(
            self.start_len[p],
            self.residual[p],
            self.lo_at[p],
            self.hi_at[p],
            self.lo_one_at[p],
        )
    }
}

impl PreparedTable {
    /// The preparation a [`PreparedRow`] holds as these fields (`start | len << 32` first).
    #[inline(always)]
    fn from_fields(start_len: u64, residual: f64, lo_at: u64, hi_at: u64, lo_one_at: u64) -> Self {
        PreparedTable {
            start: start_len as u32,
            len: (start_len >> 32) as u32,
            residual,
            lo_at,
            hi_at,
            lo_one_at,
        }
    }
}

impl Sampler {
    /// `lambda` (in `[0, TABLE_LAMBDA_MAX)`) prepared for [`Sampler::sample_prepared`].
    pub fn prepare(self, lambda: f64) -> PreparedTable {
        let j = ((lambda * GRID_PER_UNIT) as u32).min(TABLE_COUNT as u32 - 1);
        let residual = (lambda - j as f64 / GRID_PER_UNIT).max(0.0);
        let (start, len) = self.tables.span(j);
        let (lo, hi) = taylor_bounds(residual);
        PreparedTable {
            start,
            len,
            residual,
            lo_at: first_reaching(lo),
            hi_at: first_reaching(hi),
            lo_one_at: first_reaching(lo * (1.0 + residual)),
        }
    }

    /// The draw of [`Sampler::sample_words`] for the rate `table` was prepared from.
    #[inline(always)]
    pub fn sample_prepared(self, table: &PreparedTable, first: u64, second: u64) -> f64 {
        let k = alias_index(&self.tables.entries, table.start, table.len, first);
        // [`small`]'s squeeze on the word's position rather than its uniform: the same
        // decisions (see [`PreparedTable`]).
        let m = second >> 11;
        let undecided = (m >= table.lo_at) & (m < table.hi_at);
        if (m < table.lo_one_at) & !undecided {
            // `k + 1.0` in floats is `(k + 1) as f64`: both exact.
            return (k + u32::from(m >= table.hi_at)) as f64;
        }
        k as f64 + small_exact(open_unit(second), table.residual)
    }
}

/// The table draws of whole groups of eight of the first `rows` paths of `row`, eight a
/// register with AVX-512 when the processor has it (and the compiler could build it): for each
/// path `p` from 0, `out[p] = base[p] + ` [`Sampler::sample_prepared`]`(row.get(p), words[2 p],
/// words[2 p + 1])` (`base` zeros when `None`), the same values bit for bit. Returns the number
/// of paths drawn (a multiple of eight, 0 without AVX-512); the rest are the caller's.
/// `scratch` (room for a path each) lists the draws the squeeze leaves undecided, made one by
/// one after the rest.
pub fn add_table_draws_wide(
    sampler: Sampler,
    row: &PreparedRow,
    rows: usize,
    words: &[u64],
    base: Option<&[f64]>,
    out: &mut [f64],
    scratch: &mut [u32],
) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        avx512::add_table_draws_if_available(sampler, row, rows, words, base, out, scratch)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (sampler, row, rows, words, base, out, scratch);
        0
    }
}

/// The AVX-512 form of [`add_table_draws_wide`], built by compilers from Rust 1.89 (whose
/// AVX-512 intrinsics it uses).
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{PreparedRow, Sampler};

    /// [`PreparedRow::prepare_eight`] where the processor has AVX-512F and DQ.
    #[rustversion::since(1.89)]
    pub(super) fn prepare_eight_if_available(
        sampler: Sampler,
        row: &mut PreparedRow,
        lambdas: &[f64],
        group: &[u32; 8],
    ) -> bool {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq")
        {
            // SAFETY: the processor has AVX-512F and DQ, the features the function is compiled
            // for.
            return unsafe { prepare_eight(sampler, row, lambdas, group) };
        }
        false
    }

    /// Without a compiler that builds the AVX-512 form: nothing prepared.
    #[rustversion::before(1.89)]
    pub(super) fn prepare_eight_if_available(
        _sampler: Sampler,
        _row: &mut PreparedRow,
        _lambdas: &[f64],
        _group: &[u32; 8],
    ) -> bool {
        false
    }

    /// The operations of [`Sampler::prepare`] (with [`super::taylor_bounds`] and the first case
    /// of [`super::first_reaching`]) in each lane, in the same order (no fused multiply-add:
    /// each lane rounds as the scalar code does); the eight preparations scattered into the
    /// row's fields in lane order, as eight calls of [`PreparedRow::set`] in turn would write
    /// them (a repeated path keeps its last lane's).
    ///
    /// # Safety
    /// The processor must have AVX-512F and DQ.
    #[rustversion::since(1.89)]
    #[target_feature(enable = "avx512f,avx512dq")]
    unsafe fn prepare_eight(
        sampler: Sampler,
        row: &mut PreparedRow,
        lambdas: &[f64],
        group: &[u32; 8],
    ) -> bool {
        use super::{GRID_PER_UNIT, MARGIN, POSITIONS, TABLE_COUNT, TABLE_LAMBDA_MAX};
        use std::arch::x86_64::*;
        // Every path within `lambdas` and the row: the gathers and scatters stay inside them.
        let rows = lambdas
            .len()
            .min(row.start_len.len())
            .min(row.residual.len())
            .min(row.lo_at.len())
            .min(row.hi_at.len())
            .min(row.lo_one_at.len());
        if group.iter().any(|&p| p as usize >= rows) {
            return false;
        }
        // SAFETY: `group` is eight u32 (32 bytes) of readable memory; an unaligned load.
        let index = unsafe { _mm256_loadu_si256(group.as_ptr().cast()) };
        // SAFETY: every index is below `lambdas.len()` (checked above).
        let lambda = unsafe { _mm512_i32gather_pd::<8>(index, lambdas.as_ptr().cast()) };
        let (zero, one) = (_mm512_setzero_pd(), _mm512_set1_pd(1.0));
        // Tabulated: `(0.0..TABLE_LAMBDA_MAX).contains` (false for a NaN).
        let tabulated = _mm512_cmp_pd_mask::<_CMP_GE_OQ>(lambda, zero)
            & _mm512_cmp_pd_mask::<_CMP_LT_OQ>(lambda, _mm512_set1_pd(TABLE_LAMBDA_MAX));
        if tabulated != 0xff {
            return false;
        }
        // The grid index: `lambda * 4` is in [0, 256) here, so the truncation to u32 is the
        // scalar `as u32`.
        let grid = _mm512_set1_pd(GRID_PER_UNIT);
        let j = _mm256_min_epu32(
            _mm512_cvttpd_epu32(_mm512_mul_pd(lambda, grid)),
            _mm256_set1_epi32(TABLE_COUNT as i32 - 1),
        );
        // The residual: `lambda - j / 4`, at least +0 (never a NaN or a -0 here, so
        // `vmaxpd` is `f64::max`).
        let residual = _mm512_max_pd(
            _mm512_sub_pd(lambda, _mm512_div_pd(_mm512_cvtepu32_pd(j), grid)),
            zero,
        );
        // SAFETY: every grid index is below TABLE_COUNT, the table's length.
        let start_len =
            unsafe { _mm512_i32gather_epi64::<8>(j, sampler.tables.start_len.as_ptr().cast()) };
        // `taylor_bounds`, operation by operation.
        let d = residual;
        let d2 = _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(0.5), d), d);
        let hi = _mm512_add_pd(
            _mm512_add_pd(_mm512_sub_pd(one, d), d2),
            _mm512_set1_pd(MARGIN),
        );
        let lo = _mm512_sub_pd(
            _mm512_sub_pd(
                hi,
                _mm512_mul_pd(_mm512_mul_pd(d2, d), _mm512_set1_pd(1.0 / 3.0)),
            ),
            _mm512_set1_pd(2.0 * MARGIN),
        );
        let lo_one = _mm512_mul_pd(lo, _mm512_add_pd(one, residual));
        // `first_reaching`'s first case, `0.5 < bound <= 1.0`, for all three bounds.
        let half = _mm512_set1_pd(0.5);
        let mut in_range = 0xffu8;
        for bound in [lo, hi, lo_one] {
            in_range &= _mm512_cmp_pd_mask::<_CMP_GT_OQ>(bound, half)
                & _mm512_cmp_pd_mask::<_CMP_LE_OQ>(bound, one);
        }
        if in_range != 0xff {
            return false;
        }
        // `((bound * 2^53) as i64 as u64 - 1) | 1`: the product is in (2^52, 2^53].
        let positions = _mm512_set1_pd(POSITIONS as f64);
        let unit = _mm512_set1_epi64(1);
        let [lo_at, hi_at, lo_one_at] = [lo, hi, lo_one].map(|bound| {
            _mm512_or_si512(
                _mm512_sub_epi64(_mm512_cvttpd_epi64(_mm512_mul_pd(bound, positions)), unit),
                unit,
            )
        });
        // SAFETY: every index is below each field's length (checked above); scatters write in
        // lane order.
        unsafe {
            _mm512_i32scatter_epi64::<8>(row.start_len.as_mut_ptr().cast(), index, start_len);
            _mm512_i32scatter_pd::<8>(row.residual.as_mut_ptr().cast(), index, residual);
            _mm512_i32scatter_epi64::<8>(row.lo_at.as_mut_ptr().cast(), index, lo_at);
            _mm512_i32scatter_epi64::<8>(row.hi_at.as_mut_ptr().cast(), index, hi_at);
            _mm512_i32scatter_epi64::<8>(row.lo_one_at.as_mut_ptr().cast(), index, lo_one_at);
        }
        true
    }

    /// [`super::add_table_draws_wide`] where the processor has AVX-512F, DQ and VL.
    #[rustversion::since(1.89)]
    pub(super) fn add_table_draws_if_available(
        sampler: Sampler,
        row: &PreparedRow,
        rows: usize,
        words: &[u64],
        base: Option<&[f64]>,
        out: &mut [f64],
        scratch: &mut [u32],
    ) -> usize {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("avx512vl")
        {
            // SAFETY: the processor has AVX-512F, DQ and VL, the features the function is
            // compiled for.
            return unsafe { add_table_draws(sampler, row, rows, words, base, out, scratch) };
        }
        0
    }

    /// Without a compiler that builds the AVX-512 form: no draw made.
    #[rustversion::before(1.89)]
    pub(super) fn add_table_draws_if_available(
        _sampler: Sampler,
        _row: &PreparedRow,
        _rows: usize,
        _words: &[u64],
        _base: Option<&[f64]>,
        _out: &mut [f64],
        _scratch: &mut [u32],
    ) -> usize {
        0
    }

    /// Eight draws a register: the operations of [`Sampler::sample_prepared`] in each lane.
    /// The alias index's 128-bit product is formed from 32-bit halves (`len` is below 2^16);
    /// the draws the squeeze does not decide (about d^2 / 2 of them) are listed in `scratch`
    /// and made one by one after the loop (a branch in the loop, taken at random, would stop
    /// the processor from overlapping one group's gathers with the next's).
    ///
    /// # Safety
    /// The processor must have AVX-512F, DQ and VL.
    #[rustversion::since(1.89)]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl")]
    unsafe fn add_table_draws(
        sampler: Sampler,
        row: &PreparedRow,
        rows: usize,
        words: &[u64],
        base: Option<&[f64]>,
        out: &mut [f64],
        scratch: &mut [u32],
    ) -> usize {
        use std::arch::x86_64::*;
        let n = rows
            .min(row.start_len.len())
            .min(words.len() / 2)
            .min(out.len())
            / 8
            * 8;
        if let Some(base) = base {
            assert!(base.len() >= n, "a base value for every draw");
        }
        assert!(scratch.len() >= n, "room to list every draw");
        let mut undecided_count = 0;
        let entries = sampler.tables.entries.as_ptr();
        let lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
        let even = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0);
        let odd = _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1);
        let low32 = _mm512_set1_epi64(0xffff_ffff);
        let one = _mm512_set1_epi64(1);
        for group in (0..n).step_by(8) {
            // SAFETY (loads and the gather): `group + 8 <= n`, so the 16 words from `2 group`
            // and the base values from `group` are in their slices; an entry index is masked to
            // the entries' room.
            let (first, second) = unsafe {
                let a = _mm512_loadu_si512(words.as_ptr().add(2 * group).cast());
                let b = _mm512_loadu_si512(words.as_ptr().add(2 * group + 8).cast());
                (
                    _mm512_permutex2var_epi64(a, even, b),
                    _mm512_permutex2var_epi64(a, odd, b),
                )
            };
            // SAFETY: `group + 8 <= n`, within every field's vector.
            let field = |v: &[u64]| unsafe { _mm512_loadu_si512(v.as_ptr().add(group).cast()) };
            let start_len = field(&row.start_len);
            let lo_at = field(&row.lo_at);
            let hi_at = field(&row.hi_at);
            let lo_one_at = field(&row.lo_one_at);
            let start = _mm512_and_si512(start_len, low32);
            let len = _mm512_srli_epi64::<32>(start_len);
            // first * len = (a 2^32 + b) len: high word (a len + (b len >> 32)) >> 32, low word
            // (a len << 32) + b len (a len below 2^48, b len's high part below 2^16).
            let a_len = _mm512_mul_epu32(_mm512_srli_epi64::<32>(first), len);
            let b_len = _mm512_mul_epu32(first, len);
            let i =
                _mm512_srli_epi64::<32>(_mm512_add_epi64(a_len, _mm512_srli_epi64::<32>(b_len)));
            let coin = _mm512_add_epi64(_mm512_slli_epi64::<32>(a_len), b_len);
            let index = _mm512_and_si512(
                _mm512_add_epi64(start, i),
                _mm512_set1_epi64((super::ENTRY_ROOM - 1) as i64),
            );
            let entry = unsafe { _mm512_i64gather_epi64::<8>(index, entries.cast()) };
            let keep = _mm512_cmplt_epu64_mask(
                coin,
                _mm512_andnot_si512(_mm512_set1_epi64(super::ALIAS_MASK as i64), entry),
            );
            let alias = _mm512_and_si512(entry, _mm512_set1_epi64(super::ALIAS_MASK as i64));
            let k = _mm512_mask_blend_epi64(keep, alias, i);
            // The squeeze on the second word's position.
            let m = _mm512_srli_epi64::<11>(second);
            let undecided = _mm512_cmpge_epu64_mask(m, lo_at) & _mm512_cmplt_epu64_mask(m, hi_at);
            let decided = _mm512_cmplt_epu64_mask(m, lo_one_at) & !undecided;
            let k = _mm512_mask_add_epi64(k, _mm512_cmpge_epu64_mask(m, hi_at), k, one);
            let draw = _mm512_cvtepu64_pd(k);
            let sum = match base {
                Some(base) => {
                    _mm512_add_pd(unsafe { _mm512_loadu_pd(base.as_ptr().add(group)) }, draw)
                }
                None => _mm512_add_pd(_mm512_setzero_pd(), draw),
            };
            // SAFETY: `out` has room for the eight draws from `group`.
            unsafe { _mm512_storeu_pd(out.as_mut_ptr().add(group), sum) };
            // The undecided lanes' paths, packed into the list (`undecided_count + 8 <= n`
            // while groups remain, as at most one per path seen is listed).
            let paths =
                _mm512_cvtepi64_epi32(_mm512_add_epi64(_mm512_set1_epi64(group as i64), lane));
            // SAFETY: `undecided_count + 8 <= group + 8 <= n <= scratch.len()`.
            unsafe {
                _mm256_mask_compressstoreu_epi32(
                    scratch.as_mut_ptr().add(undecided_count).cast(),
                    !decided,
                    paths,
                )
            };
            undecided_count += (!decided).count_ones() as usize;
        }
        for &p in &scratch[..undecided_count] {
            let p = p as usize;
            let b = base.map_or(0.0, |base| base[p]);
            out[p] = b + sampler.sample_prepared(&row.get(p), words[2 * p], words[2 * p + 1]);
        }
        n
    }
}

/// The index an alias table of `len` entries at `start` gives for the word `word`: 64 random
/// bits times `len`, the high word the entry (below `len`, as `word < 2^64`), the low word its
/// coin.
#[inline(always)]
fn alias_index(entries: &[u64; ENTRY_ROOM], start: u32, len: u32, word: u64) -> u32 {
    let product = word as u128 * len as u128;
    let i = (product >> 64) as u32;
    let entry = entries[(start + i) as usize & (ENTRY_ROOM - 1)];
    if (product as u64) < (entry & !ALIAS_MASK) {
        i
    } else {
        (entry & ALIAS_MASK) as u32
    }
}

/// The draw of `Poisson(d)`, `0 <= d < 1/4`, from the word `second` (the residual part of
/// [`Sampler::sample_words`]).
#[inline(always)]
pub fn residual_part(d: f64, second: u64) -> f64 {
    small(open_unit(second), d)
}

/// Poisson(`d`) for `0 <= d < 1/4` by inversion from 0. `exp(-d)` is squeezed between its
/// alternating Taylor sums `lo = 1 - d + d^2/2 - d^3/6` and `hi = 1 - d + d^2/2` (less and
/// more a margin of 1e-15 for rounding), so `P(X = 0)` and `P(X <= 1) = exp(-d) (1 + d)` are
/// decided without `exp` except in bands of width below 3e-3.
#[inline]
fn small(u: f64, d: f64) -> f64 {
    let (lo, hi) = taylor_bounds(d);
    // 0 below `lo`, 1 from `hi` to `lo (1 + d)`: one branch that is rarely not taken (about
    // d^2 / 2 of draws), the 0-or-1 choice itself without a branch.
    let undecided = (u >= lo) & (u < hi);
    if (u < lo * (1.0 + d)) & !undecided {
        return (u >= hi) as u8 as f64;
    }
    small_exact(u, d)
}

/// How far [`taylor_bounds`] widens the Taylor polynomial's bounds of `exp(-d)` (against its
/// rounding).
const MARGIN: f64 = 1e-15;

/// The bounds `(lo, hi)` of `exp(-d)` that [`small`] uses.
#[inline(always)]
fn taylor_bounds(d: f64) -> (f64, f64) {
    let d2 = 0.5 * d * d;
    let hi = 1.0 - d + d2 + MARGIN;
    // `* (1/3)` rather than `/ 3`: within an ulp, far inside MARGIN, and no division.
    let lo = hi - d2 * d * (1.0 / 3.0) - 2.0 * MARGIN;
    (lo, hi)
}

/// [`small`] where the Taylor bounds do not decide: inversion with `exp`.
#[cold]
#[inline(never)]
fn small_exact(u: f64, d: f64) -> f64 {
    let mut pmf = (-d).exp();
    let mut cum = pmf;
    let mut k = 0.0;
    // For d < 1/4 the mass beyond k = 30 is far below 2^-53.
    while u >= cum && k < 30.0 {
        k += 1.0;
        pmf *= d / k;
        cum += pmf;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether this build has the AVX-512 forms (compilers from Rust 1.89).
    #[rustversion::since(1.89)]
    fn built_with_avx512() -> bool {
        true
    }

    /// Without the AVX-512 forms.
    #[rustversion::before(1.89)]
    fn built_with_avx512() -> bool {
        false
    }

    /// Eight paths prepared at once against the same paths prepared one by one: the same
    /// fields bit for bit when it prepares them, nothing written when it declines (a rate from
    /// 64, negative or NaN, a rate on the grid, whose upper bound is above 1, a path beyond the
    /// rows), and a repeated path keeps its last preparation.
    #[test]
    fn eight_preparations_are_the_ones_made_one_by_one() {
        let sampler = Sampler::new();
        let rows = 64;
        let mut x = 0x0dd_ba11_u64;
        let mut next = move || {
            x = crate::engine::rng::mix(x);
            x
        };
        let mut prepared_at_once = 0;
        for case in 0..3000 {
            let lambdas: Vec<f64> = (0..rows)
                .map(|_| {
                    let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
                    match next() % 40 {
                        0 => f64::NAN,
                        1 => -1.0,
                        2 => 64.0 + u,
                        3 => (next() % 256) as f64 / 4.0,
                        4 => 0.0,
                        5 => 1e-300,
                        6 => TABLE_LAMBDA_MAX * (1.0 - 1e-16),
                        _ => u * TABLE_LAMBDA_MAX,
                    }
                })
                .collect();
            let mut group = [0u32; 8];
            for p in &mut group {
                *p = (next() % rows as u64) as u32;
            }
            if case % 10 == 0 {
                group[3] = group[6];
            }
            if case % 97 == 0 {
                group[5] = rows as u32;
            }
            let mut at_once = PreparedRow::new(rows);
            let mut one_by_one = PreparedRow::new(rows);
            let before: Vec<PreparedTable> = (0..rows).map(|p| at_once.get(p)).collect();
            if at_once.prepare_eight(sampler, &lambdas, &group) {
                prepared_at_once += 1;
                for &p in &group {
                    one_by_one.set(p as usize, sampler.prepare(lambdas[p as usize]));
                }
                for p in 0..rows {
                    assert_eq!(at_once.get(p), one_by_one.get(p), "case {case}, path {p}");
                }
            } else {
                for (p, &held) in before.iter().enumerate() {
                    assert_eq!(at_once.get(p), held, "case {case}: written");
                }
            }
        }
        #[cfg(target_arch = "x86_64")]
        if built_with_avx512()
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq")
        {
            // About a third of the groups have no declined rate.
            assert!(
                prepared_at_once > 500,
                "{prepared_at_once} groups prepared at once"
            );
        }
        let _ = prepared_at_once;
    }

    /// A row holding `tables` (and room for a few paths more, which the draws must not read).
    fn row_of(tables: &[PreparedTable]) -> PreparedRow {
        let mut row = PreparedRow::new(tables.len() + 9);
        for (p, &table) in tables.iter().enumerate() {
            row.set(p, table);
            assert_eq!(row.get(p), table);
        }
        row
    }

    /// The draws eight a register (where the processor has AVX-512) against the prepared
    /// draws one by one, onto a base row and alone, for rows of every length modulo eight:
    /// rates on and off the grid, near 0 and 64; second words in the squeeze's undecided band
    /// and above it as well as at random.
    #[test]
    fn wide_table_draws_are_the_prepared_draws() {
        let sampler = Sampler::new();
        let mut x = 0x5eed_u64;
        let mut next = move || {
            x = crate::engine::rng::mix(x);
            x
        };
        for len in (0..24).chain([255, 1024, 1031]) {
            let tables: Vec<PreparedTable> = (0..len)
                .map(|p| {
                    let lambda = match p % 6 {
                        0 => (p as f64 * 0.25) % 64.0,
                        1 => 63.999_999,
                        2 => 1e-300,
                        _ => (next() % 64_000) as f64 / 1000.0,
                    };
                    sampler.prepare(lambda)
                })
                .collect();
            let mut words: Vec<u64> = (0..2 * len).map(|_| next()).collect();
            for (p, table) in tables.iter().enumerate() {
                // A second word whose position is in the undecided band or past `lo (1 + d)`.
                let (lo, hi) = (table.lo_at.min(table.hi_at), table.hi_at.max(table.lo_at));
                let m = match p % 4 {
                    0 if hi > lo => lo + next() % (hi - lo),
                    1 => table.lo_one_at.min(POSITIONS - 1),
                    _ => continue,
                };
                words[2 * p + 1] = (m << 11) | (next() & 0x7ff);
            }
            let base: Vec<f64> = (0..len).map(|p| (p % 5) as f64 * 1e3 + 0.5).collect();
            for base in [None, Some(&base[..])] {
                let mut wide = vec![f64::NAN; len];
                let done = add_table_draws_wide(
                    sampler,
                    &row_of(&tables),
                    len,
                    &words,
                    base,
                    &mut wide,
                    &mut vec![0; len],
                );
                assert!(done <= len && done % 8 == 0, "len {len}: {done}");
                for p in 0..done {
                    let one = base.map_or(0.0, |b| b[p])
                        + sampler.sample_prepared(&tables[p], words[2 * p], words[2 * p + 1]);
                    assert_eq!(wide[p].to_bits(), one.to_bits(), "len {len}, path {p}");
                }
                assert!(
                    wide[done..].iter().all(|v| v.is_nan()),
                    "the rest left alone"
                );
            }
        }
        // First words whose coin equals its entry's keep-threshold exactly (which keeps the
        // alias): for a table of 2^k entries, word = (i 2^64 + threshold) / 2^k is whole.
        let mut tables = Vec::new();
        let mut words = Vec::new();
        for j in 0..TABLE_COUNT {
            let table = sampler.prepare(j as f64 / GRID_PER_UNIT);
            if table.len < 4 || !table.len.is_power_of_two() {
                continue;
            }
            for i in 0..table.len {
                let entry = sampler.tables.entries[(table.start + i) as usize];
                let word = ((u128::from(i) << 64) | u128::from(entry & !ALIAS_MASK))
                    / u128::from(table.len);
                tables.push(table);
                words.extend([word as u64, next()]);
            }
        }
        assert!(
            tables.len() >= 64,
            "tables of 2^k entries: {}",
            tables.len()
        );
        let mut wide = vec![f64::NAN; tables.len()];
        let rows = tables.len();
        let done = add_table_draws_wide(
            sampler,
            &row_of(&tables),
            rows,
            &words,
            None,
            &mut wide,
            &mut vec![0; rows],
        );
        for p in 0..done {
            let one = sampler.sample_prepared(&tables[p], words[2 * p], words[2 * p + 1]);
            assert_eq!(
                wide[p].to_bits(),
                one.to_bits(),
                "coin at the threshold, path {p}"
            );
        }
    }

    #[test]
    fn prepared_draws_are_the_draws_from_words() {
        let sampler = Sampler::new();
        // Rates on and off the grid, below 1/4 (the table of 0), near 64; words spread and at
        // both ends (the residual's undecided band and its exact branch).
        let mut rates: Vec<f64> = (0..640).map(|i| i as f64 * 0.1 + 0.003).collect();
        rates.extend([0.0, 1e-300, 0.2499, 0.25, 2.0, 63.75, 63.999_999]);
        let mut word = 0x9E37_79B9_7F4A_7C15u64;
        for &lambda in &rates {
            let table = sampler.prepare(lambda);
            for step in 0..200u64 {
                word = word
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(step | 1);
                let second = match step % 5 {
                    0 => u64::MAX - step,
                    1 => step,
                    _ => word.rotate_left(17),
                };
                assert_eq!(
                    sampler.sample_prepared(&table, word, second),
                    sampler.sample_words(lambda, word, second),
                    "rate {lambda}, words {word} {second}"
                );
            }
        }
        assert_eq!(sampler.prepare(0.0).start, PreparedTable::ZERO.start);
        assert_eq!(sampler.prepare(0.0).len, PreparedTable::ZERO.len);
        for second in [0, 1 << 11, u64::MAX / 2, u64::MAX] {
            for first in [0, u64::MAX / 3, u64::MAX] {
                assert_eq!(
                    sampler.sample_prepared(&PreparedTable::ZERO, first, second),
                    0.0
                );
            }
        }
    }

    #[test]
    fn squeeze_positions_decide_as_the_uniforms_do() {
        // Around each position the bounds give, and at the ends: the position test and the
        // uniform test agree, and the draws are those from words, in the band's every case.
        let sampler = Sampler::new();
        let mut rates: Vec<f64> = (0..256).map(|j| j as f64 / 4.0 + 0.249_9).collect();
        rates.extend([0.0, 1e-300, 0.05, 0.1, 0.2, 0.25, 31.9, 63.999_999]);
        for &lambda in &rates {
            let table = sampler.prepare(lambda);
            let (lo, hi) = taylor_bounds(table.residual);
            let lo_one = lo * (1.0 + table.residual);
            for (bound, at) in [
                (lo, table.lo_at),
                (hi, table.hi_at),
                (lo_one, table.lo_one_at),
            ] {
                assert!(at == POSITIONS || unit_at(at) >= bound, "rate {lambda}");
                assert!(at == 0 || unit_at(at - 1) < bound, "rate {lambda}");
                for m in at.saturating_sub(3)..(at + 3).min(POSITIONS) {
                    assert_eq!(m >= at, unit_at(m) >= bound, "rate {lambda}, position {m}");
                    for low_bits in [0u64, 0x7ff] {
                        let second = m << 11 | low_bits;
                        for first in [0u64, 0x5555_5555_5555_5555, u64::MAX] {
                            assert_eq!(
                                sampler.sample_prepared(&table, first, second),
                                sampler.sample_words(lambda, first, second),
                                "rate {lambda}, words {first} {second}"
                            );
                        }
                    }
                }
            }
        }
        // Bounds anywhere, including below 1/2 (where `m + 0.5` is exact) and between a
        // position's uniform and the next: the least position, by its definition.
        let mut word = 0x2545_F491_4F6C_DD1Du64;
        for step in 0..100_000u64 {
            word ^= word << 13;
            word ^= word >> 7;
            word ^= word << 17;
            let bound = match step % 4 {
                0 => (word >> 11) as f64 / POSITIONS as f64 * 1.01,
                1 => unit_at(word >> 11),
                2 => unit_at(word >> 11) + f64::EPSILON / 4.0,
                _ => (word >> 11) as f64 * 2f64.powi(-60 - (step % 200) as i32),
            };
            let at = first_reaching(bound);
            assert!(at == POSITIONS || unit_at(at) >= bound, "bound {bound}");
            assert!(at == 0 || unit_at(at - 1) < bound, "bound {bound}");
        }
        assert_eq!(first_reaching(0.0), 0);
        assert_eq!(first_reaching(-1.0), 0);
        assert_eq!(first_reaching(unit_at(0)), 0);
        assert_eq!(first_reaching(1.0), POSITIONS - 1);
        assert_eq!(first_reaching(1.0 + 1e-15), POSITIONS);
    }
}
