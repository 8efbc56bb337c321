//! One drawing backend type for both output formats, so a chart is written once as a plain
//! closure over `DrawingArea<AnyBackend, Shift>` and drawn twice: into SVG text and into an RGB
//! pixel buffer. Each call is forwarded to the wrapped plotters backend; errors of either are
//! turned into one [`BackendError`].
//!
//! Text is the exception: plotters' ab_glyph text drawing rounds every glyph to a whole pixel
//! (uneven letter spacing) and places the baseline loosely, so bitmap text is laid out here with
//! sub-pixel glyph positions and the font's ascent, and both backends measure text the same way.

use crate::report::fonts;
use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use plotters::prelude::{BitMapBackend, SVGBackend};
use plotters::style::FontStyle;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

/// An error reported by the wrapped backend, as text.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BackendError(pub String);

/// Either an SVG or a bitmap backend.
pub enum AnyBackend<'a> {
    /// Writes SVG text into a string.
    Svg(SVGBackend<'a>),
    /// Draws into an RGB buffer.
    Bitmap(BitMapBackend<'a>),
}

fn convert<E: std::error::Error + Send + Sync>(
    error: DrawingErrorKind<E>,
) -> DrawingErrorKind<BackendError> {
    match error {
        DrawingErrorKind::DrawingError(e) => {
            DrawingErrorKind::DrawingError(BackendError(e.to_string()))
        }
        DrawingErrorKind::FontError(e) => DrawingErrorKind::FontError(e),
    }
}

/// Forwards one call to whichever backend is wrapped.
macro_rules! forward {
    ($self:ident, $b:ident => $call:expr) => {
        match $self {
            AnyBackend::Svg($b) => $call.map_err(convert),
            AnyBackend::Bitmap($b) => $call.map_err(convert),
        }
    };
}

impl DrawingBackend for AnyBackend<'_> {
    type ErrorType = BackendError;

    fn get_size(&self) -> (u32, u32) {
        match self {
            AnyBackend::Svg(b) => b.get_size(),
            AnyBackend::Bitmap(b) => b.get_size(),
        }
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<BackendError>> {
        forward!(self, b => b.ensure_prepared())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<BackendError>> {
        forward!(self, b => b.present())
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        forward!(self, b => b.draw_pixel(point, color))
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        forward!(self, b => b.draw_line(from, to, style))
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        forward!(self, b => b.draw_rect(upper_left, bottom_right, style, fill))
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        forward!(self, b => b.draw_path(path, style))
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        forward!(self, b => b.draw_circle(center, radius, style, fill))
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        forward!(self, b => b.fill_polygon(vert, style))
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        match (self, embedded_font(style)) {
            (AnyBackend::Bitmap(b), Some(font)) => draw_bitmap_text(b, &font, text, style, pos),
            (backend @ AnyBackend::Svg(_), Some(font)) => {
                let resized = SvgSized {
                    style,
                    factor: svg_size_factor(&font),
                };
                forward!(backend, b => b.draw_text(text, &resized, pos))
            }
            (backend, _) => forward!(backend, b => b.draw_text(text, style, pos)),
        }
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<BackendError>> {
        if let Some(font) = embedded_font(style) {
            let layout = Layout::of(&font, style.size(), text);
            return Ok((layout.width.ceil() as u32, layout.height().ceil() as u32));
        }
        forward!(self, b => b.estimate_text_size(text, style))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        forward!(self, b => b.blit_bitmap(pos, size, src))
    }
}

/// How much larger a text style's size is given to the SVG backend so that the browser draws
/// the text as large as the bitmap does: plotters writes `font-size` as the size / 1.24, while
/// the bitmap text (and every measurement, [`Layout`]) takes the size as the font's height
/// (ascent - descent), which for DejaVu Sans is 1.164 em. Without it SVG text came out about 6%
/// smaller than its PNG twin and than the space laid out for it.
fn svg_size_factor(font: &FontRef<'static>) -> f64 {
    let height = f64::from(font.height_unscaled());
    match font.units_per_em() {
        Some(em) if height > 0.0 => 1.24 * f64::from(em) / height,
        _ => 1.0,
    }
}

/// A text style whose size is `factor` times that of `style` (all else the same).
struct SvgSized<'a, T> {
    style: &'a T,
    factor: f64,
}

impl<T: BackendTextStyle> BackendTextStyle for SvgSized<'_, T> {
    type FontError = T::FontError;

    fn color(&self) -> BackendColor {
        self.style.color()
    }

    fn size(&self) -> f64 {
        self.style.size() * self.factor
    }

    fn transform(&self) -> plotters_backend::FontTransform {
        self.style.transform()
    }

    fn style(&self) -> FontStyle {
        self.style.style()
    }

    fn anchor(&self) -> plotters_backend::text_anchor::Pos {
        self.style.anchor()
    }

    fn family(&self) -> plotters_backend::FontFamily<'_> {
        self.style.family()
    }

    fn layout_box(&self, text: &str) -> Result<((i32, i32), (i32, i32)), Self::FontError> {
        self.style.layout_box(text)
    }

    fn draw<E, DrawFunc: FnMut(i32, i32, BackendColor) -> Result<(), E>>(
        &self,
        text: &str,
        pos: BackendCoord,
        draw: DrawFunc,
    ) -> Result<Result<(), E>, Self::FontError> {
        self.style.draw(text, pos, draw)
    }
}

