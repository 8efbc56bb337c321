//! The model's checked edits (`model::edit`): an edited scenario is the scenario the loader
//! builds from the file with the same value written in it (the same numbers, bit for bit, after
//! simulation), and a value the loader refuses is refused by the edit too.

use plancast::model::edit::Knob;
use plancast::report::summary::{self, Summary};
use plancast::scenario::{knob, Loaded};

mod common;

const GUANGXI: &str = "scenarios/guangxi-14th-fyp.toml";
const PATHS: u64 = 3_000;
const SEED: u64 = 11;

fn simulate(loaded: &Loaded) -> Summary {
    let sim = plancast::engine::simulate(&loaded.scenario, Some(2), &|_| {}).unwrap();
    summary::build(loaded, &sim, 0.0, 2)
}

/// Targets, groups, milestones and per-indicator results as JSON (what must not differ).
fn numbers(s: &Summary) -> serde_json::Value {
    serde_json::json!({
        "targets": s.targets,
        "groups": s.groups,
        "milestones": s.milestones,
        "indicators": s.indicators,
    })
}

/// `key = value` through the checked edit equals `--set key=value` through the loader.
fn assert_edit_equals_reload(key: &str, value: f64) {
    let base = common::load(GUANGXI, Some(PATHS), Some(SEED), &[]);
    let knob = knob::resolve(&base, key).unwrap_or_else(|e| panic!("{key}: {e:?}"));
    let mut edited = base.clone();
    edited.scenario = base
        .scenario
        .with_knob(&knob, value)
        .unwrap_or_else(|e| panic!("{key} = {value}: {e}"));
    assert_eq!(edited.scenario.knob_value(&knob), Some(value), "{key}");
    let reloaded = common::load(
        GUANGXI,
        Some(PATHS),
        Some(SEED),
        &[&format!("{key}={value:?}")],
    );
    assert_eq!(
        numbers(&simulate(&edited)),
        numbers(&simulate(&reloaded)),
        "{key} = {value}: the edited scenario simulates differently from the reloaded one"
    );
    // And the edit changed something (a test that cannot fail proves nothing).
    assert_ne!(
        numbers(&simulate(&edited)),
        numbers(&simulate(&base)),
        "{key} = {value} changed nothing"
    );
}

#[test]
fn trend_parameters_equal_the_file_with_the_value_written() {
    assert_edit_equals_reload("indicators.rd_spend.growth.0.trend.mode", 14.5);
    assert_edit_equals_reload("indicators.gdp.growth.2.trend.mode", 4.0);
    assert_edit_equals_reload("indicators.ht_firms.growth.1.trend.mean", 6.0);
}

#[test]
fn noise_persistence_and_base_equal_the_file_with_the_value_written() {
    assert_edit_equals_reload("indicators.gdp.growth.0.noise", 2.0);
    assert_edit_equals_reload("indicators.gdp.growth.0.persistence", 0.6);
    // The base moves the values fixed by observations: the plan is rebuilt by the edit.
    assert_edit_equals_reload("indicators.rd_spend.base", 200.0);
}

#[test]
fn events_thresholds_and_correlations_equal_the_file_with_the_value_written() {
    assert_edit_equals_reload("events.0.probability", 0.3);
    assert_edit_equals_reload("events.1.effects.ht_firms", -12.0);
    assert_edit_equals_reload("targets.2.at_least", 50.0);
    assert_edit_equals_reload("correlation.trend.3.2", 0.5);
}

