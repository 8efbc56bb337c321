//! The copula map of a trend distribution: from a path's standard normal trend score `z` to the
//! trend `Q(Phi(z))`, `Q` being the distribution's inverse CDF (scenario spec, section 2,
//! "Trend scores"). The engine evaluates it once per path, indicator and period, so it must be
//! cheap; the exact route (`Phi`, then an iterative inverse CDF for pert and Student-t) is not.
//!
//! - Normal and lognormal: closed forms `mean + sd z` and `exp(mu + sigma z)`.
//! - Fixed: the value.
//! - Every other continuous kind (truncated normal, pert, Student-t, uniform, triangular, split
//!   normal): a piecewise cubic Hermite table of `z -> Q(Phi(z))` on `|z| <= TABLE_Z`, nodes
//!   every `1 / NODES_PER_UNIT`, values exact, slopes from fourth-order central differences of
//!   the exact values. The table checks itself when built: at every interval's midpoint (where a
//!   cubic Hermite interpolant's error peaks) it must agree with the exact map within half of
//!   [`TOLERANCE`] times `max(w, |x - m|)`, `w` being the width `Q(Phi(1)) - Q(Phi(-1))` and `m`
//!   the median. Where the map has a kink (the mode of a triangular or split normal) the grid
//!   is shifted to put a node on it and the slopes next to it are one-sided. A distribution
//!   that fails is tabulated again as `asinh((x - m) / w)` (fat tails: Student-t with few
//!   degrees of freedom); one that fails again (the extreme tails of a Student-t with df < 1,
//!   say) keeps the exact map. Beyond `TABLE_Z` (probability
//!   5.7e-7) the exact map is used; there `Phi(z)` rounds to within 1e-16 of 1, whose relative
//!   error would show in the nodes. `tests/score_map.rs` checks the same bound on a dense grid.
//! - Discrete: the exact map (a binary search, already cheap).

use super::dist::Dist;
use crate::numeric::normal::{norm_cdf, norm_quantile};

/// Half-width of the tabulated range of scores.
pub const TABLE_Z: f64 = 5.0;
/// Nodes per unit of score.
pub const NODES_PER_UNIT: f64 = 64.0;
/// Largest error of the table, relative to `max(width, distance from the median)`.
pub const TOLERANCE: f64 = 1e-9;

/// Extra nodes past each end of the range, for the central differences.
const PAD: usize = 2;

/// Standard normal score beyond which the engine clamps (that of probability `P_MIN`, as
/// [`Dist::quantile`] clamps probabilities).
pub const Z_CLAMP: f64 = 7.941_345_326_170_997;

/// How one distribution maps scores to values.
#[derive(Debug, Clone)]
pub enum ScoreMap {
    /// Always this value.
    Constant(f64),
    /// `shift + scale z`.
    Affine {
        /// Added.
        shift: f64,
        /// Multiplies the score.
        scale: f64,
    },
    /// `exp(shift + scale z)`.
    Exponential {
        /// Added in the exponent.
        shift: f64,
        /// Multiplies the score in the exponent.
        scale: f64,
    },
    /// Tabulated on `|z| <= TABLE_Z`, exact outside.
    Table(Box<Table>),
    /// `dist.quantile(Phi(z))`.
    Exact(Dist),
}

/// Cubic pieces of a tabulated map.
#[derive(Debug, Clone)]
pub struct Table {
    /// Per interval `[z_j, z_j + h]`: coefficients `c0 + c1 u + c2 u^2 + c3 u^3`, `u` in [0, 1],
    /// of the tabulated function.
    pieces: Vec<[f64; 4]>,
    /// The score of the first node (`-TABLE_Z`, or a little less so that a kink is a node).
    start: f64,
    /// What is tabulated.
    form: Form,
    /// The distribution, for scores outside the table.
    dist: Dist,
}

