//! Checks of each `[indicators.<id>]` table: the id, `model`, `base_year`, `base`, `observed`
//! and `observed_sources`, which keys fit the model (`formula`, `min`/`max`), and the clamps.
//! The periods themselves are checked in `periods.rs`, the formulas in `formulas.rs`.

use super::super::diagnostic::{did_you_mean, with_article, KeyPath};
use super::super::raw::{RawIndicator, RawScenario};
use super::{is_id, Validator, Years, MODELS};
use crate::model::{rules, Indicator, ModelKind};
use std::collections::BTreeMap;

/// What the checks of one indicator share.
pub(super) struct IndicatorContext<'a> {
    /// The table as written.
    pub raw: &'a RawIndicator,
    /// `indicators.<id>`.
    pub path: &'a KeyPath,
    /// The model (`Derived` stands in for an unknown one).
    pub kind: ModelKind,
    /// False when `model` is unknown: already reported, so model-dependent checks are skipped.
    pub known_model: bool,
    /// The indicator's own base year.
    pub base_year: i32,
    /// The scenario's horizon.
    pub horizon: i32,
}

impl Validator {
    /// Every indicator in file order; an unknown model is remembered in `invalid_models`.
    pub(super) fn indicators(&mut self, raw: &RawScenario, years: Years) -> Vec<Indicator> {
        let root = KeyPath::root();
        let mut indicators = Vec::new();
        for (id, ind) in &raw.indicators {
            let path = root.key("indicators").key(id.clone());
            if !MODELS.contains(&ind.model.as_str()) {
                self.invalid_models.insert(indicators.len());
            }
            indicators.push(self.indicator(id, ind, &path, years));
        }
        if indicators.is_empty() {
            self.error(
                root,
                "the scenario defines no indicators ([indicators.<id>] tables)",
            );
        }
        indicators
    }

