//! `plancast sensitivity` skips the assumptions a target cannot depend on
//! (`src/analysis/dependencies.rs`). Checked two ways: on a fixture whose answer is known by
//! construction (tests/fixtures/analysis/dependencies.toml), and, on the bundled scenario and the
//! fixture, against the full run: every assumption called independent moves nothing, bit for
//! bit, and the pruned run's rows are the full run's rows.

use plancast::analysis::dependencies::dependencies;
use plancast::analysis::sensitivity::{self, Pruning, SensitivityReport, TargetSensitivity};
use std::collections::BTreeSet;

const FIXTURE: &str = "tests/fixtures/analysis/dependencies.toml";
const BUNDLED: &str = "scenarios/guangxi-14th-fyp.toml";

mod common;

/// Paths and seed of a run.
struct Options {
    paths: u64,
    seed: u64,
}

fn options(paths: u64, seed: u64) -> Options {
    Options { paths, seed }
}

fn run(path: &str, options: &Options, targets: &[&str], pruning: Pruning) -> SensitivityReport {
    let loaded = common::load(path, Some(options.paths), Some(options.seed), &[]);
    let chosen = common::target_indices(&loaded, targets);
    sensitivity::run(&loaded, &chosen, pruning, None).unwrap()
}

/// Every row the report calls independent has exactly the scenario's numbers: the same
/// probability at the 10th, 50th and 90th percentile (the scenario's own), the same mean, no
/// share. Returns how many rows were checked.
fn assert_independent_rows_do_not_move(full: &SensitivityReport) -> usize {
    let mut checked = 0;
    for t in &full.targets {
        for e in t.effects.iter().filter(|e| !e.depends) {
            let same = |x: f64| x.to_bits() == t.p_base.to_bits();
            assert!(
                same(e.p_low) && same(e.p_mid) && same(e.p_high),
                "{}: `{}` is called independent but moves the probability: {e:?}",
                t.id,
                e.assumption
            );
            let [low, mid, high] = e.outcome_means.map(f64::to_bits);
            assert!(
                low == mid && mid == high,
                "{}: `{}` is called independent but moves the mean: {e:?}",
                t.id,
                e.assumption
            );
            assert!(
                e.variance_share.is_none_or(|s| s == 0.0) && e.swing == 0.0,
                "{}: {e:?}",
                t.id
            );
            checked += 1;
        }
    }
    checked
}

/// The targets' rows as JSON values (bit-exact for finite numbers; NaN as null).
fn rows(targets: &[TargetSensitivity]) -> serde_json::Value {
    serde_json::to_value(targets).unwrap()
}

