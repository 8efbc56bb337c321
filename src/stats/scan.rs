//! One pass over a chunk of values that gives what both the moments and the quantile sketch
//! need first: the sum (for the mean) and the smallest and largest value (for the sketch's
//! bucket range). Recording a cell then costs this pass, the squared-deviation pass and the
//! bucket-count pass, instead of four.

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
    /// Scans `values` in four interleaved lanes (no dependency chain from one value to the
    /// next, so the loop runs at the adders' throughput and vectorises).
    pub fn of(values: &[f64]) -> Self {
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

    #[test]
    fn non_finite_values_make_the_sum_non_finite() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut values = vec![1.0; 9];
            values[5] = bad;
            assert!(!ChunkScan::of(&values).sum.is_finite());
        }
    }
}
