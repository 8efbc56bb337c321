//! Exact Poisson draws: alias tables by additivity for small rates ([`super::poisson_table`]),
//! Hörmann's PTRS (1993) above, with the log-pmf in the saddle-point form of Loader (2000).

use super::beta::stirling_remainder;
use super::normal::LN_SQRT_2PI;
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

/// Draws a Poisson(`lambda`) variate (`lambda >= 0`; `lambda == 0` gives 0) from `rng`,
/// returned as an `f64` holding an integer. Exact in distribution and deterministic for a given
/// generator state; NaN if `lambda` is negative, NaN or infinite.
///
/// For `lambda < 64`: two random words, by additivity over a grid of alias tables
/// ([`super::poisson_table`]). For `lambda >= 64`: Hörmann's PTRS (1993, "The transformed
/// rejection method for generating Poisson random variables", Insurance: Mathematics and
/// Economics 12), about 1.1 pairs of uniforms per draw.
///
/// The table path is inlined into the caller and PTRS kept out of line: the engine draws one
/// count per path and year, and a call that saves and restores the registers PTRS needs cost
/// about a third of each table draw.
#[inline]
pub fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> f64 {
    // One comparison covers 0 <= lambda < 64; NaN fails it.
    if (0.0..super::poisson_table::TABLE_LAMBDA_MAX).contains(&lambda) {
        return if lambda == 0.0 {
            0.0
        } else {
            super::poisson_table::sample(rng, lambda)
        };
    }
    poisson_large(rng, lambda)
}

/// `out[p] = poisson(rng, lambdas[p])` for every `p` in turn: the same draws, bit for bit.
///
/// The generator is worked on as a local copy that is only ever passed by reference to the
/// rare out-of-line path (itself on a copy), so its state stays in registers through the loop
/// instead of going through memory on every word drawn.
pub fn poisson_fill<R: Rng + Clone>(rng: &mut R, lambdas: &[f64], out: &mut [f64]) {
    let mut local = rng.clone();
    let sampler = super::poisson_table::Sampler::new();
    for (o, &lambda) in out.iter_mut().zip(lambdas) {
        *o = if (0.0..super::poisson_table::TABLE_LAMBDA_MAX).contains(&lambda) {
            if lambda == 0.0 {
                0.0
            } else {
                sampler.sample(&mut local, lambda)
            }
        } else {
            let mut spill = local.clone();
            let k = poisson_large(&mut spill, lambda);
            local = spill;
            k
        };
    }
    *rng = local;
}

/// [`poisson`] for `lambda >= 64` (PTRS), or NaN for a negative, NaN or infinite `lambda`.
#[cold]
#[inline(never)]
fn poisson_large<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> f64 {
    if !(lambda >= 0.0 && lambda.is_finite()) {
        return f64::NAN;
    }
    let slam = lambda.sqrt();
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let v_r = 0.9277 - 3.6224 / (b - 2.0);
    // Computed on the first draw that needs the exact test.
    let mut ln_lambda = f64::NAN;
    loop {
        let u = rng.random::<f64>() - 0.5;
        let v: f64 = rng.random();
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + lambda + 0.43).floor();
        if us >= 0.07 && v <= v_r {
            return k;
        }
        if k.is_nan() || k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        if ln_lambda.is_nan() {
            ln_lambda = lambda.ln();
        }
        // ln(v) + ln(inv_alpha) - ln(a / us^2 + b), as one logarithm.
        if (v * inv_alpha / (a / (us * us) + b)).ln() <= ln_poisson_pmf(k, lambda, ln_lambda) {
            return k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_edge_cases() {
        use rand::SeedableRng;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
        assert_eq!(poisson(&mut rng, 0.0), 0.0);
        assert!(poisson(&mut rng, -1.0).is_nan());
        assert!(poisson(&mut rng, f64::NAN).is_nan());
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
        use rand::SeedableRng;
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
        let mut r1 = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let mut r2 = r1.clone();
        let mut filled = vec![0.0; lambdas.len()];
        poisson_fill(&mut r1, &lambdas, &mut filled);
        let one_by_one: Vec<f64> = lambdas.iter().map(|&l| poisson(&mut r2, l)).collect();
        for (a, b) in filled.iter().zip(&one_by_one) {
            assert!(a == b || (a.is_nan() && b.is_nan()), "{a} vs {b}");
        }
        // The generators end in the same state.
        assert_eq!(r1, r2);
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