/// What a table holds.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// The value itself.
    Direct,
    /// `asinh((x - center) / width)`, for fat tails (Student-t with few degrees of freedom),
    /// whose values grow like `exp(z^2 / (2 df))` and defeat a cubic in `z`, while their
    /// logarithm grows like `z^2`.
    Sinh {
        /// The median.
        center: f64,
        /// The width `Q(Phi(1)) - Q(Phi(-1))`.
        width: f64,
    },
}

impl Form {
    #[inline]
    fn forward(self, x: f64) -> f64 {
        match self {
            Form::Direct => x,
            Form::Sinh { center, width } => ((x - center) / width).asinh(),
        }
    }

    #[inline]
    fn back(self, y: f64) -> f64 {
        match self {
            Form::Direct => y,
            Form::Sinh { center, width } => {
                let e = y.exp();
                center + width * 0.5 * (e - 1.0 / e)
            }
        }
    }
}

impl ScoreMap {
    /// The map of `dist`.
    pub fn new(dist: &Dist) -> ScoreMap {
        if dist.is_fixed() {
            return ScoreMap::Constant(dist.mean());
        }
        if let Some((shift, scale, exponential)) = dist.score_affine() {
            return if exponential {
                ScoreMap::Exponential { shift, scale }
            } else {
                ScoreMap::Affine { shift, scale }
            };
        }
        if matches!(dist, Dist::Discrete(_)) {
            return ScoreMap::Exact(dist.clone());
        }
        let median = exact(dist, 0.0);
        let width = exact(dist, 1.0) - exact(dist, -1.0);
        if !(width > 0.0 && width.is_finite() && median.is_finite()) {
            return ScoreMap::Exact(dist.clone());
        }
        let sinh = Form::Sinh {
            center: median,
            width,
        };
        match Table::build(dist, Form::Direct).or_else(|| Table::build(dist, sinh)) {
            Some(table) => ScoreMap::Table(Box::new(table)),
            None => ScoreMap::Exact(dist.clone()),
        }
    }

    /// Whether the map is tabulated (for tests and reports).
    pub fn is_table(&self) -> bool {
        matches!(self, ScoreMap::Table(_))
    }

    /// The value at score `z`.
    #[inline]
    pub fn at(&self, z: f64) -> f64 {
        match self {
            ScoreMap::Constant(v) => *v,
            ScoreMap::Affine { shift, scale } => shift + scale * z.clamp(-Z_CLAMP, Z_CLAMP),
            ScoreMap::Exponential { shift, scale } => (shift + scale * z.clamp(-Z_CLAMP, Z_CLAMP))
                .exp()
                .min(f64::MAX),
            ScoreMap::Table(table) => table.at(z),
            ScoreMap::Exact(dist) => exact(dist, z),
        }
    }

    /// Fills `out[p]` with the value at `scores[p]`.
    pub fn fill(&self, scores: &[f64], out: &mut [f64]) {
        match self {
            ScoreMap::Constant(v) => out.fill(*v),
            ScoreMap::Table(table) => {
                for (o, &z) in out.iter_mut().zip(scores) {
                    *o = table.at(z);
                }
            }
            _ => {
                for (o, &z) in out.iter_mut().zip(scores) {
                    *o = self.at(z);
                }
            }
        }
    }
}

/// The exact copula map.
#[inline]
fn exact(dist: &Dist, z: f64) -> f64 {
    dist.quantile(norm_cdf(z))
}

