//! Checks of `[[targets]]`: the id, the indicator, the kind, the years (`year` for a level
//! target, `from` < `to` otherwise, within the years the indicator has values), exactly one
//! threshold ([`rules::threshold`]) and a positive starting value for a cagr target.

use super::super::diagnostic::{did_you_mean, KeyPath};
use super::super::raw::{RawScenario, RawTarget};
use super::Validator;
use crate::model::{rules, Comparison, Indicator, Target, TargetKind};
use std::collections::HashSet;

/// The longest target id, in characters (it is part of chart file names).
pub const MAX_TARGET_ID_CHARS: usize = 100;

/// The target kinds, as written after `kind =`.
const KINDS: [&str; 4] = ["level", "cagr", "cumulative", "change"];

impl Validator {
    /// Every valid target in file order (a target with a problem is left out).
    pub(super) fn targets(
        &mut self,
        raw: &RawScenario,
        indicators: &[Indicator],
        ids: &[&str],
        horizon: i32,
    ) -> Vec<Target> {
        let mut targets = Vec::new();
        let mut seen = HashSet::new();
        for (k, t) in raw.targets.iter().enumerate() {
            let path = KeyPath::root().key("targets").index(k);
            if let Some(target) = self.target(t, &path, &mut seen, indicators, ids, horizon) {
                targets.push(target);
            }
        }
        targets
    }

    /// One target; `None` after a problem that makes the rest meaningless.
    fn target(
        &mut self,
        t: &RawTarget,
        path: &KeyPath,
        seen: &mut HashSet<String>,
        indicators: &[Indicator],
        ids: &[&str],
        horizon: i32,
    ) -> Option<Target> {
        self.target_id(t, path, seen);
        let indicator = self.lookup_indicator(
            path.key("indicator"),
            &t.indicator,
            ids,
            &format!("target `{}`", t.id),
        );
        let kind = self.target_kind(t, path)?;
        let (from, to) = self.target_span(t, path, kind)?;
        let indicator = indicator?;
        self.target_in_range(
            t,
            path,
            kind,
            (from, to),
            indicators[indicator].base_year,
            horizon,
        )?;
        let (comparison, threshold) = self.target_threshold(t, path)?;
        if kind == TargetKind::Cagr {
            self.cagr_start(path, &indicators[indicator], from);
        }
        Some(Target {
            id: t.id.clone(),
            indicator,
            kind,
            from: from as i32,
            to: to as i32,
            comparison,
            threshold,
            source: t.source.clone(),
            label: t.label.clone(),
            label_zh: t.label_zh.clone(),
        })
    }

    /// The id: letters, digits, `_`, `-` and `.` only, not starting with `.` or `-`, at most
    /// [`MAX_TARGET_ID_CHARS`] characters (it names CSV columns and chart files, so a `/` or
    /// `..` must never reach a file name), unique.
    fn target_id(&mut self, t: &RawTarget, path: &KeyPath, seen: &mut HashSet<String>) {
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
        if t.id.is_empty()
            || t.id.starts_with(['.', '-'])
            || t.id.chars().count() > MAX_TARGET_ID_CHARS
            || !t.id.chars().all(allowed)
        {
            self.error(
                path.key("id"),
                format!(
                    "target id `{}` must be 1 to {MAX_TARGET_ID_CHARS} letters, digits, `_`, `-` or `.`, not starting with `.` or `-` (it names chart files)",
                    t.id.escape_debug()
                ),
            );
        }
        if !seen.insert(t.id.clone()) {
            self.error(path.key("id"), format!("duplicate target id `{}`", t.id));
        }
    }

    /// `kind` (default level); an unknown one is reported with "did you mean".
    fn target_kind(&mut self, t: &RawTarget, path: &KeyPath) -> Option<TargetKind> {
        match t.kind.as_deref() {
            None | Some("level") => Some(TargetKind::Level),
            Some("cagr") => Some(TargetKind::Cagr),
            Some("cumulative") => Some(TargetKind::Cumulative),
            Some("change") => Some(TargetKind::Change),
            Some(other) => {
                self.error_help(
                    path.key("kind"),
                    format!(
                        "unknown target kind `{other}`; expected one of {}",
                        KINDS.join(", ")
                    ),
                    did_you_mean(other, KINDS),
                );
                None
            }
        }
    }

