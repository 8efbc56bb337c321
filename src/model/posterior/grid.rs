//! A one-dimensional posterior of a trend score on a grid: density `N(u; center, sd) · L(u)`
//! over `|u| <= Z_CLAMP` (beyond it the engine's score maps are constant), its moments, its
//! inverse CDF (the map from a path's copula score to its posterior trend score) and, for
//! growth and additive indicators, the shock state at the last observation at every node.
//!
//! Two passes: a coarse grid over the whole range finds where the density is within `e^-40` of
//! its peak; a fine grid over that region (at least a few coarse steps wide) carries the result,
//! so a posterior far narrower than the prior is resolved as finely as a wide one.

use super::likelihood::{trends_at, Likelihood, Scratch};
use crate::model::score_map::{ScoreMap, Z_CLAMP};
use crate::numeric::normal::norm_cdf;

/// Nodes of each pass.
pub const NODES: usize = 1025;

/// The prior's 99.9th percentile score: beyond it (either side) lies 0.2% of the prior.
pub const TAIL_SCORE: f64 = 3.090_232_306_167_813_5;

/// log density below the peak beyond which the fine grid does not reach.
const LOG_SPAN: f64 = 40.0;

/// Buckets of [`ScoreGrid`]'s guide to its CDF: a power of two, so that `p * GUIDE_BUCKETS` is
/// exact and a probability's bucket `b` has `p >= b / GUIDE_BUCKETS` exactly.
const GUIDE_BUCKETS: usize = 1024;

/// A tabulated posterior of one trend score.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreGrid {
    /// First node.
    start: f64,
    /// Node spacing.
    step: f64,
    /// CDF at every node (0 at the first, 1 at the last).
    cdf: Vec<f64>,
    /// For each bucket `b` of probabilities `[b, b + 1) / GUIDE_BUCKETS`, the first node whose
    /// CDF reaches `b / GUIDE_BUCKETS`: where the search for any probability of the bucket
    /// starts. None when the CDF is not finite and non-decreasing (then a binary search).
    guide: Option<Vec<u16>>,
    /// Mean of the score.
    pub mean: f64,
    /// Variance of the score.
    pub variance: f64,
    /// Posterior mass where the prior puts 0.2% (|score| beyond [`TAIL_SCORE`]): a sign of data
    /// that contradict the assumed trend distribution when it is large.
    pub edge_mass: f64,
    /// Shock state (mean, sd) at every node, when the model has one.
    shock: Option<Vec<(f64, f64)>>,
}

impl ScoreGrid {
    /// The posterior of the score with prior `N(center, sd^2)` and likelihood `likelihood` of the
    /// period trends `maps` (evaluated at the score); `with_shock` tabulates the shock state.
    pub fn new(
        center: f64,
        sd: f64,
        likelihood: &Likelihood,
        maps: &[ScoreMap],
        with_shock: bool,
    ) -> ScoreGrid {
        let mut trends = vec![0.0; maps.len()];
        let mut scratch = Scratch::default();
        // The shock states of pass 2's nodes, computed with their likelihoods (one evaluation
        // of the patterns for both).
        let mut shocks: Vec<(f64, f64)> = Vec::new();
        let mut log_density = |u: f64, shock: Option<&mut Vec<(f64, f64)>>| {
            trends_at(maps, u, &mut trends);
            let z = (u - center) / sd;
            let log_likelihood = match shock {
                Some(shocks) => {
                    let (l, state) = likelihood.log_at_and_shock_in(&trends, &mut scratch);
                    shocks.push(state.unwrap_or((0.0, 0.0)));
                    l
                }
                None => likelihood.log_at_in(&trends, &mut scratch),
            };
            -0.5 * z * z + log_likelihood
        };
        // Pass 1: the whole range.
        let coarse_step = 2.0 * Z_CLAMP / (NODES - 1) as f64;
        let coarse: Vec<f64> = (0..NODES)
            .map(|g| log_density(-Z_CLAMP + g as f64 * coarse_step, None))
            .collect();
        let top = coarse.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if top.is_finite() {
            let first = coarse.iter().position(|&l| l > top - LOG_SPAN).unwrap_or(0);
            let last = coarse
                .iter()
                .rposition(|&l| l > top - LOG_SPAN)
                .unwrap_or(NODES - 1);
            (
                (-Z_CLAMP + (first as f64 - 2.0) * coarse_step).max(-Z_CLAMP),
                (-Z_CLAMP + (last as f64 + 2.0) * coarse_step).min(Z_CLAMP),
            )
        } else {
            // The observations are impossible under every trend: keep the prior (the caller
            // records the conflict through `edge_mass`).
            (-Z_CLAMP, Z_CLAMP)
        };
        // Pass 2: the region that carries the mass.
        let step = (hi - lo) / (NODES - 1) as f64;
        let nodes: Vec<f64> = (0..NODES).map(|g| lo + g as f64 * step).collect();
        let mut logs: Vec<f64> = nodes
            .iter()
            .map(|&u| log_density(u, with_shock.then_some(&mut shocks)))
            .collect();
        if !top.is_finite() {
            for (l, &u) in logs.iter_mut().zip(&nodes) {
                let z = (u - center) / sd;
                *l = -0.5 * z * z;
            }
        }
        let peak = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let density: Vec<f64> = logs.iter().map(|l| (l - peak).exp()).collect();
        let mut cdf = vec![0.0; NODES];
        for g in 1..NODES {
            cdf[g] = cdf[g - 1] + 0.5 * (density[g - 1] + density[g]) * step;
        }
        let total = cdf[NODES - 1];
        let (mut m1, mut m2, mut edge) = (0.0, 0.0, 0.0);
        for g in 1..NODES {
            let w = 0.5 * (density[g - 1] + density[g]) * step / total;
            let u = 0.5 * (nodes[g - 1] + nodes[g]);
            m1 += w * u;
            m2 += w * u * u;
            if u.abs() > TAIL_SCORE {
                edge += w;
            }
        }
        for c in &mut cdf {
            *c /= total;
        }
        let guide = guide_of(&cdf);
        let shock = with_shock.then_some(shocks);
        ScoreGrid {
            start: lo,
            step,
            cdf,
            guide,
            mean: m1,
            variance: (m2 - m1 * m1).max(0.0),
            edge_mass: edge,
            shock,
        }
    }

