//! The charts of `plancast track`: per target, its probability over the as-of years with the
//! 95% interval as a band and the outcome marked once published values decide it; and one
//! overview of all targets as a heat table (a row per target, a column per as-of year, each
//! cell coloured by status and printed with its probability).

use super::frame;
use super::probabilities::fit;
use super::render::{render, Area, PlotError, Rendered};
use crate::analysis::track::{Outcome, TargetTrack, Track};
use crate::model::Basis;
use crate::report::format::percent;
use crate::report::labels::Labels;
use crate::report::style::{Status, BAND, GUIDE, MUTED, OBSERVED, THRESHOLD};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The chart of one target's track.
pub fn target_chart(
    track: &Track,
    target: &TargetTrack,
    labels: &Labels,
    audit: &str,
) -> Result<Rendered, PlotError> {
    let label = target
        .label
        .as_deref()
        .map(|en| labels.name(en, target.label_zh.as_deref()))
        .unwrap_or_else(|| target.id.clone());
    let title = format!("{}: {}", target.id, label);
    let subtitle = labels
        .ui(
            "probability of meeting the target as the data came in (as of each year); band: 95% interval; hollow: no observation bears on it yet (prior)",
            "随数据公布逐年评估的目标实现概率；阴影：95% 区间；空心点：尚无观测依据（先验）",
        )
        .to_string();
    let (first, last) = (
        *track.years.first().unwrap_or(&0),
        *track.years.last().unwrap_or(&0),
    );
    render(1000, 520, |root: &Area| {
        let inner = frame(root, labels, &title, Some(&subtitle), audit)?;
        // The due year joins the axis when it is near (two years past the last as-of year).
        let end = if target.due_year > last && target.due_year <= last + 2 {
            target.due_year
        } else {
            last.max(first + 1)
        };
        let x0 = first as f64 - 0.5;
        let x1 = end as f64 + 0.5;
        let mut chart = ChartBuilder::on(&inner)
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(x0..x1, 0.0..1.0)?;
        chart
            .configure_mesh()
            .x_labels(((end - first + 1) as usize).min(20))
            .x_label_formatter(&|x| format!("{:.0}", x))
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .x_desc(labels.ui("as of (data published up to)", "评估时点（数据截至）"))
            .y_desc(labels.ui("probability", "概率"))
            .axis_desc_style(labels.plain(14.0))
            .label_style(labels.plain(13.0))
            .bold_line_style(RGBColor(225, 225, 225))
            .light_line_style(WHITE)
            .draw()?;
        // Status boundaries.
        for p in [0.2, 0.5, 0.8] {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x0, p), (x1, p)],
                GUIDE.mix(0.5).stroke_width(1),
            )))?;
        }
        let points = &target.points;
        if points.len() > 1 {
            let mut band: Vec<(f64, f64)> =
                points.iter().map(|p| (p.as_of as f64, p.high)).collect();
            band.extend(points.iter().rev().map(|p| (p.as_of as f64, p.low)));
            chart.draw_series(std::iter::once(Polygon::new(band, BAND.mix(0.2).filled())))?;
            chart.draw_series(std::iter::once(PathElement::new(
                points
                    .iter()
                    .map(|p| (p.as_of as f64, p.probability))
                    .collect::<Vec<_>>(),
                BAND.stroke_width(2),
            )))?;
        }
        for p in points {
            let colour = Status::of(p.probability).colour();
            let at = (p.as_of as f64, p.probability);
            match (p.outcome, p.basis) {
                (Some(outcome), _) => {
                    let (text, colour) = match outcome {
                        Outcome::Met => (labels.ui("met", "已实现"), Status::OnTrack.colour()),
                        Outcome::Missed => (labels.ui("missed", "未实现"), THRESHOLD),
                    };
                    chart.draw_series(std::iter::once(Cross::new(
                        at,
                        7,
                        colour.stroke_width(3),
                    )))?;
                    chart.draw_series(std::iter::once(Text::new(
                        text.to_string(),
                        at,
                        labels
                            .font(text, 13.0)
                            .color(&colour)
                            .pos(Pos::new(HPos::Center, VPos::Bottom)),
                    )))?;
                }
                (None, Basis::Prior) => {
                    chart.draw_series(std::iter::once(Circle::new(
                        at,
                        5,
                        colour.stroke_width(2),
                    )))?;
                }
                (None, _) => {
                    chart.draw_series(std::iter::once(Circle::new(at, 5, colour.filled())))?;
                }
            }
        }
        // The due year, when it falls on the axis.
        let due = target.due_year as f64;
        if due >= x0 && due <= x1 {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(due, 0.0), (due, 1.0)],
                OBSERVED.mix(0.6).stroke_width(1),
            )))?;
            let text = labels.ui("due", "目标年");
            chart.draw_series(std::iter::once(Text::new(
                text.to_string(),
                (due, 1.0),
                labels
                    .font(text, 12.0)
                    .color(&MUTED)
                    .pos(Pos::new(HPos::Right, VPos::Top)),
            )))?;
        }
        Ok(())
    })
}

