//! One pass over a chunk of values that gives what both the moments and the quantile sketch
//! need first: the sum (for the mean) and the smallest and largest value (for the sketch's
//! bucket range). Recording a cell then costs this pass, the squared-deviation pass and the
//! bucket-count pass, instead of four. Also the passes that narrow the sketch's bucket range
//! when the values hold zeros or both signs.

/// Sum, minimum and maximum of a slice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChunkScan {
    /// Sum in four interleaved lanes, added up as `(l0 + l1) + (l2 + l3)`: the same order (and
    /// so the same bits) as [`super::moments::Moments::of`]. Finite exactly when every value is
    /// finite, unless finite values overflow the sum.
    pub sum: f64,
    /// Smallest value; meaningful only when `sum` is finite (a NaN may be skipped).
    pub min: f64,
    /// Largest value; meaningful only when `sum` is finite.
    pub max: f64,
}

impl ChunkScan {
    /// Scans `values`: the sum in four interleaved lanes (no dependency chain from one value to
    /// the next but the lane's own, so the loop runs at the adders' throughput and vectorises),
    /// the minimum and maximum in eight (a comparison's latency is twice an addition's, so four
    /// lanes of them were the loop's critical path).
    ///
    /// The same bits as [`ChunkScan::of_in_four_lanes`], always: a smallest or largest value
    /// that is not zero compares equal only to copies of its own bits (and a NaN never replaces
    /// a lane's value), so it is the same whatever order the lanes meet the values in; when
    /// either is a zero (of either sign: which one the four lanes keep depends on the order),
    /// the four lanes decide.
    pub fn of(values: &[f64]) -> Self {
        let whole = values.len() / 8 * 8;
        let (mut sum, mut min, mut max) = scan_in_eights(&values[..whole]);
        let rest = &values[whole..];
        let (four, single) = rest.split_at(rest.len() / 4 * 4);
        for (k, &v) in four.iter().enumerate() {
            sum[k] += v;
            min[k] = if v < min[k] { v } else { min[k] };
            max[k] = if v > max[k] { v } else { max[k] };
        }
        for &v in single {
            sum[0] += v;
            min[0] = if v < min[0] { v } else { min[0] };
            max[0] = if v > max[0] { v } else { max[0] };
        }
        let sum = (sum[0] + sum[1]) + (sum[2] + sum[3]);
        let min = min
            .into_iter()
            .fold(f64::INFINITY, |a, b| if b < a { b } else { a });
        let max = max
            .into_iter()
            .fold(f64::NEG_INFINITY, |a, b| if b > a { b } else { a });
        if min == 0.0 || max == 0.0 {
            return Self::of_in_four_lanes(values);
        }
        ChunkScan { sum, min, max }
    }

    /// [`ChunkScan::of`] with the minimum and maximum in the same four lanes as the sum: the
    /// definition of its result (and the form it takes for zeros and non-finite sums).
    pub fn of_in_four_lanes(values: &[f64]) -> Self {
        let mut sum = [0.0f64; 4];
        let mut min = [f64::INFINITY; 4];
        let mut max = [f64::NEG_INFINITY; 4];
        let mut blocks = values.chunks_exact(4);
        for block in &mut blocks {
            for k in 0..4 {
                let v = block[k];
                sum[k] += v;
                // Written as comparisons (not `f64::min`) so that they compile to one
                // min/max instruction; NaN handling does not matter here (see `min`).
                min[k] = if v < min[k] { v } else { min[k] };
                max[k] = if v > max[k] { v } else { max[k] };
            }
        }
        for &v in blocks.remainder() {
            sum[0] += v;
            min[0] = if v < min[0] { v } else { min[0] };
            max[0] = if v > max[0] { v } else { max[0] };
        }
        ChunkScan {
            sum: (sum[0] + sum[1]) + (sum[2] + sum[3]),
            min: min[0].min(min[1]).min(min[2].min(min[3])),
            max: max[0].max(max[1]).max(max[2].max(max[3])),
        }
    }
}