    /// The years involved: `year` for a level target, `from` < `to` for the others.
    fn target_span(
        &mut self,
        t: &RawTarget,
        path: &KeyPath,
        kind: TargetKind,
    ) -> Option<(i64, i64)> {
        if kind == TargetKind::Level {
            for (key, value) in [("from", t.from), ("to", t.to)] {
                if value.is_some() {
                    self.error(path.key(key), format!("a level target takes `year`, not `{key}` (from/to are for cagr, cumulative and change)"));
                }
            }
            return match t.year {
                Some(y) => Some((y, y)),
                None => {
                    self.error(path.clone(), "a level target needs `year`");
                    None
                }
            };
        }
        if t.year.is_some() {
            self.error(
                path.key("year"),
                format!("a {} target takes `from` and `to`, not `year`", kind.name()),
            );
        }
        match (t.from, t.to) {
            (Some(from), Some(to)) if from < to => Some((from, to)),
            (Some(from), Some(to)) => {
                self.error(
                    path.key("to"),
                    format!("`to` ({to}) must be after `from` ({from})"),
                );
                None
            }
            _ => {
                self.error(
                    path.clone(),
                    format!("a {} target needs `from` and `to`", kind.name()),
                );
                None
            }
        }
    }

    /// The years lie where the indicator has values (`earliest..=horizon`).
    fn target_in_range(
        &mut self,
        t: &RawTarget,
        path: &KeyPath,
        kind: TargetKind,
        (from, to): (i64, i64),
        earliest: i32,
        horizon: i32,
    ) -> Option<()> {
        if from >= earliest as i64 && to <= horizon as i64 {
            return Some(());
        }
        let key = match (kind, to > horizon as i64) {
            (TargetKind::Level, _) => "year",
            (_, true) => "to",
            (_, false) => "from",
        };
        self.error(
            path.key(key),
            format!(
                "target years {}..{} are outside the years `{}` has values ({earliest}..{horizon})",
                from, to, t.indicator
            ),
        );
        None
    }

    /// Exactly one of `at_least`, `above`, `at_most`, `below`, finite.
    fn target_threshold(&mut self, t: &RawTarget, path: &KeyPath) -> Option<(Comparison, f64)> {
        let thresholds: Vec<(Comparison, f64)> = [
            (Comparison::AtLeast, t.at_least),
            (Comparison::Above, t.above),
            (Comparison::AtMost, t.at_most),
            (Comparison::Below, t.below),
        ]
        .into_iter()
        .filter_map(|(c, v)| v.map(|v| (c, v)))
        .collect();
        let (comparison, threshold) = match thresholds.as_slice() {
            [(c, v)] => (*c, *v),
            [] => {
                self.error(
                    path.clone(),
                    "a target needs one threshold: at_least, above, at_most or below",
                );
                return None;
            }
            many => {
                let keys: Vec<&str> = many.iter().map(|(c, _)| c.key()).collect();
                self.error(
                    path.key(keys[1]),
                    format!(
                        "a target takes exactly one threshold, found {}",
                        keys.join(" and ")
                    ),
                );
                return None;
            }
        };
        match rules::threshold(threshold) {
            Ok(threshold) => Some((comparison, threshold)),
            Err(message) => {
                self.error(path.key(comparison.key()), message);
                None
            }
        }
    }

