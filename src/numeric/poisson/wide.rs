//! The AVX-512 forms of [`super::list_changed`] and of the first two passes of a row's PTRS
//! draws (the squeeze, the bounded test), chosen at run time; the portable loops in
//! `poisson.rs` do the rest, and everything on other processors or compilers.

/// The first paths of [`super::list_changed`], eight a register, with AVX-512 if the
/// processor has it (and the compiler could build it): `(paths done, paths listed, all of
/// the done ones tabulated)`; `(0, 0, true)` otherwise, the rest the caller's.
#[rustversion::since(1.89)]
pub(super) fn list_changed_if_available(
    held: &[f64],
    lambdas: &[f64],
    changed: &mut [u32],
) -> (usize, usize, bool) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the processor has AVX-512F, the one feature the function is compiled for.
        return unsafe { list_changed(held, lambdas, changed) };
    }
    let _ = (held, lambdas, changed);
    (0, 0, true)
}

/// Without a compiler that builds the AVX-512 form: nothing done.
#[rustversion::before(1.89)]
pub(super) fn list_changed_if_available(
    _held: &[f64],
    _lambdas: &[f64],
    _changed: &mut [u32],
) -> (usize, usize, bool) {
    (0, 0, true)
}

/// Eight paths a step: the comparison as a mask (`_CMP_NEQ_UQ` is Rust's `!=`, true for a
/// NaN), the paths' indices compressed under it into the low lanes and stored as eight
/// 32-bit words at the list's end (the lanes past the listed ones are overwritten by the
/// next step or left beyond the count), and the tabulated range as two ordered comparisons
/// (false for a NaN, as `contains` is).
///
/// # Safety
/// The processor must have AVX-512F.
#[rustversion::since(1.89)]
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn list_changed(held: &[f64], lambdas: &[f64], changed: &mut [u32]) -> (usize, usize, bool) {
    use super::TABLE_LAMBDA_MAX;
    use std::arch::x86_64::*;
    let n = lambdas.len().min(held.len()).min(changed.len()) / 8 * 8;
    let (zero, top) = (_mm512_setzero_pd(), _mm512_set1_pd(TABLE_LAMBDA_MAX));
    let mut index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0);
    let eight = _mm512_set1_epi32(8);
    let (mut count, mut tabulated) = (0usize, 0xffu8);
    for p in (0..n).step_by(8) {
        // SAFETY: `p + 8 <= n`, within both rows; unaligned loads.
        let (h, l) = unsafe {
            (
                _mm512_loadu_pd(held.as_ptr().add(p)),
                _mm512_loadu_pd(lambdas.as_ptr().add(p)),
            )
        };
        let differs = _mm512_cmp_pd_mask::<_CMP_NEQ_UQ>(h, l);
        let listed = _mm512_maskz_compress_epi32(u16::from(differs), index);
        // SAFETY: `count <= p` (at most one listed per path before), so the eight words
        // at `count` end by `p + 8 <= n`, within `changed`; an unaligned store.
        unsafe {
            _mm256_storeu_si256(
                changed.as_mut_ptr().add(count).cast(),
                _mm512_castsi512_si256(listed),
            )
        };
        count += differs.count_ones() as usize;
        tabulated &=
            _mm512_cmp_pd_mask::<_CMP_GE_OQ>(l, zero) & _mm512_cmp_pd_mask::<_CMP_LT_OQ>(l, top);
        index = _mm512_add_epi32(index, eight);
    }
    (n, count, tabulated == 0xff)
}

/// PTRS's first candidate for eight paths, from their two words, as `ptrs_first_candidate`
/// forms it (the same operations in the same order): `v`, `us = 1/2 - |u - 1/2|`, `x = ((2 a /
/// us + b) u + lambda) + 0.43`, and `k`, `x` floored as `floor_near` floors it.
#[rustversion::since(1.89)]
#[cfg(target_arch = "x86_64")]
struct Candidate {
    v: std::arch::x86_64::__m512d,
    us: std::arch::x86_64::__m512d,
    x: std::arch::x86_64::__m512d,
    k: std::arch::x86_64::__m512d,
}

