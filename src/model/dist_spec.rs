//! A distribution as written in a scenario file ([`DistSpec`]), kept next to the built
//! [`Dist`] so that a checked edit of one parameter can rebuild the distribution with exactly
//! the constructor (and the checks) that loading the file uses.

use super::dist::Dist;
use serde::{Deserialize, Serialize};

/// A distribution as written: the family and its parameters, before any derived quantity is
/// computed. [`DistSpec::build`] turns it into the [`Dist`] that validation stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistSpec {
    /// A plain number.
    Fixed(f64),
    /// `{ dist = "normal", mean, sd, min?, max? }` (optionally truncated).
    Normal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal.
        sd: f64,
        /// Lower truncation bound, if written.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        /// Upper truncation bound, if written.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    /// `{ dist = "lognormal", mean, sd }` (mean and sd of the variable itself).
    #[serde(rename = "lognormal")]
    LogNormal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// `{ dist = "uniform", min, max }`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// `{ dist = "triangular", min, mode, max }`.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// `{ dist = "pert", min, mode, max }`.
    Pert {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// `{ dist = "student_t", mean, scale, df }`.
    StudentT {
        /// Centre.
        mean: f64,
        /// Scale.
        scale: f64,
        /// Degrees of freedom.
        df: f64,
    },
    /// `{ dist = "split_normal", mode, sd_below, sd_above }`.
    SplitNormal {
        /// Mode.
        mode: f64,
        /// Standard deviation of the lower half.
        sd_below: f64,
        /// Standard deviation of the upper half.
        sd_above: f64,
    },
    /// `{ dist = "discrete", values, weights }`.
    Discrete {
        /// The values.
        values: Vec<f64>,
        /// Their weights (need not sum to 1).
        weights: Vec<f64>,
    },
}

/// Every parameter name a family accepts (optional ones included), in the order written.
fn accepted_names(spec: &DistSpec) -> &'static [&'static str] {
    match spec {
        DistSpec::Fixed(_) | DistSpec::Discrete { .. } => &[],
        DistSpec::Normal { .. } => &["mean", "sd", "min", "max"],
        DistSpec::LogNormal { .. } => &["mean", "sd"],
        DistSpec::Uniform { .. } => &["min", "max"],
        DistSpec::Triangular { .. } | DistSpec::Pert { .. } => &["min", "mode", "max"],
        DistSpec::StudentT { .. } => &["mean", "scale", "df"],
        DistSpec::SplitNormal { .. } => &["mode", "sd_below", "sd_above"],
    }
}

