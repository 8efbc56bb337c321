//! Mean and variance that merge exactly in a fixed order (Chan, Golub & LeVeque 1979).

/// Running count, mean and sum of squared deviations.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Moments {
    /// Number of values.
    pub count: u64,
    /// Their mean.
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
}

impl Moments {
    /// Moments of a slice, computed in two passes for accuracy. Each pass sums in four
    /// interleaved lanes (a fixed order, so the result is still deterministic) because one
    /// running sum is a dependency chain that costs a full add latency per value.
    pub fn of(values: &[f64]) -> Self {
        if values.is_empty() {
            return Moments::default();
        }
        Self::with_sum(values, lane_sum(values, |x| x))
    }

    /// [`Moments::of`] when the lane sum of `values` (as [`super::scan::ChunkScan`] computes
    /// it) is already known: the same result, bit for bit, with one pass fewer.
    pub fn with_sum(values: &[f64], sum: f64) -> Self {
        if values.is_empty() {
            return Moments::default();
        }
        let n = values.len() as f64;
        let mean = sum / n;
        let m2 = lane_sum(values, |x| (x - mean) * (x - mean));
        Moments {
            count: values.len() as u64,
            mean,
            m2,
        }
    }

    /// Merges `other` into `self` (pairwise update of Chan et al.).
    pub fn merge(&mut self, other: &Moments) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        let n = (self.count + other.count) as f64;
        let delta = other.mean - self.mean;
        let weight = other.count as f64 / n;
        self.mean += delta * weight;
        self.m2 += other.m2 + delta * delta * self.count as f64 * weight;
        self.count += other.count;
    }

    /// Sample variance (n - 1 in the denominator); 0 for fewer than two values.
    pub fn variance(&self) -> f64 {
        if self.count > 1 {
            self.m2 / (self.count - 1) as f64
        } else {
            0.0
        }
    }

    /// Sample standard deviation (n - 1 in the denominator); 0 for fewer than two values.
    pub fn sd(&self) -> f64 {
        if self.count < 2 {
            0.0
        } else {
            (self.m2 / (self.count - 1) as f64).max(0.0).sqrt()
        }
    }
}

/// `sum f(x)` over `values` in four interleaved lanes, added up as `(l0 + l1) + (l2 + l3)`.
#[inline]
fn lane_sum(values: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut lanes = [0.0f64; 4];
    let mut blocks = values.chunks_exact(4);
    for block in &mut blocks {
        for k in 0..4 {
            lanes[k] += f(block[k]);
        }
    }
    for &v in blocks.remainder() {
        lanes[0] += f(v);
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_equals_whole() {
        let values: Vec<f64> = (0..1000)
            .map(|i| ((i * 37) % 101) as f64 * 0.5 - 7.0)
            .collect();
        let whole = Moments::of(&values);
        let mut merged = Moments::default();
        for chunk in values.chunks(77) {
            merged.merge(&Moments::of(chunk));
        }
        assert!((whole.mean - merged.mean).abs() < 1e-12);
        assert!((whole.sd() - merged.sd()).abs() < 1e-10);
    }

    #[test]
    fn variance_is_the_sample_variance() {
        let m = Moments::of(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m.variance(), m.m2 / 3.0);
        assert!((m.variance() - 5.0 / 3.0).abs() < 1e-15);
        assert_eq!(Moments::of(&[7.0]).variance(), 0.0);
        assert_eq!(Moments::default().variance(), 0.0);
    }
}