fn dependent_names(report: &SensitivityReport, target: &str) -> BTreeSet<String> {
    report
        .targets
        .iter()
        .find(|t| t.id == target)
        .unwrap()
        .effects
        .iter()
        .filter(|e| e.depends)
        .map(|e| e.assumption.clone())
        .collect()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_fixture_dependencies_are_the_ones_built_in() {
    let scenario = common::load(FIXTURE, Some(1_000), Some(3), &[]).scenario;
    let list = plancast::analysis::assumptions::assumptions(&scenario);
    assert_eq!(list.len(), 11, "{list:#?}");
    let deps = dependencies(&scenario, &list);
    let got = |target: &str| -> BTreeSet<String> {
        let k = scenario
            .targets()
            .iter()
            .position(|t| t.id == target)
            .unwrap();
        list.iter()
            .zip(&deps.depends[k])
            .filter(|(_, &d)| d)
            .map(|(a, _)| a.name.clone())
            .collect()
    };
    // a / b: both trends up to the due year (a's 2025-2030 period starts in 2025, b's 2026-2030
    // does not), the event on b, ρ(c, a) (a's Cholesky row contains it: c comes first) and the
    // noise ρ(a, b) (b's row). Not c's trend (a's score reads c's normal, not c's trend), not
    // ρ(b, d) (only d's row, d comes after b), nothing of d.
    let ratio_2025 = [
        "a trend 2021-2024",
        "a trend 2025-2030",
        "b trend 2021-2025",
        "event b_dip probability",
        "trend correlation c~a",
        "noise correlation a~b",
    ];
    assert_eq!(got("ratio_2025"), names(&ratio_2025));
    let mut ratio_2030 = names(&ratio_2025);
    ratio_2030.insert("b trend 2026-2030".to_string());
    assert_eq!(got("ratio_2030"), ratio_2030);
    // a[-1] in 2025 reads a in 2024: a's 2025-2030 trend comes a year too late.
    assert_eq!(
        got("a_lag_2025"),
        names(&["a trend 2021-2024", "trend correlation c~a"])
    );
    // c is the first row of the factor: no correlation entry reaches it.
    assert_eq!(got("c_2030"), names(&["c trend 2021-2030"]));
    // d's row holds ρ(b, d); the c~a block is separate and leaves d's row exactly as it is.
    assert_eq!(
        got("d_2030"),
        names(&[
            "d trend 2021-2030",
            "event d_dip probability",
            "trend correlation b~d"
        ])
    );
}

#[test]
fn on_the_fixture_skipped_assumptions_move_nothing_and_pruned_rows_equal_the_full_run() {
    let options = options(2_000, 3);
    let full = run(FIXTURE, &options, &[], Pruning::SimulateAll);
    assert_eq!(full.skipped_assumptions, 0);
    assert_eq!(full.simulations, 1 + 3 * 6 + 2 * 5);
    let checked = assert_independent_rows_do_not_move(&full);
    assert_eq!(checked, 5 + 4 + 9 + 10 + 8, "independent rows");
    // Not vacuous: the rows kept do move.
    for (target, assumption) in [
        ("ratio_2025", "a trend 2021-2024"),
        ("ratio_2025", "event b_dip probability"),
        ("ratio_2025", "noise correlation a~b"),
        ("d_2030", "event d_dip probability"),
    ] {
        let t = full.targets.iter().find(|t| t.id == target).unwrap();
        let e = t
            .effects
            .iter()
            .find(|e| e.assumption == assumption)
            .unwrap();
        assert!(e.depends && e.swing > 0.0, "{target}: {e:?}");
    }

    // Every target: nothing skipped here (each assumption feeds some target), same rows.
    let pruned = run(FIXTURE, &options, &[], Pruning::SkipIndependent);
    assert_eq!(pruned.skipped_assumptions, 0);
    assert_eq!(rows(&pruned.targets), rows(&full.targets));

    // One target at a time, and two together: fewer runs, the full run's rows.
    for (selection, skipped) in [
        (vec!["ratio_2025"], 5),
        (vec!["a_lag_2025"], 9),
        (vec!["c_2030"], 10),
        (vec!["d_2030"], 8),
        (vec!["c_2030", "d_2030"], 7),
    ] {
        let pruned = run(FIXTURE, &options, &selection, Pruning::SkipIndependent);
        assert_eq!(pruned.skipped_assumptions, skipped, "{selection:?}");
        let expected: Vec<TargetSensitivity> = full
            .targets
            .iter()
            .filter(|t| selection.contains(&t.id.as_str()))
            .cloned()
            .collect();
        assert_eq!(rows(&pruned.targets), rows(&expected), "{selection:?}");
    }
    let ratio = run(FIXTURE, &options, &["ratio_2025"], Pruning::SkipIndependent);
    // a's two trends and b's first (3 runs each), the event and two correlations (2 each).
    assert_eq!(ratio.simulations, 1 + 3 * 3 + 2 * 3);
    assert_eq!(
        dependent_names(&ratio, "ratio_2025").len(),
        6,
        "{:?}",
        dependent_names(&ratio, "ratio_2025")
    );
}

#[test]
fn on_the_bundled_scenario_skipped_assumptions_move_nothing_and_pruned_rows_equal_the_full_run() {
    let options = options(2_000, 20211029);
    let full = run(BUNDLED, &options, &[], Pruning::SimulateAll);
    assert_eq!(full.targets.len(), 51);
    // Every target, every assumption it is said not to depend on: exactly no effect.
    let checked = assert_independent_rows_do_not_move(&full);
    eprintln!(
        "{checked} independent (target, assumption) rows of {} checked",
        full.targets.len() * full.assumptions.len()
    );
    assert!(checked > 1000, "only {checked} rows are called independent");

    // Pruned runs: all targets, the R&D intensity target alone, and two targets together.
    let all = run(BUNDLED, &options, &[], Pruning::SkipIndependent);
    assert_eq!(rows(&all.targets), rows(&full.targets));
    for selection in [
        vec!["rd_intensity_2035"],
        vec!["rd_intensity_2035", "ht_firms_2025"],
    ] {
        let pruned = run(BUNDLED, &options, &selection, Pruning::SkipIndependent);
        let expected: Vec<TargetSensitivity> = full
            .targets
            .iter()
            .filter(|t| selection.contains(&t.id.as_str()))
            .cloned()
            .collect();
        assert_eq!(rows(&pruned.targets), rows(&expected), "{selection:?}");
        assert!(pruned.skipped_assumptions > 0, "{selection:?}");
        assert!(pruned.simulations < full.simulations, "{selection:?}");
    }

    // R&D intensity = rd_spend / gdp * 100: both indicators' trends are kept.
    let rd = dependent_names(&full, "rd_intensity_2035");
    for name in [
        "rd_spend trend 2021-2025",
        "rd_spend trend 2026-2035",
        "gdp trend 2022-2025",
        "gdp trend 2026-2035",
    ] {
        assert!(rd.contains(name), "{name} missing from {rd:?}");
    }
    // With posterior trends, rd_spend's and gdp's trend scores are drawn given the observations
    // of their whole group of correlated trends, so that group's assumptions are kept too; the
    // trends outside every correlated group (new_product_share: no correlation, no data) are
    // still skipped. (The count indicators are in the group through the policy-effort factor.)
    assert!(rd.contains("ht_firms trend 2021-2025"), "{rd:?}");
    assert!(rd.contains("crop_varieties trend 2021-2035"), "{rd:?}");
    assert!(
        !rd.iter().any(|n| n.starts_with("new_product_share")),
        "{rd:?}"
    );
    assert!(rd.len() < full.assumptions.len(), "{rd:?}");
}

/// A correlation whose 10th percentile makes the matrix not positive definite: the repaired
/// matrix moves a row that an ordinary change of that entry would not, and the analysis must
/// follow it.
const REPAIRED: &str = r#"
[scenario]
name = "Repaired correlations"
base_year = 2020
horizon = 2025
seed = 2
paths = 2000

[indicators.w]
name = "W (no correlation)"
unit = "yuan"
model = "growth"
base = 100
growth = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 3, sd = 1 } }]

