//! Checks of a distribution as written (a period's `trend`, an event's effect): a plain number
//! or a table `{ dist = "...", ... }` with the family's parameters, read into a [`DistSpec`]
//! and built with [`DistSpec::build`].

use super::super::diagnostic::{did_you_mean, KeyPath};
use super::Validator;
use crate::model::dist::Dist;
use crate::model::dist_spec::DistSpec;

/// The distribution families, as written after `dist =`.
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

/// The required and the optional parameters of a family; `None` for an unknown family.
fn family_keys(family: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match family {
        "normal" => (&["mean", "sd"], &["min", "max"]),
        "lognormal" => (&["mean", "sd"], &[]),
        "uniform" => (&["min", "max"], &[]),
        "triangular" | "pert" => (&["min", "mode", "max"], &[]),
        "student_t" => (&["mean", "scale", "df"], &[]),
        "discrete" => (&["values", "weights"], &[]),
        "split_normal" => (&["mode", "sd_below", "sd_above"], &[]),
        _ => return None,
    })
}

/// Reads the scalar parameters of one distribution table, remembering whether any was wrong.
struct Params<'a> {
    table: &'a toml::Table,
    path: &'a KeyPath,
    family: &'a str,
    ok: bool,
}

impl Params<'_> {
    /// The parameter `key` when present and a finite number; a wrong value is reported.
    fn number(&mut self, v: &mut Validator, key: &str) -> Option<f64> {
        match self.table.get(key) {
            None => None,
            Some(toml::Value::Integer(i)) => Some(*i as f64),
            Some(toml::Value::Float(f)) if f.is_finite() => Some(*f),
            Some(other) => {
                v.error(
                    self.path.key(key),
                    format!(
                        "`{key}` must be a finite number (found {})",
                        display_value(other)
                    ),
                );
                self.ok = false;
                None
            }
        }
    }

    /// A required parameter; a missing one is reported. NaN stands in for a problem (the
    /// distribution is then not built).
    fn get(&mut self, v: &mut Validator, key: &str) -> f64 {
        let value = self.number(v, key);
        if value.is_none() && self.table.get(key).is_none() {
            v.error(
                self.path.clone(),
                format!("a {} distribution needs `{key}`", self.family),
            );
        }
        value.unwrap_or(f64::NAN)
    }
}

impl Validator {
    /// A number or a distribution table: the spec as written and the distribution built from
    /// it, or `None` after reporting every problem.
    pub(super) fn dist(&mut self, value: &toml::Value, path: &KeyPath) -> Option<(DistSpec, Dist)> {
        let table = match value {
            toml::Value::Integer(i) => return fixed(*i as f64),
            toml::Value::Float(f) => {
                if !f.is_finite() {
                    self.error(path.clone(), format!("must be a finite number (got {f})"));
                    return None;
                }
                return fixed(*f);
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
        let family = self.dist_family(table, path)?;
        let ok = self.known_params(table, path, family);
        let mut params = Params {
            table,
            path,
            family,
            ok,
        };
        let spec = self.read_spec(&mut params)?;
        if self
            .diags
            .iter()
            .any(|d| d.path.as_ref().is_some_and(|p| p.starts_with(path)))
            || !params.ok
        {
            return None;
        }
        match spec.build() {
            Ok(dist) => Some((spec, dist)),
            Err(message) => {
                self.error(
                    path.clone(),
                    format!("impossible {family} distribution: {message}"),
                );
                None
            }
        }
    }

    /// The table's `dist`: present, a string, a known family (else "did you mean").
    fn dist_family<'t>(&mut self, table: &'t toml::Table, path: &KeyPath) -> Option<&'t str> {
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
        if family_keys(name).is_none() {
            self.error_help(
                path.key("dist"),
                format!(
                    "unknown distribution `{name}`; expected one of {}",
                    DISTS.join(", ")
                ),
                did_you_mean(name, DISTS),
            );
            return None;
        }
        Some(name)
    }

