//! The target-probability chart: one bar per target, grouped by due year, with its 95% interval
//! as a whisker and coloured by status (on track >= 80%, likely 50-80%, at risk 20-50%, off track
//! < 20%); each year's group is headed by the joint probability of meeting all of it.
//! Drawn in pixel coordinates: a table-like layout, label column on the left, value on the right.

use super::frame::frame;
use super::render::{render, Area, PlotError, Rendered};
use crate::model::Basis;
use crate::report::format::{percent, percent_interval};
use crate::report::labels::probability_text;
use crate::report::labels::Labels;
use crate::report::style::{Status, GUIDE, MISS, MUTED, OBSERVED};
use crate::report::summary::{GroupResult, Summary, TargetResult, TargetStatus};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;

/// Width of the chart in pixels.
pub const WIDTH: u32 = 1200;
const LABEL_WIDTH: i32 = 480;
const BAR_LEFT: i32 = 500;
const BAR_WIDTH: i32 = 500;
const ROW: i32 = 22;
const HEADER_ROW: i32 = 34;
const TOP: i32 = 118;
const BOTTOM: i32 = 76;

/// The narrowest bar drawn for a chance that is not exactly 0 (pixels): 30 paths in 100,000
/// would otherwise be a hairline whose colour cannot be seen.
pub const MIN_BAR: i32 = 4;
/// The gap left at the end of a bar for a chance that is not exactly 1 (pixels).
pub const NEAR_ONE_GAP: i32 = 3;

/// Where the bar of probability `p` starts and ends (pixels from the bar area's left edge),
/// or None for exactly 0: to scale, except that a chance above 0 is at least [`MIN_BAR`] wide
/// and one below 1 stops at least [`NEAR_ONE_GAP`] short of the full width.
pub fn bar_span(p: f64) -> Option<(i32, i32)> {
    if p.is_nan() || p <= 0.0 {
        return None;
    }
    let scaled = (p.min(1.0) * BAR_WIDTH as f64).round() as i32;
    let end = if p >= 1.0 {
        BAR_WIDTH
    } else {
        scaled.clamp(MIN_BAR, BAR_WIDTH - NEAR_ONE_GAP)
    };
    Some((0, end))
}

/// One line of the chart.
enum Line<'a> {
    Header(i32, Option<&'a GroupResult>, usize),
    Target(&'a TargetResult),
}

/// Height of the chart for `summary` (it grows with the number of targets).
pub fn height(summary: &Summary) -> u32 {
    let years: std::collections::BTreeSet<i32> =
        summary.targets.iter().map(|t| t.due_year).collect();
    (TOP + BOTTOM + ROW * summary.targets.len() as i32 + HEADER_ROW * years.len() as i32) as u32
}

/// The most characters [`fit`] tries: more than any chart row can show.
const MAX_FIT_CHARS: usize = 400;

/// `text` cut (with an ellipsis) to fit `width` pixels in `style`.
pub fn fit(
    area: &Area<'_>,
    text: &str,
    style: &TextStyle<'_>,
    width: i32,
) -> Result<String, PlotError> {
    let fits = |s: &str| -> Result<bool, PlotError> {
        Ok(area.estimate_text_size(s, style)?.0 as i32 <= width)
    };
    if fits(text)? {
        return Ok(text.to_string());
    }
    // No row holds more than a few hundred characters: cut there first, so that a label of a
    // million characters costs what a long one does (each try below measures the whole text).
    let mut chars: Vec<char> = text.chars().take(MAX_FIT_CHARS).collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if fits(&candidate)? {
            return Ok(candidate);
        }
    }
    Ok(String::new())
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 target".to_string()
    } else {
        format!("{n} targets")
    }
}

/// The label of a target on this chart: its plan label, else its id.
fn label(t: &TargetResult, labels: &Labels) -> String {
    match &t.label {
        Some(en) => labels.name(en, t.label_zh.as_deref()),
        None => t.id.clone(),
    }
}