impl DistSpec {
    /// Every parameter name the family accepts, optional ones included (`["mean", "sd", "min",
    /// "max"]` for a normal), in the order written; none for a plain number or a discrete list.
    pub fn accepted_param_names(&self) -> &'static [&'static str] {
        accepted_names(self)
    }

    /// The distribution this spec describes, built with the same [`Dist`] constructor, the same
    /// arguments in the same order as validation, so the result is identical to the one loading
    /// the file gives. Errors with the constructor's message when the parameters are impossible.
    pub fn build(&self) -> Result<Dist, String> {
        match *self {
            DistSpec::Fixed(value) => Dist::fixed(value),
            DistSpec::Normal { mean, sd, min, max } => Dist::normal(mean, sd, min, max),
            DistSpec::LogNormal { mean, sd } => Dist::lognormal(mean, sd),
            DistSpec::Uniform { min, max } => Dist::uniform(min, max),
            DistSpec::Triangular { min, mode, max } => Dist::triangular(min, mode, max),
            DistSpec::Pert { min, mode, max } => Dist::pert(min, mode, max),
            DistSpec::StudentT { mean, scale, df } => Dist::student_t(mean, scale, df),
            DistSpec::SplitNormal {
                mode,
                sd_below,
                sd_above,
            } => Dist::split_normal(mode, sd_below, sd_above),
            DistSpec::Discrete {
                ref values,
                ref weights,
            } => Dist::discrete(values.clone(), weights.clone()),
        }
    }

    /// The family name as written after `dist =` ("normal", "lognormal", ...), or "fixed" for
    /// a plain number.
    pub fn family(&self) -> &'static str {
        match self {
            DistSpec::Fixed(_) => "fixed",
            DistSpec::Normal { .. } => "normal",
            DistSpec::LogNormal { .. } => "lognormal",
            DistSpec::Uniform { .. } => "uniform",
            DistSpec::Triangular { .. } => "triangular",
            DistSpec::Pert { .. } => "pert",
            DistSpec::StudentT { .. } => "student_t",
            DistSpec::SplitNormal { .. } => "split_normal",
            DistSpec::Discrete { .. } => "discrete",
        }
    }

    /// The scalar parameters as written, in the file's order: e.g. `["mean", "sd", "min",
    /// "max"]` for a truncated normal (the optional `min` and `max` only when present). A plain
    /// number and a discrete distribution have none.
    pub fn param_names(&self) -> &'static [&'static str] {
        match self {
            DistSpec::Normal { min, max, .. } => match (min.is_some(), max.is_some()) {
                (false, false) => &["mean", "sd"],
                (true, false) => &["mean", "sd", "min"],
                (false, true) => &["mean", "sd", "max"],
                (true, true) => &["mean", "sd", "min", "max"],
            },
            other => accepted_names(other),
        }
    }

    /// The value of the scalar parameter `name`, if this spec has it (an optional bound that is
    /// not written has none).
    pub fn param(&self, name: &str) -> Option<f64> {
        match (self, name) {
            (DistSpec::Normal { mean, .. } | DistSpec::LogNormal { mean, .. }, "mean") => {
                Some(*mean)
            }
            (DistSpec::Normal { sd, .. } | DistSpec::LogNormal { sd, .. }, "sd") => Some(*sd),
            (DistSpec::Normal { min, .. }, "min") => *min,
            (DistSpec::Normal { max, .. }, "max") => *max,
            (
                DistSpec::Uniform { min, .. }
                | DistSpec::Triangular { min, .. }
                | DistSpec::Pert { min, .. },
                "min",
            ) => Some(*min),
            (
                DistSpec::Uniform { max, .. }
                | DistSpec::Triangular { max, .. }
                | DistSpec::Pert { max, .. },
                "max",
            ) => Some(*max),
            (
                DistSpec::Triangular { mode, .. }
                | DistSpec::Pert { mode, .. }
                | DistSpec::SplitNormal { mode, .. },
                "mode",
            ) => Some(*mode),
            (DistSpec::StudentT { mean, .. }, "mean") => Some(*mean),
            (DistSpec::StudentT { scale, .. }, "scale") => Some(*scale),
            (DistSpec::StudentT { df, .. }, "df") => Some(*df),
            (DistSpec::SplitNormal { sd_below, .. }, "sd_below") => Some(*sd_below),
            (DistSpec::SplitNormal { sd_above, .. }, "sd_above") => Some(*sd_above),
            _ => None,
        }
    }

    /// A copy with the scalar parameter `name` set to `value`. A normal's `min` and `max` may
    /// be set even when not written (that truncates it). The value itself is not checked here:
    /// [`DistSpec::build`] applies the family's rules. An unknown name is refused with the
    /// message validation gives for an unknown parameter, listing the valid names.
    pub fn with_param(&self, name: &str, value: f64) -> Result<DistSpec, String> {
        let mut spec = self.clone();
        let slot: Option<&mut f64> = match (&mut spec, name) {
            (DistSpec::Normal { mean, .. } | DistSpec::LogNormal { mean, .. }, "mean") => {
                Some(mean)
            }
            (DistSpec::Normal { sd, .. } | DistSpec::LogNormal { sd, .. }, "sd") => Some(sd),
            (DistSpec::Normal { min, .. }, "min") => Some(min.insert(value)),
            (DistSpec::Normal { max, .. }, "max") => Some(max.insert(value)),
            (
                DistSpec::Uniform { min, .. }
                | DistSpec::Triangular { min, .. }
                | DistSpec::Pert { min, .. },
                "min",
            ) => Some(min),
            (
                DistSpec::Uniform { max, .. }
                | DistSpec::Triangular { max, .. }
                | DistSpec::Pert { max, .. },
                "max",
            ) => Some(max),
            (
                DistSpec::Triangular { mode, .. }
                | DistSpec::Pert { mode, .. }
                | DistSpec::SplitNormal { mode, .. },
                "mode",
            ) => Some(mode),
            (DistSpec::StudentT { mean, .. }, "mean") => Some(mean),
            (DistSpec::StudentT { scale, .. }, "scale") => Some(scale),
            (DistSpec::StudentT { df, .. }, "df") => Some(df),
            (DistSpec::SplitNormal { sd_below, .. }, "sd_below") => Some(sd_below),
            (DistSpec::SplitNormal { sd_above, .. }, "sd_above") => Some(sd_above),
            _ => None,
        };
        match slot {
            Some(slot) => {
                *slot = value;
                Ok(spec)
            }
            None => {
                let valid = accepted_names(self);
                let takes = if valid.is_empty() {
                    "no scalar parameters".to_string()
                } else {
                    valid.join(", ")
                };
                Err(format!(
                    "unknown parameter `{name}` for a {} distribution (it takes {takes})",
                    self.family()
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PS: [f64; 5] = [0.001, 0.1, 0.5, 0.9, 0.999];

    fn same(spec: &DistSpec, direct: Result<Dist, String>) {
        let built = spec.build().expect("spec builds");
        let direct = direct.expect("direct builds");
        assert_eq!(built, direct, "{spec:?}");
        for p in PS {
            assert_eq!(
                built.quantile(p).to_bits(),
                direct.quantile(p).to_bits(),
                "{spec:?} at p = {p}"
            );
        }
    }

    fn every_family() -> Vec<(DistSpec, Result<Dist, String>)> {
        vec![
            (DistSpec::Fixed(2.5), Dist::fixed(2.5)),
            (
                DistSpec::Normal {
                    mean: 5.0,
                    sd: 1.0,
                    min: None,
                    max: None,
                },
                Dist::normal(5.0, 1.0, None, None),
            ),
            (
                DistSpec::Normal {
                    mean: 5.0,
                    sd: 1.0,
                    min: Some(4.0),
                    max: Some(7.5),
                },
                Dist::normal(5.0, 1.0, Some(4.0), Some(7.5)),
            ),
            (
                DistSpec::LogNormal { mean: 3.0, sd: 0.7 },
                Dist::lognormal(3.0, 0.7),
            ),
            (
                DistSpec::Uniform {
                    min: -10.0,
                    max: -4.0,
                },
                Dist::uniform(-10.0, -4.0),
            ),
            (
                DistSpec::Triangular {
                    min: 300.0,
                    mode: 450.0,
                    max: 600.0,
                },
                Dist::triangular(300.0, 450.0, 600.0),
            ),
            (
                DistSpec::Pert {
                    min: 5.0,
                    mode: 10.0,
                    max: 18.0,
                },
                Dist::pert(5.0, 10.0, 18.0),
            ),
            (
                DistSpec::StudentT {
                    mean: 9.0,
                    scale: 2.0,
                    df: 5.0,
                },
                Dist::student_t(9.0, 2.0, 5.0),
            ),
            (
                DistSpec::SplitNormal {
                    mode: 4.0,
                    sd_below: 2.0,
                    sd_above: 0.5,
                },
                Dist::split_normal(4.0, 2.0, 0.5),
            ),
            (
                DistSpec::Discrete {
                    values: vec![1.0, -2.0, 3.0],
                    weights: vec![0.2, 0.5, 0.3],
                },
                Dist::discrete(vec![1.0, -2.0, 3.0], vec![0.2, 0.5, 0.3]),
            ),
        ]
    }

    #[test]
    fn build_equals_the_direct_constructor_for_every_family() {
        let cases = every_family();
        let families: std::collections::HashSet<&str> =
            cases.iter().map(|(s, _)| s.family()).collect();
        assert_eq!(families.len(), 9, "every family is covered");
        for (spec, direct) in cases {
            same(&spec, direct);
        }
    }

    #[test]
    fn build_reports_the_constructor_message() {
        let spec = DistSpec::Uniform { min: 1.0, max: 1.0 };
        assert_eq!(
            spec.build().unwrap_err(),
            Dist::uniform(1.0, 1.0).unwrap_err()
        );
    }

    #[test]
    fn param_names_and_values_round_trip() {
        for (spec, _) in every_family() {
            for &name in spec.param_names() {
                let value = spec.param(name).expect("a listed name has a value");
                let edited = spec.with_param(name, value + 0.25).expect("listed name");
                assert_eq!(edited.param(name), Some(value + 0.25), "{spec:?} {name}");
                let back = edited.with_param(name, value).expect("listed name");
                assert_eq!(back, spec);
                // Every other parameter is untouched.
                for &other in spec.param_names().iter().filter(|&&n| n != name) {
                    assert_eq!(edited.param(other), spec.param(other));
                }
            }
        }
    }

    #[test]
    fn optional_bounds_appear_when_set() {
        let spec = DistSpec::Normal {
            mean: 5.0,
            sd: 1.0,
            min: None,
            max: None,
        };
        assert_eq!(spec.param_names(), ["mean", "sd"]);
        assert_eq!(spec.param("min"), None);
        let truncated = spec
            .with_param("min", 3.0)
            .expect("min is a normal parameter");
        assert_eq!(truncated.param_names(), ["mean", "sd", "min"]);
        same(&truncated, Dist::normal(5.0, 1.0, Some(3.0), None));
        assert_eq!(DistSpec::Fixed(1.0).param_names(), [] as [&str; 0]);
    }

    #[test]
    fn unknown_names_are_refused_with_the_valid_ones() {
        let spec = DistSpec::Pert {
            min: 5.0,
            mode: 10.0,
            max: 18.0,
        };
        assert_eq!(
            spec.with_param("sd", 1.0).unwrap_err(),
            "unknown parameter `sd` for a pert distribution (it takes min, mode, max)"
        );
        assert_eq!(
            DistSpec::Fixed(1.0).with_param("value", 2.0).unwrap_err(),
            "unknown parameter `value` for a fixed distribution (it takes no scalar parameters)"
        );
        assert_eq!(spec.param("sd"), None);
    }

    #[test]
    fn serde_round_trip() {
        for (spec, _) in every_family() {
            let json = serde_json::to_string(&spec).expect("serialises");
            let back: DistSpec = serde_json::from_str(&json).expect("deserialises");
            assert_eq!(back, spec);
        }
        let json =
            serde_json::to_string(&DistSpec::LogNormal { mean: 1.0, sd: 0.5 }).expect("serialises");
        assert_eq!(json, r#"{"lognormal":{"mean":1.0,"sd":0.5}}"#);
    }
}
