//! Checked edits of a validated [`Scenario`]: the only way the model changes after loading.
//! Each edit returns a new scenario or says why the value is not allowed, with the same rule the
//! loader applies to the value written in a file, so an edited scenario is as valid as a loaded
//! one. The analysis commands use them: `sensitivity` holds an assumption at a quantile, `solve`
//! shifts a growth path or tries a value of one number ([`Knob`]), `--precision` changes the
//! path count.

use super::correlation;
use super::dist_spec::DistSpec;
use super::rules;
use super::scenario::Changed;
use super::{Effect, Event, ModelKind, Scenario, Target, TargetKind};

/// Largest number of paths a run may have. Memory does not grow with paths (accumulators are
/// fixed-size), but path indices are 32-bit in the Latin-hypercube permutation and a run this
/// long would take hours on a planner's machine.
pub const MAX_PATHS: u64 = 1 << 32;

/// Why an edit was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{what} = {value}: {reason}")]
pub struct EditError {
    /// What was edited, e.g. "`rd_spend` 2021-2025" (a period) or "probability of event `x`".
    pub what: String,
    /// The value refused.
    pub value: f64,
    /// The rule it breaks.
    pub reason: String,
}

/// One number of a validated scenario that `solve --vary` may set: resolved once from a dotted
/// key by the scenario layer (`scenario::knob`), then set for each trial value through
/// [`Scenario::with_knob`].
#[derive(Debug, Clone, PartialEq)]
pub enum Knob {
    /// A parameter of a period's trend distribution, as written (e.g. `mode` of a triangular;
    /// `None`: the trend is a plain number).
    TrendParameter {
        /// Indicator index.
        indicator: usize,
        /// Period index (in year order).
        period: usize,
        /// The parameter's name as written in the file, e.g. "mean".
        parameter: Option<String>,
    },
    /// An indicator's base value (its value in its base year).
    Base {
        /// Indicator index.
        indicator: usize,
    },
    /// A period's yearly noise (standard deviation of the shock).
    Noise {
        /// Indicator index.
        indicator: usize,
        /// Period index (in year order).
        period: usize,
    },
    /// A period's persistence (AR(1) coefficient of the shock).
    Persistence {
        /// Indicator index.
        indicator: usize,
        /// Period index (in year order).
        period: usize,
    },
    /// A count indicator's yearly exit share.
    Exit {
        /// Indicator index.
        indicator: usize,
    },
    /// An event's yearly probability.
    EventProbability {
        /// Event index.
        event: usize,
    },
    /// A parameter of an event effect's size distribution (`None`: the size is a plain number).
    EffectParameter {
        /// Event index.
        event: usize,
        /// Effect index (file order).
        effect: usize,
        /// The parameter's name as written, e.g. "mean".
        parameter: Option<String>,
    },
    /// A target's threshold.
    Threshold {
        /// Target index.
        target: usize,
    },
    /// A correlation entry (a pair of indicators' trend or noise correlation).
    CorrelationEntry {
        /// Index into the scenario's correlation pairs.
        pair: usize,
    },
}

/// A correlation entry's new value and what it makes of its matrix
/// ([`Scenario::correlation_entry_edit`]).
#[derive(Debug, Clone)]
pub struct CorrelationEdit {
    /// The value, as checked.
    pub rho: f64,
    /// A trend correlation (else a noise one).
    pub trend: bool,
    /// The factor of the pair's kind with the new value (repaired when it had to be).
    pub factor: correlation::Factor,
    /// Says that the matrix was repaired, when it was.
    pub note: Option<String>,
}

