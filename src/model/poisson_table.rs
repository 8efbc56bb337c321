//! Fast exact Poisson draws for `lambda < TABLE_LAMBDA_MAX`, by additivity and tables.
//!
//! `Poisson(lambda) = Poisson(l0) + Poisson(d)` for independent parts, with `l0 = floor(4
//! lambda) / 4` on a grid of step 1/4 and `d = lambda - l0` in `[0, 1/4)`. The first part is
//! drawn by inversion of a precomputed CDF table of `Poisson(l0)` started from a guide table
//! (Chen & Asau 1974; Devroye 1986, "Non-Uniform Random Variate Generation", III.2.4), one
//! uniform and about two comparisons (skipped when `l0 = 0`). The second by inversion from 0 with one uniform; since
//! `exp(-d) > 1 - d`, any `u < 1 - d` (at least 3/4 of draws) is 0 without computing `exp`.
//!
//! The tables hold `P(X <= k)` for `k` up to where the remaining mass is below 1e-18 (the
//! last entry is set to exactly 1); the entries agree with the exact CDF within 1e-13
//! (`tests/poisson_table.rs`), against the 2^-53 resolution of the uniforms. They are built
//! once per process (about 40,000 entries, 0.4 MB).

use rand::RngCore;
use std::sync::OnceLock;

/// Rates from here up use another method.
pub const TABLE_LAMBDA_MAX: f64 = 64.0;
/// Grid points per unit rate.
const GRID_PER_UNIT: f64 = 4.0;
/// Mass left out of the upper tail of a table.
const TAIL_MASS: f64 = 1e-18;

/// The CDF and guide tables of `Poisson(j / 4)`, `j = 0 .. 256`.
struct Tables {
    /// Concatenated CDFs; table `j` is `cdf[start[j]..start[j + 1]]`.
    cdf: Vec<f64>,
    /// Concatenated guide tables, same lengths: `guide[start[j] + g]` is the least `k` with
    /// `P(X <= k) > g / len`.
    guide: Vec<u32>,
    start: Vec<usize>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let count = (TABLE_LAMBDA_MAX * GRID_PER_UNIT) as usize;
        let mut cdf = Vec::new();
        let mut guide = Vec::new();
        let mut start = vec![0];
        for j in 0..count {
            let table = cdf_table(j as f64 / GRID_PER_UNIT);
            let len = table.len();
            let mut k = 0u32;
            for g in 0..len {
                let level = g as f64 / len as f64;
                while table[k as usize] <= level {
                    k += 1;
                }
                guide.push(k);
            }
            cdf.extend(table);
            start.push(cdf.len());
        }
        Tables { cdf, guide, start }
    })
}

/// `P(X <= k)` for `X ~ Poisson(lambda)`, `k = 0, 1, ...` until the rest is below
/// [`TAIL_MASS`]; the last entry is 1.
pub fn cdf_table(lambda: f64) -> Vec<f64> {
    let mut pmf = (-lambda).exp();
    let mut cum = pmf;
    let mut table = vec![cum];
    let mut k = 0.0;
    // The remaining mass after k (> lambda) is below pmf * (k + 1) / (k + 1 - lambda).
    while !(k > lambda && pmf * (k + 1.0) / (k + 1.0 - lambda) < TAIL_MASS) {
        k += 1.0;
        pmf *= lambda / k;
        cum += pmf;
        table.push(cum);
    }
    if let Some(last) = table.last_mut() {
        *last = 1.0;
    }
    table
}

/// A uniform in (0, 1) from 53 random bits (the engine's `open_uniform`).
#[inline]
fn uniform<R: RngCore + ?Sized>(rng: &mut R) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A Poisson(`lambda`) draw for `0 <= lambda < TABLE_LAMBDA_MAX`, as an `f64`; two uniforms
/// (one below 1/4, where the tabulated part is always 0).
#[inline]
pub fn sample<R: RngCore + ?Sized>(rng: &mut R, lambda: f64) -> f64 {
    debug_assert!((0.0..TABLE_LAMBDA_MAX).contains(&lambda));
    if lambda < 1.0 / GRID_PER_UNIT {
        // l0 = 0: the first part is always 0.
        return small(rng, lambda);
    }
    let tables = tables();
    let j = ((lambda * GRID_PER_UNIT) as u32 as usize).min(tables.start.len() - 2);
    let residual = (lambda - j as f64 / GRID_PER_UNIT).max(0.0);
    let (from, to) = (tables.start[j], tables.start[j + 1]);
    let cdf = &tables.cdf[from..to];
    let u = uniform(rng);
    let g = ((u * cdf.len() as f64) as u32 as usize).min(cdf.len() - 1);
    let mut k = tables.guide[from + g] as usize;
    // cdf ends with 1 > u, so the search stops inside the table.
    while k + 1 < cdf.len() && u >= cdf[k] {
        k += 1;
    }
    k as f64 + small(rng, residual)
}

/// Poisson(`d`) for `0 <= d < 1/4` by inversion from 0.
#[inline]
fn small<R: RngCore + ?Sized>(rng: &mut R, d: f64) -> f64 {
    let u = uniform(rng);
    if u < 1.0 - d {
        return 0.0;
    }
    let mut pmf = (-d).exp();
    let mut cum = pmf;
    let mut k = 0.0;
    // For d < 1/4 the mass beyond k = 30 is far below 2^-53.
    while u >= cum && k < 30.0 {
        k += 1.0;
        pmf *= d / k;
        cum += pmf;
    }
    k
}
