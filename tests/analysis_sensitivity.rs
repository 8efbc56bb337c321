//! `plancast sensitivity` on a scenario with known answers (tests/fixtures/analysis/two_trends.toml):
//! signs, exact zero effects through common random numbers, and variance shares against the
//! closed form.

use plancast::analysis::sensitivity::{self, Pruning, SensitivityReport, TargetSensitivity};

mod common;

const PATHS: u64 = 20_000;

/// Every assumption simulated, also those no target depends on (they are checked below).
fn report() -> SensitivityReport {
    let loaded = common::load(
        "tests/fixtures/analysis/two_trends.toml",
        Some(PATHS),
        Some(5),
        &[],
    );
    let all = common::target_indices(&loaded, &[]);
    sensitivity::run(&loaded, &all, Pruning::SimulateAll, None).unwrap()
}

fn target<'a>(r: &'a SensitivityReport, id: &str) -> &'a TargetSensitivity {
    r.targets.iter().find(|t| t.id == id).unwrap()
}

#[test]
fn raising_a_growth_trend_never_lowers_an_at_least_target_and_unrelated_assumptions_do_nothing() {
    let r = report();
    // Every uncertain assumption is listed: 4 trends, 1 event, 1 correlation.
    assert_eq!(r.assumptions.len(), 6, "{:#?}", r.assumptions);

    let a = target(&r, "a_2025");
    let own = a
        .effects
        .iter()
        .find(|e| e.assumption == "a trend 2021-2025")
        .unwrap();
    assert!(own.p_high >= own.p_low, "{own:?}");
    assert!(
        own.p_high - own.p_low > 0.5,
        "the trend should matter a lot: {own:?}"
    );
    // An at-most target falls when its indicator's trend rises.
    let b = target(&r, "b_2025");
    let own_b = b
        .effects
        .iter()
        .find(|e| e.assumption == "b trend 2021-2025")
        .unwrap();
    assert!(own_b.p_high <= own_b.p_low, "{own_b:?}");

    // y, z, the event on z and the y~z correlation feed no target: exactly zero effect, because
    // every other draw is the same in every run (common random numbers).
    for t in &r.targets {
        for e in &t.effects {
            let unrelated = e.assumption.starts_with("y ")
                || e.assumption.starts_with("z ")
                || e.assumption.contains("z_shock")
                || e.assumption.contains("y~z");
            let other_trend = (t.id == "a_2025" && e.assumption.starts_with("b "))
                || (t.id == "b_2025" && e.assumption.starts_with("a "));
            // The dependency analysis says so too (and the default run skips them).
            assert_eq!(e.depends, !(unrelated || other_trend), "{}: {e:?}", t.id);
            if unrelated || other_trend {
                assert_eq!(e.p_low, t.p_base, "{}: {e:?}", t.id);
                assert_eq!(e.p_high, t.p_base, "{}: {e:?}", t.id);
                assert_eq!(e.outcome_means[0], e.outcome_means[2], "{}: {e:?}", t.id);
                assert_eq!(e.variance_share, Some(0.0), "{}: {e:?}", t.id);
            }
        }
    }
}

