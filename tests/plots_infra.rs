//! The shared plotting pieces: one closure drawn as SVG and PNG, the frame with its audit line in
//! both languages, and the fallback for text the embedded fonts cannot draw.

mod common;

use plancast::report::charts::{frame, render, PlotError};
use plancast::report::fonts::{can_draw, Face};
use plancast::report::{audit_line, Labels, Lang};
use plotters::prelude::*;

fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("SVG parses");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect()
}

#[test]
fn frame_draws_title_and_audit_line_in_both_formats() {
    let summary = common::run_file(
        std::path::Path::new("tests/fixtures/valid/small.toml"),
        2_000,
        5,
        1,
        &[],
    );
    for lang in [Lang::En, Lang::Zh] {
        let labels = Labels::new(lang);
        let audit = audit_line(&summary, &labels);
        assert!(
            audit.contains(&format!("seed {}", summary.run.seed)),
            "{audit}"
        );
        assert!(audit.contains(&summary.scenario.sha256[..12]), "{audit}");
        assert!(audit.contains("2000 paths"), "{audit}");
        let title = labels.ui("Test chart", "测试图表");
        let chart = render(640, 360, |root| {
            let inner = frame(root, &labels, title, Some("subtitle 副标题"), &audit)?;
            inner.fill(&BLUE)?;
            Ok::<(), PlotError>(())
        })
        .unwrap();
        let texts = svg_texts(&chart.svg);
        assert!(texts.iter().any(|t| t == title), "{texts:?}");
        assert!(texts.contains(&audit), "{texts:?}");
        let (w, h, pixels) = decode_png(&chart.png);
        assert_eq!((w, h), (640, 360));
        // The title is drawn: some dark pixels in the top band.
        let dark = pixels[..640 * 3 * 40]
            .chunks(3)
            .filter(|p| p.iter().all(|&c| c < 100))
            .count();
        assert!(dark > 50, "only {dark} dark pixels in the title band");
    }
}

#[test]
fn text_the_fonts_lack_falls_back_and_is_reported() {
    // U+20000 (CJK extension B) is outside GB2312, so the embedded subset has no glyph for it.
    assert!(!can_draw(Face::Cjk, "𠀀"));
    assert!(can_draw(Face::Cjk, "广西科技创新“十四五”规划"));
    assert!(can_draw(Face::Latin, "R&D intensity ≥ 2.5% – 2025"));
    let labels = Labels::new(Lang::Zh);
    assert_eq!(
        labels.name("R&D spending", Some("研发𠀀经费")),
        "R&D spending"
    );
    assert_eq!(labels.name("R&D spending", Some("研发经费")), "研发经费");
    let fallbacks = labels.fallbacks();
    assert_eq!(fallbacks.len(), 1, "{fallbacks:?}");
    assert!(fallbacks[0].contains("研发𠀀经费") && fallbacks[0].contains("𠀀"));
    // Under English, a unit with hanzi is drawn with the Chinese font, not as boxes.
    let en = Labels::new(Lang::En);
    assert_eq!(en.face("100 million yuan (亿元)"), Face::Cjk);
    assert_eq!(en.face("100 million yuan"), Face::Latin);
    assert!(en.fallbacks().is_empty());
}
