//! The report page of `plancast track` (`track.html`): one self-contained file with the
//! overview heat table, every target's track chart and the numbers behind them.

use super::charts::Rendered;
use super::format::{percent, percent_interval};
use super::html::{escape, STYLE};
use super::labels::{Labels, Lang};
use crate::analysis::track::Track;
use crate::model::Basis;
use base64::Engine as _;
use std::fmt::Write as _;

fn figure(chart: &Rendered, alt: &str) -> String {
    let data = base64::engine::general_purpose::STANDARD.encode(&chart.png);
    format!(
        "<figure><img src=\"data:image/png;base64,{data}\" width=\"{}\" height=\"{}\" alt=\"{}\" style=\"max-width:100%;height:auto\"></figure>\n",
        chart.width,
        chart.height,
        escape(alt)
    )
}

/// Where the page's `@font-face` rule goes once the page is complete (the Chinese face is cut
/// to its characters).
const FONT_FACE: &str = "/*plancast-font-face*/";

/// The page: `overview` first, then per target its chart (same order as `track.targets`).
pub fn render(track: &Track, overview: &Rendered, charts: &[Rendered], labels: &Labels) -> String {
    let ui = |en: &'static str, zh: &'static str| labels.ui(en, zh);
    let lang = match labels.lang() {
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{FONT_FACE}{STYLE}</style>\n</head>\n<body>\n",
        escape(&format!("plancast track: {}", track.run.scenario)),
    );
    let _ = writeln!(
        h,
        "<h1>{}</h1>\n<p class=\"sub\">{} {}–{} · {} {} · {} {} · {} {}</p>",
        escape(&track.run.scenario),
        ui("Probability track, as of", "概率轨迹，评估时点"),
        track.years.first().copied().unwrap_or_default(),
        track.years.last().copied().unwrap_or_default(),
        track.run.paths,
        ui("paths per year", "条路径/年"),
        ui("seed", "随机种子"),
        track.run.seed,
        ui("trends", "趋势"),
        track.update.name()
    );
    let _ = writeln!(
        h,
        "<p>{}</p>",
        ui(
            "Each column is the run as of that year: only values published up to it are used, exactly as `plancast run --as-of YEAR` with the same seed and paths. A probability that moves as data come in rests on the data; one marked prior restates the assumptions.",
            "每一列是以该年为评估时点的运行结果：只使用截至该年公布的数据，与相同种子和路径数的 `plancast run --as-of 年份` 完全一致。随数据变化的概率以数据为依据；标为先验的概率仅重述假设。"
        )
    );
    h.push_str(&figure(overview, ui("overview", "总览")));
    let _ = writeln!(
        h,
        "<h2 id=\"numbers\">{}</h2>\n<table><tr><th>{}</th>",
        ui("Numbers", "数据"),
        ui("target", "目标")
    );
    for y in &track.years {
        let _ = write!(h, "<th class=\"num\">{y}</th>");
    }
    h.push_str("</tr>\n");
    for t in &track.targets {
        let _ = write!(
            h,
            "<tr><td><a href=\"#track-{id}\">{id}</a></td>",
            id = escape(&t.id)
        );
        for p in &t.points {
            let cell = match p.outcome {
                Some(o) => o.name().to_string(),
                None => format!(
                    "{} <span class=\"sub\">{}{}</span>",
                    percent(p.probability),
                    percent_interval(p.low, p.high),
                    if p.basis == Basis::Prior {
                        format!(" · {}", ui("prior", "先验"))
                    } else {
                        String::new()
                    }
                ),
            };
            let _ = write!(h, "<td class=\"num\">{cell}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    let _ = writeln!(h, "<h2 id=\"targets\">{}</h2>", ui("Targets", "目标"));
    for (t, chart) in track.targets.iter().zip(charts) {
        let _ = writeln!(h, "<h3 id=\"track-{id}\">{id}</h3>", id = escape(&t.id));
        h.push_str(&figure(chart, &t.id));
    }
    h.push_str("</body>\n</html>\n");
    let face = super::page_fonts::cjk_face(&h);
    h.replacen(FONT_FACE, &face, 1)
}
