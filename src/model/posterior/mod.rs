//! Posterior trends (scenario spec, section 10): each path's trend score, and its shock state at
//! the last observation, drawn given the indicator's observations up to `as_of`, under the
//! indicator's own yearly model ([`likelihood`]).
//!
//! How the trend scores are conditioned:
//! - An indicator whose trend score is correlated with no other (`correlation.trend`): exact.
//!   The score's prior is N(0, 1), its likelihood is tabulated on a grid ([`grid`]), and a path's
//!   score is the posterior quantile at `Phi(z)`, `z` being the path's own standard normal draw.
//!   So `lhs` and `sobol` stratify the posterior as they stratify the prior, and common random
//!   numbers survive.
//! - Correlated trend scores (a connected group of `correlation.trend`): each likelihood is
//!   summarised by a normal in score space (the precision and mean that reproduce its posterior
//!   mean and variance under the N(0, 1) prior); with the correlated prior this gives a joint
//!   normal posterior, exact when every likelihood is normal in the score (normal trend
//!   distributions with additive or growth observations). Each score's marginal is then refined
//!   as in expectation propagation: the normal "cavity" (the joint posterior without the score's
//!   own summary) times its exact likelihood, on the grid. Paths draw the group's scores from the
//!   joint posterior's correlation (a Gaussian copula) and map each through its refined marginal.
//!   Indicators of the group without observations keep the joint normal marginal: their trends
//!   move with the data of the indicators they are correlated with.
//! - The shock state at the last observation, given the path's trend score, is normal for each
//!   event strike pattern; the path draws it from one normal with the patterns' mixture mean and
//!   variance (exact when no event can strike in the observed years).

pub mod grid;
pub mod likelihood;

use super::correlation::Factor;
use super::score_map::ScoreMap;
use super::{Scenario, UpdateMode};
use grid::ScoreGrid;
use likelihood::{Likelihood, ObservationNotes};
use nalgebra::DMatrix;

/// How a path's copula score becomes its trend score.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum ScoreTransport {
    /// Unchanged (the prior).
    #[default]
    Identity,
    /// `shift + scale z` (a joint normal marginal).
    Affine {
        /// Added.
        shift: f64,
        /// Multiplies the score.
        scale: f64,
    },
    /// The tabulated posterior's quantile at `Phi(z)`.
    Grid(Box<ScoreGrid>),
}

impl ScoreTransport {
    /// The trend score of copula score `z`.
    #[inline]
    pub fn score(&self, z: f64) -> f64 {
        match self {
            ScoreTransport::Identity => z,
            ScoreTransport::Affine { shift, scale } => shift + scale * z,
            ScoreTransport::Grid(grid) => grid.score(z),
        }
    }
}

/// Prior and posterior of one period's trend, for the record.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PeriodTrend {
    /// First year of the period.
    pub from: i32,
    /// Last year of the period.
    pub to: i32,
    /// Prior mean, 5th and 95th percentiles.
    pub prior: TrendSummary,
    /// Posterior mean, 5th and 95th percentiles.
    pub posterior: TrendSummary,
}

/// Mean and 90% interval of a trend.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct TrendSummary {
    /// Mean.
    pub mean: f64,
    /// 5th percentile.
    pub p05: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// What the update did to one indicator's trend.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrendUpdate {
    /// Years of the observations used (none: moved only through correlated trends).
    pub observations: Vec<i32>,
    /// Per period: prior and posterior trend.
    pub periods: Vec<PeriodTrend>,
    /// True when most of the posterior (over half) lies where the prior puts 0.2% of its mass
    /// (the score beyond its 0.1st or 99.9th percentile): the observations contradict the
    /// assumed trend distribution.
    pub conflict: bool,
    /// Remarks on the observations.
    pub remarks: Vec<String>,
}

/// The posterior of a scenario's trend scores.
#[derive(Debug, Clone, Default)]
pub struct Posterior {
    /// True when some observation informs some trend (`update = "posterior"` and data).
    pub active: bool,
    /// Copula factor of the trend scores (rows by indicator, as `correlation.trend`).
    pub factor: Factor,
    /// Per indicator: from copula score to trend score.
    pub transports: Vec<ScoreTransport>,
    /// Per indicator: what the update did (None: the prior).
    pub updates: Vec<Option<TrendUpdate>>,
    /// Per indicator: the members of its group of correlated trend scores (itself alone when
    /// uncorrelated); filled when the posterior is active.
    pub trend_group: Vec<Vec<usize>>,
    /// Per indicator: whether some member of its group has observations (its posterior can then
    /// move with any assumption of any member).
    pub group_updated: Vec<bool>,
}

impl Posterior {
    /// Whether paths draw indicator `i`'s shock state at the last observation (its transport
    /// carries a shock table; never when the posterior is inactive).
    #[inline]
    pub fn conditioned_shock(&self, i: usize) -> bool {
        matches!(&self.transports[i], ScoreTransport::Grid(grid) if grid.has_shock())
    }