/// The four sum lanes and eight minimum and maximum lanes of [`ChunkScan::of`] over `values`, a
/// multiple of eight long: compiled for AVX2 when the processor has it (the sum's four lanes
/// one 256-bit register, the extremes' eight two), otherwise for the baseline's 128-bit
/// registers. The same operations in the same order either way, so the same bits.
fn scan_in_eights(values: &[f64]) -> ([f64; 4], [f64; 8], [f64; 8]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, the one feature the function is compiled for.
        return unsafe { scan_in_eights_avx2(values) };
    }
    scan_in_eights_portable(values)
}

/// [`scan_in_eights`] compiled for AVX2: about 0.18 ns a value against 0.30 for the baseline's
/// registers (rows of 1,024 timed alone). Not AVX-512: 512-bit registers were slower (0.23).
///
/// # Safety
/// The processor must have AVX2. (Unsafe rather than a safe function with the target feature,
/// which needs Rust 1.86; the crate builds with 1.85.)
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn scan_in_eights_avx2(values: &[f64]) -> ([f64; 4], [f64; 8], [f64; 8]) {
    scan_in_eights_portable(values)
}

/// The portable form of [`scan_in_eights`] (a loop of its own, which the compiler keeps in
/// registers).
#[inline(always)]
fn scan_in_eights_portable(values: &[f64]) -> ([f64; 4], [f64; 8], [f64; 8]) {
    let mut sum = [0.0f64; 4];
    let mut min = [f64::INFINITY; 8];
    let mut max = [f64::NEG_INFINITY; 8];
    for block in values.chunks_exact(8) {
        for k in 0..8 {
            let v = block[k];
            // Lane k % 4 adds block[k] before block[k + 4]: the four lanes' order.
            sum[k % 4] += v;
            min[k] = if v < min[k] { v } else { min[k] };
            max[k] = if v > max[k] { v } else { max[k] };
        }
    }
    (sum, min, max)
}

/// The smallest and largest magnitude (as bits) of the positive values whose magnitude is at
/// least `threshold` (a positive number), then of the negative ones: `[lo_pos, hi_pos, lo_neg,
/// hi_neg]`, a sign's pair `(u64::MAX, 0)` when it has none (the sketch's bucket ranges for
/// values of both signs). Eight values a register with AVX-512 when the processor has it (and
/// the compiler could build it), the rest one by one: integer minima and maxima, so the same
/// result in any order.
pub fn bucketed_magnitude_ranges(values: &[f64], threshold: f64) -> [u64; 4] {
    let smallest = threshold.to_bits();
    let (done, mut bounds) = wide::bucketed_magnitude_ranges_if_available(values, smallest)
        .unwrap_or((0, [u64::MAX, 0, u64::MAX, 0]));
    for &v in &values[done..] {
        let bits = v.to_bits();
        let magnitude = bits & (u64::MAX >> 1);
        let bucketed = magnitude >= smallest;
        let (pos, neg) = (bucketed & (bits >> 63 == 0), bucketed & (bits >> 63 == 1));
        // Selects, not branches: the signs of a row of rates change at random.
        bounds[0] = bounds[0].min(if pos { magnitude } else { u64::MAX });
        bounds[1] = bounds[1].max(if pos { magnitude } else { 0 });
        bounds[2] = bounds[2].min(if neg { magnitude } else { u64::MAX });
        bounds[3] = bounds[3].max(if neg { magnitude } else { 0 });
    }
    bounds
}