impl Table {
    /// Tabulates `dist` in `form`; None when the table would not meet [`TOLERANCE`].
    ///
    /// Where the map has a kink (the mode of a triangular or split normal), the grid is shifted
    /// so that the kink is a node, and the slopes of the nodes whose central stencil would
    /// straddle it come from one-sided fourth-order differences on their own side (at the kink
    /// itself, the mean of both: the slope is continuous there, only the curvature jumps).
    fn build(dist: &Dist, form: Form) -> Option<Table> {
        let h = 1.0 / NODES_PER_UNIT;
        let kink = dist
            .kink_probability()
            .map(norm_quantile)
            .filter(|z| z.abs() < TABLE_Z - 8.0 * h);
        let start = match kink {
            Some(z) => z - ((z + TABLE_Z) / h).ceil() * h,
            None => -TABLE_Z,
        };
        let intervals = ((TABLE_Z - start) / h).ceil() as usize;
        let z_of = |j: usize| start + (j as f64 - PAD as f64) * h;
        let values: Vec<f64> = (0..=intervals + 2 * PAD)
            .map(|j| form.forward(exact(dist, z_of(j))))
            .collect();
        if values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let kink_node = kink.map(|z| PAD + ((z - start) / h).round() as usize);
        let f = |j: usize| values[j];
        // Slope times h at node j (of the padded list), fourth-order differences.
        let central = |j: usize| (f(j - 2) - 8.0 * f(j - 1) + 8.0 * f(j + 1) - f(j + 2)) / 12.0;
        let forward = |j: usize| {
            (-25.0 * f(j) + 48.0 * f(j + 1) - 36.0 * f(j + 2) + 16.0 * f(j + 3) - 3.0 * f(j + 4))
                / 12.0
        };
        let backward = |j: usize| {
            (25.0 * f(j) - 48.0 * f(j - 1) + 36.0 * f(j - 2) - 16.0 * f(j - 3) + 3.0 * f(j - 4))
                / 12.0
        };
        let slope_h = |j: usize| match kink_node {
            Some(k) if j + 2 > k && j < k + 2 => match j.cmp(&k) {
                std::cmp::Ordering::Less => backward(j),
                std::cmp::Ordering::Greater => forward(j),
                std::cmp::Ordering::Equal => 0.5 * (backward(j) + forward(j)),
            },
            _ => central(j),
        };
        let pieces: Vec<[f64; 4]> = (PAD..PAD + intervals)
            .map(|j| {
                let (y0, y1, d0, d1) = (values[j], values[j + 1], slope_h(j), slope_h(j + 1));
                // Hermite basis expanded into powers of u.
                [
                    y0,
                    d0,
                    3.0 * (y1 - y0) - 2.0 * d0 - d1,
                    2.0 * (y0 - y1) + d0 + d1,
                ]
            })
            .collect();
        let table = Table {
            pieces,
            start,
            form,
            dist: dist.clone(),
        };
        let median = exact(dist, 0.0);
        let width = exact(dist, 1.0) - exact(dist, -1.0);
        let accurate = (0..intervals).all(|j| {
            let z = start + (j as f64 + 0.5) * h;
            let want = exact(dist, z);
            let got = table.at(z);
            // Half the stated tolerance: the dense-grid maximum can sit a little off the
            // midpoint, since the slopes are differences, not exact derivatives.
            (got - want).abs() <= 0.5 * TOLERANCE * width.max((want - median).abs())
        });
        accurate.then_some(table)
    }

    /// The value at score `z`.
    #[inline]
    fn at(&self, z: f64) -> f64 {
        let s = (z - self.start) * NODES_PER_UNIT;
        // Also false for NaN, which the exact map turns into the median.
        if s >= 0.0 && s < self.pieces.len() as f64 {
            // Through u32: `s` is in range here, and the saturating f64-to-u32 conversion
            // is a few instructions where f64-to-usize takes about fifteen.
            let j = s as u32 as usize;
            let u = s - j as f64;
            let c = &self.pieces[j];
            self.form.back(c[0] + u * (c[1] + u * (c[2] + u * c[3])))
        } else {
            exact(&self.dist, z)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms_match_the_exact_map() {
        for dist in [
            Dist::normal(3.0, 2.0, None, None).unwrap(),
            Dist::lognormal(12.0, 3.0).unwrap(),
        ] {
            let map = ScoreMap::new(&dist);
            // Up to |z| = 5: beyond, Phi(z) rounds near 1 and the exact route loses digits.
            for k in -500..=500 {
                let z = k as f64 / 100.0;
                let (got, want) = (map.at(z), exact(&dist, z));
                assert!(
                    (got - want).abs() <= 1e-9 * want.abs().max(1.0),
                    "{dist:?} at {z}: {got} vs {want}"
                );
            }
        }
    }
}
