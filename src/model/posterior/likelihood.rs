//! The likelihood of an indicator's observations as a function of its trend score `u`, under
//! the indicator's own yearly model (scenario spec, section 10), and, for growth and additive
//! indicators, the distribution of the shock state at the last observation given `u`.
//!
//! The observations cut the years from the base year to the last observation into intervals
//! (base → first observation → second → …). Per interval `j` the model gives:
//! - growth: the sum of the yearly rates, `Σ r_t = Σ (trend_t + e_t + events_t)`; the observed
//!   sum is `s · 100 · ((v_j / v_{j-1})^(1/s) - 1)` for an interval of `s` years (exact for one
//!   year; for a longer gap the geometric-mean rate times `s`, the gap's fill in the plan);
//! - additive: the sum of the increments, observed exactly as `v_j - v_{j-1}`;
//! - count: the additions, `Poisson(Σ λ_t)`, observed as `v_j - v_{j-1}`; with an exit share
//!   `q`, the stock at the end of an interval of `s` years is `Binomial(v_{j-1}, (1-q)^s)`
//!   survivors plus `Poisson(Σ λ_t (1-q)^(end - t))` additions that survived (each year's
//!   additions face the exits of the years after it), and the likelihood is their convolution.
//!
//! The AR(1) shocks make the growth and additive sums jointly normal given `u`. Events that can
//! strike in the observed years are marginalised over every strike pattern (a mixture, exact for
//! fixed and normal effect sizes; other effect sizes enter with their mean and variance); beyond
//! [`MAX_PATTERNS`] patterns (or [`MAX_PATTERN_WORK`]) the events enter with their mean and
//! variance in every year. The
//! floor of growth rates at −99% and the clamp of additive indicators are not part of the
//! likelihood (they bind only far from any observed path).

use crate::model::score_map::ScoreMap;
use crate::model::{Indicator, ModelKind, Scenario};
use crate::numeric::beta::ln_gamma;
use nalgebra::{DMatrix, DVector};

/// Most event strike patterns marginalised exactly; more slots are moment-matched.
pub const MAX_PATTERNS: usize = 1 << 10;

/// Largest `patterns × intervals²` evaluated per trend score (the cost of one likelihood
/// evaluation); beyond it the events are moment-matched, so the cost stays linear in the
/// scenario's size.
pub const MAX_PATTERN_WORK: usize = 1 << 12;

/// One event that can act on the indicator in one latent year.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Slot {
    /// Latent year (0-based from the year after the base year).
    year: usize,
    /// Chance of a strike.
    probability: f64,
    /// Mean of the effect size.
    mean: f64,
    /// Variance of the effect size.
    variance: f64,
}

/// One strike pattern of the Gaussian model.
#[derive(Debug, Clone)]
pub struct GaussianPattern {
    /// log prior weight − ½ log det Σ.
    log_weight: f64,
    /// Mean of the interval sums from the struck events.
    offset: Vec<f64>,
    /// Σ⁻¹ (m × m, row-major).
    precision: Vec<f64>,
    /// Gain of the shock state on the residual: E[e | r] = gain · (r − offset).
    gain: Vec<f64>,
    /// Conditional variance of the shock state.
    variance: f64,
}

/// Growth and additive observations.
#[derive(Debug, Clone)]
pub struct GaussianModel {
    /// Observed interval sums.
    observed: Vec<f64>,
    /// years_in_period[j][k]: years of interval j in period k.
    years_in_period: Vec<Vec<f64>>,
    /// Strike patterns (one when no event can strike).
    patterns: Vec<GaussianPattern>,
}

/// Most survivor counts summed in one interval's convolution; a wider binomial (a stock of
/// millions) is read as a normal, whose error at that size is far below the Monte Carlo error.
const MAX_SURVIVOR_TERMS: usize = 4096;

/// The survivors of one interval of a count with exits: the stock at its end is
/// `survivors + additions`, survivors `~ Binomial(start, (1-q)^s)`.
#[derive(Debug, Clone)]
enum Survival {
    /// The convolution over survivor counts `first..first + log_terms.len()`:
    /// `log_terms[k - first] = ln Binomial(k) − ln Γ(end − k + 1)`.
    Exact {
        /// Smallest survivor count summed.
        first: f64,
        /// The summands' parts that do not depend on the trend.
        log_terms: Vec<f64>,
    },
    /// The end stock read as a normal with the survivors' mean and variance plus the additions'.
    Normal {
        /// Mean of the survivors.
        mean: f64,
        /// Variance of the survivors.
        variance: f64,
    },
}

