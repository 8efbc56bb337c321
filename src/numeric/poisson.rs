//! Exact Poisson draws: alias tables by additivity for small rates ([`super::poisson_table`]),
//! Hörmann's PTRS (1993) above, with the log-pmf in the saddle-point form of Loader (2000).
//! Every draw starts from two random words (given by the caller, so that a row of draws can
//! take its words from the generator in one vectorised block).

use super::beta::stirling_remainder;
use super::normal::LN_SQRT_2PI;
use super::poisson_table::{
    add_table_draws_wide, PreparedRow, PreparedTable, Sampler, TABLE_LAMBDA_MAX,
};
use rand::Rng;

/// `ln k!` for `k = 0..10`.
#[allow(clippy::excessive_precision)]
const LN_FACTORIAL: [f64; 10] = [
    0.0,
    0.0,
    std::f64::consts::LN_2,
    1.791_759_469_228_055_000_812,
    3.178_053_830_347_945_619_647,
    4.787_491_742_782_045_994_248,
    6.579_251_212_010_100_995_060,
    8.525_161_361_065_414_300_166,
    10.604_602_902_745_250_228_417,
    12.801_827_480_081_469_611_207,
];

/// `ln P(X = k)` for `X ~ Poisson(lambda)`, `k >= 0` an integer.
///
/// For `k >= 10` it is evaluated as `-lambda phi((k - lambda) / lambda) - ln sqrt(2 pi k) - S(k)`
/// with `phi(d) = (1 + d) ln(1 + d) - d` and `S` the Stirling
/// remainder: this is the saddle-point form of Loader (2000, "Fast and accurate computation of
/// binomial probabilities"), which avoids the cancellation between `k ln lambda`, `lambda`
/// and `ln k!` when `lambda` is large.
fn ln_poisson_pmf(k: f64, lambda: f64, ln_lambda: f64) -> f64 {
    if k < 10.0 {
        return k * ln_lambda - lambda - LN_FACTORIAL[k as usize];
    }
    let d = (k - lambda) / lambda;
    // For small |d| the difference cancels down to about d^2 / 2, but its absolute error stays
    // near 1e-16 |d|, and `lambda phi` enters a comparison of logarithms: ample for PTRS.
    let phi = (1.0 + d) * d.ln_1p() - d;
    -lambda * phi - LN_SQRT_2PI - 0.5 * k.ln() - stirling_remainder(k)
}

/// Values of `k` whose `ln k!` is tabulated ([`ln_factorials`]).
const LN_FACTORIAL_TABLE: usize = 1 << 16;

/// `ln k!` for `k <` [`LN_FACTORIAL_TABLE`], from `ln Gamma(k + 1)` (absolute error below
/// 1e-9 at the table's end, far less below), built once per process (512 kB).
fn ln_factorials() -> &'static [f64] {
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0..LN_FACTORIAL_TABLE)
            .map(|k| {
                if k < LN_FACTORIAL.len() {
                    LN_FACTORIAL[k]
                } else {
                    super::beta::ln_gamma(k as f64 + 1.0)
                }
            })
            .collect()
    })
}

/// Bounds `(low, high)` on `ln P(X = k)`, `X ~ Poisson(lambda)`, from `k ln lambda - lambda -
/// ln k!` with `ln k!` tabulated: one multiplication where [`ln_poisson_pmf`] takes two more
/// logarithms. The terms cancel to the result from up to about 1.5e6, so the bounds are that
/// form less and more 1e-14 of the terms' magnitude (about 45 roundings of the largest, where
/// the table's error and this form's roundings come to fewer than 5). None for `k` beyond the
/// table.
#[inline]
fn ln_pmf_bounds(k: f64, lambda: f64, ln_lambda: f64) -> Option<(f64, f64)> {
    let table = ln_factorials();
    // k is a whole number from 0 here (a NaN never reaches it).
    if k >= LN_FACTORIAL_TABLE as f64 {
        return None;
    }
    Some(ln_pmf_bounds_given(k, lambda, ln_lambda, table[k as usize]))
}

/// [`ln_pmf_bounds`] given `ln k!`.
#[inline(always)]
fn ln_pmf_bounds_given(k: f64, lambda: f64, ln_lambda: f64, ln_factorial: f64) -> (f64, f64) {
    let k_ln_lambda = k * ln_lambda;
    let value = k_ln_lambda - lambda - ln_factorial;
    let margin =
        PMF_RELATIVE_MARGIN * (k_ln_lambda.abs() + lambda + ln_factorial) + PMF_ABSOLUTE_MARGIN;
    (value - margin, value + margin)
}

/// Parts of an octave whose logarithms [`ln_bounds`] tabulates.
const LN_PARTS: usize = 128;

/// `ln(1 + j / 128)` for `j = 0..=128`, built once per process.
fn ln_parts() -> &'static [f64; LN_PARTS + 1] {
    static TABLE: std::sync::OnceLock<[f64; LN_PARTS + 1]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| std::array::from_fn(|j| (j as f64 / LN_PARTS as f64).ln_1p()))
}

/// Bounds `(low, high)` on `y.ln()` (the library's logarithm, within an ulp of the exact one)
/// for a positive normal `y`, from its bits alone: `y = 2^e (1 + f)` with `f` in `[j / 128, (j
/// + 1) / 128)` gives `e ln 2 + ln(1 + j / 128)` and the next part's, each widened by 1e-12
/// (far more than the roundings of the logarithm, of the table and of `e ln 2`, all below
/// 1e-13 for any exponent). None for zero, subnormal, infinite or NaN `y`.
#[inline(always)]
fn ln_bounds(y: f64) -> Option<(f64, f64)> {
    if !(y.is_normal() && y > 0.0) {
        return None;
    }
    Some(ln_bounds_given(y, ln_parts()))
}