    /// A cagr target from a simulated indicator's base year needs a positive base.
    fn cagr_start(&mut self, path: &KeyPath, ind: &Indicator, from: i64) {
        if ind.kind.is_stochastic()
            && from == ind.base_year as i64
            && ind.base.is_some_and(|b| b <= 0.0)
        {
            self.error(
                path.key("from"),
                format!(
                    "a cagr target needs a positive starting value, but `{}` starts at {}",
                    ind.id,
                    ind.base.unwrap_or(0.0)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::model::{Comparison, TargetKind};

    fn with_target(target: &str) -> String {
        format!("{GDP}[[targets]]\n{target}\n")
    }

    #[test]
    fn targets_of_every_kind_are_accepted() {
        let s = accepted(&with_target(
            "id = \"lvl\"\nindicator = \"gdp\"\nyear = 2025\nat_least = 120\n\n[[targets]]\nid = \"grow\"\nindicator = \"gdp\"\nkind = \"cagr\"\nfrom = 2020\nto = 2025\nbelow = 7.5\n\n[[targets]]\nid = \"sum\"\nindicator = \"gdp\"\nkind = \"cumulative\"\nfrom = 2021\nto = 2023\nabove = 300",
        ));
        let t: Vec<(TargetKind, i32, i32, Comparison, f64)> = s
            .targets()
            .iter()
            .map(|t| (t.kind, t.from, t.to, t.comparison, t.threshold))
            .collect();
        assert_eq!(
            t,
            [
                (TargetKind::Level, 2025, 2025, Comparison::AtLeast, 120.0),
                (TargetKind::Cagr, 2020, 2025, Comparison::Below, 7.5),
                (TargetKind::Cumulative, 2021, 2023, Comparison::Above, 300.0),
            ]
        );
    }

    #[test]
    fn target_ids_cannot_name_other_folders() {
        // `a/b` once created a subfolder of charts/, `../x` failed to write with exit 1.
        for id in ["a/b", "../x", ".hidden", "a\\\\b", "x:y"] {
            let body = with_target(&format!(
                "id = \"{id}\"\nindicator = \"gdp\"\nyear = 2025\nat_least = 1"
            ));
            let found = problems(&body);
            assert_eq!(found.len(), 1, "{id}: {found:?}");
            assert!(
                found[0].contains("must be 1 to 100 letters"),
                "{id}: {found:?}"
            );
        }
    }

    #[test]
    fn ids_indicators_and_kinds() {
        let body = with_target(
            "id = \"a b\"\nindicator = \"gpd\"\nyear = 2025\nat_least = 1\n\n[[targets]]\nid = \"a b\"\nindicator = \"gdp\"\nkind = \"cgar\"\nyear = 2025\nat_least = 1",
        );
        assert_eq!(
            problems(&body),
            [
                "targets[0].id: target id `a b` must be 1 to 100 letters, digits, `_`, `-` or `.`, not starting with `.` or `-` (it names chart files)",
                "targets[0].indicator: unknown indicator `gpd` in target `a b`",
                "targets[1].id: target id `a b` must be 1 to 100 letters, digits, `_`, `-` or `.`, not starting with `.` or `-` (it names chart files)",
                "targets[1].id: duplicate target id `a b`",
                "targets[1].kind: unknown target kind `cgar`; expected one of level, cagr, cumulative, change",
            ]
        );
        let helps = helps(&body);
        assert_eq!(helps[1].as_deref(), Some("did you mean `gdp`?"));
        assert_eq!(helps[4].as_deref(), Some("did you mean `cagr`?"));
    }

    #[test]
    fn years_per_kind() {
        assert_eq!(
            problems(&with_target(
                "id = \"a\"\nindicator = \"gdp\"\nfrom = 2021\nat_least = 1\n\n[[targets]]\nid = \"b\"\nindicator = \"gdp\"\nkind = \"change\"\nfrom = 2021\nat_least = 1\n\n[[targets]]\nid = \"c\"\nindicator = \"gdp\"\nyear = 2026\nat_least = 1\n\n[[targets]]\nid = \"d\"\nindicator = \"gdp\"\nkind = \"change\"\nfrom = 2019\nto = 2022\nat_least = 1\n\n[[targets]]\nid = \"e\"\nindicator = \"gdp\"\nkind = \"change\"\nfrom = 2022\nto = 2026\nat_least = 1"
            )),
            [
                "targets[0].from: a level target takes `year`, not `from` (from/to are for cagr, cumulative and change)",
                "targets[0]: a level target needs `year`",
                "targets[1]: a change target needs `from` and `to`",
                "targets[2].year: target years 2026..2026 are outside the years `gdp` has values (2020..2025)",
                "targets[3].from: target years 2019..2022 are outside the years `gdp` has values (2020..2025)",
                "targets[4].to: target years 2022..2026 are outside the years `gdp` has values (2020..2025)",
            ]
        );
    }

    #[test]
    fn thresholds_and_cagr_start() {
        let body = format!(
            "{}[[targets]]\nid = \"a\"\nindicator = \"gdp\"\nyear = 2025\nat_least = 1\nat_most = 2\n\n[[targets]]\nid = \"b\"\nindicator = \"gdp\"\nyear = 2025\nbelow = nan\n\n[[targets]]\nid = \"c\"\nindicator = \"jobs\"\nkind = \"cagr\"\nfrom = 2020\nto = 2025\nabove = 1\n",
            "[indicators.jobs]\nname = \"Jobs\"\nmodel = \"additive\"\nbase = -5\nstep = [{ from = 2021, to = 2025, trend = 1 }]\n\n",
        );
        assert_eq!(
            problems(&format!("{GDP}{body}")),
            [
                "targets[0].at_most: a target takes exactly one threshold, found at_least and at_most",
                "targets[1].below: threshold must be a finite number (got NaN)",
                "targets[2].from: a cagr target needs a positive starting value, but `jobs` starts at -5",
            ]
        );
    }
}
