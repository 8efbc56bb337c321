//! Posterior trends (scenario spec, section 10) against independent answers: conjugate normal
//! updates, Gaussian conditioning written out in the test (nalgebra), reference integrals, and a
//! rejection sampler that simulates counts from the plan's start and keeps only the paths that
//! reproduce the observations. Every tolerance is 4 Monte Carlo standard errors at a fixed seed.

mod common;

use common::*;
use nalgebra::{DMatrix, DVector};
use plancast::numeric::normal::norm_cdf;
use rand::SeedableRng;
use rand_distr::{Distribution, Poisson, StandardNormal};

const N: u64 = 200_000;

/// P(N(mean, var) >= threshold).
fn normal_upper(mean: f64, var: f64, threshold: f64) -> f64 {
    1.0 - norm_cdf((threshold - mean) / var.sqrt())
}

/// The distribution of `q = a_q + b_q . xi` given `d = a_d + B_d xi = observed`, xi ~ N(0, I).
fn condition(
    a_d: &DVector<f64>,
    b_d: &DMatrix<f64>,
    observed: &DVector<f64>,
    a_q: f64,
    b_q: &DVector<f64>,
) -> (f64, f64) {
    let s_dd = b_d * b_d.transpose();
    let s_qd = b_d * b_q; // Cov(d, q)
    let inv = s_dd.try_inverse().unwrap();
    let mean = a_q + (s_qd.transpose() * &inv * (observed - a_d))[(0, 0)];
    let var = b_q.dot(b_q) - (s_qd.transpose() * &inv * &s_qd)[(0, 0)];
    (mean, var)
}

/// Rows of the AR(1) shocks as linear maps of `n` iid standard normals, as the engine builds
/// them: e_1 = noise z_1, e_t = phi e_{t-1} + sqrt(1 - phi^2) noise z_t.
fn ar1_rows(noise: f64, phi: f64, n: usize) -> DMatrix<f64> {
    let mut l = DMatrix::zeros(n, n);
    for t in 0..n {
        if t == 0 {
            l[(0, 0)] = noise;
        } else {
            for c in 0..t {
                l[(t, c)] = phi * l[(t - 1, c)];
            }
            l[(t, t)] = (1.0 - phi * phi).sqrt() * noise;
        }
    }
    l
}

fn with_sampling(text: &str, sampling: &str) -> String {
    text.replace(
        "horizon = 2025",
        &format!("horizon = 2025\nsampling = \"{sampling}\""),
    )
}

#[test]
fn additive_normal_trend_iid_noise_is_the_conjugate_normal() {
    // d_t = T + e_t, T ~ N(2, 1), e_t ~ N(0, 1.5^2) iid. Observed increments 3.1, 2.4, 3.9
    // (levels 3.1, 5.5, 9.4). Posterior T ~ N(m, v): 1/v = 1/1 + 3/2.25, m = v (2 + 9.4/2.25).
    // X_2025 = 9.4 + 2T + e_2024 + e_2025 ~ N(9.4 + 2m, 4v + 2 * 2.25).
    let text = header("additive-conjugate")
        + r#"
[indicators.x]
name = "x"
model = "additive"
base = 0
observed = { 2021 = 3.1, 2022 = 5.5, 2023 = 9.4 }
step = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 2, sd = 1 }, noise = 1.5 }]

[[targets]]
id = "level"
indicator = "x"
year = 2025
at_least = 15.5
"#;
    let v = 1.0 / (1.0 + 3.0 / 2.25);
    let m = v * (2.0 + 9.4 / 2.25);
    let exact = normal_upper(9.4 + 2.0 * m, 4.0 * v + 2.0 * 2.25, 15.5);
    for sampling in ["random", "lhs", "sobol"] {
        let s = run_text(&with_sampling(&text, sampling), N, 3, 2);
        assert_within_4se(
            &format!("additive conjugate ({sampling})"),
            target(&s, "level").probability,
            exact,
            N,
        );
    }
    // With `update = "none"` the trend keeps its prior: N(9.4 + 4, 4 + 2 * 2.25).
    let none = text.replace("horizon = 2025", "horizon = 2025\nupdate = \"none\"");
    let s = run_text(&none, N, 3, 2);
    assert_within_4se(
        "additive, update none",
        target(&s, "level").probability,
        normal_upper(13.4, 4.0 + 4.5, 15.5),
        N,
    );
}

