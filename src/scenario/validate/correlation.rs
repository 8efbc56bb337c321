//! Checks of `[correlation]`: each `[a, b, rho]` entry of the `trend` and `noise` lists (known,
//! distinct, simulated indicators; count indicators have no noise; rho in [-1, 1]; no pair
//! twice), and the factor of each matrix ([`correlation::build_factor`], with the nearest valid
//! matrix when `repair = true`).

use super::super::diagnostic::{Diagnostic, KeyPath};
use super::super::raw::{RawCommonFactor, RawScenario};
use super::Validator;
use crate::model::correlation::{self, CommonFactor, Correlation, CorrelationError, Factor};
use crate::model::{rules, Indicator, ModelKind};
use std::collections::HashSet;

impl Validator {
    /// Both correlation structures (identity when `[correlation]` is absent).
    pub(super) fn correlation(
        &mut self,
        raw: &RawScenario,
        indicators: &[Indicator],
        ids: &[&str],
    ) -> Correlation {
        let n = indicators.len();
        let mut result = Correlation {
            trend: Factor::identity(n),
            noise: Factor::identity(n),
            ..Default::default()
        };
        let Some(corr) = &raw.correlation else {
            return result;
        };
        result.factors = self.common_factors(&corr.factors, indicators, ids);
        for (kind, list) in [("trend", &corr.trend), ("noise", &corr.noise)] {
            let pairs = self.correlation_pairs(kind, list, indicators, ids, &mut result);
            let entries = correlation::entries(kind, &pairs, &result.factors);
            let factor = self.correlation_factor(kind, n, &entries, corr.repair, &mut result);
            if kind == "trend" {
                result.trend = factor;
            } else {
                result.noise = factor;
            }
        }
        result
    }

    /// The valid entries of one list as `(i, j, rho)`; each is also recorded in
    /// `result.pairs`.
    fn correlation_pairs(
        &mut self,
        kind: &str,
        list: &[(String, String, f64)],
        indicators: &[Indicator],
        ids: &[&str],
        result: &mut Correlation,
    ) -> Vec<(usize, usize, f64)> {
        let mut pairs = Vec::new();
        let mut seen = HashSet::new();
        for (k, (a, b, rho)) in list.iter().enumerate() {
            let path = KeyPath::root().key("correlation").key(kind).index(k);
            let ia = self.lookup_indicator(path.index(0), a, ids, "a correlation");
            let ib = self.lookup_indicator(path.index(1), b, ids, "a correlation");
            let (Some(ia), Some(ib)) = (ia, ib) else {
                continue;
            };
            for (position, &i) in [ia, ib].iter().enumerate() {
                self.correlated_indicator(kind, &indicators[i], i, path.index(position));
            }
            if ia == ib {
                self.error(
                    path.clone(),
                    format!("a correlation needs two different indicators (got `{a}` twice)"),
                );
                continue;
            }
            if let Err(message) = rules::correlation(*rho) {
                self.error(path.index(2), message);
                continue;
            }
            if !seen.insert((ia.min(ib), ia.max(ib))) {
                self.error(
                    path.clone(),
                    format!("the pair `{a}`, `{b}` is listed twice"),
                );
                continue;
            }
            pairs.push((ia, ib, *rho));
            result
                .pairs
                .push((kind.to_string(), a.clone(), b.clone(), *rho));
        }
        pairs
    }

    /// The valid `[[correlation.factors]]`: a unique id, `kind` trend or noise, members that are
    /// known simulated indicators (no count for noise), each listed once, loadings in (-1, 1).
    fn common_factors(
        &mut self,
        raw: &[RawCommonFactor],
        indicators: &[Indicator],
        ids: &[&str],
    ) -> Vec<CommonFactor> {
        let mut out = Vec::new();
        let mut seen_ids = HashSet::new();
        for (k, f) in raw.iter().enumerate() {
            let path = KeyPath::root().key("correlation").key("factors").index(k);
            if !seen_ids.insert(f.id.as_str()) {
                self.error(
                    path.key("id"),
                    format!("the factor id `{}` is used twice", f.id),
                );
                continue;
            }
            let kind = f.kind.as_deref().unwrap_or("trend");
            if !["trend", "noise"].contains(&kind) {
                self.error_help(
                    path.key("kind"),
                    format!("unknown factor kind `{kind}`; expected trend or noise"),
                    crate::scenario::diagnostic::did_you_mean(kind, ["trend", "noise"]),
                );
                continue;
            }
            if f.loadings.len() < 2 {
                self.error(
                    path.key("loadings"),
                    "a common factor needs at least two members to correlate",
                );
                continue;
            }
            let mut loadings = Vec::new();
            let mut ok = true;
            for (id, &loading) in &f.loadings {
                let at = path.key("loadings").key(id);
                let Some(i) = self.lookup_indicator(at.clone(), id, ids, "a common factor") else {
                    ok = false;
                    continue;
                };
                self.correlated_indicator(kind, &indicators[i], i, at.clone());
                if !(loading.is_finite() && loading.abs() < 1.0) {
                    self.error(
                        at,
                        format!(
                            "a factor loading must lie strictly between -1 and 1 (got {loading})"
                        ),
                    );
                    ok = false;
                    continue;
                }
                loadings.push((i, loading));
            }
            if ok {
                out.push(CommonFactor {
                    id: f.id.clone(),
                    kind: kind.to_string(),
                    label: f.label.clone(),
                    loadings,
                });
            }
        }
        out
    }

