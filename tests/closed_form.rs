//! Target probabilities against closed forms. Each expected value is derived in the comment
//! above it; every tolerance is 4 Monte Carlo standard errors at a fixed seed (never loosened).

mod common;

use common::*;
use plancast::numeric::normal::norm_cdf;

const N: u64 = 200_000;

fn upper_tail(z: f64) -> f64 {
    1.0 - norm_cdf(z)
}

#[test]
fn growth_with_normal_trend_and_no_noise() {
    // X_2025 = 100 (1 + r/100)^5 with r ~ N(5, 2^2) per path. X >= 100 * 1.06^5 <=> r >= 6,
    // so p = 1 - Phi((6 - 5) / 2).
    let text = header("growth")
        + r#"
[indicators.x]
name = "x"
model = "growth"
base = 100
growth = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 5, sd = 2 } }]

[[targets]]
id = "level"
indicator = "x"
year = 2025
at_least = 133.82255776
"#;
    // 100 * 1.06^5 = 133.822557760000...
    let exact = upper_tail(0.5);
    for sampling in ["random", "lhs"] {
        let text = text.replace(
            "horizon = 2025",
            &format!("horizon = 2025\nsampling = \"{sampling}\""),
        );
        let s = run_text(&text, N, 11, 2);
        assert_within_4se(
            &format!("growth level ({sampling})"),
            target(&s, "level").probability,
            exact,
            N,
        );
    }
}

/// Variance of the sum of T consecutive values of a stationary AR(1) with innovation scale
/// chosen so that Var(e_t) = noise^2: noise^2 [T + 2 sum_{k=1}^{T-1} (T - k) phi^k].
fn ar1_sum_variance(noise: f64, phi: f64, t: usize) -> f64 {
    let mut v = t as f64;
    for k in 1..t {
        v += 2.0 * (t - k) as f64 * phi.powi(k as i32);
    }
    noise * noise * v
}

#[test]
fn additive_with_normal_trend_and_noise_with_and_without_persistence() {
    // X_2025 = 5 * trend + sum_{t=1..5} e_t, trend ~ N(2, 0.5^2). The shock starts at
    // e_1 = noise * z (stationary), so Var(sum e) is the stationary AR(1) sum variance.
    for phi in [0.0, 0.6] {
        let text = header("additive")
            + &format!(
                r#"
[indicators.x]
name = "x"
model = "additive"
base = 0
step = [{{ from = 2021, to = 2025, trend = {{ dist = "normal", mean = 2, sd = 0.5 }}, noise = 1.0, persistence = {phi} }}]

[[targets]]
id = "level"
indicator = "x"
year = 2025
at_least = 12
"#
            );
        let variance = 25.0 * 0.25 + ar1_sum_variance(1.0, phi, 5);
        let exact = upper_tail((12.0 - 10.0) / variance.sqrt());
        let s = run_text(&text, N, 12, 2);
        let t = target(&s, "level");
        assert_within_4se(
            &format!("additive, persistence {phi}"),
            t.probability,
            exact,
            N,
        );
        // The simulated spread matches too (sd of a normal sample: SE ~ sd / sqrt(2n)).
        let sd = variance.sqrt();
        assert!(
            (t.outcome.sd - sd).abs() < 4.0 * sd / (2.0 * N as f64).sqrt(),
            "sd {} vs {sd}",
            t.outcome.sd
        );
    }
}

#[test]
fn count_against_the_poisson_tail() {
    // X_2025 = 0 + N, N ~ Poisson(5 * 3 = 15). P(X >= 18) = 1 - sum_{j<18} e^-15 15^j / j!.
    let text = header("count")
        + r#"
[indicators.x]
name = "x"
model = "count"
base = 0
rate = [{ from = 2021, to = 2025, trend = 3 }]

[[targets]]
id = "level"
indicator = "x"
year = 2025
at_least = 18
"#;
    let lambda: f64 = 15.0;
    let mut term = (-lambda).exp();
    let mut cdf = 0.0;
    for j in 0..18 {
        if j > 0 {
            term *= lambda / j as f64;
        }
        cdf += term;
    }
    let s = run_text(&text, N, 13, 2);
    assert_within_4se("count", target(&s, "level").probability, 1.0 - cdf, N);
}

