//! `plancast solve` against the closed form (tests/fixtures/analysis/closed_form_growth.toml):
//! a growth indicator with trend N(5, 2) and no noise reaches K = 130 from X0 = 100 in T = 5 years
//! with probability Phi((mean - r*) / sd), r* = 100 ((K/X0)^(1/T) - 1), so the mean needed for
//! probability P is r* + sd Phi^-1(P).

use plancast::analysis::solve::{self, SolveReport, SolveRequest};
use plancast::analysis::AnalysisError;
use plancast::numeric::normal::norm_quantile;
use plancast::scenario::{self, Loaded};

const FILE: &str = "tests/fixtures/analysis/closed_form_growth.toml";
const PATHS: u64 = 20_000;

mod common;

fn load(seed: u64, paths: u64, sets: Vec<String>) -> Loaded {
    let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
    common::load(FILE, Some(paths), Some(seed), &sets)
}

/// The required growth of the targets `ids`, with one more probability.
fn growth(seed: u64, ids: &[&str], probability: Option<f64>) -> Result<SolveReport, AnalysisError> {
    let loaded = load(seed, PATHS, vec![]);
    let targets = ids
        .iter()
        .map(|id| loaded.scenario.target_index(id).unwrap())
        .collect();
    let request = SolveRequest::Growth {
        targets,
        all: false,
        probability,
    };
    solve::run(&loaded, &request, None)
}

/// The value of `key` at which target `id` is met with probability `p`.
fn vary(
    seed: u64,
    id: &str,
    key: &str,
    p: f64,
    range: Option<(f64, f64)>,
) -> Result<SolveReport, AnalysisError> {
    let loaded = load(seed, PATHS, vec![]);
    let request = SolveRequest::Vary {
        target: loaded.scenario.target_index(id).unwrap(),
        knob: scenario::knob::resolve(&loaded, key).unwrap(),
        key: key.to_string(),
        probability: p,
        range,
    };
    solve::run(&loaded, &request, None)
}

fn required_mean(p: f64) -> f64 {
    let r_star = 100.0 * (1.3f64.powf(1.0 / 5.0) - 1.0);
    r_star + 2.0 * norm_quantile(p)
}

fn probability_at(mean: f64, seed: u64, paths: u64) -> f64 {
    let loaded = load(
        seed,
        paths,
        vec![format!("indicators.a.growth.0.trend.mean={mean:?}")],
    );
    let (_, stats) = plancast::analysis::simulate_targets(&loaded.scenario, None).unwrap();
    stats[0].probability.estimate
}

#[test]
fn vary_finds_the_closed_form_mean_and_rerunning_there_gives_p() {
    let p = 0.8;
    let report = vary(3, "a_2025", "indicators.a.growth.0.trend.mean", p, None).unwrap();
    let v = report.vary.unwrap();
    let exact = required_mean(p);
    let se = v.uncertainty.std_error;
    eprintln!(
        "vary: {:.5} (SE {se:.5}), closed form {exact:.5}, difference {:+.2} SE",
        v.value,
        (v.value - exact) / se
    );
    assert!(se > 0.0 && se < 0.1, "{v:?}");
    assert!((v.value - exact).abs() <= 4.0 * se, "{v:?} vs {exact}");
    assert!(v.uncertainty.lower < v.value && v.value < v.uncertainty.upper);

    // Re-run at the solved value with another seed and 5x the paths: P within 3 standard
    // errors, counting both the new run's noise and the solved value's own uncertainty.
    let rerun_paths = 100_000;
    let got = probability_at(v.value, 99, rerun_paths);
    let se_rerun = (p * (1.0 - p) / rerun_paths as f64).sqrt();
    let se_total = (se_rerun.powi(2) + (v.uncertainty.slope * se).powi(2)).sqrt();
    eprintln!(
        "rerun: p = {got:.5}, difference {:+.2} SE",
        (got - p) / se_total
    );
    assert!(
        (got - p).abs() <= 3.0 * se_total,
        "{got} vs {p} (SE {se_total})"
    );
}

#[test]
fn required_growth_matches_the_closed_form_for_50_and_80_percent() {
    let report = growth(4, &["a_2025", "c_2025"], Some(0.9)).unwrap();
    let row = &report.rows[0];
    assert_eq!(row.target, "a_2025");
    assert_eq!(row.start_year, 2020);
    assert_eq!(row.required.len(), 3, "{row:?}");
    for r in &row.required {
        // The shift moves every year's growth; the trend mean needed is 5 + shift.
        let exact = required_mean(r.probability);
        let se = r.uncertainty.std_error;
        eprintln!(
            "P = {}: 5 + shift = {:.5} (SE {se:.5}), closed form {exact:.5}, difference {:+.2} SE",
            r.probability,
            5.0 + r.shift,
            (5.0 + r.shift - exact) / se
        );
        assert!((5.0 + r.shift - exact).abs() <= 4.0 * se, "{r:?}");
    }
    // The scenario's own median average growth is the trend's median, 5, up to the sample
    // median's error (sd sqrt(pi/2) / sqrt(n)).
    let median = row.scenario_median.unwrap();
    let se_median = 2.0 * (std::f64::consts::PI / 2.0).sqrt() / (PATHS as f64).sqrt();
    assert!((median - 5.0).abs() <= 4.0 * se_median, "{median}");
    // Additive target without noise: 10 + 5 (trend + shift) >= 16 with trend N(1, 0.5), so the
    // mean increment needed for P is 1.2 + 0.5 Phi^-1(P).
    let c = &report.rows[1];
    for r in &c.required {
        let exact = 1.2 + 0.5 * norm_quantile(r.probability);
        let se = r.uncertainty.std_error;
        assert!(
            (1.0 + r.shift - exact).abs() <= 4.0 * se,
            "{r:?} vs {exact}"
        );
    }
    // Single target and probability: solve.json's top-level value is the 90% answer.
    assert!(report.value.is_none(), "two targets give no single value");
}