/// [`ln_bounds`] for a `y` known to be positive and normal (for any other, bounds that mean
/// nothing, and no fault).
#[inline(always)]
fn ln_bounds_given(y: f64, table: &[f64; LN_PARTS + 1]) -> (f64, f64) {
    let bits = y.to_bits();
    let exponent = (bits >> 52) as i64 - 1023;
    let part = ((bits >> (52 - LN_PARTS.trailing_zeros())) as usize) & (LN_PARTS - 1);
    let octave = exponent as f64 * std::f64::consts::LN_2;
    (
        octave + table[part] - LN_BOUND_MARGIN,
        octave + table[part + 1] + LN_BOUND_MARGIN,
    )
}

/// Draws a Poisson(`lambda`) variate (`lambda >= 0`; `lambda == 0` gives 0) from `rng`,
/// returned as an `f64` holding an integer. Exact in distribution and deterministic for a given
/// generator state; NaN if `lambda` is negative, NaN or infinite.
///
/// Always takes two words from `rng` and hands them to [`poisson_of_words`] (which takes more
/// from `rng` only for `lambda >= 64`): the same draw as the engine's row fill
/// ([`poisson_fill_words`]) given the same two words.
#[inline]
pub fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> f64 {
    let (first, second) = (rng.next_u64(), rng.next_u64());
    poisson_of_words(rng, lambda, first, second)
}

/// A rate prepared for draws from words: what depends on the rate alone, computed once for as
/// long as the rate does not change (a path's rate is usually the same every year of a period).
///
/// - `lambda < 64`: its alias table and residual bounds ([`PreparedTable`]).
/// - `lambda >= 64`: PTRS with its constants (`b`, `a`, `1 / alpha`, `v_r`, `ln lambda`).
#[derive(Debug, Clone, Copy)]
pub struct PreparedRate {
    lambda: f64,
    table: PreparedTable,
    ptrs: [f64; 5],
}

impl Default for PreparedRate {
    fn default() -> Self {
        Self::UNSET
    }
}

impl PreparedRate {
    /// No rate yet (NaN, which equals no rate).
    pub const UNSET: PreparedRate = PreparedRate {
        lambda: f64::NAN,
        table: PreparedTable::ZERO,
        ptrs: [f64::NAN; 5],
    };

    /// `lambda` prepared.
    pub fn new(lambda: f64) -> Self {
        let mut rate = PreparedRate {
            lambda,
            ..Self::UNSET
        };
        if (0.0..TABLE_LAMBDA_MAX).contains(&lambda) {
            rate.table = Sampler::new().prepare(lambda);
        } else {
            rate.ptrs = ptrs_constants(lambda);
        }
        rate
    }

    /// A Poisson(rate) draw from two words, and more from `rng` for PTRS rejections; NaN for a
    /// negative, NaN or infinite rate.
    #[inline(always)]
    pub fn draw<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        sampler: Sampler,
        first: u64,
        second: u64,
    ) -> f64 {
        if (0.0..TABLE_LAMBDA_MAX).contains(&self.lambda) {
            sampler.sample_prepared(&self.table, first, second)
        } else {
            poisson_large(rng, self.lambda, &self.ptrs, first, second)
        }
    }
}

/// PTRS's constants for `lambda`: NaN below 64 (never drawn by PTRS) and for a negative, NaN
/// or infinite rate (whose draw is NaN), and only then.
fn ptrs_constants(lambda: f64) -> [f64; 5] {
    if !(lambda >= TABLE_LAMBDA_MAX && lambda.is_finite()) {
        return [f64::NAN; 5];
    }
    let b = 0.931 + 2.53 * lambda.sqrt();
    [
        b,
        -0.059 + 0.02483 * b,
        1.1239 + 1.1328 / (b - 3.4),
        0.9277 - 3.6224 / (b - 2.0),
        lambda.ln(),
    ]
}

/// A Poisson(`lambda`) draw from two random words, and more from `rng` when those do not
/// suffice: [`PreparedRate::new`] then [`PreparedRate::draw`]. Below 64: by additivity over a
/// grid of alias tables ([`super::poisson_table`]), the two words and nothing else; from 64:
/// Hörmann's PTRS (1993, "The transformed rejection method for generating Poisson random
/// variables", Insurance: Mathematics and Economics 12), its first pair of uniforms from the two
/// words and any further pair (about one draw in ten) from `rng`.
#[inline]
pub fn poisson_of_words<R: Rng + ?Sized>(rng: &mut R, lambda: f64, first: u64, second: u64) -> f64 {
    PreparedRate::new(lambda).draw(rng, Sampler::new(), first, second)
}

/// The rates of a row of paths, prepared and kept from one [`poisson_fill_words`] call to the
/// next, stored as columns so that checking whether a path's rate is still the one prepared
/// reads only the rates.
#[derive(Debug, Clone, Default)]
pub struct PreparedRates {
    lambda: Vec<f64>,
    /// Rates below 64: their table draw prepared (for a rate from 64, an earlier valid
    /// preparation: its table draw, if made, is overwritten).
    table: PreparedRow,
    /// Rates from 64: PTRS's constants (for a rate below 64, whatever was there: never read).
    ptrs: Vec<[f64; 5]>,
    /// The paths (ascending) whose rate PTRS draws (or is invalid), when the row mixes both
    /// methods; listed again whenever a rate changes.
    large: Vec<u32>,
    /// When most paths of the row are in `large`: the others (ascending), whose table draws are
    /// then made alone (a table draw for every path would be wasted on most).
    small: Vec<u32>,
    /// Whether `large` lists the current rates.
    listed: bool,
    /// Room for the paths whose rate changes in a [`PreparedRates::hold`].
    changed: Vec<u32>,
    /// Room for the PTRS paths whose first pair of uniforms falls outside PTRS's squeeze
    /// (about one in four), listed by the first pass of a row's PTRS draws.
    pending: Vec<u32>,
    /// Paths whose rates are held (the last [`PreparedRates::hold`]), and whether all are
    /// below 64.
    rows: usize,
    all_tabulated: bool,
}