impl Survival {
    /// The survivors of `start` units over `years` years at exit share `exit`, for an end
    /// stock of `end`.
    fn new(start: f64, end: f64, years: usize, exit: f64) -> Survival {
        let stay = (1.0 - exit).powi(years as i32);
        let mean = start * stay;
        let variance = start * stay * (1.0 - stay);
        let sd = variance.sqrt();
        let hi = end.min(start).min((mean + 12.0 * sd + 2.0).ceil()).max(0.0);
        let lo = (mean - 12.0 * sd - 2.0).floor().clamp(0.0, hi);
        if hi - lo + 1.0 > MAX_SURVIVOR_TERMS as f64 {
            return Survival::Normal { mean, variance };
        }
        let ln_choose =
            |k: f64| ln_gamma(start + 1.0) - ln_gamma(k + 1.0) - ln_gamma(start - k + 1.0);
        let log_terms = (lo as u64..=hi as u64)
            .map(|k| {
                let k = k as f64;
                let binomial = ln_choose(k) + xlogy(k, stay) + xlogy(start - k, 1.0 - stay);
                binomial - ln_gamma(end - k + 1.0)
            })
            .collect();
        Survival::Exact {
            first: lo,
            log_terms,
        }
    }

    /// ln P(end stock = `end` | additions ~ Poisson(`rate`)), up to a constant.
    fn log_likelihood(&self, end: f64, rate: f64) -> f64 {
        match self {
            Survival::Exact { first, log_terms } => {
                log_sum_exp(log_terms.iter().enumerate().map(|(offset, &term)| {
                    let added = end - (first + offset as f64);
                    if rate <= 0.0 {
                        if added == 0.0 {
                            term
                        } else {
                            f64::NEG_INFINITY
                        }
                    } else {
                        term + added * rate.ln() - rate
                    }
                }))
            }
            Survival::Normal { mean, variance } => {
                let v = (variance + rate.max(0.0)).max(1e-12);
                let r = end - mean - rate.max(0.0);
                -0.5 * (r * r / v + v.ln())
            }
        }
    }
}

/// `x · ln y`, 0 when `x` is 0 (so a certain survival or exit is not NaN).
fn xlogy(x: f64, y: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x * y.ln()
    }
}

/// Count observations.
#[derive(Debug, Clone)]
pub struct CountModel {
    /// Observed additions per interval (without exits), or the observed end stock per interval
    /// (with exits).
    additions: Vec<f64>,
    /// With an exit share: the survivors of each interval.
    survival: Option<Vec<Survival>>,
    /// Per pattern: log prior weight and multiplier[j][k] (the sum over the years of interval j
    /// in period k of `max(0, 1 + events / 100)`).
    patterns: Vec<(f64, Vec<Vec<f64>>)>,
}

/// The likelihood of one indicator's observations.
#[derive(Debug, Clone)]
pub enum Likelihood {
    /// Growth or additive.
    Gaussian(GaussianModel),
    /// Count.
    Count(CountModel),
}

/// What the observations were, for the record.
#[derive(Debug, Clone, Default)]
pub struct ObservationNotes {
    /// Years of the observations used.
    pub years: Vec<i32>,
    /// Remarks (for instance a decrease of a count, which has no exits in the model).
    pub remarks: Vec<String>,
}

