//! The outcome distribution of one target: a histogram of the targeted quantity (level, cagr,
//! cumulative or change) across paths, the part that meets the target in the target's status
//! colour and the rest grey, the threshold drawn, and the share beyond it stated.

use super::frame::frame;
use super::render::{render, PlotError, Rendered};
use crate::model::TargetKind;
use crate::report::format::{decimals_for, percent_interval, symbol, value};
use crate::report::labels::probability_text;
use crate::report::labels::Labels;
use crate::report::style::{Status, MISS, MUTED, OBSERVED, THRESHOLD};
use crate::report::summary::{Summary, TargetResult, TargetStatus};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Size of an outcome chart in pixels.
pub const SIZE: (u32, u32) = (1000, 560);

/// What the x axis measures, with its unit.
fn quantity(t: &TargetResult, labels: &Labels) -> String {
    let unit = labels.drawable_text(&t.unit);
    match (t.kind, labels.lang()) {
        (TargetKind::Level, crate::report::labels::Lang::En) => {
            format!("value in {} ({unit})", t.due_year)
        }
        (TargetKind::Level, crate::report::labels::Lang::Zh) => {
            format!("{} 年数值（{unit}）", t.due_year)
        }
        (TargetKind::Cagr, crate::report::labels::Lang::En) => {
            format!(
                "average annual growth {}–{} (% per year)",
                t.from, t.due_year
            )
        }
        (TargetKind::Cagr, crate::report::labels::Lang::Zh) => {
            format!("{}–{} 年年均增长率（%）", t.from, t.due_year)
        }
        (TargetKind::Cumulative, crate::report::labels::Lang::En) => {
            format!("sum over {}–{} ({unit})", t.from, t.due_year)
        }
        (TargetKind::Cumulative, crate::report::labels::Lang::Zh) => {
            format!("{}–{} 年累计（{unit}）", t.from, t.due_year)
        }
        (TargetKind::Change, crate::report::labels::Lang::En) => {
            format!("change {}–{} ({unit})", t.from, t.due_year)
        }
        (TargetKind::Change, crate::report::labels::Lang::Zh) => {
            format!("{}–{} 年增量（{unit}）", t.from, t.due_year)
        }
    }
}

