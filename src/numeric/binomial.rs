//! Exits of a count indicator: binomial thinning of the previous year's stock (scenario spec,
//! section 2: `D_t ~ Binomial(X_{t-1}, q)`).

use rand::Rng;
use rand_distr::{Binomial, Distribution as _};

/// Largest stock thinned unit by unit: beyond 2^53 a count is no longer a whole `f64`, and the
/// binomial's relative spread (below 1e-8) is far under the Monte Carlo error, so the stock keeps
/// its expectation `(1 − q)·X`.
const LARGEST_EXACT: f64 = 9_007_199_254_740_992.0;

/// The units of a stock of `previous` (a whole number) that stay for another year when each
/// leaves with probability `exit`: a draw of `previous − Binomial(previous, exit)`.
///
/// `previous` is whole because the scenario checks that an indicator with an exit share has a
/// whole base and whole observations, and Poisson additions are whole. A stock of 0 or an exit
/// share of 0 draws nothing.
pub fn survivors<R: Rng>(rng: &mut R, previous: f64, exit: f64) -> f64 {
    if previous <= 0.0 || exit <= 0.0 {
        return previous.max(0.0);
    }
    if previous >= LARGEST_EXACT || previous.is_nan() {
        return previous * (1.0 - exit);
    }
    let units = previous as u64;
    match Binomial::new(units, exit) {
        Ok(binomial) => (units - binomial.sample(rng).min(units)) as f64,
        // Unreachable for a share in [0, 1); keep the expectation rather than panic.
        Err(_) => previous * (1.0 - exit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Binomial(n, p) probabilities, for the goodness-of-fit tests: the ratio recurrence run
    /// both ways from the mode (so nothing underflows before it matters), then normalised.
    fn binomial_pmf(n: u64, p: f64) -> Vec<f64> {
        let n_f = n as f64;
        let mode = (((n_f + 1.0) * p).floor() as usize).min(n as usize);
        let mut pmf = vec![0.0; n as usize + 1];
        pmf[mode] = 1.0;
        for k in mode + 1..=n as usize {
            pmf[k] = pmf[k - 1] * (n_f - k as f64 + 1.0) / k as f64 * p / (1.0 - p);
        }
        for k in (0..mode).rev() {
            pmf[k] = pmf[k + 1] * (k as f64 + 1.0) / (n_f - k as f64) * (1.0 - p) / p;
        }
        let total: f64 = pmf.iter().sum();
        pmf.iter().map(|x| x / total).collect()
    }

    /// Chi-square statistic of `counts` against `pmf` (cells with expected count below 5
    /// pooled into their neighbour), with its degrees of freedom.
    fn chi_square(counts: &[u64], pmf: &[f64], draws: u64) -> (f64, usize) {
        let (mut stat, mut cells) = (0.0, 0usize);
        let (mut observed, mut expected) = (0.0, 0.0);
        for (&c, &p) in counts.iter().zip(pmf) {
            observed += c as f64;
            expected += p * draws as f64;
            if expected >= 5.0 {
                stat += (observed - expected).powi(2) / expected;
                cells += 1;
                observed = 0.0;
                expected = 0.0;
            }
        }
        if expected > 0.0 {
            stat += (observed - expected).powi(2) / expected.max(1e-300);
            cells += 1;
        }
        (stat, cells.saturating_sub(1))
    }

    #[test]
    fn survivors_follow_the_exact_binomial() {
        // Small (inversion) and large (BTPE) stocks, both against the exact pmf; the 0.1%
        // critical value of chi-square is below df + 4.5·sqrt(2 df) for these df.
        for (n, q) in [(12u64, 0.3), (3000u64, 0.08)] {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(17 + n);
            let draws = 200_000u64;
            let mut counts = vec![0u64; n as usize + 1];
            for _ in 0..draws {
                let s = survivors(&mut rng, n as f64, q);
                assert_eq!(s.fract(), 0.0);
                counts[s as usize] += 1;
            }
            let pmf = binomial_pmf(n, 1.0 - q);
            let (stat, df) = chi_square(&counts, &pmf, draws);
            let critical = df as f64 + 4.5 * (2.0 * df as f64).sqrt();
            assert!(stat < critical, "n {n}: chi-square {stat} on {df} df");
        }
    }

    #[test]
    fn nothing_to_thin_draws_nothing() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let before = rng.clone();
        assert_eq!(survivors(&mut rng, 0.0, 0.2), 0.0);
        assert_eq!(survivors(&mut rng, 40.0, 0.0), 40.0);
        assert_eq!(rng, before);
        assert_eq!(survivors(&mut rng, 1e300, 0.5), 5e299);
    }
}