impl Likelihood {
    /// The likelihood of indicator `i`'s usable observations `usable` (years after its base
    /// year, up to `as_of`), or None when it has none or they cannot be used.
    pub fn new(
        scenario: &Scenario,
        i: usize,
        usable: &[(i32, f64)],
        notes: &mut ObservationNotes,
    ) -> Option<Likelihood> {
        let ind = &scenario.indicators()[i];
        if usable.is_empty() || !ind.kind.is_stochastic() {
            return None;
        }
        let base = ind.base?;
        let mut known = vec![(ind.base_year, base)];
        known.extend_from_slice(usable);
        let last_year = known.last()?.0;
        let n_years = (last_year - ind.base_year) as usize;
        let year_of = |t: usize| ind.base_year + 1 + t as i32;
        // Every latent year needs a period (validation makes them cover the simulated years).
        let period_of: Vec<usize> = (0..n_years)
            .map(|t| ind.period_index(year_of(t)))
            .collect::<Option<_>>()?;
        let n_periods = ind.periods.len();
        let intervals: Vec<(usize, usize)> = known
            .windows(2)
            .map(|w| {
                (
                    (w[0].0 - ind.base_year) as usize,
                    (w[1].0 - ind.base_year) as usize,
                )
            })
            .collect();
        let mut years_in_period = vec![vec![0.0; n_periods]; intervals.len()];
        for (j, &(from, to)) in intervals.iter().enumerate() {
            for t in from..to {
                years_in_period[j][period_of[t]] += 1.0;
            }
        }
        let LatentEvents(slots) = latent_events(scenario, i, usable);
        notes.years = usable.iter().map(|&(y, _)| y).collect();
        match ind.kind {
            ModelKind::Growth | ModelKind::Additive => {
                let mut observed = Vec::with_capacity(intervals.len());
                for w in known.windows(2) {
                    let span = (w[1].0 - w[0].0) as f64;
                    if ind.kind == ModelKind::Growth {
                        if !(w[0].1 > 0.0 && w[1].1 > 0.0) {
                            notes.remarks.push(format!(
                                "a non-positive value in {} or {}: the growth rates cannot be read, so the trend is not updated",
                                w[0].0, w[1].0
                            ));
                            return None;
                        }
                        observed.push(span * 100.0 * ((w[1].1 / w[0].1).powf(1.0 / span) - 1.0));
                    } else {
                        observed.push(w[1].1 - w[0].1);
                    }
                }
                Some(Likelihood::Gaussian(GaussianModel::new(
                    ind,
                    &period_of,
                    &intervals,
                    observed,
                    years_in_period,
                    &slots,
                )))
            }
            ModelKind::Count if ind.exit > 0.0 => {
                let survival = known
                    .windows(2)
                    .map(|w| Survival::new(w[0].1, w[1].1, (w[1].0 - w[0].0) as usize, ind.exit))
                    .collect();
                let stocks = known.iter().skip(1).map(|&(_, v)| v).collect();
                let patterns = count_patterns(&intervals, &period_of, n_periods, &slots, ind.exit);
                Some(Likelihood::Count(CountModel {
                    additions: stocks,
                    survival: Some(survival),
                    patterns,
                }))
            }
            ModelKind::Count => {
                let mut additions = Vec::with_capacity(intervals.len());
                for w in known.windows(2) {
                    let added = w[1].1 - w[0].1;
                    if added < 0.0 {
                        notes.remarks.push(format!(
                            "the count falls from {} to {} between {} and {}; without an `exit` share the count model only adds, so the fall is read as no additions",
                            w[0].1, w[1].1, w[0].0, w[1].0
                        ));
                    }
                    additions.push(added.max(0.0));
                }
                let patterns = count_patterns(&intervals, &period_of, n_periods, &slots, 0.0);
                Some(Likelihood::Count(CountModel {
                    additions,
                    survival: None,
                    patterns,
                }))
            }
            ModelKind::Derived => None,
        }
    }

    /// log likelihood at the trend values `trends[k]` of the periods (up to a constant), with
    /// buffers kept in `scratch` from one call to the next (a grid evaluates it at every node).
    pub fn log_at_in(&self, trends: &[f64], scratch: &mut Scratch) -> f64 {
        let Scratch { residual, logs } = scratch;
        match self {
            Likelihood::Gaussian(g) => {
                g.residual_into(trends, residual);
                log_sum_exp_in(g.patterns.iter().map(|p| p.log_density(residual)), logs)
            }
            Likelihood::Count(c) => log_sum_exp_in(
                c.patterns.iter().map(|(log_weight, mult)| {
                    let mut sum = *log_weight;
                    for (j, &n) in c.additions.iter().enumerate() {
                        let rate: f64 = mult[j]
                            .iter()
                            .zip(trends)
                            .map(|(&m, &t)| m * t.max(0.0))
                            .sum();
                        if let Some(survival) = &c.survival {
                            sum += survival[j].log_likelihood(n, rate);
                        } else if rate <= 0.0 {
                            if n > 0.0 {
                                return f64::NEG_INFINITY;
                            }
                        } else {
                            sum += n * rate.ln() - rate;
                        }
                    }
                    sum
                }),
                logs,
            ),
        }
    }