/// The embedded font for a text style, if it names one of ours.
fn embedded_font<T: BackendTextStyle>(style: &T) -> Option<FontRef<'static>> {
    let bold = matches!(style.style(), FontStyle::Bold);
    fonts::font_for(style.family().as_str(), bold)
}

/// A line of text laid out with sub-pixel advances and kerning.
struct Layout {
    glyphs: Vec<(ab_glyph::GlyphId, f32)>,
    width: f32,
    ascent: f32,
    descent: f32,
    scale: PxScale,
}

impl Layout {
    fn of(font: &FontRef<'static>, size: f64, text: &str) -> Layout {
        let scale = PxScale::from(size as f32);
        let scaled = font.as_scaled(scale);
        let mut glyphs = Vec::with_capacity(text.len());
        let mut x = 0.0f32;
        let mut previous = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = previous {
                x += scaled.kern(p, id);
            }
            glyphs.push((id, x));
            x += scaled.h_advance(id);
            previous = Some(id);
        }
        Layout {
            glyphs,
            width: x,
            ascent: scaled.ascent(),
            descent: scaled.descent(),
            scale,
        }
    }

    fn height(&self) -> f32 {
        self.ascent - self.descent
    }
}

/// Draws `text` into the bitmap with anti-aliased, sub-pixel placed glyphs, honouring the
/// style's anchor, colour and rotation.
fn draw_bitmap_text<T: BackendTextStyle>(
    backend: &mut BitMapBackend<'_>,
    font: &FontRef<'static>,
    text: &str,
    style: &T,
    pos: BackendCoord,
) -> Result<(), DrawingErrorKind<BackendError>> {
    let colour = style.color();
    if colour.alpha == 0.0 {
        return Ok(());
    }
    let layout = Layout::of(font, style.size(), text);
    let anchor = style.anchor();
    let left = match anchor.h_pos {
        HPos::Left => 0.0,
        HPos::Center => -layout.width / 2.0,
        HPos::Right => -layout.width,
    };
    let top = match anchor.v_pos {
        VPos::Top => 0.0,
        VPos::Center => -layout.height() / 2.0,
        VPos::Bottom => -layout.height(),
    };
    let baseline = top + layout.ascent;
    let transform = style.transform();
    let mut pixels = Vec::new();
    for &(id, x) in &layout.glyphs {
        let glyph = id.with_scale_and_position(layout.scale, ab_glyph::point(left + x, baseline));
        if let Some(outlined) = font.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            outlined.draw(|gx, gy, coverage| {
                if coverage > 0.0 {
                    let local = (
                        bounds.min.x as i32 + gx as i32,
                        bounds.min.y as i32 + gy as i32,
                    );
                    pixels.push((local, coverage));
                }
            });
        }
    }
    for ((x, y), coverage) in pixels {
        let (tx, ty) = transform.transform(x, y);
        let pixel = BackendColor {
            alpha: colour.alpha * f64::from(coverage.min(1.0)),
            rgb: colour.rgb,
        };
        backend
            .draw_pixel((pos.0 + tx, pos.1 + ty), pixel)
            .map_err(convert)?;
    }
    Ok(())
}
