//! Binomial proportions: the Monte Carlo standard error and the Wilson score interval.

/// The 0.975 quantile of the standard normal (two-sided 95%).
pub const Z95: f64 = 1.959_963_984_540_054;

/// A proportion k/n with its Monte Carlo uncertainty.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Proportion {
    /// k / n.
    pub estimate: f64,
    /// sqrt(p (1 - p) / n).
    pub std_error: f64,
    /// Lower end of the 95% Wilson interval.
    pub lower: f64,
    /// Upper end of the 95% Wilson interval.
    pub upper: f64,
}

/// The estimate, standard error and 95% Wilson score interval of k successes in n trials
/// (E. B. Wilson, JASA 22, 1927; see Brown, Cai & DasGupta, Stat. Sci. 16, 2001). For n = 0 the
/// proportion is undefined and reported as NaN with the interval [0, 1].
///
/// ```
/// use plancast::stats::interval::wilson;
/// let p = wilson(81, 263);
/// assert!((p.estimate - 0.30798).abs() < 1e-5);
/// assert!(p.lower < p.estimate && p.estimate < p.upper);
/// assert_eq!(wilson(0, 50).lower, 0.0);
/// ```
pub fn wilson(k: u64, n: u64) -> Proportion {
    if n == 0 {
        return Proportion {
            estimate: f64::NAN,
            std_error: f64::NAN,
            lower: 0.0,
            upper: 1.0,
        };
    }
    let nf = n as f64;
    let p = k as f64 / nf;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = Z95 * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    Proportion {
        estimate: p,
        std_error: (p * (1.0 - p) / nf).sqrt(),
        // At k = 0 or k = n the Wilson bound is exactly 0 or 1; rounding must not move it.
        lower: if k == 0 {
            0.0
        } else {
            (centre - half).max(0.0)
        },
        upper: if k == n {
            1.0
        } else {
            (centre + half).min(1.0)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_reference_values() {
        // Reference: Wilson score interval for 81 of 263 (Wikipedia "Binomial proportion
        // confidence interval", and R binom::binom.wilson(81, 263)): [0.2553, 0.3662].
        let p = wilson(81, 263);
        assert!((p.lower - 0.2553).abs() < 5e-4, "{p:?}");
        assert!((p.upper - 0.3662).abs() < 5e-4, "{p:?}");
        let all = wilson(10, 10);
        assert_eq!(all.upper, 1.0);
        assert!(all.lower > 0.69 && all.lower < 0.73); // 10/(10+z^2) = 0.7225
        let none = wilson(0, 10);
        assert_eq!(none.lower, 0.0);
    }
}