    /// Mean and sd of indicator `i`'s shock state for a path with trend score `u`.
    #[inline]
    pub fn shock_at(&self, i: usize, u: f64) -> (f64, f64) {
        match &self.transports[i] {
            ScoreTransport::Grid(grid) => grid.shock_at(u),
            _ => (0.0, 0.0),
        }
    }
}

/// What the posterior needs to know of one indicator's plan: its usable observations (after
/// its base year, up to `as_of`) and the last year they fix (the simulation starts after it).
#[derive(Debug, Clone, Copy)]
pub struct Observed<'a> {
    /// Usable observations, by year.
    pub usable: &'a [(i32, f64)],
    /// Last year fixed by the base and the observations.
    pub start_year: i32,
}

/// Whether `after`, a checked edit of `before` that changed at most the events, has
/// `before`'s posterior: the posterior reads the events only through each indicator's
/// [`likelihood::latent_events`] (with the usable observations of `before`'s plan, which an
/// edit of the events does not move), so equal latent events for every indicator mean an equal
/// posterior. `solve`'s growth shifts act after the last observation and keep it.
pub fn same_after_event_edit(before: &Scenario, after: &Scenario) -> bool {
    let plan = before.plan();
    before.indicators().len() == after.indicators().len()
        && (0..before.indicators().len()).all(|i| {
            let usable = &plan.indicators[i].usable_observations;
            likelihood::latent_events(before, i, usable)
                == likelihood::latent_events(after, i, usable)
        })
}