impl PreparedRates {
    /// Room for `len` paths, none prepared yet.
    pub fn new(len: usize) -> Self {
        PreparedRates {
            lambda: vec![f64::NAN; len],
            table: PreparedRow::new(len),
            ptrs: vec![[f64::NAN; 5]; len],
            large: Vec::with_capacity(len),
            small: Vec::with_capacity(len),
            listed: false,
            changed: vec![0; len],
            pending: vec![0; len],
            rows: 0,
            all_tabulated: true,
        }
    }

    /// Number of paths it has room for.
    pub fn len(&self) -> usize {
        self.lambda.len()
    }

    /// True when it has room for no path.
    pub fn is_empty(&self) -> bool {
        self.lambda.is_empty()
    }
}

/// `out[p] = poisson_of_words(rng, lambdas[p], words[2 p], words[2 p + 1])` for every `p` in
/// turn (the words of path `p` are `words[2 p]` and `words[2 p + 1]`; `words` holds two per
/// rate): the same draws, bit for bit, and `rng` left in the same state (only PTRS takes words
/// from it, in path order). `prepared` keeps path `p`'s rate prepared from one call to the next
/// (whatever it holds, a rate it does not hold is prepared again): [`PreparedRates::hold`], then
/// [`poisson_fill_held`].
pub fn poisson_fill_words<R: Rng + ?Sized>(
    rng: &mut R,
    prepared: &mut PreparedRates,
    lambdas: &[f64],
    words: &[u64],
    out: &mut [f64],
) {
    prepared.hold(lambdas);
    poisson_fill_held(rng, prepared, words, out);
}

impl PreparedRates {
    /// Holds `lambdas` as the rates of paths `0 .. lambdas.len()`, preparing those that differ
    /// from the rates held (bit for bit).
    pub fn hold(&mut self, lambdas: &[f64]) {
        let n = lambdas.len();
        assert!(self.len() >= n, "room for every rate");
        // The paths whose rate changed, listed without a branch on the comparison (rates that
        // change with an event's strike change at random), then prepared eight at a time where
        // all eight are table rates (the same preparations as one by one), the others one by
        // one.
        let (count, all_tabulated) =
            list_changed(&self.lambda[..n], lambdas, &mut self.changed[..n]);
        let sampler = Sampler::new();
        let whole = count / 8 * 8;
        for j in (0..whole).step_by(8) {
            let mut group = [0u32; 8];
            group.copy_from_slice(&self.changed[j..j + 8]);
            if self.table.prepare_eight(sampler, lambdas, &group) {
                for p in group.map(|p| p as usize) {
                    self.lambda[p] = lambdas[p];
                }
            } else {
                for p in group.map(|p| p as usize) {
                    self.prepare_one(sampler, p, lambdas[p]);
                }
            }
        }
        for j in whole..count {
            let p = self.changed[j] as usize;
            self.prepare_one(sampler, p, lambdas[p]);
        }
        if count > 0 || self.rows != n {
            self.listed = false;
        }
        self.rows = n;
        self.all_tabulated = all_tabulated;
    }

    /// Path `p`'s rate becomes `lambda`, prepared. Only the preparation the rate's method reads:
    /// the other array keeps whatever valid preparation it held (a table draw made for a PTRS
    /// path is overwritten, and PTRS's constants are never read for a tabulated rate).
    #[inline(always)]
    fn prepare_one(&mut self, sampler: Sampler, p: usize, lambda: f64) {
        self.lambda[p] = lambda;
        if (0.0..TABLE_LAMBDA_MAX).contains(&lambda) {
            self.table.set(p, sampler.prepare(lambda));
        } else {
            self.ptrs[p] = ptrs_constants(lambda);
        }
    }
}

/// Lists in `changed` (as long as the rows) the paths whose rate in `lambdas` differs from the
/// one `held` (`held != lambda`, so a NaN always), in order: their number, and whether every
/// rate of `lambdas` is one the tables draw. Without a branch on the comparison (rates that
/// change with an event's strike change at random): eight paths a register with AVX-512 when
/// the processor has it (and the compiler could build it), the rest one by one; the same list
/// either way.
fn list_changed(held: &[f64], lambdas: &[f64], changed: &mut [u32]) -> (usize, bool) {
    let n = lambdas.len();
    assert!(held.len() == n && changed.len() == n, "one slot per path");
    let (done, mut count, mut all_tabulated) =
        wide::list_changed_if_available(held, lambdas, changed);
    for p in done..n {
        // `count <= p`: in bounds.
        changed[count] = p as u32;
        count += usize::from(held[p] != lambdas[p]);
        all_tabulated &= (0.0..TABLE_LAMBDA_MAX).contains(&lambdas[p]);
    }
    (count, all_tabulated)
}

/// The AVX-512 forms of [`list_changed`] and of the first two passes of a row's PTRS draws,
/// built by compilers from Rust 1.89 (whose AVX-512 intrinsics they use).
mod wide;

/// The draws of [`poisson_fill_words`] for the rates `prepared` holds (its last
/// [`PreparedRates::hold`]): `words` holds two words per rate held, `out` at least one slot per
/// rate. For a row whose rates are the same as in the last call (a count's rates within a
/// period), so that they are neither computed nor compared again.
pub fn poisson_fill_held<R: Rng + ?Sized>(
    rng: &mut R,
    prepared: &mut PreparedRates,
    words: &[u64],
    out: &mut [f64],
) {
    fill_held_onto(
        rng,
        prepared,
        words,
        out,
        None,
        std::iter::repeat(0.0),
        |_| 0.0,
    );
}

