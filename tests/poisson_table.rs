//! The Poisson alias tables behind `model::dist::poisson` for rates below 64
//! (`model::poisson_table`): the probabilities each table encodes, against the exact pmf
//! computed another way, `exp(k ln(lambda) - lambda - ln k!)` with `ln k!` summed from
//! logarithms. The stated bound is 1e-13 absolute at every k (the reference itself carries
//! errors of about 1e-14 for rates near 64: its exponent is a difference of terms near 250),
//! and the tables leave out less than 1e-13 of the mass. The sampler's distribution itself is
//! checked by the chi-square test in `tests/dist_quantiles.rs`.

use plancast::model::poisson_table::{tabulated_pmf, TABLE_LAMBDA_MAX};

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
