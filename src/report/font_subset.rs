//! Cutting an embedded TrueType font down to the characters a page uses, so that the HTML
//! report carries a few hundred glyphs of the Chinese face instead of all 6,763 hanzi (1.3 MB).
//!
//! The cut keeps the font's structure: every table is copied as it is except `glyf` and `loca`,
//! in which every glyph that the page's characters do not need becomes empty (zero length). Glyph
//! numbers, `cmap`, metrics and kerning stay valid, so the browser lays the text out exactly as
//! with the whole font. A glyph is needed when the font maps a page character to it, when a
//! needed composite glyph is built from it, or when it is glyph 0 (`.notdef`). `loca` is written
//! in the short format when the cut outlines fit it (`head.indexToLocFormat` is set to match),
//! the table checksums and `head.checkSumAdjustment` are computed again.

use ab_glyph::{Font, FontRef};
use std::collections::BTreeSet;

/// Why a font could not be cut (the embedded fonts are fixed, so only a damaged build sees it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubsetError(pub String);

impl std::fmt::Display for SubsetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot cut the embedded font: {}", self.0)
    }
}

impl std::error::Error for SubsetError {}

fn damaged(what: &str) -> SubsetError {
    SubsetError(what.to_string())
}

fn u16_at(data: &[u8], at: usize) -> Result<u16, SubsetError> {
    data.get(at..at + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .ok_or_else(|| damaged("truncated"))
}

fn u32_at(data: &[u8], at: usize) -> Result<u32, SubsetError> {
    data.get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| damaged("truncated"))
}

/// One table of the font: tag and contents.
struct Table {
    tag: [u8; 4],
    data: Vec<u8>,
}

fn tables(font: &[u8]) -> Result<Vec<Table>, SubsetError> {
    let count = usize::from(u16_at(font, 4)?);
    (0..count)
        .map(|k| {
            let record = 12 + 16 * k;
            let tag = font
                .get(record..record + 4)
                .ok_or_else(|| damaged("truncated table directory"))?;
            let offset = u32_at(font, record + 8)? as usize;
            let length = u32_at(font, record + 12)? as usize;
            let data = font
                .get(offset..offset.saturating_add(length))
                .ok_or_else(|| damaged("a table lies outside the file"))?;
            Ok(Table {
                tag: [tag[0], tag[1], tag[2], tag[3]],
                data: data.to_vec(),
            })
        })
        .collect()
}

fn table<'a>(tables: &'a [Table], tag: &[u8; 4]) -> Result<&'a [u8], SubsetError> {
    tables
        .iter()
        .find(|t| &t.tag == tag)
        .map(|t| t.data.as_slice())
        .ok_or_else(|| damaged(&format!("no `{}` table", String::from_utf8_lossy(tag))))
}

