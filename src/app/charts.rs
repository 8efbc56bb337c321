//! The chart side of the application: drawing every chart and the report of a summary (for
//! `plancast run` and `merge`), and `plancast plot`, which redraws them from an earlier run's
//! `summary.json`.

use super::output::write_set;
use super::settings::Plot;
use super::Error;
use crate::report::labels::Labels;
use crate::report::{self, output, output::FileSet};
use crate::scenario;
use std::path::Path;
use std::time::Instant;

/// Charts and report, drawn and ready to stage.
pub struct Drawn {
    /// (relative path, contents) of every chart file and report.html.
    pub files: Vec<(String, Vec<u8>)>,
    /// Number of charts (each in two formats).
    pub charts: usize,
    /// Wall time of drawing, seconds.
    pub seconds: f64,
}

/// Draws every chart and the report of `summary`.
pub fn draw_charts_and_report(
    summary: &report::summary::Summary,
    labels: &Labels,
) -> Result<Drawn, Error> {
    let started = Instant::now();
    let charts =
        report::charts::draw_all(summary, labels).map_err(|e| Error::Runtime(e.to_string()))?;
    let html = report::html::render(summary, &charts, labels);
    let mut files = Vec::with_capacity(charts.len() * 2 + 1);
    for chart in &charts {
        files.push((
            format!("{}.svg", chart.stem),
            chart.rendered.svg.clone().into_bytes(),
        ));
        files.push((format!("{}.png", chart.stem), chart.rendered.png.clone()));
    }
    files.push(("report.html".to_string(), html.into_bytes()));
    Ok(Drawn {
        files,
        charts: charts.len(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// `plancast plot`: redraws charts and report.html from `DIR/summary.json`; the text to print.
pub fn plot_command(settings: &Plot) -> Result<String, Error> {
    let dir = &settings.dir;
    // A run killed while moving its files into place: finish it, so that the summary read is
    // the one the charts on disk will match.
    if dir.is_dir() {
        output::finish_interrupted(dir).map_err(|e| Error::Runtime(e.to_string()))?;
    }
    let summary = read_summary(dir)?;
    let labels = Labels::new(settings.lang);
    let drawn = draw_charts_and_report(&summary, &labels)?;
    let files: Vec<(FileSet, &str, &[u8])> = drawn
        .files
        .iter()
        .map(|(name, contents)| (FileSet::Charts, name.as_str(), contents.as_slice()))
        .collect();
    write_set(dir, &files)?;
    if let Some(w) = fallback_warning(&labels.fallbacks()) {
        eprintln!("{w}");
    }
    Ok(format!(
        "drew {} charts (SVG and PNG) and report.html in {:.2} s into {}\n",
        drawn.charts,
        drawn.seconds,
        dir.display()
    ))
}

/// Reads and checks `dir/summary.json` (bad input, exit 2, when missing or not a summary).
pub fn read_summary(dir: &Path) -> Result<report::summary::Summary, Error> {
    if !dir.is_dir() {
        return Err(Error::BadArgument(format!(
            "{}: no such folder (give the output folder of an earlier `plancast run`)",
            dir.display()
        )));
    }
    let path = dir.join("summary.json");
    let bytes = scenario::limits::read_regular_file(&path, scenario::limits::MAX_SUMMARY_BYTES)
        .map_err(|reason| {
            Error::BadArgument(format!(
                "{}: cannot read it ({reason}); is {} the output folder of a `plancast run`?",
                path.display(),
                dir.display()
            ))
        })?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| Error::BadArgument(format!("{}: not valid JSON: {e}", path.display())))?;
    let format = value.get("format").and_then(|f| f.as_str()).unwrap_or("");
    if format != report::summary::FORMAT {
        return Err(Error::BadArgument(format!(
            "{}: format is `{format}`, expected `{}`",
            path.display(),
            report::summary::FORMAT
        )));
    }
    let summary: report::summary::Summary =
        serde_path_to_error::deserialize(value).map_err(|e| {
            let inner = e.inner().to_string();
            let why = if inner.starts_with("invalid type: null") {
                // Older versions wrote a value beyond the range of numbers as null; a run now
                // stops with an error instead.
                "null where a number belongs (the run that wrote it met a value beyond the range of numbers; run it again)".to_string()
            } else {
                inner
            };
            Error::BadArgument(format!(
                "{}: not a readable {} summary at `{}`: {why}",
                path.display(),
                report::summary::FORMAT,
                e.path()
            ))
        })?;
    check_summary_size(&summary).map_err(|problem| {
        Error::BadArgument(format!(
            "{}: {problem}, more than any run writes (see docs/limits.md); the file is damaged",
            path.display()
        ))
    })?;
    Ok(summary)
}

/// A summary within the sizes a run can write ([`scenario::limits`]): drawing a chart per
/// target and indicator must stay within bounded time and memory whatever the file says.
fn check_summary_size(summary: &report::summary::Summary) -> Result<(), String> {
    use scenario::limits::{MAX_CELLS, MAX_GROUPS, MAX_INDICATORS, MAX_OBSERVED, MAX_TARGETS};
    let over = |what: &str, n: usize, limit: usize| {
        if n > limit {
            Err(format!("{n} {what}"))
        } else {
            Ok(())
        }
    };
    over("targets", summary.targets.len(), MAX_TARGETS)?;
    over("indicators", summary.indicators.len(), MAX_INDICATORS)?;
    over(
        "groups",
        summary.groups.len(),
        MAX_GROUPS + summary.targets.len(),
    )?;
    over(
        "milestone pairs",
        summary.milestones.len(),
        summary.targets.len() * scenario::limits::MAX_TARGETS_PER_INDICATOR,
    )?;
    let cells: usize = summary.indicators.iter().map(|i| i.years.len()).sum();
    over("indicator years", cells, MAX_CELLS)?;
    for indicator in &summary.indicators {
        over("observed years", indicator.observed.len(), MAX_OBSERVED)?;
    }
    Ok(())
}

/// One warning line for labels that fell back to English (none when all were drawn).
pub fn fallback_warning(fallbacks: &[String]) -> Option<String> {
    (!fallbacks.is_empty()).then(|| {
        format!(
            "warning: the embedded font cannot draw {} label(s), shown in English instead: {}",
            fallbacks.len(),
            fallbacks.join("; ")
        )
    })
}