    /// The score at probability `p` (inverse CDF, linear between nodes).
    #[inline]
    pub fn quantile(&self, p: f64) -> f64 {
        let cdf = &self.cdf;
        // First node whose CDF reaches p: from the guide, a step or two on average (a binary
        // search waits on ten dependent loads, the main cost of a transport), the same node.
        let g = match &self.guide {
            Some(guide) => {
                // p >= b / GUIDE_BUCKETS (the product is exact), so every node before
                // guide[b] has a CDF below p; NaN and p <= 0 give bucket 0, and node 0 (CDF 0).
                let b = ((p * GUIDE_BUCKETS as f64) as usize).min(GUIDE_BUCKETS - 1);
                let mut g = usize::from(guide[b]);
                while g < cdf.len() && cdf[g] < p {
                    g += 1;
                }
                g
            }
            None => cdf.partition_point(|&c| c < p),
        };
        if g == 0 {
            return self.start;
        }
        if g >= cdf.len() {
            return self.start + self.step * (cdf.len() - 1) as f64;
        }
        let (c0, c1) = (cdf[g - 1], cdf[g]);
        let frac = if c1 > c0 { (p - c0) / (c1 - c0) } else { 0.0 };
        self.start + self.step * ((g - 1) as f64 + frac)
    }

    /// The posterior score of the copula score `z`: the quantile at `Phi(z)`.
    #[inline]
    pub fn score(&self, z: f64) -> f64 {
        self.quantile(norm_cdf(z))
    }

    /// Whether the shock state is tabulated.
    pub fn has_shock(&self) -> bool {
        self.shock.is_some()
    }

    /// Mean and sd of the shock state at the last observation for a path with score `u`.
    #[inline]
    pub fn shock_at(&self, u: f64) -> (f64, f64) {
        let Some(table) = &self.shock else {
            return (0.0, 0.0);
        };
        let x = ((u - self.start) / self.step).clamp(0.0, (table.len() - 1) as f64);
        let g = (x as usize).min(table.len() - 2);
        let f = x - g as f64;
        let (a, b) = (table[g], table[g + 1]);
        (a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1))
    }
}

/// The guide to a CDF ([`ScoreGrid`]'s `guide`), or None when it is not finite and
/// non-decreasing.
fn guide_of(cdf: &[f64]) -> Option<Vec<u16>> {
    let sorted = cdf.iter().all(|c| c.is_finite()) && cdf.windows(2).all(|w| w[0] <= w[1]);
    (sorted && cdf.len() <= usize::from(u16::MAX)).then(|| {
        (0..GUIDE_BUCKETS)
            .map(|b| cdf.partition_point(|&c| c < b as f64 / GUIDE_BUCKETS as f64) as u16)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grid over a two-sided CDF with flat stretches (ties) and steep ones.
    fn grid(cdf: Vec<f64>) -> ScoreGrid {
        let guide = guide_of(&cdf);
        assert!(guide.is_some());
        ScoreGrid {
            start: -3.0,
            step: 6.0 / (cdf.len() - 1) as f64,
            cdf,
            guide,
            mean: 0.0,
            variance: 1.0,
            edge_mass: 0.0,
            shock: None,
        }
    }

    #[test]
    fn guided_quantiles_are_the_binary_searches() {
        let mut cdf: Vec<f64> = (0..NODES)
            .map(|g| norm_cdf(-3.0 + 6.0 * g as f64 / (NODES - 1) as f64))
            .collect();
        // Ties (flat stretches), then a jump.
        let (a, b) = (cdf[300], cdf[600]);
        cdf[300..340].fill(a);
        cdf[600..700].fill(b);
        cdf[0] = 0.0;
        cdf[NODES - 1] = 1.0;
        assert_eq!(guide_of(&[0.0, 0.5, 0.4, 1.0]), None);
        assert_eq!(guide_of(&[0.0, f64::NAN, 1.0]), None);
        let guided = grid(cdf.clone());
        let searched = ScoreGrid {
            guide: None,
            ..guided.clone()
        };
        let mut probabilities: Vec<f64> = vec![0.0, -0.5, 1.0, 1.5, f64::NAN, 1e-300, a, b];
        probabilities.extend(cdf.iter().copied());
        probabilities.extend(cdf.iter().map(|&c| c * (1.0 + f64::EPSILON)));
        probabilities.extend(cdf.iter().map(|&c| c * (1.0 - f64::EPSILON)));
        probabilities.extend((0..=GUIDE_BUCKETS).map(|b| b as f64 / GUIDE_BUCKETS as f64));
        probabilities.extend((0..=GUIDE_BUCKETS).map(|b| {
            let p = b as f64 / GUIDE_BUCKETS as f64;
            p - p * f64::EPSILON
        }));
        probabilities.extend((0..100_000).map(|k| (k as f64 + 0.5) / 100_000.0));
        for p in probabilities {
            let (a, b) = (guided.quantile(p), searched.quantile(p));
            assert!(a == b || (a.is_nan() && b.is_nan()), "p = {p}: {a} vs {b}");
        }
    }
}