    /// [`Likelihood::log_at_in`] and the mean and standard deviation of the shock state at the
    /// last observation given the trend values (growth and additive; None for a count), from
    /// one evaluation of the patterns: the shock state weighs each pattern by the terms whose
    /// sum is the likelihood, so a grid that needs both at its nodes computes them once. The
    /// log likelihood is `log_at_in`'s, bit for bit (the same terms, added in the same order).
    pub fn log_at_and_shock_in(
        &self,
        trends: &[f64],
        scratch: &mut Scratch,
    ) -> (f64, Option<(f64, f64)>) {
        let Likelihood::Gaussian(g) = self else {
            return (self.log_at_in(trends, scratch), None);
        };
        let Scratch { residual: r, logs } = scratch;
        g.residual_into(trends, r);
        logs.clear();
        logs.extend(g.patterns.iter().map(|p| p.log_density(r)));
        let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !top.is_finite() {
            return (top, Some((0.0, 0.0)));
        }
        let (mut w_sum, mut m1, mut m2) = (0.0, 0.0, 0.0);
        for (p, &l) in g.patterns.iter().zip(logs.iter()) {
            let w = (l - top).exp();
            let mean: f64 = p
                .gain
                .iter()
                .zip(r.iter().zip(&p.offset))
                .map(|(&k, (&x, &o))| k * (x - o))
                .sum();
            w_sum += w;
            m1 += w * mean;
            m2 += w * (p.variance + mean * mean);
        }
        let mean = m1 / w_sum;
        (
            top + w_sum.ln(),
            Some((mean, (m2 / w_sum - mean * mean).max(0.0).sqrt())),
        )
    }
}

impl GaussianModel {
    fn new(
        ind: &Indicator,
        period_of: &[usize],
        intervals: &[(usize, usize)],
        observed: Vec<f64>,
        years_in_period: Vec<Vec<f64>>,
        slots: &[Slot],
    ) -> GaussianModel {
        let n_years = period_of.len();
        let m = intervals.len();
        // e = L z: row t of L, year by year, as the engine's AR(1) recursion.
        let mut l = DMatrix::<f64>::zeros(n_years, n_years);
        for t in 0..n_years {
            let period = &ind.periods[period_of[t]];
            let (phi, sigma) = (period.persistence, period.noise);
            if t == 0 {
                l[(0, 0)] = sigma;
            } else {
                for c in 0..t {
                    l[(t, c)] = phi * l[(t - 1, c)];
                }
                l[(t, t)] = (1.0 - phi * phi).sqrt() * sigma;
            }
        }
        let mut a = DMatrix::<f64>::zeros(m, n_years);
        for (j, &(from, to)) in intervals.iter().enumerate() {
            for t in from..to {
                a[(j, t)] = 1.0;
            }
        }
        let al = &a * &l;
        let shock_cov = &al * al.transpose();
        let last = l.row(n_years - 1).transpose();
        let cov_state: DVector<f64> = &al * &last;
        let var_state = last.norm_squared();
        let scale = 1.0 + observed.iter().fold(0.0f64, |s, v| s.max(v.abs()));
        let jitter = 1e-12 * scale * scale;
        let patterns = strike_patterns(slots, n_years, m)
            .into_iter()
            .map(|(log_prior, mean, variance)| {
                let mut cov = shock_cov.clone();
                let offset: Vec<f64> = (0..m)
                    .map(|j| (0..n_years).map(|t| a[(j, t)] * mean[t]).sum())
                    .collect();
                for j in 0..m {
                    for k in 0..m {
                        let extra: f64 = (0..n_years)
                            .map(|t| a[(j, t)] * a[(k, t)] * variance[t])
                            .sum();
                        cov[(j, k)] += extra;
                    }
                    cov[(j, j)] += jitter;
                }
                let (precision, log_det) = invert_spd(&cov);
                let gain = precision.transpose() * &cov_state;
                let variance_state = (var_state - gain.dot(&cov_state)).max(0.0);
                GaussianPattern {
                    log_weight: log_prior - 0.5 * log_det,
                    offset,
                    precision: precision.iter().copied().collect(),
                    gain: gain.iter().copied().collect(),
                    variance: variance_state,
                }
            })
            .collect();
        GaussianModel {
            observed,
            years_in_period,
            patterns,
        }
    }

    /// The observed interval sums less the trends' part of each (what shocks and events must
    /// explain), into `out`.
    fn residual_into(&self, trends: &[f64], out: &mut Vec<f64>) {
        out.clear();
        out.extend(
            self.observed
                .iter()
                .zip(&self.years_in_period)
                .map(|(&y, years)| y - years.iter().zip(trends).map(|(n, t)| n * t).sum::<f64>()),
        );
    }
}