    fn indicator(
        &mut self,
        id: &str,
        raw: &RawIndicator,
        path: &KeyPath,
        years: Years,
    ) -> Indicator {
        if !is_id(id) {
            self.error(
                path.clone(),
                format!("indicator id `{id}` must start with a lowercase letter and use only a-z, 0-9 and _"),
            );
        }
        let kind = self.model_kind(raw, path);
        let known_model = MODELS.contains(&raw.model.as_str());
        let own_base_year = self.own_base_year(raw, path, kind, known_model, years.base_year);
        let cx = IndicatorContext {
            raw,
            path,
            kind,
            known_model,
            base_year: own_base_year,
            horizon: years.horizon,
        };
        let base = self.base(&cx);
        let observed = self.observed(&cx);
        let observed_sources = self.observed_sources(&cx);
        let periods = self.indicator_periods(&cx);
        self.formula_presence(&cx);
        self.clamps(&cx, base);
        let exit = self.exit(&cx);

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
            min: raw.min,
            max: raw.max,
            exit,
            formula: None,
        }
    }

    /// `model`; an unknown one is reported (with "did you mean") and read as derived.
    fn model_kind(&mut self, raw: &RawIndicator, path: &KeyPath) -> ModelKind {
        match raw.model.as_str() {
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
        }
    }

    /// The indicator's own `base_year`: not after the scenario's, at most 50 years before it,
    /// and not written at all for a derived indicator.
    fn own_base_year(
        &mut self,
        raw: &RawIndicator,
        path: &KeyPath,
        kind: ModelKind,
        known_model: bool,
        base_year: i32,
    ) -> i32 {
        let Some(year) = raw.base_year else {
            return base_year;
        };
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

    /// `base`: required by the simulated models (see [`rules::base`]), refused for a derived one.
    fn base(&mut self, cx: &IndicatorContext) -> Option<f64> {
        let path = cx.path;
        match (cx.kind, cx.raw.base) {
            (ModelKind::Derived, Some(_)) if cx.known_model => {
                self.error(
                    path.key("base"),
                    "a derived indicator takes no `base`: its values come from its formula",
                );
                None
            }
            (ModelKind::Derived, _) => None,
            (kind, None) => {
                self.error(
                    path.clone(),
                    format!(
                        "{} indicator needs `base` (its value in {})",
                        with_article(kind.name()),
                        cx.base_year
                    ),
                );
                Some(1.0)
            }
            (kind, Some(value)) => {
                // Both halves of `rules::base` are reported: a count of -inf is non-finite and
                // negative.
                let value = self.finite(path.key("base"), value);
                if let Err(message) = rules::base_sign(kind, value) {
                    self.error(path.key("base"), message);
                }
                Some(value)
            }
        }
    }

    /// `observed`: years within the scenario, finite values, none in a simulated indicator's
    /// base year, positive values after a growth indicator's base year.
    fn observed(&mut self, cx: &IndicatorContext) -> BTreeMap<i32, f64> {
        let (kind, own_base_year, horizon) = (cx.kind, cx.base_year, cx.horizon);
        let mut observed = BTreeMap::new();
        for (key, &value) in cx.raw.observed.iter().flatten() {
            let obs_path = cx.path.key("observed").key(key.clone());
            let Some(year) = year_key(key) else {
                self.key_error(obs_path, not_a_year(key));
                continue;
            };
            if year > horizon || year < 1900 {
                self.key_error(
                    obs_path,
                    format!("observed year {year} is outside the scenario (horizon {horizon})"),
                );
                continue;
            }
            if let Err(message) = rules::observed(value) {
                self.error(obs_path, message);
                continue;
            }
            if kind.is_stochastic() && year == own_base_year {
                self.key_error(
                    obs_path,
                    format!("{year} is the indicator's base year: its value is `base`, not an observation"),
                );
                continue;
            }
            if kind == ModelKind::Growth && year > own_base_year {
                if let Err(message) = rules::growth_observed(value) {
                    self.error(obs_path, message);
                    continue;
                }
            }
            observed.insert(year, value);
        }
        observed
    }

    /// `observed_sources`: each key a year that has an observed value.
    fn observed_sources(&mut self, cx: &IndicatorContext) -> BTreeMap<i32, String> {
        let raw = cx.raw;
        let mut observed_sources = BTreeMap::new();
        for (key, text) in raw.observed_sources.iter().flatten() {
            let src_path = cx.path.key("observed_sources").key(key.clone());
            match year_key(key).ok_or(()) {
                Ok(year) if raw.observed.iter().flatten().any(|(k, _)| k == key) => {
                    observed_sources.insert(year, text.clone());
                }
                Ok(year) => self.key_error(
                    src_path,
                    format!(
                        "a source is given for {year}, but there is no observed value for {year}"
                    ),
                ),
                Err(()) => self.key_error(src_path, not_a_year(key)),
            }
        }
        observed_sources
    }

    /// `formula` exactly when the model is derived.
    fn formula_presence(&mut self, cx: &IndicatorContext) {
        let (kind, has_formula) = (cx.kind, cx.raw.formula.is_some());
        if kind != ModelKind::Derived && has_formula && cx.known_model {
            self.error(
                cx.path.key("formula"),
                format!(
                    "{} indicator takes no formula; use model = \"derived\"",
                    with_article(kind.name())
                ),
            );
        }
        if kind == ModelKind::Derived && !has_formula && cx.known_model {
            self.error(
                cx.path.clone(),
                "a derived indicator needs `formula`, e.g. formula = \"rd_spend / gdp * 100\"",
            );
        }
    }

    /// `exit`: a count indicator's yearly exit share, finite and in `[0, 1)`
    /// ([`rules::exit_share`]); 0 when absent.
    fn exit(&mut self, cx: &IndicatorContext) -> f64 {
        let Some(value) = cx.raw.exit else {
            return 0.0;
        };
        let path = cx.path.key("exit");
        if cx.kind != ModelKind::Count && cx.known_model {
            self.error(
                path,
                format!(
                    "`exit` (the yearly share of units that leave) applies to count indicators only; this is {} indicator",
                    crate::scenario::diagnostic::with_article(cx.kind.name())
                ),
            );
            return 0.0;
        }
        let q = match rules::exit_share(value) {
            Ok(q) => q,
            Err(message) => {
                self.error(path, message);
                return 0.0;
            }
        };
        if let Some(b) = cx
            .raw
            .base
            .filter(|&b| b.is_finite() && !rules::whole_units(b))
        {
            self.error(
                cx.path.key("base"),
                format!("with `exit`, the base must be a whole number of units (got {b})"),
            );
        }
        for (year, &v) in cx.raw.observed.iter().flatten() {
            if v.is_finite() && !rules::whole_units(v) {
                self.error(
                    cx.path.key("observed").key(year),
                    format!(
                        "with `exit`, observed counts must be whole numbers of units (got {v})"
                    ),
                );
            }
        }
        q
    }

    /// `min` and `max`: finite, additive indicators only, `min < max` ([`rules::clamp_bounds`]),
    /// and the base between them ([`rules::base_within_clamps`]).
    fn clamps(&mut self, cx: &IndicatorContext, base: Option<f64>) {
        let path = cx.path;
        let (min, max) = (cx.raw.min, cx.raw.max);
        for (key, value) in [("min", min), ("max", max)] {
            if let Some(v) = value {
                self.finite(path.key(key), v);
            }
        }
        if (min.is_some() || max.is_some()) && cx.kind != ModelKind::Additive && cx.known_model {
            self.error(
                path.key(if min.is_some() { "min" } else { "max" }),
                "`min` and `max` clamp additive indicators only",
            );
        }
        if let (Some(lo), Some(hi)) = (min, max) {
            if let Err(message) = rules::clamp_bounds(lo, hi) {
                self.error(path.key("min"), message);
            }
        }
        if let (Some(b), ModelKind::Additive) = (base, cx.kind) {
            if let Err(message) = rules::base_within_clamps(b, min, max) {
                self.error(path.key("base"), message);
            }
        }
    }
}

