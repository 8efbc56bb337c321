//! A fixed-width histogram of a target's outcome, built from its quantile sketch after the run,
//! so that the outcome-distribution chart can be redrawn from `summary.json` alone.
//!
//! The range covers the central 99% of paths and the threshold (when it is within three times
//! that width, so a far-off threshold does not squash the distribution; the chart then says
//! where it is). Each sketch bucket's count is spread over the bins its value range overlaps,
//! and bins are never narrower than twice a bucket (0.8% of the value), so the shape carries no
//! artefacts of the sketch's log buckets. Whole-number outcomes with a small range and values
//! below 128 (where a sketch bucket holds one whole number) get one bin per whole number.

use crate::stats::sketch::Sketch;
use serde::{Deserialize, Serialize};

/// Most bins drawn.
pub const MAX_BINS: usize = 60;
/// Fewest bins for a continuous quantity with any spread.
pub const MIN_BINS: usize = 12;

/// Share of paths in equal-width bins.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Histogram {
    /// Left edge of the first bin.
    pub start: f64,
    /// Width of every bin.
    pub width: f64,
    /// Share of all paths in each bin (the bins and the two tails add up to 1).
    pub shares: Vec<f64>,
    /// Share of paths left of `start`.
    pub below: f64,
    /// Share of paths right of the last bin.
    pub above: f64,
    /// True when each bin holds one whole number (its centre): a count's outcome.
    #[serde(default)]
    pub whole_numbers: bool,
}

impl Histogram {
    /// Right edge of the last bin.
    pub fn end(&self) -> f64 {
        self.start + self.width * self.shares.len() as f64
    }