impl GaussianPattern {
    fn log_density(&self, r: &[f64]) -> f64 {
        let m = r.len();
        // d = r - offset, formed where it is used: no vector per call (this runs for every
        // pattern at every grid node).
        let d = || r.iter().zip(&self.offset).map(|(x, o)| x - o);
        // Symmetric, so nalgebra's column-major order reads the same as row-major.
        let q: f64 = self
            .precision
            .chunks_exact(m)
            .zip(d())
            .map(|(row, dj)| dj * row.iter().zip(d()).map(|(p, dk)| p * dk).sum::<f64>())
            .sum();
        self.log_weight - 0.5 * q
    }
}

/// What the events of a scenario contribute to indicator `i`'s likelihood: each event that can
/// act on it in a latent year (from the year after its base year to its last usable observation
/// in `usable`), with its chance and its effect's mean and variance. The posterior reads the
/// scenario's events through this alone, so an edit of the events that leaves it equal for every
/// indicator leaves the posterior as it was.
#[derive(Debug, Clone, PartialEq)]
pub struct LatentEvents(Vec<Slot>);

/// The [`LatentEvents`] of indicator `i` given its usable observations `usable` (none: no
/// latent years).
pub fn latent_events(scenario: &Scenario, i: usize, usable: &[(i32, f64)]) -> LatentEvents {
    let ind = &scenario.indicators()[i];
    let Some(&(last_year, _)) = usable.last() else {
        return LatentEvents(Vec::new());
    };
    let n_years = (last_year - ind.base_year).max(0) as usize;
    LatentEvents(slots(scenario, i, n_years, &|t| {
        ind.base_year + 1 + t as i32
    }))
}

/// The events that can act on indicator `i` in the latent years, with their effect's mean and
/// variance.
fn slots(
    scenario: &Scenario,
    i: usize,
    n_years: usize,
    year_of: &dyn Fn(usize) -> i32,
) -> Vec<Slot> {
    let mut out = Vec::new();
    for t in 0..n_years {
        let year = year_of(t);
        for event in scenario.events() {
            if year < event.from || year > event.to || event.probability <= 0.0 {
                continue;
            }
            for effect in event.effects.iter().filter(|e| e.indicator == i) {
                out.push(Slot {
                    year: t,
                    probability: event.probability.min(1.0),
                    mean: effect.size.mean(),
                    variance: effect.size.variance().max(0.0),
                });
            }
        }
    }
    out
}

/// Every strike pattern of `slots` as (log prior weight, per-year mean, per-year variance); one
/// moment-matched pattern when there are more than [`MAX_PATTERNS`].
fn strike_patterns(
    slots: &[Slot],
    n_years: usize,
    intervals: usize,
) -> Vec<(f64, Vec<f64>, Vec<f64>)> {
    let exact = slots.len() <= MAX_PATTERNS.trailing_zeros() as usize
        && (1usize << slots.len()).saturating_mul(intervals.max(1).pow(2)) <= MAX_PATTERN_WORK;
    if !exact {
        let (mut mean, mut variance) = (vec![0.0; n_years], vec![0.0; n_years]);
        for s in slots {
            let p = s.probability;
            mean[s.year] += p * s.mean;
            variance[s.year] += p * (s.variance + s.mean * s.mean) - (p * s.mean).powi(2);
        }
        return vec![(0.0, mean, variance)];
    }
    let mut out = Vec::with_capacity(1 << slots.len());
    for mask in 0u32..(1u32 << slots.len()) {
        let (mut log_prior, mut mean, mut variance) = (0.0, vec![0.0; n_years], vec![0.0; n_years]);
        for (b, s) in slots.iter().enumerate() {
            if mask & (1 << b) != 0 {
                log_prior += s.probability.ln();
                mean[s.year] += s.mean;
                variance[s.year] += s.variance;
            } else {
                log_prior += (1.0 - s.probability).ln();
            }
        }
        if log_prior.is_finite() {
            out.push((log_prior, mean, variance));
        }
    }
    out
}

