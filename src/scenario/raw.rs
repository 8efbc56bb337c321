//! The scenario file as written: a serde mirror of the TOML format that refuses unknown keys.
//!
//! Nothing here is checked beyond types; [`super::validate`] turns it into a [`crate::model::Scenario`].
//! Distribution specs and event effects stay as TOML values so that validation can explain
//! exactly which parameter is wrong.

use indexmap::IndexMap;
use serde::Deserialize;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Parent scenario (resolved by the loader before deserialisation; kept for the record).
    pub extends: Option<String>,
    /// The `[scenario]` table.
    pub scenario: RawMeta,
    /// `[indicators.<id>]` tables, in file order.
    #[serde(default)]
    pub indicators: IndexMap<String, RawIndicator>,
    /// `[correlation]`.
    pub correlation: Option<RawCorrelation>,
    /// `[[events]]`.
    #[serde(default)]
    pub events: Vec<RawEvent>,
    /// `[[targets]]`.
    #[serde(default)]
    pub targets: Vec<RawTarget>,
    /// `[[groups]]`.
    #[serde(default)]
    pub groups: Vec<RawGroup>,
}

/// The `[scenario]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    /// Display name.
    pub name: String,
    /// Chinese display name.
    pub name_zh: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Year of the `base` values.
    pub base_year: i64,
    /// Last simulated year.
    pub horizon: i64,
    /// Observations after this year are ignored.
    pub as_of: Option<i64>,
    /// Default seed.
    pub seed: Option<u64>,
    /// Default number of paths.
    pub paths: Option<u64>,
    /// `random`, `lhs` or `sobol`.
    pub sampling: Option<String>,
    /// `posterior` or `none`.
    pub update: Option<String>,
}

/// One `[indicators.<id>]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    /// Display name.
    pub name: String,
    /// Chinese display name.
    pub name_zh: Option<String>,
    /// Unit shown on tables and axes.
    pub unit: Option<String>,
    /// Where the baseline comes from.
    pub source: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// `growth`, `additive`, `count` or `derived`.
    pub model: String,
    /// Value in the base year.
    pub base: Option<f64>,
    /// The indicator's own base year (at most the scenario's).
    pub base_year: Option<i64>,
    /// Published values by year (keys are years as strings, as TOML requires).
    pub observed: Option<IndexMap<String, f64>>,
    /// Where each observed value comes from, by year.
    pub observed_sources: Option<IndexMap<String, String>>,
    /// Periods of a growth indicator.
    pub growth: Option<Vec<RawPeriod>>,
    /// Periods of an additive indicator.
    pub step: Option<Vec<RawPeriod>>,
    /// Periods of a count indicator.
    pub rate: Option<Vec<RawPeriod>>,
    /// Formula of a derived indicator.
    pub formula: Option<String>,
    /// Lower clamp of an additive indicator's level.
    pub min: Option<f64>,
    /// Upper clamp of an additive indicator's level.
    pub max: Option<f64>,
    /// Yearly exit share of a count indicator.
    pub exit: Option<f64>,
}

/// One period `{ from, to, trend, noise, persistence }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPeriod {
    /// First year (inclusive).
    pub from: i64,
    /// Last year (inclusive).
    pub to: i64,
    /// A number or a distribution table.
    pub trend: toml::Value,
    /// Standard deviation of the yearly shock.
    pub noise: Option<f64>,
    /// AR(1) coefficient of the shock.
    pub persistence: Option<f64>,
}

/// The `[correlation]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCorrelation {
    /// Yearly-shock correlations `[a, b, rho]`.
    #[serde(default)]
    pub noise: Vec<(String, String, f64)>,
    /// Trend-score correlations `[a, b, rho]`.
    #[serde(default)]
    pub trend: Vec<(String, String, f64)>,
    /// Common factors: each adds `loading_a · loading_b` to the correlation of every pair of
    /// its members.
    #[serde(default)]
    pub factors: Vec<RawCommonFactor>,
    /// Replace a non-positive-definite matrix by the nearest correlation matrix.
    #[serde(default)]
    pub repair: bool,
}

/// One `[[correlation.factors]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCommonFactor {
    /// Unique id.
    pub id: String,
    /// `trend` (default) or `noise`: which correlations it adds to.
    pub kind: Option<String>,
    /// Display label.
    pub label: Option<String>,
    /// Why the factor is there.
    pub note: Option<String>,
    /// Loading of each member indicator, in (-1, 1).
    pub loadings: indexmap::IndexMap<String, f64>,
}

/// One `[[events]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    /// Unique id.
    pub id: String,
    /// Display label.
    pub label: Option<String>,
    /// Chinese display label.
    pub label_zh: Option<String>,
    /// Chance in each year of the window.
    pub probability: f64,
    /// First year of the window.
    pub from: Option<i64>,
    /// Last year of the window.
    pub to: Option<i64>,
    /// Effect per indicator: a number or a distribution table.
    pub effects: IndexMap<String, toml::Value>,
}

/// One `[[targets]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    /// Unique id.
    pub id: String,
    /// The indicator the target is on.
    pub indicator: String,
    /// `level` (default), `cagr`, `cumulative` or `change`.
    pub kind: Option<String>,
    /// Year of a level target.
    pub year: Option<i64>,
    /// First year of a span target.
    pub from: Option<i64>,
    /// Last year of a span target.
    pub to: Option<i64>,
    /// Met when the outcome is >= this.
    pub at_least: Option<f64>,
    /// Met when the outcome is > this.
    pub above: Option<f64>,
    /// Met when the outcome is <= this.
    pub at_most: Option<f64>,
    /// Met when the outcome is < this.
    pub below: Option<f64>,
    /// Where the plan states it.
    pub source: Option<String>,
    /// Display label.
    pub label: Option<String>,
    /// Chinese display label.
    pub label_zh: Option<String>,
}

/// One `[[groups]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    /// Unique id.
    pub id: String,
    /// Display label.
    pub label: Option<String>,
    /// Chinese display label.
    pub label_zh: Option<String>,
    /// Member target ids.
    pub targets: Vec<String>,
}
