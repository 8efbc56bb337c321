//! The Poisson alias tables behind `numeric::poisson::poisson` for rates below 64
//! (`numeric::poisson_table`): the probabilities each table encodes, against the exact pmf
//! computed another way, `exp(k ln(lambda) - lambda - ln k!)` with `ln k!` summed from
//! logarithms. The stated bound is 1e-13 absolute at every k (the reference itself carries
//! errors of about 1e-14 for rates near 64: its exponent is a difference of terms near 250),
//! and the tables leave out less than 1e-13 of the mass. The sampler's distribution itself is
//! checked by the chi-square test in `tests/dist_quantiles.rs`.

use plancast::numeric::poisson_table::{tabulated_pmf, TABLE_LAMBDA_MAX};

#[test]
fn alias_tables_match_the_exact_pmf() {
    let mut worst = 0.0f64;
    let mut lambda = 0.0;
    while lambda < TABLE_LAMBDA_MAX {
        let table = tabulated_pmf(lambda);
        let (mut ln_fact, mut covered) = (0.0f64, 0.0f64);
        for (k, &p) in table.iter().enumerate() {
            if k > 0 {
                ln_fact += (k as f64).ln();
            }
            let exact = if lambda == 0.0 {
                if k == 0 {
                    1.0
                } else {
                    0.0
                }
            } else {
                (k as f64 * lambda.ln() - lambda - ln_fact).exp()
            };
            covered += exact;
            worst = worst.max((p - exact).abs());
        }
        assert!(
            1.0 - covered < 1e-13,
            "lambda = {lambda}: {} of the mass left out",
            1.0 - covered
        );
        lambda += 0.25;
    }
    eprintln!("largest pmf error of the alias tables: {worst:e}");
    assert!(worst <= 1e-13, "largest pmf error {worst:e}");
}

/// Rates off the grid, so that the residual part `Poisson(d)`, `0 < d < 1/4`, is exercised
/// (the chi-square test of `tests/dist_quantiles.rs` uses rates on the grid). For each rate,
/// 400,000 draws with a fixed seed: the mean within 4 standard errors of lambda, and the
/// frequency of every value k with an expected count of at least 100 within 4 standard errors
/// (binomial, sqrt(n p (1 - p))) of the exact pmf.
#[test]
fn off_grid_rates_draw_the_exact_pmf() {
    use plancast::numeric::poisson::poisson;
    use rand::SeedableRng;
    const N: usize = 400_000;
    for (case, &lambda) in [0.1, 0.2499, 2.13, 7.96, 37.7, 63.99, 1.93]
        .iter()
        .enumerate()
    {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(0x5EED + case as u64);
        let mut counts = vec![0u64; 200];
        let mut sum = 0.0;
        for _ in 0..N {
            let k = poisson(&mut rng, lambda);
            sum += k;
            counts[(k as usize).min(199)] += 1;
        }
        let n = N as f64;
        let mean = sum / n;
        assert!(
            (mean - lambda).abs() <= 4.0 * (lambda / n).sqrt(),
            "lambda = {lambda}: mean {mean}"
        );
        let mut ln_fact = 0.0f64;
        for (k, &observed) in counts.iter().enumerate().take(199) {
            if k > 0 {
                ln_fact += (k as f64).ln();
            }
            let p = (k as f64 * lambda.ln() - lambda - ln_fact).exp();
            if n * p < 100.0 {
                continue;
            }
            let se = (n * p * (1.0 - p)).sqrt();
            assert!(
                (observed as f64 - n * p).abs() <= 4.0 * se,
                "lambda = {lambda}, k = {k}: {observed} draws, expected {:.1} (4 SE = {:.1})",
                n * p,
                4.0 * se
            );
        }
    }
}
