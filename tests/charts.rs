//! Charts and report end to end through the CLI: every PNG decodes at its size, every SVG parses
//! and carries its title and series labels, the report is self-contained and lists every target,
//! `plot` redraws the same files from summary.json, `--lang zh` draws Chinese names, a name the
//! font cannot draw falls back with a warning, and `plot` refuses bad folders with exit 2.

mod common;

use assert_cmd::Command;
use plancast::report::charts::{fan, outcome, probabilities};
use plancast::report::summary::Summary;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

fn plancast() -> Command {
    Command::cargo_bin("plancast").unwrap()
}

fn run(scenario: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "run", scenario, "--paths", "3000", "--seed", "11", "--quiet",
    ];
    args.extend_from_slice(extra);
    common::plancast_ok(&args, out)
}

fn read_summary(out: &Path) -> Summary {
    serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap()
}

/// Every file of `dir/charts`, by name.
fn chart_files(out: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().to_string(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let mut reader = png::Decoder::new(bytes).read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG image data decodes");
    (info.width, info.height)
}

/// The text of every `<text>` element of an SVG (which must parse).
fn svg_texts(bytes: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(bytes).expect("SVG is UTF-8");
    let doc = roxmltree::Document::parse(text).expect("SVG parses as XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect()
}

fn assert_has(texts: &[String], wanted: &str, file: &str) {
    assert!(
        texts.iter().any(|t| t.contains(wanted)),
        "{file}: no text containing {wanted:?} in {texts:?}"
    );
}

#[test]
fn bundled_scenario_charts_decode_parse_and_carry_their_labels() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gx");
    run("scenarios/guangxi-14th-fyp.toml", &out, &[]);
    let summary = read_summary(&out);
    let files = chart_files(&out);
    // One probability chart, a fan per indicator, an outcome chart per target; SVG and PNG each.
    let charts = 1 + summary.indicators.len() + summary.targets.len();
    assert_eq!(files.len(), 2 * charts, "{:?}", files.keys());

    let probabilities_height = probabilities::height(&summary);
    for (name, bytes) in &files {
        if name.ends_with(".svg") {
            assert_every_glyph_drawable(name, bytes);
        }
        if let Some(stem) = name.strip_suffix(".png") {
            let expected = if stem == "target_probabilities" {
                (probabilities::WIDTH, probabilities_height)
            } else if stem.starts_with("fan_") {
                fan::SIZE
            } else {
                outcome::SIZE
            };
            assert_eq!(png_size(bytes), expected, "{name}");
        }
    }

    let audit_seed = format!("seed {}", summary.run.seed);
    for ind in &summary.indicators {
        let file = format!("fan_{}.svg", ind.id);
        let texts = svg_texts(&files[&file]);
        assert_has(&texts, &ind.name, &file);
        for label in [
            "median", "50% band", "80% band", "90% band", "observed", "year",
        ] {
            assert_has(&texts, label, &file);
        }
        assert_has(&texts, &audit_seed, &file);
        assert_has(&texts, &summary.scenario.sha256[..12], &file);
    }
    for t in &summary.targets {
        let file = format!("outcome_{}.svg", t.id);
        let texts = svg_texts(&files[&file]);
        assert_has(&texts, t.label.as_deref().unwrap_or(&t.id), &file);
        assert_has(&texts, "share of paths", &file);
        assert_has(&texts, "target ", &file);
        assert_has(&texts, &audit_seed, &file);
    }
    let file = "target_probabilities.svg";
    let texts = svg_texts(&files[file]);
    assert_has(&texts, "Probability of meeting each target", file);
    for label in [
        "on track",
        "likely",
        "at risk",
        "off track",
        "Due 2025",
        "Due 2035",
    ] {
        assert_has(&texts, label, file);
    }
    assert_has(&texts, &audit_seed, file);

    // The report: self-contained, every target, every chart inlined.
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    for forbidden in [
        "http:",
        "https:",
        "@import",
        "<link",
        "<script src",
        "<iframe",
    ] {
        assert!(
            !html.contains(forbidden),
            "report.html contains {forbidden}"
        );
    }
    // The only script is the inline filter of the targets table.
    assert_eq!(html.matches("<script").count(), 1, "one inline script");
    assert!(html.contains("<script>function filterTargets("));
    // The only url()s are the embedded faces (Chinese, Latin regular and bold), as data.
    let urls: Vec<&str> = html.split("url(").skip(1).collect();
    assert_eq!(urls.len(), 3);
    assert!(urls.iter().all(|u| u.starts_with("data:font/ttf;base64,")));
    assert!(!html.contains("src=\""), "no image refers to a file");
    // Every chart inline as SVG, the same drawing as its .svg file.
    assert_eq!(
        html.matches("<svg ").count(),
        charts,
        "one inline SVG per chart"
    );
    let probabilities = fs::read_to_string(out.join("charts/target_probabilities.svg")).unwrap();
    let probabilities = probabilities.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    let body = probabilities.trim().strip_prefix("<svg").unwrap();
    assert!(html.contains(&format!(
        "<svg role=\"img\" aria-label=\"Target probabilities\" data-chart=\"charts/target_probabilities\"{body}"
    )));
    for t in &summary.targets {
        assert!(
            html.contains(&format!("id=\"target-{}\"", t.id)),
            "{}",
            t.id
        );
    }
    for section in [
        "id=\"headline\"",
        "id=\"milestones\"",
        "id=\"assumptions\"",
        "id=\"audit\"",
    ] {
        assert!(html.contains(section), "{section}");
    }
    assert!(html.contains(&summary.scenario.sha256));
}

#[test]
fn plot_redraws_the_same_files_and_lang_zh_draws_chinese_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small");
    run("tests/fixtures/valid/small.toml", &out, &["--threads", "1"]);
    let first = chart_files(&out);
    let report = fs::read(out.join("report.html")).unwrap();
    let summary_before = fs::read(out.join("summary.json")).unwrap();

    // A second run on another thread count draws byte-identical charts.
    let again = dir.path().join("again");
    run(
        "tests/fixtures/valid/small.toml",
        &again,
        &["--threads", "2"],
    );
    assert_eq!(chart_files(&again), first);

    fs::remove_dir_all(out.join("charts")).unwrap();
    fs::remove_file(out.join("report.html")).unwrap();
    plancast().arg("plot").arg(&out).assert().success();
    assert_eq!(chart_files(&out), first);
    assert_eq!(fs::read(out.join("report.html")).unwrap(), report);
    assert_eq!(fs::read(out.join("summary.json")).unwrap(), summary_before);

    plancast()
        .arg("plot")
        .arg(&out)
        .args(["--lang", "zh"])
        .assert()
        .success();
    let zh = chart_files(&out);
    let texts = svg_texts(&zh["fan_gdp.svg"]);
    assert_has(&texts, "地区生产总值", "fan_gdp.svg");
    assert_has(&texts, "中位数", "fan_gdp.svg");
    // No Chinese name given: the English one.
    assert_has(
        &svg_texts(&zh["fan_rd_spend.svg"]),
        "R&D spending",
        "fan_rd_spend.svg",
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("lang=\"zh-CN\"") && html.contains("地区生产总值"));
}

