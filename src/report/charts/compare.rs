//! The comparison charts (`plancast compare`): [`chart`] shows one row per target, one bar per
//! scenario (its probability, with the 95% interval as a whisker), so the scenarios can be read
//! side by side; [`change_chart`] shows, for every scenario after the first, its change from the
//! first, targets sorted by the largest change. Scenario colours are neutral (none is the green
//! or red that means on or off track in the other charts); rows carry the targets' names.

use super::frame;
use super::render::{render, Area, PlotError, Rendered};
use super::rows::{draw_row_labels, RowLayout};
use crate::analysis::compare::{Comparison, Row};
use crate::report::labels::{Labels, Lang};
use crate::report::style::{GUIDE, OBSERVED};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Colours of the scenarios, in order (cycled): blue, purple, grey, brown, teal, pink; no green,
/// red or orange, the colours of the status of a target elsewhere.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(128, 90, 180),
    RGBColor(110, 110, 110),
    RGBColor(140, 86, 75),
    RGBColor(23, 140, 160),
    RGBColor(210, 110, 180),
];

/// Rows the difference chart shows at most (largest change first).
pub const MAX_CHANGE_ROWS: usize = 40;

/// A target's row label: its name in the chosen language (its id when it has none) and year.
fn row_name(row: &Row, labels: &Labels) -> String {
    let name = match &row.label {
        Some(en) => labels.name(en, row.label_zh.as_deref()),
        None => row.target.clone(),
    };
    format!("{name} ({})", row.due_year)
}

/// The legend: one swatch per scenario (its stem and name), `from` the first scenario on.
fn legend(
    area: &Area,
    comparison: &Comparison,
    labels: &Labels,
    left: i32,
    from: usize,
) -> Result<(), PlotError> {
    for (i, (c, column)) in comparison.columns.iter().enumerate().skip(from).enumerate() {
        let y = 4 + 24 * i as i32;
        area.draw(&Rectangle::new(
            [(left, y + 3), (left + 26, y + 17)],
            PALETTE[c % PALETTE.len()].filled(),
        ))?;
        let text = labels.drawable_text(&format!("{}: {}", column.name, column.run.scenario));
        area.draw_text(
            &text,
            &labels
                .font(&text, 13.0)
                .pos(Pos::new(HPos::Left, VPos::Top)),
            (left + 34, y + 3),
        )?;
    }
    Ok(())
}