/// The exact distribution of a count with additions and exits: X_0 = base, each year every unit
/// leaves with probability q and Poisson(lambda) units are added. Added units that stay are a
/// thinned Poisson, so X_t = Binomial(base, (1-q)^t) + Poisson(lambda (1 - (1-q)^t) / q),
/// independent parts: the pmf is their convolution.
fn thinned_count_pmf(base: u64, lambda: f64, q: f64, years: i32, len: usize) -> Vec<f64> {
    let stay = (1.0 - q).powi(years);
    let mut binomial = vec![0.0; base as usize + 1];
    for (k, b) in binomial.iter_mut().enumerate() {
        let mut choose = 1.0;
        for j in 0..k {
            choose *= (base as f64 - j as f64) / (j as f64 + 1.0);
        }
        *b = choose * stay.powi(k as i32) * (1.0 - stay).powi((base as usize - k) as i32);
    }
    let mu = lambda * (1.0 - stay) / q;
    let mut poisson = vec![0.0; len];
    poisson[0] = (-mu).exp();
    for j in 1..len {
        poisson[j] = poisson[j - 1] * mu / j as f64;
    }
    let mut pmf = vec![0.0; len];
    for (k, &b) in binomial.iter().enumerate() {
        for (j, &p) in poisson.iter().enumerate() {
            if k + j < len {
                pmf[k + j] += b * p;
            }
        }
    }
    pmf
}

#[test]
fn count_with_exits_against_binomial_thinning() {
    // base 50, 8 additions a year, exit share 0.1, five years: X_2025 = Binomial(50, 0.9^5) +
    // Poisson(80 (1 - 0.9^5)). Mean 50 s + 80 (1 - s) and variance 50 s (1 - s) + 80 (1 - s)
    // with s = 0.9^5; tails from the convolution.
    let text = header("count with exits")
        + r#"
[indicators.x]
name = "x"
model = "count"
base = 50
exit = 0.1
rate = [{ from = 2021, to = 2025, trend = 8 }]

[[targets]]
id = "low"
indicator = "x"
year = 2025
at_least = 55

[[targets]]
id = "mid"
indicator = "x"
year = 2025
at_least = 61

[[targets]]
id = "high"
indicator = "x"
year = 2025
at_least = 70
"#;
    let pmf = thinned_count_pmf(50, 8.0, 0.1, 5, 400);
    let s = 0.9f64.powi(5);
    let mean = 50.0 * s + 80.0 * (1.0 - s);
    let variance = 50.0 * s * (1.0 - s) + 80.0 * (1.0 - s);
    let pmf_mean: f64 = pmf.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
    assert!(
        (pmf_mean - mean).abs() < 1e-9,
        "the convolution has the closed-form mean"
    );
    let fourth: f64 = pmf
        .iter()
        .enumerate()
        .map(|(k, p)| (k as f64 - mean).powi(4) * p)
        .sum();
    let summary = run_text(&text, N, 29, 2);
    let outcome = &target(&summary, "mid").outcome;
    let n = N as f64;
    let mean_se = (variance / n).sqrt();
    let variance_se = ((fourth - variance * variance) / n).sqrt();
    let sample_variance = outcome.sd * outcome.sd;
    eprintln!(
        "mean {} vs {mean} ({:+.2} SE); variance {sample_variance} vs {variance} ({:+.2} SE)",
        outcome.mean,
        (outcome.mean - mean) / mean_se,
        (sample_variance - variance) / variance_se
    );
    assert!((outcome.mean - mean).abs() <= 4.0 * mean_se);
    assert!((sample_variance - variance).abs() <= 4.0 * variance_se);
    for (id, k) in [("low", 55usize), ("mid", 61), ("high", 70)] {
        let tail: f64 = pmf[k..].iter().sum();
        assert_within_4se(id, target(&summary, id).probability, tail, N);
    }
}

#[test]
fn cagr_cumulative_and_change_targets() {
    // cagr: growth with r ~ N(8, 3^2) and no noise has cagr = r exactly: p = 1 - Phi((10-8)/3).
    // cumulative: y_t = 10 + t q, q ~ N(1, 0.4^2): sum_{t=1..5} y_t = 50 + 15 q >= 68 <=> q >= 1.2:
    //   p = 1 - Phi(0.5).
    // change: z_t = z_{t-1} + 1 + e_t, e_t iid N(0, 2^2): z_2025 - z_2021 = 4 + e_2022..e_2025
    //   ~ N(4, 16): P(>= 6) = 1 - Phi(0.5).
    let text = header("kinds")
        + r#"
[indicators.g]
name = "g"
model = "growth"
base = 50
growth = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 8, sd = 3 } }]

[indicators.y]
name = "y"
model = "additive"
base = 10
step = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 1, sd = 0.4 } }]

[indicators.z]
name = "z"
model = "additive"
base = 0
step = [{ from = 2021, to = 2025, trend = 1, noise = 2 }]

[[targets]]
id = "cagr"
indicator = "g"
kind = "cagr"
from = 2020
to = 2025
at_least = 10

[[targets]]
id = "cumulative"
indicator = "y"
kind = "cumulative"
from = 2021
to = 2025
at_least = 68

