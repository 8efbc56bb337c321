//! `sampling = "sobol"`: Owen-scrambled Sobol trend scores estimate trend-driven probabilities
//! with a smaller error across seeds than pseudo-random ones, stay unbiased, and keep results
//! independent of threads.

mod common;

use common::{group, header, run_text, target};
use plancast::numeric::normal::norm_cdf;

/// Three growth indicators with trend distributions and no yearly noise, so each CAGR target is
/// a statement about the trend alone: CAGR(2020..2025) = trend exactly.
fn scenario(sampling: &str) -> String {
    format!(
        "{}sampling = \"{sampling}\"\n\n\
[indicators.x]\nname = \"X\"\nunit = \"u\"\nmodel = \"growth\"\nbase = 100\n\
growth = [{{ from = 2021, to = 2025, trend = {{ dist = \"normal\", mean = 5, sd = 2 }} }}]\n\n\
[indicators.y]\nname = \"Y\"\nunit = \"u\"\nmodel = \"growth\"\nbase = 50\n\
growth = [{{ from = 2021, to = 2025, trend = {{ dist = \"normal\", mean = 3, sd = 1 }} }}]\n\n\
[indicators.z]\nname = \"Z\"\nunit = \"u\"\nmodel = \"growth\"\nbase = 10\n\
growth = [{{ from = 2021, to = 2025, trend = {{ dist = \"uniform\", min = 0, max = 10 }} }}]\n\n\
[[targets]]\nid = \"x_cagr\"\nindicator = \"x\"\nkind = \"cagr\"\nfrom = 2020\nto = 2025\nat_least = 6\n\n\
[[targets]]\nid = \"y_cagr\"\nindicator = \"y\"\nkind = \"cagr\"\nfrom = 2020\nto = 2025\nat_least = 2.5\n\n\
[[targets]]\nid = \"z_cagr\"\nindicator = \"z\"\nkind = \"cagr\"\nfrom = 2020\nto = 2025\nat_least = 7\n",
        header("Sobol test")
    )
}

/// Closed forms: P(N(5, 2) >= 6) = 1 - Φ(0.5); P(N(3, 1) >= 2.5) = Φ(0.5);
/// P(U(0, 10) >= 7) = 0.3; the due-2025 group (independent trends) is their product.
fn exact() -> [f64; 4] {
    let px = 1.0 - norm_cdf(0.5);
    let py = norm_cdf(0.5);
    let pz = 0.3;
    [px, py, pz, px * py * pz]
}

/// Root mean square error across `seeds` of each estimate, at `paths` paths.
fn rms_errors(sampling: &str, paths: u64, seeds: u64) -> [f64; 4] {
    let text = scenario(sampling);
    let exact = exact();
    let mut sum = [0.0; 4];
    for seed in 1..=seeds {
        let s = run_text(&text, paths, seed, 2);
        let estimates = [
            target(&s, "x_cagr").probability,
            target(&s, "y_cagr").probability,
            target(&s, "z_cagr").probability,
            group(&s, "due_2025").probability,
        ];
        for k in 0..4 {
            sum[k] += (estimates[k] - exact[k]).powi(2);
        }
    }
    sum.map(|s| (s / seeds as f64).sqrt())
}

#[test]
fn sobol_error_across_seeds_is_smaller_than_random() {
    let (paths, seeds) = (4096, 30);
    let random = rms_errors("random", paths, seeds);
    let sobol = rms_errors("sobol", paths, seeds);
    let names = ["x_cagr", "y_cagr", "z_cagr", "due_2025 (joint)"];
    for k in 0..4 {
        eprintln!(
            "{}: RMS error over {seeds} seeds at {paths} paths: random {:.5}, sobol {:.5} (ratio {:.1})",
            names[k],
            random[k],
            sobol[k],
            random[k] / sobol[k]
        );
        assert!(
            sobol[k] < random[k],
            "{}: sobol RMS error {} is not below random {}",
            names[k],
            sobol[k],
            random[k]
        );
    }
    // Random points: the RMS error is the binomial standard error (within sampling noise of the
    // RMS over 30 seeds, a factor 1.5 either way). Sobol: unbiased, so its RMS error is also an
    // honest error, and it must be well inside the random one for the one-dimensional targets.
    for (&p, &error) in exact().iter().zip(&random) {
        let se = (p * (1.0 - p) / paths as f64).sqrt();
        assert!(
            error > se / 1.5 && error < se * 1.5,
            "random RMS error {error} vs SE {se}"
        );
    }
    for k in 0..3 {
        assert!(
            sobol[k] < random[k] / 4.0,
            "{}: sobol {} not 4x better than random {}",
            names[k],
            sobol[k],
            random[k]
        );
    }
}

#[test]
fn sobol_estimates_are_within_4se_of_the_closed_form() {
    let s = run_text(&scenario("sobol"), 50_000, 3, 2);
    let exact = exact();
    common::assert_within_4se("x_cagr", target(&s, "x_cagr").probability, exact[0], 50_000);
    common::assert_within_4se("y_cagr", target(&s, "y_cagr").probability, exact[1], 50_000);
    common::assert_within_4se("z_cagr", target(&s, "z_cagr").probability, exact[2], 50_000);
    common::assert_within_4se(
        "due_2025",
        group(&s, "due_2025").probability,
        exact[3],
        50_000,
    );
}

#[test]
fn sobol_results_do_not_depend_on_threads() {
    let text = scenario("sobol");
    let mut one = run_text(&text, 40_000, 11, 1);
    let mut three = run_text(&text, 40_000, 11, 3);
    for s in [&mut one, &mut three] {
        s.timing.threads = 0;
        // Each run reads its own temporary copy of the scenario.
        s.scenario.files.clear();
    }
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        serde_json::to_string(&three).unwrap()
    );
}

#[test]
fn sobol_on_the_bundled_scenario_has_no_fallback_warning() {
    let s = common::run_file(
        std::path::Path::new("scenarios/guangxi-14th-fyp.toml"),
        2048,
        1,
        2,
        &["scenario.sampling=sobol"],
    );
    assert_eq!(s.run.sampling, plancast::model::Sampling::Sobol);
    assert!(
        s.warnings.iter().all(|w| !w.contains("sobol")),
        "{:?}",
        s.warnings
    );
}

#[test]
fn beyond_the_sobol_table_trend_scores_are_pseudo_random_with_a_warning() {
    let mut text = header("Many indicators");
    text.push_str("sampling = \"sobol\"\n\n");
    for k in 0..260 {
        text.push_str(&format!(
            "[indicators.i{k}]\nname = \"I{k}\"\nunit = \"u\"\nmodel = \"growth\"\nbase = 100\n\
             growth = [{{ from = 2021, to = 2025, trend = {{ dist = \"normal\", mean = 5, sd = 2 }} }}]\n\n"
        ));
    }
    // The last indicator is beyond the 256 Sobol dimensions: its estimate is still unbiased.
    text.push_str(
        "[[targets]]\nid = \"last\"\nindicator = \"i259\"\nkind = \"cagr\"\nfrom = 2020\nto = 2025\nat_least = 6\n",
    );
    let s = run_text(&text, 20_000, 5, 2);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("260 indicators draw trend scores") && w.contains("the other 4")),
        "{:?}",
        s.warnings
    );
    common::assert_within_4se(
        "i259 (pseudo-random)",
        target(&s, "last").probability,
        1.0 - norm_cdf(0.5),
        20_000,
    );
}
