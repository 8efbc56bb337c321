//! Raw scenario -> validated [`Scenario`]: the entry point, the run settings, the checks of the
//! `[scenario]` table and the helpers every topic shares. Every rule of the format is checked
//! in this module and its children (one per topic), and every problem is reported (not only the
//! first), each tied to the key path it belongs to.

mod correlation;
mod dist;
mod events;
mod formulas;
mod groups;
mod indicators;
mod periods;
mod size;
mod targets;

use super::diagnostic::{did_you_mean, Diagnostic, KeyPath, Location};
use super::raw::{RawMeta, RawScenario};
use crate::model::{rules, Indicator, Sampling, Scenario, ScenarioParts, UpdateMode};
use std::collections::HashSet;

pub use crate::model::edit::MAX_PATHS;

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

/// The indicator models, as written after `model =`.
const MODELS: [&str; 4] = ["growth", "additive", "count", "derived"];

/// The sampling methods, as written after `sampling =`.
const SAMPLINGS: [&str; 3] = ["random", "lhs", "sobol"];

/// The update modes, as written after `update =`.
const UPDATES: [&str; 2] = ["posterior", "none"];

/// Checks a raw scenario and builds the model; returns every problem found.
pub fn validate(raw: &RawScenario, settings: &RunSettings) -> Result<Scenario, Vec<Diagnostic>> {
    // A scenario beyond the supported sizes is refused before anything costs its size.
    let too_large = size::check(raw);
    if !too_large.is_empty() {
        return Err(too_large);
    }
    let mut v = Validator {
        diags: Vec::new(),
        invalid_models: HashSet::new(),
    };
    match v.scenario(raw, settings) {
        Some(scenario) if v.diags.is_empty() => Ok(scenario),
        _ => Err(v.diags),
    }
}

/// Collects the problems while the model is built; each topic module adds its methods.
struct Validator {
    diags: Vec<Diagnostic>,
    /// Indicators whose `model` is unknown: already reported, so checks that depend on the
    /// model are skipped for them.
    invalid_models: HashSet<usize>,
}

/// The years of a scenario once `[scenario]` is checked.
#[derive(Debug, Clone, Copy)]
struct Years {
    base_year: i32,
    horizon: i32,
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

    /// Reports `value` at `path` unless it is finite; returns it either way.
    fn finite(&mut self, path: KeyPath, value: f64) -> f64 {
        if let Err(message) = rules::finite(value) {
            self.error(path, message);
        }
        value
    }

    /// Reports a year outside `lo..=hi`; returns it clamped into that range.
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

    /// The index of indicator `name`, or a problem (with "did you mean") naming `what` refers
    /// to it.
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

    fn scenario(&mut self, raw: &RawScenario, settings: &RunSettings) -> Option<Scenario> {
        let meta = &raw.scenario;
        let years = self.years(meta)?;
        let as_of = self.as_of(meta, settings, years);
        let paths = self.paths(meta, settings);
        let seed = settings.seed.or(meta.seed).unwrap_or(DEFAULT_SEED);
        let sampling = self.sampling(meta);
        let update = self.update(meta);

        // Indicators: ids first, so that references can be checked in any order.
        let ids: Vec<&str> = raw.indicators.keys().map(String::as_str).collect();
        let mut indicators = self.indicators(raw, years);
        self.formulas(raw, &mut indicators, &ids);
        let derived_order = self.derived_order(raw, &indicators);
        self.derived_years(&mut indicators, &derived_order, years.base_year);

        let correlation = self.correlation(raw, &indicators, &ids);
        let events = self.events(raw, &indicators, &ids, years);
        let targets = self.targets(raw, &indicators, &ids, years.horizon);
        let groups = self.groups(raw, &targets);
        let warnings = warnings(correlation.repaired, sampling, &indicators);

        Some(Scenario::from_parts(ScenarioParts {
            name: meta.name.clone(),
            name_zh: meta.name_zh.clone(),
            description: meta.description.clone(),
            base_year: years.base_year,
            horizon: years.horizon,
            as_of,
            seed,
            paths,
            sampling,
            update,
            indicators,
            derived_order,
            correlation,
            events,
            targets,
            groups,
            warnings,
        }))
    }

