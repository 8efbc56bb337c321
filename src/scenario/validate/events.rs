//! Checks of `[[events]]`: unique ids, the yearly probability ([`rules::probability`]), the
//! window within the simulated years, and each effect (a simulated indicator and a
//! distribution).

use super::super::diagnostic::KeyPath;
use super::super::raw::{RawEvent, RawScenario};
use super::{Validator, Years};
use crate::model::{rules, Effect, Event, Indicator};
use std::collections::HashSet;

impl Validator {
    /// Every event in file order.
    pub(super) fn events(
        &mut self,
        raw: &RawScenario,
        indicators: &[Indicator],
        ids: &[&str],
        years: Years,
    ) -> Vec<Event> {
        // Default window: every simulated year of any indicator.
        let first_simulated = indicators
            .iter()
            .filter(|i| i.kind.is_stochastic())
            .map(|i| i.base_year + 1)
            .min()
            .unwrap_or(years.base_year + 1)
            .min(years.base_year + 1);
        let mut events = Vec::new();
        let mut seen = HashSet::new();
        for (k, ev) in raw.events.iter().enumerate() {
            let path = KeyPath::root().key("events").index(k);
            if !seen.insert(ev.id.clone()) {
                self.error(path.key("id"), format!("duplicate event id `{}`", ev.id));
            }
            if let Err(message) = rules::probability(ev.probability) {
                self.error(path.key("probability"), message);
            }
            let (from, to) = self.event_window(ev, &path, first_simulated, years.horizon);
            let effects = self.event_effects(ev, &path, indicators, ids);
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

    /// `from` and `to` (defaults: the first simulated year and the horizon), within the
    /// simulated years and not empty.
    fn event_window(
        &mut self,
        ev: &RawEvent,
        path: &KeyPath,
        first_simulated: i32,
        horizon: i32,
    ) -> (i32, i32) {
        let range = (first_simulated as i64, horizon as i64);
        let from = ev
            .from
            .map(|y| {
                self.year(
                    path.key("from"),
                    y,
                    range,
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
                    range,
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
        (from, to)
    }

    /// The effects: at least one, each on a known simulated indicator, each a distribution.
    fn event_effects(
        &mut self,
        ev: &RawEvent,
        path: &KeyPath,
        indicators: &[Indicator],
        ids: &[&str],
    ) -> Vec<Effect> {
        let mut effects = Vec::new();
        for (name, value) in &ev.effects {
            let effect_path = path.key("effects").key(name.clone());
            let Some(i) = self.lookup_indicator(effect_path.clone(), name, ids, "event effects")
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
            if let Some((size_spec, size)) = self.dist(value, &effect_path) {
                effects.push(Effect {
                    indicator: i,
                    size,
                    size_spec,
                });
            }
        }
        if ev.effects.is_empty() {
            self.error(path.key("effects"), "an event needs at least one effect");
        }
        effects
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::model::dist_spec::DistSpec;

    fn with_event(event: &str) -> String {
        format!("{GDP}[indicators.share]\nname = \"Share\"\nmodel = \"derived\"\nformula = \"gdp * 2\"\n\n[[events]]\n{event}\n")
    }

    #[test]
    fn events_get_defaults_and_keep_the_spec() {
        let s = accepted(&with_event(
            "id = \"shock\"\nprobability = 0.1\neffects = { gdp = { dist = \"uniform\", min = -3, max = -1 } }",
        ));
        let event = &s.events()[0];
        assert_eq!((event.from, event.to, event.probability), (2021, 2025, 0.1));
        assert_eq!(event.effects[0].indicator, 0);
        assert_eq!(
            event.effects[0].size_spec,
            DistSpec::Uniform {
                min: -3.0,
                max: -1.0
            }
        );
        assert_eq!(
            event.effects[0].size_spec.build().as_ref(),
            Ok(&event.effects[0].size)
        );
    }

    #[test]
    fn probability_window_and_ids() {
        let event = "id = \"e\"\nprobability = 1.2\nfrom = 2019\nto = 2030\neffects = { gdp = -1 }\n\n[[events]]\nid = \"e\"\nprobability = 0.5\nfrom = 2024\nto = 2022\neffects = {}";
        assert_eq!(
            problems(&with_event(event)),
            [
                "events[0].probability: probability must lie in [0, 1] (got 1.2)",
                "events[0].from: the event window's first year 2019 is outside the simulated years 2021..2025",
                "events[0].to: the event window's last year 2030 is outside the simulated years 2021..2025",
                "events[1].id: duplicate event id `e`",
                "events[1].from: event window 2024..2022 is empty",
                "events[1].effects: an event needs at least one effect",
            ]
        );
    }

    #[test]
    fn effects_name_simulated_indicators() {
        let body = with_event(
            "id = \"e\"\nprobability = 0.5\neffects = { gpd = -1, share = 1, gdp = \"big\" }",
        );
        assert_eq!(
            problems(&body),
            [
                "events[0].effects.gpd: unknown indicator `gpd` in event effects",
                "events[0].effects.share: `share` is derived: events act on the indicators it is computed from",
                "events[0].effects.gdp: expected a number or a distribution such as { dist = \"normal\", mean = 5, sd = 1 }, found a string",
            ]
        );
        assert_eq!(helps(&body)[0].as_deref(), Some("did you mean `gdp`?"));
        let diags = load(&format!("{HEADER}{body}")).unwrap_err();
        // Misnamed and derived indicators are keys: the problem points at the key.
        assert!(diags[0].at_key && diags[1].at_key && !diags[2].at_key);
    }
}
