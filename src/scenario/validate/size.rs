//! The size of a scenario, checked before anything else: the supported sizes of
//! [`crate::scenario::limits`] (`docs/limits.md`). A scenario beyond them is refused with the
//! limit it exceeds, before validation or the engine spend time and memory on it.

use super::super::diagnostic::{Diagnostic, KeyPath};
use super::super::limits::{
    MAX_CELLS, MAX_CORRELATION_ENTRIES, MAX_DISCRETE_VALUES, MAX_EVENTS, MAX_FACTORS,
    MAX_FACTOR_LOADINGS, MAX_FORMULA_CHARS, MAX_GROUPS, MAX_INDICATORS, MAX_OBSERVED, MAX_PERIODS,
    MAX_TARGETS, MAX_TARGETS_PER_INDICATOR,
};
use super::super::raw::RawScenario;
use std::collections::HashMap;

/// Every size limit `raw` exceeds, each at the key it concerns (none: the scenario can be
/// served).
pub(super) fn check(raw: &RawScenario) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut over = |path: KeyPath, what: String, count: usize, limit: usize| {
        if count > limit {
            out.push(Diagnostic::at(
                path,
                format!(
                    "{what}: {count}, more than the {limit} plancast supports (see docs/limits.md)"
                ),
            ));
        }
    };
    let root = KeyPath::root();
    let indicators = raw.indicators.len();
    over(
        root.key("indicators"),
        "indicators".into(),
        indicators,
        MAX_INDICATORS,
    );
    // The year axis runs from the earliest base year (at most 50 before the scenario's) to the
    // horizon; years out of range are refused by validation, so clamp them here.
    let base = raw.scenario.base_year;
    let earliest = raw
        .indicators
        .values()
        .filter_map(|i| i.base_year)
        .fold(base, i64::min)
        .max(base - 50);
    let years = (raw.scenario.horizon.min(base + 200) - earliest + 1).clamp(1, 251) as usize;
    over(
        root.key("indicators"),
        format!("simulated cells (indicators × {years} years)"),
        indicators * years,
        MAX_CELLS,
    );
    for (id, indicator) in &raw.indicators {
        let path = root.key("indicators").key(id.clone());
        for (key, periods) in [
            ("growth", &indicator.growth),
            ("step", &indicator.step),
            ("rate", &indicator.rate),
        ] {
            let Some(periods) = periods else { continue };
            over(
                path.key(key),
                format!("periods of `{id}`"),
                periods.len(),
                MAX_PERIODS,
            );
            for (k, period) in periods.iter().enumerate().take(MAX_PERIODS) {
                discrete(
                    &mut over,
                    path.key(key).index(k).key("trend"),
                    &period.trend,
                );
            }
        }
        over(
            path.key("observed"),
            format!("observed years of `{id}`"),
            indicator.observed.as_ref().map_or(0, |o| o.len()),
            MAX_OBSERVED,
        );
        over(
            path.key("observed_sources"),
            format!("observed sources of `{id}`"),
            indicator.observed_sources.as_ref().map_or(0, |o| o.len()),
            MAX_OBSERVED,
        );
        over(
            path.key("formula"),
            format!("characters in the formula of `{id}`"),
            indicator.formula.as_ref().map_or(0, |f| f.chars().count()),
            MAX_FORMULA_CHARS,
        );
    }
    if let Some(correlation) = &raw.correlation {
        for (key, entries) in [("noise", &correlation.noise), ("trend", &correlation.trend)] {
            over(
                root.key("correlation").key(key),
                format!("correlation.{key} entries"),
                entries.len(),
                MAX_CORRELATION_ENTRIES,
            );
        }
        let factors = root.key("correlation").key("factors");
        over(
            factors.clone(),
            "common factors".into(),
            correlation.factors.len(),
            MAX_FACTORS,
        );
        for (k, factor) in correlation.factors.iter().enumerate().take(MAX_FACTORS) {
            over(
                factors.index(k).key("loadings"),
                format!("members of the factor `{}`", factor.id),
                factor.loadings.len(),
                MAX_FACTOR_LOADINGS,
            );
        }
    }
    over(
        root.key("events"),
        "events".into(),
        raw.events.len(),
        MAX_EVENTS,
    );
    for (e, event) in raw.events.iter().enumerate().take(MAX_EVENTS) {
        for (name, effect) in &event.effects {
            discrete(
                &mut over,
                root.key("events").index(e).key("effects").key(name.clone()),
                effect,
            );
        }
    }
    over(
        root.key("targets"),
        "targets".into(),
        raw.targets.len(),
        MAX_TARGETS,
    );
    // Milestone pairs grow with the square of the targets on one indicator.
    let mut per_indicator: HashMap<&str, usize> = HashMap::new();
    for target in &raw.targets {
        *per_indicator.entry(target.indicator.as_str()).or_default() += 1;
    }
    let mut crowded: Vec<(&str, usize)> = per_indicator
        .into_iter()
        .filter(|(_, n)| *n > MAX_TARGETS_PER_INDICATOR)
        .collect();
    crowded.sort();
    for (indicator, n) in crowded {
        over(
            root.key("targets"),
            format!("targets on the indicator `{indicator}`"),
            n,
            MAX_TARGETS_PER_INDICATOR,
        );
    }
    over(
        root.key("groups"),
        "groups".into(),
        raw.groups.len(),
        MAX_GROUPS,
    );
    for (g, group) in raw.groups.iter().enumerate().take(MAX_GROUPS) {
        over(
            root.key("groups").index(g).key("targets"),
            format!("members of the group `{}`", group.id),
            group.targets.len(),
            MAX_TARGETS,
        );
    }
    out
}