[[targets]]
id = "change"
indicator = "z"
kind = "change"
from = 2021
to = 2025
above = 6
"#;
    let s = run_text(&text, N, 14, 2);
    assert_within_4se(
        "cagr",
        target(&s, "cagr").probability,
        upper_tail(2.0 / 3.0),
        N,
    );
    assert_within_4se(
        "cumulative",
        target(&s, "cumulative").probability,
        upper_tail(0.5),
        N,
    );
    assert_within_4se(
        "change",
        target(&s, "change").probability,
        upper_tail(0.5),
        N,
    );
}

/// Bivariate normal upper orthant P(X >= h, Y >= k) for standard normals with correlation rho,
/// by Plackett's identity d Phi2 / d rho = phi2(h, k; rho), integrated from 0 with Simpson's
/// rule (Genz 2004, "Numerical computation of rectangular bivariate and trivariate normal and t
/// probabilities", eq. 3).
fn bivariate_upper(h: f64, k: f64, rho: f64) -> f64 {
    let density = |r: f64| {
        let det = 1.0 - r * r;
        (-(h * h - 2.0 * r * h * k + k * k) / (2.0 * det)).exp()
            / (2.0 * std::f64::consts::PI * det.sqrt())
    };
    let steps = 2000;
    let width = rho / steps as f64;
    let mut integral = density(0.0) + density(rho);
    for i in 1..steps {
        integral += density(i as f64 * width) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    upper_tail(h) * upper_tail(k) + integral * width / 3.0
}

#[test]
fn correlated_indicators_against_the_bivariate_normal() {
    // Trend correlation: x_2025 = 5 a, y_2025 = 5 b, (a, b) standard bivariate normal with
    // rho = 0.6. Group {x >= 2.5, y >= 5} = P(a >= 0.5, b >= 1).
    // Noise correlation: u_2025 = sum of 5 iid N(0,1) shocks, v likewise, shocks correlated 0.5
    // year by year, so (u, v)/sqrt(5) is bivariate normal with rho = 0.5.
    // Group {u >= 1, v >= 2} = P(U >= 1/sqrt5, V >= 2/sqrt5; 0.5).
    let text = header("bivariate")
        + r#"
[indicators.x]
name = "x"
model = "additive"
base = 0
step = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 0, sd = 1 } }]

[indicators.y]
name = "y"
model = "additive"
base = 0
step = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 0, sd = 1 } }]

[indicators.u]
name = "u"
model = "additive"
base = 0
step = [{ from = 2021, to = 2025, trend = 0, noise = 1 }]

[indicators.v]
name = "v"
model = "additive"
base = 0
step = [{ from = 2021, to = 2025, trend = 0, noise = 1 }]

[correlation]
trend = [["x", "y", 0.6]]
noise = [["u", "v", 0.5]]

[[targets]]
id = "x"
indicator = "x"
year = 2025
at_least = 2.5

[[targets]]
id = "y"
indicator = "y"
year = 2025
at_least = 5

[[targets]]
id = "u"
indicator = "u"
year = 2025
at_least = 1

[[targets]]
id = "v"
indicator = "v"
year = 2025
at_least = 2

[[groups]]
id = "trend_pair"
targets = ["x", "y"]

[[groups]]
id = "noise_pair"
targets = ["u", "v"]
"#;
    let s = run_text(&text, N, 15, 2);
    let sqrt5 = 5f64.sqrt();
    assert_within_4se(
        "trend pair",
        group(&s, "trend_pair").probability,
        bivariate_upper(0.5, 1.0, 0.6),
        N,
    );
    assert_within_4se(
        "noise pair",
        group(&s, "noise_pair").probability,
        bivariate_upper(1.0 / sqrt5, 2.0 / sqrt5, 0.5),
        N,
    );
    // Sanity of the reference itself: rho = 0 factorises.
    assert!((bivariate_upper(0.5, 1.0, 0.0) - upper_tail(0.5) * upper_tail(1.0)).abs() < 1e-12);
}

#[test]
fn events_strike_as_independent_yearly_bernoulli_trials() {
    // x moves only by an event worth +1 that strikes with p = 0.3 in each of 5 years:
    // x_2025 ~ Binomial(5, 0.3); P(x >= 2) = 1 - 0.7^5 - 5 * 0.3 * 0.7^4.
    let text = header("events")
        + r#"
[indicators.x]
name = "x"
model = "additive"
base = 0
step = [{ from = 2021, to = 2025, trend = 0 }]

[[events]]
id = "shock"
probability = 0.3
effects = { x = 1 }

[[targets]]
id = "level"
indicator = "x"
year = 2025
at_least = 2
"#;
    let exact = 1.0 - 0.7f64.powi(5) - 5.0 * 0.3 * 0.7f64.powi(4);
    let s = run_text(&text, N, 16, 2);
    assert_within_4se("events", target(&s, "level").probability, exact, N);
}

