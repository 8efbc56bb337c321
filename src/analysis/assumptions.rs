//! The uncertain assumptions of a scenario that `sensitivity` holds one at a time (each
//! period's uncertain trend, each event probability, each correlation entry), their 10th, 50th
//! and 90th percentiles, and holding one at a value through the model's checked edits. Shared by
//! the sensitivity analysis and by the dependency analysis that decides which of them a target
//! can depend on.

use crate::model::edit::EditError;
use crate::model::Scenario;
use serde::{Deserialize, Serialize};

/// Years of yearly data an event probability or a correlation is treated as estimated from.
pub const EVIDENCE_YEARS: f64 = 10.0;

/// Φ⁻¹(0.9): the standard-normal score of the 90th percentile.
pub const Z90: f64 = 1.281_551_565_544_600_4;

/// What an assumption is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lever {
    /// The trend of period `period` of indicator `indicator`.
    Trend {
        /// Indicator index.
        indicator: usize,
        /// Period index.
        period: usize,
    },
    /// The probability of event `event`.
    EventProbability {
        /// Event index.
        event: usize,
    },
    /// Correlation entry `pair` of [`crate::model::correlation::Correlation::pairs`].
    Correlation {
        /// Index into the pairs.
        pair: usize,
    },
}

/// One uncertain assumption and the values it is held at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assumption {
    /// Short name with ids, e.g. "rd_spend trend 2021-2025".
    pub name: String,
    /// The name for readers, e.g. "R&D expenditure: trend 2021-2025".
    #[serde(default)]
    pub label: String,
    /// The same in Chinese where the scenario names the indicators in Chinese, e.g.
    /// "研发经费：2021-2025 年趋势" (else the English label).
    #[serde(default)]
    pub label_zh: String,
    /// The dotted key of the value in the scenario (as `--set` takes it).
    pub key: String,
    /// "trend", "event_probability" or "correlation".
    pub kind: String,
    /// Which value is held.
    pub lever: Lever,
    /// Value at the 10th percentile.
    pub low_value: f64,
    /// Value at the 50th percentile.
    pub mid_value: f64,
    /// Value at the 90th percentile.
    pub high_value: f64,
    /// True when the 50th percentile is the scenario's own value (no run needed).
    pub mid_is_base: bool,
}

/// The `q` quantile of period `k`'s trend of indicator `i` as the run draws it: the prior's,
/// or with posterior trends the posterior's (what the observations leave possible).
fn trend_quantile(scenario: &Scenario, i: usize, k: usize, q: f64) -> f64 {
    let trend = &scenario.indicators()[i].periods[k].trend;
    let posterior = &scenario.plan().posterior;
    match posterior.transports.get(i) {
        Some(transport)
            if posterior.active
                && !matches!(transport, crate::model::posterior::ScoreTransport::Identity) =>
        {
            let map = crate::model::score_map::ScoreMap::new(trend);
            map.at(transport.score(crate::numeric::normal::norm_quantile(q)))
        }
        _ => trend.quantile(q),
    }
}

/// Lists the uncertain assumptions of `scenario`: trends of periods that still have a simulated
/// year, event probabilities strictly between 0 and 1, and every correlation entry.
pub fn assumptions(scenario: &Scenario) -> Vec<Assumption> {
    let plan = scenario.plan();
    let mut out = Vec::new();
    for (i, ind) in scenario.indicators().iter().enumerate() {
        if !ind.kind.is_stochastic() {
            continue;
        }
        let start = plan.indicators[i].start_year;
        for (k, period) in ind.periods.iter().enumerate() {
            if period.trend.is_fixed() || period.to <= start {
                continue;
            }
            let zh = ind.name_zh.as_deref().unwrap_or(&ind.name);
            out.push(Assumption {
                name: format!("{} trend {}-{}", ind.id, period.from, period.to),
                label: format!("{}: trend {}-{}", ind.name, period.from, period.to),
                label_zh: format!("{zh}：{}-{} 年趋势", period.from, period.to),
                key: format!("indicators.{}.{}.{k}.trend", ind.id, ind.kind.period_key()),
                kind: "trend".to_string(),
                lever: Lever::Trend {
                    indicator: i,
                    period: k,
                },
                low_value: trend_quantile(scenario, i, k, 0.1),
                mid_value: trend_quantile(scenario, i, k, 0.5),
                high_value: trend_quantile(scenario, i, k, 0.9),
                mid_is_base: false,
            });
        }
    }
    for (e, event) in scenario.events().iter().enumerate() {
        let p = event.probability;
        if p <= 0.0 || p >= 1.0 {
            continue;
        }
        let logit = (p / (1.0 - p)).ln();
        let se = 1.0 / (EVIDENCE_YEARS * p * (1.0 - p)).sqrt();
        let at = |z: f64| 1.0 / (1.0 + (-(logit + z * se)).exp());
        let event_name = event.label.as_deref().unwrap_or(&event.id);
        out.push(Assumption {
            name: format!("event {} probability", event.id),
            label: format!("{event_name}: chance per year"),
            label_zh: format!("{event_name}：年发生概率"),
            key: format!("events.{e}.probability"),
            kind: "event_probability".to_string(),
            lever: Lever::EventProbability { event: e },
            low_value: at(-Z90),
            mid_value: p,
            high_value: at(Z90),
            mid_is_base: true,
        });
    }
    let mut index_in_kind = std::collections::HashMap::new();
    for (pair, (kind, a, b, rho)) in scenario.correlation().pairs.iter().enumerate() {
        let k = index_in_kind.entry(kind.clone()).or_insert(0usize);
        let z = rho.clamp(-0.999_999, 0.999_999).atanh();
        let se = 1.0 / (EVIDENCE_YEARS - 3.0).sqrt();
        let names = |id: &str, zh: bool| {
            scenario
                .indicators()
                .iter()
                .find(|i| i.id == id)
                .map(|i| match (zh, &i.name_zh) {
                    (true, Some(z)) => z.clone(),
                    _ => i.name.clone(),
                })
                .unwrap_or_else(|| id.to_string())
        };
        let kind_zh = if kind == "trend" { "趋势" } else { "波动" };
        out.push(Assumption {
            name: format!("{kind} correlation {a}~{b}"),
            label: format!(
                "{kind} correlation: {} ~ {}",
                names(a, false),
                names(b, false)
            ),
            label_zh: format!("{kind_zh}相关：{} ~ {}", names(a, true), names(b, true)),
            key: format!("correlation.{kind}.{k}.2"),
            kind: "correlation".to_string(),
            lever: Lever::Correlation { pair },
            low_value: (z - Z90 * se).tanh(),
            mid_value: *rho,
            high_value: (z + Z90 * se).tanh(),
            mid_is_base: true,
        });
        *k += 1;
    }
    out
}

/// `scenario` with the assumption held at `value`, through the model's checked edits; the note
/// says when a correlation matrix had to be repaired to stay valid.
pub fn hold(
    scenario: &Scenario,
    lever: Lever,
    value: f64,
) -> Result<(Scenario, Option<String>), EditError> {
    match lever {
        Lever::Trend { indicator, period } => {
            Ok((scenario.with_fixed_trend(indicator, period, value)?, None))
        }
        Lever::EventProbability { event } => {
            Ok((scenario.with_event_probability(event, value)?, None))
        }
        Lever::Correlation { pair } => scenario.with_correlation_entry(pair, value),
    }
}
