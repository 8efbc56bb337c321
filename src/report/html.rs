//! `report.html`: one self-contained file a reviewer can open offline. Every chart is inlined as
//! SVG (the twin of its PNG, drawn by the browser with the same fonts), the style sheet is inline
//! with the embedded faces as data URIs, each cut to the page's characters
//! ([`super::page_fonts`]: the Chinese face for Chinese text on a machine without Chinese fonts,
//! the Latin faces for the charts), and nothing refers to any other file or to the network. The
//! bundled scenario's report is about 2.2 MB in English and 2.4 MB in Chinese (with PNG charts
//! and the whole Chinese face it was 11 MB).
//!
//! Sections: headline (targets on track, joint chances of each due year), targets table,
//! conditional milestone probabilities, charts, assumptions per indicator, audit block.

use super::audit::audit_line;
use super::charts::{ChartFile, ChartKind};
use super::format::{percent, percent_interval, symbol, value};
use super::labels::{probability_text, Labels, Lang};
use super::style::Status;
use super::summary::{IndicatorResult, Summary, TargetResult, TargetStatus, TrendUpdateResult};
use crate::model::{Basis, TargetKind};
use std::fmt::Write as _;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

pub(crate) const STYLE: &str = "
body{font-family:'DejaVu Sans',Verdana,Arial,'plancast-cjk','WenQuanYi Micro Hei','Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif;color:#212121;margin:0 auto;max-width:1180px;padding:24px;line-height:1.45}
html:lang(zh) body,html:lang(zh) h1,html:lang(zh) h2,html:lang(zh) h3,html:lang(zh) .badge,html:lang(zh) th{font-family:'plancast-cjk','DejaVu Sans',Verdana,Arial,'WenQuanYi Micro Hei','Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 10px;border-bottom:2px solid #ddd;padding-bottom:4px}
h3{font-size:16px;margin:24px 0 8px}
.sub{color:#606060}
.headline{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:150px}
.card .big{font-size:26px;font-weight:bold}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}
th,td{border-bottom:1px solid #e4e4e4;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 7px;border-radius:9px;color:#fff;font-size:12px;white-space:nowrap}
.badge.likely{color:#1a1a1a}.badge.pastdue{background:#5a5a5a;margin-top:2px}
figure{margin:12px 0 20px}figure img,figure svg{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:13px;color:#606060}
nav.toc{margin:8px 0 0;font-size:14px}nav.toc a{margin-right:14px;color:#1f5fa0;text-decoration:none}
details>summary{cursor:pointer}details>summary>h2{display:inline-block;width:calc(100% - 24px)}details>summary>h3{display:inline-block}
#target-filter{font:inherit;font-size:14px;padding:3px 6px;margin:4px 0;width:320px}
.audit{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px;background:#f6f6f6;padding:10px;white-space:pre-wrap;word-break:break-all}
";

/// The filter of the targets table: hides the rows whose text lacks every word typed (inline,
/// so the report still refers to no other file).
const FILTER_SCRIPT: &str = "<script>function filterTargets(q){var w=q.toLowerCase().split(/\\s+/).filter(Boolean);\
for(const r of document.querySelectorAll('#target-table tr[id]')){var t=r.textContent.toLowerCase();\
r.style.display=w.every(function(x){return t.indexOf(x)>=0})?'':'none'}}</script>\n";

/// A group's name in the chosen language (its id when it has no label).
fn group_name(labels: &Labels, g: &crate::report::summary::GroupResult) -> String {
    g.label
        .as_deref()
        .map(|en| labels.name(en, g.label_zh.as_deref()))
        .unwrap_or_else(|| g.id.clone())
}

/// The name of an indicator in the chosen language.
fn indicator_name(labels: &Labels, ind: &IndicatorResult) -> String {
    labels.name(&ind.name, ind.name_zh.as_deref())
}

/// The label of a target in the chosen language (its id when it has none).
fn target_label(labels: &Labels, t: &TargetResult) -> String {
    match &t.label {
        Some(en) => labels.name(en, t.label_zh.as_deref()),
        None => t.id.clone(),
    }
}

fn status_badge(labels: &Labels, t: &TargetResult) -> String {
    match t.status {
        TargetStatus::Simulated => {
            let s = Status::of(t.probability);
            let text = labels.ui(s.label_en(), s.label_zh());
            format!(
                "<span class=\"badge {}\" style=\"background:{}\">{}</span>",
                s.key(),
                s.css(),
                escape(text)
            )
        }
        _ => escape(&probability_text(t, labels)),
    }
}

/// The past-due mark of a target (empty for one that is not): its due year has passed in the
/// data, which do not yet decide it.
fn past_due_badge(labels: &Labels, t: &TargetResult) -> String {
    if !t.past_due {
        return String::new();
    }
    format!(
        " <span class=\"badge pastdue\" title=\"{}\">{}</span>",
        escape(labels.ui(
            "due in a year the data already cover, but its own value is not published: the probability forecasts an outcome that has already happened",
            "截止年份已有公布数据，但本指标该年数值尚未公布：此概率是对已发生结果的预测"
        )),
        escape(labels.ui("past due", "已过截止年份"))
    )
}

/// The condition a target sets, e.g. `cagr 2020–2025 ≥ 22 % per year`.
fn condition(labels: &Labels, t: &TargetResult) -> String {
    let kind = match t.kind {
        TargetKind::Level => format!("{} {}", labels.ui("level", "水平"), t.due_year),
        TargetKind::Cagr => format!(
            "{} {}–{}",
            labels.ui("cagr", "年均增速"),
            t.from,
            t.due_year
        ),
        TargetKind::Cumulative => format!("{} {}–{}", labels.ui("sum", "累计"), t.from, t.due_year),
        TargetKind::Change => format!("{} {}–{}", labels.ui("change", "增量"), t.from, t.due_year),
    };
    let unit = match t.kind {
        TargetKind::Cagr => labels.ui("% per year", "%/年").to_string(),
        _ => labels.unit(&t.unit),
    };
    format!(
        "{kind} {} {} {unit}",
        symbol(t.comparison),
        value(t.threshold)
    )
}

/// A target's basis, as shown in the report.
fn basis_text(labels: &Labels, basis: Option<Basis>) -> &'static str {
    match basis {
        Some(Basis::Observed) => labels.ui("observed", "已观测"),
        Some(Basis::Updated) => labels.ui("updated by data", "据数据更新"),
        Some(Basis::Prior) => labels.ui("prior (assumption only)", "先验（仅假设）"),
        None => "–",
    }
}

/// Prior and posterior trend of each period, for the assumptions table.
fn posterior_text(labels: &Labels, update: &TrendUpdateResult) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<span class=\"sub\">{}",
        if update.observations.is_empty() {
            labels
                .ui("moved through correlated trends", "经相关趋势更新")
                .to_string()
        } else {
            format!(
                "{} {}",
                labels.ui("updated by observations", "据观测值更新"),
                update
                    .observations
                    .iter()
                    .map(|y| y.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    for p in &update.periods {
        let _ = write!(
            out,
            "<br>{}–{}: {} {} (5–95%: {}–{}) → {} {} ({}–{})",
            p.from,
            p.to,
            labels.ui("prior mean", "先验均值"),
            value(p.prior[0]),
            value(p.prior[1]),
            value(p.prior[2]),
            labels.ui("posterior mean", "后验均值"),
            value(p.posterior[0]),
            value(p.posterior[1]),
            value(p.posterior[2]),
        );
    }
    if update.conflict {
        let _ = write!(
            out,
            "<br><b>{}</b>",
            labels.ui(
                "the observations contradict the assumed trend distribution",
                "观测值与假设的趋势分布相矛盾"
            )
        );
    }
    for r in &update.remarks {
        let _ = write!(out, "<br>{}", escape(r));
    }
    out.push_str("</span><br>");
    out
}

/// Where the page's `@font-face` rules go once the page is complete (they depend on its
/// characters).
const FONT_FACES: &str = "/*plancast-font-faces*/";

/// The SVG namespace declaration of a chart's root element: implied in HTML, so left out of the
/// page (which then names no web address at all).
const SVG_NAMESPACE: &str = " xmlns=\"http://www.w3.org/2000/svg\"";

/// A chart as inline SVG in a figure, named for screen readers (`role="img"`, `aria-label`).
fn figure(chart: &ChartFile, alt: &str) -> String {
    let svg = chart.rendered.svg.trim().replacen(SVG_NAMESPACE, "", 1);
    let body = svg.strip_prefix("<svg").unwrap_or(&svg);
    format!(
        "<figure><svg role=\"img\" aria-label=\"{}\" data-chart=\"{}\"{body}</figure>\n",
        escape(alt),
        escape(&chart.stem)
    )
}

/// The whole report.
pub fn render(summary: &Summary, charts: &[ChartFile], labels: &Labels) -> String {
    let ui = |en: &'static str, zh: &'static str| labels.ui(en, zh);
    let mut h = String::new();
    let name = labels.name(&summary.scenario.name, summary.scenario.name_zh.as_deref());
    let lang = match labels.lang() {
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{FONT_FACES}{STYLE}{}</style>\n</head>\n<body>\n",
        escape(&format!("plancast: {name}")),
        super::page_fonts::CHART_TEXT_STYLE
    );
    let _ = writeln!(h, "<h1>{}</h1>", escape(&name));
    let _ = writeln!(
        h,
        "<p class=\"sub\">{} {}–{} · {} {} · {} {}</p>",
        ui("Plan years", "规划年份"),
        summary.scenario.base_year,
        summary.scenario.horizon,
        summary.run.paths,
        ui("simulated paths", "条模拟路径"),
        ui("seed", "随机种子"),
        summary.run.seed
    );

    // Headline.
    let simulated: Vec<&TargetResult> = summary
        .targets
        .iter()
        .filter(|t| t.status == TargetStatus::Simulated)
        .collect();
    let on_track = simulated
        .iter()
        .filter(|t| Status::of(t.probability) == Status::OnTrack)
        .count();
    let met = summary
        .targets
        .iter()
        .filter(|t| t.status == TargetStatus::ObservedMet)
        .count();
    let missed = summary
        .targets
        .iter()
        .filter(|t| t.status == TargetStatus::ObservedMissed)
        .count();
    // Table of contents: every section below.
    let mut toc = vec![
        ("headline", ui("Headline", "要点")),
        ("targets", ui("Targets", "目标")),
    ];
    if !summary.milestones.is_empty() {
        toc.push(("milestones", ui("Milestones", "阶段目标")));
    }
    toc.extend([
        ("charts", ui("Charts", "图表")),
        ("assumptions", ui("Assumptions", "假设")),
        ("audit", ui("Audit", "审计信息")),
    ]);
    let _ = writeln!(
        h,
        "<nav class=\"toc\">{}</nav>",
        toc.iter()
            .map(|(id, name)| format!("<a href=\"#{id}\">{name}</a>"))
            .collect::<String>()
    );
    let _ = writeln!(
        h,
        "<h2 id=\"headline\">{}</h2>\n<div class=\"headline\">",
        ui("Headline", "要点")
    );
    let _ = writeln!(
        h,
        "<div class=\"card\"><div class=\"big\">{on_track} / {}</div>{}</div>",
        summary.targets.len(),
        ui("targets on track (≥ 80%)", "个目标进展顺利（≥ 80%）")
    );
    for status in [Status::Likely, Status::AtRisk, Status::OffTrack] {
        let n = simulated
            .iter()
            .filter(|t| Status::of(t.probability) == status)
            .count();
        let _ = writeln!(
            h,
            "<div class=\"card\"><div class=\"big\" style=\"color:{}\">{n}</div>{}</div>",
            status.css(),
            escape(labels.ui(status.label_en(), status.label_zh()))
        );
    }
    if met + missed > 0 {
        let _ = writeln!(
            h,
            "<div class=\"card\"><div class=\"big\">{met} / {missed}</div>{}</div>",
            ui("already met / missed (observed)", "已实现 / 未实现（观测）")
        );
    }
    let with_data = summary
        .targets
        .iter()
        .filter(|t| matches!(t.basis, Some(Basis::Observed | Basis::Updated)))
        .count();
    let prior_only = summary
        .targets
        .iter()
        .filter(|t| t.basis == Some(Basis::Prior))
        .count();
    if with_data + prior_only > 0 {
        let _ = writeln!(
            h,
            "<div class=\"card\"><div class=\"big\">{with_data} / {}</div>{}<br><span class=\"sub\">{prior_only} {}</span></div>",
            summary.targets.len(),
            ui("targets rest on data", "个目标以数据为依据"),
            ui("rest on assumptions alone (prior): listed last, under \"assumption only\"", "个目标仅依据假设（先验）：列于目标表末尾“仅依据假设”之下")
        );
    }
    for g in summary.groups.iter().filter(|g| g.due_year.is_some()) {
        let _ = writeln!(
            h,
            "<div class=\"card\"><div class=\"big\">{}</div>{} {} {}<br><span class=\"sub\">{}</span><br><span class=\"sub\">95% CI {}</span></div>",
            percent(g.probability),
            ui("joint chance: all", "同时实现全部"),
            g.targets.len(),
            match (labels.lang(), g.targets.len()) {
                (Lang::En, 1) => format!("target due {}", g.due_year.unwrap_or_default()),
                (Lang::En, _) => format!("targets due {}", g.due_year.unwrap_or_default()),
                (Lang::Zh, _) => format!("个 {} 年目标的概率", g.due_year.unwrap_or_default()),
            },
            escape(&group_name(labels, g)),
            percent_interval(g.ci_lower, g.ci_upper)
        );
    }
    h.push_str("</div>\n");
    let conflicts: Vec<&str> = summary
        .trend_updates
        .iter()
        .filter(|u| u.conflict)
        .map(|u| u.indicator.as_str())
        .collect();
    if !conflicts.is_empty() {
        let _ = writeln!(
            h,
            "<p><b>{}</b> {}</p>",
            ui(
                "The published values contradict the assumed trend of:",
                "公布值与以下指标的假设趋势相矛盾："
            ),
            escape(&conflicts.join(", "))
        );
    }
    let named: Vec<_> = summary
        .groups
        .iter()
        .filter(|g| g.due_year.is_none())
        .collect();
    if !named.is_empty() {
        let _ = writeln!(
            h,
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>95% CI</th></tr>",
            ui("group", "目标组"),
            ui("targets", "目标"),
            ui("joint probability", "同时实现的概率")
        );
        for g in named {
            let label = g
                .label
                .as_deref()
                .map(|en| labels.name(en, g.label_zh.as_deref()))
                .unwrap_or_else(|| g.id.clone());
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&label),
                g.targets
                    .iter()
                    .map(|id| format!("<a href=\"#target-{0}\">{0}</a>", escape(id)))
                    .collect::<Vec<_>>()
                    .join(", "),
                percent(g.probability),
                percent_interval(g.ci_lower, g.ci_upper)
            );
        }
        h.push_str("</table>\n");
    }

    // Targets table.
    let _ = writeln!(
        h,
        "<details open><summary><h2 id=\"targets\">{}</h2></summary>\n<input id=\"target-filter\" type=\"search\" placeholder=\"{}\" oninput=\"filterTargets(this.value)\">\n<table id=\"target-table\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>95% CI</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        ui("Targets", "目标"),
        ui("filter targets: id, words, status", "筛选目标：编号、文字、状态"),
        ui("target", "目标编号"),
        ui("what the plan says", "规划表述"),
        ui("due", "年份"),
        ui("condition", "条件"),
        ui("probability", "实现概率"),
        ui("median outcome", "结果中位数"),
        ui("status", "状态"),
        ui("basis", "依据")
    );
    // Targets on data first; then, under their own heading row, those resting on assumptions
    // alone, whose probability restates the scenario's assumption (issue 15).
    let on_data = summary
        .targets
        .iter()
        .filter(|t| t.basis != Some(Basis::Prior));
    let assumption_only: Vec<_> = summary
        .targets
        .iter()
        .filter(|t| t.basis == Some(Basis::Prior))
        .collect();
    let heading_after = summary.targets.len() - assumption_only.len();
    for (k, t) in on_data.chain(assumption_only.iter().copied()).enumerate() {
        if k == heading_after && heading_after > 0 {
            let _ = writeln!(
                h,
                "<tr class=\"assumption-only\"><th colspan=\"9\">{} ({})<br><span class=\"sub\">{}</span></th></tr>",
                ui("Assumption only", "仅依据假设"),
                assumption_only.len(),
                ui(
                    "No published value of these targets' indicators or of their inputs: the probability restates the scenario's assumption (it moves only through correlated indicators that have data). Read it as what the assumption implies, not as evidence.",
                    "这些目标的指标及其输入均无公布值：概率只是复述情景假设（仅通过有数据的相关指标而变化）。应理解为假设的推论，而非证据。"
                )
            );
        }
        let _ = writeln!(
            h,
            "<tr id=\"target-{id}\"><td>{id}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&target_label(labels, t)),
            t.due_year,
            escape(&condition(labels, t)),
            escape(&probability_text(t, labels)),
            percent_interval(t.ci_lower, t.ci_upper),
            value(t.outcome.p50),
            status_badge(labels, t) + &past_due_badge(labels, t),
            basis_text(labels, t.basis),
            id = escape(&t.id)
        );
    }
    h.push_str("</table>\n</details>\n");
    h.push_str(FILTER_SCRIPT);

    // Milestones.
    if !summary.milestones.is_empty() {
        let _ = writeln!(
            h,
            "<details open><summary><h2 id=\"milestones\">{}</h2></summary>\n<p class=\"sub\">{}</p>\n<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            ui("Milestones", "阶段目标"),
            ui(
                "The chance of a later target given that an earlier one on the same indicator was met, or missed.",
                "同一指标上，前一目标实现或未实现时，后一目标实现的条件概率。"
            ),
            ui("earlier target", "前一目标"),
            ui("later target", "后一目标"),
            ui("P(later | earlier met)", "P（后 | 前实现）"),
            ui("P(later | earlier missed)", "P（后 | 前未实现）")
        );
        let cell = |p: Option<f64>, ci: Option<[f64; 2]>, n: u64| match (p, ci) {
            (Some(p), Some([lo, hi])) => format!(
                "{} {} <span class=\"sub\">(n = {n}{})</span>",
                percent(p),
                percent_interval(lo, hi),
                if n < crate::report::table::SMALL_SAMPLE {
                    ui("; few paths: a rough figure", "；路径少，仅供参考")
                } else {
                    ""
                }
            ),
            _ => ui("– (never happens)", "–（未出现）").to_string(),
        };
        for m in &summary.milestones {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&m.earlier),
                escape(&m.later),
                cell(m.given_met, m.given_met_ci, m.earlier_met_paths),
                cell(m.given_missed, m.given_missed_ci, m.earlier_missed_paths)
            );
        }
        h.push_str("</table>\n</details>\n");
    }

    // Charts.
    let _ = writeln!(
        h,
        "<details open><summary><h2 id=\"charts\">{}</h2></summary>",
        ui("Charts", "图表")
    );
    if let Some(c) = charts.iter().find(|c| c.kind == ChartKind::Probabilities) {
        let _ = writeln!(h, "<h3>{}</h3>", ui("Target probabilities", "目标实现概率"));
        h.push_str(&figure(c, ui("Target probabilities", "目标实现概率")));
    }
    for ind in &summary.indicators {
        let name = indicator_name(labels, ind);
        let _ = writeln!(
            h,
            "<details open><summary><h3 id=\"indicator-{}\">{}</h3></summary>",
            escape(&ind.id),
            escape(&name)
        );
        if let Some(c) = charts
            .iter()
            .find(|c| c.kind == ChartKind::Fan(ind.id.clone()))
        {
            h.push_str(&figure(c, &name));
        }
        for t in summary.targets.iter().filter(|t| t.indicator == ind.id) {
            if let Some(c) = charts
                .iter()
                .find(|c| c.kind == ChartKind::Outcome(t.id.clone()))
            {
                h.push_str(&figure(
                    c,
                    &format!("{}: {}", t.id, target_label(labels, t)),
                ));
            }
        }
        h.push_str("</details>\n");
    }
    h.push_str("</details>\n");

    // Assumptions.
    let _ = writeln!(
        h,
        "<details open><summary><h2 id=\"assumptions\">{}</h2></summary>\n<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        ui("Assumptions", "假设"),
        ui("indicator", "指标"),
        ui("model", "模型"),
        ui("periods: trend (10–90%), noise, persistence", "时段：趋势（10–90%）、噪声、持续性"),
        ui("observed values", "观测值"),
        ui("source", "来源")
    );
    for ind in &summary.indicators {
        let mut periods = String::new();
        if let Some(f) = &ind.formula {
            let _ = write!(
                periods,
                "{} <code>{}</code>",
                ui("formula", "公式"),
                escape(f)
            );
        }
        for p in &ind.periods {
            let _ = write!(
                periods,
                "{}–{}: {} {} ({}–{}), {} {}, {} {}<br>",
                p.from,
                p.to,
                escape(p.trend_dist.as_deref().unwrap_or(ui("trend", "趋势"))),
                p.trend_mean.map_or_else(
                    || "–".to_string(),
                    |m| format!("{} {}", ui("mean", "均值"), value(m))
                ),
                value(p.trend_p10),
                value(p.trend_p90),
                ui("noise", "噪声"),
                value(p.noise),
                ui("persistence", "持续性"),
                value(p.persistence)
            );
        }
        if let Some(q) = ind.exit {
            let _ = write!(
                periods,
                "{} {}<br>",
                ui(
                    "exits: each unit leaves with yearly probability",
                    "退出：每个单位每年退出概率"
                ),
                format_args!("{}%", value(q * 100.0))
            );
        }
        if let Some(update) = summary.trend_updates.iter().find(|u| u.indicator == ind.id) {
            periods.push_str(&posterior_text(labels, update));
        }
        let mut observed = String::new();
        for (year, v) in &ind.observed {
            let source = ind
                .observed_sources
                .get(year)
                .map(|s| format!(" <span class=\"sub\">({})</span>", escape(s)))
                .unwrap_or_default();
            let _ = write!(observed, "{year}: {}{source}<br>", value(*v));
        }
        let _ = writeln!(
            h,
            "<tr><td>{}<br><span class=\"sub\">{} · {}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&indicator_name(labels, ind)),
            escape(&ind.id),
            escape(&labels.unit(&ind.unit)),
            ind.model.name(),
            periods,
            observed,
            escape(ind.source.as_deref().unwrap_or(""))
        );
    }
    h.push_str("</table>\n</details>\n");

    // Audit.
    let mut audit = String::new();
    let _ = writeln!(audit, "{}", audit_line(summary, labels));
    let _ = writeln!(audit, "format {}", summary.format);
    for f in &summary.scenario.files {
        let _ = writeln!(audit, "file {} sha256 {}", f.path, f.sha256);
    }
    let _ = writeln!(
        audit,
        "seed {} · paths {} · sampling {} · as_of {} · quantile relative accuracy {}",
        summary.run.seed,
        summary.run.paths,
        summary.run.sampling.name(),
        summary
            .run
            .as_of
            .map_or_else(|| "all".to_string(), |y| y.to_string()),
        summary.run.quantile_relative_accuracy
    );
    for o in &summary.run.overrides {
        let _ = writeln!(audit, "--set {o}");
    }
    for w in &summary.warnings {
        let _ = writeln!(audit, "warning: {w}");
    }
    // The command that reproduces the numbers (shell quoting left to the reader).
    let mut command = format!(
        "plancast run {} --seed {} --paths {}",
        summary
            .scenario
            .files
            .first()
            .map_or("<scenario>", |f| f.path.as_str()),
        summary.run.seed,
        summary.run.paths
    );
    if let Some(year) = summary.run.as_of {
        command.push_str(&format!(" --as-of {year}"));
    }
    for o in &summary.run.overrides {
        command.push_str(&format!(" --set {o}"));
    }
    let _ = writeln!(audit, "{} {command}", ui("reproduce:", "复现："));
    let _ = writeln!(
        h,
        "<h2 id=\"audit\">{}</h2>\n<div class=\"audit\">{}</div>\n</body>\n</html>",
        ui("Audit", "审计信息"),
        escape(&audit)
    );
    let faces = super::page_fonts::font_faces(&h);
    h.replacen(FONT_FACES, &faces, 1)
}