    /// The histogram of `sketch`'s values, with `threshold` in range where sensible; `whole`
    /// marks a quantity that takes whole numbers only.
    pub fn of(sketch: &Sketch, threshold: f64, whole: bool) -> Option<Histogram> {
        let n = sketch.count();
        if n == 0 {
            return None;
        }
        let (q_lo, q_hi) = (sketch.quantile(0.005), sketch.quantile(0.995));
        let span = q_hi - q_lo;
        if !span.is_finite() || q_lo.abs().max(q_hi.abs()) > 1e300 {
            // Values beyond the range a histogram's bins can divide (issue 13): no histogram.
            return None;
        }
        let (mut lo, mut hi) = (q_lo, q_hi);
        let reach = 3.0 * span.max(q_lo.abs().max(q_hi.abs()) * 0.01);
        if threshold.is_finite() && threshold >= lo - reach && threshold <= hi + reach {
            lo = lo.min(threshold);
            hi = hi.max(threshold);
        }
        // One bar per whole number only where every sketch bucket is narrower than one unit
        // (magnitudes below 128), so each bucket holds a single whole number.
        let magnitude = lo.abs().max(hi.abs());
        let one_per_whole_number = whole
            && hi - lo <= MAX_BINS as f64 - 2.0
            && magnitude < crate::stats::sketch::BUCKETS_PER_OCTAVE as f64;
        let (start, width, bins) = if one_per_whole_number {
            let start = lo.floor() - 0.5;
            let bins = (hi.ceil() - lo.floor()) as usize + 1;
            (start, 1.0, bins)
        } else {
            let mut range = hi - lo;
            if range <= magnitude * 1e-9 || range <= 0.0 {
                // One value in every path: a narrow window around it.
                range = (magnitude * 0.02).max(1e-9);
                lo -= range / 2.0;
                hi += range / 2.0;
            }
            let pad = range * 0.04;
            let (lo, hi) = (lo - pad, hi + pad);
            let min_width = magnitude * 2.0 / 128.0;
            let bins = ((hi - lo) / min_width)
                .floor()
                .clamp(MIN_BINS as f64, MAX_BINS as f64);
            let bins = bins as usize;
            (lo, (hi - lo) / bins as f64, bins)
        };
        let end = start + width * bins as f64;
        let mut counts = vec![0.0; bins];
        let (mut below, mut above) = (0.0, 0.0);
        let mut add_point = |x: f64, c: f64, counts: &mut Vec<f64>| {
            if x < start {
                below += c;
            } else if x >= end {
                above += c;
            } else {
                let k = (((x - start) / width) as usize).min(bins - 1);
                counts[k] += c;
            }
        };
        for (a, b, c) in sketch.buckets() {
            let c = c as f64;
            if one_per_whole_number || b <= a {
                // A bucket narrower than one unit holds one whole number.
                let at = if one_per_whole_number {
                    (0.5 * (a + b)).round()
                } else {
                    a
                };
                add_point(at, c, &mut counts);
                continue;
            }
            // Spread the bucket's count over [a, b) in proportion to overlap.
            let left = a.max(start);
            let right = b.min(end);
            if a < start {
                add_point(a, c * ((start.min(b) - a) / (b - a)), &mut counts);
            }
            if b > end {
                add_point(end, c * ((b - end.max(a)) / (b - a)), &mut counts);
            }
            if right > left {
                let first = (((left - start) / width) as usize).min(bins - 1);
                let last = (((right - start) / width) as usize).min(bins - 1);
                for (k, slot) in counts.iter_mut().enumerate().take(last + 1).skip(first) {
                    let (bin_lo, bin_hi) =
                        (start + k as f64 * width, start + (k + 1) as f64 * width);
                    let overlap = right.min(bin_hi) - left.max(bin_lo);
                    if overlap > 0.0 {
                        *slot += c * overlap / (b - a);
                    }
                }
            }
        }
        let total = n as f64;
        Some(Histogram {
            start,
            width,
            shares: counts.iter().map(|c| c / total).collect(),
            below: below / total,
            above: above / total,
            whole_numbers: one_per_whole_number,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_to_one_and_follow_the_data() {
        // 10 000 evenly spread values on [10, 20): every bin of the central part holds about
        // its width's share.
        let values: Vec<f64> = (0..10_000).map(|i| 10.0 + i as f64 * 0.001).collect();
        let mut sketch = Sketch::new();
        sketch.extend(&values);
        let h = Histogram::of(&sketch, 15.0, false).unwrap();
        let total: f64 = h.shares.iter().sum::<f64>() + h.below + h.above;
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        let middle = ((15.0 - h.start) / h.width) as usize;
        let expected = h.width / 10.0;
        assert!(
            (h.shares[middle] - expected).abs() < 0.2 * expected,
            "{h:?}"
        );
    }

    #[test]
    fn whole_numbers_get_one_bin_each() {
        let values: Vec<f64> = (0..1000).map(|i| (i % 7) as f64 + 3.0).collect();
        let mut sketch = Sketch::new();
        sketch.extend(&values);
        let h = Histogram::of(&sketch, 12.0, true).unwrap();
        assert_eq!(h.width, 1.0);
        assert!(h.whole_numbers);
        assert_eq!(h.start, 2.5);
        assert_eq!(h.shares.len(), 10); // 3..=12
        let share_of_5 = h.shares[2];
        assert!((share_of_5 - 143.0 / 1000.0).abs() < 1e-12, "{h:?}");
        assert_eq!(h.shares[9], 0.0);
    }

    #[test]
    fn large_whole_numbers_are_spread_evenly_not_aliased() {
        // Counts 600..=800, evenly: sketch buckets are about 5 units wide here, wider than one
        // whole number, so bins are continuous and every inner bin holds about its share.
        let values: Vec<f64> = (0..20_100).map(|i| 600.0 + (i % 201) as f64).collect();
        let mut sketch = Sketch::new();
        sketch.extend(&values);
        let h = Histogram::of(&sketch, 700.0, true).unwrap();
        assert!(!h.whole_numbers);
        let expected = h.width / 201.0;
        let inner = &h.shares[2..h.shares.len() - 2];
        for share in inner {
            assert!(
                (share - expected).abs() < 0.08 * expected,
                "{share} vs {expected}: {h:?}"
            );
        }
    }

    #[test]
    fn far_threshold_does_not_squash_the_distribution() {
        let values: Vec<f64> = (0..1000).map(|i| 1.0 + i as f64 * 0.0001).collect();
        let mut sketch = Sketch::new();
        sketch.extend(&values);
        let h = Histogram::of(&sketch, 1000.0, false).unwrap();
        assert!(h.end() < 2.0, "{h:?}");
    }
}