[indicators.x]
name = "X"
unit = "yuan"
model = "growth"
base = 100
growth = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 3, sd = 1 } }]

[indicators.y]
name = "Y"
unit = "yuan"
model = "growth"
base = 100
growth = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 3, sd = 1 } }]

[indicators.z]
name = "Z"
unit = "yuan"
model = "growth"
base = 100
growth = [{ from = 2021, to = 2025, trend = { dist = "normal", mean = 3, sd = 1 } }]

[correlation]
trend = [["x", "y", 0.9], ["x", "z", 0.9], ["y", "z", 0.7]]

[[targets]]
id = "w_2025"
indicator = "w"
year = 2025
at_least = 116

[[targets]]
id = "x_2025"
indicator = "x"
year = 2025
at_least = 116

[[targets]]
id = "y_2025"
indicator = "y"
year = 2025
at_least = 116
"#;

#[test]
fn a_held_correlation_that_needs_repair_is_followed_into_the_rows_it_moves() {
    use std::io::Write;
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    file.write_all(REPAIRED.as_bytes()).unwrap();
    let path = file.path().to_str().unwrap();
    let options = options(2_000, 2);
    let full = run(path, &options, &[], Pruning::SimulateAll);
    let yz = |r: &SensitivityReport, target: &str| {
        r.targets
            .iter()
            .find(|t| t.id == target)
            .unwrap()
            .effects
            .iter()
            .find(|e| e.assumption == "trend correlation y~z")
            .unwrap()
            .clone()
    };
    // ρ(y, z) at its 10th percentile cannot hold with ρ(x, y) = ρ(x, z) = 0.9: repaired.
    let y = yz(&full, "y_2025");
    assert!(y.note.is_some(), "{y:?}");
    // An ordinary change of ρ(y, z) would leave y's row alone (y comes before z), but the repair
    // also changes ρ(x, y): y depends on it, and it moves y's numbers.
    assert!(
        y.depends && y.outcome_means[0] != y.outcome_means[1],
        "{y:?}"
    );
    // x's row is the first of its block: (x, 1.0) whatever the matrix. w is in no correlation.
    let x = yz(&full, "x_2025");
    assert!(!x.depends && x.note.is_some(), "{x:?}");
    assert!(!yz(&full, "w_2025").depends);
    // Independent: w and x of everything but their own trend (6 each), y of the other three
    // trends (ρ(x, z) at its 90th percentile needs a repair too, which moves y's row).
    assert_eq!(assert_independent_rows_do_not_move(&full), 6 + 6 + 3);
    for selection in [vec![], vec!["w_2025"], vec!["x_2025"]] {
        let pruned = run(path, &options, &selection, Pruning::SkipIndependent);
        let expected: Vec<TargetSensitivity> = full
            .targets
            .iter()
            .filter(|t| selection.is_empty() || selection.contains(&t.id.as_str()))
            .cloned()
            .collect();
        assert_eq!(rows(&pruned.targets), rows(&expected), "{selection:?}");
    }
}