    /// Reports every key the family does not take (with "did you mean"); false if any.
    fn known_params(&mut self, table: &toml::Table, path: &KeyPath, family: &str) -> bool {
        let (required, optional) = family_keys(family).unwrap_or((&[], &[]));
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
                        "unknown parameter `{key}` for a {family} distribution (it takes {})",
                        valid.join(", ")
                    ),
                    did_you_mean(key, valid.iter().copied()),
                );
                ok = false;
            }
        }
        ok
    }

    /// The spec with the family's parameters, in the order they are checked (and reported).
    /// `None` when a discrete list is unusable.
    fn read_spec(&mut self, p: &mut Params) -> Option<DistSpec> {
        Some(match p.family {
            "normal" => {
                let (mean, sd) = (p.get(self, "mean"), p.get(self, "sd"));
                let min = p.number(self, "min");
                let max = p.number(self, "max");
                DistSpec::Normal { mean, sd, min, max }
            }
            "lognormal" => {
                let (mean, sd) = (p.get(self, "mean"), p.get(self, "sd"));
                DistSpec::LogNormal { mean, sd }
            }
            "uniform" => {
                let (min, max) = (p.get(self, "min"), p.get(self, "max"));
                DistSpec::Uniform { min, max }
            }
            "triangular" | "pert" => {
                let (min, mode, max) =
                    (p.get(self, "min"), p.get(self, "mode"), p.get(self, "max"));
                if p.family == "pert" {
                    DistSpec::Pert { min, mode, max }
                } else {
                    DistSpec::Triangular { min, mode, max }
                }
            }
            "student_t" => {
                let (mean, scale, df) =
                    (p.get(self, "mean"), p.get(self, "scale"), p.get(self, "df"));
                DistSpec::StudentT { mean, scale, df }
            }
            "split_normal" => {
                let (mode, sd_below, sd_above) = (
                    p.get(self, "mode"),
                    p.get(self, "sd_below"),
                    p.get(self, "sd_above"),
                );
                DistSpec::SplitNormal {
                    mode,
                    sd_below,
                    sd_above,
                }
            }
            _ => {
                let values = self.number_list(p.table.get("values"), &p.path.key("values"));
                let weights = self.number_list(p.table.get("weights"), &p.path.key("weights"));
                DistSpec::Discrete {
                    values: values?,
                    weights: weights?,
                }
            }
        })
    }

    /// A list of finite numbers; the first wrong item is reported.
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
}

/// A plain number as a distribution (every finite number is accepted).
fn fixed(value: f64) -> Option<(DistSpec, Dist)> {
    let spec = DistSpec::Fixed(value);
    let dist = spec.build().ok()?;
    Some((spec, dist))
}