/// Draws the target-probability chart.
pub fn chart(summary: &Summary, labels: &Labels, audit: &str) -> Result<Rendered, PlotError> {
    let mut by_year: BTreeMap<i32, Vec<&TargetResult>> = BTreeMap::new();
    for t in &summary.targets {
        by_year.entry(t.due_year).or_default().push(t);
    }
    let mut lines = Vec::new();
    for (year, targets) in &by_year {
        let group = summary.groups.iter().find(|g| g.due_year == Some(*year));
        lines.push(Line::Header(*year, group, targets.len()));
        lines.extend(targets.iter().map(|t| Line::Target(t)));
    }
    let title = labels
        .ui("Probability of meeting each target", "各目标实现概率")
        .to_string();
    let subtitle = labels
        .ui(
            "bars: share of simulated paths meeting the target; whiskers: 95% interval; grouped by due year",
            "条形：实现目标的模拟路径占比；误差线：95% 区间；按目标年份分组",
        )
        .to_string();
    let height = height(summary);

    render(WIDTH, height, |root| {
        let _ = frame(root, labels, &title, Some(&subtitle), audit)?;
        let x_of = |p: f64| BAR_LEFT + (p.clamp(0.0, 1.0) * BAR_WIDTH as f64).round() as i32;
        let rows_top = TOP;
        let rows_bottom = height as i32 - BOTTOM + 8;

        // Legend.
        let mut lx = BAR_LEFT - 480;
        let ly = 74;
        for status in Status::ALL {
            root.draw(&Rectangle::new(
                [(lx, ly), (lx + 16, ly + 14)],
                status.colour().filled(),
            ))?;
            let text = labels.ui(status.label_en(), status.label_zh());
            let style = labels
                .font(text, 13.0)
                .pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(
                text.to_string(),
                (lx + 22, ly + 7),
                style.clone(),
            ))?;
            lx += 22 + root.estimate_text_size(text, &style)?.0 as i32 + 22;
        }
        root.draw(&PathElement::new(
            vec![(lx, ly + 7), (lx + 24, ly + 7)],
            OBSERVED.stroke_width(2),
        ))?;
        let text = labels.ui("95% interval", "95% 区间");
        let style = labels
            .font(text, 13.0)
            .pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(
            text.to_string(),
            (lx + 30, ly + 7),
            style.clone(),
        ))?;
        if summary
            .targets
            .iter()
            .any(|t| t.basis == Some(Basis::Prior))
        {
            lx += 30 + root.estimate_text_size(text, &style)?.0 as i32 + 22;
            let corners = [(lx, ly), (lx + 16, ly + 14)];
            root.draw(&Rectangle::new(corners, MUTED.mix(0.3).filled()))?;
            root.draw(&Rectangle::new(corners, MUTED.stroke_width(1)))?;
            let text = labels.ui(
                "pale: no observation bears on it (prior)",
                "浅色：无观测依据（先验）",
            );
            root.draw(&Text::new(
                text.to_string(),
                (lx + 22, ly + 7),
                labels
                    .font(text, 13.0)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }

        // Grid: every 10%, status boundaries darker, labels above and below.
        for k in 0..=10 {
            let p = k as f64 / 10.0;
            let x = x_of(p);
            let boundary = matches!(k, 2 | 5 | 8);
            let colour = if boundary {
                GUIDE
            } else {
                RGBColor(225, 225, 225)
            };
            root.draw(&PathElement::new(
                vec![(x, rows_top - 4), (x, rows_bottom)],
                colour.stroke_width(1),
            ))?;
            let text = format!("{}%", k * 10);
            for (y, v) in [(rows_top - 8, VPos::Bottom), (rows_bottom + 4, VPos::Top)] {
                root.draw(&Text::new(
                    text.clone(),
                    (x, y),
                    labels
                        .plain(12.0)
                        .color(&MUTED)
                        .pos(Pos::new(HPos::Center, v)),
                ))?;
            }
        }
        let axis = labels.ui("probability of meeting the target", "实现目标的概率");
        root.draw(&Text::new(
            axis.to_string(),
            (BAR_LEFT + BAR_WIDTH / 2, rows_bottom + 22),
            labels
                .font(axis, 13.0)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;

        let mut y = rows_top;
        for line in &lines {
            match line {
                Line::Header(year, group, n) => {
                    let text = match (labels.lang(), group) {
                        (crate::report::labels::Lang::En, Some(g)) => format!(
                            "Due {year} ({}) · all met together: {} {}",
                            plural(*n),
                            percent(g.probability),
                            percent_interval(g.ci_lower, g.ci_upper)
                        ),
                        (crate::report::labels::Lang::Zh, Some(g)) => format!(
                            "{year} 年目标（{n} 项）· 全部同时实现的概率：{} {}",
                            percent(g.probability),
                            percent_interval(g.ci_lower, g.ci_upper)
                        ),
                        (crate::report::labels::Lang::En, None) => {
                            format!("Due {year} ({})", plural(*n))
                        }
                        (crate::report::labels::Lang::Zh, None) => {
                            format!("{year} 年目标（{n} 项）")
                        }
                    };
                    root.draw(&Rectangle::new(
                        [(14, y + 4), (WIDTH as i32 - 14, y + HEADER_ROW - 4)],
                        RGBColor(240, 240, 240).filled(),
                    ))?;
                    root.draw(&Text::new(
                        text.clone(),
                        (20, y + HEADER_ROW / 2),
                        labels
                            .bold(&text, 15.0)
                            .pos(Pos::new(HPos::Left, VPos::Center)),
                    ))?;
                    y += HEADER_ROW;
                }
                Line::Target(t) => {
                    let mid = y + ROW / 2;
                    let name = label(t, labels);
                    let style = labels
                        .font(&name, 13.0)
                        .pos(Pos::new(HPos::Left, VPos::Center));
                    let name = fit(root, &name, &style, LABEL_WIDTH - 20)?;
                    root.draw(&Text::new(name, (20, mid), style))?;
                    let (colour, shown) = match t.status {
                        TargetStatus::Simulated => {
                            (Status::of(t.probability).colour(), t.probability)
                        }
                        TargetStatus::ObservedMet => (MISS, 1.0),
                        TargetStatus::ObservedMissed => (MISS, 0.0),
                    };
                    let prior_only = t.basis == Some(Basis::Prior);
                    if let Some((start, end)) = bar_span(shown) {
                        let corners = [(BAR_LEFT + start, y + 4), (BAR_LEFT + end, y + ROW - 4)];
                        if prior_only {
                            // Resting on assumptions alone: a pale bar with an outline.
                            root.draw(&Rectangle::new(corners, colour.mix(0.3).filled()))?;
                            root.draw(&Rectangle::new(corners, colour.stroke_width(1)))?;
                        } else {
                            root.draw(&Rectangle::new(corners, colour.filled()))?;
                        }
                    }
                    if t.status == TargetStatus::Simulated && t.ci_upper > t.ci_lower {
                        let (a, b) = (x_of(t.ci_lower), x_of(t.ci_upper));
                        let whisker = OBSERVED.stroke_width(1);
                        root.draw(&PathElement::new(vec![(a, mid), (b, mid)], whisker))?;
                        root.draw(&PathElement::new(vec![(a, mid - 5), (a, mid + 5)], whisker))?;
                        root.draw(&PathElement::new(vec![(b, mid - 5), (b, mid + 5)], whisker))?;
                    }
                    let value = match t.status {
                        TargetStatus::Simulated => format!(
                            "{} {}",
                            probability_text(t, labels),
                            percent_interval(t.ci_lower, t.ci_upper)
                        ),
                        _ => probability_text(t, labels),
                    };
                    let value = if prior_only {
                        format!("{value} · {}", labels.ui("prior", "先验"))
                    } else {
                        value
                    };
                    root.draw(&Text::new(
                        value.clone(),
                        (BAR_LEFT + BAR_WIDTH + 14, mid),
                        labels
                            .font(&value, 13.0)
                            .pos(Pos::new(HPos::Left, VPos::Center)),
                    ))?;
                    y += ROW;
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_zero_and_near_one_bars_stay_visible() {
        assert_eq!(bar_span(0.0), None);
        // 30 of 100,000 paths: a bar wide enough to show its colour.
        assert_eq!(bar_span(0.0003), Some((0, MIN_BAR)));
        assert_eq!(bar_span(0.5), Some((0, BAR_WIDTH / 2)));
        // 99,990 of 100,000: visibly short of a certainty.
        assert_eq!(bar_span(0.9999), Some((0, BAR_WIDTH - NEAR_ONE_GAP)));
        assert_eq!(bar_span(1.0), Some((0, BAR_WIDTH)));
    }
}