    /// `base_year` and `horizon`; `None` when either is wrong (every later year check would
    /// repeat the same mistake, so it is reported alone).
    fn years(&mut self, meta: &RawMeta) -> Option<Years> {
        let meta_path = KeyPath::root().key("scenario");
        if let Err(message) = rules::base_year(meta.base_year) {
            self.error(meta_path.key("base_year"), message);
        }
        if let Err(message) = rules::horizon(meta.base_year, meta.horizon) {
            self.error(meta_path.key("horizon"), message);
        }
        if !self.diags.is_empty() {
            return None;
        }
        let base_year = meta.base_year as i32;
        let horizon = meta.horizon.clamp(
            base_year as i64 + 1,
            base_year as i64 + rules::MAX_SPAN_YEARS,
        ) as i32;
        Some(Years { base_year, horizon })
    }

    /// `--as-of` (which wins) or the scenario's `as_of`, inside the scenario's years.
    fn as_of(&mut self, meta: &RawMeta, settings: &RunSettings, years: Years) -> Option<i32> {
        let Years { base_year, horizon } = years;
        match (settings.as_of, meta.as_of) {
            (Some(year), _) => {
                if year < base_year as i64 || year > horizon as i64 {
                    self.diags.push(Diagnostic::located(
                        Location::Argument(format!("--as-of {year}")),
                        format!(
                            "--as-of must lie between base_year {base_year} and horizon {horizon}"
                        ),
                    ));
                }
                Some(year as i32)
            }
            (None, Some(year)) => Some(self.year(
                KeyPath::root().key("scenario").key("as_of"),
                year,
                (base_year as i64, horizon as i64),
                "as_of",
                "the scenario's years",
            )),
            (None, None) => None,
        }
    }

    /// `--paths` (which wins) or the scenario's `paths`; the scenario's own value is checked
    /// even when the command line overrides it.
    fn paths(&mut self, meta: &RawMeta, settings: &RunSettings) -> u64 {
        if let Some(own) = meta.paths {
            if !(1..=MAX_PATHS).contains(&own) {
                self.error(
                    KeyPath::root().key("scenario").key("paths"),
                    format!("paths must be between 1 and {MAX_PATHS} (got {own})"),
                );
            }
        }
        if let Some(given) = settings.paths.filter(|n| !(1..=MAX_PATHS).contains(n)) {
            // Checked again here for library callers (the command line checks `--paths` first).
            self.diags.push(Diagnostic::located(
                super::diagnostic::Location::Argument(format!("paths {given}")),
                format!("the run's path count must be between 1 and {MAX_PATHS}"),
            ));
        }
        settings.paths.or(meta.paths).unwrap_or(DEFAULT_PATHS)
    }

    fn sampling(&mut self, meta: &RawMeta) -> Sampling {
        match meta.sampling.as_deref() {
            None | Some("random") => Sampling::Random,
            Some("lhs") => Sampling::Lhs,
            Some("sobol") => Sampling::Sobol,
            Some(other) => {
                self.error_help(
                    KeyPath::root().key("scenario").key("sampling"),
                    format!("unknown sampling `{other}`; expected random, lhs or sobol"),
                    did_you_mean(other, SAMPLINGS),
                );
                Sampling::Random
            }
        }
    }
}

/// Non-fatal remarks: a repaired correlation matrix, more Sobol dimensions needed than exist.
impl Validator {
    fn update(&mut self, meta: &RawMeta) -> UpdateMode {
        match meta.update.as_deref() {
            None | Some("posterior") => UpdateMode::Posterior,
            Some("none") => UpdateMode::None,
            Some(other) => {
                self.error_help(
                    KeyPath::root().key("scenario").key("update"),
                    format!("unknown update `{other}`; expected posterior or none"),
                    did_you_mean(other, UPDATES),
                );
                UpdateMode::Posterior
            }
        }
    }
}

fn warnings(repaired: bool, sampling: Sampling, indicators: &[Indicator]) -> Vec<String> {
    let mut warnings = Vec::new();
    if repaired {
        warnings.push(
            "a correlation matrix was not positive definite and was replaced by the nearest correlation matrix (repair = true)"
                .to_string(),
        );
    }
    let trend_scores = indicators.iter().filter(|i| i.kind.is_stochastic()).count();
    if sampling == Sampling::Sobol && trend_scores > crate::model::SOBOL_DIMENSIONS {
        warnings.push(format!(
            "sampling = \"sobol\": {trend_scores} indicators draw trend scores, but Sobol points are available for {} dimensions; the first {} (in file order) use Sobol points, the other {} pseudo-random draws",
            crate::model::SOBOL_DIMENSIONS,
            crate::model::SOBOL_DIMENSIONS,
            trend_scores - crate::model::SOBOL_DIMENSIONS
        ));
    }
    warnings
}