/// [`poisson_fill_held`], each draw added to the same path's value in `base`:
/// `out[p] = base[p] + draw` (a count's stock and its additions in one pass over the row). The
/// same sums, bit for bit, as the draws added afterwards.
pub fn poisson_add_held<R: Rng + ?Sized>(
    rng: &mut R,
    prepared: &mut PreparedRates,
    words: &[u64],
    base: &[f64],
    out: &mut [f64],
) {
    let base = &base[..prepared.rows];
    fill_held_onto(
        rng,
        prepared,
        words,
        out,
        Some(base),
        base.iter().copied(),
        |p| base[p],
    );
}

/// The draws of [`poisson_fill_held`], each added to `base(p)` (`draw + 0.0` is the draw: no
/// draw is -0); `bases` gives the same values in path order (read alongside the row, without
/// an index to check), and `base_row` the same as a row (`None` for zeros).
#[inline(always)]
fn fill_held_onto<R: Rng + ?Sized>(
    rng: &mut R,
    prepared: &mut PreparedRates,
    words: &[u64],
    out: &mut [f64],
    base_row: Option<&[f64]>,
    bases: impl Iterator<Item = f64> + Clone,
    base: impl Fn(usize) -> f64,
) {
    let n = prepared.rows;
    assert_eq!(words.len(), 2 * n, "two words per rate");
    if !prepared.all_tabulated && !prepared.listed {
        let tabulated = 0.0..TABLE_LAMBDA_MAX;
        let held = &prepared.lambda[..n];
        prepared.large.clear();
        prepared
            .large
            .extend((0..n as u32).filter(|&p| !tabulated.contains(&held[p as usize])));
        prepared.small.clear();
        if 2 * prepared.large.len() > n {
            prepared
                .small
                .extend((0..n as u32).filter(|&p| tabulated.contains(&held[p as usize])));
        }
        prepared.listed = true;
    }
    let sampler = Sampler::new();
    let (tables, out) = (&prepared.table, &mut out[..n]);
    if !prepared.all_tabulated && 2 * prepared.large.len() > n {
        // Mostly PTRS: the table draws of the few others alone.
        for &p in &prepared.small {
            let p = p as usize;
            out[p] =
                base(p) + sampler.sample_prepared(&tables.get(p), words[2 * p], words[2 * p + 1]);
        }
    } else {
        // Every rate's table draw (for a rate from 64 a wasted one, cheaper than a branch per
        // path): eight a register where the processor can, the rest one by one.
        let wide = add_table_draws_wide(
            sampler,
            tables,
            n,
            words,
            base_row,
            out,
            &mut prepared.pending,
        );
        for (((o, pair), t), b) in out[wide..]
            .iter_mut()
            .zip(words[2 * wide..].chunks_exact(2))
            .zip(tables.tables(wide..n))
            .zip(bases.clone().skip(wide))
        {
            *o = b + sampler.sample_prepared(&t, pair[0], pair[1]);
        }
    }
    if prepared.all_tabulated {
        return;
    }
    // PTRS for the paths from 64 in three passes, each path's draw the one `poisson_large`
    // makes. The first decides, without a branch, the draws whose first pair of uniforms falls
    // inside PTRS's squeeze (about three in four for rates from 64 to 6,000; the others' values
    // are overwritten later), and lists the others. The second decides, again without a branch,
    // those that PTRS's bounded test accepts from the same pair (about half of them). The third
    // draws the rest in path order with the whole method: only they take further words from
    // `rng`, in path order, as when every draw is made in turn.
    let mut pending = 0;
    if prepared.large.len() == n {
        // Every path (the usual row of a large count): the rows side by side, without an index,
        // eight a register where the processor can.
        let listed = &mut prepared.pending[..n];
        let (done, listed_wide) = wide::squeeze_rows_if_available(
            &prepared.ptrs[..n],
            &prepared.lambda[..n],
            words,
            base_row,
            out,
            listed,
        );
        pending = listed_wide;
        let rows = (prepared.ptrs[done..n].iter())
            .zip(&prepared.lambda[done..n])
            .zip(words[2 * done..].chunks_exact(2))
            .zip(out[done..].iter_mut())
            .zip(bases.skip(done));
        for (p, ((((c, &lambda), pair), o), b)) in (done..).zip(rows) {
            let (k, accepted) = ptrs_squeeze(lambda, c, pair[0], pair[1]);
            *o = b + k;
            // `pending <= p`: in bounds.
            listed[pending] = p as u32;
            pending += usize::from(!accepted);
        }
    } else {
        for &p in &prepared.large {
            let p = p as usize;
            let (c, lambda) = (&prepared.ptrs[p], prepared.lambda[p]);
            let (k, accepted) = ptrs_squeeze(lambda, c, words[2 * p], words[2 * p + 1]);
            out[p] = base(p) + k;
            // `pending <=` the paths seen so far: in bounds.
            prepared.pending[pending] = p as u32;
            pending += usize::from(!accepted);
        }
    }
    // The second pass; the list keeps the paths it does not decide. Eight a register where
    // the processor can, the rest one by one.
    let tables = (ln_factorials(), ln_parts());
    let (done, mut undecided) = wide::bounded_if_available(
        &prepared.ptrs[..n],
        &prepared.lambda[..n],
        words,
        base_row,
        out,
        &mut prepared.pending,
        pending,
        tables,
    );
    for j in done..pending {
        let p = prepared.pending[j] as usize;
        let (c, lambda) = (&prepared.ptrs[p], prepared.lambda[p]);
        let (k, accepted) = ptrs_bounded(lambda, c, words[2 * p], words[2 * p + 1], tables);
        out[p] = base(p) + k;
        // `undecided <= j`: the list is compacted in place.
        prepared.pending[undecided] = p as u32;
        undecided += usize::from(!accepted);
    }
    for &p in &prepared.pending[..undecided] {
        let p = p as usize;
        out[p] = base(p)
            + poisson_large(
                rng,
                prepared.lambda[p],
                &prepared.ptrs[p],
                words[2 * p],
                words[2 * p + 1],
            );
    }
}