/// Draws the grouped comparison chart; `audit` names every scenario
/// ([`crate::report::audit::comparison_audit_line`]).
pub fn chart(comparison: &Comparison, labels: &Labels, audit: &str) -> Result<Rendered, PlotError> {
    let k = comparison.columns.len().max(1);
    let row_height = (9 * k as u32 + 10).max(24);
    let mut layout = RowLayout::new(comparison.rows.len().max(1), row_height);
    layout.label_width = 440;
    let legend_height = 24 * k as u32;
    let title = labels.ui("Targets across scenarios", "各情景的目标实现概率");
    let (paths, seed) = comparison
        .columns
        .first()
        .map(|c| (c.run.paths, c.run.seed))
        .unwrap_or((0, 0));
    let subtitle = match labels.lang() {
        Lang::En => format!("Probability that each target is met, 95% interval as whiskers; same seed and paths in every scenario ({paths} paths, seed {seed})"),
        Lang::Zh => format!("各目标的实现概率，误差线为 95% 区间；各情景使用相同的随机种子和路径数（{paths} 条路径，种子 {seed}）"),
    };
    let names: Vec<String> = comparison
        .rows
        .iter()
        .map(|r| row_name(r, labels))
        .collect();
    render(1100, layout.height() + legend_height, |root: &Area| {
        let inner = frame(root, labels, title, Some(&subtitle), audit)?;
        let (legend_area, body) = inner.split_vertically(legend_height);
        legend(
            &legend_area,
            comparison,
            labels,
            layout.label_width as i32,
            0,
        )?;
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
            .x_desc(labels.ui("probability that the target is met", "实现目标的概率"))
            .x_label_formatter(&|x| format!("{:.0}%", 100.0 * x))
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

/// The targets of the difference chart: those whose probability changes in some scenario after
/// the first, largest absolute change first (at most [`MAX_CHANGE_ROWS`]), each with its
/// changes (None where a scenario lacks the target).
pub fn changes(comparison: &Comparison) -> Vec<(&Row, Vec<Option<f64>>)> {
    let mut rows: Vec<(&Row, Vec<Option<f64>>, f64)> = comparison
        .rows
        .iter()
        .filter_map(|row| {
            let first = row.cells.first().copied().flatten()?.probability;
            let deltas: Vec<Option<f64>> = row
                .cells
                .iter()
                .skip(1)
                .map(|c| c.map(|c| c.probability - first))
                .collect();
            let largest = deltas.iter().flatten().fold(0.0f64, |a, d| a.max(d.abs()));
            (largest > 0.0).then_some((row, deltas, largest))
        })
        .collect();
    rows.sort_by(|a, b| b.2.total_cmp(&a.2));
    rows.truncate(MAX_CHANGE_ROWS);
    rows.into_iter().map(|(r, d, _)| (r, d)).collect()
}

/// Draws the difference chart: for every scenario after the first, each target's change in
/// probability from the first scenario (percentage points), largest change on top.
pub fn change_chart(
    comparison: &Comparison,
    labels: &Labels,
    audit: &str,
) -> Result<Rendered, PlotError> {
    let rows_shown = changes(comparison);
    let others = comparison.columns.len().saturating_sub(1).max(1);
    let row_height = (9 * others as u32 + 12).max(22);
    let mut layout = RowLayout::new(rows_shown.len().max(1), row_height);
    layout.label_width = 440;
    let legend_height = 24 * others as u32;
    let first = comparison
        .columns
        .first()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let title = match labels.lang() {
        Lang::En => format!("Change from {first}"),
        Lang::Zh => format!("相对 {first} 的变化"),
    };
    let subtitle = match labels.lang() {
        Lang::En => format!(
            "Probability in each scenario minus that in {first}, percentage points; targets that change, largest change first (at most {MAX_CHANGE_ROWS})"
        ),
        Lang::Zh => format!(
            "各情景的实现概率减去 {first} 的实现概率（百分点）；仅列出有变化的目标，按变化幅度排序（最多 {MAX_CHANGE_ROWS} 项）"
        ),
    };
    let names: Vec<String> = rows_shown
        .iter()
        .map(|(r, _)| row_name(r, labels))
        .collect();
    let reach = rows_shown
        .iter()
        .flat_map(|(_, d)| d.iter().flatten())
        .fold(0.01f64, |a, d| a.max(d.abs()))
        * 1.1;
    render(1100, layout.height() + legend_height, |root: &Area| {
        let inner = frame(root, labels, &title, Some(&subtitle), audit)?;
        let (legend_area, body) = inner.split_vertically(legend_height);
        legend(
            &legend_area,
            comparison,
            labels,
            layout.label_width as i32,
            1,
        )?;
        let (label_area, plot_area) = body.split_horizontally(layout.label_width);
        let rows = rows_shown.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&plot_area)
            .margin_right(24)
            .margin_top(4)
            .x_label_area_size(44)
            .build_cartesian_2d(-reach..reach, 0.0..rows)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_desc(labels.ui(
                "change in the probability of meeting the target (percentage points)",
                "实现概率的变化（百分点）",
            ))
            .x_label_formatter(&|x| points(*x))
            .axis_desc_style(labels.plain(14.0))
            .label_style(labels.plain(13.0))
            .light_line_style(RGBColor(235, 235, 235))
            .max_light_lines(1)
            .draw()?;
        let band = 0.8 / others as f64;
        for (r, (_, deltas)) in rows_shown.iter().enumerate() {
            let top = rows - r as f64 - 0.1;
            for (j, delta) in deltas.iter().enumerate() {
                let Some(delta) = delta else { continue };
                let (y1, y0) = (top - band * j as f64, top - band * (j as f64 + 1.0));
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y0 + band * 0.1), (*delta, y1 - band * 0.1)],
                    PALETTE[(j + 1) % PALETTE.len()].filled(),
                )))?;
            }
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, rows)],
            OBSERVED.stroke_width(1),
        )))?;
        if rows_shown.is_empty() {
            chart.draw_series(std::iter::once(Text::new(
                labels.ui("no target changes", "各目标均无变化").to_string(),
                (-reach * 0.9, 0.5),
                labels.plain(14.0),
            )))?;
        }
        let plot_range = chart.plotting_area().get_pixel_range();
        draw_row_labels(&label_area, labels, &names, plot_range.1, &OBSERVED)?;
        Ok(())
    })
}

/// A change in probability as signed percentage points on the axis (`0`, never `-0`).
pub fn points(change: f64) -> String {
    let p = 100.0 * change;
    if p.abs() < 0.5 {
        "0".to_string()
    } else {
        format!("{p:+.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_axis_never_reads_minus_zero() {
        assert_eq!(points(-0.001), "0");
        assert_eq!(points(0.05), "+5");
        assert_eq!(points(-0.1), "-10");
    }
    use crate::report::style::Status;

    #[test]
    fn scenario_colours_are_not_the_status_colours() {
        for colour in PALETTE {
            for status in Status::ALL {
                assert_ne!(colour, status.colour(), "{status:?}");
            }
        }
    }
}
