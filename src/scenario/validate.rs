//! Raw scenario -> validated [`Scenario`]. Every rule of the format is checked here, and every
//! problem is reported (not only the first), each tied to the key path it belongs to.

use super::diagnostic::{did_you_mean, with_article, Diagnostic, KeyPath};
use super::raw::{RawIndicator, RawPeriod, RawScenario};
use crate::model::correlation::{self, Correlation, CorrelationError, Factor};
use crate::model::dist::Dist;
use crate::model::formula::Formula;
use crate::model::*;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Largest number of paths accepted. Memory does not grow with paths (accumulators are
/// fixed-size), but path indices are 32-bit in the Latin-hypercube permutation and a run this
/// long would take hours on a planner's machine.
pub const MAX_PATHS: u64 = 1 << 32;

/// Default number of paths when neither the scenario nor the command line gives one.
pub const DEFAULT_PATHS: u64 = 100_000;

/// Default seed when neither the scenario nor the command line gives one.
pub const DEFAULT_SEED: u64 = 1;

/// Run settings from the command line, which take precedence over the scenario's defaults.
#[derive(Debug, Clone, Default)]
pub struct RunSettings {
    /// `--paths`.
    pub paths: Option<u64>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--as-of`.
    pub as_of: Option<i64>,
}

const MODELS: [&str; 4] = ["growth", "additive", "count", "derived"];
const KINDS: [&str; 4] = ["level", "cagr", "cumulative", "change"];
const DISTS: [&str; 8] = [
    "normal",
    "lognormal",
    "uniform",
    "triangular",
    "pert",
    "student_t",
    "discrete",
    "split_normal",
];

/// Checks a raw scenario and builds the model; returns every problem found.
pub fn validate(raw: &RawScenario, settings: &RunSettings) -> Result<Scenario, Vec<Diagnostic>> {
    let mut v = Validator {
        diags: Vec::new(),
        invalid_models: HashSet::new(),
    };
    match v.scenario(raw, settings) {
        Some(scenario) if v.diags.is_empty() => Ok(scenario),
        _ => Err(v.diags),
    }
}

struct Validator {
    diags: Vec<Diagnostic>,
    /// Indicators whose `model` is unknown: already reported, so checks that depend on the
    /// model are skipped for them.
    invalid_models: HashSet<usize>,
}

fn is_id(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

impl Validator {
    fn error(&mut self, path: KeyPath, message: impl Into<String>) {
        self.diags.push(Diagnostic::at(path, message));
    }

    fn key_error(&mut self, path: KeyPath, message: impl Into<String>) {
        self.diags.push(Diagnostic::at_key(path, message));
    }

    fn error_help(&mut self, path: KeyPath, message: impl Into<String>, help: Option<String>) {
        self.diags
            .push(Diagnostic::at(path, message).with_optional_help(help));
    }

    fn finite(&mut self, path: KeyPath, value: f64) -> f64 {
        if !value.is_finite() {
            self.error(path, format!("must be a finite number (got {value})"));
        }
        value
    }

    fn year(
        &mut self,
        path: KeyPath,
        value: i64,
        (lo, hi): (i64, i64),
        what: &str,
        range_name: &str,
    ) -> i32 {
        if value < lo || value > hi {
            self.error(
                path,
                format!("{what} {value} is outside {range_name} {lo}..{hi}"),
            );
        }
        value.clamp(lo, hi) as i32
    }

    fn scenario(&mut self, raw: &RawScenario, settings: &RunSettings) -> Option<Scenario> {
        let root = KeyPath::root();
        let meta_path = root.key("scenario");
        let meta = &raw.scenario;
        if !(1900..=2200).contains(&meta.base_year) {
            self.error(
                meta_path.key("base_year"),
                format!(
                    "base_year {} is not a plausible calendar year (1900..2200)",
                    meta.base_year
                ),
            );
        }
        if meta.horizon <= meta.base_year || meta.horizon.saturating_sub(meta.base_year) > 200 {
            self.error(
                meta_path.key("horizon"),
                format!(
                    "horizon {} must be after base_year {} (and at most 200 years later)",
                    meta.horizon, meta.base_year
                ),
            );
        }
        if !self.diags.is_empty() {
            // Every later year check would repeat the same mistake: report it alone.
            return None;
        }
        let base_year = meta.base_year as i32;
        let horizon = meta
            .horizon
            .clamp(base_year as i64 + 1, base_year as i64 + 200) as i32;

        let as_of = match (settings.as_of, meta.as_of) {
            (Some(year), _) => {
                if year < base_year as i64 || year > horizon as i64 {
                    self.diags.push(Diagnostic::located(
                        super::diagnostic::Location::Argument(format!("--as-of {year}")),
                        format!(
                            "--as-of must lie between base_year {base_year} and horizon {horizon}"
                        ),
                    ));
                }
                Some(year as i32)
            }
            (None, Some(year)) => Some(self.year(
                meta_path.key("as_of"),
                year,
                (base_year as i64, horizon as i64),
                "as_of",
                "the scenario's years",
            )),
            (None, None) => None,
        };

        let paths = settings.paths.or(meta.paths).unwrap_or(DEFAULT_PATHS);
        if let Some(own) = meta.paths {
            if !(1..=MAX_PATHS).contains(&own) {
                self.error(
                    meta_path.key("paths"),
                    format!("paths must be between 1 and {MAX_PATHS} (got {own})"),
                );
            }
        }
        let seed = settings.seed.or(meta.seed).unwrap_or(DEFAULT_SEED);
        let sampling = match meta.sampling.as_deref() {
            None | Some("random") => Sampling::Random,
            Some("lhs") => Sampling::Lhs,
            Some("sobol") => Sampling::Sobol,
            Some(other) => {
                self.error_help(
                    meta_path.key("sampling"),
                    format!("unknown sampling `{other}`; expected random, lhs or sobol"),
                    did_you_mean(other, ["random", "lhs", "sobol"]),
                );
                Sampling::Random
            }
        };

        // Indicators: ids first, so that references can be checked in any order.
        let ids: Vec<&str> = raw.indicators.keys().map(String::as_str).collect();
        let mut indicators = Vec::new();
        for (id, ind) in &raw.indicators {
            let path = root.key("indicators").key(id.clone());
            if !MODELS.contains(&ind.model.as_str()) {
                self.invalid_models.insert(indicators.len());
            }
            indicators.push(self.indicator(id, ind, &path, base_year, horizon));
        }
        if indicators.is_empty() {
            self.error(
                root,
                "the scenario defines no indicators ([indicators.<id>] tables)",
            );
        }
        self.formulas(raw, &mut indicators, &ids);
        let derived_order = self.derived_order(raw, &indicators);
        self.derived_years(&mut indicators, &derived_order, base_year);

        let correlation = self.correlation(raw, &indicators, &ids);
        let events = self.events(raw, &indicators, &ids, base_year, horizon);
        let targets = self.targets(raw, &indicators, &ids, horizon);
        let groups = self.groups(raw, &targets);
        let mut warnings = Vec::new();
        if correlation.repaired {
            warnings.push(
                "a correlation matrix was not positive definite and was replaced by the nearest correlation matrix (repair = true)"
                    .to_string(),
            );
        }
        let trend_scores = indicators.iter().filter(|i| i.kind.is_stochastic()).count();
        if sampling == Sampling::Sobol && trend_scores > crate::engine::sobol::DIMENSIONS {
            warnings.push(format!(
                "sampling = \"sobol\": {trend_scores} indicators draw trend scores, but Sobol points are available for {} dimensions; the first {} (in file order) use Sobol points, the other {} pseudo-random draws",
                crate::engine::sobol::DIMENSIONS,
                crate::engine::sobol::DIMENSIONS,
                trend_scores - crate::engine::sobol::DIMENSIONS
            ));
        }

        Some(Scenario::from_parts(ScenarioParts {
            name: meta.name.clone(),
            name_zh: meta.name_zh.clone(),
            description: meta.description.clone(),
            base_year,
            horizon,
            as_of,
            seed,
            paths,
            sampling,
            indicators,
            derived_order,
            correlation,
            events,
            targets,
            groups,
            warnings,
        }))
    }

    fn indicator(
        &mut self,
        id: &str,
        raw: &RawIndicator,
        path: &KeyPath,
        base_year: i32,
        horizon: i32,
    ) -> Indicator {
        if !is_id(id) {
            self.error(
                path.clone(),
                format!("indicator id `{id}` must start with a lowercase letter and use only a-z, 0-9 and _"),
            );
        }
        let kind = match raw.model.as_str() {
            "growth" => ModelKind::Growth,
            "additive" => ModelKind::Additive,
            "count" => ModelKind::Count,
            "derived" => ModelKind::Derived,
            other => {
                self.error_help(
                    path.key("model"),
                    format!(
                        "unknown model `{other}`; expected one of {}",
                        MODELS.join(", ")
                    ),
                    did_you_mean(other, MODELS),
                );
                ModelKind::Derived
            }
        };
        let known_model = MODELS.contains(&raw.model.as_str());

        // Base and base year.
        let own_base_year = match raw.base_year {
            Some(year) => {
                if kind == ModelKind::Derived && known_model {
                    self.error(
                        path.key("base_year"),
                        "a derived indicator has no base_year: it is computed wherever its formula's terms have values",
                    );
                }
                if year > base_year as i64 {
                    self.error(
                        path.key("base_year"),
                        format!("an indicator's base_year ({year}) cannot be after the scenario's ({base_year})"),
                    );
                    base_year
                } else if year < 1900 || (base_year as i64).saturating_sub(year) > 50 {
                    self.error(
                        path.key("base_year"),
                        format!("base_year {year} is too far before the scenario's base_year {base_year}"),
                    );
                    base_year
                } else {
                    year as i32
                }
            }
            None => base_year,
        };
        let base = match (kind, raw.base) {
            (ModelKind::Derived, Some(_)) if known_model => {
                self.error(
                    path.key("base"),
                    "a derived indicator takes no `base`: its values come from its formula",
                );
                None
            }
            (ModelKind::Derived, _) => None,
            (_, None) => {
                self.error(
                    path.clone(),
                    format!(
                        "{} indicator needs `base` (its value in {own_base_year})",
                        with_article(kind.name())
                    ),
                );
                Some(1.0)
            }
            (kind, Some(value)) => {
                let value = self.finite(path.key("base"), value);
                if kind == ModelKind::Growth && value <= 0.0 && value.is_finite() {
                    self.error(
                        path.key("base"),
                        format!("a growth indicator's base must be positive (got {value}): growth compounds from it"),
                    );
                }
                if kind == ModelKind::Count && value < 0.0 {
                    self.error(
                        path.key("base"),
                        format!("a count cannot be negative (got {value})"),
                    );
                }
                Some(value)
            }
        };

        // Observations.
        let mut observed = BTreeMap::new();
        for (key, &value) in raw.observed.iter().flatten() {
            let obs_path = path.key("observed").key(key.clone());
            let Ok(year) = key.trim().parse::<i32>() else {
                self.key_error(obs_path, format!("`{key}` is not a year"));
                continue;
            };
            if year > horizon || year < 1900 {
                self.key_error(
                    obs_path,
                    format!("observed year {year} is outside the scenario (horizon {horizon})"),
                );
                continue;
            }
            if !value.is_finite() {
                self.error(
                    obs_path,
                    format!("observed value must be a finite number (got {value})"),
                );
                continue;
            }
            if kind.is_stochastic() && year == own_base_year {
                self.key_error(
                    obs_path,
                    format!("{year} is the indicator's base year: its value is `base`, not an observation"),
                );
                continue;
            }
            if kind == ModelKind::Growth && value <= 0.0 && year > own_base_year {
                self.error(
                    obs_path,
                    format!("a growth indicator's observations must be positive (got {value})"),
                );
                continue;
            }
            observed.insert(year, value);
        }
        let mut observed_sources = BTreeMap::new();
        for (key, text) in raw.observed_sources.iter().flatten() {
            let src_path = path.key("observed_sources").key(key.clone());
            match key.trim().parse::<i32>() {
                Ok(year)
                    if raw
                        .observed
                        .iter()
                        .flatten()
                        .any(|(k, _)| k.trim() == key.trim()) =>
                {
                    observed_sources.insert(year, text.clone());
                }
                Ok(year) => self.key_error(
                    src_path,
                    format!(
                        "a source is given for {year}, but there is no observed value for {year}"
                    ),
                ),
                Err(_) => self.key_error(src_path, format!("`{key}` is not a year")),
            }
        }

        // Periods.
        let period_keys = [
            ("growth", ModelKind::Growth, &raw.growth),
            ("step", ModelKind::Additive, &raw.step),
            ("rate", ModelKind::Count, &raw.rate),
        ];
        let mut periods = Vec::new();
        for (key, owner, value) in period_keys {
            let Some(list) = value else { continue };
            if owner != kind {
                if known_model {
                    let expected = if kind == ModelKind::Derived {
                        "a derived indicator takes `formula`, not periods".to_string()
                    } else {
                        format!(
                            "{} indicator takes its periods under `{}`",
                            with_article(kind.name()),
                            kind.period_key()
                        )
                    };
                    self.error(path.key(key), format!("unexpected `{key}`: {expected}"));
                }
                continue;
            }
            periods = self.periods(list, &path.key(key), kind, own_base_year, horizon);
        }
        if kind.is_stochastic()
            && known_model
            && periods.is_empty()
            && self.period_missing(raw, kind)
        {
            self.error(
                path.clone(),
                format!(
                    "{} indicator needs `{}` periods covering {}..{}",
                    with_article(kind.name()),
                    kind.period_key(),
                    own_base_year + 1,
                    horizon
                ),
            );
        }
        if kind != ModelKind::Derived && raw.formula.is_some() && known_model {
            self.error(
                path.key("formula"),
                format!(
                    "{} indicator takes no formula; use model = \"derived\"",
                    with_article(kind.name())
                ),
            );
        }
        if kind == ModelKind::Derived && raw.formula.is_none() && known_model {
            self.error(
                path.clone(),
                "a derived indicator needs `formula`, e.g. formula = \"rd_spend / gdp * 100\"",
            );
        }

        // Clamps.
        let (min, max) = (raw.min, raw.max);
        for (key, value) in [("min", min), ("max", max)] {
            if let Some(v) = value {
                self.finite(path.key(key), v);
            }
        }
        if (min.is_some() || max.is_some()) && kind != ModelKind::Additive && known_model {
            self.error(
                path.key(if min.is_some() { "min" } else { "max" }),
                "`min` and `max` clamp additive indicators only",
            );
        }
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo >= hi {
                self.error(path.key("min"), format!("min {lo} must be below max {hi}"));
            }
        }
        if let (Some(b), ModelKind::Additive) = (base, kind) {
            if min.is_some_and(|lo| b < lo) || max.is_some_and(|hi| b > hi) {
                self.error(
                    path.key("base"),
                    format!("base {b} lies outside [min, max]"),
                );
            }
        }

        Indicator {
            id: id.to_string(),
            name: raw.name.clone(),
            name_zh: raw.name_zh.clone(),
            unit: raw.unit.clone().unwrap_or_default(),
            source: raw.source.clone(),
            note: raw.note.clone(),
            kind,
            base_year: own_base_year,
            base,
            observed,
            observed_sources,
            periods,
            min,
            max,
            formula: None,
        }
    }

    fn period_missing(&self, raw: &RawIndicator, kind: ModelKind) -> bool {
        match kind {
            ModelKind::Growth => raw.growth.is_none(),
            ModelKind::Additive => raw.step.is_none(),
            ModelKind::Count => raw.rate.is_none(),
            ModelKind::Derived => false,
        }
    }

    fn periods(
        &mut self,
        list: &[RawPeriod],
        path: &KeyPath,
        kind: ModelKind,
        base_year: i32,
        horizon: i32,
    ) -> Vec<Period> {
        let mut periods = Vec::new();
        let first_year = base_year + 1;
        // After a broken period, coverage messages would only repeat it: they are skipped.
        let mut had_error = false;
        for (i, raw) in list.iter().enumerate() {
            let p = path.index(i);
            if raw.from > raw.to {
                self.error(
                    p.key("from"),
                    format!(
                        "period starts in {} but ends earlier, in {}",
                        raw.from, raw.to
                    ),
                );
                had_error = true;
                continue;
            }
            if raw.to > horizon as i64 {
                self.error(
                    p.key("to"),
                    format!("period ends in {}, after the horizon {horizon}", raw.to),
                );
                had_error = true;
                continue;
            }
            if raw.to < first_year as i64 {
                self.error(
                    p.key("to"),
                    format!(
                        "period ends in {}, before the first simulated year {first_year}",
                        raw.to
                    ),
                );
                had_error = true;
                continue;
            }
            let noise = match raw.noise {
                Some(_) if kind == ModelKind::Count => {
                    self.error(
                        p.key("noise"),
                        "a count indicator has no `noise`: its yearly variation is Poisson",
                    );
                    0.0
                }
                Some(n) if !n.is_finite() => {
                    self.error(
                        p.key("noise"),
                        format!("noise must be a finite number (got {n})"),
                    );
                    had_error = true;
                    0.0
                }
                Some(n) if n < 0.0 => {
                    self.error(
                        p.key("noise"),
                        format!("noise is a standard deviation and must be >= 0 (got {n})"),
                    );
                    0.0
                }
                Some(n) => n,
                None => 0.0,
            };
            let persistence = match raw.persistence {
                Some(_) if kind == ModelKind::Count => {
                    self.error(
                        p.key("persistence"),
                        "a count indicator has no `persistence`",
                    );
                    0.0
                }
                Some(phi) if !(0.0..1.0).contains(&phi) => {
                    self.error(
                        p.key("persistence"),
                        format!("persistence must be in [0, 1) (got {phi})"),
                    );
                    0.0
                }
                Some(phi) => phi,
                None => 0.0,
            };
            let Some(trend) = self.dist(&raw.trend, &p.key("trend")) else {
                had_error = true;
                continue;
            };
            periods.push(Period {
                from: raw.from.max(first_year as i64) as i32,
                to: raw.to as i32,
                trend,
                noise,
                persistence,
            });
        }
        if had_error {
            return periods;
        }
        // Coverage: every year first_year..=horizon exactly once.
        let mut order: Vec<usize> = (0..periods.len()).collect();
        order.sort_by_key(|&i| periods[i].from);
        let mut next = first_year;
        let mut ok = true;
        for &i in &order {
            let period = &periods[i];
            let index = list
                .iter()
                .position(|r| {
                    r.to as i32 == period.to && (r.from as i32).max(first_year) == period.from
                })
                .unwrap_or(i);
            if period.from > next {
                self.error(
                    path.index(index).key("from"),
                    format!("no period covers {}..{}: periods must cover every year from {first_year} to {horizon}", next, period.from - 1),
                );
                ok = false;
            } else if period.from < next {
                self.error(
                    path.index(index).key("from"),
                    format!(
                        "periods overlap in {}..{}",
                        period.from,
                        (next - 1).min(period.to)
                    ),
                );
                ok = false;
            }
            next = next.max(period.to + 1);
        }
        if ok && next <= horizon {
            self.error(
                path.clone(),
                format!("no period covers {next}..{horizon}: periods must cover every year up to the horizon"),
            );
        }
        periods.sort_by_key(|p| p.from);
        periods
    }

    /// A number or a distribution table.
    fn dist(&mut self, value: &toml::Value, path: &KeyPath) -> Option<Dist> {
        let table = match value {
            toml::Value::Integer(i) => return Dist::fixed(*i as f64).ok(),
            toml::Value::Float(f) => {
                if !f.is_finite() {
                    self.error(path.clone(), format!("must be a finite number (got {f})"));
                    return None;
                }
                return Dist::fixed(*f).ok();
            }
            toml::Value::Table(t) => t,
            other => {
                self.error(
                    path.clone(),
                    format!("expected a number or a distribution such as {{ dist = \"normal\", mean = 5, sd = 1 }}, found a {}", other.type_str()),
                );
                return None;
            }
        };
        let Some(name) = table.get("dist") else {
            self.error(
                path.clone(),
                "a distribution table needs `dist`, e.g. { dist = \"normal\", mean = 5, sd = 1 }",
            );
            return None;
        };
        let Some(name) = name.as_str() else {
            self.error(
                path.key("dist"),
                "`dist` must be a string such as \"normal\"",
            );
            return None;
        };
        let (required, optional): (&[&str], &[&str]) = match name {
            "normal" => (&["mean", "sd"], &["min", "max"]),
            "lognormal" => (&["mean", "sd"], &[]),
            "uniform" => (&["min", "max"], &[]),
            "triangular" | "pert" => (&["min", "mode", "max"], &[]),
            "student_t" => (&["mean", "scale", "df"], &[]),
            "discrete" => (&["values", "weights"], &[]),
            "split_normal" => (&["mode", "sd_below", "sd_above"], &[]),
            other => {
                self.error_help(
                    path.key("dist"),
                    format!(
                        "unknown distribution `{other}`; expected one of {}",
                        DISTS.join(", ")
                    ),
                    did_you_mean(other, DISTS),
                );
                return None;
            }
        };
        let mut ok = true;
        for key in table.keys() {
            if key != "dist"
                && !required.contains(&key.as_str())
                && !optional.contains(&key.as_str())
            {
                let valid: Vec<&str> = required.iter().chain(optional.iter()).copied().collect();
                self.error_help(
                    path.key(key.clone()),
                    format!(
                        "unknown parameter `{key}` for a {name} distribution (it takes {})",
                        valid.join(", ")
                    ),
                    did_you_mean(key, valid.iter().copied()),
                );
                ok = false;
            }
        }
        let mut number = |v: &mut Self, key: &str| -> Option<f64> {
            match table.get(key) {
                None => None,
                Some(toml::Value::Integer(i)) => Some(*i as f64),
                Some(toml::Value::Float(f)) if f.is_finite() => Some(*f),
                Some(other) => {
                    v.error(
                        path.key(key),
                        format!(
                            "`{key}` must be a finite number (found {})",
                            display_value(other)
                        ),
                    );
                    ok = false;
                    None
                }
            }
        };
        let mut get = |v: &mut Self, key: &str| -> f64 {
            let value = number(v, key);
            if value.is_none() && table.get(key).is_none() {
                v.error(path.clone(), format!("a {name} distribution needs `{key}`"));
            }
            value.unwrap_or(f64::NAN)
        };
        let result = match name {
            "normal" => {
                let (mean, sd) = (get(self, "mean"), get(self, "sd"));
                let min = number(self, "min");
                let max = number(self, "max");
                Dist::normal(mean, sd, min, max)
            }
            "lognormal" => {
                let (mean, sd) = (get(self, "mean"), get(self, "sd"));
                Dist::lognormal(mean, sd)
            }
            "uniform" => {
                let (lo, hi) = (get(self, "min"), get(self, "max"));
                Dist::uniform(lo, hi)
            }
            "triangular" => {
                let (lo, mode, hi) = (get(self, "min"), get(self, "mode"), get(self, "max"));
                Dist::triangular(lo, mode, hi)
            }
            "pert" => {
                let (lo, mode, hi) = (get(self, "min"), get(self, "mode"), get(self, "max"));
                Dist::pert(lo, mode, hi)
            }
            "student_t" => {
                let (mean, scale, df) = (get(self, "mean"), get(self, "scale"), get(self, "df"));
                Dist::student_t(mean, scale, df)
            }
            "split_normal" => {
                let (mode, lo, hi) = (
                    get(self, "mode"),
                    get(self, "sd_below"),
                    get(self, "sd_above"),
                );
                Dist::split_normal(mode, lo, hi)
            }
            _ => {
                let values = self.number_list(table.get("values"), &path.key("values"));
                let weights = self.number_list(table.get("weights"), &path.key("weights"));
                match (values, weights) {
                    (Some(values), Some(weights)) => Dist::discrete(values, weights),
                    _ => return None,
                }
            }
        };
        if self
            .diags
            .iter()
            .any(|d| d.path.as_ref().is_some_and(|p| p.starts_with(path)))
            || !ok
        {
            return None;
        }
        match result {
            Ok(dist) => Some(dist),
            Err(message) => {
                self.error(
                    path.clone(),
                    format!("impossible {name} distribution: {message}"),
                );
                None
            }
        }
    }

    fn number_list(&mut self, value: Option<&toml::Value>, path: &KeyPath) -> Option<Vec<f64>> {
        let Some(toml::Value::Array(items)) = value else {
            self.error(path.clone(), "expected a list of numbers, e.g. [1, 2, 3]");
            return None;
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item {
                toml::Value::Integer(x) => out.push(*x as f64),
                toml::Value::Float(x) if x.is_finite() => out.push(*x),
                other => {
                    self.error(
                        path.index(i),
                        format!("expected a finite number, found {}", display_value(other)),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    fn formulas(&mut self, raw: &RawScenario, indicators: &mut [Indicator], ids: &[&str]) {
        let index_of: HashMap<&str, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        for (i, (id, raw_ind)) in raw.indicators.iter().enumerate() {
            if indicators[i].kind != ModelKind::Derived {
                continue;
            }
            let Some(text) = &raw_ind.formula else {
                continue;
            };
            let path = KeyPath::root()
                .key("indicators")
                .key(id.clone())
                .key("formula");
            let formula = match Formula::parse(text) {
                Ok(f) => f,
                Err(e) => {
                    self.formula_error(&path, e);
                    continue;
                }
            };
            let mut slots: Vec<(usize, usize)> = Vec::new();
            let bound = formula.bind(ids, &mut |name, lag| {
                let target = *index_of.get(name)?;
                let slot = slots
                    .iter()
                    .position(|&s| s == (target, lag))
                    .unwrap_or_else(|| {
                        slots.push((target, lag));
                        slots.len() - 1
                    });
                Some(slot)
            });
            let program = match bound {
                Ok(p) => p,
                Err(e) => {
                    self.formula_error(&path, e);
                    continue;
                }
            };
            indicators[i].formula = Some(DerivedFormula {
                text: text.clone(),
                program,
                slots,
            });
        }
    }

    /// Sets each derived indicator's first year with a value (its `base_year`): the latest year
    /// at which every term, lags included, has a value. A lag that would reach before the first
    /// value of the indicator it reads, in the first simulated year, is an error.
    fn derived_years(&mut self, indicators: &mut [Indicator], order: &[usize], base_year: i32) {
        let first_simulated = base_year + 1;
        for &d in order {
            let Some(formula) = &indicators[d].formula else {
                continue;
            };
            let path = KeyPath::root()
                .key("indicators")
                .key(indicators[d].id.clone())
                .key("formula");
            let references = Formula::parse(&formula.text)
                .map(|f| f.references())
                .unwrap_or_default();
            let mut first = if formula.slots.is_empty() {
                base_year
            } else {
                i32::MIN
            };
            let mut errors = Vec::new();
            for &(source, lag) in &formula.slots {
                let source_first = indicators[source].base_year;
                first = first.max(source_first + lag as i32);
                let reached = first_simulated - lag as i32;
                if reached < source_first {
                    let id = &indicators[source].id;
                    let offset = references
                        .iter()
                        .find(|r| &r.name == id && r.lag == lag)
                        .map(|r| r.offset)
                        .unwrap_or(0);
                    let written = if lag > 0 {
                        format!("{id}[-{lag}]")
                    } else {
                        id.clone()
                    };
                    errors.push((offset, format!(
                        "`{written}` reaches back to {reached} in the first simulated year {first_simulated}, but `{id}` has values only from {source_first}"
                    )));
                }
            }
            for (offset, message) in errors {
                let mut diagnostic = Diagnostic::at(path.clone(), message);
                diagnostic.column_offset = u32::try_from(offset + 1).unwrap_or(u32::MAX);
                self.diags.push(diagnostic);
            }
            indicators[d].base_year = first.min(first_simulated);
        }
    }

    fn formula_error(&mut self, path: &KeyPath, e: crate::model::formula::FormulaError) {
        // The formula module counts columns within the formula; say so, since the location
        // printed in front is a column of the file.
        let message = match e.message.find(" at column ") {
            Some(i) => {
                let rest = &e.message[i + " at column ".len()..];
                let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
                format!(
                    "{} at character {digits} of the formula{}",
                    &e.message[..i],
                    &rest[digits.len()..]
                )
            }
            None => e.message.clone(),
        };
        let mut d = Diagnostic::at(path.clone(), format!("in formula: {message}"))
            .with_optional_help(e.help);
        // +1 for the opening quote of the TOML string.
        d.column_offset = u32::try_from(e.offset + 1).unwrap_or(u32::MAX);
        self.diags.push(d);
    }

    /// Derived indicators in dependency order; a cycle is an error naming its members.
    fn derived_order(&mut self, raw: &RawScenario, indicators: &[Indicator]) -> Vec<usize> {
        let derived: Vec<usize> = (0..indicators.len())
            .filter(|&i| indicators[i].formula.is_some())
            .collect();
        let deps = |i: usize| -> Vec<usize> {
            indicators[i]
                .formula
                .as_ref()
                .map(|f| {
                    f.slots
                        .iter()
                        .map(|&(t, _)| t)
                        .filter(|&t| indicators[t].kind == ModelKind::Derived)
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut order = Vec::new();
        let mut placed: HashSet<usize> = HashSet::new();
        loop {
            let before = order.len();
            for &i in &derived {
                if !placed.contains(&i)
                    && deps(i)
                        .iter()
                        .all(|d| placed.contains(d) || indicators[*d].formula.is_none())
                {
                    placed.insert(i);
                    order.push(i);
                }
            }
            if order.len() == derived.len() {
                return order;
            }
            if order.len() == before {
                break;
            }
        }
        let members: Vec<String> = derived
            .iter()
            .filter(|i| !placed.contains(i))
            .map(|&i| format!("`{}`", indicators[i].id))
            .collect();
        let first = derived
            .iter()
            .find(|i| !placed.contains(i))
            .copied()
            .unwrap_or(0);
        let id = raw
            .indicators
            .keys()
            .nth(first)
            .cloned()
            .unwrap_or_default();
        self.error(
            KeyPath::root().key("indicators").key(id).key("formula"),
            format!(
                "formulas form a cycle: {} depend on each other",
                members.join(", ")
            ),
        );
        order
    }

    fn lookup_indicator(
        &mut self,
        path: KeyPath,
        name: &str,
        ids: &[&str],
        what: &str,
    ) -> Option<usize> {
        match ids.iter().position(|id| *id == name) {
            Some(i) => Some(i),
            None => {
                let help = did_you_mean(name, ids.iter().copied());
                let mut d = Diagnostic::at(path, format!("unknown indicator `{name}` in {what}"))
                    .with_optional_help(help);
                // Event effects name indicators as keys: point at the key.
                d.at_key = what == "event effects";
                self.diags.push(d);
                None
            }
        }
    }

    fn correlation(
        &mut self,
        raw: &RawScenario,
        indicators: &[Indicator],
        ids: &[&str],
    ) -> Correlation {
        let n = indicators.len();
        let mut result = Correlation {
            trend: Factor::identity(n),
            noise: Factor::identity(n),
            ..Default::default()
        };
        let Some(corr) = &raw.correlation else {
            return result;
        };
        for (kind, list) in [("trend", &corr.trend), ("noise", &corr.noise)] {
            let mut pairs = Vec::new();
            let mut seen = HashSet::new();
            for (k, (a, b, rho)) in list.iter().enumerate() {
                let path = KeyPath::root().key("correlation").key(kind).index(k);
                let ia = self.lookup_indicator(path.index(0), a, ids, "a correlation");
                let ib = self.lookup_indicator(path.index(1), b, ids, "a correlation");
                let (Some(ia), Some(ib)) = (ia, ib) else {
                    continue;
                };
                for (position, &i) in [ia, ib].iter().enumerate() {
                    if self.invalid_models.contains(&i) {
                        continue;
                    }
                    if !indicators[i].kind.is_stochastic() {
                        self.error(
                            path.index(position),
                            format!(
                                "`{}` is derived: it has no trend or noise of its own to correlate",
                                indicators[i].id
                            ),
                        );
                    } else if kind == "noise" && indicators[i].kind == ModelKind::Count {
                        self.error(
                            path.index(position),
                            format!(
                                "`{}` is a count indicator: it has no yearly noise to correlate",
                                indicators[i].id
                            ),
                        );
                    }
                }
                if ia == ib {
                    self.error(
                        path.clone(),
                        format!("a correlation needs two different indicators (got `{a}` twice)"),
                    );
                    continue;
                }
                if !rho.is_finite() || !(-1.0..=1.0).contains(rho) {
                    self.error(
                        path.index(2),
                        format!("a correlation must lie in [-1, 1] (got {rho})"),
                    );
                    continue;
                }
                if !seen.insert((ia.min(ib), ia.max(ib))) {
                    self.error(
                        path.clone(),
                        format!("the pair `{a}`, `{b}` is listed twice"),
                    );
                    continue;
                }
                pairs.push((ia, ib, *rho));
                result
                    .pairs
                    .push((kind.to_string(), a.clone(), b.clone(), *rho));
            }
            let matrix = correlation::matrix_from_pairs(n, &pairs);
            let factor = match correlation::factor(&matrix) {
                Ok(f) => f,
                Err(CorrelationError::NotPositiveDefinite { min_eigenvalue }) => {
                    if corr.repair {
                        result.repaired = true;
                        match correlation::factor(&correlation::nearest_correlation(&matrix)) {
                            Ok(f) => f,
                            Err(_) => {
                                self.error(
                                    KeyPath::root().key("correlation").key(kind),
                                    "the correlation matrix could not be repaired",
                                );
                                Factor::identity(n)
                            }
                        }
                    } else {
                        self.diags.push(
                            Diagnostic::at(
                                KeyPath::root().key("correlation").key(kind),
                                format!(
                                    "the {kind} correlations are not positive definite (smallest eigenvalue {min_eigenvalue:.4}): no set of variables can have them all at once"
                                ),
                            )
                            .with_help("lower the strongest correlations, or set `repair = true` in [correlation] to use the nearest valid matrix"),
                        );
                        Factor::identity(n)
                    }
                }
            };
            if kind == "trend" {
                result.trend = factor;
            } else {
                result.noise = factor;
            }
        }
        result
    }

    fn events(
        &mut self,
        raw: &RawScenario,
        indicators: &[Indicator],
        ids: &[&str],
        base_year: i32,
        horizon: i32,
    ) -> Vec<Event> {
        let mut events = Vec::new();
        let mut seen = HashSet::new();
        for (k, ev) in raw.events.iter().enumerate() {
            let path = KeyPath::root().key("events").index(k);
            if !seen.insert(ev.id.clone()) {
                self.error(path.key("id"), format!("duplicate event id `{}`", ev.id));
            }
            if !ev.probability.is_finite() || !(0.0..=1.0).contains(&ev.probability) {
                self.error(
                    path.key("probability"),
                    format!("probability must lie in [0, 1] (got {})", ev.probability),
                );
            }
            // Default window: every simulated year of any indicator.
            let first_simulated = indicators
                .iter()
                .filter(|i| i.kind.is_stochastic())
                .map(|i| i.base_year + 1)
                .min()
                .unwrap_or(base_year + 1)
                .min(base_year + 1);
            let lo = first_simulated as i64;
            let from = ev
                .from
                .map(|y| {
                    self.year(
                        path.key("from"),
                        y,
                        (lo, horizon as i64),
                        "the event window's first year",
                        "the simulated years",
                    )
                })
                .unwrap_or(first_simulated);
            let to = ev
                .to
                .map(|y| {
                    self.year(
                        path.key("to"),
                        y,
                        (lo, horizon as i64),
                        "the event window's last year",
                        "the simulated years",
                    )
                })
                .unwrap_or(horizon);
            if from > to {
                self.error(
                    path.key("from"),
                    format!("event window {from}..{to} is empty"),
                );
            }
            let mut effects = Vec::new();
            for (name, value) in &ev.effects {
                let effect_path = path.key("effects").key(name.clone());
                let Some(i) =
                    self.lookup_indicator(effect_path.clone(), name, ids, "event effects")
                else {
                    continue;
                };
                if !indicators[i].kind.is_stochastic() {
                    if self.invalid_models.contains(&i) {
                        continue;
                    }
                    self.key_error(
                        effect_path.clone(),
                        format!(
                            "`{name}` is derived: events act on the indicators it is computed from"
                        ),
                    );
                    continue;
                }
                if let Some(size) = self.dist(value, &effect_path) {
                    effects.push(Effect { indicator: i, size });
                }
            }
            if ev.effects.is_empty() {
                self.error(path.key("effects"), "an event needs at least one effect");
            }
            events.push(Event {
                id: ev.id.clone(),
                label: ev.label.clone(),
                probability: ev.probability.clamp(0.0, 1.0),
                from,
                to,
                effects,
            });
        }
        events
    }

    fn targets(
        &mut self,
        raw: &RawScenario,
        indicators: &[Indicator],
        ids: &[&str],
        horizon: i32,
    ) -> Vec<Target> {
        let mut targets = Vec::new();
        let mut seen = HashSet::new();
        for (k, t) in raw.targets.iter().enumerate() {
            let path = KeyPath::root().key("targets").index(k);
            if t.id.is_empty()
                || t.id
                    .chars()
                    .any(|c| c.is_whitespace() || c == ',' || c == '"')
            {
                self.error(
                    path.key("id"),
                    format!(
                        "target id `{}` must be non-empty, without spaces, commas or quotes",
                        t.id
                    ),
                );
            }
            if !seen.insert(t.id.clone()) {
                self.error(path.key("id"), format!("duplicate target id `{}`", t.id));
            }
            let indicator = self.lookup_indicator(
                path.key("indicator"),
                &t.indicator,
                ids,
                &format!("target `{}`", t.id),
            );
            let kind = match t.kind.as_deref() {
                None | Some("level") => TargetKind::Level,
                Some("cagr") => TargetKind::Cagr,
                Some("cumulative") => TargetKind::Cumulative,
                Some("change") => TargetKind::Change,
                Some(other) => {
                    self.error_help(
                        path.key("kind"),
                        format!(
                            "unknown target kind `{other}`; expected one of {}",
                            KINDS.join(", ")
                        ),
                        did_you_mean(other, KINDS),
                    );
                    continue;
                }
            };
            let (from, to) = if kind == TargetKind::Level {
                for (key, value) in [("from", t.from), ("to", t.to)] {
                    if value.is_some() {
                        self.error(path.key(key), format!("a level target takes `year`, not `{key}` (from/to are for cagr, cumulative and change)"));
                    }
                }
                match t.year {
                    Some(y) => (y, y),
                    None => {
                        self.error(path.clone(), "a level target needs `year`");
                        continue;
                    }
                }
            } else {
                if t.year.is_some() {
                    self.error(
                        path.key("year"),
                        format!("a {} target takes `from` and `to`, not `year`", kind.name()),
                    );
                }
                match (t.from, t.to) {
                    (Some(from), Some(to)) if from < to => (from, to),
                    (Some(from), Some(to)) => {
                        self.error(
                            path.key("to"),
                            format!("`to` ({to}) must be after `from` ({from})"),
                        );
                        continue;
                    }
                    _ => {
                        self.error(
                            path.clone(),
                            format!("a {} target needs `from` and `to`", kind.name()),
                        );
                        continue;
                    }
                }
            };
            let Some(indicator) = indicator else { continue };
            let earliest = indicators[indicator].base_year;
            let year_key = if kind == TargetKind::Level {
                "year"
            } else {
                "from"
            };
            if from < earliest as i64 || to > horizon as i64 {
                self.error(
                    path.key(if to > horizon as i64 { if kind == TargetKind::Level { "year" } else { "to" } } else { year_key }),
                    format!("target years {}..{} are outside the years `{}` has values ({earliest}..{horizon})", from, to, t.indicator),
                );
                continue;
            }
            let thresholds: Vec<(Comparison, f64)> = [
                (Comparison::AtLeast, t.at_least),
                (Comparison::Above, t.above),
                (Comparison::AtMost, t.at_most),
                (Comparison::Below, t.below),
            ]
            .into_iter()
            .filter_map(|(c, v)| v.map(|v| (c, v)))
            .collect();
            let (comparison, threshold) = match thresholds.as_slice() {
                [(c, v)] => (*c, *v),
                [] => {
                    self.error(
                        path.clone(),
                        "a target needs one threshold: at_least, above, at_most or below",
                    );
                    continue;
                }
                many => {
                    let keys: Vec<&str> = many.iter().map(|(c, _)| c.key()).collect();
                    self.error(
                        path.key(keys[1]),
                        format!(
                            "a target takes exactly one threshold, found {}",
                            keys.join(" and ")
                        ),
                    );
                    continue;
                }
            };
            if !threshold.is_finite() {
                self.error(
                    path.key(comparison.key()),
                    format!("threshold must be a finite number (got {threshold})"),
                );
                continue;
            }
            if kind == TargetKind::Cagr {
                let ind = &indicators[indicator];
                if ind.kind.is_stochastic()
                    && from == ind.base_year as i64
                    && ind.base.is_some_and(|b| b <= 0.0)
                {
                    self.error(
                        path.key("from"),
                        format!(
                            "a cagr target needs a positive starting value, but `{}` starts at {}",
                            ind.id,
                            ind.base.unwrap_or(0.0)
                        ),
                    );
                }
            }
            targets.push(Target {
                id: t.id.clone(),
                indicator,
                kind,
                from: from as i32,
                to: to as i32,
                comparison,
                threshold,
                source: t.source.clone(),
                label: t.label.clone(),
                label_zh: t.label_zh.clone(),
            });
        }
        targets
    }

    fn groups(&mut self, raw: &RawScenario, targets: &[Target]) -> Vec<Group> {
        let target_ids: Vec<&str> = raw.targets.iter().map(|t| t.id.as_str()).collect();
        let mut groups = Vec::new();
        let mut seen = HashSet::new();
        for (k, g) in raw.groups.iter().enumerate() {
            let path = KeyPath::root().key("groups").index(k);
            if !seen.insert(g.id.clone()) || target_ids.contains(&g.id.as_str()) {
                self.error(path.key("id"), format!("duplicate id `{}` (group ids must differ from each other and from target ids)", g.id));
            }
            if g.id.starts_with("due_") {
                self.error(path.key("id"), format!("group ids starting with `due_` are reserved for the automatic due-year groups (got `{}`)", g.id));
            }
            if g.targets.is_empty() {
                self.error(path.key("targets"), "a group needs at least one target");
            }
            let mut members = Vec::new();
            for (j, name) in g.targets.iter().enumerate() {
                match targets.iter().position(|t| &t.id == name) {
                    Some(i) if members.contains(&i) => self.error(
                        path.key("targets").index(j),
                        format!("target `{name}` is listed twice"),
                    ),
                    Some(i) => members.push(i),
                    None => {
                        if !target_ids.contains(&name.as_str()) {
                            self.error_help(
                                path.key("targets").index(j),
                                format!("unknown target `{name}` in group `{}`", g.id),
                                did_you_mean(name, target_ids.iter().copied()),
                            );
                        }
                    }
                }
            }
            groups.push(Group {
                id: g.id.clone(),
                label: g.label.clone(),
                label_zh: g.label_zh.clone(),
                targets: members,
            });
        }
        groups
    }
}

fn display_value(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("the string \"{s}\""),
        toml::Value::Float(f) => format!("{f}"),
        other => format!("a {}", other.type_str()),
    }
}