/// The AVX-512 form of [`bucketed_magnitude_ranges`], built by compilers from Rust 1.89 (whose
/// AVX-512 intrinsics it uses). Compiled for AVX2 by the compiler, the loop kept its bounds on
/// the stack and was no faster than one value at a time.
mod wide {
    /// The bounds of the first values (a multiple of eight) with AVX-512 if the processor has
    /// it: `(values done, bounds)`, the rest the caller's; `None` otherwise.
    #[rustversion::since(1.89)]
    pub(super) fn bucketed_magnitude_ranges_if_available(
        values: &[f64],
        smallest: u64,
    ) -> Option<(usize, [u64; 4])> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has AVX-512F, the one feature the function is compiled for.
            return Some(unsafe { bucketed_magnitude_ranges(values, smallest) });
        }
        let _ = (values, smallest);
        None
    }

    /// Without a compiler that builds the AVX-512 form: nothing done.
    #[rustversion::before(1.89)]
    pub(super) fn bucketed_magnitude_ranges_if_available(
        _values: &[f64],
        _smallest: u64,
    ) -> Option<(usize, [u64; 4])> {
        None
    }

    /// Eight values a step: each sign's bucketed values as a mask, and the four bounds as
    /// masked unsigned minima and maxima of the magnitudes, eight lanes each, folded at the
    /// end.
    ///
    /// # Safety
    /// The processor must have AVX-512F.
    #[rustversion::since(1.89)]
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn bucketed_magnitude_ranges(values: &[f64], smallest: u64) -> (usize, [u64; 4]) {
        use std::arch::x86_64::*;
        let n = values.len() / 8 * 8;
        let magnitude_bits = _mm512_set1_epi64((u64::MAX >> 1) as i64);
        let least = _mm512_set1_epi64(smallest as i64);
        let (none_low, none_high) = (_mm512_set1_epi64(-1), _mm512_setzero_si512());
        let (mut lo_pos, mut hi_pos) = (none_low, none_high);
        let (mut lo_neg, mut hi_neg) = (none_low, none_high);
        for block in values[..n].chunks_exact(8) {
            // SAFETY: `block` is eight f64 (64 bytes) of readable memory; an unaligned load.
            let bits = unsafe { _mm512_loadu_si512(block.as_ptr().cast()) };
            let magnitude = _mm512_and_si512(bits, magnitude_bits);
            let bucketed = _mm512_cmpge_epu64_mask(magnitude, least);
            let negative = _mm512_cmplt_epi64_mask(bits, none_high);
            let (pos, neg) = (bucketed & !negative, bucketed & negative);
            lo_pos = _mm512_mask_min_epu64(lo_pos, pos, lo_pos, magnitude);
            hi_pos = _mm512_mask_max_epu64(hi_pos, pos, hi_pos, magnitude);
            lo_neg = _mm512_mask_min_epu64(lo_neg, neg, lo_neg, magnitude);
            hi_neg = _mm512_mask_max_epu64(hi_neg, neg, hi_neg, magnitude);
        }
        let lanes = |v: __m512i| {
            let mut out = [0u64; 8];
            // SAFETY: `out` is eight u64 (64 bytes) of writable memory; an unaligned store.
            unsafe { _mm512_storeu_si512(out.as_mut_ptr().cast(), v) };
            out
        };
        let min = |v: __m512i| lanes(v).into_iter().min().unwrap_or(u64::MAX);
        let max = |v: __m512i| lanes(v).into_iter().max().unwrap_or(0);
        (n, [min(lo_pos), max(hi_pos), min(lo_neg), max(hi_neg)])
    }
}

/// The smallest value from `threshold` on (`+inf` when there is none), as floating-point minima
/// in four lanes: compiled for AVX2 when the processor has it, as [`ChunkScan::of`] is; the
/// minimum of the same values either way. (The sketch's lower bucket for values that are
/// zeros or positive.)
pub fn least_from(values: &[f64], threshold: f64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, the one feature the function is compiled for.
        return unsafe { least_from_avx2(values, threshold) };
    }
    least_from_portable(values, threshold)
}

/// [`least_from`] compiled for AVX2.
///
/// # Safety
/// The processor must have AVX2. (Unsafe rather than a safe function with the target feature,
/// which needs Rust 1.86; the crate builds with 1.85.)
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn least_from_avx2(values: &[f64], threshold: f64) -> f64 {
    least_from_portable(values, threshold)
}

/// The portable form of [`least_from`] (a loop that vectorises, where a minimum of bit patterns
/// does not on baseline x86-64). Eight lanes: the candidates are positive or infinite (a NaN
/// is never one), so their minimum is the same in any order.
#[inline(always)]
fn least_from_portable(values: &[f64], threshold: f64) -> f64 {
    let lower = |least: f64, v: f64| {
        let candidate = if v >= threshold { v } else { f64::INFINITY };
        if candidate < least {
            candidate
        } else {
            least
        }
    };
    let mut least = [f64::INFINITY; 8];
    let mut blocks = values.chunks_exact(8);
    for block in &mut blocks {
        for k in 0..8 {
            least[k] = lower(least[k], block[k]);
        }
    }
    for &v in blocks.remainder() {
        least[0] = lower(least[0], v);
    }
    least.into_iter().fold(f64::INFINITY, lower)
}