#[test]
fn additive_normal_trend_ar1_noise_conditions_the_carried_shock() {
    // xi = (w, z_1..z_5): T = 2 + w, e = L z (AR(1), phi 0.6, noise 1.2). Observations at
    // 2021 and 2023 only (a two-year gap: the sum of two increments), and 2024.
    // d = (T + e_1, 2T + e_2 + e_3, T + e_4); q = X_2025 - X_2024 = T + e_5.
    let phi = 0.6;
    let noise = 1.2;
    let text = header("additive-ar1")
        + &format!(
            r#"
[indicators.x]
name = "x"
model = "additive"
base = 10
observed = {{ 2021 = 13.0, 2023 = 16.1, 2024 = 19.5 }}
step = [{{ from = 2021, to = 2025, trend = {{ dist = "normal", mean = 2, sd = 1 }}, noise = {noise}, persistence = {phi} }}]

[[targets]]
id = "level"
indicator = "x"
year = 2025
at_least = 22.5
"#
        );
    let l = ar1_rows(noise, phi, 5);
    let mut b_d = DMatrix::zeros(3, 6);
    let rows: [&[usize]; 3] = [&[0], &[1, 2], &[3]];
    for (j, years) in rows.iter().enumerate() {
        b_d[(j, 0)] = years.len() as f64;
        for &t in years.iter() {
            for c in 0..5 {
                b_d[(j, 1 + c)] += l[(t, c)];
            }
        }
    }
    let a_d = DVector::from_vec(vec![2.0, 4.0, 2.0]);
    let observed = DVector::from_vec(vec![3.0, 3.1, 3.4]);
    let mut b_q = DVector::zeros(6);
    b_q[0] = 1.0;
    for c in 0..5 {
        b_q[1 + c] = l[(4, c)];
    }
    let (mean, var) = condition(&a_d, &b_d, &observed, 2.0, &b_q);
    let exact = normal_upper(19.5 + mean, var, 22.5);
    for sampling in ["random", "lhs"] {
        let s = run_text(&with_sampling(&text, sampling), N, 5, 2);
        assert_within_4se(
            &format!("additive AR(1) ({sampling})"),
            target(&s, "level").probability,
            exact,
            N,
        );
    }
}

#[test]
fn growth_normal_trend_and_noise_conjugate_trend_level_by_integration() {
    // r_t = T + e_t, T ~ N(6, 2^2), e_t ~ N(0, 1.5^2). Observed levels 100 -> 109 -> 115.54 ->
    // 122.4: rates 9, 6, 5.936... Posterior T ~ N(m, v) (conjugate in the rates). Then
    // X_2025 = 122.4 (1 + (T + e_1)/100)(1 + (T + e_2)/100); P(X >= 138) by a reference
    // integral over (T, e_1) with e_2's normal tail in closed form.
    let text = header("growth-conjugate")
        + r#"
[indicators.x]
name = "x"
model = "growth"
base = 100
observed = { 2021 = 109, 2022 = 115.54, 2023 = 122.4 }
growth = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 6, sd = 2 }, noise = 1.5 }]

[[targets]]
id = "level"
indicator = "x"
year = 2025
at_least = 138
"#;
    let levels = [100.0, 109.0, 115.54, 122.4];
    let rates: Vec<f64> = levels
        .windows(2)
        .map(|w| 100.0 * (w[1] / w[0] - 1.0))
        .collect();
    let s2 = 1.5f64 * 1.5;
    let v = 1.0 / (1.0 / 4.0 + 3.0 / s2);
    let m = v * (6.0 / 4.0 + rates.iter().sum::<f64>() / s2);
    let c = 138.0 / 122.4;
    // Midpoint rule on +-9 sd in both dimensions.
    let cells = 1500;
    let (mut total, mut weight) = (0.0, 0.0);
    for i in 0..cells {
        let zt = -9.0 + 18.0 * (i as f64 + 0.5) / cells as f64;
        let t = m + v.sqrt() * zt;
        for k in 0..cells {
            let z1 = -9.0 + 18.0 * (k as f64 + 0.5) / cells as f64;
            let w = (-0.5 * (zt * zt + z1 * z1)).exp();
            let g1 = 1.0 + (t + 1.5 * z1) / 100.0;
            // (1 + (T + e_2)/100) >= c / g1  <=>  e_2 >= 100 (c / g1 - 1) - T.
            let need = 100.0 * (c / g1 - 1.0) - t;
            total += w * (1.0 - norm_cdf(need / 1.5));
            weight += w;
        }
    }
    let exact = total / weight;
    let s = run_text(&text, N, 7, 2);
    assert_within_4se(
        "growth conjugate",
        target(&s, "level").probability,
        exact,
        N,
    );
}