#[test]
fn a_chinese_name_the_font_cannot_draw_falls_back_to_english_with_one_warning() {
    let text = fs::read_to_string("tests/fixtures/valid/small.toml")
        .unwrap()
        .replace(
            "name = \"R&D spending\"",
            "name = \"R&D spending\"\nname_zh = \"研发𠀀经费\"",
        );
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("rare.toml");
    fs::write(&scenario, text).unwrap();
    let out = dir.path().join("out");
    let output = run(scenario.to_str().unwrap(), &out, &["--lang", "zh"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains("研发𠀀经费") && warnings[0].contains("𠀀"),
        "{stderr}"
    );
    let files = chart_files(&out);
    let texts = svg_texts(&files["fan_rd_spend.svg"]);
    assert_has(&texts, "R&D spending", "fan_rd_spend.svg");
    for (name, bytes) in &files {
        if name.ends_with(".svg") {
            assert!(!String::from_utf8_lossy(bytes).contains('𠀀'), "{name}");
        }
    }
    // Other Chinese names are still drawn in Chinese.
    assert_has(
        &svg_texts(&files["fan_gdp.svg"]),
        "地区生产总值",
        "fan_gdp.svg",
    );
}

#[test]
fn no_charts_writes_neither_charts_nor_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run("tests/fixtures/valid/small.toml", &out, &["--no-charts"]);
    assert!(out.join("summary.json").is_file());
    assert!(!out.join("charts").exists());
    assert!(!out.join("report.html").exists());
}