/// PTRS's first step from the words `first` and `second` for `lambda` (constants `c`): the
/// candidate `k`, and whether the squeeze accepts it (then `k` is the draw that
/// [`poisson_large`] returns for the same words). Never accepted for NaN constants.
#[inline(always)]
fn ptrs_squeeze(lambda: f64, c: &[f64; 5], first: u64, second: u64) -> (f64, bool) {
    let (v, us, (k, whole)) = ptrs_first_candidate(lambda, c, first, second);
    (k, (us >= SQUEEZE_US_MIN) & (v <= c[3]) & whole)
}

/// PTRS's first pair of uniforms from `first` and `second` for `lambda` (constants `c`), as
/// [`poisson_large`] forms it: `v`, `us = 1/2 - |u - 1/2|`, and the candidate's
/// [`floor_near`].
#[inline(always)]
fn ptrs_first_candidate(
    lambda: f64,
    c: &[f64; 5],
    first: u64,
    second: u64,
) -> (f64, f64, (f64, bool)) {
    let [b, a, ..] = *c;
    let (u, v) = (unit(first) - 0.5, unit(second));
    let us = 0.5 - u.abs();
    (
        v,
        us,
        floor_near((2.0 * a / us + b) * u + lambda + PTRS_OFFSET),
    )
}

/// `floor(x)` without a branch, and whether that is right: for `|x| < 2^51` (then `x + 1.5
/// 2^52` is `x` rounded to a whole number, plus that constant, exactly), not for any other `x`.
#[inline(always)]
fn floor_near(x: f64) -> (f64, bool) {
    let rounded = (x + FLOOR_SHIFT) - FLOOR_SHIFT;
    let k = rounded - f64::from(u8::from(rounded > x));
    (k, x.abs() < FLOOR_NEAR_LIMIT)
}

/// 1.5 2^52: added and taken away again, it rounds to a whole number ([`floor_near`]).
const FLOOR_SHIFT: f64 = 6_755_399_441_055_744.0;

/// 2^51: below it in magnitude, [`floor_near`] is right.
const FLOOR_NEAR_LIMIT: f64 = 2_251_799_813_685_248.0;

/// PTRS's squeeze accepts a first pair only with `us` from this on ([`ptrs_squeeze`]).
const SQUEEZE_US_MIN: f64 = 0.07;

/// Added to PTRS's candidate before it is floored (Hörmann's `+ 0.43`).
const PTRS_OFFSET: f64 = 0.43;

/// Below this `us`, PTRS rejects a candidate outright when `v > us`.
const PTRS_US_SMALL: f64 = 0.013;

/// [`ln_pmf_bounds_given`]'s margin: this share of the terms' magnitude ...
const PMF_RELATIVE_MARGIN: f64 = 1e-14;

/// ... plus this, so that the margin is never zero.
const PMF_ABSOLUTE_MARGIN: f64 = 1e-300;

/// How far [`ln_bounds_given`] widens the tabulated bounds on a logarithm.
const LN_BOUND_MARGIN: f64 = 1e-12;

/// PTRS's second test of its first step, for a first pair outside the squeeze: the candidate
/// `k`, and whether [`poisson_large`]'s bounded test (the tabulated `ln k!` against bounds on
/// the ratio's logarithm read from its bits) accepts it, computed without a branch (then `k` is
/// the draw that [`poisson_large`] returns for the same words). False whenever that test would
/// not accept it outright: a rejection, a draw it decides with a logarithm, or NaN constants.
#[inline(always)]
fn ptrs_bounded(
    lambda: f64,
    c: &[f64; 5],
    first: u64,
    second: u64,
    (ln_factorials, ln_parts): (&[f64], &[f64; LN_PARTS + 1]),
) -> (f64, bool) {
    let [b, a, inv_alpha, _, ln_lambda] = *c;
    // Only a candidate from 0 to below 2^16 (in the table) is accepted, and `floor_near` gets
    // every such one right: beyond 2^51 in magnitude its value is far outside that range.
    let (v, us, (k, _)) = ptrs_first_candidate(lambda, c, first, second);
    // `k >= 0` is false for NaN: `poisson_large`'s `!(k.is_nan() || k < 0 || ...)`.
    let eligible = (k >= 0.0) & !((us < PTRS_US_SMALL) & (v > us));
    let ratio = v * inv_alpha / (a / (us * us) + b);
    let in_table = k < LN_FACTORIAL_TABLE as f64;
    // Any index in the table: its entry counts only when `k` is in it.
    let index = (k as usize).min(LN_FACTORIAL_TABLE - 1);
    let (low, _) = ln_pmf_bounds_given(k, lambda, ln_lambda, ln_factorials[index]);
    let (_, ratio_high) = ln_bounds_given(ratio, ln_parts);
    let normal = ratio.is_normal() & (ratio > 0.0);
    (k, eligible & in_table & normal & (ratio_high <= low))
}