/// Var(5 ln(1 + r/100)) for r ~ N(mean, sd), by Simpson's rule over ±10 sd (reference value).
fn log_growth_variance(mean: f64, sd: f64) -> f64 {
    let steps = 4000;
    let (lo, hi) = (-10.0, 10.0);
    let h = (hi - lo) / steps as f64;
    let mut m1 = 0.0;
    let mut m2 = 0.0;
    for i in 0..=steps {
        let u: f64 = lo + i as f64 * h;
        let w = if i == 0 || i == steps {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        let density = (-0.5 * u * u).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let g = 5.0 * (1.0 + (mean + sd * u) / 100.0).ln();
        m1 += w * density * g;
        m2 += w * density * g * g;
    }
    m1 *= h / 3.0;
    m2 *= h / 3.0;
    m2 - m1 * m1
}

#[test]
fn variance_shares_of_two_independent_trends_match_the_closed_form() {
    let r = report();
    let t = target(&r, "log_ab_2025");
    // ln A_2025 + ln B_2025 = const + 5 ln(1 + ra/100) + 5 ln(1 + rb/100), independent terms:
    // the share of a is Var_a / (Var_a + Var_b), close to sd_a² / (sd_a² + sd_b²) = 0.8.
    let var_a = log_growth_variance(5.0, 2.0);
    let var_b = log_growth_variance(3.0, 1.0);
    let exact_a = var_a / (var_a + var_b);
    let share = |name: &str| {
        t.effects
            .iter()
            .find(|e| e.assumption == name)
            .and_then(|e| e.variance_share)
            .unwrap()
    };
    let (sa, sb) = (share("a trend 2021-2025"), share("b trend 2021-2025"));
    // The held means differ without noise (common random numbers); only Var(Y) in the
    // denominator is a Monte Carlo estimate, with relative standard error sqrt(2 / n).
    let relative_se = (2.0 / PATHS as f64).sqrt();
    for (what, got, exact) in [("a", sa, exact_a), ("b", sb, 1.0 - exact_a)] {
        eprintln!(
            "share of {what}: {got:.5}, closed form {exact:.5}, difference {:+.2} SE",
            (got / exact - 1.0) / relative_se
        );
        assert!(
            (got / exact - 1.0).abs() <= 4.0 * relative_se,
            "share of {what}: {got} vs {exact}"
        );
    }
    assert!((exact_a - 0.8).abs() < 0.01, "{exact_a}");
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let run = |threads| {
        let loaded = common::load(
            "tests/fixtures/analysis/two_trends.toml",
            Some(3_000),
            Some(8),
            &[],
        );
        let all = common::target_indices(&loaded, &[]);
        sensitivity::run(&loaded, &all, Pruning::SkipIndependent, Some(threads))
            .unwrap()
            .targets
    };
    assert_eq!(run(1), run(3));
}

#[test]
fn on_the_bundled_scenario_raising_a_targets_own_trend_never_lowers_its_probability() {
    // Growth and additive paths rise with their trend in every path (same draws), so an
    // at-least target can only gain; count indicators are left out (their Poisson draws are
    // common only below a rate of 10, see docs/analysis.md).
    use plancast::model::{Comparison, ModelKind};
    let loaded = common::load("scenarios/guangxi-14th-fyp.toml", Some(500), None, &[]);
    let all = common::target_indices(&loaded, &[]);
    let report = sensitivity::run(&loaded, &all, Pruning::SkipIndependent, None).unwrap();
    let scenario = &loaded.scenario;
    let mut checked = 0;
    for (target, result) in scenario.targets().iter().zip(&report.targets) {
        let indicator = &scenario.indicators()[target.indicator];
        if !matches!(indicator.kind, ModelKind::Growth | ModelKind::Additive) {
            continue;
        }
        let rising = matches!(target.comparison, Comparison::AtLeast | Comparison::Above);
        let prefix = format!("indicators.{}.", indicator.id);
        for e in result
            .effects
            .iter()
            .filter(|e| e.kind == "trend" && e.key.starts_with(&prefix))
        {
            checked += 1;
            if rising {
                assert!(e.p_high >= e.p_low, "{}: {e:?}", target.id);
            } else {
                assert!(e.p_high <= e.p_low, "{}: {e:?}", target.id);
            }
        }
    }
    assert!(checked >= 20, "only {checked} trends checked");
}

/// The analyses' simulations keep only the targets' moments (`engine::Keep::TargetMoments`):
/// every target's probability, mean and variance must be those of a full run, bit for bit, with
/// one thread and two, on the bundled scenario (level, change and cagr targets, counts,
/// observations) and on the fixture above.
#[test]
fn target_moments_only_runs_give_the_full_runs_numbers_bit_for_bit() {
    for (file, paths) in [
        ("scenarios/guangxi-14th-fyp.toml", 3_000),
        ("tests/fixtures/analysis/two_trends.toml", 5_000),
    ] {
        let loaded = common::load(file, Some(paths), Some(9), &[]);
        for threads in [Some(1), Some(2)] {
            let (_, full) =
                plancast::analysis::simulate_targets(&loaded.scenario, threads).unwrap();
            let only = plancast::analysis::target_stats_of(&loaded.scenario, threads).unwrap();
            assert_eq!(full.len(), only.len());
            for (k, (a, b)) in full.iter().zip(&only).enumerate() {
                assert_eq!(a.probability, b.probability, "{file} target {k}");
                assert_eq!(a.mean.to_bits(), b.mean.to_bits(), "{file} target {k} mean");
                assert_eq!(
                    a.variance.to_bits(),
                    b.variance.to_bits(),
                    "{file} target {k} variance"
                );
                assert_eq!(a.decided, b.decided);
            }
        }
    }
}