/// [`Candidate`] of the words `first` and `second`, with the constants `a` and `b` and the
/// rate `lambda` of each lane.
///
/// # Safety
/// The processor must have AVX-512F and AVX-512DQ.
#[rustversion::since(1.89)]
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
#[inline]
unsafe fn candidate(
    first: std::arch::x86_64::__m512i,
    second: std::arch::x86_64::__m512i,
    a: std::arch::x86_64::__m512d,
    b: std::arch::x86_64::__m512d,
    lambda: std::arch::x86_64::__m512d,
) -> Candidate {
    use super::FLOOR_SHIFT;
    use std::arch::x86_64::*;
    let (half, one) = (_mm512_set1_pd(0.5), _mm512_set1_pd(1.0));
    // `unit`: the top 53 bits converted exactly, times 2^-53.
    let scale = _mm512_set1_pd(1.0 / (1u64 << 53) as f64);
    let unit = |w: __m512i| _mm512_mul_pd(_mm512_cvtepu64_pd(_mm512_srli_epi64::<11>(w)), scale);
    let u = _mm512_sub_pd(unit(first), half);
    let v = unit(second);
    let us = _mm512_sub_pd(half, _mm512_abs_pd(u));
    // `(2.0 * a / us + b) * u + lambda + 0.43`, left to right.
    let x = _mm512_add_pd(_mm512_div_pd(_mm512_mul_pd(_mm512_set1_pd(2.0), a), us), b);
    let x = _mm512_add_pd(
        _mm512_add_pd(_mm512_mul_pd(x, u), lambda),
        _mm512_set1_pd(super::PTRS_OFFSET),
    );
    // `floor_near`: `x` rounded, less one where that is above `x`.
    let shift = _mm512_set1_pd(FLOOR_SHIFT);
    let rounded = _mm512_sub_pd(_mm512_add_pd(x, shift), shift);
    let above = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(rounded, x);
    let k = _mm512_sub_pd(
        rounded,
        _mm512_mask_blend_pd(above, _mm512_setzero_pd(), one),
    );
    Candidate { v, us, x, k }
}

/// The first paths of the first pass of a row's PTRS draws (every path's rate from 64, see
/// `fill_held_onto`), eight a register, with AVX-512 if the processor has it (and the compiler
/// could build it): each path's squeeze candidate plus its base (or zero) written to `out`, and
/// the paths the squeeze does not accept listed in `listed`; returns `(paths done, paths
/// listed)`, `(0, 0)` when the portable loop is to do the whole row.
#[rustversion::since(1.89)]
pub(super) fn squeeze_rows_if_available(
    ptrs: &[[f64; 5]],
    lambda: &[f64],
    words: &[u64],
    base: Option<&[f64]>,
    out: &mut [f64],
    listed: &mut [u32],
) -> (usize, usize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512dq")
    {
        // SAFETY: the processor has AVX-512F and DQ, the features the function is compiled for.
        return unsafe { squeeze_rows(ptrs, lambda, words, base, out, listed) };
    }
    let _ = (ptrs, lambda, words, base, out, listed);
    (0, 0)
}

/// Without a compiler that builds the AVX-512 form: nothing done.
#[rustversion::before(1.89)]
pub(super) fn squeeze_rows_if_available(
    _ptrs: &[[f64; 5]],
    _lambda: &[f64],
    _words: &[u64],
    _base: Option<&[f64]>,
    _out: &mut [f64],
    _listed: &mut [u32],
) -> (usize, usize) {
    (0, 0)
}