/// P(Poisson(mu) >= k).
fn poisson_upper(mu: f64, k: i64) -> f64 {
    if k <= 0 {
        return 1.0;
    }
    let mut term = (-mu).exp();
    let mut cdf = term;
    for j in 1..k {
        term *= mu / j as f64;
        cdf += term;
    }
    (1.0 - cdf).max(0.0)
}

#[test]
fn count_with_lognormal_rate_by_numerical_integral() {
    // lambda ~ lognormal(mean 4, sd 2); additions 2021: 7, 2022: 9 (levels 7, 16).
    // Posterior density of lambda ∝ LN(lambda) lambda^16 e^(-2 lambda); X_2025 = 16 + Pois(3
    // lambda); P(X >= 35) = ∫ P(Pois(3 lambda) >= 19) post(lambda) by the midpoint rule in
    // log lambda.
    let text = header("count-lognormal")
        + r#"
[indicators.x]
name = "x"
model = "count"
base = 0
observed = { 2021 = 7, 2022 = 16 }
rate = [{ from = 2021, to = 2025, trend = { dist = "lognormal", mean = 4, sd = 2 } }]

[[targets]]
id = "level"
indicator = "x"
year = 2025
at_least = 35
"#;
    let sigma2 = (1.0f64 + (2.0f64 / 4.0).powi(2)).ln();
    let mu = 4f64.ln() - 0.5 * sigma2;
    let cells = 20_000;
    let (mut total, mut weight) = (0.0, 0.0);
    for i in 0..cells {
        let x = mu - 10.0 * sigma2.sqrt() + 20.0 * sigma2.sqrt() * (i as f64 + 0.5) / cells as f64;
        let lambda = x.exp();
        // Prior of log lambda is normal; the likelihood in lambda.
        let log_w = -0.5 * (x - mu).powi(2) / sigma2 + 16.0 * lambda.ln() - 2.0 * lambda;
        let w = (log_w - 20.0).exp();
        total += w * poisson_upper(3.0 * lambda, 19);
        weight += w;
    }
    let exact = total / weight;
    for sampling in ["random", "lhs"] {
        let s = run_text(&with_sampling(&text, sampling), N, 9, 2);
        assert_within_4se(
            &format!("count lognormal ({sampling})"),
            target(&s, "level").probability,
            exact,
            N,
        );
    }
}

#[test]
fn rejection_sampler_agrees_with_the_posterior_run() {
    // Simulate the count from the plan's start (lambda from its prior, Poisson additions),
    // keep only the paths whose 2021 and 2022 levels equal the observed ones, and count how
    // many of those meet the 2025 target. An independent sampler (rand_distr, no plancast
    // code) against the engine's posterior run.
    let text = header("count-rejection")
        + r#"
[indicators.x]
name = "x"
model = "count"
base = 0
observed = { 2021 = 2, 2022 = 7 }
rate = [{ from = 2021, to = 2025, trend = { dist = "lognormal", mean = 3, sd = 1.5 } }]

[[targets]]
id = "level"
indicator = "x"
year = 2025
at_least = 20
"#;
    let sigma2 = (1.0f64 + 0.25).ln();
    let mu = 3f64.ln() - 0.5 * sigma2;
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(2026);
    let (mut kept, mut met) = (0u64, 0u64);
    while kept < 100_000 {
        let z: f64 = StandardNormal.sample(&mut rng);
        let lambda = (mu + sigma2.sqrt() * z).exp();
        let pois = Poisson::new(lambda).unwrap();
        let a1: f64 = pois.sample(&mut rng);
        let a2: f64 = pois.sample(&mut rng);
        if a1 != 2.0 || a1 + a2 != 7.0 {
            continue;
        }
        kept += 1;
        let later: f64 = (0..3).map(|_| pois.sample(&mut rng)).sum();
        met += (7.0 + later >= 20.0) as u64;
    }
    let p_rejection = met as f64 / kept as f64;
    let s = run_text(&text, N, 13, 2);
    let p_run = target(&s, "level").probability;
    let se = (p_rejection * (1.0 - p_rejection) * (1.0 / kept as f64 + 1.0 / N as f64)).sqrt();
    eprintln!(
        "rejection {p_rejection:.5} (kept {kept}), posterior run {p_run:.5}, diff {:+.2} SE",
        (p_run - p_rejection) / se
    );
    assert!((p_run - p_rejection).abs() <= 4.0 * se);
}

