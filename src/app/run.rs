//! `plancast run` and `plancast validate`: load the scenario, simulate (all paths, or until the
//! requested precision), build the summary record, draw the charts, and write every output
//! atomically as one set.

use super::charts::{draw_charts_and_report, fallback_warning};
use super::output::{assumptions_view, write_outputs};
use super::progress::RunProgress;
use super::settings::{Run, RunMode, ScenarioInput};
use super::Error;
use crate::engine::{self, precision};
use crate::report;
use crate::report::labels::Labels;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// `plancast show`: the scenario's assumptions, events, correlations and targets as tables (or
/// JSON); simulates nothing.
pub fn show(settings: &super::settings::Show) -> Result<String, Error> {
    let loaded = settings.input.load(None, None)?;
    let labels = Labels::new(settings.lang);
    let view = report::show::build(&loaded, &labels);
    if settings.json {
        let mut text = serde_json::to_string_pretty(&view)
            .map_err(|e| Error::Runtime(format!("cannot write JSON: {e}")))?;
        text.push('\n');
        return Ok(text);
    }
    Ok(report::show::render(&view))
}

/// `plancast validate`: a short description of a valid scenario.
pub fn validate(input: &ScenarioInput) -> Result<String, Error> {
    let loaded = input.load(None, None)?;
    let s = &loaded.scenario;
    let mut text = format!(
        "{}: valid — {}, {}, {}, years {}..{}\n",
        input.path.display(),
        count(s.indicators().len(), "indicator"),
        count(s.targets().len(), "target"),
        count(s.events().len(), "event"),
        s.base_year(),
        s.horizon()
    );
    for w in s.warnings() {
        text.push_str(&format!("warning: {w}\n"));
    }
    Ok(text)
}

/// "1 target", "3 targets".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The result of `plancast run`.
pub struct RunOutcome {
    /// The summary record.
    pub summary: report::summary::Summary,
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Charts drawn and how long drawing them and the report took, seconds.
    pub charts: Option<(usize, f64)>,
    /// Labels that could not be drawn as written (see [`Labels::fallbacks`]).
    pub fallbacks: Vec<String>,
}

/// `plancast run` (all the paths, or until the requested precision): the text to print.
pub fn execute(settings: &Run) -> Result<String, Error> {
    let outcome = run(settings)?;
    if let Some(w) = fallback_warning(&outcome.fallbacks) {
        eprintln!("{w}");
    }
    if settings.quiet {
        return Ok(String::new());
    }
    if settings.json {
        // The document written as summary.json, for piping; messages went to stderr.
        let mut text = serde_json::to_string_pretty(&outcome.summary)
            .map_err(|e| Error::Runtime(format!("cannot write JSON: {e}")))?;
        text.push('\n');
        return Ok(text);
    }
    let mut text = report::table::render(&outcome.summary);
    // Chart files are many: name the folder, not each file.
    let mut listed: Vec<String> = outcome
        .written
        .iter()
        .filter(|p| !p.parent().is_some_and(|d| d.ends_with("charts")))
        .map(|p| p.display().to_string())
        .collect();
    if let Some((charts, seconds)) = outcome.charts {
        let dir = outcome.written.iter().find_map(|p| {
            p.parent()
                .filter(|d| d.ends_with("charts"))
                .map(Path::to_path_buf)
        });
        if let Some(dir) = dir {
            listed.push(format!(
                "{}/ ({charts} charts, SVG and PNG, drawn in {seconds:.2} s)",
                dir.display()
            ));
        }
    }
    if let Some(info) = &outcome.summary.precision {
        text.push('\n');
        text.push_str(&precision_line(info));
    }
    text.push_str(&format!(
        "\n{} paths in {:.2} s; wrote {}\n",
        outcome.summary.run.paths,
        outcome.summary.timing.elapsed_seconds,
        listed.join(", ")
    ));
    Ok(text)
}

/// Simulates (all paths, or until the requested precision), then writes every output
/// atomically.
pub fn run(settings: &Run) -> Result<RunOutcome, Error> {
    let loaded = settings
        .input
        .load(settings.simulation.paths, settings.simulation.seed)?;
    let threads = settings.simulation.threads;
    let started = Instant::now();
    let progress_total = match settings.mode {
        RunMode::Precision { max_paths, .. } => max_paths,
        _ => loaded.scenario.paths(),
    };
    let progress = RunProgress::new(progress_total, settings.quiet);
    let report_progress = |done| progress.update(done);
    let result = match settings.mode {
        RunMode::Precision {
            half_width,
            max_paths,
        } => precision::run(
            &loaded.scenario,
            half_width,
            max_paths,
            threads,
            &report_progress,
        )
        .map(|(sim, info)| (sim, Some(info))),
        _ => engine::simulate(&loaded.scenario, threads, &report_progress).map(|sim| (sim, None)),
    };
    progress.finish();
    let (sim, precision_info) = result?;
    let elapsed = started.elapsed().as_secs_f64();
    let used_threads = threads.unwrap_or_else(rayon::current_num_threads);
    let mut summary = report::summary::build(&loaded, &sim, elapsed, used_threads);
    summary.precision = precision_info;

    let out_dir = &settings.out;
    let labels = settings.charts.map(Labels::new);
    let drawn = match &labels {
        Some(labels) => Some(draw_charts_and_report(&summary, labels)?),
        None => None,
    };
    let written = write_outputs(
        out_dir,
        &summary,
        &assumptions_view(&loaded),
        drawn.as_ref().map(|d| &d.files),
    )?;
    if labels.is_none() && out_dir.join("report.html").exists() {
        // Not deleted (they may be wanted), but they no longer match summary.json.
        eprintln!(
            "note: {} and charts/ there are from an earlier run; `plancast plot {}` redraws them",
            out_dir.join("report.html").display(),
            out_dir.display()
        );
    }
    Ok(RunOutcome {
        summary,
        written,
        charts: drawn.map(|d| (d.charts, d.seconds)),
        fallbacks: labels.map(|l| l.fallbacks()).unwrap_or_default(),
    })
}

/// The terminal line that says what `--precision` reached.
pub fn precision_line(info: &precision::PrecisionInfo) -> String {
    let worst = match (&info.worst_half_width, &info.worst_target) {
        (Some(w), Some(t)) => format!("widest half-width {w:.4} (target `{t}`)"),
        _ => "no target depends on the simulation".to_string(),
    };
    if info.met {
        format!(
            "precision: every target's 95% interval half-width is at most {} at {} paths; {worst}\n",
            info.requested_half_width, info.reached_paths
        )
    } else {
        format!(
            "precision: NOT met: half-width {} not reached within --max-paths {}; {worst}\n",
            info.requested_half_width, info.reached_paths
        )
    }
}