/// Eight paths a step, each lane through the operations of `ptrs_squeeze` in the same order
/// (so the same bits): the two words of each path separated from the interleaved row, their
/// uniforms (`(word >> 11)` converted exactly, times 2^-53), the PTRS constants `b`, `a` and
/// `v_r` gathered from the paths' rows of five, the candidate `((2 a / us + b) u + lambda) +
/// 0.43` floored as `floor_near` floors it, and the squeeze's three conditions as ordered
/// comparisons (false for a NaN, as Rust's are). The paths not accepted are compressed into
/// the low lanes and stored as eight 32-bit words at the list's end, as `list_changed` does.
///
/// # Safety
/// The processor must have AVX-512F and AVX-512DQ.
#[rustversion::since(1.89)]
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
unsafe fn squeeze_rows(
    ptrs: &[[f64; 5]],
    lambda: &[f64],
    words: &[u64],
    base: Option<&[f64]>,
    out: &mut [f64],
    listed: &mut [u32],
) -> (usize, usize) {
    use super::{FLOOR_NEAR_LIMIT, SQUEEZE_US_MIN};
    use std::arch::x86_64::*;
    let mut n = (ptrs
        .len()
        .min(lambda.len())
        .min(out.len())
        .min(listed.len()))
    .min(words.len() / 2);
    if let Some(base) = base {
        n = n.min(base.len());
    }
    let n = n / 8 * 8;
    let firsts = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
    let seconds = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
    // A path's constants start at 5 p (`[f64; 5]` is five f64 side by side, no padding).
    let fives = _mm512_setr_epi64(0, 5, 10, 15, 20, 25, 30, 35);
    let step = _mm512_set1_epi64(40);
    let mut rows = fives;
    let zero = _mm512_setzero_pd();
    let (limit, us_min) = (
        _mm512_set1_pd(FLOOR_NEAR_LIMIT),
        _mm512_set1_pd(SQUEEZE_US_MIN),
    );
    let mut index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0);
    let eight = _mm512_set1_epi32(8);
    let constants: *const f64 = ptrs.as_ptr().cast();
    let mut count = 0usize;
    for p in (0..n).step_by(8) {
        // SAFETY: `p + 8 <= n`: the sixteen words from `2 p` and the eight rates, bases and
        // outputs from `p` are within their rows, and the gathered constants (from `5 p` to
        // `5 (p + 7) + 3`) within `ptrs`; unaligned loads.
        let (pair_low, pair_high, lam, b, a, v_r, bases) = unsafe {
            let w = words.as_ptr().add(2 * p);
            (
                _mm512_loadu_si512(w.cast()),
                _mm512_loadu_si512(w.add(8).cast()),
                _mm512_loadu_pd(lambda.as_ptr().add(p)),
                _mm512_i64gather_pd::<8>(rows, constants),
                _mm512_i64gather_pd::<8>(rows, constants.add(1)),
                _mm512_i64gather_pd::<8>(rows, constants.add(3)),
                match base {
                    Some(base) => _mm512_loadu_pd(base.as_ptr().add(p)),
                    None => zero,
                },
            )
        };
        let first = _mm512_permutex2var_epi64(pair_low, firsts, pair_high);
        let second = _mm512_permutex2var_epi64(pair_low, seconds, pair_high);
        let Candidate { v, us, x, k } = candidate(first, second, a, b, lam);
        let whole = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(_mm512_abs_pd(x), limit);
        let accepted = _mm512_cmp_pd_mask::<_CMP_GE_OQ>(us, us_min)
            & _mm512_cmp_pd_mask::<_CMP_LE_OQ>(v, v_r)
            & whole;
        let left = !accepted;
        let listing = _mm512_maskz_compress_epi32(u16::from(left), index);
        // SAFETY: `p + 8 <= n` within `out`; `count <= p` (at most one listed per path
        // before), so the eight words at `count` end by `p + 8 <= n`, within `listed`.
        unsafe {
            _mm512_storeu_pd(out.as_mut_ptr().add(p), _mm512_add_pd(bases, k));
            _mm256_storeu_si256(
                listed.as_mut_ptr().add(count).cast(),
                _mm512_castsi512_si256(listing),
            );
        }
        count += left.count_ones() as usize;
        index = _mm512_add_epi32(index, eight);
        rows = _mm512_add_epi64(rows, step);
    }
    (n, count)
}

/// The tables the second pass reads: `ln k!` for `k` below their length, and `ln(1 + j / 128)`
/// for `j = 0..=128`.
pub(super) type BoundTables<'a> = (&'a [f64], &'a [f64; super::LN_PARTS + 1]);

/// The first paths of the second pass of a row's PTRS draws (the paths `pending[..listed]`
/// that the squeeze did not accept, see `fill_held_onto`), eight a register, with AVX-512 if
/// the processor has it (and the compiler could build it): each path's candidate plus its base
/// (or zero) written to `out`, and the paths the bounded test does not accept kept at the
/// front of `pending`, in order; returns `(list entries done, paths kept)`, `(0, 0)` when the
/// portable loop is to do the whole list.
#[rustversion::since(1.89)]
#[allow(clippy::too_many_arguments)]
pub(super) fn bounded_if_available(
    ptrs: &[[f64; 5]],
    lambda: &[f64],
    words: &[u64],
    base: Option<&[f64]>,
    out: &mut [f64],
    pending: &mut [u32],
    listed: usize,
    tables: BoundTables<'_>,
) -> (usize, usize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512dq")
        && std::arch::is_x86_feature_detected!("avx512vl")
    {
        // SAFETY: the processor has AVX-512F, DQ and VL, the features the function is compiled
        // for.
        return unsafe { bounded(ptrs, lambda, words, base, out, pending, listed, tables) };
    }
    let _ = (ptrs, lambda, words, base, out, pending, listed, tables);
    (0, 0)
}

