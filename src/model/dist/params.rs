//! Parameter structs of the families whose quantile, CDF and moments [`super::Dist`] computes
//! directly: fixed, normal, lognormal, uniform, Student-t, discrete and split normal.

use crate::numeric::hermite::HermiteTable;

/// Parameters of [`Dist::Fixed`](super::Dist::Fixed): a single value with no uncertainty.
#[derive(Debug, Clone, PartialEq)]
pub struct Fixed {
    pub(super) value: f64,
}

/// Parameters of [`Dist::Normal`](super::Dist::Normal): an untruncated normal distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Normal {
    pub(super) mean: f64,
    pub(super) sd: f64,
}

/// Parameters of [`Dist::LogNormal`](super::Dist::LogNormal): given by the mean and standard
/// deviation of the variable itself, stored with the derived `mu`, `sigma` of its logarithm.
#[derive(Debug, Clone, PartialEq)]
pub struct LogNormal {
    pub(super) mean: f64,
    pub(super) sd: f64,
    pub(super) mu: f64,
    pub(super) sigma: f64,
}

/// Parameters of [`Dist::Uniform`](super::Dist::Uniform).
#[derive(Debug, Clone, PartialEq)]
pub struct Uniform {
    pub(super) min: f64,
    pub(super) max: f64,
}

/// Parameters of [`Dist::StudentT`](super::Dist::StudentT): location `mean`, scale `scale` and `df`
/// degrees of freedom.
#[derive(Debug, Clone, PartialEq)]
pub struct StudentT {
    pub(super) mean: f64,
    pub(super) scale: f64,
    pub(super) df: f64,
    /// `ln B(df / 2, 1 / 2)`.
    pub(super) ln_beta: f64,
    /// Starting values for the standardized quantile (empty where closed forms or the
    /// Cornish-Fisher expansion are used).
    pub(super) table: HermiteTable,
}

/// Parameters of [`Dist::Discrete`](super::Dist::Discrete): the values with positive weight, sorted
/// ascending, with their probabilities and cumulative probabilities (the last one exactly 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Discrete {
    pub(super) values: Vec<f64>,
    pub(super) probs: Vec<f64>,
    pub(super) cum: Vec<f64>,
}

/// Parameters of [`Dist::SplitNormal`](super::Dist::SplitNormal): a two-piece normal with mode
/// `mode`, standard deviation `sd_below` on the left of the mode and `sd_above` on the right.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitNormal {
    pub(super) mode: f64,
    pub(super) sd_below: f64,
    pub(super) sd_above: f64,
    /// `sd_below / (sd_below + sd_above)`: the CDF at the mode.
    pub(super) p_mode: f64,
}