#[test]
fn values_the_loader_refuses_are_refused_by_the_edit() {
    let base = common::load(GUANGXI, Some(PATHS), Some(SEED), &[]);
    let s = &base.scenario;
    let refused = |key: &str, value: f64, expected: &str| {
        let knob = knob::resolve(&base, key).unwrap();
        let error = s.with_knob(&knob, value).expect_err(key).to_string();
        assert!(error.contains(expected), "{key} = {value}: {error}");
    };
    refused(
        "indicators.gdp.growth.0.persistence",
        1.0,
        "persistence must be in [0, 1)",
    );
    refused("indicators.gdp.growth.0.noise", -1.0, "must be >= 0");
    refused("indicators.gdp.base", 0.0, "must be positive");
    refused(
        "events.0.probability",
        1.5,
        "probability must lie in [0, 1]",
    );
    refused("targets.2.at_least", f64::INFINITY, "finite");
    refused("correlation.trend.3.2", 1.5, "[-1, 1]");
    // A negative spread: the distribution's own rule (split normal).
    refused(
        "indicators.rd_spend.growth.0.trend.sd_below",
        -1.0,
        "sd_below",
    );
    assert!(s.with_paths(0).is_err());
    assert!(s.with_paths(1 << 33).is_err());
    assert_eq!(s.with_paths(77).unwrap().paths(), 77);
}

#[test]
fn keys_that_name_no_single_number_are_refused_with_the_reason() {
    let base = common::load(GUANGXI, Some(PATHS), Some(SEED), &[]);
    let message = |key: &str| knob::resolve(&base, key).unwrap_err().message;
    assert!(message("indicators.rd_spend.growth.0.trend").contains("not a number"));
    assert!(message("indicators.rd_spend.growth.0.trend.median").contains("unknown parameter"));
    assert!(message("indicators.nope.base").contains("no indicator `nope`"));
    assert!(message("scenario.horizon").contains("not a number that solve can vary"));
    assert!(message("events.9.probability").contains("past the end"));
    assert!(message("indicators.gdp.step.0.noise").contains("under `growth`, not `step`"));
    let Knob::TrendParameter { parameter, .. } =
        knob::resolve(&base, "indicators.rd_spend.growth.0.trend.mode").unwrap()
    else {
        panic!("a trend parameter")
    };
    assert_eq!(parameter.as_deref(), Some("mode"));
}

#[test]
fn a_growth_shift_is_an_edit_with_its_own_stream() {
    let base = common::load(GUANGXI, Some(PATHS), Some(SEED), &[]);
    let s = &base.scenario;
    let gdp = s.indicator_index("gdp").unwrap();
    // An id a scenario event could have is refused (it could share a random stream).
    assert!(s
        .with_growth_shift("plain_id".into(), gdp, 2025, 2030, 1.0)
        .is_err());
    assert!(s
        .with_growth_shift("probe:gdp".into(), gdp, s.base_year(), 2030, 1.0)
        .is_err());
    let shifted = s
        .with_growth_shift("probe:gdp".into(), gdp, 2025, 2030, 1.0)
        .unwrap();
    assert_eq!(shifted.events().len(), s.events().len() + 1);
    // Indicators the shift does not touch keep their numbers exactly (common random numbers).
    let mut edited = base.clone();
    edited.scenario = shifted;
    let (a, b) = (simulate(&base), simulate(&edited));
    let rd = |s: &Summary| {
        serde_json::to_value(
            s.indicators
                .iter()
                .find(|i| i.id == "rd_personnel_fte")
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(rd(&a), rd(&b));
    let gdp_of = |s: &Summary| {
        serde_json::to_value(s.indicators.iter().find(|i| i.id == "gdp").unwrap()).unwrap()
    };
    assert_ne!(gdp_of(&a), gdp_of(&b));
}

#[test]
fn a_knob_or_index_from_another_scenario_is_refused_not_a_panic() {
    let base = common::load(GUANGXI, Some(PATHS), Some(SEED), &[]);
    let s = &base.scenario;
    let stray = Knob::Noise {
        indicator: 9_999,
        period: 0,
    };
    assert_eq!(s.knob_value(&stray), None);
    let error = s.with_knob(&stray, 1.0).unwrap_err().to_string();
    assert!(error.contains("indicator 9999"), "{error}");
    assert!(s.with_event_probability(99, 0.5).is_err());
    assert!(s.with_correlation_entry(9_999, 0.1).is_err());
    assert!(s.with_fixed_trend(0, 99, 1.0).is_err());
    assert!(s
        .with_growth_shift("probe:x".into(), 9_999, 2025, 2030, 1.0)
        .is_err());
}