/// Without a compiler that builds the AVX-512 form: nothing done.
#[rustversion::before(1.89)]
#[allow(clippy::too_many_arguments)]
pub(super) fn bounded_if_available(
    _ptrs: &[[f64; 5]],
    _lambda: &[f64],
    _words: &[u64],
    _base: Option<&[f64]>,
    _out: &mut [f64],
    _pending: &mut [u32],
    _listed: usize,
    _tables: BoundTables<'_>,
) -> (usize, usize) {
    (0, 0)
}

/// Eight listed paths a step, each lane through the operations of `ptrs_bounded` in the same
/// order (so the same bits), its rows' values gathered by the path's index and its result
/// scattered back: the candidate as the squeeze forms it, the ratio `v inv_alpha / (a / us^2
/// + b)`, `ln k!` gathered from its table (any entry for a candidate outside it: the lane is
/// then not accepted), the bounds on the ratio's logarithm from its bits and the table of
/// `ln(1 + j / 128)`, and the comparisons as ordered ones (false for a NaN, as Rust's are). A
/// step whose indices are not all within the rows is left to the portable loop.
///
/// # Safety
/// The processor must have AVX-512F, AVX-512DQ and AVX-512VL (the list's eight 32-bit indices
/// are compared and compressed in a 256-bit register).
#[rustversion::since(1.89)]
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl")]
#[allow(clippy::too_many_arguments)]
unsafe fn bounded(
    ptrs: &[[f64; 5]],
    lambda: &[f64],
    words: &[u64],
    base: Option<&[f64]>,
    out: &mut [f64],
    pending: &mut [u32],
    listed: usize,
    (ln_factorials, ln_parts): BoundTables<'_>,
) -> (usize, usize) {
    use super::{
        LN_BOUND_MARGIN, LN_FACTORIAL_TABLE, LN_PARTS, PMF_ABSOLUTE_MARGIN, PMF_RELATIVE_MARGIN,
        PTRS_US_SMALL,
    };
    use std::arch::x86_64::*;
    /// Where the part of an octave starts in a double's bits (`ln_bounds_given`).
    const PART_SHIFT: u32 = 52 - LN_PARTS.trailing_zeros();
    let mut rows = ptrs
        .len()
        .min(lambda.len())
        .min(out.len())
        .min(words.len() / 2);
    if let Some(base) = base {
        rows = rows.min(base.len());
    }
    // Indices are 32-bit lanes, five per path for the constants.
    if rows >= (i32::MAX / 8) as usize || ln_factorials.len() != LN_FACTORIAL_TABLE {
        return (0, 0);
    }
    let listed = listed.min(pending.len()) / 8 * 8;
    let zero = _mm512_setzero_pd();
    let (us_low, table_len, last_entry) = (
        _mm512_set1_pd(PTRS_US_SMALL),
        _mm512_set1_pd(LN_FACTORIAL_TABLE as f64),
        _mm512_set1_epi64(LN_FACTORIAL_TABLE as i64 - 1),
    );
    let (rel, abs, margin, ln_2) = (
        _mm512_set1_pd(PMF_RELATIVE_MARGIN),
        _mm512_set1_pd(PMF_ABSOLUTE_MARGIN),
        _mm512_set1_pd(LN_BOUND_MARGIN),
        _mm512_set1_pd(std::f64::consts::LN_2),
    );
    let (exponent_bias, part_mask, one_index) = (
        _mm512_set1_epi64(1023),
        _mm512_set1_epi64(LN_PARTS as i64 - 1),
        _mm512_set1_epi64(1),
    );
    let (max_exponent, rows_lane) = (_mm512_set1_epi64(0x7ff), _mm256_set1_epi32(rows as i32));
    let constants: *const f64 = ptrs.as_ptr().cast();
    let mut kept = 0usize;
    let mut j = 0usize;
    while j < listed {
        // SAFETY: `j + 8 <= listed <= pending.len()`; an unaligned load.
        let paths = unsafe { _mm256_loadu_si256(pending.as_ptr().add(j).cast()) };
        if _mm256_cmplt_epu32_mask(paths, rows_lane) != 0xff {
            break;
        }
        let twice = _mm256_add_epi32(paths, paths);
        let fives = _mm256_add_epi32(_mm256_slli_epi32::<2>(paths), paths);
        // SAFETY: every index is below `rows`: the words `2 p` and `2 p + 1` are within
        // `words`, the constants from `5 p` to `5 p + 4` within `ptrs`, and the rate and base
        // within their rows.
        let (first, second, lam, b, a, inv_alpha, ln_lambda, bases) = unsafe {
            let w: *const u64 = words.as_ptr();
            (
                _mm512_i32gather_epi64::<8>(twice, w.cast()),
                _mm512_i32gather_epi64::<8>(twice, w.add(1).cast()),
                _mm512_i32gather_pd::<8>(paths, lambda.as_ptr()),
                _mm512_i32gather_pd::<8>(fives, constants),
                _mm512_i32gather_pd::<8>(fives, constants.add(1)),
                _mm512_i32gather_pd::<8>(fives, constants.add(2)),
                _mm512_i32gather_pd::<8>(fives, constants.add(4)),
                match base {
                    Some(base) => _mm512_i32gather_pd::<8>(paths, base.as_ptr()),
                    None => zero,
                },
            )
        };
        let Candidate { v, us, k, .. } = candidate(first, second, a, b, lam);
        // `floor_near`'s range goes unchecked, as in `ptrs_bounded`: beyond it the candidate is
        // far outside the table.
        let eligible = _mm512_cmp_pd_mask::<_CMP_GE_OQ>(k, zero)
            & !(_mm512_cmp_pd_mask::<_CMP_LT_OQ>(us, us_low)
                & _mm512_cmp_pd_mask::<_CMP_GT_OQ>(v, us));
        let ratio = _mm512_div_pd(
            _mm512_mul_pd(v, inv_alpha),
            _mm512_add_pd(_mm512_div_pd(a, _mm512_mul_pd(us, us)), b),
        );
        let in_table = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(k, table_len);
        // Any entry for a candidate outside the table (NaN and out of range convert to
        // 2^63, negative ones to their two's complement: both above the last entry unsigned).
        let index = _mm512_min_epu64(_mm512_cvttpd_epi64(k), last_entry);
        // SAFETY: `index` is at most the table's last entry.
        let ln_factorial = unsafe { _mm512_i64gather_pd::<8>(index, ln_factorials.as_ptr()) };
        // `ln_pmf_bounds_given`'s low bound.
        let k_ln_lambda = _mm512_mul_pd(k, ln_lambda);
        let value = _mm512_sub_pd(_mm512_sub_pd(k_ln_lambda, lam), ln_factorial);
        let spread = _mm512_add_pd(_mm512_add_pd(_mm512_abs_pd(k_ln_lambda), lam), ln_factorial);
        let low = _mm512_sub_pd(value, _mm512_add_pd(_mm512_mul_pd(rel, spread), abs));
        // `ln_bounds_given`'s high bound, from the ratio's bits.
        let bits = _mm512_castpd_si512(ratio);
        let exponent = _mm512_sub_epi64(_mm512_srli_epi64::<52>(bits), exponent_bias);
        let part = _mm512_and_si512(_mm512_srli_epi64::<PART_SHIFT>(bits), part_mask);
        let octave = _mm512_mul_pd(_mm512_cvtepi64_pd(exponent), ln_2);
        // SAFETY: `part + 1 <= 128`, within the table of 129.
        let next_part = unsafe {
            _mm512_i64gather_pd::<8>(_mm512_add_epi64(part, one_index), ln_parts.as_ptr())
        };
        let ratio_high = _mm512_add_pd(_mm512_add_pd(octave, next_part), margin);
        // `is_normal() & (ratio > 0.0)`.
        let biased = _mm512_and_si512(_mm512_srli_epi64::<52>(bits), max_exponent);
        let normal = _mm512_cmp_epi64_mask::<_MM_CMPINT_NE>(biased, _mm512_setzero_si512())
            & _mm512_cmp_epi64_mask::<_MM_CMPINT_NE>(biased, max_exponent)
            & _mm512_cmp_pd_mask::<_CMP_GT_OQ>(ratio, zero);
        let accepted =
            eligible & in_table & normal & _mm512_cmp_pd_mask::<_CMP_LE_OQ>(ratio_high, low);
        let left = !accepted;
        let keeping = _mm256_maskz_compress_epi32(left, paths);
        // SAFETY: every index is below `rows`, within `out`; `kept <= j` (at most one kept per
        // entry before), so the eight words at `kept` end by `j + 8 <= listed`, within
        // `pending`, and the entries from `j` were loaded already.
        unsafe {
            _mm512_i32scatter_pd::<8>(out.as_mut_ptr(), paths, _mm512_add_pd(bases, k));
            _mm256_storeu_si256(pending.as_mut_ptr().add(kept).cast(), keeping);
        }
        kept += left.count_ones() as usize;
        j += 8;
    }
    (j, kept)
}
