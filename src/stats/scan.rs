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
/// finite values of both signs; a finite value's magnitude is below `i64::MAX`). Compiled for
/// AVX2 when the processor has it, where the minima and maxima of 64-bit integers take vector
/// registers (baseline x86-64 has no 64-bit comparison in them); integer minima and maxima, so
/// the same result either way.
pub fn bucketed_magnitude_ranges(values: &[f64], threshold: f64) -> [u64; 4] {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, the one feature the function is compiled for.
        return unsafe { bucketed_magnitude_ranges_avx2(values, threshold) };
    }
    bucketed_magnitude_ranges_portable(values, threshold)
}

/// [`bucketed_magnitude_ranges`] compiled for AVX2.
///
/// # Safety
/// The processor must have AVX2. (Unsafe rather than a safe function with the target feature,
/// which needs Rust 1.86; the crate builds with 1.85.)
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn bucketed_magnitude_ranges_avx2(values: &[f64], threshold: f64) -> [u64; 4] {
    bucketed_magnitude_ranges_portable(values, threshold)
}

/// The portable form of [`bucketed_magnitude_ranges`]: each bound in four lanes of signed
/// integers (a finite value's magnitude is below 2^63, and `i64::MAX` is above every one), so
/// that the loop is one the compiler widens.
#[inline(always)]
fn bucketed_magnitude_ranges_portable(values: &[f64], threshold: f64) -> [u64; 4] {
    let smallest = threshold.to_bits() as i64;
    let mut lo_pos = [i64::MAX; 4];
    let mut hi_pos = [0i64; 4];
    let mut lo_neg = [i64::MAX; 4];
    let mut hi_neg = [0i64; 4];
    // Bound k of the four lanes takes the values at positions k modulo 4 (and the last few).
    let candidates = |v: f64| {
        let bits = v.to_bits() as i64;
        let magnitude = bits & i64::MAX;
        let bucketed = magnitude >= smallest;
        let (pos, neg) = (bucketed & (bits >= 0), bucketed & (bits < 0));
        (
            if pos { magnitude } else { i64::MAX },
            if pos { magnitude } else { 0 },
            if neg { magnitude } else { i64::MAX },
            if neg { magnitude } else { 0 },
        )
    };
    let mut blocks = values.chunks_exact(4);
    for block in &mut blocks {
        for k in 0..4 {
            let (a, b, c, d) = candidates(block[k]);
            lo_pos[k] = lo_pos[k].min(a);
            hi_pos[k] = hi_pos[k].max(b);
            lo_neg[k] = lo_neg[k].min(c);
            hi_neg[k] = hi_neg[k].max(d);
        }
    }
    for &v in blocks.remainder() {
        let (a, b, c, d) = candidates(v);
        lo_pos[0] = lo_pos[0].min(a);
        hi_pos[0] = hi_pos[0].max(b);
        lo_neg[0] = lo_neg[0].min(c);
        hi_neg[0] = hi_neg[0].max(d);
    }
    let least = |lanes: [i64; 4]| match lanes.into_iter().min() {
        Some(i64::MAX) | None => u64::MAX,
        Some(m) => m as u64,
    };
    let most = |lanes: [i64; 4]| lanes.into_iter().max().unwrap_or(0) as u64;
    [least(lo_pos), most(hi_pos), least(lo_neg), most(hi_neg)]
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
/// does not on baseline x86-64).
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
    let mut least = [f64::INFINITY; 4];
    let mut blocks = values.chunks_exact(4);
    for block in &mut blocks {
        for k in 0..4 {
            least[k] = lower(least[k], block[k]);
        }
    }
    for &v in blocks.remainder() {
        least[0] = lower(least[0], v);
    }
    least[0].min(least[1]).min(least[2].min(least[3]))
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
}
