//! The Poisson CDF tables behind `model::dist::poisson` for rates below 64
//! (`model::poisson_table`), against the exact CDF computed another way: each pmf term as
//! `exp(k ln(lambda) - lambda - ln k!)` with `ln k!` summed from logarithms, and the CDF as
//! the sum of those terms. The stated bound is 1e-13 absolute at every k (the reference itself
//! carries errors of about 1e-14 for rates near 64: its exponent is a difference of terms near
//! 250). The sampler's
//! distribution itself is checked by the chi-square test in `tests/dist_quantiles.rs`.

use plancast::model::poisson_table::{cdf_table, TABLE_LAMBDA_MAX};

#[test]
fn cdf_tables_match_the_exact_cdf() {
    let mut worst = 0.0f64;
    let mut lambda = 0.0;
    while lambda < TABLE_LAMBDA_MAX {
        let table = cdf_table(lambda);
        let (mut ln_fact, mut cum) = (0.0f64, 0.0f64);
        for (k, &entry) in table.iter().enumerate() {
            if k > 0 {
                ln_fact += (k as f64).ln();
            }
            let ln_pmf = if lambda == 0.0 {
                if k == 0 {
                    0.0
                } else {
                    f64::NEG_INFINITY
                }
            } else {
                k as f64 * lambda.ln() - lambda - ln_fact
            };
            cum += ln_pmf.exp();
            worst = worst.max((entry - cum.min(1.0)).abs());
        }
        // The table stops only where the rest of the mass is negligible.
        assert!(
            1.0 - cum < 1e-13,
            "lambda = {lambda}: {} of the mass left out",
            1.0 - cum
        );
        lambda += 0.25;
    }
    eprintln!("largest CDF table error: {worst:e}");
    assert!(worst <= 1e-13, "largest CDF table error {worst:e}");
}
