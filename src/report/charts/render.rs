//! Drawing one chart into both formats: the same closure draws into an SVG string and into an
//! RGB buffer that is encoded as PNG. Nothing here touches the file system: the caller stages
//! both files in the run's output folder, so they appear atomically with its other files.

use super::backend::{AnyBackend, BackendError};
use crate::report::fonts;
use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::{BitMapBackend, DrawingArea, IntoDrawingArea, SVGBackend};

/// The drawing area a chart closure receives.
pub type Area<'a> = DrawingArea<AnyBackend<'a>, Shift>;

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// plotters reported an error.
    #[error("drawing a chart failed: {0}")]
    Draw(String),
    /// The PNG encoder failed.
    #[error("encoding a PNG failed: {0}")]
    Encode(String),
    /// The embedded fonts could not be registered.
    #[error("{0}")]
    Font(String),
}

impl From<DrawingAreaErrorKind<BackendError>> for PlotError {
    fn from(e: DrawingAreaErrorKind<BackendError>) -> Self {
        PlotError::Draw(e.to_string())
    }
}

/// One chart in both formats.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The SVG document.
    pub svg: String,
    /// The PNG file.
    pub png: Vec<u8>,
}

/// Draws a chart of `width` x `height` pixels twice, as SVG and as PNG.
///
/// `draw` receives the whole area (already registered fonts, nothing drawn yet) and must draw
/// the same thing whatever the backend; [`super::frame()`] gives it the usual title and audit line.
///
/// ```
/// use plancast::report::charts::{render, PlotError};
/// use plotters::prelude::*;
/// let chart = render(200, 100, |area| {
///     area.fill(&WHITE)?;
///     area.draw(&Rectangle::new([(10, 10), (50, 50)], BLUE.filled()))?;
///     Ok::<(), PlotError>(())
/// })
/// .unwrap();
/// assert!(chart.svg.contains("<svg") && chart.png.starts_with(b"\x89PNG"));
/// ```
pub fn render<F>(width: u32, height: u32, draw: F) -> Result<Rendered, PlotError>
where
    F: for<'a> Fn(&Area<'a>) -> Result<(), PlotError>,
{
    fonts::register().map_err(PlotError::Font)?;
    let mut svg = String::new();
    {
        let area =
            AnyBackend::Svg(SVGBackend::with_string(&mut svg, (width, height))).into_drawing_area();
        draw(&area)?;
        area.present()?;
    }
    let mut pixels = vec![255u8; width as usize * height as usize * 3];
    {
        let backend = BitMapBackend::with_buffer_and_format(&mut pixels, (width, height))
            .map_err(|e| PlotError::Draw(e.to_string()))?;
        let area = AnyBackend::Bitmap(backend).into_drawing_area();
        draw(&area)?;
        area.present()?;
    }
    let png = encode_png(&pixels, width, height)?;
    Ok(Rendered {
        width,
        height,
        svg,
        png,
    })
}

/// Encodes an RGB buffer as PNG (deterministic: same pixels, same bytes).
fn encode_png(pixels: &[u8], width: u32, height: u32) -> Result<Vec<u8>, PlotError> {
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Default);
        encoder.set_filter(png::FilterType::Paeth);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut writer = encoder
            .write_header()
            .map_err(|e| PlotError::Encode(e.to_string()))?;
        writer
            .write_image_data(pixels)
            .map_err(|e| PlotError::Encode(e.to_string()))?;
        writer
            .finish()
            .map_err(|e| PlotError::Encode(e.to_string()))?;
    }
    Ok(bytes)
}

/// The largest magnitude an axis reaches: beyond it, plotters' tick search cannot end.
const AXIS_LIMIT: f64 = 1e300;

/// An axis range plotters can always draw and label, from the range `lo..hi` the data ask
/// for: both ends finite and within ±1e300, in order, and at least a billionth of their
/// magnitude apart (and at least 1e-200). With an infinite or overflowing span, or a span too
/// small for its magnitude, plotters' search for tick marks never ends (issue 13: a fan chart
/// of growth from `base = 1e308` hung), so every chart's axes go through here. Values
/// outside the range are drawn outside the plot.
pub fn safe_axis(lo: f64, hi: f64) -> (f64, f64) {
    let clamp = |v: f64| {
        if v.is_nan() {
            0.0
        } else {
            v.clamp(-AXIS_LIMIT, AXIS_LIMIT)
        }
    };
    let (mut lo, mut hi) = (clamp(lo), clamp(hi));
    if lo > hi {
        std::mem::swap(&mut lo, &mut hi);
    }
    let magnitude = lo.abs().max(hi.abs());
    let min_span = (magnitude * 1e-9).max(1e-200);
    if hi - lo < min_span {
        let middle = lo / 2.0 + hi / 2.0;
        lo = (middle - min_span / 2.0).max(-AXIS_LIMIT);
        hi = lo + min_span;
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::safe_axis;

    #[test]
    fn axes_are_finite_ordered_and_wide_enough() {
        for (lo, hi) in [
            (f64::NEG_INFINITY, f64::INFINITY),
            (-f64::MAX, f64::MAX),
            (1e308, 1.7e308),
            (f64::NAN, 1.0),
            (5.0, 5.0),
            (1e300, 1e300),
            (5e-324, 1e-323),
            (3.0, -2.0),
        ] {
            let (a, b) = safe_axis(lo, hi);
            assert!(
                a.is_finite() && b.is_finite() && a < b,
                "{lo}..{hi}: {a}..{b}"
            );
            assert!((b - a).is_finite() && b - a >= a.abs().max(b.abs()) * 0.5e-9);
            assert!(a >= -1e300 && b <= 1.001e300, "{lo}..{hi}: {a}..{b}");
        }
        assert_eq!(safe_axis(0.0, 10.0), (0.0, 10.0));
    }
}
