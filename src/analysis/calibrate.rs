//! `plancast calibrate`: from a yearly history (`year,value`), the mean and spread of past
//! growth, its persistence (AR(1)) and how many years they rest on, written as a period block
//! ready to paste into a scenario.
//!
//! Growth is in percent per year, g_t = 100 (X_t / X_{t−1} − 1), because that is what the
//! scenario's growth model adds each year (spec section 2); `--model additive` uses increments
//! X_t − X_{t−1} instead. Only consecutive years give a rate: a missing year is reported, not
//! interpolated. Estimators (n rates, m consecutive pairs of rates):
//! - mean ḡ and sample standard deviation s (n − 1);
//! - persistence φ̂ = Σ d_t d_{t−1} / Σ d_{t−1}², d = g − ḡ (least squares through the origin on
//!   deviations), SE(φ̂) = sqrt((1 − φ̂²) / m);
//! - SE(ḡ) = s / sqrt(n) · sqrt((1 + φ) / (1 − φ)) (the long-run variance of an AR(1) mean),
//!   SE(s) = s · sqrt((1 + φ²) / (2 n (1 − φ²))), with φ = φ̂ clamped to [0, 0.95].
//!
//! The block: `trend = normal(ḡ, SE(ḡ))` (what history says about the structural rate),
//! `noise = s` (the spread of yearly rates around it) and `persistence = φ̂` clamped to [0, 0.95].

use serde::{Deserialize, Serialize};

use super::AnalysisError;

/// Below this many rates the estimates are flagged as resting on too little history.
pub const MIN_RATES: usize = 8;

/// How yearly changes are measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeModel {
    /// Percent growth (the `growth` model).
    Growth,
    /// Increments in units (the `additive` model).
    Additive,
}

/// The estimates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// The history file.
    pub file: String,
    /// How changes are measured.
    pub model: ChangeModel,
    /// First and last year used.
    pub years: (i32, i32),
    /// The yearly rates used: (year, rate).
    pub rates: Vec<(i32, f64)>,
    /// Mean rate.
    pub mean: f64,
    /// Its standard error.
    pub mean_se: f64,
    /// Standard deviation of the rates.
    pub sd: f64,
    /// Its standard error.
    pub sd_se: f64,
    /// AR(1) persistence (None with fewer than 3 consecutive pairs).
    pub persistence: Option<f64>,
    /// Its standard error.
    pub persistence_se: Option<f64>,
    /// Consecutive pairs of rates behind the persistence.
    pub pairs: usize,
    /// The rates in consecutive sub-periods ([`sub_periods`]): whether growth slowed shows here.
    pub sub_periods: Vec<SubPeriod>,
    /// Warnings (short series, gaps, non-positive values, clamped persistence, a break in the
    /// mean between the earlier and the later half).
    pub warnings: Vec<String>,
}

/// The rates of one stretch of years.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubPeriod {
    /// Year of the first rate.
    pub from: i32,
    /// Year of the last rate.
    pub to: i32,
    /// Rates in it.
    pub rates: usize,
    /// Their mean.
    pub mean: f64,
    /// Their standard deviation (NaN with one rate).
    pub sd: f64,
}

/// The |t| above which the earlier and later halves' means count as different (a break).
pub const BREAK_T: f64 = 2.0;

/// The rates cut into consecutive sub-periods: blocks of five rates (the last block takes the
/// remainder of fewer than three), or halves for fewer than ten rates; none for fewer than four.
pub fn sub_periods(rates: &[(i32, f64)]) -> Vec<SubPeriod> {
    let n = rates.len();
    if n < 4 {
        return Vec::new();
    }
    let size = if n < 10 { n.div_ceil(2) } else { 5 };
    let mut blocks: Vec<&[(i32, f64)]> = rates.chunks(size).collect();
    if blocks.len() > 1 && blocks.last().is_some_and(|b| b.len() < 3) {
        let last = blocks.pop().map_or(0, |b| b.len());
        let start = n - last - blocks.last().map_or(0, |b| b.len());
        blocks.pop();
        blocks.push(&rates[start..]);
    }
    blocks
        .iter()
        .map(|b| {
            let (mean, sd) = mean_sd(b);
            SubPeriod {
                from: b.first().map_or(0, |r| r.0),
                to: b.last().map_or(0, |r| r.0),
                rates: b.len(),
                mean,
                sd,
            }
        })
        .collect()
}

