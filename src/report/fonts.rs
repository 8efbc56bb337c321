//! The fonts every chart is drawn with, embedded in the binary so that PNG rendering never
//! depends on the fonts a machine has: DejaVu Sans (regular and bold) for Latin text and a
//! WenQuanYi Micro Hei subset (ASCII, punctuation and the 6763 GB2312 hanzi) for Chinese.
//! `assets/fonts/` holds the files and their licences; `docs/fonts.md` says how they were made.
//!
//! SVG text names the same families first, then common fallbacks, so a browser without them
//! still shows readable text.

use ab_glyph::{Font, FontRef};
use plotters::style::FontStyle;
use std::sync::OnceLock;

/// Family name under which the Latin font is registered (also the SVG `font-family`).
pub const LATIN_FAMILY: &str = "DejaVu Sans, Verdana, Arial, sans-serif";
/// Family name under which the Chinese font is registered (also the SVG `font-family`).
pub const CJK_FAMILY: &str =
    "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif";

static LATIN_REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static LATIN_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
static CJK_REGULAR: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei-gb2312.ttf");

/// The Chinese font file (TrueType), e.g. for embedding in the HTML report.
pub fn cjk_font_file() -> &'static [u8] {
    CJK_REGULAR
}

/// The Latin font files (TrueType), regular then bold, e.g. for the charts inlined as SVG in
/// the HTML report.
pub fn latin_font_files() -> [&'static [u8]; 2] {
    [LATIN_REGULAR, LATIN_BOLD]
}

struct Parsed {
    latin: FontRef<'static>,
    latin_bold: FontRef<'static>,
    cjk: FontRef<'static>,
}

fn parsed() -> Result<&'static Parsed, String> {
    static PARSED: OnceLock<Result<Parsed, String>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            let parse = |name: &str, bytes: &'static [u8]| {
                FontRef::try_from_slice(bytes)
                    .map_err(|e| format!("embedded font {name} is unreadable: {e}"))
            };
            Ok(Parsed {
                latin: parse("DejaVuSans.ttf", LATIN_REGULAR)?,
                latin_bold: parse("DejaVuSans-Bold.ttf", LATIN_BOLD)?,
                cjk: parse("wqy-microhei-gb2312.ttf", CJK_REGULAR)?,
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Registers the embedded fonts with plotters (once per process; later calls are free).
pub fn register() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            parsed()?;
            let fonts = [
                (LATIN_FAMILY, FontStyle::Normal, LATIN_REGULAR),
                (LATIN_FAMILY, FontStyle::Bold, LATIN_BOLD),
                (CJK_FAMILY, FontStyle::Normal, CJK_REGULAR),
                // No bold hanzi: bold Chinese text uses the regular face.
                (CJK_FAMILY, FontStyle::Bold, CJK_REGULAR),
            ];
            for (family, style, bytes) in fonts {
                plotters::style::register_font(family, style, bytes)
                    .map_err(|_| format!("cannot register the embedded font {family}"))?;
            }
            Ok(())
        })
        .clone()
}

/// The embedded font registered under `family` (bold where asked and available), for the
/// bitmap text renderer; None for a family that is not ours.
pub fn font_for(family: &str, bold: bool) -> Option<FontRef<'static>> {
    let fonts = parsed().ok()?;
    match (family, bold) {
        (LATIN_FAMILY, false) => Some(fonts.latin.clone()),
        (LATIN_FAMILY, true) => Some(fonts.latin_bold.clone()),
        (CJK_FAMILY, _) => Some(fonts.cjk.clone()),
        _ => None,
    }
}

/// Which embedded font draws a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// DejaVu Sans.
    Latin,
    /// WenQuanYi Micro Hei subset.
    Cjk,
}

impl Face {
    /// The registered family name.
    pub fn family(self) -> &'static str {
        match self {
            Face::Latin => LATIN_FAMILY,
            Face::Cjk => CJK_FAMILY,
        }
    }
}

/// True when a character needs no glyph (spaces and control characters).
fn needs_no_glyph(c: char) -> bool {
    c.is_control() || c == ' '
}

/// The characters of `text` that `face` has no glyph for (each once, in order).
pub fn missing_glyphs(face: Face, text: &str) -> Vec<char> {
    let Ok(fonts) = parsed() else {
        return text.chars().collect();
    };
    let font = match face {
        Face::Latin => &fonts.latin,
        Face::Cjk => &fonts.cjk,
    };
    let mut missing: Vec<char> = Vec::new();
    for c in text.chars() {
        if !needs_no_glyph(c) && font.glyph_id(c).0 == 0 && !missing.contains(&c) {
            missing.push(c);
        }
    }
    missing
}

/// True when `face` can draw every character of `text`.
pub fn can_draw(face: Face, text: &str) -> bool {
    missing_glyphs(face, text).is_empty()
}
