//! `plancast show`: the assumptions of a loaded scenario as a table a reviewer can read without
//! opening the TOML (indicator, model, period, trend distribution with its 5/50/95% values,
//! noise, persistence, observed years, source), then its events, correlations and targets.
//! [`ScenarioView`] is also what `show --json` prints.

use crate::report::format::value;
use crate::report::labels::Labels;
use crate::scenario::Loaded;
use serde::Serialize;
use std::fmt::Write;

/// One row of the assumptions table: an indicator in one period (a derived indicator: its
/// formula).
#[derive(Debug, Clone, Serialize)]
pub struct AssumptionRow {
    /// Indicator id.
    pub indicator: String,
    /// Its name in the chosen language.
    pub name: String,
    /// Model: growth, additive, count or derived.
    pub model: String,
    /// The period, `from-to` (a derived indicator: empty).
    pub period: String,
    /// Trend distribution kind (`normal`, `pert`, ...; a derived indicator: its formula).
    pub trend: String,
    /// The trend's 5th, 50th and 95th percentiles (empty for a derived indicator).
    pub trend_p05_p50_p95: Vec<f64>,
    /// Yearly noise standard deviation.
    pub noise: Option<f64>,
    /// AR(1) persistence of the noise.
    pub persistence: Option<f64>,
    /// Yearly exit share of a count indicator (None: no exits).
    pub exit: Option<f64>,
    /// Years with a published value (those after `as_of` included).
    pub observed_years: Vec<i32>,
    /// Where the baseline comes from.
    pub source: String,
}

/// An event.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    /// Event id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Chance in each year of the window.
    pub probability: f64,
    /// The window, `from-to`.
    pub window: String,
    /// The indicators it moves.
    pub affects: Vec<String>,
}

/// A correlation entry.
#[derive(Debug, Clone, Serialize)]
pub struct CorrelationRow {
    /// `trend` or `noise`.
    pub kind: String,
    /// First indicator.
    pub a: String,
    /// Second indicator.
    pub b: String,
    /// The coefficient.
    pub rho: f64,
}

/// A common factor of the correlations.
#[derive(Debug, Clone, Serialize)]
pub struct FactorRow {
    /// Factor id.
    pub id: String,
    /// `trend` or `noise`.
    pub kind: String,
    /// Label.
    pub label: String,
    /// Members and their loadings.
    pub loadings: Vec<(String, f64)>,
}

/// A target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetRow {
    /// Target id.
    pub id: String,
    /// Its label in the chosen language.
    pub label: String,
    /// Indicator id.
    pub indicator: String,
    /// Condition, e.g. `cagr 2020-2025 >= 22`.
    pub condition: String,
    /// Due year.
    pub due_year: i32,
}

/// The scenario as `plancast show` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioView {
    /// Scenario name in the chosen language.
    pub scenario: String,
    /// Base year and horizon.
    pub years: [i32; 2],
    /// The as-of year applied (None: latest).
    pub as_of: Option<i32>,
    /// One row per indicator and period.
    pub assumptions: Vec<AssumptionRow>,
    /// Events.
    pub events: Vec<EventRow>,
    /// Correlations.
    pub correlations: Vec<CorrelationRow>,
    /// Common factors of the correlations.
    pub factors: Vec<FactorRow>,
    /// Targets.
    pub targets: Vec<TargetRow>,
}

