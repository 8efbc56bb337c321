//! From a dotted key as written in a scenario file (`indicators.rd_spend.growth.0.trend.mode`)
//! to the number of the validated model it names ([`Knob`]): what `solve --vary` sets through
//! the model's checked edits, resolved once instead of reloading the file for every value.

use super::diagnostic::{did_you_mean, KeyPath, Segment};
use super::Loaded;
use crate::model::dist_spec::DistSpec;
use crate::model::edit::Knob;
use crate::model::Comparison;

/// Why a key names no number that can be varied: the message and, where one is close, a
/// "did you mean" hint.
#[derive(Debug, Clone, PartialEq)]
pub struct KnobError {
    /// What is wrong.
    pub message: String,
    /// A hint (the nearest valid name).
    pub help: Option<String>,
}

/// What `solve --vary` can set, for messages.
pub const VARIABLE_KEYS: &str = "a trend or its parameters \
(indicators.ID.growth.K.trend[.mean]), noise, persistence, an indicator's base \
(indicators.ID.base), a count's exit share (indicators.ID.exit), an event's probability or effect size (events.K.effects.ID[.mean]), a \
target's threshold (targets.K.at_least) or a correlation entry (correlation.trend.K.2)";

fn error(message: impl Into<String>, help: Option<String>) -> KnobError {
    KnobError {
        message: message.into(),
        help,
    }
}

fn not_variable() -> KnobError {
    error(
        format!("not a number that solve can vary; it can vary {VARIABLE_KEYS}"),
        None,
    )
}

/// Resolves `key` in the loaded scenario.
pub fn resolve(loaded: &Loaded, key: &str) -> Result<Knob, KnobError> {
    let scenario = &loaded.scenario;
    let segments = KeyPath::parse_dotted(key).0;
    let text = |s: &Segment| match s {
        Segment::Key(k) => k.clone(),
        Segment::Index(i) => i.to_string(),
    };
    let index = |s: Option<&Segment>, len: usize, what: &str| -> Result<usize, KnobError> {
        match s {
            Some(Segment::Index(i)) if *i < len => Ok(*i),
            Some(Segment::Index(i)) => Err(error(
                format!("there are {len} {what}, so {i} is past the end (they count from 0)"),
                None,
            )),
            _ => Err(not_variable()),
        }
    };
    let rest = |from: usize| -> Option<String> {
        match segments.get(from..) {
            Some([]) | None => None,
            Some(tail) => Some(tail.iter().map(text).collect::<Vec<_>>().join(".")),
        }
    };
    match segments.first().map(text).as_deref() {
        Some("indicators") => {
            let id = segments.get(1).map(text).unwrap_or_default();
            let Some(indicator) = scenario.indicator_index(&id) else {
                return Err(error(
                    format!("the scenario has no indicator `{id}`"),
                    did_you_mean(&id, scenario.indicators().iter().map(|i| i.id.as_str())),
                ));
            };
            let ind = &scenario.indicators()[indicator];
            if segments.len() == 3 && segments.get(2).map(text).as_deref() == Some("base") {
                return Ok(Knob::Base { indicator });
            }
            if segments.len() == 3 && segments.get(2).map(text).as_deref() == Some("exit") {
                return Ok(Knob::Exit { indicator });
            }
            let period_key = ind.kind.period_key();
            match segments.get(2).map(text) {
                Some(k) if k == period_key => {}
                Some(k) if ["growth", "step", "rate"].contains(&k.as_str()) => {
                    return Err(error(
                        format!(
                        "`{id}` is {} indicator: its periods are under `{period_key}`, not `{k}`",
                        crate::scenario::diagnostic::with_article(ind.kind.name())
                    ),
                        Some(format!("did you mean `{period_key}`?")),
                    ))
                }
                _ => return Err(not_variable()),
            }
            // The file's list position K; the model keeps periods in year order, so find the
            // period by its first year as written.
            let written =
                period_start(loaded, &id, period_key, segments.get(3)).ok_or_else(not_variable)?;
            let period = ind
                .periods
                .iter()
                .position(|p| p.from as i64 == written)
                .ok_or_else(not_variable)?;
            match segments.get(4).map(text).as_deref() {
                Some("trend") => {
                    let parameter = rest(5);
                    let spec = &ind.periods[period].trend_spec;
                    check_parameter(key, spec, parameter.as_deref())?;
                    Ok(Knob::TrendParameter {
                        indicator,
                        period,
                        parameter,
                    })
                }
                Some("noise") if segments.len() == 5 => Ok(Knob::Noise { indicator, period }),
                Some("persistence") if segments.len() == 5 => {
                    Ok(Knob::Persistence { indicator, period })
                }
                _ => Err(not_variable()),
            }
        }
        Some("events") => {
            let event = index(segments.get(1), scenario.events().len(), "events")?;
            match segments.get(2).map(text).as_deref() {
                Some("probability") if segments.len() == 3 => Ok(Knob::EventProbability { event }),
                Some("effects") => {
                    let id = segments.get(3).map(text).unwrap_or_default();
                    let effects = &scenario.events()[event].effects;
                    let effect = scenario
                        .indicator_index(&id)
                        .and_then(|i| effects.iter().position(|e| e.indicator == i))
                        .ok_or_else(|| {
                            let names: Vec<&str> = effects
                                .iter()
                                .map(|e| scenario.indicators()[e.indicator].id.as_str())
                                .collect();
                            error(
                                format!("the event has no effect on `{id}`"),
                                did_you_mean(&id, names.iter().copied()),
                            )
                        })?;
                    let parameter = rest(4);
                    let spec = &scenario.events()[event].effects[effect].size_spec;
                    check_parameter(key, spec, parameter.as_deref())?;
                    Ok(Knob::EffectParameter {
                        event,
                        effect,
                        parameter,
                    })
                }
                _ => Err(not_variable()),
            }
        }
        Some("targets") => {
            let target = index(segments.get(1), scenario.targets().len(), "targets")?;
            let comparison = scenario.targets()[target].comparison;
            match segments.get(2).map(text) {
                Some(name) if segments.len() == 3 && name == comparison.key() => {
                    Ok(Knob::Threshold { target })
                }
                Some(name) if segments.len() == 3 => Err(error(
                    format!(
                        "target {target} is written with `{}`, not `{name}`",
                        comparison.key()
                    ),
                    did_you_mean(
                        &name,
                        [
                            Comparison::AtLeast,
                            Comparison::Above,
                            Comparison::AtMost,
                            Comparison::Below,
                        ]
                        .iter()
                        .map(|c| c.key()),
                    ),
                )),
                _ => Err(not_variable()),
            }
        }
        Some("correlation") => {
            let kind = segments.get(1).map(text).unwrap_or_default();
            if kind != "trend" && kind != "noise" {
                return Err(not_variable());
            }
            let of_kind: Vec<usize> = (0..scenario.correlation().pairs.len())
                .filter(|&p| scenario.correlation().pairs[p].0 == kind)
                .collect();
            let k = index(segments.get(2), of_kind.len(), "pairs")?;
            if segments.get(3) != Some(&Segment::Index(2)) || segments.len() != 4 {
                return Err(error(
                    format!("a correlation entry is [a, b, rho]; vary its rho as `correlation.{kind}.{k}.2`"),
                    None,
                ));
            }
            Ok(Knob::CorrelationEntry { pair: of_kind[k] })
        }
        _ => Err(not_variable()),
    }
}