/// Count patterns: per pattern its log prior weight and multiplier[j][k]; with an exit share,
/// each latent year's additions are weighted by their chance to stay to the interval's end.
fn count_patterns(
    intervals: &[(usize, usize)],
    period_of: &[usize],
    n_periods: usize,
    slots: &[Slot],
    exit: f64,
) -> Vec<(f64, Vec<Vec<f64>>)> {
    strike_patterns(slots, period_of.len(), intervals.len())
        .into_iter()
        .map(|(log_prior, mean, _)| {
            let mut mult = vec![vec![0.0; n_periods]; intervals.len()];
            for (j, &(from, to)) in intervals.iter().enumerate() {
                for t in from..to {
                    // Latent year t is year offset t + 1; its additions face the exits of the
                    // `to - (t + 1)` years after it.
                    let stay = (1.0 - exit).powi((to - t - 1) as i32);
                    mult[j][period_of[t]] += (1.0 + mean[t] / 100.0).max(0.0) * stay;
                }
            }
            (log_prior, mult)
        })
        .collect()
}

/// Inverse and log determinant of a symmetric positive definite matrix (Cholesky; an
/// eigenvalue floor keeps a nearly singular one usable).
fn invert_spd(matrix: &DMatrix<f64>) -> (DMatrix<f64>, f64) {
    if let Some(chol) = matrix.clone().cholesky() {
        let log_det = 2.0
            * chol
                .l_dirty()
                .diagonal()
                .iter()
                .map(|d| d.ln())
                .sum::<f64>();
        return (chol.inverse(), log_det);
    }
    let eigen = nalgebra::SymmetricEigen::new(matrix.clone());
    let floor = 1e-300f64.max(eigen.eigenvalues.max() * 1e-12);
    let values = eigen.eigenvalues.map(|v| v.max(floor));
    let inverse = &eigen.eigenvectors
        * DMatrix::from_diagonal(&values.map(|v| 1.0 / v))
        * eigen.eigenvectors.transpose();
    (inverse, values.iter().map(|v| v.ln()).sum())
}

/// log Σ exp(x), −∞ for no terms.
pub fn log_sum_exp(values: impl Iterator<Item = f64>) -> f64 {
    log_sum_exp_in(values, &mut Vec::new())
}

/// [`log_sum_exp`], collecting the values in `buffer`.
fn log_sum_exp_in(values: impl Iterator<Item = f64>, buffer: &mut Vec<f64>) -> f64 {
    buffer.clear();
    buffer.extend(values);
    let top = buffer.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return top;
    }
    top + buffer.iter().map(|v| (v - top).exp()).sum::<f64>().ln()
}

/// Buffers the likelihood keeps from one evaluation to the next: a posterior evaluates it at
/// every node of every grid, hundreds of thousands of times, where a vector per call was a
/// fifth of the time.
#[derive(Debug, Default)]
pub struct Scratch {
    /// One residual per observation interval.
    residual: Vec<f64>,
    /// One log density per strike pattern.
    logs: Vec<f64>,
}

/// The trend of every period of `maps` at score `u`.
pub fn trends_at(maps: &[ScoreMap], u: f64, out: &mut [f64]) {
    for (o, map) in out.iter_mut().zip(maps) {
        *o = map.at(u);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_enumerate_and_weigh_to_one() {
        let slots = [
            Slot {
                year: 0,
                probability: 0.1,
                mean: -3.0,
                variance: 0.0,
            },
            Slot {
                year: 1,
                probability: 0.2,
                mean: -5.0,
                variance: 3.0,
            },
        ];
        let patterns = strike_patterns(&slots, 2, 2);
        assert_eq!(patterns.len(), 4);
        let total: f64 = patterns.iter().map(|p| p.0.exp()).sum();
        assert!((total - 1.0).abs() < 1e-12);
        let both = patterns.last().unwrap();
        assert_eq!(both.1, vec![-3.0, -5.0]);
        assert_eq!(both.2, vec![0.0, 3.0]);
    }

    #[test]
    fn too_many_slots_are_moment_matched() {
        let slot = Slot {
            year: 0,
            probability: 0.5,
            mean: 2.0,
            variance: 1.0,
        };
        let slots = vec![slot; 11];
        let patterns = strike_patterns(&slots, 1, 1);
        assert_eq!(patterns.len(), 1);
        assert!((patterns[0].1[0] - 11.0).abs() < 1e-12);
        // Each slot: E[X^2] - E[X]^2 = 0.5 * (1 + 4) - 1 = 1.5.
        assert!((patterns[0].2[0] - 16.5).abs() < 1e-12);
    }

    #[test]
    fn log_sum_exp_is_stable() {
        let v = log_sum_exp([1000.0, 1000.0].into_iter());
        assert!((v - (1000.0 + 2f64.ln())).abs() < 1e-12);
        assert_eq!(log_sum_exp(std::iter::empty()), f64::NEG_INFINITY);
    }
}
