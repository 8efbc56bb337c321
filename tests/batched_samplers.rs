//! The engine's batched samplers against their exact distributions, with fixed seeds and
//! tolerances of 4 Monte Carlo standard errors (chi-square at the 0.999 level):
//! - standard normals of `Stream::fill_normals` (the ziggurat of `numeric::ziggurat` fed a block
//!   of words at a time): mean, variance, fourth moment, 100 equiprobable bins, and the mass
//!   beyond the ziggurat's base (the tail method);
//! - Poisson draws of `poisson_fill_words` as the engine makes them (the words of a row drawn as
//!   one block, rates prepared and kept from row to row), for rates of each method: the alias
//!   tables (below 1/4 the residual alone; rows all below 64), and PTRS in rows that mix both.

use plancast::engine::rng::{stream, Purpose};
use plancast::numeric::normal::{norm_cdf, norm_quantile};
use plancast::numeric::poisson::{poisson_fill_words, PreparedRates};

/// Start of the ziggurat's tail.
const R: f64 = 3.654_152_885_361_009;

#[test]
fn batched_normals_have_the_standard_normal_distribution() {
    const N: usize = 1_000_000;
    let mut s = stream(2026, 3, Purpose::Noise, 17);
    let mut draws = vec![0.0; N];
    // Rows of several lengths, as the engine's chunks have.
    let mut at = 0;
    for len in [1024usize, 1000, 7, 256, 255, 3000].iter().cycle() {
        let end = (at + len).min(N);
        s.fill_normals(&mut draws[at..end]);
        at = end;
        if at == N {
            break;
        }
    }
    let n = N as f64;
    let mean = draws.iter().sum::<f64>() / n;
    assert!(mean.abs() <= 4.0 / n.sqrt(), "mean {mean}");
    let var = draws.iter().map(|z| (z - mean) * (z - mean)).sum::<f64>() / (n - 1.0);
    // Var(z^2) = 2.
    assert!(
        (var - 1.0).abs() <= 4.0 * (2.0 / n).sqrt(),
        "variance {var}"
    );
    // E z^4 = 3, Var(z^4) = 105 - 9.
    let m4 = draws.iter().map(|z| z.powi(4)).sum::<f64>() / n;
    assert!(
        (m4 - 3.0).abs() <= 4.0 * (96.0 / n).sqrt(),
        "fourth moment {m4}"
    );

    // 100 equiprobable bins; scipy.stats.chi2.ppf(0.999, 99) = 148.23.
    let edges: Vec<f64> = (1..100).map(|j| norm_quantile(j as f64 / 100.0)).collect();
    let mut counts = [0.0f64; 100];
    for &z in &draws {
        counts[edges.partition_point(|&e| e <= z)] += 1.0;
    }
    let expected = n / 100.0;
    let chi2: f64 = counts
        .iter()
        .map(|&o| (o - expected) * (o - expected) / expected)
        .sum();
    assert!(chi2 < 148.23, "chi-square {chi2} over 100 bins");

    // The tail beyond R, on each side, and beyond 4.5 (drawn only by the tail method).
    for threshold in [R, 4.5] {
        let p = norm_cdf(-threshold);
        let se = (n * p * (1.0 - p)).sqrt();
        let upper = draws.iter().filter(|&&z| z > threshold).count() as f64;
        let lower = draws.iter().filter(|&&z| z < -threshold).count() as f64;
        for (side, observed) in [("upper", upper), ("lower", lower)] {
            assert!(
                (observed - n * p).abs() <= 4.0 * se.max(1.0),
                "{side} tail beyond {threshold}: {observed}, expected {:.1}",
                n * p
            );
        }
    }
}

/// ln P(X = k) for X ~ Poisson(lambda), with ln k! summed from logarithms.
fn ln_pmf(lambda: f64, k: usize) -> f64 {
    let ln_fact: f64 = (1..=k).map(|j| (j as f64).ln()).sum();
    k as f64 * lambda.ln() - lambda - ln_fact
}

#[test]
fn batched_poisson_rows_draw_the_exact_pmf() {
    // Rates for each method, side by side in every row: the table of rate 0 and the residual,
    // alias tables, PTRS.
    const RATES: [f64; 6] = [0.07, 0.6, 1.97, 6.5, 41.3, 150.0];
    const ROWS: usize = 400;
    const ROW: usize = 1020;
    let lambdas: Vec<f64> = (0..ROW).map(|p| RATES[p % RATES.len()]).collect();
    let mut s = stream(7, 0, Purpose::Count, 99);
    let mut prepared = PreparedRates::new(ROW);
    let mut words = vec![0u64; 2 * ROW];
    let mut out = vec![0.0; ROW];
    let mut counts = vec![vec![0u64; 400]; RATES.len()];
    for _ in 0..ROWS {
        s.fill_words(&mut words);
        poisson_fill_words(&mut s, &mut prepared, &lambdas, &words, &mut out);
        for (p, &k) in out.iter().enumerate() {
            assert!(k >= 0.0 && k.fract() == 0.0, "{k}");
            counts[p % RATES.len()][(k as usize).min(399)] += 1;
        }
    }
    // Rows of rates below 64 only take the tables-only loop: a second set of rows.
    let small: Vec<f64> = (0..ROW).map(|p| [0.07, 1.97][p % 2]).collect();
    let mut small_counts = vec![vec![0u64; 400]; 2];
    for _ in 0..ROWS {
        s.fill_words(&mut words);
        poisson_fill_words(&mut s, &mut prepared, &small, &words, &mut out);
        for (p, &k) in out.iter().enumerate() {
            small_counts[p % 2][(k as usize).min(399)] += 1;
        }
    }
    let n = (ROWS * ROW / RATES.len()) as f64;
    let mut cases: Vec<(f64, &Vec<u64>, f64)> =
        RATES.iter().zip(&counts).map(|(&l, c)| (l, c, n)).collect();
    let half = (ROWS * ROW / 2) as f64;
    cases.push((0.07, &small_counts[0], half));
    cases.push((1.97, &small_counts[1], half));
    for (lambda, counts, n) in cases {
        let mean = counts
            .iter()
            .enumerate()
            .map(|(k, &c)| k as f64 * c as f64)
            .sum::<f64>()
            / n;
        assert!(
            (mean - lambda).abs() <= 4.0 * (lambda / n).sqrt(),
            "lambda = {lambda}: mean {mean}"
        );
        for (k, &observed) in counts.iter().enumerate().take(399) {
            let p = ln_pmf(lambda, k).exp();
            if n * p < 100.0 {
                continue;
            }
            let se = (n * p * (1.0 - p)).sqrt();
            assert!(
                (observed as f64 - n * p).abs() <= 4.0 * se,
                "lambda = {lambda}, k = {k}: {observed} draws, expected {:.1}",
                n * p
            );
        }
        // The upper tail (k >= 8) for the largest small rate.
        if lambda == 1.97 {
            let p: f64 = 1.0 - (0..8).map(|k| ln_pmf(lambda, k).exp()).sum::<f64>();
            let observed: u64 = counts[8..].iter().sum();
            let se = (n * p * (1.0 - p)).sqrt();
            assert!(
                (observed as f64 - n * p).abs() <= 4.0 * se,
                "lambda = {lambda}: {observed} draws of 8 or more, expected {:.1}",
                n * p
            );
        }
    }
}