/// The `from` year of period `position` of indicator `id` as written in the resolved document.
fn period_start(
    loaded: &Loaded,
    id: &str,
    period_key: &str,
    position: Option<&Segment>,
) -> Option<i64> {
    let Some(Segment::Index(k)) = position else {
        return None;
    };
    loaded
        .document
        .get("indicators")?
        .get(id)?
        .get(period_key)?
        .get(*k)?
        .get("from")?
        .as_integer()
}

/// Checks that `parameter` (None: the distribution itself) names one number of `spec`.
fn check_parameter(key: &str, spec: &DistSpec, parameter: Option<&str>) -> Result<(), KnobError> {
    let accepted = spec.accepted_param_names();
    match (spec, parameter) {
        (DistSpec::Fixed(_), None) => Ok(()),
        (DistSpec::Fixed(_), Some(_)) => Err(error(
            "the distribution is a plain number, which has no parameters".to_string(),
            None,
        )),
        (_, None) => Err(error(
            format!(
                "it is a table (a {} distribution), not a number; vary a number inside it (e.g. `{key}.{}`)",
                spec.family(),
                accepted.first().copied().unwrap_or("mean")
            ),
            None,
        )),
        (_, Some(name)) if accepted.contains(&name) => Ok(()),
        (_, Some(name)) => Err(error(
            if accepted.is_empty() {
                format!("a {} distribution has no single number to vary", spec.family())
            } else {
                format!(
                    "unknown parameter `{name}` for a {} distribution (it takes {})",
                    spec.family(),
                    accepted.join(", ")
                )
            },
            did_you_mean(name, accepted.iter().copied()),
        )),
    }
}