/// The posterior of `scenario`'s trends given each indicator's usable observations.
pub fn build(scenario: &Scenario, plan: &[Observed<'_>]) -> Posterior {
    let n = scenario.indicators().len();
    let mut posterior = Posterior {
        active: false,
        factor: scenario.correlation().trend.clone(),
        transports: vec![ScoreTransport::Identity; n],
        updates: vec![None; n],
        trend_group: vec![Vec::new(); n],
        group_updated: vec![false; n],
    };
    if scenario.update() == UpdateMode::None {
        return posterior;
    }
    let mut notes: Vec<ObservationNotes> = vec![ObservationNotes::default(); n];
    let likelihoods: Vec<Option<Likelihood>> = (0..n)
        .map(|i| Likelihood::new(scenario, i, plan[i].usable, &mut notes[i]))
        .collect();
    if likelihoods.iter().all(Option::is_none) {
        return posterior;
    }
    posterior.active = true;
    // Copula maps only where needed (tables cost time): indicators with observations and
    // those whose trend moves through a correlated group with observations.
    let groups = components(&scenario.correlation().trend, n);
    let mut needs_map = vec![false; n];
    for group in &groups {
        if group.iter().any(|&i| likelihoods[i].is_some()) {
            for &i in group {
                needs_map[i] = true;
            }
        }
    }
    let maps: Vec<Vec<ScoreMap>> = scenario
        .indicators()
        .iter()
        .zip(&needs_map)
        .map(|(ind, &needed)| {
            if needed {
                ind.periods
                    .iter()
                    .map(|p| ScoreMap::new(&p.trend))
                    .collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    // The shock state matters when the first simulated year carries it on (persistence > 0).
    let carries_shock = |i: usize| {
        let ind = &scenario.indicators()[i];
        ind.period_index(plan[i].start_year + 1)
            .map(|k| ind.periods[k].persistence > 0.0 && ind.periods[k].noise > 0.0)
            .unwrap_or(false)
    };
    // Each likelihood alone, under the N(0, 1) prior.
    let independent: Vec<Option<ScoreGrid>> = likelihoods
        .iter()
        .enumerate()
        .map(|(i, l)| {
            l.as_ref()
                .map(|l| ScoreGrid::new(0.0, 1.0, l, &maps[i], carries_shock(i)))
        })
        .collect();

    for component in groups {
        let updated = component.iter().any(|&i| likelihoods[i].is_some());
        for &i in &component {
            posterior.trend_group[i] = component.clone();
            posterior.group_updated[i] = updated;
        }
        if !updated {
            continue;
        }
        if component.len() == 1 {
            let i = component[0];
            if let Some(grid) = independent[i].clone() {
                posterior.transports[i] = ScoreTransport::Grid(Box::new(grid));
            }
            continue;
        }
        let joint = joint_normal(&scenario.correlation().trend, &component, &independent);
        // Copula rows of the component (global indices).
        for (a, &i) in component.iter().enumerate() {
            posterior.factor.rows[i] = (0..=a)
                .filter(|&b| joint.copula[(a, b)] != 0.0)
                .map(|b| (component[b], joint.copula[(a, b)]))
                .collect();
            let sd = joint.covariance[(a, a)].sqrt();
            posterior.transports[i] = match &likelihoods[i] {
                None => ScoreTransport::Affine {
                    shift: joint.mean[a],
                    scale: sd,
                },
                Some(l) => {
                    let (center, cavity_sd) = joint.cavity(a, &independent[i]);
                    let grid = ScoreGrid::new(center, cavity_sd, l, &maps[i], carries_shock(i));
                    ScoreTransport::Grid(Box::new(grid))
                }
            };
        }
        posterior.factor.identity = false;
    }

    for i in 0..n {
        if matches!(posterior.transports[i], ScoreTransport::Identity) {
            continue;
        }
        let ind = &scenario.indicators()[i];
        let transport = &posterior.transports[i];
        let edge = match transport {
            ScoreTransport::Grid(g) => g.edge_mass,
            _ => 0.0,
        };
        let periods = ind
            .periods
            .iter()
            .zip(&maps[i])
            .map(|(period, map)| PeriodTrend {
                from: period.from,
                to: period.to,
                prior: TrendSummary {
                    mean: period.trend.mean(),
                    p05: period.trend.quantile(0.05),
                    p95: period.trend.quantile(0.95),
                },
                posterior: summarise(map, transport),
            })
            .collect();
        posterior.updates[i] = Some(TrendUpdate {
            observations: std::mem::take(&mut notes[i].years),
            periods,
            conflict: edge > 0.5,
            remarks: std::mem::take(&mut notes[i].remarks),
        });
    }
    posterior
}

/// Mean and 90% interval of `map`'s trend when the score is `transport` of a standard normal.
fn summarise(map: &ScoreMap, transport: &ScoreTransport) -> TrendSummary {
    // Midpoint rule in probability: 1,000 equal-probability cells.
    const CELLS: usize = 1000;
    let mut mean = 0.0;
    for c in 0..CELLS {
        let p = (c as f64 + 0.5) / CELLS as f64;
        mean += map.at(transport.score(crate::numeric::normal::norm_quantile(p)));
    }
    let at = |p: f64| map.at(transport.score(crate::numeric::normal::norm_quantile(p)));
    TrendSummary {
        mean: mean / CELLS as f64,
        p05: at(0.05),
        p95: at(0.95),
    }
}

/// Connected groups of indicators under the trend correlation (by the factor's non-zeros, which
/// never link two groups), each in increasing order.
fn components(factor: &Factor, n: usize) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (i, row) in factor.rows.iter().enumerate().take(n) {
        for &(j, w) in row {
            if w != 0.0 && j < n {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..n {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    groups.into_values().collect()
}

/// The joint normal posterior of a correlated group of scores.
struct JointNormal {
    mean: Vec<f64>,
    covariance: DMatrix<f64>,
    /// Cholesky factor of the posterior correlation.
    copula: DMatrix<f64>,
    /// Per member: the normal summary (precision, mean) of its likelihood.
    summaries: Vec<(f64, f64)>,
}

impl JointNormal {
    /// The cavity of member `a`: the joint posterior's marginal without its own summary.
    fn cavity(&self, a: usize, independent: &Option<ScoreGrid>) -> (f64, f64) {
        let (lambda, m) = self.summaries[a];
        let var = self.covariance[(a, a)];
        let precision = 1.0 / var - lambda;
        if independent.is_none() || lambda == 0.0 || precision <= 1e-12 {
            return (self.mean[a], var.sqrt());
        }
        let center = (self.mean[a] / var - lambda * m) / precision;
        (center, (1.0 / precision).sqrt())
    }
}

fn joint_normal(
    factor: &Factor,
    members: &[usize],
    independent: &[Option<ScoreGrid>],
) -> JointNormal {
    let k = members.len();
    let position = |i: usize| members.iter().position(|&m| m == i);
    // Prior correlation of the group from its factor rows: R = F F^T.
    let mut f = DMatrix::<f64>::zeros(k, k);
    for (a, &i) in members.iter().enumerate() {
        for &(j, w) in &factor.rows[i] {
            if let Some(b) = position(j) {
                f[(a, b)] = w;
            }
        }
    }
    let prior = &f * f.transpose();
    let summaries: Vec<(f64, f64)> = members
        .iter()
        .map(|&i| match &independent[i] {
            Some(g) if g.variance > 0.0 && g.variance < 1.0 => {
                let lambda = 1.0 / g.variance - 1.0;
                (lambda, g.mean / (g.variance * lambda))
            }
            // No information in the score (a fixed trend), or a likelihood no narrower than
            // the prior.
            _ => (0.0, 0.0),
        })
        .collect();
    let prior_precision = prior
        .clone()
        .try_inverse()
        .unwrap_or_else(|| DMatrix::identity(k, k));
    let mut precision = prior_precision;
    let mut shift = vec![0.0; k];
    for (a, &(lambda, m)) in summaries.iter().enumerate() {
        precision[(a, a)] += lambda;
        shift[a] = lambda * m;
    }
    let covariance = precision.try_inverse().unwrap_or_else(|| prior.clone());
    let mean: Vec<f64> = (0..k)
        .map(|a| (0..k).map(|b| covariance[(a, b)] * shift[b]).sum())
        .collect();
    let mut correlation = covariance.clone();
    for a in 0..k {
        for b in 0..k {
            correlation[(a, b)] =
                covariance[(a, b)] / (covariance[(a, a)] * covariance[(b, b)]).sqrt();
        }
    }
    let copula = correlation
        .cholesky()
        .map(|c| c.l())
        .unwrap_or_else(|| f.clone());
    JointNormal {
        mean,
        covariance,
        copula,
        summaries,
    }
}