#[test]
fn plot_refuses_folders_without_a_readable_summary() {
    let dir = tempfile::tempdir().unwrap();
    let check = |path: &Path, wanted: &str| {
        let output = plancast().arg("plot").arg(path).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{}", path.display());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(wanted), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!path.join("charts").exists() && !path.join("report.html").exists());
    };
    check(&dir.path().join("missing"), "no such folder");
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    check(&empty, "summary.json: cannot read it");
    let broken = dir.path().join("broken");
    fs::create_dir(&broken).unwrap();
    fs::write(broken.join("summary.json"), "{ not json").unwrap();
    check(&broken, "not valid JSON");
    let other = dir.path().join("other");
    fs::create_dir(&other).unwrap();
    fs::write(
        other.join("summary.json"),
        r#"{"format": "something-else/2"}"#,
    )
    .unwrap();
    check(&other, "format is `something-else/2`");
    let partial = dir.path().join("partial");
    fs::create_dir(&partial).unwrap();
    fs::write(
        partial.join("summary.json"),
        r#"{"format": "plancast-summary/2"}"#,
    )
    .unwrap();
    check(&partial, "not a readable plancast-summary/2 summary");
}

/// Every character of every `<text>` of an SVG is in the embedded font its `font-family` names:
/// nothing would be drawn as an empty box in the PNG.
fn assert_every_glyph_drawable(name: &str, bytes: &[u8]) {
    use plancast::report::fonts::{can_draw, Face, CJK_FAMILY, LATIN_FAMILY};
    let text = std::str::from_utf8(bytes).unwrap();
    let doc = roxmltree::Document::parse(text).unwrap();
    for node in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let content = node.text().unwrap_or("").trim();
        let face = match node.attribute("font-family") {
            Some(LATIN_FAMILY) => Face::Latin,
            Some(CJK_FAMILY) => Face::Cjk,
            other => panic!("{name}: text {content:?} in an unknown font {other:?}"),
        };
        assert!(
            can_draw(face, content),
            "{name}: {content:?} has characters {face:?} lacks"
        );
    }
}

#[test]
fn chinese_charts_of_the_bundled_scenario_use_only_glyphs_the_fonts_have() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gx_zh");
    let output = run("scenarios/guangxi-14th-fyp.toml", &out, &["--lang", "zh"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("warning"), "{stderr}");
    let summary = read_summary(&out);
    let files = chart_files(&out);
    for (name, bytes) in files.iter().filter(|(n, _)| n.ends_with(".svg")) {
        assert_every_glyph_drawable(name, bytes);
    }
    for ind in &summary.indicators {
        let file = format!("fan_{}.svg", ind.id);
        let zh = ind
            .name_zh
            .as_deref()
            .expect("the bundled scenario names everything in Chinese");
        assert_has(&svg_texts(&files[&file]), zh, &file);
    }
    let texts = svg_texts(&files["target_probabilities.svg"]);
    assert_has(&texts, "各目标实现概率", "target_probabilities.svg");
    assert_has(&texts, "2025 年目标", "target_probabilities.svg");
}

/// Issue 14, defect 10: in the outcome chart, both lines are drawn before both labels, so the
/// target line never runs through the median's label (it once crossed "median 11552"): the
/// target line is moved to just right of the median, under its label, and the SVG must draw the
/// label after it.
#[test]
fn outcome_labels_are_drawn_over_both_lines() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run("scenarios/guangxi-14th-fyp.toml", &out, &["--no-charts"]);
    let mut summary = read_summary(&out);
    let labels = plancast::report::labels::Labels::new(plancast::report::labels::Lang::En);
    let target = summary
        .targets
        .iter_mut()
        .find(|t| t.id == "ht_output_2025")
        .unwrap();
    // The threshold just right of the median: where the median's label is written.
    target.threshold = target.outcome.p50 * 1.01;
    let target = target.clone();
    let chart = outcome::chart(&summary, &target, &labels, "audit").unwrap();
    let svg = chart.svg;
    let line = svg.rfind("stroke=\"#C81E1E\" stroke-width=\"2\"").unwrap();
    // The subtitle also says "median"; the label is the last one.
    let label = svg.rfind("median ").unwrap();
    assert!(
        label > line,
        "the median's label is drawn before the target line"
    );
}
