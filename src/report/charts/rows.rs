//! Horizontal-row charts (tornado, comparison): a label column on the left whose labels line up
//! with the rows of the plot on the right.

use super::render::{Area, PlotError};
use crate::report::labels::Labels;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;

/// Sizes of a chart with one row per item.
#[derive(Debug, Clone, Copy)]
pub struct RowLayout {
    /// Number of rows.
    pub rows: usize,
    /// Height of one row in pixels.
    pub row_height: u32,
    /// Width of the label column in pixels.
    pub label_width: u32,
}

impl RowLayout {
    /// A layout of `rows` rows of `row_height` pixels.
    pub fn new(rows: usize, row_height: u32) -> Self {
        RowLayout {
            rows,
            row_height,
            label_width: 380,
        }
    }

    /// Total chart height: title, rows, axis and audit line.
    pub fn height(&self) -> u32 {
        150 + self.rows as u32 * self.row_height
    }
}

/// Writes `names[i]` right-aligned in `area` (cut with an ellipsis to fit), centred on row i of a plot whose pixel rows span
/// `plot_rows` (absolute pixels), row 0 at the top.
pub fn draw_row_labels(
    area: &Area,
    labels: &Labels,
    names: &[String],
    plot_rows: Range<i32>,
    colour: &RGBColor,
) -> Result<(), PlotError> {
    if names.is_empty() {
        return Ok(());
    }
    let (area_x, area_y) = area.get_pixel_range();
    let width = area_x.end - area_x.start;
    let row = (plot_rows.end - plot_rows.start) as f64 / names.len() as f64;
    for (i, name) in names.iter().enumerate() {
        let y = plot_rows.start as f64 + row * (i as f64 + 0.5) - area_y.start as f64;
        let text = labels.drawable_text(name);
        let style = labels
            .font(&text, 13.0)
            .color(colour)
            .pos(Pos::new(HPos::Right, VPos::Center));
        // Cut with an ellipsis rather than let the left edge clip a long name.
        let text = super::probabilities::fit(area, &text, &style, width - 16)?;
        area.draw_text(&text, &style, (width - 8, y.round() as i32))?;
    }
    Ok(())
}
