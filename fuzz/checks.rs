//! The checks behind the fuzz targets in `fuzz/`, outside the shipped library: the fuzz targets and
//! the regression test that replays their findings (`tests/fuzz_regressions.rs`) include this file
//! with `#[path]`, so both run the same code.

use plancast::model::formula::Formula;
use plancast::model::Scenario;

/// Indicator names a fuzzed formula may refer to.
const FORMULA_NAMES: [&str; 4] = ["a", "b", "gdp", "rd_spend"];

/// Paths in each fuzzed formula evaluation.
const FORMULA_PATHS: usize = 4;

/// Parses, binds and evaluates a fuzzed formula: `data` is formula text, optionally followed by a
/// NUL byte and bytes that give the input values (each as `i8 / 4`, with `0x7f` for `f64::MAX`
/// and `0x80` for 0). Text that does not parse or bind is simply rejected.
///
/// # Panics
/// When the vector and the scalar evaluation of a formula disagree (other than both NaN): this
/// is the fuzzers' oracle, so a mismatch must stop them.
pub fn check_formula_bytes(data: &[u8]) {
    let (text, values) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let Ok(formula) = Formula::parse(text) else {
        return;
    };
    let mut slots = 0usize;
    let Ok(program) = formula.bind(&FORMULA_NAMES, &mut |name, lag| {
        (FORMULA_NAMES.contains(&name) && lag <= 5).then(|| {
            slots += 1;
            slots - 1
        })
    }) else {
        return;
    };
    let value = |k: usize| -> f64 {
        match values.get(k) {
            None => 1.5,
            Some(0x7f) => f64::MAX,
            Some(0x80) => 0.0,
            Some(&b) => (b as i8) as f64 / 4.0,
        }
    };
    let columns: Vec<Vec<f64>> = (0..slots)
        .map(|s| {
            (0..FORMULA_PATHS)
                .map(|p| value(s * FORMULA_PATHS + p))
                .collect()
        })
        .collect();
    let inputs: Vec<&[f64]> = columns.iter().map(|c| c.as_slice()).collect();
    let mut out = vec![0.0; FORMULA_PATHS];
    let mut scratch = Vec::new();
    program.eval(&inputs, &mut out, &mut scratch);
    for (p, &v) in out.iter().enumerate() {
        let row: Vec<f64> = columns.iter().map(|c| c[p]).collect();
        let scalar = program.eval_scalar(&row);
        assert!(
            scalar.to_bits() == v.to_bits() || (scalar.is_nan() && v.is_nan()),
            "`{text}` path {p}: vector {v} vs scalar {scalar}"
        );
    }
}

/// Simulates a fuzzed scenario (with its own path count) if it is small enough to keep each
/// fuzz execution short; results and runtime errors are both fine, only a panic is a finding.
pub fn simulate_if_small(scenario: &Scenario) {
    let years = (scenario.horizon() - scenario.base_year()).max(0) as usize + 1;
    if scenario.indicators().len() * years <= 5_000 && scenario.events().len() <= 20 {
        let _ = plancast::engine::simulate(scenario, Some(1), &|_| {});
    }
}

/// Writes `data` to `name` in this process's scratch folder (the commands read from paths) and
/// returns the file's path.
///
/// # Panics
/// When the scratch folder cannot be written (the fuzzing machine is broken, not plancast).
#[allow(dead_code)] // used by the fuzz targets, not by the regression test
pub fn scratch_file(name: &str, data: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("plancast-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let path = dir.join(name);
    std::fs::write(&path, data).expect("scratch file");
    path
}

/// `plancast run` on a scenario file without writing files: load (at most 64 paths), simulate
/// if small, then the summary, the table, the CSV files, every chart and the report. Errors are
/// fine; only a panic (or a hang) is a finding.
pub fn run_scenario_file(path: &std::path::Path) {
    use plancast::scenario::{self, LoadOptions, RunSettings};
    let options = LoadOptions {
        sets: Vec::new(),
        settings: RunSettings {
            paths: Some(64),
            seed: Some(1),
            as_of: None,
        },
    };
    let Ok(loaded) = scenario::load(path, &options) else {
        return;
    };
    let scenario = &loaded.scenario;
    let years = (scenario.horizon() - scenario.base_year()).max(0) as usize + 1;
    if scenario.indicators().len() * years > 2_000
        || scenario.events().len() > 20
        || scenario.targets().len() > 50
    {
        return;
    }
    let Ok(sim) = plancast::engine::simulate(scenario, Some(1), &|_| {}) else {
        return;
    };
    let summary = plancast::report::summary::build(&loaded, &sim, 0.0, 1);
    render_summary(&summary);
}

/// Everything drawn or written from a summary: the table, the CSV files, JSON, every chart and
/// the report (in memory).
fn render_summary(summary: &plancast::report::summary::Summary) {
    let _ = plancast::report::table::render(summary);
    let _ = plancast::report::csv::targets_csv(summary);
    let _ = plancast::report::csv::quantiles_csv(summary);
    let _ = serde_json::to_vec(summary);
    let labels = plancast::report::labels::Labels::new(plancast::report::labels::Lang::En);
    let _ = plancast::app::charts::draw_charts_and_report(summary, &labels);
}

/// `plancast merge` of one part (a run of one shard) without writing files.
pub fn merge_partial_file(path: &std::path::Path) {
    if let Ok((summary, view)) = plancast::app::shard::merge_parts(&[path.to_path_buf()]) {
        let _ = plancast::report::table::render(&summary);
        let _ = plancast::report::csv::targets_csv(&summary);
        let _ = plancast::report::xlsx::results_workbook(&summary, &view);
    }
}

/// `plancast plot` on a folder holding `summary.json`, without writing files.
pub fn plot_summary_folder(dir: &std::path::Path) {
    if let Ok(summary) = plancast::app::charts::read_summary(dir) {
        render_summary(&summary);
    }
}

/// `plancast calibrate` of a history file, growth and additive.
///
/// # Panics
/// When accepted estimates are not finite numbers (the issue-13 oracle: impossible input is an
/// error with its reason, never `inf` or `NaN` printed with exit 0).
pub fn calibrate_file(path: &std::path::Path) {
    use plancast::analysis::calibrate::{calibrate, ChangeModel};
    let Ok(history) = plancast::scenario::history::read_history(path) else {
        return;
    };
    for model in [ChangeModel::Growth, ChangeModel::Additive] {
        if let Ok(c) = calibrate("history.csv", &history, None, None, model) {
            let numbers = [c.mean, c.mean_se, c.sd, c.sd_se];
            assert!(
                numbers.iter().all(|x| x.is_finite())
                    && c.persistence.is_none_or(f64::is_finite)
                    && c.persistence_se.is_none_or(f64::is_finite),
                "{model:?}: non-finite estimates {numbers:?}"
            );
            let _ = plancast::report::analysis::calibrate::render(&c);
        }
    }
}
