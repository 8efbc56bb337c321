//! Chart and report text in the chosen language, drawn only with glyphs the embedded fonts have.
//!
//! [`Labels`] picks the Chinese name where `--lang zh` asks for it and the scenario gives one.
//! A name with a character that no embedded font can draw falls back to the English name (and
//! characters missing even there are dropped), and the fallback is remembered so that the caller
//! can print one warning naming everything that could not be rendered. No chart ever shows an
//! empty box for a missing glyph.

use super::fonts::{can_draw, missing_glyphs, Face};
use super::format::percent;
use super::summary::{TargetResult, TargetStatus};
use plotters::style::{FontStyle, IntoFont, RGBColor, TextStyle};
use std::collections::BTreeSet;
use std::sync::Mutex;

/// The language of chart and report labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (default).
    #[default]
    En,
    /// Simplified Chinese, using `name_zh` / `label_zh` where the scenario gives them.
    Zh,
}

impl Lang {
    /// The code used on the command line and in file names ("en", "zh").
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

/// Text colour used for labels.
pub const TEXT_COLOUR: RGBColor = RGBColor(33, 33, 33);

/// Chooses label text and fonts for one language; shared by all charts of a run.
#[derive(Debug, Default)]
pub struct Labels {
    lang: Lang,
    fallbacks: Mutex<BTreeSet<String>>,
}

impl Labels {
    /// Labels for `lang`.
    pub fn new(lang: Lang) -> Self {
        Labels {
            lang,
            fallbacks: Mutex::new(BTreeSet::new()),
        }
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// A fixed interface string in the chosen language (both versions are written by us and
    /// drawable; a test checks it).
    pub fn ui<'a>(&self, en: &'a str, zh: &'a str) -> &'a str {
        match self.lang {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    /// A scenario-given name: the Chinese one under `--lang zh` when given and drawable, else
    /// the English one (made drawable).
    pub fn name(&self, en: &str, zh: Option<&str>) -> String {
        if self.lang == Lang::Zh {
            if let Some(zh) = zh.filter(|z| !z.trim().is_empty()) {
                if drawable(zh) {
                    return zh.to_string();
                }
                self.remember(zh);
            }
        }
        self.drawable_text(en)
    }

    /// `text` with every character that no embedded font can draw removed (and remembered).
    pub fn drawable_text(&self, text: &str) -> String {
        if drawable(text) {
            return text.to_string();
        }
        self.remember(text);
        // Keep what the Chinese font (which also has ASCII) can draw, so one face draws it all.
        text.chars()
            .filter(|&c| can_draw(Face::Cjk, c.encode_utf8(&mut [0; 4])))
            .collect()
    }

    fn remember(&self, text: &str) {
        let mut missing = missing_glyphs(Face::Cjk, text);
        missing.retain(|c| !can_draw(Face::Latin, &c.to_string()));
        let chars: String = missing.iter().collect();
        if let Ok(mut set) = self.fallbacks.lock() {
            set.insert(format!("\"{text}\" (no glyph for {chars})"));
        }
    }

    /// Every label that could not be drawn as written, sorted (empty when all could).
    pub fn fallbacks(&self) -> Vec<String> {
        self.fallbacks
            .lock()
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The face for `text`: Latin for text it covers under English, otherwise the Chinese font.
    pub fn face(&self, text: &str) -> Face {
        let latin = can_draw(Face::Latin, text);
        if latin && (self.lang == Lang::En || !can_draw(Face::Cjk, text)) {
            Face::Latin
        } else {
            Face::Cjk
        }
    }

    /// A regular text style of `size` pixels suited to `text`.
    pub fn font(&self, text: &str, size: f64) -> TextStyle<'static> {
        (self.face(text).family(), size)
            .into_font()
            .color(&TEXT_COLOUR)
    }

    /// A bold text style of `size` pixels suited to `text`.
    pub fn bold(&self, text: &str, size: f64) -> TextStyle<'static> {
        (self.face(text).family(), size, FontStyle::Bold)
            .into_font()
            .color(&TEXT_COLOUR)
    }

    /// A unit in the chosen language: under `--lang zh`, a unit written "English (中文)" shows
    /// its Chinese part (`firms per 10k (家/万家)` → `家/万家`); any other unit, and every unit in
    /// English, as written.
    pub fn unit(&self, unit: &str) -> String {
        if self.lang == Lang::Zh {
            let chinese = unit
                .trim_end()
                .strip_suffix(')')
                .and_then(|u| u.rsplit_once('('))
                .map(|(_, inner)| inner.trim())
                .filter(|inner| {
                    inner
                        .chars()
                        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                });
            if let Some(chinese) = chinese {
                return self.drawable_text(chinese);
            }
        }
        self.drawable_text(unit)
    }

    /// The regular style for numbers and ASCII text in this language.
    pub fn plain(&self, size: f64) -> TextStyle<'static> {
        self.font("0", size)
    }
}

/// The probability of a target as shown next to it (charts and HTML report): the percentage,
/// or whether observations already decided it.
pub fn probability_text(target: &TargetResult, labels: &Labels) -> String {
    match target.status {
        TargetStatus::Simulated => percent(target.probability),
        TargetStatus::ObservedMet => labels.ui("met (observed)", "已实现（观测）").to_string(),
        TargetStatus::ObservedMissed => {
            labels.ui("missed (observed)", "未实现（观测）").to_string()
        }
    }
}

/// True when one of the embedded fonts can draw all of `text`.
pub fn drawable(text: &str) -> bool {
    can_draw(Face::Latin, text) || can_draw(Face::Cjk, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_output_shows_the_chinese_part_of_a_unit() {
        let zh = Labels::new(Lang::Zh);
        assert_eq!(zh.unit("firms per 10k (家/万家)"), "家/万家");
        assert_eq!(zh.unit("100 million yuan (亿元)"), "亿元");
        assert_eq!(zh.unit("index (2020 = 100)"), "index (2020 = 100)");
        assert_eq!(zh.unit("%"), "%");
        let en = Labels::new(Lang::En);
        assert_eq!(
            en.unit("firms per 10k (家/万家)"),
            "firms per 10k (家/万家)"
        );
    }
}