/// Mean and sample standard deviation of the rates.
fn mean_sd(rates: &[(i32, f64)]) -> (f64, f64) {
    let n = rates.len() as f64;
    let mean = rates.iter().map(|r| r.1).sum::<f64>() / n;
    let sd = if rates.len() > 1 {
        (rates.iter().map(|r| (r.1 - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        f64::NAN
    };
    (mean, sd)
}

/// The earlier and the later half of the rates compared (Welch's t on their means, each
/// standard error widened by the AR(1) factor sqrt((1 + φ)/(1 − φ))): a warning when |t| >
/// [`BREAK_T`], naming both means, so that a mean over a history whose growth slowed is not
/// taken for the pace to come. None for fewer than 8 rates.
pub fn break_warning(rates: &[(i32, f64)], phi: f64) -> Option<String> {
    if rates.len() < 8 {
        return None;
    }
    let (early, late) = rates.split_at(rates.len() / 2);
    let (m1, s1) = mean_sd(early);
    let (m2, s2) = mean_sd(late);
    let inflation = (1.0 + phi) / (1.0 - phi);
    let se = ((s1 * s1 / early.len() as f64 + s2 * s2 / late.len() as f64) * inflation).sqrt();
    let t = (m2 - m1) / se;
    (t.abs() > BREAK_T && se > 0.0).then(|| {
        format!(
            "growth {} between the halves: mean {:.2} over {}..{}, {:.2} over {}..{} (t = {:.1}); the whole-history mean describes neither: consider --from {}",
            if m2 < m1 { "slowed" } else { "rose" },
            m1,
            early[0].0,
            early[early.len() - 1].0,
            m2,
            late[0].0,
            late[late.len() - 1].0,
            t,
            late[0].0 - 1
        )
    })
}

/// Estimates growth mean, spread and persistence from `history` between `from` and `to`.
pub fn calibrate(
    file: &str,
    history: &[(i32, f64)],
    from: Option<i32>,
    to: Option<i32>,
    model: ChangeModel,
) -> Result<Calibration, AnalysisError> {
    let used: Vec<(i32, f64)> = history
        .iter()
        .copied()
        .filter(|(y, _)| from.is_none_or(|f| *y >= f) && to.is_none_or(|t| *y <= t))
        .collect();
    let mut warnings = Vec::new();
    let non_positive: Vec<String> = if model == ChangeModel::Growth {
        used.iter()
            .filter(|(_, v)| *v <= 0.0)
            .map(|(y, v)| format!("{y} ({v})"))
            .collect()
    } else {
        Vec::new()
    };
    if !non_positive.is_empty() {
        warnings.push(format!(
            "non-positive values have no percent growth and were left out: {}",
            non_positive.join(", ")
        ));
    }
    let mut missing = Vec::new();
    for pair in used.windows(2) {
        for y in (pair[0].0 + 1)..pair[1].0 {
            missing.push(y.to_string());
        }
    }
    if !missing.is_empty() {
        warnings.push(format!(
            "missing years (no growth rate across them): {}",
            missing.join(", ")
        ));
    }
    let rates: Vec<(i32, f64)> = used
        .windows(2)
        .filter(|p| p[1].0 == p[0].0 + 1)
        .filter_map(|p| {
            let (x0, x1) = (p[0].1, p[1].1);
            match model {
                ChangeModel::Growth if x0 > 0.0 && x1 > 0.0 => {
                    Some((p[1].0, 100.0 * (x1 / x0 - 1.0)))
                }
                ChangeModel::Growth => None,
                ChangeModel::Additive => Some((p[1].0, x1 - x0)),
            }
        })
        .collect();
    let n = rates.len();
    let range = match (from, to) {
        (None, None) => String::new(),
        _ => format!(
            " between {} and {}",
            from.map(|y| y.to_string())
                .unwrap_or_else(|| "the start".into()),
            to.map(|y| y.to_string())
                .unwrap_or_else(|| "the end".into())
        ),
    };
    if let Some((year, _)) = rates.iter().find(|r| !r.1.is_finite()) {
        let before = used
            .iter()
            .find(|p| p.0 == year - 1)
            .map_or(f64::NAN, |p| p.1);
        let after = used.iter().find(|p| p.0 == *year).map_or(f64::NAN, |p| p.1);
        return Err(AnalysisError::NoSolution(format!(
            "the {} from {} ({}) to {year} ({}) is too large to compute: check the values",
            if model == ChangeModel::Growth {
                "growth rate"
            } else {
                "change"
            },
            year - 1,
            crate::numeric::short(before),
            crate::numeric::short(after)
        )));
    }
    if n < 2 {
        let why = if model == ChangeModel::Growth && !non_positive.is_empty() {
            format!(
                "; a percent growth rate needs two consecutive positive values, and {} of the values are zero or negative (use --model additive for a series that can be negative)",
                non_positive.len()
            )
        } else {
            String::new()
        };
        return Err(AnalysisError::NoSolution(format!(
            "{file} gives {n} yearly {} rate{}{range}: at least 2 are needed (3 consecutive years){why}",
            if model == ChangeModel::Growth {
                "growth"
            } else {
                "change"
            },
            if n == 1 { "" } else { "s" }
        )));
    }
    let nf = n as f64;
    let mean = rates.iter().map(|r| r.1).sum::<f64>() / nf;
    let sd = (rates.iter().map(|r| (r.1 - mean).powi(2)).sum::<f64>() / (nf - 1.0)).sqrt();
    // Consecutive pairs of rates.
    let pairs: Vec<(f64, f64)> = rates
        .windows(2)
        .filter(|w| w[1].0 == w[0].0 + 1)
        .map(|w| (w[0].1 - mean, w[1].1 - mean))
        .collect();
    let m = pairs.len();
    let (persistence, persistence_se) = if m >= 3 {
        let denominator: f64 = pairs.iter().map(|(a, _)| a * a).sum();
        if denominator > 0.0 {
            let phi = pairs.iter().map(|(a, b)| a * b).sum::<f64>() / denominator;
            (
                Some(phi),
                Some(((1.0 - phi * phi).max(0.0) / m as f64).sqrt()),
            )
        } else {
            (None, None)
        }
    } else {
        warnings.push(format!(
            "only {m} consecutive pairs of rates: too few to estimate persistence (set to 0)"
        ));
        (None, None)
    };
    let phi = persistence.unwrap_or(0.0).clamp(0.0, 0.95);
    let mean_se = sd / nf.sqrt() * ((1.0 + phi) / (1.0 - phi)).sqrt();
    let sd_se = sd * ((1.0 + phi * phi) / (2.0 * nf * (1.0 - phi * phi))).sqrt();
    let estimates = [mean, sd, mean_se, sd_se];
    if estimates.iter().any(|x| !x.is_finite()) || persistence.is_some_and(|p| !p.is_finite()) {
        return Err(AnalysisError::NoSolution(format!(
            "{file}: the yearly {} rates are too large to average (their sum or spread is beyond the range of numbers); check the values",
            if model == ChangeModel::Growth {
                "growth"
            } else {
                "change"
            }
        )));
    }
    if n < MIN_RATES {
        warnings.push(format!(
            "only {n} yearly rates: too short a history to say much; the standard errors are wide and rest on normal approximations"
        ));
    }
    if let Some(p) = persistence {
        if !(0.0..=0.95).contains(&p) {
            warnings.push(format!(
                "estimated persistence {p:.3} lies outside [0, 0.95]; the block uses {phi:.2}"
            ));
        }
    }
    if let Some(w) = break_warning(&rates, phi) {
        warnings.push(w);
    }
    let sub_periods = sub_periods(&rates);
    Ok(Calibration {
        file: file.to_string(),
        model,
        years: (
            used.first().map(|p| p.0).unwrap_or(0),
            used.last().map(|p| p.0).unwrap_or(0),
        ),
        rates,
        mean,
        mean_se,
        sd,
        sd_se,
        persistence,
        persistence_se,
        pairs: m,
        sub_periods,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_whose_growth_slowed_is_shown_by_sub_period_and_warned_of() {
        // 10% a year for 2001-2010, then 5%: the whole-history mean (7.5) describes neither.
        let mut history = vec![(2000, 100.0)];
        for year in 2001..=2020 {
            let rate = if year <= 2010 { 10.0 } else { 5.0 };
            let wobble = if year % 2 == 0 { 0.5 } else { -0.5 };
            let last = history.last().map_or(100.0, |h: &(i32, f64)| h.1);
            history.push((year, last * (1.0 + (rate + wobble) / 100.0)));
        }
        let c = calibrate("h.csv", &history, None, None, ChangeModel::Growth).unwrap();
        let means: Vec<String> = c
            .sub_periods
            .iter()
            .map(|p| format!("{:.1}", p.mean))
            .collect();
        // Blocks of five rates; 2001-2005 has three odd years (-0.5) and two even (+0.5).
        assert_eq!(means, ["9.9", "10.1", "4.9", "5.1"], "{:?}", c.sub_periods);
        assert!(
            c.warnings
                .iter()
                .any(|w| w.contains("slowed") && w.contains("--from 2010")),
            "{:?}",
            c.warnings
        );
        // A steady history: no break.
        let steady: Vec<(i32, f64)> = (0..21)
            .map(|k| {
                (
                    2000 + k,
                    100.0 * 1.07f64.powi(k) * if k % 2 == 0 { 1.01 } else { 0.99 },
                )
            })
            .collect();
        let c = calibrate("s.csv", &steady, None, None, ChangeModel::Growth).unwrap();
        assert!(
            c.warnings.iter().all(|w| !w.contains("between the halves")),
            "{:?}",
            c.warnings
        );
    }

    #[test]
    fn constant_growth_has_zero_spread() {
        let history: Vec<(i32, f64)> = (0..12)
            .map(|t| (2000 + t, 100.0 * 1.05f64.powi(t)))
            .collect();
        let c = calibrate("x.csv", &history, None, None, ChangeModel::Growth).unwrap();
        assert!((c.mean - 5.0).abs() < 1e-9);
        assert!(c.sd < 1e-9);
        assert_eq!(c.rates.len(), 11);
    }

    #[test]
    fn impossible_histories_are_refused_with_the_reason() {
        // Once printed `inf` and `NaN` with exit 0.
        let extreme = vec![(2000, 1e-300), (2001, 1e300), (2002, 1e-300), (2003, 1e300)];
        let e = calibrate("x.csv", &extreme, None, None, ChangeModel::Growth).unwrap_err();
        assert!(
            e.to_string()
                .contains("growth rate from 2000 (1e-300) to 2001 (1e300) is too large"),
            "{e}"
        );
        let huge = vec![(2000, -1e308), (2001, 1e308), (2002, -1e308), (2003, 1e308)];
        let e = calibrate("x.csv", &huge, None, None, ChangeModel::Additive).unwrap_err();
        assert!(e.to_string().contains("too large"), "{e}");
        // Once "0 yearly growth rates" without saying why.
        let negative: Vec<(i32, f64)> = (0..5).map(|t| (2000 + t, -1.0 - t as f64)).collect();
        let e = calibrate("x.csv", &negative, None, None, ChangeModel::Growth).unwrap_err();
        assert!(
            e.to_string()
                .contains("5 of the values are zero or negative (use --model additive"),
            "{e}"
        );
    }

    #[test]
    fn gaps_and_short_series_are_flagged() {
        let history = vec![
            (2000, 1.0),
            (2001, 1.1),
            (2003, 1.3),
            (2004, 1.4),
            (2005, 1.5),
        ];
        let c = calibrate("x.csv", &history, None, None, ChangeModel::Growth).unwrap();
        assert_eq!(c.rates.len(), 3);
        assert!(c
            .warnings
            .iter()
            .any(|w| w.contains("missing years") && w.contains("2002")));
        assert!(c.warnings.iter().any(|w| w.contains("too short")));
    }
}