/// True for a valid indicator id: `[a-z][a-z0-9_]*`.
fn is_id(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// Helpers for the unit tests of every topic: small scenarios through the real loader path
/// (TOML text -> document -> serde mirror -> validation).
#[cfg(test)]
mod test_support {
    use super::super::diagnostic::Diagnostic;
    use super::super::{load_document, RunSettings};
    use crate::model::Scenario;

    /// A `[scenario]` table for 2020..2025.
    pub const HEADER: &str = "[scenario]\nname = \"t\"\nbase_year = 2020\nhorizon = 2025\n\n";

    /// A valid growth indicator `gdp` covering 2021..2025.
    pub const GDP: &str = "[indicators.gdp]\nname = \"GDP\"\nmodel = \"growth\"\nbase = 100\ngrowth = [{ from = 2021, to = 2025, trend = 5, noise = 1 }]\n\n";

    /// Validates a whole scenario text.
    pub fn load(text: &str) -> Result<Scenario, Vec<Diagnostic>> {
        let table: toml::Table = toml::from_str(text).expect("test TOML parses");
        load_document(table, Vec::new(), Vec::new(), &RunSettings::default())
            .map(|loaded| loaded.scenario)
            .map_err(|d| d.0)
    }

    /// Validates `HEADER` + `body`, expecting success.
    pub fn accepted(body: &str) -> Scenario {
        match load(&format!("{HEADER}{body}")) {
            Ok(scenario) => scenario,
            Err(diags) => panic!("expected no problem, got {:#?}", lines(&diags)),
        }
    }

    /// Validates `HEADER` + `body`, expecting problems: each as "key.path: message".
    pub fn problems(body: &str) -> Vec<String> {
        problems_in(&format!("{HEADER}{body}"))
    }

    /// Like [`problems`] for a whole scenario text.
    pub fn problems_in(text: &str) -> Vec<String> {
        match load(text) {
            Ok(_) => panic!("expected problems, the scenario was accepted"),
            Err(diags) => lines(&diags),
        }
    }

    /// The help lines of the problems of `HEADER` + `body`.
    pub fn helps(body: &str) -> Vec<Option<String>> {
        match load(&format!("{HEADER}{body}")) {
            Ok(_) => panic!("expected problems, the scenario was accepted"),
            Err(diags) => diags.into_iter().map(|d| d.help).collect(),
        }
    }

    fn lines(diags: &[Diagnostic]) -> Vec<String> {
        diags
            .iter()
            .map(|d| match &d.path {
                Some(path) => format!("{path}: {}", d.message),
                None => format!("{}: {}", d.location, d.message),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use crate::scenario::raw::RawScenario;

    #[test]
    fn a_minimal_scenario_is_accepted_with_defaults() {
        let s = accepted(GDP);
        assert_eq!((s.base_year(), s.horizon()), (2020, 2025));
        assert_eq!((s.paths(), s.seed()), (DEFAULT_PATHS, DEFAULT_SEED));
        assert_eq!(s.sampling(), Sampling::Random);
        assert_eq!(s.as_of(), None);
        assert!(s.warnings().is_empty());
    }

    #[test]
    fn wrong_years_are_reported_alone() {
        let text = format!(
            "[scenario]\nname = \"t\"\nbase_year = 1850\nhorizon = 1800\n\n{GDP}[[targets]]\nid = \"x\"\nindicator = \"nope\"\nyear = 2025\nat_least = 1\n"
        );
        assert_eq!(
            problems_in(&text),
            [
                "scenario.base_year: base_year 1850 is not a plausible calendar year (1900..2200)",
                "scenario.horizon: horizon 1800 must be after base_year 1850 (and at most 200 years later)",
            ]
        );
        let text = format!("[scenario]\nname = \"t\"\nbase_year = 2020\nhorizon = 2221\n\n{GDP}");
        assert_eq!(
            problems_in(&text),
            ["scenario.horizon: horizon 2221 must be after base_year 2020 (and at most 200 years later)"]
        );
    }

    #[test]
    fn an_unknown_key_lists_only_its_table_keys() {
        let text = format!(
            "[scenario]\nname = \"t\"\nbase_year = 2020\nhorizon = 2025\nzzzzqqq = 4\n\n{GDP}"
        );
        let diags = load(&text).unwrap_err();
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].help.as_deref(),
            Some("valid keys here: name, name_zh, description, base_year, horizon, as_of, seed, paths, sampling, update")
        );
    }

    #[test]
    fn update_mode_defaults_to_posterior_and_offers_the_nearest() {
        let base = "[scenario]\nname = \"t\"\nbase_year = 2020\nhorizon = 2025\n";
        let s = load(&format!("{base}\n{GDP}")).unwrap();
        assert_eq!(s.update(), UpdateMode::Posterior);
        let s = load(&format!("{base}update = \"none\"\n\n{GDP}")).unwrap();
        assert_eq!(s.update(), UpdateMode::None);
        let diags = load(&format!("{base}update = \"posterier\"\n\n{GDP}")).unwrap_err();
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].message,
            "unknown update `posterier`; expected posterior or none"
        );
        assert_eq!(diags[0].help.as_deref(), Some("did you mean `posterior`?"));
    }

    #[test]
    fn unknown_sampling_offers_the_nearest() {
        let text = format!(
            "[scenario]\nname = \"t\"\nbase_year = 2020\nhorizon = 2025\nsampling = \"sobl\"\n\n{GDP}"
        );
        let diags = load(&text).unwrap_err();
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].message,
            "unknown sampling `sobl`; expected random, lhs or sobol"
        );
        assert_eq!(
            diags[0].path,
            Some(KeyPath::root().key("scenario").key("sampling"))
        );
        assert_eq!(diags[0].help.as_deref(), Some("did you mean `sobol`?"));
    }

    #[test]
    fn scenario_settings_and_command_line_precedence() {
        let text = format!(
            "[scenario]\nname = \"t\"\nbase_year = 2020\nhorizon = 2025\npaths = 500\nseed = 9\nas_of = 2022\nsampling = \"lhs\"\n\n{GDP}"
        );
        let s = load(&text).expect("valid");
        assert_eq!((s.paths(), s.seed(), s.as_of()), (500, 9, Some(2022)));
        assert_eq!(s.sampling(), Sampling::Lhs);

        let raw: RawScenario = toml::from_str(&text).expect("parses");
        let settings = RunSettings {
            paths: Some(7),
            seed: Some(3),
            as_of: Some(2021),
        };
        let s = validate(&raw, &settings).expect("valid");
        assert_eq!((s.paths(), s.seed(), s.as_of()), (7, 3, Some(2021)));
    }

    #[test]
    fn out_of_range_settings_are_refused() {
        let text = format!(
            "[scenario]\nname = \"t\"\nbase_year = 2020\nhorizon = 2025\npaths = 0\nas_of = 2030\n\n{GDP}"
        );
        assert_eq!(
            problems_in(&text),
            [
                "scenario.as_of: as_of 2030 is outside the scenario's years 2020..2025",
                "scenario.paths: paths must be between 1 and 4294967296 (got 0)",
            ]
        );
        let raw: RawScenario = toml::from_str(&format!("{HEADER}{GDP}")).expect("parses");
        let settings = RunSettings {
            as_of: Some(2019),
            ..RunSettings::default()
        };
        let diags = validate(&raw, &settings).unwrap_err();
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].location,
            Location::Argument("--as-of 2019".to_string())
        );
        assert_eq!(
            diags[0].message,
            "--as-of must lie between base_year 2020 and horizon 2025"
        );
    }

    #[test]
    fn a_scenario_without_indicators_is_refused() {
        assert_eq!(
            problems(""),
            ["(top level): the scenario defines no indicators ([indicators.<id>] tables)"]
        );
    }

    #[test]
    fn ids_follow_the_pattern() {
        assert!(is_id("rd_spend2"));
        assert!(!is_id("RD"));
        assert!(!is_id("2gdp"));
        assert!(!is_id(""));
        assert!(!is_id("gdp-2"));
    }
}
