//! The tornado chart of one target (`plancast sensitivity`): for the assumptions that move it, in
//! the order of the printed ranking (share of the targeted quantity's variance, then swing), a
//! bar from the target's probability with the assumption at its 10th percentile to the
//! probability at its 90th, around a line at the scenario's own probability. Rows carry the
//! assumptions' names (Chinese with `--lang zh`), the axis is in percent.

use super::frame;
use super::render::{render, Area, PlotError, Rendered};
use super::rows::{draw_row_labels, RowLayout};
use crate::analysis::sensitivity::{Effect, TargetSensitivity};
use crate::report::format::percent_with_interval;
use crate::report::labels::{Labels, Lang};
use crate::report::style::Status;
use crate::report::style::{GUIDE, MUTED};
use plotters::prelude::*;

/// Bars shown at most (first in the printed ranking first).
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
    let effects = ranked(target);
    let mut layout = RowLayout::new(effects.len().max(1), 34);
    layout.label_width = 560;
    let name = match &target.label {
        Some(en) => labels.name(en, target.label_zh.as_deref()),
        None => target.id.clone(),
    };
    let title = match labels.lang() {
        Lang::En => format!("What moves {} ({})", target.id, target.due_year),
        Lang::Zh => format!("影响 {}（{} 年）的假设", target.id, target.due_year),
    };
    let base = percent_with_interval(target.p_base, target.p_base_ci[0], target.p_base_ci[1]);
    let subtitle = match labels.lang() {
        Lang::En => format!("{name} · as written: {base} (line) · share of variance first"),
        Lang::Zh => format!("{name} · 情景原样：{base}（竖线）· 行首为方差占比"),
    };
    let names: Vec<String> = effects
        .iter()
        .map(|e| {
            let label = if e.label.is_empty() {
                e.assumption.clone()
            } else {
                labels.name(&e.label, Some(&e.label_zh))
            };
            // The ranking's measure first, so a cut name keeps it.
            match e.variance_share {
                Some(s) => format!("{} · {label}", share(s)),
                None => label,
            }
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
            .x_desc(labels.ui(
                "probability met, each assumption at its 10th (orange) or 90th (blue) percentile",
                "达成目标的概率：各假设取第 10（橙）或第 90（蓝）百分位",
            ))
            .x_label_formatter(&|x| axis_percent(*x, x1 - x0))
            .axis_desc_style(labels.plain(14.0))
            .label_style(labels.plain(13.0))
            .light_line_style(RGBColor(235, 235, 235))
            .max_light_lines(1)
            .draw()?;
        for (rank, e) in effects.iter().enumerate() {
            // First in the ranking at the top.
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

/// The effects the chart shows, in the order of the printed ranking (variance share, then
/// swing: the order of [`TargetSensitivity::effects`]), those that move nothing left out.
pub fn ranked(target: &TargetSensitivity) -> Vec<&Effect> {
    target
        .effects
        .iter()
        .filter(|e| e.swing > 0.0 || e.variance_share.unwrap_or(0.0) > 0.0)
        .take(MAX_BARS)
        .collect()
}

/// A variance share in whole percent, `<1%` for a share above 0 that would print as 0.
pub fn share(s: f64) -> String {
    if s > 0.0 && s < 0.005 {
        "<1%".to_string()
    } else {
        format!("{:.0}%", 100.0 * s)
    }
}

/// An axis label in percent, with a decimal when the axis spans less than 5 points.
pub fn axis_percent(p: f64, span: f64) -> String {
    if span < 0.05 {
        format!("{:.1}%", 100.0 * p)
    } else {
        format!("{:.0}%", 100.0 * p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effect(name: &str, share: f64, swing: f64) -> Effect {
        Effect {
            assumption: name.to_string(),
            label: name.to_string(),
            label_zh: name.to_string(),
            key: String::new(),
            kind: "trend".to_string(),
            low_value: 0.0,
            mid_value: 0.0,
            high_value: 0.0,
            p_low: 0.1,
            p_mid: 0.1,
            p_high: 0.1 + swing,
            swing,
            outcome_means: [0.0; 3],
            variance_share: Some(share),
            note: None,
            depends: true,
        }
    }

    #[test]
    fn rows_follow_the_printed_ranking_not_the_bar_width() {
        // R&D spending explains 38% of the variance with a narrow bar, GDP 15% with a wide one:
        // the printed ranking (and so the chart) puts R&D spending first.
        let target = TargetSensitivity {
            id: "rd_intensity_2035".to_string(),
            label: None,
            label_zh: None,
            indicator: "rd_intensity".to_string(),
            due_year: 2035,
            unit: "%".to_string(),
            p_base: 0.07,
            p_base_ci: [0.06, 0.08],
            outcome_variance: 1.0,
            decided: false,
            effects: vec![
                effect("rd_spend", 0.38, 0.02),
                effect("gdp", 0.15, 0.09),
                effect("nothing", 0.0, 0.0),
            ],
        };
        let shown: Vec<&str> = ranked(&target)
            .iter()
            .map(|e| e.assumption.as_str())
            .collect();
        assert_eq!(shown, ["rd_spend", "gdp"]);
    }

    #[test]
    fn shares_and_axis_labels_read_in_percent() {
        assert_eq!(share(0.0), "0%");
        assert_eq!(share(0.003), "<1%");
        assert_eq!(share(0.38), "38%");
        assert_eq!(axis_percent(0.16, 0.16), "16%");
        assert_eq!(axis_percent(0.072, 0.02), "7.2%");
    }
}