#[test]
fn rejection_sampler_agrees_with_the_posterior_run_with_exits_and_a_gap() {
    // A stock of 20 whose units leave with probability 0.2 a year, lambda from its prior:
    // simulate from the plan's start with binomial thinning (rand_distr, no plancast code), keep
    // the paths whose 2021 and 2023 levels equal the observed ones (2022 unobserved, so the
    // likelihood must carry 2022's additions through 2023's exits), and count how many meet
    // the 2025 target. The stock falls between observations, which only exits can explain.
    let text = header("count-exits-rejection")
        + r#"
[indicators.x]
name = "x"
model = "count"
base = 20
exit = 0.2
observed = { 2021 = 19, 2023 = 16 }
rate = [{ from = 2021, to = 2025, trend = { dist = "lognormal", mean = 3, sd = 1.5 } }]

[[targets]]
id = "level"
indicator = "x"
year = 2025
at_least = 18
"#;
    let sigma2 = (1.0f64 + 0.25).ln();
    let mu = 3f64.ln() - 0.5 * sigma2;
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(2027);
    let step = |x: u64, pois: &Poisson<f64>, rng: &mut rand_xoshiro::Xoshiro256PlusPlus| -> u64 {
        let stay = rand_distr::Binomial::new(x, 0.8).unwrap().sample(rng);
        stay + pois.sample(rng) as u64
    };
    let (mut kept, mut met) = (0u64, 0u64);
    while kept < 100_000 {
        let z: f64 = StandardNormal.sample(&mut rng);
        let lambda = (mu + sigma2.sqrt() * z).exp();
        let pois = Poisson::new(lambda).unwrap();
        let x2021 = step(20, &pois, &mut rng);
        if x2021 != 19 {
            continue;
        }
        let x2023 = step(step(x2021, &pois, &mut rng), &pois, &mut rng);
        if x2023 != 16 {
            continue;
        }
        kept += 1;
        let x2025 = step(step(x2023, &pois, &mut rng), &pois, &mut rng);
        met += (x2025 >= 18) as u64;
    }
    let p_rejection = met as f64 / kept as f64;
    for sampling in ["random", "lhs"] {
        let s = run_text(&with_sampling(&text, sampling), N, 31, 2);
        let p_run = target(&s, "level").probability;
        let se = (p_rejection * (1.0 - p_rejection) * (1.0 / kept as f64 + 1.0 / N as f64)).sqrt();
        eprintln!(
            "exits ({sampling}): rejection {p_rejection:.5} (kept {kept}), posterior run {p_run:.5}, diff {:+.2} SE",
            (p_run - p_rejection) / se
        );
        assert!((p_run - p_rejection).abs() <= 4.0 * se);
    }
}

#[test]
fn correlated_trend_scores_move_the_unobserved_indicator() {
    // Two additive indicators with correlated trend scores (rho 0.7): a observed in 2021-2023,
    // b never. T_a = 2 + w_a, T_b = 1 + 0.5 w_b, corr(w_a, w_b) = 0.7; iid noise 1 on both.
    // xi = (w_a, v, z_a1..z_a5, z_b1..z_b5) with w_b = 0.7 w_a + sqrt(1 - 0.49) v.
    // q_a = X_a,2025 - X_a,2023 = 2 T_a + e_a4 + e_a5; q_b = X_b,2025 = 5 T_b + sum e_b.
    let text = header("correlated")
        + r#"
[indicators.a]
name = "a"
model = "additive"
base = 0
observed = { 2021 = 3.5, 2022 = 7.2, 2023 = 10.0 }
step = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 2, sd = 1 }, noise = 1 }]