/// The position of the first value that is not finite, if any. First one pass without a
/// branch (a finite `v` gives `v * 0 = ±0`, an infinite or NaN one a NaN, which every later
/// sum of its lane keeps), in sixteen lanes that the compiler widens (compiled for AVX2 when the
/// processor has it); the search by position only when that finds one. The same answer as
/// `values.iter().position(|v| !v.is_finite())`, whose early exit keeps it a value at a time.
pub fn first_non_finite(values: &[f64]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    let all_finite = if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, the one feature the function is compiled for.
        unsafe { all_finite_avx2(values) }
    } else {
        all_finite(values)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let all_finite = all_finite(values);
    if all_finite {
        return None;
    }
    values.iter().position(|v| !v.is_finite())
}

/// [`all_finite`] compiled for AVX2.
///
/// # Safety
/// The processor must have AVX2. (Unsafe rather than a safe function with the target feature,
/// which needs Rust 1.86; the crate builds with 1.85.)
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn all_finite_avx2(values: &[f64]) -> bool {
    all_finite(values)
}

/// Whether every value is finite, as [`first_non_finite`]'s first pass decides it.
#[inline(always)]
fn all_finite(values: &[f64]) -> bool {
    const LANES: usize = 16;
    let mut lanes = [0.0f64; LANES];
    for block in values.chunks_exact(LANES) {
        for k in 0..LANES {
            lanes[k] += block[k] * 0.0;
        }
    }
    let rest = values.len() / LANES * LANES;
    lanes.iter().all(|&lane| lane == 0.0) && values[rest..].iter().all(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::moments::Moments;

    #[test]
    fn sum_min_max_match_direct_computation() {
        for len in [1usize, 3, 4, 7, 1024] {
            let values: Vec<f64> = (0..len)
                .map(|i| ((i * 7919) % 1013) as f64 * 0.37 - 50.0)
                .collect();
            let scan = ChunkScan::of(&values);
            let moments = Moments::of(&values);
            assert_eq!(scan.sum / len as f64, moments.mean, "len {len}");
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            assert_eq!((scan.min, scan.max), (min, max), "len {len}");
        }
    }

    /// SplitMix64's finaliser: well-spread test values from a counter.
    fn scramble(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The bits of every field (NaN's payload aside: any NaN is the same NaN here).
    fn bits(scan: ChunkScan) -> [u64; 3] {
        [scan.sum, scan.min, scan.max].map(|v| if v.is_nan() { 1 } else { v.to_bits() })
    }

    #[test]
    fn eight_lanes_give_the_four_lanes_bits() {
        // Every length up to 40 and round the chunk's (remainders of 0..8, blocks of four
        // left over or not), values of both signs and both zeros at varied positions.
        let special = [0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
        for len in (0..=40).chain([1021, 1023, 1024, 1025, 1031]) {
            for case in 0..40u64 {
                let mut values: Vec<f64> = (0..len as u64)
                    .map(|i| {
                        let h = scramble(case * 1_000_003 + i);
                        (h % 2001) as f64 * 0.25 - 250.0 * (case % 3) as f64
                    })
                    .collect();
                if len > 0 && case >= 10 {
                    // One to three special values, so that the smallest or largest is a zero
                    // of either sign (or the sum is not finite).
                    for j in 0..(case % 3 + 1) {
                        let h = scramble(case ^ (j << 32));
                        let at = (h % len as u64) as usize;
                        values[at] = special[((h >> 20) % special.len() as u64) as usize];
                    }
                    if case % 4 == 0 {
                        values.iter_mut().for_each(|v| *v = v.abs());
                    }
                    if case % 4 == 1 {
                        values.iter_mut().for_each(|v| *v = -v.abs());
                    }
                }
                assert_eq!(
                    bits(ChunkScan::of(&values)),
                    bits(ChunkScan::of_in_four_lanes(&values)),
                    "len {len}, case {case}: {values:?}"
                );
            }
        }
        // Every arrangement of nine values from {+0, -0, 1, -1}: which zero is the extreme
        // depends on the order the lanes meet them.
        let choices = [0.0, -0.0, 1.0, -1.0];
        for code in 0..4u32.pow(9) {
            let values: Vec<f64> = (0..9)
                .map(|d| choices[(code / 4u32.pow(d) % 4) as usize])
                .collect();
            assert_eq!(
                bits(ChunkScan::of(&values)),
                bits(ChunkScan::of_in_four_lanes(&values)),
                "{values:?}"
            );
        }
    }

    #[test]
    fn non_finite_values_make_the_sum_non_finite() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut values = vec![1.0; 9];
            values[5] = bad;
            assert!(!ChunkScan::of(&values).sum.is_finite());
        }
    }

    /// The ranges and the least value from a threshold against the loops written out, for
    /// every length up to 40 and round 1,024, with zeros of both signs, values just below, at
    /// and above the threshold, of both signs, at varied positions.
    #[test]
    fn bucket_bounds_are_the_written_out_minima_and_maxima() {
        let threshold = 1e-300;
        let special = [
            0.0,
            -0.0,
            threshold,
            -threshold,
            threshold * 0.5,
            -threshold * 0.5,
            f64::MAX,
            -f64::MAX,
        ];
        for len in (0..=40).chain([1021, 1024, 1027]) {
            for case in 0..30u64 {
                let mut values: Vec<f64> = (0..len as u64)
                    .map(|i| {
                        let h = scramble(case * 7_919 + i);
                        let v = (h % 4001) as f64 * 0.125;
                        match case % 3 {
                            0 => v,
                            1 => -v,
                            _ => v - 250.0,
                        }
                    })
                    .collect();
                for j in 0..(case % 5) {
                    if len > 0 {
                        let h = scramble(case ^ (j << 40));
                        values[(h % len as u64) as usize] =
                            special[((h >> 24) % special.len() as u64) as usize];
                    }
                }
                let (mut lo_pos, mut hi_pos, mut lo_neg, mut hi_neg) = (u64::MAX, 0, u64::MAX, 0);
                let mut least = f64::INFINITY;
                for &v in &values {
                    let magnitude = v.to_bits() & (u64::MAX >> 1);
                    if magnitude >= threshold.to_bits() {
                        if v.is_sign_positive() {
                            lo_pos = lo_pos.min(magnitude);
                            hi_pos = hi_pos.max(magnitude);
                        } else {
                            lo_neg = lo_neg.min(magnitude);
                            hi_neg = hi_neg.max(magnitude);
                        }
                    }
                    if v >= threshold {
                        least = least.min(v);
                    }
                }
                assert_eq!(
                    bucketed_magnitude_ranges(&values, threshold),
                    [lo_pos, hi_pos, lo_neg, hi_neg],
                    "len {len}, case {case}: {values:?}"
                );
                assert_eq!(
                    least_from(&values, threshold).to_bits(),
                    least.to_bits(),
                    "len {len}, case {case}"
                );
            }
        }
    }

    #[test]
    fn the_first_non_finite_value_is_found_by_position() {
        for len in (0..=40).chain([1023, 1024, 1025]) {
            for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                let mut values: Vec<f64> = (0..len).map(|i| i as f64 * 1.5 - 7.0).collect();
                if len > 0 {
                    values[len / 3] = f64::MAX;
                    values[len - 1] = -f64::MAX;
                }
                assert_eq!(first_non_finite(&values), None, "len {len}");
                for at in [0, len / 2, len.saturating_sub(1)] {
                    if at < len {
                        let mut with = values.clone();
                        with[at] = bad;
                        with[len - 1 - (len - 1 - at) / 2] = bad;
                        assert_eq!(
                            first_non_finite(&with),
                            with.iter().position(|v| !v.is_finite()),
                            "len {len}, at {at}"
                        );
                        assert!(first_non_finite(&with).is_some());
                    }
                }
            }
        }
    }
}