    /// Reports an indicator that has nothing of `kind` to correlate (derived; count for noise).
    fn correlated_indicator(&mut self, kind: &str, indicator: &Indicator, i: usize, at: KeyPath) {
        if self.invalid_models.contains(&i) {
            return;
        }
        if !indicator.kind.is_stochastic() {
            self.error(
                at,
                format!(
                    "`{}` is derived: it has no trend or noise of its own to correlate",
                    indicator.id
                ),
            );
        } else if kind == "noise" && indicator.kind == ModelKind::Count {
            self.error(
                at,
                format!(
                    "`{}` is a count indicator: it has no yearly noise to correlate",
                    indicator.id
                ),
            );
        }
    }

    /// The factor of one list's matrix; identity after a problem.
    fn correlation_factor(
        &mut self,
        kind: &str,
        n: usize,
        pairs: &[(usize, usize, f64)],
        repair: bool,
        result: &mut Correlation,
    ) -> Factor {
        let path = KeyPath::root().key("correlation").key(kind);
        match correlation::build_factor(n, pairs, repair) {
            Ok((factor, repaired)) => {
                if repaired {
                    result.repaired = true;
                }
                factor
            }
            Err(CorrelationError::RepairFailed { .. }) => {
                result.repaired = true;
                self.error(path, "the correlation matrix could not be repaired");
                Factor::identity(n)
            }
            Err(CorrelationError::NotPositiveDefinite { min_eigenvalue }) => {
                self.diags.push(
                    Diagnostic::at(
                        path,
                        format!(
                            "the {kind} correlations are not positive definite (smallest eigenvalue {min_eigenvalue:.4}): no set of variables can have them all at once"
                        ),
                    )
                    .with_help("lower the strongest correlations, or set `repair = true` in [correlation] to use the nearest valid matrix"),
                );
                Factor::identity(n)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    /// Growth indicators `gdp`, `a`, `b`, `c`, a count `n` and a derived `d`.
    fn with_correlation(table: &str) -> String {
        let mut body = GDP.to_string();
        for id in ["a", "b", "c"] {
            body += &GDP.replace("[indicators.gdp]", &format!("[indicators.{id}]"));
        }
        body += "[indicators.n]\nname = \"N\"\nmodel = \"count\"\nbase = 1\nrate = [{ from = 2021, to = 2025, trend = 1 }]\n\n";
        body += "[indicators.d]\nname = \"D\"\nmodel = \"derived\"\nformula = \"a + b\"\n\n";
        body + "[correlation]\n" + table
    }

    #[test]
    fn valid_pairs_are_recorded_and_factored() {
        let s = accepted(&with_correlation(
            "trend = [[\"a\", \"b\", 0.5], [\"c\", \"n\", -0.2]]\nnoise = [[\"b\", \"c\", 0.3]]\n",
        ));
        let c = &s.correlation();
        assert_eq!(c.pairs.len(), 3);
        assert_eq!(c.pairs[0], ("trend".into(), "a".into(), "b".into(), 0.5));
        assert!(!c.trend.identity && !c.noise.identity && !c.repaired);
        // Row of `b` (index 2): correlated with `a` (index 1).
        let row = &c.trend.rows[2];
        assert_eq!(row.len(), 2);
        assert_eq!((row[0].0, row[0].1), (1, 0.5));
        assert_eq!(row[1].0, 2);
        assert!((row[1].1 - 0.75f64.sqrt()).abs() < 1e-15);
        assert!(s.warnings().is_empty());
    }

    #[test]
    fn entries_are_checked_one_by_one() {
        assert_eq!(
            problems(&with_correlation(
                "trend = [[\"a\", \"a\", 0.5], [\"a\", \"b\", 1.5], [\"a\", \"b\", 0.1], [\"b\", \"a\", 0.2], [\"d\", \"a\", 0.1]]\nnoise = [[\"a\", \"n\", 0.1]]\n"
            )),
            [
                "correlation.trend[0]: a correlation needs two different indicators (got `a` twice)",
                "correlation.trend[1][2]: a correlation must lie in [-1, 1] (got 1.5)",
                "correlation.trend[3]: the pair `b`, `a` is listed twice",
                "correlation.trend[4][0]: `d` is derived: it has no trend or noise of its own to correlate",
                "correlation.noise[0][1]: `n` is a count indicator: it has no yearly noise to correlate",
            ]
        );
    }

    #[test]
    fn unknown_indicators_offer_the_nearest() {
        let body = with_correlation("trend = [[\"gpd\", \"b\", 0.5], [\"a\", \"zzz\", 0.5]]\n");
        assert_eq!(
            problems(&body),
            [
                "correlation.trend[0][0]: unknown indicator `gpd` in a correlation",
                "correlation.trend[1][1]: unknown indicator `zzz` in a correlation",
            ]
        );
        assert_eq!(
            helps(&body),
            [Some("did you mean `gdp`?".to_string()), None]
        );
    }

    #[test]
    fn impossible_matrices_are_refused_or_repaired() {
        let table = "trend = [[\"a\", \"b\", 0.9], [\"a\", \"c\", 0.9], [\"b\", \"c\", -0.9]]\n";
        let body = with_correlation(table);
        let problems = problems(&body);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("correlation.trend: the trend correlations are not positive definite (smallest eigenvalue -"),
            "{problems:?}"
        );
        assert_eq!(
            helps(&body),
            [Some("lower the strongest correlations, or set `repair = true` in [correlation] to use the nearest valid matrix".to_string())]
        );
        let s = accepted(&with_correlation(&format!("repair = true\n{table}")));
        assert!(s.correlation().repaired);
        assert_eq!(
            s.warnings(),
            ["a correlation matrix was not positive definite and was replaced by the nearest correlation matrix (repair = true)"]
        );
    }

    #[test]
    fn a_common_factor_adds_the_products_of_its_loadings() {
        // a, b, c load 0.6, 0.5, 0.4 and a listed pair a-b adds 0.1: the same factor as the
        // pairs written out (a-b 0.4, a-c 0.24, b-c 0.2).
        let with_factor = accepted(&with_correlation(
            "trend = [[\"a\", \"b\", 0.1]]\n\n[[correlation.factors]]\nid = \"push\"\nloadings = { a = 0.6, b = 0.5, c = 0.4 }\n",
        ));
        let written_out = accepted(&with_correlation(
            "trend = [[\"a\", \"b\", 0.4], [\"a\", \"c\", 0.24], [\"b\", \"c\", 0.2]]\n",
        ));
        let (f, w) = (
            &with_factor.correlation().trend,
            &written_out.correlation().trend,
        );
        for (rf, rw) in f.rows.iter().zip(&w.rows) {
            assert_eq!(rf.len(), rw.len());
            for (&(cf, vf), &(cw, vw)) in rf.iter().zip(rw) {
                assert_eq!(cf, cw);
                assert!((vf - vw).abs() < 1e-12, "{vf} vs {vw}");
            }
        }
        let factor = &with_factor.correlation().factors[0];
        assert_eq!(
            (factor.id.as_str(), factor.kind.as_str()),
            ("push", "trend")
        );
        assert_eq!(factor.loadings, vec![(1, 0.6), (2, 0.5), (3, 0.4)]);
    }

    #[test]
    fn common_factors_are_checked() {
        let body = with_correlation(
            "[[correlation.factors]]\nid = \"f\"\nloadings = { a = 1.0, gpd = 0.3, d = 0.2 }\n\n[[correlation.factors]]\nid = \"f\"\nloadings = { a = 0.2, b = 0.2 }\n\n[[correlation.factors]]\nid = \"g\"\nkind = \"nosie\"\nloadings = { a = 0.2, b = 0.2 }\n\n[[correlation.factors]]\nid = \"h\"\nkind = \"noise\"\nloadings = { a = 0.2, n = 0.2 }\n\n[[correlation.factors]]\nid = \"k\"\nloadings = { a = 0.2 }\n",
        );
        assert_eq!(
            problems(&body),
            [
                "correlation.factors[0].loadings.a: a factor loading must lie strictly between -1 and 1 (got 1)",
                "correlation.factors[0].loadings.gpd: unknown indicator `gpd` in a common factor",
                "correlation.factors[0].loadings.d: `d` is derived: it has no trend or noise of its own to correlate",
                "correlation.factors[1].id: the factor id `f` is used twice",
                "correlation.factors[2].kind: unknown factor kind `nosie`; expected trend or noise",
                "correlation.factors[3].loadings.n: `n` is a count indicator: it has no yearly noise to correlate",
                "correlation.factors[4].loadings: a common factor needs at least two members to correlate",
            ]
        );
        assert!(helps(&body).contains(&Some("did you mean `gdp`?".to_string())));
        assert!(helps(&body).contains(&Some("did you mean `noise`?".to_string())));
    }
}