/// Height of a heat-table row.
const ROW: i32 = 22;
/// Width of the label column.
const LABEL: i32 = 300;
/// Width of a year column.
const COLUMN: i32 = 64;

/// The overview of all targets: a heat table.
pub fn overview(track: &Track, labels: &Labels, audit: &str) -> Result<Rendered, PlotError> {
    let title = labels
        .ui(
            "Probability of each target as the data came in",
            "随数据公布各目标实现概率的变化",
        )
        .to_string();
    let subtitle = labels
        .ui(
            "one column per as-of year; colour: on track ≥ 80%, likely 50–80%, at risk 20–50%, off track < 20%; pale: prior only; grey: decided",
            "每列为一个评估年份；颜色：≥80% 顺利，50–80% 可能，20–50% 有风险，<20% 偏离；浅色：仅先验；灰色：已确定",
        )
        .to_string();
    let top = 96;
    let width = (LABEL + COLUMN * track.years.len() as i32 + 40).max(1040);
    let height = top + ROW * (track.targets.len() as i32 + 1) + 60;
    render(width as u32, height as u32, |root: &Area| {
        frame(root, labels, &title, Some(&subtitle), audit)?;
        for (c, year) in track.years.iter().enumerate() {
            let x = LABEL + COLUMN * c as i32 + COLUMN / 2;
            root.draw(&Text::new(
                year.to_string(),
                (x, top + ROW / 2),
                labels
                    .bold(&year.to_string(), 13.0)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            ))?;
        }
        for (r, t) in track.targets.iter().enumerate() {
            let y = top + ROW * (r as i32 + 1);
            let style = labels
                .font(&t.id, 12.0)
                .pos(Pos::new(HPos::Left, VPos::Center));
            let name = fit(root, &t.id, &style, LABEL - 24)?;
            root.draw(&Text::new(name, (14, y + ROW / 2), style))?;
            for (c, p) in t.points.iter().enumerate() {
                let x = LABEL + COLUMN * c as i32;
                let (fill, text) = match p.outcome {
                    Some(o) => (
                        RGBColor(200, 200, 200),
                        labels
                            .ui(
                                o.name(),
                                match o {
                                    Outcome::Met => "已实现",
                                    Outcome::Missed => "未实现",
                                },
                            )
                            .to_string(),
                    ),
                    None => {
                        let colour = Status::of(p.probability).colour();
                        let fill = if p.basis == Basis::Prior {
                            mix_white(colour, 0.35)
                        } else {
                            mix_white(colour, 0.75)
                        };
                        (fill, percent(p.probability))
                    }
                };
                root.draw(&Rectangle::new(
                    [(x + 1, y + 1), (x + COLUMN - 1, y + ROW - 1)],
                    fill.filled(),
                ))?;
                root.draw(&Text::new(
                    text.clone(),
                    (x + COLUMN / 2, y + ROW / 2),
                    labels
                        .font(&text, 11.0)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))?;
            }
        }
        Ok(())
    })
}

/// `colour` blended towards white, `amount` of the colour kept (an opaque colour, so that the
/// PNG and SVG look the same).
fn mix_white(colour: RGBColor, amount: f64) -> RGBColor {
    let blend = |c: u8| (255.0 - (255.0 - c as f64) * amount).round() as u8;
    RGBColor(blend(colour.0), blend(colour.1), blend(colour.2))
}