/// True for an id a scenario item could have (letters, digits, `_`): an edit's own event or
/// target must not, so that its random stream cannot collide with one of the file's.
fn could_be_scenario_id(id: &str) -> bool {
    id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Refuses `index` when it is not below `len` (an index built for another scenario).
fn check_index(what: &str, index: usize, len: usize, value: f64) -> Result<(), EditError> {
    if index < len {
        Ok(())
    } else {
        Err(refuse(
            format!("{what} {index}"),
            value,
            format!("the scenario has {len} (they count from 0)"),
        ))
    }
}

fn refuse(what: impl Into<String>, value: f64, reason: impl Into<String>) -> EditError {
    EditError {
        what: what.into(),
        value,
        reason: reason.into(),
    }
}

impl Scenario {
    /// The scenario run with `paths` paths (from 1 to [`MAX_PATHS`]).
    pub fn with_paths(&self, paths: u64) -> Result<Scenario, EditError> {
        if !(1..=MAX_PATHS).contains(&paths) {
            return Err(refuse(
                "paths",
                paths as f64,
                format!("must be between 1 and {MAX_PATHS}"),
            ));
        }
        // The plan does not depend on the path count: kept as it is.
        let mut s = self.clone();
        s.parts.paths = paths;
        Ok(s)
    }

    /// The scenario with the trend of `indicator` in `period` fixed at `value` (a finite
    /// number): `sensitivity` holds a trend at its 10th, 50th and 90th percentiles.
    pub fn with_fixed_trend(
        &self,
        indicator: usize,
        period: usize,
        value: f64,
    ) -> Result<Scenario, EditError> {
        self.check_period(indicator, period, value)?;
        self.with_trend_spec(indicator, period, DistSpec::Fixed(value), value)
    }

    /// The scenario with event `event` striking with yearly probability `probability` (in
    /// [0, 1]).
    pub fn with_event_probability(
        &self,
        event: usize,
        probability: f64,
    ) -> Result<Scenario, EditError> {
        check_index("event", event, self.events().len(), probability)?;
        let probability = rules::probability(probability).map_err(|reason| {
            refuse(
                format!("probability of event `{}`", self.events()[event].id),
                probability,
                reason,
            )
        })?;
        let mut s = self.parts.clone();
        s.events[event].probability = probability;
        Ok(self.edited(s, Changed::Events))
    }

    /// The scenario with correlation entry `pair` set to `rho` (in [-1, 1]). When the matrix of
    /// that kind stops being positive definite, the nearest valid correlation matrix is used and
    /// the note says so (the rule of `repair = true`; an edit is a deliberate change, so it is
    /// repaired rather than refused).
    pub fn with_correlation_entry(
        &self,
        pair: usize,
        rho: f64,
    ) -> Result<(Scenario, Option<String>), EditError> {
        let edit = self.correlation_entry_edit(pair, rho)?;
        let mut s = self.parts.clone();
        s.correlation.pairs[pair].3 = edit.rho;
        if edit.trend {
            s.correlation.trend = edit.factor;
        } else {
            s.correlation.noise = edit.factor;
        }
        // The posterior reads the trend correlations only.
        let changed = if edit.trend {
            Changed::Other
        } else {
            Changed::NoiseCorrelation
        };
        Ok((self.edited(s, changed), edit.note))
    }

    /// What [`Scenario::with_correlation_entry`] sets, without making the scenario: the checked
    /// value, the factor of the pair's kind and the note. `sensitivity` compares factors row by
    /// row to see what a correlation can reach, and needs no plan (a posterior) for that.
    pub fn correlation_entry_edit(
        &self,
        pair: usize,
        rho: f64,
    ) -> Result<CorrelationEdit, EditError> {
        check_index(
            "correlation pair",
            pair,
            self.correlation().pairs.len(),
            rho,
        )?;
        let rho = rules::correlation(rho).map_err(|reason| refuse("a correlation", rho, reason))?;
        let mut correlation = self.parts.correlation.clone();
        let kind = correlation.pairs[pair].0.clone();
        correlation.pairs[pair].3 = rho;
        let n = self.parts.indicators.len();
        let pairs: Vec<(usize, usize, f64)> = correlation
            .pairs
            .iter()
            .filter(|(k, ..)| *k == kind)
            .filter_map(|(_, a, b, rho)| {
                Some((self.indicator_index(a)?, self.indicator_index(b)?, *rho))
            })
            .collect();
        let entries = correlation::entries(&kind, &pairs, &correlation.factors);
        let (factor, repaired) = correlation::build_factor(n, &entries, true).map_err(|_| {
            refuse(
                format!("the {kind} correlations"),
                rho,
                "not positive definite, and the nearest valid matrix cannot be factored either",
            )
        })?;
        let note = repaired.then(|| {
            format!(
                "at {rho:.3} the {kind} correlations are not positive definite; the nearest valid matrix was used"
            )
        });
        Ok(CorrelationEdit {
            rho,
            trend: kind == "trend",
            factor,
            note,
        })
    }

    /// The scenario with `shift` added to every year `from..=to` of `indicator`'s path
    /// (percentage points of growth; additive: units; count: a percent change of the rate), as
    /// an event that strikes with probability 1 on its own random stream `id`, so that no other
    /// draw moves. `id` must not be a valid scenario id (e.g. contain `:`), so it cannot collide
    /// with an event of the file. `from..=to` must lie within the indicator's own simulated
    /// years: after its base year (which may be before the scenario's) up to the horizon.
    pub fn with_growth_shift(
        &self,
        id: String,
        indicator: usize,
        from: i32,
        to: i32,
        shift: f64,
    ) -> Result<Scenario, EditError> {
        check_index("indicator", indicator, self.indicators().len(), shift)?;
        let what = || format!("growth shift of `{}`", self.indicators()[indicator].id);
        if !self.indicators()[indicator].kind.is_stochastic() {
            return Err(refuse(
                what(),
                shift,
                "a derived indicator has no growth to shift",
            ));
        }
        if could_be_scenario_id(&id) {
            return Err(refuse(
                what(),
                shift,
                "the shift needs an id no scenario event can have",
            ));
        }
        // The indicator's own simulated years: an indicator may have a base year before the
        // scenario's, and its growth from there is simulated (and can be shifted) too.
        let first = self.plan().indicators[indicator].first_year + 1;
        if from > to || from < first || to > self.horizon() {
            return Err(refuse(
                what(),
                shift,
                format!(
                    "the years {from}-{to} are not within its simulated years {first}-{}",
                    self.horizon()
                ),
            ));
        }
        let size_spec = DistSpec::Fixed(shift);
        let size = size_spec
            .build()
            .map_err(|reason| refuse(what(), shift, reason))?;
        let mut s = self.parts.clone();
        s.events.push(Event {
            id,
            label: None,
            probability: 1.0,
            from,
            to,
            effects: vec![Effect {
                indicator,
                size,
                size_spec,
            }],
        });
        Ok(self.edited(s, Changed::Events))
    }

    /// The scenario with one more target, `target`, after the file's: `solve` measures the
    /// scenario's own median growth with such probes. Its id must not be a valid scenario id (e.g.
    /// contain `:`); its years must lie within the simulated years, the threshold be finite.
    pub fn with_probe_target(&self, target: Target) -> Result<Scenario, EditError> {
        let what = format!("probe target `{}`", target.id);
        if could_be_scenario_id(&target.id) {
            return Err(refuse(
                what,
                target.threshold,
                "a probe needs an id no scenario target can have",
            ));
        }
        if target.indicator >= self.indicators().len() {
            return Err(refuse(what, target.threshold, "no such indicator"));
        }
        if !target.threshold.is_finite() {
            return Err(refuse(
                what,
                target.threshold,
                "the threshold must be a finite number",
            ));
        }
        let first = self.indicators()[target.indicator].base_year;
        if target.from > target.to || target.from < first || target.to > self.horizon() {
            return Err(refuse(
                what,
                target.threshold,
                format!(
                    "the years {}-{} are not within {first}-{}",
                    target.from,
                    target.to,
                    self.horizon()
                ),
            ));
        }
        let mut s = self.parts.clone();
        s.targets.push(target);
        Ok(self.edited(s, Changed::Targets))
    }

    /// The current value of `knob` (None for a distribution parameter the distribution does
    /// not have).
    pub fn knob_value(&self, knob: &Knob) -> Option<f64> {
        self.check_knob(knob, f64::NAN).ok()?;
        match knob {
            Knob::TrendParameter {
                indicator,
                period,
                parameter,
            } => spec_value(
                &self.indicators()[*indicator].periods[*period].trend_spec,
                parameter.as_deref(),
            ),
            Knob::EffectParameter {
                event,
                effect,
                parameter,
            } => spec_value(
                &self.events()[*event].effects[*effect].size_spec,
                parameter.as_deref(),
            ),
            Knob::Base { indicator } => self.indicators()[*indicator].base,
            Knob::Exit { indicator } => Some(self.indicators()[*indicator].exit),
            Knob::Noise { indicator, period } => {
                Some(self.indicators()[*indicator].periods[*period].noise)
            }
            Knob::Persistence { indicator, period } => {
                Some(self.indicators()[*indicator].periods[*period].persistence)
            }
            Knob::EventProbability { event } => Some(self.events()[*event].probability),
            Knob::Threshold { target } => Some(self.targets()[*target].threshold),
            Knob::CorrelationEntry { pair } => Some(self.correlation().pairs[*pair].3),
        }
    }

    /// The scenario with `knob` set to `value`, checked by the loader's rule for that number.
    pub fn with_knob(&self, knob: &Knob, value: f64) -> Result<Scenario, EditError> {
        self.check_knob(knob, value)?;
        if !value.is_finite() {
            return Err(refuse("the value", value, "must be a finite number"));
        }
        let mut s = self.parts.clone();
        match knob {
            Knob::TrendParameter {
                indicator,
                period,
                parameter,
            } => {
                let spec = &self.indicators()[*indicator].periods[*period].trend_spec;
                let spec =
                    with_spec_value(spec, parameter.as_deref(), value).map_err(|reason| {
                        refuse(self.period_name(*indicator, *period), value, reason)
                    })?;
                return self.with_trend_spec(*indicator, *period, spec, value);
            }
            Knob::EffectParameter {
                event,
                effect,
                parameter,
            } => {
                let what = || format!("effect size of event `{}`", self.events()[*event].id);
                let spec = &self.events()[*event].effects[*effect].size_spec;
                let spec = with_spec_value(spec, parameter.as_deref(), value)
                    .map_err(|reason| refuse(what(), value, reason))?;
                let size = spec
                    .build()
                    .map_err(|reason| refuse(what(), value, reason))?;
                let e = &mut s.events[*event].effects[*effect];
                e.size = size;
                e.size_spec = spec;
            }
            Knob::Base { indicator } => {
                s.indicators[*indicator].base = Some(self.checked_base(*indicator, value)?);
            }
            Knob::Exit { indicator } => {
                s.indicators[*indicator].exit = self.checked_exit(*indicator, value)?;
            }
            Knob::Noise { indicator, period } => {
                s.indicators[*indicator].periods[*period].noise = rules::noise(value)
                    .map_err(|r| refuse(self.period_name(*indicator, *period), value, r))?;
            }
            Knob::Persistence { indicator, period } => {
                s.indicators[*indicator].periods[*period].persistence =
                    rules::persistence(value)
                        .map_err(|r| refuse(self.period_name(*indicator, *period), value, r))?;
            }
            Knob::EventProbability { event } => return self.with_event_probability(*event, value),
            Knob::Threshold { target } => {
                s.targets[*target].threshold = rules::threshold(value).map_err(|r| {
                    refuse(
                        format!("threshold of target `{}`", self.targets()[*target].id),
                        value,
                        r,
                    )
                })?;
            }
            Knob::CorrelationEntry { pair } => {
                return Ok(self.with_correlation_entry(*pair, value)?.0)
            }
        }
        let changed = match knob {
            Knob::EffectParameter { .. } => Changed::Events,
            Knob::Threshold { .. } => Changed::Targets,
            _ => Changed::Other,
        };
        Ok(self.edited(s, changed))
    }

    /// `value` as the base of `indicator`, by the loader's rules: growth positive, counts not
    /// negative, additive within its clamps, positive under a cagr target from the base year.
    fn checked_base(&self, indicator: usize, value: f64) -> Result<f64, EditError> {
        let ind = &self.indicators()[indicator];
        let what = format!("base of `{}`", ind.id);
        let reason = if ind.kind == ModelKind::Derived {
            Some("a derived indicator takes no base".to_string())
        } else {
            rules::base(ind.kind, value)
                .and_then(|b| rules::base_within_clamps(b, ind.min, ind.max))
                .err()
                .or_else(|| {
                    (ind.exit > 0.0 && !rules::whole_units(value)).then(|| {
                        "with `exit`, the base must be a whole number of units".to_string()
                    })
                })
        };
        let cagr_from_base = self.targets().iter().any(|t| {
            t.indicator == indicator && t.kind == TargetKind::Cagr && t.from == ind.base_year
        });
        let reason = reason.or_else(|| {
            (cagr_from_base && value <= 0.0)
                .then(|| "a cagr target needs a positive starting value".to_string())
        });
        match reason {
            Some(reason) => Err(refuse(what, value, reason)),
            None => Ok(value),
        }
    }

    /// `value` as the exit share of `indicator`: a count indicator ([`rules::exit_share`]) whose
    /// base and observations are whole numbers (units leave one by one).
    fn checked_exit(&self, indicator: usize, value: f64) -> Result<f64, EditError> {
        let ind = &self.indicators()[indicator];
        let what = format!("exit share of `{}`", ind.id);
        if ind.kind != ModelKind::Count {
            return Err(refuse(
                what,
                value,
                "only count indicators have an exit share",
            ));
        }
        let q = rules::exit_share(value).map_err(|r| refuse(what.clone(), value, r))?;
        let whole = ind.base.is_none_or(rules::whole_units)
            && ind.observed.values().all(|&v| rules::whole_units(v));
        if q > 0.0 && !whole {
            return Err(refuse(
                what,
                value,
                "with `exit`, the base and observed counts must be whole numbers of units",
            ));
        }
        Ok(q)
    }

    /// The scenario with the trend of `indicator` in `period` rebuilt from `spec` (the value
    /// being set is `value`, for the message).
    fn with_trend_spec(
        &self,
        indicator: usize,
        period: usize,
        spec: DistSpec,
        value: f64,
    ) -> Result<Scenario, EditError> {
        let trend = spec
            .build()
            .map_err(|reason| refuse(self.period_name(indicator, period), value, reason))?;
        let mut s = self.parts.clone();
        let p = &mut s.indicators[indicator].periods[period];
        p.trend = trend;
        p.trend_spec = spec;
        Ok(Scenario::from_parts(s))
    }

    /// Refuses a knob whose indices do not exist in this scenario (one built for another).
    fn check_knob(&self, knob: &Knob, value: f64) -> Result<(), EditError> {
        match knob {
            Knob::TrendParameter {
                indicator, period, ..
            }
            | Knob::Noise { indicator, period }
            | Knob::Persistence { indicator, period } => {
                self.check_period(*indicator, *period, value)
            }
            Knob::Base { indicator } | Knob::Exit { indicator } => {
                check_index("indicator", *indicator, self.indicators().len(), value)
            }
            Knob::EventProbability { event } => {
                check_index("event", *event, self.events().len(), value)
            }
            Knob::EffectParameter { event, effect, .. } => {
                check_index("event", *event, self.events().len(), value)?;
                let effects = self.events()[*event].effects.len();
                check_index("effect", *effect, effects, value)
            }
            Knob::Threshold { target } => {
                check_index("target", *target, self.targets().len(), value)
            }
            Knob::CorrelationEntry { pair } => check_index(
                "correlation pair",
                *pair,
                self.correlation().pairs.len(),
                value,
            ),
        }
    }

    /// Refuses an indicator or period index that does not exist.
    fn check_period(&self, indicator: usize, period: usize, value: f64) -> Result<(), EditError> {
        check_index("indicator", indicator, self.indicators().len(), value)?;
        let periods = self.indicators()[indicator].periods.len();
        check_index("period", period, periods, value)
    }

    fn period_name(&self, indicator: usize, period: usize) -> String {
        let ind = &self.indicators()[indicator];
        let p = &ind.periods[period];
        format!("`{}` {}-{}", ind.id, p.from, p.to)
    }
}

/// The value of a distribution parameter (`None`: the distribution is a plain number).
fn spec_value(spec: &DistSpec, parameter: Option<&str>) -> Option<f64> {
    match (spec, parameter) {
        (DistSpec::Fixed(v), None) => Some(*v),
        (_, Some(name)) => spec.param(name),
        (_, None) => None,
    }
}

/// `spec` with a parameter (`None`: the plain number) set to `value`.
fn with_spec_value(
    spec: &DistSpec,
    parameter: Option<&str>,
    value: f64,
) -> Result<DistSpec, String> {
    match (spec, parameter) {
        (DistSpec::Fixed(_), None) => Ok(DistSpec::Fixed(value)),
        (_, Some(name)) => spec.with_param(name, value),
        (_, None) => Err(format!(
            "a {} distribution is not a single number; set one of its parameters",
            spec.family()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Comparison;
    use std::sync::Arc;

    fn bundled() -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/guangxi-14th-fyp.toml");
        crate::scenario::load(&path, &Default::default())
            .expect("the bundled scenario loads")
            .scenario
    }

    /// An edit keeps the posterior only when it cannot change it, and the plan it then has is
    /// the plan computed from scratch (the posterior included), to the last bit of every number.
    #[test]
    fn an_edit_keeps_the_posterior_only_when_it_cannot_change_it() {
        let s = bundled();
        assert!(s.plan().posterior.active, "the test needs a posterior");
        let gdp = s.indicator_index("gdp").unwrap();
        let last_observed = s.plan().indicators[gdp].start_year;
        assert!(last_observed > s.base_year(), "the test needs observations");
        let after = s
            .with_growth_shift("t:after".into(), gdp, last_observed + 1, s.horizon(), 1.5)
            .unwrap();
        let probe = Target {
            id: "t:probe".into(),
            indicator: gdp,
            kind: TargetKind::Level,
            from: 2030,
            to: 2030,
            comparison: Comparison::AtLeast,
            threshold: 40_000.0,
            source: None,
            label: None,
            label_zh: None,
        };
        let shift_event = after.events().len() - 1;
        let downturn = s.events().iter().position(|e| e.id == "downturn").unwrap();
        let pair_of = |kind: &str| {
            s.correlation()
                .pairs
                .iter()
                .position(|p| p.0 == kind)
                .unwrap()
        };
        let (noise_pair, trend_pair) = (pair_of("noise"), pair_of("trend"));
        let cases: Vec<(&str, Scenario, bool)> = vec![
            ("a shift after the last observation", after.clone(), true),
            (
                "a shift over observed years",
                s.with_growth_shift("t:over".into(), gdp, s.base_year() + 1, s.horizon(), 1.5)
                    .unwrap(),
                false,
            ),
            (
                "a shift ending in the last observed year",
                s.with_growth_shift("t:end".into(), gdp, last_observed, last_observed, 1.5)
                    .unwrap(),
                false,
            ),
            (
                "the chance of an event after the observations",
                after.with_event_probability(shift_event, 0.5).unwrap(),
                true,
            ),
            (
                "the chance of an event in observed years",
                s.with_event_probability(downturn, 0.2).unwrap(),
                false,
            ),
            ("a probe target", s.with_probe_target(probe).unwrap(), true),
            (
                "a threshold",
                s.with_knob(&Knob::Threshold { target: 0 }, 0.5).unwrap(),
                true,
            ),
            (
                "a noise correlation",
                s.with_correlation_entry(noise_pair, 0.3).unwrap().0,
                true,
            ),
            (
                "a trend correlation",
                s.with_correlation_entry(trend_pair, 0.3).unwrap().0,
                false,
            ),
            (
                "a noise",
                s.with_knob(
                    &Knob::Noise {
                        indicator: gdp,
                        period: 0,
                    },
                    3.0,
                )
                .unwrap(),
                false,
            ),
        ];
        // `after` kept the posterior of `s`, so every kept one is that of `s`.
        for (what, edited, kept) in cases {
            assert_eq!(
                Arc::ptr_eq(&edited.plan().posterior, &s.plan().posterior),
                kept,
                "{what}: kept or not"
            );
            let fresh = Scenario::from_parts(edited.parts.clone());
            assert_eq!(
                format!("{:?}", edited.plan()),
                format!("{:?}", fresh.plan()),
                "{what}: another plan than one computed from scratch"
            );
        }
    }
}
