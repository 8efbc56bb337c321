//! The comparison chart (`plancast compare`): one row per target, one bar per scenario (its
//! probability, with the 95% interval as a whisker), so the scenarios can be read side by side.

use super::frame;
use super::render::{render, Area, PlotError, Rendered};
use super::rows::{draw_row_labels, RowLayout};
use crate::analysis::compare::Comparison;
use crate::report::labels::Labels;
use crate::report::style::{GUIDE, OBSERVED};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Colours of the scenarios, in order (cycled).
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

/// Draws the grouped comparison chart; `audit` is the first scenario's audit line.
pub fn chart(comparison: &Comparison, labels: &Labels, audit: &str) -> Result<Rendered, PlotError> {
    let k = comparison.columns.len().max(1);
    let row_height = (9 * k as u32 + 10).max(24);
    let layout = RowLayout::new(comparison.rows.len().max(1), row_height);
    let legend_height = 24 * k as u32;
    let title = labels.ui("Targets across scenarios", "各情景的目标达成概率");
    let subtitle = format!(
        "Probability that each target is met, 95% interval as whiskers; same seed and paths in every scenario ({} paths, seed {})",
        comparison.columns.first().map(|c| c.run.paths).unwrap_or(0),
        comparison.columns.first().map(|c| c.run.seed).unwrap_or(0)
    );
    let names: Vec<String> = comparison
        .rows
        .iter()
        .map(|r| format!("{} ({})", r.target, r.due_year))
        .collect();
    render(1100, layout.height() + legend_height, |root: &Area| {
        let inner = frame(root, labels, title, Some(&subtitle), audit)?;
        let (legend, body) = inner.split_vertically(legend_height);
        for (c, column) in comparison.columns.iter().enumerate() {
            let y = 4 + 24 * c as i32;
            let colour = PALETTE[c % PALETTE.len()];
            legend.draw(&Rectangle::new(
                [
                    (layout.label_width as i32, y + 3),
                    (layout.label_width as i32 + 26, y + 17),
                ],
                colour.filled(),
            ))?;
            let text = labels.drawable_text(&format!("{}: {}", column.name, column.run.scenario));
            legend.draw_text(
                &text,
                &labels
                    .font(&text, 13.0)
                    .pos(Pos::new(HPos::Left, VPos::Top)),
                (layout.label_width as i32 + 34, y + 3),
            )?;
        }
        let (label_area, plot_area) = body.split_horizontally(layout.label_width);
        let rows = comparison.rows.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&plot_area)
            .margin_right(24)
            .margin_top(4)
            .x_label_area_size(44)
            .build_cartesian_2d(0.0..1.0, 0.0..rows)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_desc(labels.ui("probability that the target is met", "达成目标的概率"))
            .x_label_formatter(&|x| format!("{x:.1}"))
            .axis_desc_style(labels.plain(14.0))
            .label_style(labels.plain(13.0))
            .light_line_style(RGBColor(235, 235, 235))
            .max_light_lines(1)
            .draw()?;
        let band = 0.8 / k as f64;
        for (r, row) in comparison.rows.iter().enumerate() {
            let top = rows - r as f64 - 0.1;
            for (c, cell) in row.cells.iter().enumerate() {
                let Some(cell) = cell else { continue };
                let (y1, y0) = (top - band * c as f64, top - band * (c as f64 + 1.0));
                let colour = PALETTE[c % PALETTE.len()];
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y0 + band * 0.1), (cell.probability, y1 - band * 0.1)],
                    colour.filled(),
                )))?;
                let mid = 0.5 * (y0 + y1);
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(cell.ci_lower, mid), (cell.ci_upper, mid)],
                    OBSERVED.stroke_width(1),
                )))?;
            }
        }
        for x in [0.2, 0.5, 0.8] {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x, 0.0), (x, rows)],
                GUIDE.stroke_width(1),
            )))?;
        }
        let plot_range = chart.plotting_area().get_pixel_range();
        draw_row_labels(&label_area, labels, &names, plot_range.1, &OBSERVED)?;
        Ok(())
    })
}