/// The view of `loaded`, names in the language of `labels`.
pub fn build(loaded: &Loaded, labels: &Labels) -> ScenarioView {
    let s = &loaded.scenario;
    let mut assumptions = Vec::new();
    for ind in s.indicators() {
        let name = labels.name(&ind.name, ind.name_zh.as_deref());
        let observed_years: Vec<i32> = ind.observed.keys().copied().collect();
        let source = ind.source.clone().unwrap_or_default();
        if let Some(formula) = &ind.formula {
            assumptions.push(AssumptionRow {
                indicator: ind.id.clone(),
                name,
                model: ind.kind.name().to_string(),
                period: String::new(),
                trend: format!("= {}", formula.text),
                trend_p05_p50_p95: Vec::new(),
                noise: None,
                persistence: None,
                exit: None,
                observed_years,
                source,
            });
            continue;
        }
        for p in &ind.periods {
            assumptions.push(AssumptionRow {
                indicator: ind.id.clone(),
                name: name.clone(),
                model: ind.kind.name().to_string(),
                period: format!("{}-{}", p.from, p.to),
                trend: p.trend.kind().to_string(),
                trend_p05_p50_p95: [0.05, 0.5, 0.95].map(|q| p.trend.quantile(q)).to_vec(),
                noise: Some(p.noise),
                persistence: Some(p.persistence),
                exit: (ind.exit > 0.0).then_some(ind.exit),
                observed_years: observed_years.clone(),
                source: source.clone(),
            });
        }
    }
    let id_of = |i: usize| s.indicators()[i].id.clone();
    ScenarioView {
        scenario: labels.name(s.name(), s.name_zh()),
        years: [s.base_year(), s.horizon()],
        as_of: s.as_of(),
        assumptions,
        events: s
            .events()
            .iter()
            .map(|e| EventRow {
                id: e.id.clone(),
                label: e.label.clone().unwrap_or_default(),
                probability: e.probability,
                window: format!("{}-{}", e.from, e.to),
                affects: e.effects.iter().map(|x| id_of(x.indicator)).collect(),
            })
            .collect(),
        correlations: s
            .correlation()
            .pairs
            .iter()
            .map(|(kind, a, b, rho)| CorrelationRow {
                kind: kind.clone(),
                a: a.clone(),
                b: b.clone(),
                rho: *rho,
            })
            .collect(),
        factors: s
            .correlation()
            .factors
            .iter()
            .map(|f| FactorRow {
                id: f.id.clone(),
                kind: f.kind.clone(),
                label: f.label.clone().unwrap_or_default(),
                loadings: f.loadings.iter().map(|&(i, l)| (id_of(i), l)).collect(),
            })
            .collect(),
        targets: s
            .targets()
            .iter()
            .map(|t| TargetRow {
                id: t.id.clone(),
                label: t
                    .label
                    .as_deref()
                    .map(|en| labels.name(en, t.label_zh.as_deref()))
                    .unwrap_or_default(),
                indicator: id_of(t.indicator),
                condition: match t.kind.name() {
                    "level" => format!("{} {} {}", t.to, t.comparison.symbol(), value(t.threshold)),
                    kind => format!(
                        "{kind} {}-{} {} {}",
                        t.from,
                        t.to,
                        t.comparison.symbol(),
                        value(t.threshold)
                    ),
                },
                due_year: t.due_year(),
            })
            .collect(),
    }
}

/// Years as ranges: `2015-2019, 2021`.
pub fn years(list: &[i32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < list.len() {
        let mut j = i;
        while j + 1 < list.len() && list[j + 1] == list[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            list[i].to_string()
        } else {
            format!("{}-{}", list[i], list[j])
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// The printed tables.
pub fn render(view: &ScenarioView) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{} — years {}-{}, as_of {}\n",
        view.scenario,
        view.years[0],
        view.years[1],
        view.as_of.map_or("latest".to_string(), |y| y.to_string())
    );
    let _ = writeln!(
        t,
        "{:<24} {:<8} {:<9} {:<12} {:>26} {:>7} {:>7}  {:<16} source",
        "indicator", "model", "period", "trend", "5% / 50% / 95%", "noise", "persist", "observed"
    );
    for r in &view.assumptions {
        let q = match r.trend_p05_p50_p95.as_slice() {
            [a, b, c] => format!("{} / {} / {}", value(*a), value(*b), value(*c)),
            _ => String::new(),
        };
        let _ = writeln!(
            t,
            "{:<24} {:<8} {:<9} {:<12} {:>26} {:>7} {:>7}  {:<16} {}",
            r.indicator,
            r.model,
            r.period,
            r.trend,
            q,
            r.noise.map(value).unwrap_or_default(),
            r.persistence.map(value).unwrap_or_default(),
            years(&r.observed_years),
            r.source
        );
    }
    let mut with_exits: Vec<(&str, f64)> = view
        .assumptions
        .iter()
        .filter_map(|r| r.exit.map(|q| (r.indicator.as_str(), q)))
        .collect();
    with_exits.dedup_by(|a, b| a.0 == b.0);
    if !with_exits.is_empty() {
        let _ = writeln!(t, "\nexits (each unit leaves with this chance a year)");
        for (id, q) in with_exits {
            let _ = writeln!(t, "  {id:<24} {}", crate::report::format::percent(q));
        }
    }
    if !view.events.is_empty() {
        let _ = writeln!(t, "\nevents");
        for e in &view.events {
            let _ = writeln!(
                t,
                "  {:<24} {:>6} a year, {}, moves {}  {}",
                e.id,
                crate::report::format::percent(e.probability),
                e.window,
                e.affects.join(", "),
                e.label
            );
        }
    }
    if !view.correlations.is_empty() {
        let _ = writeln!(t, "\ncorrelations");
        for c in &view.correlations {
            let _ = writeln!(t, "  {:<6} {} ~ {}: {}", c.kind, c.a, c.b, value(c.rho));
        }
    }
    for f in &view.factors {
        let _ = writeln!(
            t,
            "\ncommon {} factor {} ({}): each pair of members gets loading x loading",
            f.kind, f.id, f.label
        );
        for (id, l) in &f.loadings {
            let _ = writeln!(t, "  {id:<24} {}", value(*l));
        }
    }
    let _ = writeln!(t, "\ntargets");
    for g in &view.targets {
        let _ = writeln!(
            t,
            "  {:<32} {:<24} {:<28} {}",
            g.id, g.indicator, g.condition, g.label
        );
    }
    t
}
