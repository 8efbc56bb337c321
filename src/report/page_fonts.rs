//! The faces `report.html` (and, the Chinese one only, `track.html`) embeds, each cut ([`super::font_subset`]) to the characters of the
//! page: the Chinese face (`plancast-cjk`, for the page's Chinese text and the charts' Chinese
//! labels) and the two Latin faces the charts are drawn with (`plancast-latin`, regular and
//! bold). Each `@font-face` names its characters in `unicode-range`, so a character the page did
//! not have (typed into the target filter, say) falls back to the next font in the list instead
//! of drawing the cut face's empty glyph. Should a cut ever fail (a damaged build), the whole
//! face is embedded: larger, never wrong.
//!
//! The Chinese face waits to be drawn (`font-display:block`) and, in a Chinese page, comes first
//! in every element's font list (`html::STYLE`): listed after the Latin fonts, Chromium drew the
//! title, headings and first badges, laid out before the face had loaded, as empty boxes.

use super::font_subset::subset;
use super::fonts::{cjk_font_file, latin_font_files};
use base64::Engine as _;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The CSS rules that make the inline SVG charts use the embedded faces, as their PNG twins do:
/// the charts name "DejaVu Sans" or "WenQuanYi Micro Hei" first (`fonts::LATIN_FAMILY`,
/// `fonts::CJK_FAMILY`). Bold Chinese chart text is drawn twice, one pixel apart, by the chart
/// itself, so the browser must not embolden it again (`font-synthesis:none`).
pub const CHART_TEXT_STYLE: &str = "figure svg text[font-family^=\"DejaVu\"]{font-family:'plancast-latin',sans-serif}\nfigure svg text[font-family^=\"WenQuanYi\"]{font-family:'plancast-cjk',sans-serif;font-synthesis:none}\n";

/// `unicode-range` of a set of characters: `U+20-7E,U+4E2D,...`.
fn unicode_range(chars: &BTreeSet<char>) -> String {
    let mut out = String::new();
    let mut codes = chars.iter().map(|&c| u32::from(c)).peekable();
    while let Some(start) = codes.next() {
        let mut end = start;
        while codes.peek() == Some(&(end + 1)) {
            end += 1;
            codes.next();
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            let _ = write!(out, "U+{start:X}");
        } else {
            let _ = write!(out, "U+{start:X}-{end:X}");
        }
    }
    out
}

fn face(family: &str, weight: &str, font: &[u8], chars: &BTreeSet<char>, block: bool) -> String {
    let cut = subset(font, chars);
    let (data, range) = match &cut {
        Ok(cut) => (
            cut.as_slice(),
            format!("unicode-range:{};", unicode_range(chars)),
        ),
        Err(_) => (font, String::new()),
    };
    let data = base64::engine::general_purpose::STANDARD.encode(data);
    let display = if block { "font-display:block;" } else { "" };
    format!(
        "@font-face{{font-family:'{family}';font-weight:{weight};{display}{range}src:url(data:font/ttf;base64,{data}) format('truetype');}}\n"
    )
}

/// The characters of `page` (markup included) and printable ASCII (the characters behind
/// `&amp;`, `&#39;` and the like).
fn page_chars(page: &str) -> BTreeSet<char> {
    page.chars()
        .filter(|c| !c.is_control())
        .chain((0x20u8..0x7F).map(char::from))
        .collect()
}

/// The `@font-face` rule of the Chinese face alone, cut to `page`: for a page whose charts are
/// PNG images (the track page).
pub fn cjk_face(page: &str) -> String {
    face(
        "plancast-cjk",
        "normal",
        cjk_font_file(),
        &page_chars(page),
        true,
    )
}

/// The `@font-face` rules for a page whose text (markup included) is `page`, with inline SVG
/// charts: the Chinese face and the charts' Latin faces.
pub fn font_faces(page: &str) -> String {
    let chars = page_chars(page);
    let [regular, bold] = latin_font_files();
    let mut css = face("plancast-cjk", "normal", cjk_font_file(), &chars, true);
    css.push_str(&face("plancast-latin", "normal", regular, &chars, false));
    css.push_str(&face("plancast-latin", "bold", bold, &chars, false));
    css
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_join_neighbours() {
        let chars: BTreeSet<char> = "abcx广".chars().collect();
        assert_eq!(unicode_range(&chars), "U+61-63,U+78,U+5E7F");
    }
}