/// The uniform in [0, 1) of a word that `rand` draws as `rng.random::<f64>()`.
#[inline]
fn unit(word: u64) -> f64 {
    (word >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `x.floor()` without a library call (baseline x86-64 has no rounding instruction): the same
/// value for every `x`.
#[inline(always)]
fn floor(x: f64) -> f64 {
    if x.abs() < 4_503_599_627_370_496.0 {
        let t = x as i64 as f64;
        if t > x {
            t - 1.0
        } else {
            t
        }
    } else {
        x.floor()
    }
}

/// PTRS for `lambda >= 64`, prepared in `c` by [`ptrs_constants`] (the first pair of uniforms
/// from `first` and `second`), or NaN for a negative, NaN or infinite `lambda` (whose constants
/// are NaN).
#[cold]
#[inline(never)]
fn poisson_large<R: Rng + ?Sized>(
    rng: &mut R,
    lambda: f64,
    c: &[f64; 5],
    first: u64,
    second: u64,
) -> f64 {
    let [b, a, inv_alpha, v_r, ln_lambda] = *c;
    // The constants of a rate that is negative, NaN or infinite are NaN: one comparison, where
    // testing `lambda` itself compiled to some twenty integer instructions a draw.
    if b.is_nan() {
        return f64::NAN;
    }
    let (mut u, mut v) = (unit(first) - 0.5, unit(second));
    loop {
        let us = 0.5 - u.abs();
        let k = floor((2.0 * a / us + b) * u + lambda + PTRS_OFFSET);
        if us >= SQUEEZE_US_MIN && v <= v_r {
            return k;
        }
        if !(k.is_nan() || k < 0.0 || (us < PTRS_US_SMALL && v > us)) {
            // The test is ln(ratio) against ln P(X = k), where ln(ratio) = ln(v) + ln(inv_alpha)
            // - ln(a / us^2 + b), taken as one logarithm.
            let ratio = v * inv_alpha / (a / (us * us) + b);
            let bounds = ln_pmf_bounds(k, lambda, ln_lambda);
            // Most draws are decided by bounds on that logarithm read from the ratio's bits
            // (0.008 apart), without computing it: the same decisions.
            if let (Some((low, high)), Some((ratio_low, ratio_high))) = (bounds, ln_bounds(ratio)) {
                if ratio_high <= low {
                    return k;
                }
                if ratio_low > high {
                    u = unit(rng.next_u64()) - 0.5;
                    v = unit(rng.next_u64());
                    continue;
                }
            }
            let ln_ratio = ratio.ln();
            // Decided by the tabulated ln k! where it is clear by more than that form's error
            // bound; Loader's form (two more logarithms) only within it, or beyond the table.
            match bounds {
                Some((low, _)) if ln_ratio <= low => return k,
                Some((_, high)) if ln_ratio > high => {}
                _ => {
                    if ln_ratio <= ln_poisson_pmf(k, lambda, ln_lambda) {
                        return k;
                    }
                }
            }
        }
        u = unit(rng.next_u64()) - 0.5;
        v = unit(rng.next_u64());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dispatched listing (eight paths a register where the processor has AVX-512) against
    /// the loop written out: the same list and the same verdict on the tabulated range, for
    /// rows of every length modulo eight, with NaN, zeros of both signs, negative rates and
    /// rates at and beside the tables' limit, held or changed at varied positions.
    #[test]
    fn changed_paths_are_listed_as_one_by_one() {
        let special = [
            f64::NAN,
            0.0,
            -0.0,
            -1.0,
            TABLE_LAMBDA_MAX,
            TABLE_LAMBDA_MAX - 1e-9,
            f64::INFINITY,
            3.5,
        ];
        let mut x = 0x5eed_u64;
        let mut next = move || {
            x = crate::engine::rng::mix(x);
            x
        };
        for len in (0..40).chain([1023, 1024]) {
            for case in 0..20 {
                let held: Vec<f64> = (0..len)
                    .map(|_| special[(next() % special.len() as u64) as usize])
                    .collect();
                let lambdas: Vec<f64> = held
                    .iter()
                    .map(|&h| match next() % 4 {
                        // Unchanged (a NaN stays changed), or any of the special rates.
                        0 | 1 if case % 5 != 0 => h,
                        _ => special[(next() % special.len() as u64) as usize],
                    })
                    .collect();
                let mut want = Vec::new();
                let mut tabulated = true;
                for p in 0..len {
                    if held[p] != lambdas[p] {
                        want.push(p as u32);
                    }
                    tabulated &= (0.0..TABLE_LAMBDA_MAX).contains(&lambdas[p]);
                }
                let mut changed = vec![u32::MAX; len];
                let (count, all_tabulated) = list_changed(&held, &lambdas, &mut changed);
                assert_eq!(&changed[..count], &want[..], "len {len}, case {case}");
                assert_eq!(all_tabulated, tabulated, "len {len}, case {case}");
            }
        }
    }

    #[test]
    fn poisson_edge_cases() {
        use rand::SeedableRng;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
        assert_eq!(poisson(&mut rng, 0.0), 0.0);
        assert!(poisson(&mut rng, -1.0).is_nan());
        assert!(poisson(&mut rng, f64::NAN).is_nan());
        assert!(poisson(&mut rng, f64::INFINITY).is_nan());
        assert!(poisson(&mut rng, f64::NEG_INFINITY).is_nan());
        // A rate never set, and invalid rates among valid ones in a row: NaN, and no endless
        // rejection loop.
        let unset = PreparedRate::default();
        assert!(unset.draw(&mut rng, Sampler::new(), 1, 2).is_nan());
        let lambdas = [f64::NAN, -1.0, f64::INFINITY, 100.0, 5.0, 1e6, -0.0];
        let mut prepared = PreparedRates::new(lambdas.len());
        let words: Vec<u64> = (0..2 * lambdas.len() as u64)
            .map(|w| w.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        let mut out = vec![0.0; lambdas.len()];
        poisson_fill_words(&mut rng, &mut prepared, &lambdas, &words, &mut out);
        for (lambda, k) in lambdas.iter().zip(&out) {
            let valid = *lambda >= 0.0 && lambda.is_finite();
            assert_eq!(k.is_nan(), !valid, "rate {lambda}: {k}");
        }
        for lambda in [1e-300, 0.1, 9.999, 10.0, 1e6, 1e12] {
            let k = poisson(&mut rng, lambda);
            assert!(k >= 0.0 && k.fract() == 0.0, "lambda={lambda}: {k}");
        }
        // Determinism.
        let mut r1 = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let mut r2 = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        for lambda in [0.5, 3.0, 12.0, 250.0] {
            for _ in 0..100 {
                assert_eq!(poisson(&mut r1, lambda), poisson(&mut r2, lambda));
            }
        }
    }

    #[test]
    fn poisson_fill_equals_drawing_one_by_one() {
        use rand::{RngCore, SeedableRng};
        let lambdas: Vec<f64> = (0..500)
            .map(|i| match i % 7 {
                0 => 0.0,
                1 => 0.1 + (i as f64) * 1e-3,
                2 => 63.99,
                3 => 64.0 + i as f64,
                4 => f64::NAN,
                5 => -1.0,
                _ => (i as f64 * 0.37) % 45.0,
            })
            .collect();
        let mut words_rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let words: Vec<u64> = (0..2 * lambdas.len())
            .map(|_| words_rng.next_u64())
            .collect();
        let mut r1 = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let mut r2 = r1.clone();
        let mut filled = vec![0.0; lambdas.len()];
        let mut prepared = PreparedRates::new(lambdas.len() + 3);
        // A stale rate is prepared again.
        prepared.lambda[7] = 3.5;
        poisson_fill_words(&mut r1, &mut prepared, &lambdas, &words, &mut filled);
        // Prepared rates are kept: the same draws a second time.
        let mut again = vec![0.0; lambdas.len()];
        let mut r3 = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        poisson_fill_words(&mut r3, &mut prepared, &lambdas, &words, &mut again);
        for (a, b) in filled.iter().zip(&again) {
            assert!(a == b || (a.is_nan() && b.is_nan()), "{a} vs {b}");
        }
        // A row of rates below 2 only (the table loop), with words near 1 for the residual.
        let small: Vec<f64> = (0..400).map(|i| 1.999 - (i as f64) * 4e-3).collect();
        let small_words: Vec<u64> = (0..800u64)
            .map(|i| {
                if i % 10 == 1 {
                    u64::MAX - i
                } else {
                    words[i as usize]
                }
            })
            .collect();
        let mut small_out = vec![0.0; small.len()];
        let mut r4 = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(12);
        poisson_fill_words(&mut r4, &mut prepared, &small, &small_words, &mut small_out);
        for (p, &l) in small.iter().enumerate() {
            let one = poisson_of_words(&mut r4, l, small_words[2 * p], small_words[2 * p + 1]);
            assert_eq!(small_out[p], one, "rate {l}");
        }
        assert!(small_out.iter().any(|&k| k >= 5.0));
        // A row of rates for the alias tables only.
        let mid: Vec<f64> = (0..500).map(|i| 2.0 + (i as f64) * 0.1234).collect();
        let mut mid_out = vec![0.0; mid.len()];
        poisson_fill_words(&mut r4, &mut prepared, &mid, &words, &mut mid_out);
        for (p, &l) in mid.iter().enumerate() {
            let one = poisson_of_words(&mut r4, l, words[2 * p], words[2 * p + 1]);
            assert_eq!(mid_out[p], one, "rate {l}");
        }
        let one_by_one: Vec<f64> = lambdas
            .iter()
            .enumerate()
            .map(|(p, &l)| poisson_of_words(&mut r2, l, words[2 * p], words[2 * p + 1]))
            .collect();
        for (a, b) in filled.iter().zip(&one_by_one) {
            assert!(a == b || (a.is_nan() && b.is_nan()), "{a} vs {b}");
        }
        // The generators end in the same state.
        assert_eq!(r1, r2);
    }

    #[test]
    fn mostly_large_rows_and_added_stocks_draw_as_one_by_one() {
        use rand::{RngCore, SeedableRng};
        // Four paths in five from 64 (the table draws of the others alone), then a row with
        // every path from 64, then one of mixed rates, then the same with a few rates changed
        // (by an event's strike, say: only those are prepared again) and the same again; each
        // drawn onto a stock and alone.
        let mixed: Vec<f64> = (0..300).map(|i| (i as f64 * 0.77) % 130.0).collect();
        let struck: Vec<f64> = mixed
            .iter()
            .enumerate()
            .map(|(i, &l)| if i % 7 == 3 { l * 0.8 } else { l })
            .collect();
        // Every path from 64 or invalid, with rates whose draws pass the tabulated ln k! (from
        // 2^16) and PTRS candidates beyond 2^51 (whose floor the first pass leaves to the
        // whole method).
        let extremes: Vec<f64> = (0..200)
            .map(|i| match i % 10 {
                0 => 64.0,
                1 => 7.0e4 + i as f64,
                2 => 1.0e9,
                3 => 1.0e15,
                4 => 3.0e15 + (i as f64) * 1e12,
                5 => 1.0e17,
                6 => f64::INFINITY,
                7 => f64::NAN,
                8 => -5.0,
                _ => 250.0 + i as f64,
            })
            .collect();
        let rows: [Vec<f64>; 6] = [
            (0..700)
                .map(|i| match i % 5 {
                    0 => (i as f64 * 0.37) % 63.0,
                    _ => 64.0 + (i as f64) * 3.7,
                })
                .collect(),
            (0..300).map(|i| 64.0 + (i as f64) * 11.0).collect(),
            mixed,
            struck.clone(),
            struck,
            extremes,
        ];
        let mut words_rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let mut prepared = PreparedRates::new(700);
        for lambdas in &rows {
            let n = lambdas.len();
            let words: Vec<u64> = (0..2 * n).map(|_| words_rng.next_u64()).collect();
            let stock: Vec<f64> = (0..n).map(|p| (p % 13) as f64 * 1000.0).collect();
            let mut r1 = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(21);
            let mut r2 = r1.clone();
            let mut added = vec![f64::NAN; n];
            prepared.hold(lambdas);
            poisson_add_held(&mut r1, &mut prepared, &words, &stock, &mut added);
            for (p, &l) in lambdas.iter().enumerate() {
                let one = poisson_of_words(&mut r2, l, words[2 * p], words[2 * p + 1]);
                let sum = stock[p] + one;
                assert!(
                    added[p] == sum || (added[p].is_nan() && sum.is_nan()),
                    "rate {l}"
                );
            }
            assert_eq!(r1, r2);
            // Alone (no stock): the same draws.
            let mut r3 = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(22);
            let mut r4 = r3.clone();
            let mut alone = vec![f64::NAN; n];
            poisson_fill_held(&mut r3, &mut prepared, &words, &mut alone);
            for (p, &l) in lambdas.iter().enumerate() {
                let one = poisson_of_words(&mut r4, l, words[2 * p], words[2 * p + 1]);
                assert!(
                    alone[p].to_bits() == one.to_bits() || (alone[p].is_nan() && one.is_nan()),
                    "rate {l}: {} alone, {one} one by one",
                    alone[p]
                );
            }
            assert_eq!(r3, r4);
        }
    }

    #[test]
    fn floor_near_is_the_floor_below_2_pow_51() {
        let mut xs = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            0.999_999_999_999_999_9,
            -1e-300,
        ];
        let mut word = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..100_000 {
            word = word
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            // Magnitudes from 2^-10 to below 2^51, either sign, and whole numbers and halves.
            let exponent = 1013 + (word >> 58) % 61;
            let x = f64::from_bits((exponent << 52) | (word >> 12));
            let x = if word & 1 == 0 { x } else { -x };
            xs.extend([x, x.round(), x.trunc() + 0.5]);
        }
        for &x in &xs {
            let (k, whole) = floor_near(x);
            if x.abs() < 2_251_799_813_685_248.0 {
                assert!(whole, "{x}");
                assert_eq!(k.to_bits(), floor(x).to_bits(), "{x}");
            }
        }
        for x in [
            2_251_799_813_685_248.0,
            -3e15,
            1e300,
            f64::INFINITY,
            f64::NAN,
        ] {
            assert!(!floor_near(x).1, "{x}");
        }
    }

    #[test]
    fn ln_bounds_bracket_the_logarithm() {
        // Ratios PTRS forms (1e-6 .. 1e3) and the ends of the normal range; every part of the
        // octave, its ends included.
        let mut word = 0x243F_6A88_85A3_08D3u64;
        let mut ys: Vec<f64> = vec![f64::MIN_POSITIVE, f64::MAX, 1.0, 2.0, 0.5, 1.0 - 1e-16];
        for _ in 0..200_000 {
            word = word
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let exponent = (word >> 40) % 34;
            ys.push(f64::from_bits(((1003 + exponent) << 52) | (word >> 12)));
        }
        for j in 0..=LN_PARTS as u64 {
            ys.push(f64::from_bits((1023 << 52) | (j << 45)));
            ys.push(f64::from_bits(((1023 << 52) | (j << 45)).saturating_sub(1)));
        }
        for &y in &ys {
            let (low, high) = ln_bounds(y).unwrap();
            let ln = y.ln();
            assert!(low <= ln && ln <= high, "{y}: {low} {ln} {high}");
            assert!(high - low < 0.0079, "{y}");
        }
        for y in [0.0, -1.0, 1e-310, f64::INFINITY, f64::NAN] {
            assert!(ln_bounds(y).is_none(), "{y}");
        }
    }

    #[test]
    fn tabulated_ln_pmf_bounds_hold_loaders_form() {
        // Rates and values where PTRS asks, up to the table's end; Loader's form is accurate to
        // about 1e-16 of its magnitude, far inside the bounds' 1e-14 of the terms'.
        for &lambda in &[64.0, 100.5, 2500.0, 33_333.3, 60_000.0] {
            let ll = f64::ln(lambda);
            let spread = 12.0 * f64::sqrt(lambda);
            let mut k = (lambda - spread).max(0.0).floor();
            while k <= (lambda + spread).min(LN_FACTORIAL_TABLE as f64 - 1.0) {
                let exact = ln_poisson_pmf(k, lambda, ll);
                let (low, high) = ln_pmf_bounds(k, lambda, ll).unwrap();
                assert!(
                    low <= exact && exact <= high,
                    "{lambda} {k}: {low} {exact} {high}"
                );
                // Narrow enough to decide nearly every draw (below 1e-7 apart).
                assert!(high - low < 1e-7, "{lambda} {k}: {}", high - low);
                k += 1.0;
            }
        }
        assert!(ln_pmf_bounds(LN_FACTORIAL_TABLE as f64, 70_000.0, f64::ln(70_000.0)).is_none());
    }

    #[test]
    fn ln_poisson_pmf_matches_direct_sum() {
        // Direct formula with exact ln k! (summed logs) where it is accurate.
        for &lambda in &[10.0, 12.5, 40.0, 250.0] {
            let ll = f64::ln(lambda);
            let mut ln_fact = 0.0;
            for k in 0..400u32 {
                if k > 0 {
                    ln_fact += (k as f64).ln();
                }
                let direct = k as f64 * ll - lambda - ln_fact;
                let fast = ln_poisson_pmf(k as f64, lambda, ll);
                assert!(
                    (direct - fast).abs() < 1e-11 * direct.abs().max(1.0),
                    "{lambda} {k}"
                );
            }
        }
    }
}