[indicators.b]
name = "b"
model = "additive"
base = 0
step = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 1, sd = 0.5 }, noise = 1 }]

[correlation]
trend = [["a", "b", 0.7]]

[[targets]]
id = "a_level"
indicator = "a"
year = 2025
at_least = 16.5

[[targets]]
id = "b_level"
indicator = "b"
year = 2025
at_least = 7
"#;
    let dim = 12;
    let mut b_d = DMatrix::zeros(3, dim);
    for j in 0..3 {
        b_d[(j, 0)] = 1.0;
        b_d[(j, 2 + j)] = 1.0;
    }
    let a_d = DVector::from_vec(vec![2.0, 2.0, 2.0]);
    let observed = DVector::from_vec(vec![3.5, 3.7, 2.8]);
    let mut b_qa = DVector::zeros(dim);
    b_qa[0] = 2.0;
    b_qa[5] = 1.0;
    b_qa[6] = 1.0;
    let mut b_qb = DVector::zeros(dim);
    b_qb[0] = 5.0 * 0.5 * 0.7;
    b_qb[1] = 5.0 * 0.5 * (1.0f64 - 0.49).sqrt();
    for c in 7..12 {
        b_qb[c] = 1.0;
    }
    let (ma, va) = condition(&a_d, &b_d, &observed, 4.0, &b_qa);
    let (mb, vb) = condition(&a_d, &b_d, &observed, 5.0, &b_qb);
    let exact_a = normal_upper(10.0 + ma, va, 16.5);
    let exact_b = normal_upper(mb, vb, 7.0);
    for sampling in ["random", "lhs"] {
        let s = run_text(&with_sampling(&text, sampling), N, 17, 2);
        assert_within_4se(
            &format!("correlated, observed ({sampling})"),
            target(&s, "a_level").probability,
            exact_a,
            N,
        );
        assert_within_4se(
            &format!("correlated, unobserved ({sampling})"),
            target(&s, "b_level").probability,
            exact_b,
            N,
        );
    }
}

#[test]
fn events_in_observed_years_are_marginalised() {
    // d_t = T + e_t + E_t, T ~ N(2, 1), e_t ~ N(0, 1), E_t = -4 with probability 0.3 (2021 on).
    // Observed increments 2.5, -1.8, 3.0 (2021-2023). The posterior of T is the mixture over
    // the 8 strike patterns; the 2024-2025 increments add T twice, two shocks and two more
    // possible strikes. Reference: midpoint rule over T with the mixtures written out.
    let text = header("events")
        + r#"
[indicators.x]
name = "x"
model = "additive"
base = 0
observed = { 2021 = 2.5, 2022 = 0.7, 2023 = 3.7 }
step = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 2, sd = 1 }, noise = 1 }]

[[events]]
id = "slump"
probability = 0.3
effects = { x = -4.0 }

[[targets]]
id = "level"
indicator = "x"
year = 2025
at_least = 8
"#;
    let d = [2.5, -1.8, 3.0];
    let p = 0.3;
    let phi = |x: f64| (-0.5 * x * x).exp();
    let cells = 40_000;
    let (mut total, mut weight) = (0.0, 0.0);
    for i in 0..cells {
        let t = 2.0 - 10.0 + 20.0 * (i as f64 + 0.5) / cells as f64;
        let mut w = phi(t - 2.0);
        for &dt in &d {
            w *= (1.0 - p) * phi(dt - t) + p * phi(dt - t + 4.0);
        }
        // Two future years: strikes k = 0, 1, 2 with binomial weights; the sum of two shocks
        // has variance 2.
        let need = 8.0 - 3.7;
        let mut prob = 0.0;
        for (k, pk) in [
            (0.0, (1.0 - p) * (1.0 - p)),
            (1.0, 2.0 * p * (1.0 - p)),
            (2.0, p * p),
        ] {
            prob += pk * normal_upper(2.0 * t - 4.0 * k, 2.0, need);
        }
        total += w * prob;
        weight += w;
    }
    let exact = total / weight;
    let s = run_text(&text, N, 19, 2);
    assert_within_4se(
        "events marginalised",
        target(&s, "level").probability,
        exact,
        N,
    );
}

