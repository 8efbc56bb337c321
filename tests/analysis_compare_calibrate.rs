//! `plancast compare` (same seed for all: identical scenarios give identical columns; targets
//! missing from a scenario stay blank) and `plancast calibrate` on a long synthetic AR(1) series.

use plancast::analysis::calibrate::{self, ChangeModel};
use plancast::analysis::compare;

mod common;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use std::io::Write;

#[test]
fn identical_scenarios_give_identical_columns_and_missing_targets_stay_blank() {
    let base = common::load(
        "tests/fixtures/analysis/closed_form_growth.toml",
        Some(5_000),
        None,
        &[],
    );
    let seed = Some(base.scenario.seed());
    let other = common::load(
        "tests/fixtures/analysis/other_targets.toml",
        Some(5_000),
        seed,
        &[],
    );
    let c = compare::run(
        &[
            ("closed_form_growth".to_string(), base.clone()),
            ("closed_form_growth".to_string(), base),
            ("other_targets".to_string(), other),
        ],
        None,
    )
    .unwrap();
    assert_eq!(c.columns.len(), 3);
    assert_eq!(c.columns[1].name, "closed_form_growth_2");
    for row in &c.rows {
        assert_eq!(row.cells[0], row.cells[1], "{row:?}");
    }
    let row = |id: &str| c.rows.iter().find(|r| r.target == id).unwrap();
    // Shared target, same seed and paths: the extending scenario gives the same numbers.
    assert_eq!(row("a_2025").cells[0], row("a_2025").cells[2]);
    assert!(row("c_2025").cells[2].is_none());
    assert!(row("a_2023").cells[0].is_none() && row("a_2023").cells[2].is_some());
    let csv = String::from_utf8(plancast::report::analysis::compare::to_csv(&c).unwrap()).unwrap();
    assert!(csv.contains("target,c_2025,,,2025,"), "{csv}");
}

#[test]
fn calibrate_recovers_a_long_ar1_series_within_standard_errors() {
    // g_t = mean + e_t, e_t = phi e_{t-1} + sqrt(1 - phi^2) noise z_t (the scenario's AR(1)), so
    // the stationary sd of g is `noise`.
    let (mean, noise, phi) = (6.0, 2.0, 0.5);
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(2024);
    let n = 3000;
    let mut file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    writeln!(file, "# synthetic AR(1) growth\nyear,value").unwrap();
    let mut x = 100.0f64;
    let z0: f64 = StandardNormal.sample(&mut rng);
    let mut e = noise * z0;
    writeln!(file, "1000,{x}").unwrap();
    for t in 1..=n {
        if t > 1 {
            let z: f64 = StandardNormal.sample(&mut rng);
            e = phi * e + (1.0f64 - phi * phi).sqrt() * noise * z;
        }
        // 1.06^3000 is about 1e76: well within f64 range.
        x *= 1.0 + (mean + e) / 100.0;
        writeln!(file, "{},{x:e}", 1000 + t).unwrap();
    }
    file.flush().unwrap();
    let history = plancast::scenario::history::read_history(file.path()).unwrap();
    let c = calibrate::calibrate("synthetic", &history, None, None, ChangeModel::Growth).unwrap();
    assert_eq!(c.rates.len(), n);
    let phi_hat = c.persistence.unwrap();
    let phi_se = c.persistence_se.unwrap();
    for (what, got, exact, se) in [
        ("mean", c.mean, mean, c.mean_se),
        ("sd", c.sd, noise, c.sd_se),
        ("persistence", phi_hat, phi, phi_se),
    ] {
        eprintln!(
            "{what}: {got:.4}, true {exact}, difference {:+.2} SE",
            (got - exact) / se
        );
        assert!(
            (got - exact).abs() <= 4.0 * se,
            "{what}: {got} vs {exact} (SE {se})"
        );
    }
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let block = plancast::report::analysis::calibrate::render(&c);
    assert!(block.contains("growth = ["), "{block}");
}
