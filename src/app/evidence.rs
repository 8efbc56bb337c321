//! `plancast track` and `plancast backtest`: the scenario loaded as of several years (or one),
//! simulated through [`crate::analysis::track`] and [`crate::analysis::backtest`], and their
//! files written as one set.

use super::analysis::{chart_error, chart_files, csv_error, json, write_all, wrote};
use super::settings::{Backtest, ScenarioInput, Track};
use super::{argument_error, Error};
use crate::analysis::{backtest, track, AnalysisError};
use crate::report;
use crate::report::audit::analysis_audit_line;
use crate::report::labels::Labels;
use crate::report::output::FileSet;
use crate::scenario::Loaded;

/// Loads `input` as of `as_of` (None: with every observation).
fn load_as_of(
    input: &ScenarioInput,
    as_of: Option<i64>,
    settings: &super::settings::Simulation,
    paths: Option<u64>,
) -> Result<Loaded, Error> {
    ScenarioInput {
        as_of,
        ..input.clone()
    }
    .load(paths.or(settings.paths), settings.seed)
}

/// `plancast track`.
pub fn track(settings: &Track) -> Result<String, Error> {
    let sim = settings.simulation;
    let latest = load_as_of(&settings.input, None, &sim, None)?;
    let scenario = &latest.scenario;
    let from = settings.from.unwrap_or(scenario.base_year() as i64);
    let Some(last_observed) = track::latest_observation_year(scenario) else {
        return Err(argument_error(
            settings.input.path.display().to_string(),
            "the scenario has no published value after its base year: there is nothing to track",
        ));
    };
    let to = settings.to.unwrap_or(last_observed as i64);
    for (flag, year) in [("--from", from), ("--to", to)] {
        if year < scenario.base_year() as i64 || year > scenario.horizon() as i64 {
            return Err(argument_error(
                format!("{flag} {year}"),
                format!(
                    "the as-of years must lie between base_year {} and horizon {}",
                    scenario.base_year(),
                    scenario.horizon()
                ),
            ));
        }
    }
    if from > to {
        return Err(argument_error(
            format!("--from {from}"),
            format!("--from must not come after the last as-of year {to}"),
        ));
    }
    let mut views = Vec::with_capacity((to - from + 1) as usize);
    for year in from..=to {
        views.push((
            year as i32,
            load_as_of(&settings.input, Some(year), &sim, None)?,
        ));
    }
    let result = track::run(&views, sim.threads)?;
    let mut files = vec![
        (
            "track.csv".to_string(),
            report::analysis::track::to_csv(&result).map_err(csv_error)?,
        ),
        ("track.json".to_string(), json(&result)?),
    ];
    if let Some(lang) = settings.charts {
        let labels = Labels::new(lang);
        let audit = analysis_audit_line(&result.run);
        let overview =
            report::charts::track::overview(&result, &labels, &audit).map_err(chart_error)?;
        let mut charts = Vec::with_capacity(result.targets.len());
        for t in &result.targets {
            let chart = report::charts::track::target_chart(&result, t, &labels, &audit)
                .map_err(chart_error)?;
            files.extend(chart_files(
                &format!("charts/track_{}", t.id),
                chart.clone(),
            ));
            charts.push(chart);
        }
        let page = report::track_html::render(&result, &overview, &charts, &labels);
        files.extend(chart_files("charts/track_overview", overview));
        files.push(("track.html".to_string(), page.into_bytes()));
    }
    let written = write_all(&settings.out, FileSet::Track, &files)?;
    if settings.json {
        return Ok(format!("{}\n", String::from_utf8_lossy(&json(&result)?)));
    }
    if settings.quiet {
        return Ok(String::new());
    }
    let mut text = report::analysis::track::render(&result);
    text.push_str(&wrote(&written));
    Ok(text)
}

/// `plancast backtest`.
pub fn backtest(settings: &Backtest) -> Result<String, Error> {
    let sim = settings.simulation;
    let at = settings.input.load(sim.paths, sim.seed)?;
    // With every observation, to tell which targets have been decided since (their outcome is
    // the same in every path, so few paths do).
    let latest = load_as_of(&settings.input, None, &sim, Some(1024))?;
    let result = backtest::run(&at, &latest, sim.threads).map_err(|e| match e {
        AnalysisError::NoSolution(message) => argument_error(
            format!("--as-of {}", settings.input.as_of.unwrap_or_default()),
            message,
        ),
        other => other.into(),
    })?;
    let mut files = vec![
        (
            "backtest.csv".to_string(),
            report::analysis::backtest::to_csv(&result).map_err(csv_error)?,
        ),
        ("backtest.json".to_string(), json(&result)?),
    ];
    if let Some(lang) = settings.charts {
        let labels = Labels::new(lang);
        let audit = analysis_audit_line(&result.run);
        let pit = report::charts::backtest::pit_histogram(&result, &labels, &audit)
            .map_err(chart_error)?;
        files.extend(chart_files("charts/backtest_pit", pit));
        let coverage = report::charts::backtest::coverage_chart(&result, &labels, &audit)
            .map_err(chart_error)?;
        files.extend(chart_files("charts/backtest_coverage", coverage));
    }
    let written = write_all(&settings.out, FileSet::Backtest, &files)?;
    if settings.json {
        return Ok(format!("{}\n", String::from_utf8_lossy(&json(&result)?)));
    }
    if settings.quiet {
        return Ok(String::new());
    }
    let mut text = report::analysis::backtest::render(&result);
    text.push_str(&wrote(&written));
    Ok(text)
}
