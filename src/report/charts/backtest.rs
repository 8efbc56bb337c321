//! The charts of `plancast backtest`: the PIT histogram (ten bins of the published values'
//! percentiles in their predictive distributions, with the count a calibrated forecast expects
//! and its binomial 95% range) and the coverage chart (each central band's share of published
//! values inside it, with its 95% interval, against the nominal share).

use super::frame;
use super::render::{render, Area, PlotError, Rendered};
use crate::analysis::backtest::Backtest;
use crate::report::labels::Labels;
use crate::report::style::{BAND, GUIDE, MUTED, OBSERVED};
use plotters::prelude::*;

/// Bins of the PIT histogram.
pub const PIT_BINS: usize = 10;

/// The PIT histogram.
pub fn pit_histogram(b: &Backtest, labels: &Labels, audit: &str) -> Result<Rendered, PlotError> {
    let mut counts = [0u32; PIT_BINS];
    for r in &b.rows {
        let bin = ((r.pit * PIT_BINS as f64) as usize).min(PIT_BINS - 1);
        counts[bin] += 1;
    }
    let n = b.rows.len() as f64;
    let expected = n / PIT_BINS as f64;
    // Binomial 95% range of one bin's count under calibration (normal approximation).
    let spread = 1.96 * (n * 0.1 * 0.9).sqrt();
    let top = (counts.iter().copied().max().unwrap_or(1) as f64)
        .max(expected + spread)
        .max(1.0)
        * 1.15;
    let title = format!(
        "{} {}",
        labels.ui(
            "Where published values fell in the forecast, as of",
            "公布值在预测分布中的位置，评估时点"
        ),
        b.as_of
    );
    let subtitle = labels
        .ui(
            "PIT histogram: flat = calibrated; U-shaped = bands too narrow; hump = too wide; slope = biased. Line: expected count, band: its 95% range",
            "PIT 直方图：平坦=校准良好；U 形=区间过窄；驼峰=过宽；倾斜=有偏。线：期望频数，阴影：其 95% 范围",
        )
        .to_string();
    render(1100, 520, |root: &Area| {
        let inner = frame(root, labels, &title, Some(&subtitle), audit)?;
        let mut chart = ChartBuilder::on(&inner)
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..1.0, 0.0..top)?;
        chart
            .configure_mesh()
            .y_labels((top.ceil() as usize + 1).min(12))
            .y_label_formatter(&|y| {
                if (y - y.round()).abs() < 1e-9 {
                    format!("{y:.0}")
                } else {
                    String::new()
                }
            })
            .x_desc(labels.ui(
                "percentile of the published value in its predictive distribution (PIT)",
                "公布值在预测分布中的分位（PIT）",
            ))
            .y_desc(labels.ui("published values", "公布值个数"))
            .axis_desc_style(labels.plain(14.0))
            .label_style(labels.plain(13.0))
            .bold_line_style(RGBColor(225, 225, 225))
            .light_line_style(WHITE)
            .draw()?;
        chart.draw_series(std::iter::once(Rectangle::new(
            [
                (0.0, (expected - spread).max(0.0)),
                (1.0, expected + spread),
            ],
            GUIDE.mix(0.15).filled(),
        )))?;
        for (k, &c) in counts.iter().enumerate() {
            let lo = k as f64 / PIT_BINS as f64;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(lo + 0.005, 0.0), (lo + 0.1 - 0.005, c as f64)],
                BAND.filled(),
            )))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, expected), (1.0, expected)],
            OBSERVED.stroke_width(2),
        )))?;
        Ok(())
    })
}

/// The coverage chart.
pub fn coverage_chart(b: &Backtest, labels: &Labels, audit: &str) -> Result<Rendered, PlotError> {
    let title = format!(
        "{} {}",
        labels.ui(
            "How often the bands held the published values, as of",
            "预测区间覆盖公布值的比例，评估时点"
        ),
        b.as_of
    );
    let subtitle = format!(
        "{} ({} {})",
        labels.ui(
            "share inside each central band with its 95% interval; dashes: the nominal share",
            "各中心区间内的比例及其 95% 区间；虚线：名义比例",
        ),
        b.rows.len(),
        labels.ui("values", "个公布值")
    );
    render(1000, 520, |root: &Area| {
        let inner = frame(root, labels, &title, Some(&subtitle), audit)?;
        let bands = b.coverage.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&inner)
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..bands, 0.0..1.0)?;
        let names: Vec<String> = b
            .coverage
            .iter()
            .map(|c| format!("{:.0}% {}", c.nominal * 100.0, labels.ui("band", "区间")))
            .collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(b.coverage.len() * 2 + 1)
            .x_label_formatter(&|x| {
                let k = (x - 0.5).round();
                if (x - 0.5 - k).abs() < 1e-9 && k >= 0.0 && (k as usize) < names.len() {
                    names[k as usize].clone()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .y_desc(labels.ui("share of published values inside", "落入区间的比例"))
            .axis_desc_style(labels.plain(14.0))
            .label_style(labels.plain(13.0))
            .bold_line_style(RGBColor(225, 225, 225))
            .light_line_style(WHITE)
            .draw()?;
        for (k, c) in b.coverage.iter().enumerate() {
            let x = k as f64;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x + 0.25, 0.0), (x + 0.75, c.share)],
                BAND.filled(),
            )))?;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x + 0.5, c.low), (x + 0.5, c.high)],
                OBSERVED.stroke_width(2),
            )))?;
            for y in [c.low, c.high] {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x + 0.45, y), (x + 0.55, y)],
                    OBSERVED.stroke_width(2),
                )))?;
            }
            // The nominal share, dashed.
            let mut dash = Vec::new();
            let mut from = x + 0.1;
            while from < x + 0.9 {
                dash.push(PathElement::new(
                    vec![(from, c.nominal), ((from + 0.04).min(x + 0.9), c.nominal)],
                    MUTED.stroke_width(2),
                ));
                from += 0.07;
            }
            chart.draw_series(dash)?;
        }
        Ok(())
    })
}