/// The glyphs a composite glyph is built from (none for a simple glyph).
fn components(glyph: &[u8]) -> Result<Vec<u16>, SubsetError> {
    const ARGS_ARE_WORDS: u16 = 0x0001;
    const SCALE: u16 = 0x0008;
    const MORE: u16 = 0x0020;
    const XY_SCALE: u16 = 0x0040;
    const TWO_BY_TWO: u16 = 0x0080;
    if glyph.is_empty() || (u16_at(glyph, 0)? as i16) >= 0 {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut at = 10;
    loop {
        let flags = u16_at(glyph, at)?;
        out.push(u16_at(glyph, at + 2)?);
        at += 4 + if flags & ARGS_ARE_WORDS != 0 { 4 } else { 2 };
        at += if flags & SCALE != 0 {
            2
        } else if flags & XY_SCALE != 0 {
            4
        } else if flags & TWO_BY_TWO != 0 {
            8
        } else {
            0
        };
        if flags & MORE == 0 {
            return Ok(out);
        }
    }
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// `font` (a TrueType file) with the outlines of only the glyphs that `chars` need; see the
/// module documentation.
pub fn subset(font: &[u8], chars: &BTreeSet<char>) -> Result<Vec<u8>, SubsetError> {
    let parsed = FontRef::try_from_slice(font).map_err(|e| SubsetError(e.to_string()))?;
    let mut tables = tables(font)?;
    let head = table(&tables, b"head")?;
    let long_loca = u16_at(head, 50)? != 0;
    let glyph_count = usize::from(u16_at(table(&tables, b"maxp")?, 4)?);
    let loca = table(&tables, b"loca")?;
    let glyf = table(&tables, b"glyf")?;
    let offsets: Vec<usize> = (0..=glyph_count)
        .map(|g| {
            Ok(if long_loca {
                u32_at(loca, 4 * g)? as usize
            } else {
                2 * usize::from(u16_at(loca, 2 * g)?)
            })
        })
        .collect::<Result<_, SubsetError>>()?;
    let outline = |g: usize| -> Result<&[u8], SubsetError> {
        let (start, end) = (offsets[g], offsets[g + 1]);
        glyf.get(start..end.max(start))
            .ok_or_else(|| damaged("a glyph lies outside `glyf`"))
    };

    // The glyphs needed: .notdef, each character's glyph, and (repeatedly) their components.
    let mut keep: BTreeSet<usize> = BTreeSet::new();
    let mut todo: Vec<usize> = std::iter::once(0)
        .chain(chars.iter().map(|&c| usize::from(parsed.glyph_id(c).0)))
        .collect();
    while let Some(g) = todo.pop() {
        if g < glyph_count && keep.insert(g) {
            for part in components(outline(g)?)? {
                if !keep.contains(&usize::from(part)) {
                    todo.push(usize::from(part));
                }
            }
        }
    }

    let mut new_glyf = Vec::new();
    let mut new_offsets = Vec::with_capacity(glyph_count + 1);
    for g in 0..glyph_count {
        new_offsets.push(new_glyf.len());
        if keep.contains(&g) {
            new_glyf.extend_from_slice(outline(g)?);
            // Every glyph starts on a 4-byte boundary (and so fits the short format).
            while new_glyf.len() % 4 != 0 {
                new_glyf.push(0);
            }
        }
    }
    new_offsets.push(new_glyf.len());
    let short = new_glyf.len() < 2 * 0x10000;
    let new_loca: Vec<u8> = if short {
        new_offsets
            .iter()
            .flat_map(|&o| u16::try_from(o / 2).unwrap_or(u16::MAX).to_be_bytes())
            .collect()
    } else {
        new_offsets
            .iter()
            .flat_map(|&o| u32::try_from(o).unwrap_or(u32::MAX).to_be_bytes())
            .collect()
    };
    for t in &mut tables {
        match &t.tag {
            b"glyf" => t.data = std::mem::take(&mut new_glyf),
            b"loca" => t.data = new_loca.clone(),
            b"head" => {
                // indexToLocFormat, and checkSumAdjustment zeroed until the file is complete.
                t.data[50..52].copy_from_slice(&u16::from(!short).to_be_bytes());
                t.data[8..12].copy_from_slice(&[0; 4]);
            }
            _ => {}
        }
    }

    // The file: the original header fields (the table count is unchanged), the directory, then
    // the tables, each on a 4-byte boundary.
    let mut out = font.get(..12).ok_or_else(|| damaged("truncated"))?.to_vec();
    let mut offset = 12 + 16 * tables.len();
    let mut body = Vec::new();
    for t in &tables {
        out.extend_from_slice(&t.tag);
        out.extend_from_slice(&checksum(&t.data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(t.data.len() as u32).to_be_bytes());
        body.extend_from_slice(&t.data);
        while body.len() % 4 != 0 {
            body.push(0);
        }
        offset = 12 + 16 * tables.len() + body.len();
    }
    let head_at = tables
        .iter()
        .take_while(|t| &t.tag != b"head")
        .map(|t| t.data.len().div_ceil(4) * 4)
        .sum::<usize>()
        + out.len();
    out.extend(body);
    let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    out[head_at + 8..head_at + 12].copy_from_slice(&adjustment.to_be_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cut_font_draws_the_kept_characters_alike_and_drops_the_others() {
        let whole = crate::report::fonts::cjk_font_file();
        let chars: BTreeSet<char> = "广西科技创新 GDP 2025 (亿元)".chars().collect();
        let cut = subset(whole, &chars).unwrap();
        assert!(cut.len() * 5 < whole.len(), "{} bytes", cut.len());
        let (a, b) = (
            FontRef::try_from_slice(whole).unwrap(),
            FontRef::try_from_slice(&cut).unwrap(),
        );
        for c in chars {
            let (ga, gb) = (a.glyph_id(c), b.glyph_id(c));
            assert_eq!(ga, gb, "{c}");
            assert_eq!(a.h_advance_unscaled(ga), b.h_advance_unscaled(gb), "{c}");
            let curves = |f: &FontRef, g| f.outline(g).map(|o| o.curves.len());
            assert_eq!(curves(&a, ga), curves(&b, gb), "{c}");
            if c != ' ' {
                assert!(b.outline(gb).is_some(), "{c} kept");
            }
        }
        // A character the page does not use keeps its glyph number but loses its outline.
        let dropped = b.glyph_id('海');
        assert!(a.outline(dropped).is_some() && b.outline(dropped).is_none());
        // The checksums are consistent: the whole file sums to 0xB1B0AFBA.
        assert_eq!(checksum(&cut), 0xB1B0_AFBA);
        // The Latin faces (with composite glyphs such as accented letters) are cut too.
        let latin = crate::report::fonts::latin_font_files()[0];
        let cut = subset(latin, &"café".chars().collect()).unwrap();
        let f = FontRef::try_from_slice(&cut).unwrap();
        assert!(f.outline(f.glyph_id('é')).is_some());
    }
}
