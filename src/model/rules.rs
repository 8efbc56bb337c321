//! Per-value rules of the scenario format: each numeric rule stated once, as a small pure
//! function that returns the value when it is allowed and, otherwise, the message validation
//! prints. `scenario::validate` calls them; a checked edit of one value can call the same
//! function and refuse exactly what loading the file would refuse.
//!
//! The messages are those of the file format's diagnostics (the key path is added by the
//! caller), so they must not change without changing the tests that check them.

use super::ModelKind;

/// Earliest accepted scenario `base_year`.
pub const FIRST_BASE_YEAR: i64 = 1900;

/// Latest accepted scenario `base_year`.
pub const LAST_BASE_YEAR: i64 = 2200;

/// Largest number of years from `base_year` to `horizon`.
pub const MAX_SPAN_YEARS: i64 = 200;

/// Any value that must be a finite number (a base, a clamp, ...).
pub fn finite(value: f64) -> Result<f64, String> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("must be a finite number (got {value})"))
    }
}

/// The sign rule of an indicator's `base` for its model: a growth base must be positive
/// (growth compounds from it), a count cannot be negative; additive and derived bases have no
/// sign rule. A non-finite growth base is left to [`finite`]; a count base of `-inf` is negative
/// (validation reports both problems for it).
pub fn base_sign(kind: ModelKind, value: f64) -> Result<f64, String> {
    if kind == ModelKind::Growth && value <= 0.0 && value.is_finite() {
        return Err(format!(
            "a growth indicator's base must be positive (got {value}): growth compounds from it"
        ));
    }
    if kind == ModelKind::Count && value < 0.0 {
        return Err(format!("a count cannot be negative (got {value})"));
    }
    Ok(value)
}

/// An indicator's `base` value for its model: finite ([`finite`]), then the model's sign rule
/// ([`base_sign`]). Returns the first problem.
pub fn base(kind: ModelKind, value: f64) -> Result<f64, String> {
    finite(value).and_then(|value| base_sign(kind, value))
}

/// An observed (published) value: a finite number.
pub fn observed(value: f64) -> Result<f64, String> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!(
            "observed value must be a finite number (got {value})"
        ))
    }
}

/// An observed value of a growth indicator after its base year: positive (growth is measured
/// from it).
pub fn growth_observed(value: f64) -> Result<f64, String> {
    if value <= 0.0 {
        Err(format!(
            "a growth indicator's observations must be positive (got {value})"
        ))
    } else {
        Ok(value)
    }
}

/// A period's `noise`: the standard deviation of the yearly shock, finite and `>= 0`.
pub fn noise(value: f64) -> Result<f64, String> {
    if !value.is_finite() {
        Err(format!("noise must be a finite number (got {value})"))
    } else if value < 0.0 {
        Err(format!(
            "noise is a standard deviation and must be >= 0 (got {value})"
        ))
    } else {
        Ok(value)
    }
}

/// A period's `persistence`: the AR(1) coefficient of the shock, in `[0, 1)`.
pub fn persistence(value: f64) -> Result<f64, String> {
    if (0.0..1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("persistence must be in [0, 1) (got {value})"))
    }
}

/// An event's `probability` in each year of its window: in `[0, 1]`.
pub fn probability(value: f64) -> Result<f64, String> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("probability must lie in [0, 1] (got {value})"))
    }
}

/// A target's threshold (`at_least`, `above`, `at_most` or `below`): a finite number.
pub fn threshold(value: f64) -> Result<f64, String> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("threshold must be a finite number (got {value})"))
    }
}

/// A correlation coefficient: in `[-1, 1]`.
pub fn correlation(rho: f64) -> Result<f64, String> {
    if rho.is_finite() && (-1.0..=1.0).contains(&rho) {
        Ok(rho)
    } else {
        Err(format!("a correlation must lie in [-1, 1] (got {rho})"))
    }
}

/// An additive indicator's clamps `min` and `max`: `min` strictly below `max`. Returns the
/// width `max - min`. (Each bound must also be [`finite`]; that is checked on its own key.)
pub fn clamp_bounds(min: f64, max: f64) -> Result<f64, String> {
    if min >= max {
        Err(format!("min {min} must be below max {max}"))
    } else {
        Ok(max - min)
    }
}

/// A count indicator's yearly `exit` share: the chance that a unit present at the end of the
/// previous year leaves, in `[0, 1)` (1 would empty the stock every year).
pub fn exit_share(value: f64) -> Result<f64, String> {
    if value.is_finite() && (0.0..1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "exit must be a share in [0, 1) (got {value}); for 5% a year write exit = 0.05"
        ))
    }
}

/// Whether a count with an `exit` share can hold `value` (finite values only): units leave one
/// by one (binomial thinning), so the stock they leave from must be whole.
pub fn whole_units(value: f64) -> bool {
    value.fract() == 0.0
}