#[test]
fn observations_fix_the_starting_point() {
    // Observed 2023 = 200 becomes the start: x_2025 = 200 (1 + r/100)^2, r ~ N(5, 2^2).
    // x >= 200 * 1.07^2 <=> r >= 7: p = 1 - Phi(1). The 2022 value is filled geometrically
    // between 100 (2020) and 200 (2023), and a 2022 target is decided by observation.
    // `update = "none"`: the observation sets the start only (tests/posterior.rs covers the
    // trend update).
    let text = header("observed").replace("horizon = 2025", "horizon = 2025\nupdate = \"none\"")
        + r#"
[indicators.x]
name = "x"
model = "growth"
base = 100
observed = { 2023 = 200 }
growth = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 5, sd = 2 } }]

[[targets]]
id = "level"
indicator = "x"
year = 2025
at_least = 228.98

[[targets]]
id = "filled"
indicator = "x"
year = 2022
at_least = 158
"#;
    let s = run_text(&text, N, 17, 2);
    // 200 * 1.07^2 = 228.98 exactly.
    assert_within_4se(
        "observed start",
        target(&s, "level").probability,
        upper_tail(1.0),
        N,
    );
    let filled = target(&s, "filled");
    assert_eq!(filled.probability, 1.0); // 100 * 2^(2/3) = 158.74 >= 158
    assert_eq!(
        filled.status,
        plancast::report::summary::TargetStatus::ObservedMet
    );
    let year_2022 = s.indicators[0]
        .years
        .iter()
        .find(|y| y.year == 2022)
        .unwrap();
    assert!((year_2022.quantiles.p50 - 100.0 * 2f64.powf(2.0 / 3.0)).abs() < 1e-9);
}

#[test]
fn whole_number_quantiles_are_the_smallest_k_with_cdf_at_least_p() {
    // X_2025 = 0 + N, N ~ Poisson(5 * 100 = 500) and Y_2025 ~ Poisson(5 * 40 = 200). Poisson(500)
    // has median 500 (P(X <= 499) = 0.4941, P(X <= 500) = 0.5119), Poisson(200) has median 200
    // (P(Y <= 199) = 0.4867, P(Y <= 200) = 0.5148). The midpoint of the sketch's bucket, rounded,
    // reported 501 and 201. The targets give the run's exact counts: the median m must satisfy
    // F(m - 1) < 0.5 <= F(m) with F(k) = 1 - P(X >= k + 1).
    let text = header("poisson quantiles")
        + r#"
[indicators.x]
name = "x"
model = "count"
base = 0
rate = [{ from = 2021, to = 2025, trend = 100 }]

[indicators.y]
name = "y"
model = "count"
base = 0
rate = [{ from = 2021, to = 2025, trend = 40 }]

[[targets]]
id = "x500"
indicator = "x"
year = 2025
at_least = 500

[[targets]]
id = "x501"
indicator = "x"
year = 2025
at_least = 501

[[targets]]
id = "y200"
indicator = "y"
year = 2025
at_least = 200

[[targets]]
id = "y201"
indicator = "y"
year = 2025
at_least = 201
"#;
    let s = run_text(&text, N, 21, 2);
    for (m, at_least_m, at_least_next) in [(500.0, "x500", "x501"), (200.0, "y200", "y201")] {
        let median = target(&s, at_least_m).outcome.p50;
        assert_eq!(median, m, "{at_least_m}");
        let below = 1.0 - target(&s, at_least_m).probability; // F(m - 1)
        let through = 1.0 - target(&s, at_least_next).probability; // F(m)
        assert!(below < 0.5 && 0.5 <= through, "{below} {through}");
    }
    // Every quantile of a count is a whole number, and within one of the exact Poisson(200)
    // quantile (the smallest k with F(k) >= p; one either side for the Monte Carlo error of F).
    let poisson_quantile = |lambda: f64, p: f64| {
        let (mut k, mut term) = (0.0, (-lambda).exp());
        let mut cdf = term;
        while cdf < p {
            k += 1.0;
            term *= lambda / k;
            cdf += term;
        }
        k
    };
    let y = &target(&s, "y200").outcome;
    for (value, p) in y
        .values()
        .into_iter()
        .zip([0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95])
    {
        assert_eq!(value.fract(), 0.0, "{value}");
        let exact = poisson_quantile(200.0, p);
        assert!((value - exact).abs() <= 1.0, "p{p}: {value} vs {exact}");
    }
}