/// A year written as a key of `observed` or `observed_sources`: digits only, without sign,
/// spaces or leading zeros, so that each year has one spelling (`"02021"` beside `2021` would
/// otherwise give the year twice, the last silently winning).
fn year_key(key: &str) -> Option<i32> {
    let plain = !key.is_empty()
        && key.len() <= 6
        && key.bytes().all(|b| b.is_ascii_digit())
        && !key.starts_with('0');
    plain.then(|| key.parse().ok()).flatten()
}

fn not_a_year(key: &str) -> String {
    format!("`{key}` is not a year: write the year in digits only, such as 2021 (no sign, spaces or leading zeros)")
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::model::ModelKind;

    #[test]
    fn indicators_of_every_model_are_accepted() {
        let s = accepted(&format!(
            "{GDP}[indicators.jobs]\nname = \"Jobs\"\nmodel = \"additive\"\nbase = 10\nmin = 0\nmax = 50\nbase_year = 2019\nobserved = {{ 2020 = 11 }}\nobserved_sources = {{ 2020 = \"yearbook\" }}\nstep = [{{ from = 2020, to = 2025, trend = 1 }}]\n\n[indicators.firms]\nname = \"Firms\"\nmodel = \"count\"\nbase = 0\nrate = [{{ from = 2021, to = 2025, trend = 3 }}]\n\n[indicators.share]\nname = \"Share\"\nmodel = \"derived\"\nformula = \"jobs / gdp\"\n"
        ));
        let kinds: Vec<ModelKind> = s.indicators().iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [
                ModelKind::Growth,
                ModelKind::Additive,
                ModelKind::Count,
                ModelKind::Derived
            ]
        );
        let jobs = &s.indicators()[1];
        assert_eq!((jobs.base_year, jobs.base), (2019, Some(10.0)));
        assert_eq!((jobs.min, jobs.max), (Some(0.0), Some(50.0)));
        assert_eq!(jobs.observed.get(&2020), Some(&11.0));
        assert_eq!(
            jobs.observed_sources.get(&2020).map(String::as_str),
            Some("yearbook")
        );
    }

    #[test]
    fn unknown_model_offers_the_nearest_and_skips_model_checks() {
        let body = "[indicators.gdp]\nname = \"GDP\"\nmodel = \"grwth\"\nbase = 100\n";
        assert_eq!(
            problems(body),
            ["indicators.gdp.model: unknown model `grwth`; expected one of growth, additive, count, derived"]
        );
        assert_eq!(helps(body), [Some("did you mean `growth`?".to_string())]);
    }

    #[test]
    fn bad_ids_and_base_years_are_refused() {
        let body = GDP.replace("[indicators.gdp]", "[indicators.Gdp]");
        assert_eq!(
            problems(&body),
            ["indicators.Gdp: indicator id `Gdp` must start with a lowercase letter and use only a-z, 0-9 and _"]
        );
        let body = GDP.replace("base = 100", "base = 100\nbase_year = 2021");
        assert_eq!(
            problems(&body),
            ["indicators.gdp.base_year: an indicator's base_year (2021) cannot be after the scenario's (2020)"]
        );
        let body = GDP.replace("base = 100", "base = 100\nbase_year = 1960");
        assert_eq!(
            problems(&body),
            ["indicators.gdp.base_year: base_year 1960 is too far before the scenario's base_year 2020"]
        );
    }

    #[test]
    fn base_rules_per_model() {
        let body = GDP
            .replace("model = \"growth\"", "model = \"count\"")
            .replace("growth = [", "rate = [")
            .replace(", noise = 1", "")
            .replace("base = 100", "base = -inf");
        // Both halves of the base rule are reported for a count of -inf.
        assert_eq!(
            problems(&body),
            [
                "indicators.gdp.base: must be a finite number (got -inf)",
                "indicators.gdp.base: a count cannot be negative (got -inf)",
            ]
        );
        assert_eq!(
            problems(&GDP.replace("base = 100", "base = -1")),
            ["indicators.gdp.base: a growth indicator's base must be positive (got -1): growth compounds from it"]
        );
        assert_eq!(
            problems(&GDP.replace("base = 100\n", "")),
            ["indicators.gdp: a growth indicator needs `base` (its value in 2020)"]
        );
    }

    #[test]
    fn a_year_has_one_spelling() {
        // `"02021"` beside `2021` once gave the year twice, the last silently winning.
        let body = GDP.replace(
            "base = 100",
            "base = 100\nobserved = { 2021 = 101, \"02021\" = 150, \"+2022\" = 1, \" 2023\" = 1 }",
        );
        let found = problems(&body);
        assert_eq!(found.len(), 3, "{found:?}");
        for (problem, key) in found.iter().zip(["02021", "+2022", " 2023"]) {
            assert!(
                problem.contains(&format!("`{key}` is not a year")),
                "{problem}"
            );
        }
    }

    #[test]
    fn observations_are_checked_in_order() {
        let body = GDP.replace(
            "base = 100",
            "base = 100\nobserved = { x = 1, 2030 = 1, 2020 = 1, 2021 = -4, 2022 = nan, 2023 = 120 }\nobserved_sources = { 2024 = \"none\" }",
        );
        assert_eq!(
            problems(&body),
            [
                "indicators.gdp.observed.x: `x` is not a year: write the year in digits only, such as 2021 (no sign, spaces or leading zeros)",
                "indicators.gdp.observed.2030: observed year 2030 is outside the scenario (horizon 2025)",
                "indicators.gdp.observed.2020: 2020 is the indicator's base year: its value is `base`, not an observation",
                "indicators.gdp.observed.2021: a growth indicator's observations must be positive (got -4)",
                "indicators.gdp.observed.2022: observed value must be a finite number (got NaN)",
                "indicators.gdp.observed_sources.2024: a source is given for 2024, but there is no observed value for 2024",
            ]
        );
    }

    #[test]
    fn keys_must_fit_the_model() {
        let body = format!(
            "{}[indicators.share]\nname = \"Share\"\nmodel = \"derived\"\nbase = 1\nbase_year = 2019\n",
            GDP.replace("base = 100", "base = 100\nformula = \"1\"\nmin = 0")
        );
        assert_eq!(
            problems(&body),
            [
                "indicators.gdp.formula: a growth indicator takes no formula; use model = \"derived\"",
                "indicators.gdp.min: `min` and `max` clamp additive indicators only",
                "indicators.share.base_year: a derived indicator has no base_year: it is computed wherever its formula's terms have values",
                "indicators.share.base: a derived indicator takes no `base`: its values come from its formula",
                "indicators.share: a derived indicator needs `formula`, e.g. formula = \"rd_spend / gdp * 100\"",
            ]
        );
    }

    #[test]
    fn additive_clamps() {
        let additive = "[indicators.jobs]\nname = \"Jobs\"\nmodel = \"additive\"\nbase = 10\nstep = [{ from = 2021, to = 2025, trend = 1 }]\n";
        assert_eq!(
            problems(&additive.replace("base = 10", "base = 10\nmin = 20\nmax = 20")),
            [
                "indicators.jobs.min: min 20 must be below max 20",
                "indicators.jobs.base: base 10 lies outside [min, max]",
            ]
        );
        assert_eq!(
            problems(&additive.replace("base = 10", "base = 10\nmax = inf")),
            ["indicators.jobs.max: must be a finite number (got inf)"]
        );
        let s = accepted(&additive.replace("base = 10", "base = 10\nmin = 10"));
        assert_eq!(s.indicators()[0].min, Some(10.0));
    }
}
