//! The fan chart of one indicator: observed history as points, the median path, shaded 50%, 80%
//! and 90% bands, and each of its targets as a marker at its year and threshold, labelled with
//! its probability. The plan's start and the last observation are marked; the unit is on the
//! axis. Cumulative targets have no place on a level axis and are listed under the legend.

use super::frame::frame;
use super::render::{render, PlotError, Rendered};
use crate::model::TargetKind;
use crate::report::format::{symbol, value};
use crate::report::labels::probability_text;
use crate::report::labels::Labels;
use crate::report::style::{Status, BAND, GUIDE, MUTED, OBSERVED};
use crate::report::summary::{IndicatorResult, Summary, TargetResult, TargetStatus};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Size of a fan chart in pixels.
pub const SIZE: (u32, u32) = (1100, 620);
/// Width of the legend panel on the right.
const LEGEND_WIDTH: u32 = 250;

/// An opaque tint of `colour` (a share `a` of it over white), so bands look the same in SVG
/// and PNG and do not darken where they overlap.
pub fn tint(colour: RGBColor, a: f64) -> RGBColor {
    let mix = |c: u8| (255.0 - (255.0 - c as f64) * a).round() as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

/// Fill of the 90%, 80% and 50% bands.
pub const BAND_TINTS: [(f64, &str, &str); 3] = [
    (0.16, "90% band", "90% 区间"),
    (0.30, "80% band", "80% 区间"),
    (0.50, "50% band", "50% 区间"),
];

/// Picks a band's lower and upper quantile.
type BandEnds = fn(&crate::report::summary::Quantiles) -> (f64, f64);

/// A target drawn on the fan chart: its implied level in the due year and its label.
struct Marker {
    year: i32,
    level: f64,
    label: String,
    status: Option<Status>,
}

/// The level a target implies in its due year, where that is one number: the threshold of a
/// level target; for cagr and change targets, the threshold applied to the start year's value
/// when that value is fixed (observed). None for cumulative targets.
fn implied_level(target: &TargetResult, indicator: &IndicatorResult) -> Option<f64> {
    let fixed_value = |year: i32| {
        indicator
            .years
            .iter()
            .find(|y| y.year == year && y.fixed)
            .map(|y| y.quantiles.p50)
    };
    match target.kind {
        TargetKind::Level => Some(target.threshold),
        TargetKind::Change => fixed_value(target.from).map(|v| v + target.threshold),
        TargetKind::Cagr => fixed_value(target.from)
            .map(|v| v * (1.0 + target.threshold / 100.0).powi(target.due_year - target.from)),
        TargetKind::Cumulative => None,
    }
}

/// How a target reads on the fan chart, e.g. `2025 ≥ 54: 53.2%` or, for cagr,
/// `2025 cagr ≥ 22%/yr: 0%`.
fn marker_label(target: &TargetResult, labels: &Labels) -> String {
    let condition = match target.kind {
        TargetKind::Level => format!("{} {}", symbol(target.comparison), value(target.threshold)),
        TargetKind::Cagr => format!(
            "{} {} {}{}",
            labels.ui("growth", "年均增长"),
            symbol(target.comparison),
            value(target.threshold),
            labels.ui("%/yr", "%")
        ),
        TargetKind::Change => format!(
            "{} {} {}",
            labels.ui("change", "增量"),
            symbol(target.comparison),
            value(target.threshold)
        ),
        TargetKind::Cumulative => format!(
            "{} {} {}",
            labels.ui("sum", "累计"),
            symbol(target.comparison),
            value(target.threshold)
        ),
    };
    format!(
        "{} {condition}: {}",
        target.due_year,
        probability_text(target, labels)
    )
}

/// Draws the fan chart of `indicator`.
pub fn chart(
    summary: &Summary,
    indicator: &IndicatorResult,
    labels: &Labels,
    audit: &str,
) -> Result<Rendered, PlotError> {
    let name = labels.name(&indicator.name, indicator.name_zh.as_deref());
    let unit = labels.drawable_text(&indicator.unit);
    let subtitle = format!(
        "{}: {} · {}",
        labels.ui("unit", "单位"),
        unit,
        labels.ui(
            "median and 50/80/90% bands of the simulated paths",
            "模拟路径的中位数及 50%/80%/90% 区间"
        )
    );
    let targets: Vec<&TargetResult> = summary
        .targets
        .iter()
        .filter(|t| t.indicator == indicator.id)
        .collect();
    let mut markers = Vec::new();
    let mut off_axis = Vec::new();
    for t in &targets {
        let label = marker_label(t, labels);
        let status = (t.status == TargetStatus::Simulated).then(|| Status::of(t.probability));
        match implied_level(t, indicator) {
            Some(level) if level.is_finite() => markers.push(Marker {
                year: t.due_year,
                level,
                label,
                status,
            }),
            _ => off_axis.push(label),
        }
    }

    let start = indicator.start_year;
    let path: Vec<_> = indicator.years.iter().filter(|y| y.year >= start).collect();
    let fixed: Vec<(f64, f64)> = indicator
        .years
        .iter()
        .filter(|y| y.fixed)
        .map(|y| (y.year as f64, y.quantiles.p50))
        .collect();
    let as_of = summary.run.as_of;
    let unused: Vec<(f64, f64)> = indicator
        .observed
        .iter()
        .filter(|(&year, _)| as_of.is_some_and(|a| year > a))
        .map(|(&year, &v)| (year as f64, v))
        .collect();
    let last_observed = indicator
        .observed
        .keys()
        .copied()
        .filter(|&year| as_of.is_none_or(|a| year <= a))
        .max();

    // Ranges: every drawn value, padded.
    let first_year = indicator
        .years
        .first()
        .map_or(summary.scenario.base_year, |y| y.year)
        .min(
            indicator
                .observed
                .keys()
                .next()
                .copied()
                .unwrap_or(i32::MAX),
        );
    let last_year = summary.scenario.horizon;
    let mut ys: Vec<f64> = path
        .iter()
        .flat_map(|y| [y.quantiles.p05, y.quantiles.p95])
        .chain(fixed.iter().map(|p| p.1))
        .chain(unused.iter().map(|p| p.1))
        .chain(markers.iter().map(|m| m.level))
        .filter(|v| v.is_finite())
        .collect();
    if ys.is_empty() {
        ys.push(0.0);
    }
    let (lo, hi) = ys
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let span = if hi > lo {
        hi - lo
    } else {
        hi.abs().max(1.0) * 0.1
    };
    let mut y0 = lo - span * 0.08;
    let y1 = hi + span * 0.12;
    if lo >= 0.0 && y0 < 0.0 {
        y0 = 0.0;
    }
    let (y0, y1) = super::render::safe_axis(y0, y1);
    let x0 = first_year as f64 - 0.5;
    let x1 = last_year as f64 + 0.5;
    let year_step = if last_year - first_year > 16 { 2 } else { 1 };
    // Counts: whole-number ticks only.
    let whole = indicator.model == crate::model::ModelKind::Count;
    let tick_decimals = if whole {
        0
    } else {
        crate::report::format::decimals_for((y1 - y0) / 8.0)
    };

    render(SIZE.0, SIZE.1, |root| {
        let audit = audit.to_string();
        let area = frame(root, labels, &name, Some(&subtitle), &audit)?;
        let (width, _) = area.dim_in_pixel();
        let (plot, legend) = area.split_horizontally(width - LEGEND_WIDTH);
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(14)
            .margin_right(20)
            .margin_top(8)
            .x_label_area_size(48)
            .y_label_area_size(84)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .x_labels(((last_year - first_year) / year_step + 1) as usize)
            .x_label_formatter(&|x| {
                let year = x.round() as i32;
                if (x - year as f64).abs() < 1e-6 && (year - first_year) % year_step == 0 {
                    year.to_string()
                } else {
                    String::new()
                }
            })
            .y_labels(8)
            .y_label_formatter(&|y| {
                if whole && (y - y.round()).abs() > 1e-9 {
                    String::new()
                } else {
                    format!("{y:.tick_decimals$}")
                }
            })
            .x_desc(labels.ui("year", "年份"))
            .y_desc(unit.as_str())
            .axis_desc_style(labels.font(&unit, 15.0))
            .label_style(labels.plain(13.0))
            .bold_line_style(RGBColor(228, 228, 228))
            .light_line_style(TRANSPARENT)
            .draw()?;

        // Bands, widest first, then the median.
        let q = &path;
        let bands: [(BandEnds, f64); 3] = [
            (|q| (q.p05, q.p95), BAND_TINTS[0].0),
            (|q| (q.p10, q.p90), BAND_TINTS[1].0),
            (|q| (q.p25, q.p75), BAND_TINTS[2].0),
        ];
        for (ends, a) in bands {
            let upper = q.iter().map(|y| (y.year as f64, ends(&y.quantiles).1));
            let lower = q
                .iter()
                .rev()
                .map(|y| (y.year as f64, ends(&y.quantiles).0));
            let polygon: Vec<(f64, f64)> = upper.chain(lower).collect();
            chart.draw_series(std::iter::once(Polygon::new(
                polygon,
                tint(BAND, a).filled(),
            )))?;
        }
        // The median as separate segments with round joints: a thick polyline's mitred joints
        // spike at the sharp corners of count paths.
        let median: Vec<(f64, f64)> = q.iter().map(|y| (y.year as f64, y.quantiles.p50)).collect();
        for pair in median.windows(2) {
            chart.draw_series(std::iter::once(PathElement::new(
                pair.to_vec(),
                BAND.stroke_width(3),
            )))?;
        }
        chart.draw_series(median.iter().map(|&p| Circle::new(p, 1, BAND.filled())))?;

        // Plan start and last observation: both lines first, then their labels on top.
        let plan_start = summary.scenario.base_year;
        let guides: Vec<(i32, String)> = match last_observed {
            Some(last) if last > plan_start => vec![
                (
                    plan_start,
                    format!("{} {plan_start}", labels.ui("plan start", "规划起点")),
                ),
                (
                    last,
                    format!("{} {last}", labels.ui("last observed", "最新观测")),
                ),
            ],
            _ => vec![(
                plan_start,
                format!(
                    "{} {plan_start}",
                    labels.ui("plan start · last observed", "规划起点 · 最新观测")
                ),
            )],
        };
        for (year, _) in &guides {
            chart.draw_series(DashedLineSeries::new(
                [(*year as f64, y0), (*year as f64, y1)],
                6,
                4,
                GUIDE.stroke_width(1),
            ))?;
        }
        for (row, (year, text)) in guides.into_iter().enumerate() {
            let (px, py) = chart.backend_coord(&(year as f64, y1));
            let style = labels
                .font(&text, 13.0)
                .color(&MUTED)
                .pos(Pos::new(HPos::Left, VPos::Top));
            let at = (px + 5, py + 6 + row as i32 * 18);
            let (tw, th) = root.estimate_text_size(&text, &style)?;
            root.draw(&Rectangle::new(
                [
                    (at.0 - 2, at.1 - 1),
                    (at.0 + tw as i32 + 2, at.1 + th as i32 + 1),
                ],
                WHITE.mix(0.85).filled(),
            ))?;
            root.draw(&Text::new(text, at, style))?;
        }

        // Observed values (solid) and values published after as_of (hollow, not used).
        chart.draw_series(fixed.iter().map(|&p| Circle::new(p, 5, OBSERVED.filled())))?;
        // Hollow rings from 1-pixel circles (thick circle outlines rasterise unevenly).
        for radius in [5, 4] {
            chart.draw_series(
                unused
                    .iter()
                    .map(|&p| Circle::new(p, radius, OBSERVED.stroke_width(1))),
            )?;
        }

        // Targets: a diamond in its status colour, the label to its left, kept apart.
        let mut placed: Vec<(i32, i32, &Marker)> = markers
            .iter()
            .map(|m| {
                let (px, py) = chart.backend_coord(&(m.year as f64, m.level));
                (px, py, m)
            })
            .collect();
        placed.sort_by_key(|p| (p.1, p.0));
        let mut label_ys: Vec<(i32, i32)> = Vec::new();
        for (px, py, m) in &placed {
            let colour = m.status.map_or(OBSERVED, Status::colour);
            let diamond = [(*px, py - 9), (px + 9, *py), (*px, py + 9), (px - 9, *py)];
            root.draw(&Polygon::new(diamond.to_vec(), colour.filled()))?;
            root.draw(&PathElement::new(
                diamond
                    .iter()
                    .chain(std::iter::once(&diamond[0]))
                    .copied()
                    .collect::<Vec<_>>(),
                BLACK.stroke_width(1),
            ))?;
            // Labels left of the marker, moved down until they clear earlier ones nearby.
            let mut ly = *py;
            while label_ys
                .iter()
                .any(|&(x, y)| (x - px).abs() < 300 && (y - ly).abs() < 20)
            {
                ly += 20;
            }
            label_ys.push((*px, ly));
            // Left of the marker, unless that would cross the y axis: then right of it.
            let measure = labels.bold(&m.label, 14.0);
            let (tw, th) = root.estimate_text_size(&m.label, &measure)?;
            let (tw, th) = (tw as i32, th as i32);
            let plot_left = chart.backend_coord(&(x0, y0)).0;
            let (left, hpos, anchor_x) = if px - 18 - tw >= plot_left {
                (px - 18 - tw, HPos::Right, px - 14)
            } else {
                (px + 10, HPos::Left, px + 14)
            };
            root.draw(&Rectangle::new(
                [(left, ly - th / 2 - 3), (left + tw + 6, ly + th / 2 + 3)],
                WHITE.mix(0.85).filled(),
            ))?;
            root.draw(&Text::new(
                m.label.clone(),
                (anchor_x, ly),
                measure.pos(Pos::new(hpos, VPos::Center)),
            ))?;
        }

        // Legend.
        let legend = legend.margin(16, 0, 8, 8);
        let mut y = 0;
        let row = 24;
        let text = |s: &str, y: i32| -> Result<(), PlotError> {
            legend.draw(&Text::new(
                s.to_string(),
                (34, y),
                labels.font(s, 13.0).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            Ok(())
        };
        legend.draw(&Circle::new((12, y + 8), 5, OBSERVED.filled()))?;
        text(labels.ui("observed", "观测值"), y + 8)?;
        y += row;
        if !unused.is_empty() {
            legend.draw(&Circle::new((12, y + 8), 5, OBSERVED.stroke_width(1)))?;
            legend.draw(&Circle::new((12, y + 8), 4, OBSERVED.stroke_width(1)))?;
            text(
                labels.ui("published after as_of (unused)", "as_of 之后公布（未使用）"),
                y + 8,
            )?;
            y += row;
        }
        legend.draw(&PathElement::new(
            vec![(0, y + 8), (24, y + 8)],
            BAND.stroke_width(3),
        ))?;
        text(labels.ui("median", "中位数"), y + 8)?;
        y += row;
        for (a, en, zh) in BAND_TINTS.iter().rev() {
            legend.draw(&Rectangle::new(
                [(0, y), (24, y + 16)],
                tint(BAND, *a).filled(),
            ))?;
            text(labels.ui(en, zh), y + 8)?;
            y += row;
        }
        y += 8;
        text(
            labels.ui("target: probability met", "目标：实现概率"),
            y + 8,
        )?;
        y += row;
        for status in Status::ALL {
            let d = [(12, y), (20, y + 8), (12, y + 16), (4, y + 8)];
            legend.draw(&Polygon::new(d.to_vec(), status.colour().filled()))?;
            text(labels.ui(status.label_en(), status.label_zh()), y + 8)?;
            y += row;
        }
        if !off_axis.is_empty() {
            y += 8;
            text(labels.ui("not on this axis:", "无法标在本图："), y + 8)?;
            y += row;
            for label in &off_axis {
                text(label, y + 8)?;
                y += row;
            }
        }
        Ok(())
    })
}