/// Draws the outcome distribution of `target`.
pub fn chart(
    summary: &Summary,
    target: &TargetResult,
    labels: &Labels,
    audit: &str,
) -> Result<Rendered, PlotError> {
    let _ = summary;
    let t = target;
    let title = match &t.label {
        Some(en) => labels.name(en, t.label_zh.as_deref()),
        None => t.id.clone(),
    };
    let condition = format!("{} {}", symbol(t.comparison), value(t.threshold));
    let chance = match t.status {
        TargetStatus::Simulated => format!(
            "{} {}",
            probability_text(t, labels),
            percent_interval(t.ci_lower, t.ci_upper)
        ),
        _ => probability_text(t, labels),
    };
    let subtitle = match labels.lang() {
        crate::report::labels::Lang::En => format!(
            "{} · target {condition} · share of paths meeting it: {chance} · median {}",
            t.id,
            value(t.outcome.p50)
        ),
        crate::report::labels::Lang::Zh => format!(
            "{} · 目标 {condition} · 达标路径占比：{chance} · 中位数 {}",
            t.id,
            value(t.outcome.p50)
        ),
    };
    let x_desc = quantity(t, labels);
    let status_colour = match t.status {
        TargetStatus::Simulated => Status::of(t.probability).colour(),
        TargetStatus::ObservedMet => Status::OnTrack.colour(),
        TargetStatus::ObservedMissed => Status::OffTrack.colour(),
    };

    render(SIZE.0, SIZE.1, |root| {
        let area = frame(root, labels, &title, Some(&subtitle), audit)?;
        let Some(h) = &t.outcome_histogram else {
            let text = labels.ui(
                "no outcome histogram in this summary.json (written by an older plancast)",
                "此 summary.json 中没有结果分布（由旧版 plancast 生成）",
            );
            area.draw(&Text::new(
                text.to_string(),
                (20, 40),
                labels.font(text, 15.0),
            ))?;
            return Ok(());
        };
        let (x0, x1) = super::render::safe_axis(h.start, h.end());
        let top = h.shares.iter().fold(0.0f64, |a, &b| a.max(b)) * 100.0;
        let y1 = if top > 0.0 { top * 1.18 } else { 1.0 };
        let mut chart = ChartBuilder::on(&area)
            .margin_left(14)
            .margin_right(30)
            .margin_top(8)
            .x_label_area_size(48)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, 0.0..y1)?;
        let x_decimals = if h.whole_numbers {
            0
        } else {
            decimals_for((x1 - x0) / 10.0)
        };
        let y_decimals = decimals_for(y1 / 6.0);
        chart
            .configure_mesh()
            .x_labels(10)
            .x_label_formatter(&|x| {
                if h.whole_numbers && (x - x.round()).abs() > 1e-9 {
                    String::new()
                } else {
                    format!("{x:.x_decimals$}")
                }
            })
            .y_labels(6)
            .y_label_formatter(&|y| format!("{y:.y_decimals$}%"))
            .x_desc(x_desc.as_str())
            .y_desc(labels.ui("share of paths", "路径占比"))
            .axis_desc_style(labels.font(&x_desc, 15.0))
            .label_style(labels.plain(13.0))
            .bold_line_style(RGBColor(228, 228, 228))
            .light_line_style(TRANSPARENT)
            .disable_x_mesh()
            .draw()?;

        // Bars; a bin that straddles the threshold is split at it.
        let meets = |x: f64| t.comparison.is_met(x, t.threshold);
        let mut bars = Vec::new();
        for (k, &share) in h.shares.iter().enumerate() {
            if share <= 0.0 {
                continue;
            }
            let (a, b) = (
                h.start + k as f64 * h.width,
                h.start + (k + 1) as f64 * h.width,
            );
            let height = share * 100.0;
            if h.whole_numbers {
                // One whole number per bin: a separate bar, coloured by that number.
                let centre = 0.5 * (a + b);
                let colour = if meets(centre) { status_colour } else { MISS };
                let (a, b) = (centre - 0.4 * h.width, centre + 0.4 * h.width);
                bars.push(Rectangle::new([(a, 0.0), (b, height)], colour.filled()));
                continue;
            }
            let mut cuts = vec![a];
            if t.threshold > a && t.threshold < b {
                cuts.push(t.threshold);
            }
            cuts.push(b);
            for w in cuts.windows(2) {
                let colour = if meets(0.5 * (w[0] + w[1])) {
                    status_colour
                } else {
                    MISS
                };
                bars.push(Rectangle::new(
                    [(w[0], 0.0), (w[1], height)],
                    colour.filled(),
                ));
            }
        }
        chart.draw_series(bars)?;

        // Median and threshold.
        let (_, plot_top) = chart.backend_coord(&(x0, y1));
        // Both lines first, then both labels on their white boxes: a label is never crossed by
        // the other line (the target line once ran through "median 11552").
        let median_style = OBSERVED.stroke_width(1);
        let target_style = THRESHOLD.stroke_width(2);
        // Whole numbers: the line goes between the last value that misses and the first that
        // meets, not through a bar.
        let threshold_x = if h.whole_numbers {
            use crate::model::Comparison;
            match t.comparison {
                Comparison::AtLeast | Comparison::Below => t.threshold.ceil() - 0.5,
                Comparison::Above | Comparison::AtMost => t.threshold.floor() + 0.5,
            }
        } else {
            t.threshold
        };
        for (x, style) in [(t.outcome.p50, median_style), (threshold_x, target_style)] {
            if (x0..=x1).contains(&x) {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, 0.0), (x, y1)],
                    style,
                )))?;
            }
        }
        let mark = |x: f64, text: String, style: ShapeStyle, row: i32| -> Result<(), PlotError> {
            if x < x0 || x > x1 {
                return Ok(());
            }
            let (px, _) = chart.backend_coord(&(x, y1));
            let right_half =
                px > (chart.backend_coord(&(x0, 0.0)).0 + chart.backend_coord(&(x1, 0.0)).0) / 2;
            let (hpos, dx) = if right_half {
                (HPos::Right, -6)
            } else {
                (HPos::Left, 6)
            };
            let text_style = labels
                .bold(&text, 14.0)
                .color(&style.color)
                .pos(Pos::new(hpos, VPos::Top));
            let at = (px + dx, plot_top + 6 + row * 20);
            let (tw, th) = root.estimate_text_size(&text, &text_style)?;
            let (tw, th) = (tw as i32, th as i32);
            let x_left = if right_half { at.0 - tw } else { at.0 };
            root.draw(&Rectangle::new(
                [(x_left - 3, at.1 - 2), (x_left + tw + 3, at.1 + th + 2)],
                WHITE.mix(0.9).filled(),
            ))?;
            root.draw(&Text::new(text, at, text_style))?;
            Ok(())
        };
        mark(
            t.outcome.p50,
            format!("{} {}", labels.ui("median", "中位数"), value(t.outcome.p50)),
            median_style,
            1,
        )?;
        mark(
            threshold_x,
            format!("{} {condition}", labels.ui("target", "目标")),
            target_style,
            0,
        )?;
        if t.threshold < x0 || t.threshold > x1 {
            let (text, at, hpos, dx) = if t.threshold > x1 {
                (
                    format!(
                        "{} {condition} →",
                        labels.ui("target far to the right:", "目标远在右侧：")
                    ),
                    chart.backend_coord(&(x1, y1)),
                    HPos::Right,
                    -6,
                )
            } else {
                (
                    format!(
                        "← {} {condition}",
                        labels.ui("target far to the left:", "目标远在左侧：")
                    ),
                    chart.backend_coord(&(x0, y1)),
                    HPos::Left,
                    6,
                )
            };
            root.draw(&Text::new(
                text.clone(),
                (at.0 + dx, at.1 + 6),
                labels
                    .bold(&text, 14.0)
                    .color(&THRESHOLD)
                    .pos(Pos::new(hpos, VPos::Top)),
            ))?;
        }
        // Paths outside the drawn range, if any.
        let outside = h.below + h.above;
        if outside >= 0.0005 {
            let text = format!(
                "{} {:.1}%",
                labels.ui("paths outside the drawn range:", "超出绘图范围的路径："),
                outside * 100.0
            );
            let (px, py) = chart.backend_coord(&(x1, 0.0));
            root.draw(&Text::new(
                text.clone(),
                (px, py + 30),
                labels
                    .font(&text, 12.0)
                    .color(&MUTED)
                    .pos(Pos::new(HPos::Right, VPos::Top)),
            ))?;
        }
        Ok(())
    })
}
