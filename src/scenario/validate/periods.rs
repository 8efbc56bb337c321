//! Checks of an indicator's periods (`growth`, `step` or `rate` lists): the key that fits the
//! model, each period's years, `noise`, `persistence` and `trend`, and that the periods cover
//! every simulated year exactly once.

use super::super::diagnostic::{with_article, KeyPath};
use super::super::raw::{RawIndicator, RawPeriod};
use super::indicators::IndicatorContext;
use super::Validator;
use crate::model::{rules, ModelKind, Period};

impl Validator {
    /// The periods under the key of the indicator's model; periods under another model's key
    /// are reported, and so is a simulated indicator without any.
    pub(super) fn indicator_periods(&mut self, cx: &IndicatorContext) -> Vec<Period> {
        let (raw, path, kind) = (cx.raw, cx.path, cx.kind);
        let period_keys = [
            ("growth", ModelKind::Growth, &raw.growth),
            ("step", ModelKind::Additive, &raw.step),
            ("rate", ModelKind::Count, &raw.rate),
        ];
        let mut periods = Vec::new();
        for (key, owner, value) in period_keys {
            let Some(list) = value else { continue };
            if owner != kind {
                if cx.known_model {
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
            periods = self.periods(list, &path.key(key), kind, cx.base_year, cx.horizon);
        }
        if kind.is_stochastic() && cx.known_model && periods.is_empty() && period_missing(raw, kind)
        {
            self.error(
                path.clone(),
                format!(
                    "{} indicator needs `{}` periods covering {}..{}",
                    with_article(kind.name()),
                    kind.period_key(),
                    cx.base_year + 1,
                    cx.horizon
                ),
            );
        }
        periods
    }

    /// The periods of one list, sorted by year. After a broken period, coverage messages would
    /// only repeat it: they are skipped.
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
        let mut had_error = false;
        for (i, raw) in list.iter().enumerate() {
            let p = path.index(i);
            if !self.period_years(raw, &p, first_year, horizon) {
                had_error = true;
                continue;
            }
            let noise = self.period_noise(raw, &p, kind, &mut had_error);
            let persistence = self.period_persistence(raw, &p, kind);
            let Some((trend_spec, trend)) = self.dist(&raw.trend, &p.key("trend")) else {
                had_error = true;
                continue;
            };
            periods.push(Period {
                from: raw.from.max(first_year as i64) as i32,
                to: raw.to as i32,
                trend,
                trend_spec,
                noise,
                persistence,
            });
        }
        if had_error {
            return periods;
        }
        self.coverage(list, path, &periods, first_year, horizon);
        periods.sort_by_key(|p| p.from);
        periods
    }

    /// `from` <= `to`, ending within `first_year..=horizon`; false after a problem.
    fn period_years(
        &mut self,
        raw: &RawPeriod,
        p: &KeyPath,
        first_year: i32,
        horizon: i32,
    ) -> bool {
        if raw.from > raw.to {
            self.error(
                p.key("from"),
                format!(
                    "period starts in {} but ends earlier, in {}",
                    raw.from, raw.to
                ),
            );
            return false;
        }
        if raw.to > horizon as i64 {
            self.error(
                p.key("to"),
                format!("period ends in {}, after the horizon {horizon}", raw.to),
            );
            return false;
        }
        if raw.to < first_year as i64 {
            self.error(
                p.key("to"),
                format!(
                    "period ends in {}, before the first simulated year {first_year}",
                    raw.to
                ),
            );
            return false;
        }
        true
    }

    /// `noise` ([`rules::noise`]; none for a count). A non-finite value also sets `had_error`.
    fn period_noise(
        &mut self,
        raw: &RawPeriod,
        p: &KeyPath,
        kind: ModelKind,
        had_error: &mut bool,
    ) -> f64 {
        match raw.noise {
            Some(_) if kind == ModelKind::Count => {
                self.error(
                    p.key("noise"),
                    "a count indicator has no `noise`: its yearly variation is Poisson",
                );
                0.0
            }
            Some(n) => match rules::noise(n) {
                Ok(n) => n,
                Err(message) => {
                    self.error(p.key("noise"), message);
                    if !n.is_finite() {
                        *had_error = true;
                    }
                    0.0
                }
            },
            None => 0.0,
        }
    }

    /// `persistence` ([`rules::persistence`]; none for a count).
    fn period_persistence(&mut self, raw: &RawPeriod, p: &KeyPath, kind: ModelKind) -> f64 {
        match raw.persistence {
            Some(_) if kind == ModelKind::Count => {
                self.error(
                    p.key("persistence"),
                    "a count indicator has no `persistence`",
                );
                0.0
            }
            Some(phi) => match rules::persistence(phi) {
                Ok(phi) => phi,
                Err(message) => {
                    self.error(p.key("persistence"), message);
                    0.0
                }
            },
            None => 0.0,
        }
    }

    /// Every year `first_year..=horizon` covered exactly once: gaps and overlaps are reported at
    /// the period where they show, a missing tail at the list.
    fn coverage(
        &mut self,
        list: &[RawPeriod],
        path: &KeyPath,
        periods: &[Period],
        first_year: i32,
        horizon: i32,
    ) {
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
    }
}

/// True when the key of the indicator's model is absent (not merely empty).
fn period_missing(raw: &RawIndicator, kind: ModelKind) -> bool {
    match kind {
        ModelKind::Growth => raw.growth.is_none(),
        ModelKind::Additive => raw.step.is_none(),
        ModelKind::Count => raw.rate.is_none(),
        ModelKind::Derived => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::model::dist_spec::DistSpec;

    fn growth(periods: &str) -> String {
        format!("[indicators.gdp]\nname = \"GDP\"\nmodel = \"growth\"\nbase = 100\ngrowth = [{periods}]\n")
    }

    #[test]
    fn periods_are_sorted_and_keep_the_spec() {
        let s = accepted(&growth(
            "{ from = 2023, to = 2025, trend = { dist = \"normal\", mean = 5, sd = 1 }, noise = 0.5, persistence = 0.3 }, { from = 2019, to = 2022, trend = 4 }",
        ));
        let periods = &s.indicators()[0].periods;
        let years: Vec<(i32, i32)> = periods.iter().map(|p| (p.from, p.to)).collect();
        // A period may start before the first simulated year; it is cut there.
        assert_eq!(years, [(2021, 2022), (2023, 2025)]);
        assert_eq!(periods[0].trend_spec, DistSpec::Fixed(4.0));
        assert_eq!(
            periods[1].trend_spec,
            DistSpec::Normal {
                mean: 5.0,
                sd: 1.0,
                min: None,
                max: None
            }
        );
        assert_eq!(
            periods[1].trend_spec.build().as_ref(),
            Ok(&periods[1].trend)
        );
        assert_eq!((periods[1].noise, periods[1].persistence), (0.5, 0.3));
    }

    #[test]
    fn gaps_overlaps_and_a_missing_tail() {
        assert_eq!(
            problems(&growth("{ from = 2021, to = 2021, trend = 1 }, { from = 2023, to = 2024, trend = 1 }")),
            ["indicators.gdp.growth[1].from: no period covers 2022..2022: periods must cover every year from 2021 to 2025"]
        );
        assert_eq!(
            problems(&growth(
                "{ from = 2021, to = 2023, trend = 1 }, { from = 2023, to = 2025, trend = 1 }"
            )),
            ["indicators.gdp.growth[1].from: periods overlap in 2023..2023"]
        );
        assert_eq!(
            problems(&growth("{ from = 2021, to = 2024, trend = 1 }")),
            ["indicators.gdp.growth: no period covers 2025..2025: periods must cover every year up to the horizon"]
        );
    }

    #[test]
    fn period_years_are_checked_before_coverage() {
        assert_eq!(
            problems(&growth("{ from = 2024, to = 2022, trend = 1 }, { from = 2021, to = 2026, trend = 1 }, { from = 2010, to = 2020, trend = 1 }")),
            [
                "indicators.gdp.growth[0].from: period starts in 2024 but ends earlier, in 2022",
                "indicators.gdp.growth[1].to: period ends in 2026, after the horizon 2025",
                "indicators.gdp.growth[2].to: period ends in 2020, before the first simulated year 2021",
            ]
        );
    }

    #[test]
    fn noise_and_persistence_rules() {
        assert_eq!(
            problems(&growth("{ from = 2021, to = 2025, trend = 1, noise = -1, persistence = 1 }")),
            [
                "indicators.gdp.growth[0].noise: noise is a standard deviation and must be >= 0 (got -1)",
                "indicators.gdp.growth[0].persistence: persistence must be in [0, 1) (got 1)",
            ]
        );
        // A non-finite noise is a broken period: the coverage gap after it is not reported.
        assert_eq!(
            problems(&growth(
                "{ from = 2021, to = 2022, trend = 1, noise = inf }"
            )),
            ["indicators.gdp.growth[0].noise: noise must be a finite number (got inf)"]
        );
        let count = "[indicators.firms]\nname = \"Firms\"\nmodel = \"count\"\nbase = 5\nrate = [{ from = 2021, to = 2025, trend = 1, noise = 0, persistence = 0 }]\n";
        assert_eq!(
            problems(count),
            [
                "indicators.firms.rate[0].noise: a count indicator has no `noise`: its yearly variation is Poisson",
                "indicators.firms.rate[0].persistence: a count indicator has no `persistence`",
            ]
        );
    }

    #[test]
    fn the_period_key_must_fit_the_model() {
        let body = "[indicators.gdp]\nname = \"GDP\"\nmodel = \"growth\"\nbase = 100\nstep = [{ from = 2021, to = 2025, trend = 1 }]\n";
        assert_eq!(
            problems(body),
            [
                "indicators.gdp.step: unexpected `step`: a growth indicator takes its periods under `growth`",
                "indicators.gdp: a growth indicator needs `growth` periods covering 2021..2025",
            ]
        );
        // An empty list is present: only coverage is reported.
        assert_eq!(
            problems(&growth("")),
            ["indicators.gdp.growth: no period covers 2021..2025: periods must cover every year up to the horizon"]
        );
    }
}