/// An additive indicator's `base` against its clamps: inside `[min, max]` (a missing bound does
/// not limit).
pub fn base_within_clamps(base: f64, min: Option<f64>, max: Option<f64>) -> Result<f64, String> {
    if min.is_some_and(|lo| base < lo) || max.is_some_and(|hi| base > hi) {
        Err(format!("base {base} lies outside [min, max]"))
    } else {
        Ok(base)
    }
}

/// The scenario's `base_year`: a plausible calendar year, `1900..=2200`.
pub fn base_year(year: i64) -> Result<i64, String> {
    if (FIRST_BASE_YEAR..=LAST_BASE_YEAR).contains(&year) {
        Ok(year)
    } else {
        Err(format!(
            "base_year {year} is not a plausible calendar year ({FIRST_BASE_YEAR}..{LAST_BASE_YEAR})"
        ))
    }
}

/// The scenario's `horizon`: after `base_year`, at most 200 years later.
pub fn horizon(base_year: i64, horizon: i64) -> Result<i64, String> {
    if horizon <= base_year || horizon.saturating_sub(base_year) > MAX_SPAN_YEARS {
        Err(format!(
            "horizon {horizon} must be after base_year {base_year} (and at most {MAX_SPAN_YEARS} years later)"
        ))
    } else {
        Ok(horizon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_rules_per_model() {
        assert_eq!(base(ModelKind::Growth, 2.5), Ok(2.5));
        assert_eq!(
            base(ModelKind::Growth, 0.0).unwrap_err(),
            "a growth indicator's base must be positive (got 0): growth compounds from it"
        );
        assert_eq!(base(ModelKind::Additive, -3.0), Ok(-3.0));
        assert_eq!(
            base(ModelKind::Count, -1.0).unwrap_err(),
            "a count cannot be negative (got -1)"
        );
        assert_eq!(
            base(ModelKind::Growth, f64::NAN).unwrap_err(),
            "must be a finite number (got NaN)"
        );
        // The sign rule alone: -inf is a negative count, a non-finite growth base is not its
        // business.
        assert!(base_sign(ModelKind::Count, f64::NEG_INFINITY).is_err());
        assert!(base_sign(ModelKind::Growth, f64::NEG_INFINITY).is_ok());
    }

    #[test]
    fn shock_rules() {
        assert_eq!(noise(0.0), Ok(0.0));
        assert_eq!(
            noise(-0.5).unwrap_err(),
            "noise is a standard deviation and must be >= 0 (got -0.5)"
        );
        assert_eq!(
            noise(f64::INFINITY).unwrap_err(),
            "noise must be a finite number (got inf)"
        );
        assert_eq!(persistence(0.0), Ok(0.0));
        assert_eq!(
            persistence(1.0).unwrap_err(),
            "persistence must be in [0, 1) (got 1)"
        );
        assert!(persistence(f64::NAN).is_err());
    }

    #[test]
    fn probability_threshold_and_correlation() {
        assert_eq!(probability(1.0), Ok(1.0));
        assert_eq!(
            probability(1.5).unwrap_err(),
            "probability must lie in [0, 1] (got 1.5)"
        );
        assert!(probability(f64::NAN).is_err());
        assert_eq!(threshold(-2.0), Ok(-2.0));
        assert_eq!(
            threshold(f64::INFINITY).unwrap_err(),
            "threshold must be a finite number (got inf)"
        );
        assert_eq!(correlation(-1.0), Ok(-1.0));
        assert_eq!(
            correlation(60.0).unwrap_err(),
            "a correlation must lie in [-1, 1] (got 60)"
        );
    }

    #[test]
    fn clamps_and_observations() {
        assert_eq!(clamp_bounds(0.0, 1.0), Ok(1.0));
        assert_eq!(
            clamp_bounds(5.0, 5.0).unwrap_err(),
            "min 5 must be below max 5"
        );
        assert_eq!(base_within_clamps(3.0, Some(0.0), None), Ok(3.0));
        assert_eq!(
            base_within_clamps(3.0, None, Some(2.0)).unwrap_err(),
            "base 3 lies outside [min, max]"
        );
        assert_eq!(
            observed(f64::NAN).unwrap_err(),
            "observed value must be a finite number (got NaN)"
        );
        assert_eq!(
            growth_observed(0.0).unwrap_err(),
            "a growth indicator's observations must be positive (got 0)"
        );
    }

    #[test]
    fn scenario_years() {
        assert_eq!(base_year(2020), Ok(2020));
        assert_eq!(
            base_year(20).unwrap_err(),
            "base_year 20 is not a plausible calendar year (1900..2200)"
        );
        assert_eq!(horizon(2020, 2030), Ok(2030));
        assert_eq!(
            horizon(2020, 2020).unwrap_err(),
            "horizon 2020 must be after base_year 2020 (and at most 200 years later)"
        );
        assert!(horizon(2020, 2221).is_err());
    }
}
