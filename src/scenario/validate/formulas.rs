//! Checks of derived indicators' formulas: parsing and binding each `formula` to the
//! indicators it names, the evaluation order of derived indicators (no cycles), and each derived
//! indicator's first year with a value (lags must not reach before their source's first value).

use super::super::diagnostic::{Diagnostic, KeyPath};
use super::super::raw::RawScenario;
use super::Validator;
use crate::model::formula::{Formula, FormulaError};
use crate::model::{DerivedFormula, Indicator, ModelKind};
use std::collections::{HashMap, HashSet};

impl Validator {
    /// Parses and binds the formula of every derived indicator (slots: indicator and lag).
    pub(super) fn formulas(
        &mut self,
        raw: &RawScenario,
        indicators: &mut [Indicator],
        ids: &[&str],
    ) {
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
    pub(super) fn derived_years(
        &mut self,
        indicators: &mut [Indicator],
        order: &[usize],
        base_year: i32,
    ) {
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
                // In wide integers: a lag of 2^63 years once wrapped around to lag 0.
                let first_wide = (source_first as i128 + lag as i128).min(i32::MAX as i128);
                first = first.max(first_wide as i32);
                let reached = first_simulated as i128 - lag as i128;
                if reached < source_first as i128 {
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
                    let to = if reached < -9999 {
                        format!("{lag} years before")
                    } else {
                        format!("to {reached}")
                    };
                    errors.push((offset, format!(
                        "`{written}` reaches back {to} in the first simulated year {first_simulated}, but `{id}` has values only from {source_first}"
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

    /// Reports a formula problem at the formula's key, pointing at its character in the string.
    fn formula_error(&mut self, path: &KeyPath, e: FormulaError) {
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
    pub(super) fn derived_order(
        &mut self,
        raw: &RawScenario,
        indicators: &[Indicator],
    ) -> Vec<usize> {
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
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    fn derived(id: &str, formula: &str) -> String {
        format!(
            "[indicators.{id}]\nname = \"{id}\"\nmodel = \"derived\"\nformula = \"{formula}\"\n\n"
        )
    }

    #[test]
    fn formulas_are_bound_ordered_and_dated() {
        let s = accepted(&format!(
            "{GDP}{}{}",
            derived("per_cap", "growth_of_gdp * 2"),
            derived("growth_of_gdp", "gdp / gdp[-1]")
        ));
        // Dependencies first, whatever the file order.
        assert_eq!(s.derived_order(), [2, 1]);
        let growth_of_gdp = &s.indicators()[2];
        let formula = growth_of_gdp.formula.as_ref().expect("bound");
        assert_eq!(formula.slots, [(0, 0), (0, 1)]);
        // First year with every term: gdp[-1] has a value from 2021 on.
        assert_eq!(growth_of_gdp.base_year, 2021);
        assert_eq!(s.indicators()[1].base_year, 2021);
    }

    #[test]
    fn unknown_names_offer_the_nearest() {
        let body = format!("{GDP}{}", derived("ratio", "gpd * 2"));
        let problems = problems(&body);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0]
                .starts_with("indicators.ratio.formula: in formula: unknown indicator `gpd`"),
            "{problems:?}"
        );
        assert_eq!(helps(&body), [Some("did you mean `gdp`?".to_string())]);
    }

    #[test]
    fn syntax_errors_count_characters_of_the_formula() {
        let body = format!("{GDP}{}", derived("ratio", "(gdp * 2"));
        let diags = load(&format!("{HEADER}{body}")).unwrap_err();
        assert_eq!(diags.len(), 1);
        assert!(
            diags[0].message.starts_with("in formula: "),
            "{}",
            diags[0].message
        );
        assert!(
            diags[0].message.contains("at character 1 of the formula"),
            "{}",
            diags[0].message
        );
        assert!(!diags[0].message.contains("column"), "{}", diags[0].message);
        assert_eq!(diags[0].column_offset, 1 + 8);
    }

    #[test]
    fn cycles_name_their_members() {
        let body = format!(
            "{GDP}{}{}{}",
            derived("a", "b + gdp"),
            derived("b", "a * 2"),
            derived("c", "gdp")
        );
        assert_eq!(
            problems(&body),
            ["indicators.a.formula: formulas form a cycle: `a`, `b` depend on each other"]
        );
    }

    #[test]
    fn lags_must_not_reach_before_the_first_value() {
        let body = format!("{GDP}{}", derived("ratio", "gdp / gdp[-2]"));
        let diags = load(&format!("{HEADER}{body}")).unwrap_err();
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            ["`gdp[-2]` reaches back to 2019 in the first simulated year 2021, but `gdp` has values only from 2020"]
        );
        // Points at `gdp[-2]` inside the string (after the quote).
        assert_eq!(diags[0].column_offset, 1 + 6);
        // A lag of 2^63 years once wrapped around to lag 0 and was accepted.
        let body = format!("{GDP}{}", derived("far", "gdp[-9223372036854775808]"));
        let diags = load(&format!("{HEADER}{body}")).unwrap_err();
        assert_eq!(
            diags[0].message,
            "`gdp[-9223372036854775808]` reaches back 9223372036854775808 years before in the first simulated year 2021, but `gdp` has values only from 2020"
        );
    }
}
