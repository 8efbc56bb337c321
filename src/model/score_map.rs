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
                let done = match table.form {
                    Form::Direct => wide::fill_direct_if_available(table, scores, out),
                    Form::Sinh { .. } => 0,
                };
                for (o, &z) in out[done..].iter_mut().zip(&scores[done..]) {
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

/// The AVX-512 form of [`Table::at`] over a row for a table of the value itself, built by
/// compilers from Rust 1.89 (whose AVX-512 intrinsics it uses).
mod wide {
    use super::Table;

    /// Fills the first paths of `out` (a multiple of eight) with the table's values at their
    /// `scores` with AVX-512 if the processor has it (and the compiler could build it): the
    /// number of paths done, the rest the caller's. For a table of [`super::Form::Direct`].
    #[rustversion::since(1.89)]
    pub(super) fn fill_direct_if_available(
        table: &Table,
        scores: &[f64],
        out: &mut [f64],
    ) -> usize {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has AVX-512F, the one feature the function is compiled for.
            return unsafe { fill_direct(table, scores, out) };
        }
        let _ = (table, scores, out);
        0
    }

    /// Without a compiler that builds the AVX-512 form: nothing done.
    #[rustversion::before(1.89)]
    pub(super) fn fill_direct_if_available(
        _table: &Table,
        _scores: &[f64],
        _out: &mut [f64],
    ) -> usize {
        0
    }

    /// Eight scores a register: the operations of [`Table::at`] in each lane, in the same order
    /// (no fused multiply-add, so each lane rounds as the scalar code does), the piece's four
    /// coefficients gathered for the lanes inside the table; the lanes outside it (or NaN)
    /// then take the exact map one by one, as the scalar code does.
    ///
    /// # Safety
    /// The processor must have AVX-512F.
    #[rustversion::since(1.89)]
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn fill_direct(table: &Table, scores: &[f64], out: &mut [f64]) -> usize {
        use super::{exact, NODES_PER_UNIT};
        use std::arch::x86_64::*;
        let n = scores.len().min(out.len()) / 8 * 8;
        // Coefficient k of piece j is `base[4 j + k]`; 4 j + 3 fits an i32 index for any table
        // built (a few thousand pieces).
        if table.pieces.len() >= (i32::MAX / 4) as usize {
            return 0;
        }
        let base: *const f64 = table.pieces.as_ptr().cast();
        let start = _mm512_set1_pd(table.start);
        let (nodes, pieces) = (
            _mm512_set1_pd(NODES_PER_UNIT),
            _mm512_set1_pd(table.pieces.len() as f64),
        );
        let zero = _mm512_setzero_pd();
        for (group, values) in scores[..n]
            .chunks_exact(8)
            .zip(out[..n].chunks_exact_mut(8))
        {
            // SAFETY: `group` is eight f64 (64 bytes) of readable memory; an unaligned load.
            let z = unsafe { _mm512_loadu_pd(group.as_ptr()) };
            let s = _mm512_mul_pd(_mm512_sub_pd(z, start), nodes);
            // `s >= 0.0 && s < len` (false for NaN).
            let inside = _mm512_cmp_pd_mask::<_CMP_GE_OQ>(s, zero)
                & _mm512_cmp_pd_mask::<_CMP_LT_OQ>(s, pieces);
            // `s as u32` for the lanes inside (in [0, len)), then back to f64, exactly.
            let j = _mm512_cvttpd_epu32(s);
            let u = _mm512_sub_pd(s, _mm512_cvtepu32_pd(j));
            let first = _mm256_slli_epi32::<2>(j);
            let coefficient = |k: i32| {
                let index = _mm256_add_epi32(first, _mm256_set1_epi32(k));
                // SAFETY: for the lanes inside, `j < len`, so `4 j + k` is within the pieces;
                // the others are masked off and read nothing.
                unsafe { _mm512_mask_i32gather_pd::<8>(zero, inside, index, base) }
            };
            let (c0, c1, c2, c3) = (
                coefficient(0),
                coefficient(1),
                coefficient(2),
                coefficient(3),
            );
            // `c0 + u * (c1 + u * (c2 + u * c3))`.
            let value = _mm512_add_pd(
                c0,
                _mm512_mul_pd(
                    u,
                    _mm512_add_pd(
                        c1,
                        _mm512_mul_pd(u, _mm512_add_pd(c2, _mm512_mul_pd(u, c3))),
                    ),
                ),
            );
            // SAFETY: `values` is eight f64 (64 bytes) of writable memory; an unaligned store.
            unsafe { _mm512_storeu_pd(values.as_mut_ptr(), value) };
            let mut outside = !inside;
            while outside != 0 {
                let lane = outside.trailing_zeros() as usize;
                outside &= outside - 1;
                values[lane] = exact(&table.dist, group[lane]);
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row filled at once (eight scores a register where the processor has AVX-512, for a
    /// table of the value itself) against the map at each score: the same values bit for bit,
    /// on and between the nodes, at and beyond both ends of the table, for NaN and both zeros.
    #[test]
    fn a_filled_row_is_the_map_at_each_score() {
        for dist in [
            Dist::triangular(2.0, 5.0, 10.0).unwrap(),
            Dist::pert(5.0, 15.0, 30.0).unwrap(),
            Dist::split_normal(10.0, 3.0, 5.0).unwrap(),
            Dist::student_t(0.0, 1.0, 2.0).unwrap(),
        ] {
            let map = ScoreMap::new(&dist);
            let ScoreMap::Table(table) = &map else {
                panic!("{dist:?} should be tabulated");
            };
            let end = table.start + table.pieces.len() as f64 / NODES_PER_UNIT;
            let mut scores: Vec<f64> = (-700..=700).map(|k| k as f64 / 117.0).collect();
            scores.extend([
                table.start,
                end,
                end - 1e-12,
                table.start - 1e-12,
                f64::NAN,
                0.0,
                -0.0,
                f64::INFINITY,
                f64::NEG_INFINITY,
                1.0 / NODES_PER_UNIT,
            ]);
            for len in [scores.len(), scores.len() - 3, 7, 0] {
                let row = &scores[scores.len() - len..];
                let mut out = vec![0.0; len];
                map.fill(row, &mut out);
                for (&z, &got) in row.iter().zip(&out) {
                    assert_eq!(got.to_bits(), map.at(z).to_bits(), "{dist:?} at {z}");
                }
            }
        }
    }

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