#[test]
fn posterior_runs_do_not_depend_on_the_thread_count() {
    let path = std::path::Path::new("scenarios/guangxi-14th-fyp.toml");
    let one = run_file(path, 30_000, 5, 1, &[]);
    let two = run_file(path, 30_000, 5, 2, &[]);
    for (a, b) in one.targets.iter().zip(&two.targets) {
        assert_eq!(a.met_paths, b.met_paths, "{}", a.id);
        assert_eq!(a.outcome.p50.to_bits(), b.outcome.p50.to_bits(), "{}", a.id);
    }
}

#[test]
fn correlated_skewed_trends_against_a_two_dimensional_integral() {
    // The expectation-propagation step for correlated scores is exact only when likelihoods are
    // normal in the score. Here the observed indicator's trend is a skewed split normal, so the
    // likelihood in its score is not normal: the run is compared with the exact posterior,
    // integrated on a 2-D grid of the two scores (prior: bivariate normal, rho 0.6; likelihood:
    // three iid N(T_a(u_a), 1.5^2) increments near the mode, so the posterior straddles the
    // split normal's kink). The unobserved b's level in 2025 is
    // 5 T_b + N(0, 5) with T_b = 1 + 0.5 u_b.
    let text = header("correlated-skewed")
        + r#"
[indicators.a]
name = "a"
model = "additive"
base = 0
observed = { 2021 = 2.4, 2022 = 3.9, 2023 = 6.7 }
step = [{ from = 2021, to = 2025, trend = { dist = "split_normal", mode = 2, sd_below = 0.5, sd_above = 2.5 }, noise = 1.5 }]

[indicators.b]
name = "b"
model = "additive"
base = 0
step = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 1, sd = 0.5 }, noise = 1 }]

[correlation]
trend = [["a", "b", 0.6]]

[[targets]]
id = "a_level"
indicator = "a"
year = 2025
at_least = 12

[[targets]]
id = "b_level"
indicator = "b"
year = 2025
at_least = 7
"#;
    let trend_a = plancast::model::dist::Dist::split_normal(2.0, 0.5, 2.5).unwrap();
    let d = [2.4, 1.5, 2.8];
    let rho: f64 = 0.6;
    let cells = 600;
    let (lo, hi) = (-6.0, 9.0);
    let h = (hi - lo) / cells as f64;
    let (mut pa, mut pb, mut w_sum) = (0.0, 0.0, 0.0);
    for i in 0..cells {
        let ua = lo + (i as f64 + 0.5) * h;
        let ta = trend_a.quantile(norm_cdf(ua));
        let log_lik: f64 = d.iter().map(|x| -0.5 * ((x - ta) / 1.5).powi(2)).sum();
        // X_a,2025 = 6.7 + 2 T_a + N(0, 2 * 1.5^2).
        let p_a = normal_upper(6.7 + 2.0 * ta, 2.0 * 2.25, 12.0);
        for k in 0..cells {
            let ub = lo + (k as f64 + 0.5) * h;
            let q = (ua * ua - 2.0 * rho * ua * ub + ub * ub) / (1.0 - rho * rho);
            let w = (-0.5 * q + log_lik + 10.0).exp();
            let tb = 1.0 + 0.5 * ub;
            pa += w * p_a;
            pb += w * normal_upper(5.0 * tb, 5.0, 7.0);
            w_sum += w;
        }
    }
    let (exact_a, exact_b) = (pa / w_sum, pb / w_sum);
    let s = run_text(&text, N, 23, 2);
    assert_within_4se(
        "correlated skewed, observed",
        target(&s, "a_level").probability,
        exact_a,
        N,
    );
    assert_within_4se(
        "correlated skewed, unobserved",
        target(&s, "b_level").probability,
        exact_b,
        N,
    );
}
