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
