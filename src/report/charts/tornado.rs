//! The tornado chart of one target (`plancast sensitivity`): for the assumptions with the largest
//! swings (those that move the probability at all), a bar from the target's probability with the assumption at its 10th percentile to the
//! probability at its 90th, around a line at the scenario's own probability.

use super::frame;
use super::render::{render, Area, PlotError, Rendered};
use super::rows::{draw_row_labels, RowLayout};
use crate::analysis::sensitivity::TargetSensitivity;
use crate::report::labels::Labels;
use crate::report::style::Status;
use crate::report::style::{GUIDE, MUTED};
use plotters::prelude::*;

/// Bars shown at most (largest swing first).
pub const MAX_BARS: usize = 12;

/// Colour of the part of a bar that comes from the 10th percentile.
const LOW: RGBColor = RGBColor(230, 120, 40);
/// Colour of the part that comes from the 90th percentile.
const HIGH: RGBColor = RGBColor(31, 119, 180);

/// Draws the tornado chart of `target`; `audit` is the run's audit line.
pub fn chart(
    target: &TargetSensitivity,
    labels: &Labels,
    audit: &str,
) -> Result<Rendered, PlotError> {
    let mut effects: Vec<_> = target.effects.iter().filter(|e| e.swing > 0.0).collect();
    effects.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    effects.truncate(MAX_BARS);
    let layout = RowLayout::new(effects.len().max(1), 34);
    let title = format!("What moves {}", target.id);
    let subtitle = format!(
        "Probability with each assumption at its 10th (orange) and 90th (blue) percentile; line: the scenario as written, p = {:.3}",
        target.p_base
    );
    let names: Vec<String> = effects
        .iter()
        .map(|e| match e.variance_share {
            Some(s) => format!("{} ({:.0}% of variance)", e.assumption, 100.0 * s),
            None => e.assumption.clone(),
        })
        .collect();
    render(1100, layout.height(), |root: &Area| {
        let inner = frame(root, labels, &title, Some(&subtitle), audit)?;
        let (label_area, plot_area) = inner.split_horizontally(layout.label_width);
        let lo = effects
            .iter()
            .map(|e| e.p_low.min(e.p_high))
            .fold(target.p_base, f64::min);
        let hi = effects
            .iter()
            .map(|e| e.p_low.max(e.p_high))
            .fold(target.p_base, f64::max);
        let pad = ((hi - lo) * 0.08).max(0.02);
        let (x0, x1) = ((lo - pad).max(0.0), (hi + pad).min(1.0));
        let rows = effects.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&plot_area)
            .margin_right(24)
            .margin_top(8)
            .x_label_area_size(44)
            .build_cartesian_2d(
                {
                    let (x0, x1) = super::render::safe_axis(x0, x1);
                    x0..x1
                },
                0.0..rows,
            )?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_desc(labels.ui("probability that the target is met", "达成目标的概率"))
            .x_label_formatter(&|x| format!("{x:.2}"))
            .axis_desc_style(labels.plain(14.0))
            .label_style(labels.plain(13.0))
            .light_line_style(RGBColor(235, 235, 235))
            .max_light_lines(1)
            .draw()?;
        for (rank, e) in effects.iter().enumerate() {
            // Largest swing at the top.
            let y = rows - rank as f64 - 1.0;
            let (top, bottom) = (y + 0.82, y + 0.18);
            for (p, colour) in [(e.p_low, LOW), (e.p_high, HIGH)] {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(target.p_base.min(p), bottom), (target.p_base.max(p), top)],
                    colour.filled(),
                )))?;
            }
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(target.p_base, 0.0), (target.p_base, rows)],
            Status::of(target.p_base).colour().stroke_width(2),
        )))?;
        if effects.is_empty() {
            chart.draw_series(std::iter::once(Text::new(
                labels
                    .ui("no uncertain assumption", "没有不确定的假设")
                    .to_string(),
                (x0, 0.5),
                labels.plain(14.0).color(&MUTED),
            )))?;
        }
        let plot_range = chart.plotting_area().get_pixel_range();
        draw_row_labels(&label_area, labels, &names, plot_range.1, &GUIDE)?;
        Ok(())
    })
}
