//! The audit line every chart carries (spec section 7): scenario name and short sha256, seed,
//! paths, sampling, as_of and engine version, so any figure can be reproduced from the chart
//! alone; and [`frame`], which draws a chart's title, subtitle and audit line and hands back the
//! area left for the plot itself.

use super::render::{Area, PlotError};
use super::style::MUTED;
use super::text::Labels;
use crate::report::summary::Summary;
use plotters::prelude::*;

/// Number of hex digits of the scenario's SHA-256 shown.
pub const SHORT_SHA_LEN: usize = 12;

/// The audit line of a run, e.g. `Guangxi … · sha256 1a2b3c4d5e6f · seed 7 · 100000 paths ·
/// lhs · as_of all · plancast 0.1.0` (with the number of `--set` overrides when there are any).
pub fn audit_line(summary: &Summary, labels: &Labels) -> String {
    let name = labels.name(&summary.scenario.name, summary.scenario.name_zh.as_deref());
    let sha: String = summary
        .scenario
        .sha256
        .chars()
        .take(SHORT_SHA_LEN)
        .collect();
    let as_of = summary
        .run
        .as_of
        .map_or_else(|| "all".to_string(), |y| y.to_string());
    let mut line = format!(
        "{name} · sha256 {sha} · seed {} · {} paths · {} · as_of {as_of} · {} {}",
        summary.run.seed,
        summary.run.paths,
        summary.run.sampling.name(),
        summary.engine.name,
        summary.engine.version
    );
    match summary.run.overrides.len() {
        0 => {}
        1 => line.push_str(&format!(" · --set {}", summary.run.overrides[0])),
        n => line.push_str(&format!(" · {n} --set overrides")),
    }
    line
}

/// Heights, in pixels, of the parts [`frame`] draws.
const TITLE_SIZE: f64 = 22.0;
const SUBTITLE_SIZE: f64 = 15.0;
const AUDIT_SIZE: f64 = 12.0;
const MARGIN: i32 = 14;

/// Fills `root` white, draws `title` (bold), an optional `subtitle` and the `audit` line at the
/// bottom, and returns the area between them for the plot.
pub fn frame<'a>(
    root: &Area<'a>,
    labels: &Labels,
    title: &str,
    subtitle: Option<&str>,
    audit: &str,
) -> Result<Area<'a>, PlotError> {
    root.fill(&WHITE)?;
    let title = labels.drawable_text(title);
    root.draw_text(&title, &labels.bold(&title, TITLE_SIZE), (MARGIN, MARGIN))?;
    let mut top = MARGIN + TITLE_SIZE as i32 + 6;
    if let Some(subtitle) = subtitle {
        let subtitle = labels.drawable_text(subtitle);
        root.draw_text(
            &subtitle,
            &labels.font(&subtitle, SUBTITLE_SIZE).color(&MUTED),
            (MARGIN, top),
        )?;
        top += SUBTITLE_SIZE as i32 + 8;
    }
    let audit = labels.drawable_text(audit);
    let (_, height) = root.dim_in_pixel();
    let audit_top = height as i32 - MARGIN - AUDIT_SIZE as i32;
    root.draw_text(
        &audit,
        &labels.font(&audit, AUDIT_SIZE).color(&MUTED),
        (MARGIN, audit_top),
    )?;
    let bottom = height as i32 - audit_top + 6;
    Ok(root.margin(top as u32 + 4, bottom as u32, 0, 0))
}