/// The values of a `discrete` distribution written at `path`, if `value` is one.
fn discrete(
    over: &mut impl FnMut(KeyPath, String, usize, usize),
    path: KeyPath,
    value: &toml::Value,
) {
    let Some(table) = value.as_table() else {
        return;
    };
    for key in ["values", "weights"] {
        if let Some(list) = table.get(key).and_then(|v| v.as_array()) {
            over(
                path.key(key),
                format!("`{key}` of a discrete distribution"),
                list.len(),
                MAX_DISCRETE_VALUES,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        let raw: RawScenario = toml::from_str(text).expect("parses");
        check(&raw).into_iter().map(|d| d.message).collect()
    }

    const HEAD: &str = "[scenario]\nname = \"t\"\nbase_year = 2020\nhorizon = 2030\n";

    #[test]
    fn a_scenario_beyond_the_limits_is_refused_naming_the_limit() {
        let mut text = String::from(HEAD);
        text.push_str("[indicators.gdp]\nname = \"g\"\nmodel = \"growth\"\nbase = 1\n");
        text.push_str(
            "growth = [{ from = 2021, to = 2030, trend = { dist = \"discrete\", values = [",
        );
        text.push_str(&vec!["1"; MAX_DISCRETE_VALUES + 1].join(","));
        text.push_str("], weights = [1] }}]\n");
        for k in 0..=MAX_TARGETS_PER_INDICATOR {
            text.push_str(&format!(
                "[[targets]]\nid = \"t{k}\"\nindicator = \"gdp\"\nyear = 2025\nat_least = 1\n"
            ));
        }
        let found = problems(&text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].contains("`values` of a discrete distribution: 10001, more than the 10000")
        );
        assert!(found[1].contains("targets on the indicator `gdp`: 101, more than the 100"));
    }

    #[test]
    fn indicators_times_years_is_limited() {
        let mut text = String::from(HEAD).replace("horizon = 2030", "horizon = 2220");
        for k in 0..120 {
            text.push_str(&format!(
                "[indicators.i{k}]\nname = \"i\"\nmodel = \"derived\"\nformula = \"1\"\n"
            ));
        }
        let found = problems(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0]
            .contains("simulated cells (indicators × 201 years): 24120, more than the 20000"));
        assert!(problems(&HEAD.replace("horizon = 2030", "horizon = 2025")).is_empty());
    }
}