#[test]
fn an_unreachable_probability_is_reported_as_bad_input() {
    let err = vary(
        3,
        "a_2025",
        "indicators.a.growth.0.trend.mean",
        0.8,
        Some((0.0, 1.0)),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("no value of"), "{text}");
}

#[test]
fn a_single_target_and_probability_gives_solve_json_a_value_and_interval() {
    let report = growth(6, &["a_2025"], Some(0.9)).unwrap();
    let value = report.value.unwrap();
    let r = report.rows[0]
        .required
        .iter()
        .find(|r| r.probability == 0.9)
        .unwrap();
    assert_eq!(value, r.value);
    assert!(report.lower.unwrap() < value && value < report.upper.unwrap());
}

/// The required growth of the numerator for a share of `k` percent in 2025 (ratio_growth.toml).
fn required_numerator_growth(k: f64, p: f64) -> f64 {
    100.0 * ((k / 100.0).powf(1.0 / 5.0) * 1.03 - 1.0) + 2.0 * norm_quantile(p)
}

/// `solve --all` (the growth each of its two targets needs) on the fixture `file`.
fn growth_of_both_targets(file: &str, seed: u64) -> (Loaded, SolveReport) {
    let loaded = common::load(file, Some(PATHS), Some(seed), &[]);
    let request = SolveRequest::Growth {
        targets: vec![0, 1],
        all: true,
        probability: None,
    };
    let report = solve::run(&loaded, &request, None).unwrap();
    (loaded, report)
}

#[test]
fn a_ratio_target_is_answered_through_its_numerator() {
    let (_, report) = growth_of_both_targets("tests/fixtures/analysis/ratio_growth.toml", 5);
    for (row, k) in report.rows.iter().zip([120.0, 80.0]) {
        assert_eq!(row.indicator, "share");
        assert_eq!(row.varied, "a", "{row:?}");
        assert_eq!(row.unit, "% per year");
        assert_eq!(row.required.len(), 2, "{row:?}");
        for r in &row.required {
            // The shift moves a's growth; the trend mean needed is 5 + shift.
            let exact = required_numerator_growth(k, r.probability);
            let se = r.uncertainty.std_error;
            assert!(
                (5.0 + r.shift - exact).abs() <= 4.0 * se,
                "{r:?} vs {exact}"
            );
            assert_eq!(r.met_without_growth, r.value <= 0.0, "{r:?}");
        }
    }
    // share >= 80 is met with a 50% chance even with no growth of a (r* = -1.49), not with 80%.
    let low = &report.rows[1];
    assert!(low.required[0].met_without_growth, "{low:?}");
    assert!(!low.required[1].met_without_growth, "{low:?}");
    let text = plancast::report::analysis::solve::render(
        &report,
        &plancast::report::labels::Labels::new(plancast::report::labels::Lang::En),
    );
    assert!(text.contains("met even without growth"), "{text}");
    assert!(!text.contains("derived indicator"), "{text}");
}

#[test]
fn growth_is_solved_from_an_indicators_own_earlier_base_year() {
    // `solve --all --as-of 2020` on the bundled scenario failed here: R&D personnel's base year
    // is 2019, so its window starts in 2020, which the shift refused as "not within the
    // simulated years 2021-2035" (the scenario's, not the indicator's).
    let (loaded, report) =
        growth_of_both_targets("tests/fixtures/analysis/early_base_growth.toml", 6);
    for (row, (start, k, years)) in report
        .rows
        .iter()
        .zip([(2019, 135.0, 6.0), (2020, 130.0, 5.0)])
    {
        assert_eq!(row.start_year, start, "{row:?}");
        assert_eq!(row.required.len(), 2, "{row:?}");
        for r in &row.required {
            // Every year of the window shifted: the trend mean needed is 5 + shift.
            let exact = 100.0 * ((k / 100.0f64).powf(1.0 / years) - 1.0)
                + 2.0 * norm_quantile(r.probability);
            let se = r.uncertainty.std_error;
            assert!(
                (5.0 + r.shift - exact).abs() <= 4.0 * se,
                "{} {r:?} vs {exact}",
                row.target
            );
        }
    }
    // A window that starts before the indicator's own simulated years is still refused.
    let refused = loaded
        .scenario
        .with_growth_shift("solve:test".into(), 0, 2019, 2025, 1.0)
        .unwrap_err();
    assert!(
        refused.to_string().contains("simulated years 2020-2025"),
        "{refused}"
    );
}