/// A TOML value as a message shows it.
fn display_value(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("the string \"{s}\""),
        toml::Value::Float(f) => format!("{f}"),
        other => format!("a {}", other.type_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::model::dist::Dist;
    use crate::model::dist_spec::DistSpec;

    /// `gdp` with `trend` as given.
    fn trend(spec: &str) -> String {
        format!("[indicators.gdp]\nname = \"GDP\"\nmodel = \"growth\"\nbase = 100\ngrowth = [{{ from = 2021, to = 2025, trend = {spec} }}]\n")
    }

    const AT: &str = "indicators.gdp.growth[0].trend";

    #[test]
    fn every_family_is_read_into_its_spec() {
        let cases = [
            ("3", DistSpec::Fixed(3.0)),
            ("2.5", DistSpec::Fixed(2.5)),
            (
                "{ dist = \"normal\", mean = 5, sd = 1, max = 8 }",
                DistSpec::Normal {
                    mean: 5.0,
                    sd: 1.0,
                    min: None,
                    max: Some(8.0),
                },
            ),
            (
                "{ dist = \"lognormal\", mean = 3, sd = 0.5 }",
                DistSpec::LogNormal { mean: 3.0, sd: 0.5 },
            ),
            (
                "{ dist = \"uniform\", min = 1, max = 2 }",
                DistSpec::Uniform { min: 1.0, max: 2.0 },
            ),
            (
                "{ dist = \"triangular\", min = 1, mode = 2, max = 4 }",
                DistSpec::Triangular {
                    min: 1.0,
                    mode: 2.0,
                    max: 4.0,
                },
            ),
            (
                "{ dist = \"pert\", min = 1, mode = 2, max = 4 }",
                DistSpec::Pert {
                    min: 1.0,
                    mode: 2.0,
                    max: 4.0,
                },
            ),
            (
                "{ dist = \"student_t\", mean = 9, scale = 2, df = 5 }",
                DistSpec::StudentT {
                    mean: 9.0,
                    scale: 2.0,
                    df: 5.0,
                },
            ),
            (
                "{ dist = \"split_normal\", mode = 4, sd_below = 2, sd_above = 1 }",
                DistSpec::SplitNormal {
                    mode: 4.0,
                    sd_below: 2.0,
                    sd_above: 1.0,
                },
            ),
            (
                "{ dist = \"discrete\", values = [1, 2.5], weights = [3, 1] }",
                DistSpec::Discrete {
                    values: vec![1.0, 2.5],
                    weights: vec![3.0, 1.0],
                },
            ),
        ];
        for (text, expected) in cases {
            let s = accepted(&trend(text));
            let period = &s.indicators()[0].periods[0];
            assert_eq!(period.trend_spec, expected, "{text}");
            assert_eq!(expected.build().as_ref(), Ok(&period.trend), "{text}");
        }
        // The same constructor as before the spec existed.
        let s = accepted(&trend("{ dist = \"pert\", min = 1, mode = 2, max = 4 }"));
        assert_eq!(
            s.indicators()[0].periods[0].trend,
            Dist::pert(1.0, 2.0, 4.0).expect("valid")
        );
    }

    #[test]
    fn unknown_family_and_parameter_offer_the_nearest() {
        let body = trend("{ dist = \"normel\", mean = 5, sd = 1 }");
        assert_eq!(
            problems(&body),
            [format!("{AT}.dist: unknown distribution `normel`; expected one of normal, lognormal, uniform, triangular, pert, student_t, discrete, split_normal")]
        );
        assert_eq!(helps(&body), [Some("did you mean `normal`?".to_string())]);
        let body = trend("{ dist = \"normal\", mean = 5, sdd = 1 }");
        assert_eq!(
            problems(&body),
            [
                format!("{AT}.sdd: unknown parameter `sdd` for a normal distribution (it takes mean, sd, min, max)"),
                format!("{AT}: a normal distribution needs `sd`"),
            ]
        );
        assert_eq!(helps(&body), [Some("did you mean `sd`?".to_string()), None]);
    }

    #[test]
    fn wrong_values_are_named() {
        assert_eq!(
            problems(&trend("{ dist = \"uniform\", min = \"1\", max = nan }")),
            [
                format!("{AT}.min: `min` must be a finite number (found the string \"1\")"),
                format!("{AT}.max: `max` must be a finite number (found NaN)"),
            ]
        );
        assert_eq!(
            problems(&trend("{ mean = 5 }")),
            [format!("{AT}: a distribution table needs `dist`, e.g. {{ dist = \"normal\", mean = 5, sd = 1 }}")]
        );
        assert_eq!(
            problems(&trend("{ dist = 1 }")),
            [format!(
                "{AT}.dist: `dist` must be a string such as \"normal\""
            )]
        );
        assert_eq!(
            problems(&trend("\"5%\"")),
            [format!("{AT}: expected a number or a distribution such as {{ dist = \"normal\", mean = 5, sd = 1 }}, found a string")]
        );
        assert_eq!(
            problems(&trend("-inf")),
            [format!("{AT}: must be a finite number (got -inf)")]
        );
    }

    #[test]
    fn impossible_parameters_get_the_constructor_message() {
        assert_eq!(
            problems(&trend("{ dist = \"normal\", mean = 5, sd = 0 }")),
            [format!(
                "{AT}: impossible normal distribution: sd must be positive (got 0)"
            )]
        );
        assert_eq!(
            problems(&trend("{ dist = \"pert\", min = 1, mode = 5, max = 4 }")),
            [format!(
                "{AT}: impossible pert distribution: mode 5 must lie between min 1 and max 4"
            )]
        );
    }

    #[test]
    fn discrete_lists() {
        assert_eq!(
            problems(&trend(
                "{ dist = \"discrete\", values = [1, \"x\"], weights = 2 }"
            )),
            [
                format!("{AT}.values[1]: expected a finite number, found the string \"x\""),
                format!("{AT}.weights: expected a list of numbers, e.g. [1, 2, 3]"),
            ]
        );
        assert_eq!(
            problems(&trend("{ dist = \"discrete\", values = [1, 2], weights = [1] }")),
            [format!("{AT}: impossible discrete distribution: values and weights must have the same length (got 2 values and 1 weights)")]
        );
    }
}
