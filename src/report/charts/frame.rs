//! The frame of every chart: [`frame`] draws a chart's title, subtitle and the audit line
//! ([`crate::report::audit::audit_line`]) and hands back the area left for the plot itself.

use super::render::{Area, PlotError};
use crate::report::labels::Labels;
use crate::report::style::MUTED;
use plotters::prelude::*;

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
    let style = labels.bold(&title, TITLE_SIZE);
    root.draw_text(&title, &style, (MARGIN, MARGIN))?;
    if labels.face(&title) == crate::report::fonts::Face::Cjk {
        // The embedded Chinese face has no bold: drawn again one pixel to the right, the title
        // reads as bold like the English titles, not as a lighter face.
        root.draw_text(&title, &style, (MARGIN + 1, MARGIN))?;
    }
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
