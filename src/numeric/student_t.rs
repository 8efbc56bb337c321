//! The standard Student-t distribution: CDF through the regularized incomplete beta function,
//! quantile by safeguarded Halley-type steps (Hill 1981's two-term Taylor correction, as in R's
//! `qt`) started from Hill's 1970 CACM Algorithm 396 approximation or a [`HermiteTable`], the
//! Cornish-Fisher expansion for many degrees of freedom (Abramowitz & Stegun 1964, 26.7.5) and
//! closed forms for `df` = 1 and 2.

use super::beta::inc_beta;
use super::hermite::HermiteTable;
use super::normal::{norm_cdf, norm_pdf, norm_quantile, FRAC_1_SQRT_2PI};
use std::f64::consts::{FRAC_PI_2, PI};

/// Above this many degrees of freedom the Student-t quantile and CDF use the Cornish-Fisher
/// expansion about the normal to order `df^-4` (Abramowitz & Stegun 26.7.5), whose truncation
/// error there is below 3e-14 relative for `p` in `[1e-15, 1 - 1e-15]` (checked against mpmath),
/// instead of the incomplete beta continued fraction, whose rounding error grows roughly like
/// `df * 1e-17` (about 1e-13 at this threshold).
const T_DF_ASYMPTOTIC: f64 = 5e3;

/// Values the Student-t iterations need at a point `t >= 0`, with `s^2 = t^2 / df`,
/// `x = df / (df + t^2) = 1 / (1 + s^2)` and `y = 1 - x`.
struct TPoint {
    /// Upper tail `P(T > t) = I_x(df/2, 1/2) / 2`.
    tail: f64,
    /// Central probability `P(0 < T <= t) = I_y(1/2, df/2) / 2`.
    center: f64,
    /// `t f(t)`, with `f` the t density (it equals `x^(df/2) y^(1/2) / B(df/2, 1/2)`).
    t_pdf: f64,
    /// `y = t^2 / (df + t^2)`.
    y: f64,
}

fn t_point(t: f64, df: f64, ln_beta: f64) -> TPoint {
    let s = t / df.sqrt();
    // ln s from ln t, so that it stays finite even where s itself overflows (df < 1).
    let ln_s = t.ln() - 0.5 * df.ln();
    let (x, y, ln_x, ln_y) = if s < 1.0 {
        let s2 = s * s;
        let l = s2.ln_1p();
        (1.0 / (1.0 + s2), s2 / (1.0 + s2), -l, 2.0 * ln_s - l)
    } else {
        let r = 1.0 / s / s;
        let l = r.ln_1p();
        (r / (1.0 + r), 1.0 / (1.0 + r), -(2.0 * ln_s + l), -l)
    };
    let (lower, upper, front) = inc_beta(x, y, ln_x, ln_y, 0.5 * df, 0.5, ln_beta);
    TPoint {
        tail: 0.5 * lower,
        center: 0.5 * upper,
        t_pdf: front,
        y,
    }
}

/// Cornish-Fisher expansion of the Student-t quantile in powers of `1/df` about the normal
/// deviate `z` (Abramowitz & Stegun 1964, 26.7.5), to order `df^-4`.
fn t_cornish_fisher(z: f64, df: f64) -> f64 {
    let z2 = z * z;
    let g1 = (z2 + 1.0) * z / 4.0;
    let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
    let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
    let g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
    let v = 1.0 / df;
    z + v * (g1 + v * (g2 + v * (g3 + v * g4)))
}

/// Derivative of [`t_cornish_fisher`] with respect to `z`.
fn t_cornish_fisher_dz(z: f64, df: f64) -> f64 {
    let z2 = z * z;
    let d1 = (3.0 * z2 + 1.0) / 4.0;
    let d2 = ((25.0 * z2 + 48.0) * z2 + 3.0) / 96.0;
    let d3 = (((21.0 * z2 + 95.0) * z2 + 51.0) * z2 - 15.0) / 384.0;
    let d4 = ((((711.0 * z2 + 5432.0) * z2 + 7410.0) * z2 - 5760.0) * z2 - 945.0) / 92160.0;
    let v = 1.0 / df;
    1.0 + v * (d1 + v * (d2 + v * (d3 + v * d4)))
}

/// Hill's (1970, "Algorithm 396: Student's t-quantiles", CACM 13(10)) approximation of the
/// upper quantile for the two-sided tail probability `two_tail`, for `df > 1`; used only as a
/// starting value.
fn t_hill(two_tail: f64, df: f64) -> f64 {
    let a = 1.0 / (df - 0.5);
    let b = 48.0 / (a * a);
    let mut c = ((20700.0 * a / b - 98.0) * a - 16.0) * a + 96.36;
    let d = ((94.5 / (b + c) - 3.0) / b + 1.0) * (a * FRAC_PI_2).sqrt() * df;
    let mut y = (d * two_tail).powf(2.0 / df);
    if y > 0.05 + a {
        // Asymptotic inverse expansion about the normal.
        let x = norm_quantile(0.5 * two_tail);
        let x2 = x * x;
        if df < 5.0 {
            c += 0.3 * (df - 4.5) * (x + 0.6);
        }
        c += (((0.05 * d * x - 5.0) * x - 7.0) * x - 2.0) * x + b;
        let z = (((((0.4 * x2 + 6.3) * x2 + 36.0) * x2 + 94.5) / c - x2 - 3.0) / b + 1.0) * x;
        y = (a * z * z).exp_m1();
    } else {
        y = ((1.0 / (((df + 6.0) / (df * y) - 0.089 * d - 0.822) * (df + 2.0) * 3.0)
            + 0.5 / (df + 4.0))
            * y
            - 1.0)
            * (df + 1.0)
            / (df + 2.0)
            + 1.0 / y;
    }
    (df * y).sqrt()
}

/// Next trial point when a Newton/Halley step leaves the bracket `(lo, hi)` around the root.
fn bracket_fallback(lo: f64, hi: f64, t: f64) -> f64 {
    if hi.is_infinite() {
        4.0 * t.max(lo).max(1.0)
    } else if lo <= 0.0 {
        0.25 * hi.min(t)
    } else if hi > 8.0 * lo {
        (lo * hi).sqrt()
    } else {
        0.5 * (lo + hi)
    }
}

/// Standard Student-t upper quantile: the `t > 0` with `P(T > t) = q`, `0 < q < 1/2`.
///
/// For `q > 1/4` it solves `P(0 < T <= t) = 1/2 - q` (no cancellation near the median), further
/// out `P(T > t) = q`, by steps in `t` with the two-term Taylor correction of Hill (1981, as in
/// R's `qt`); in the tail, while the relative step exceeds 1e-2, it applies Halley steps to
/// `ln P(T > t) = ln q` in `u = ln t` instead, which is nearly linear for the power-law tails of
/// small `df` and so converges from far away. The iterates are kept inside a bracket of the root, falling
/// back to bisection, so the iteration converges for every `df > 0` from any starting value
/// `t0`. Both steps converge cubically, so the iteration stops after a step below 1e-5 relative
/// (leaving an error of order 1e-15); plain Newton steps, used far from the root, must fall
/// below 1e-10.
fn t_upper_quantile(q: f64, df: f64, ln_beta: f64, t0: f64) -> f64 {
    let c = 0.5 - q;
    let center_mode = q > 0.25;
    let mut t = t0.min(f64::MAX);
    if t.is_nan() || t <= 0.0 {
        t = 1.0;
    }
    let (mut lo, mut hi) = (0.0f64, f64::INFINITY);
    let ln_q = q.ln();
    for _ in 0..300 {
        let pt = t_point(t, df, ln_beta);
        // g = P(T > t) - q, decreasing in t.
        let g = if center_mode {
            c - pt.center
        } else {
            pt.tail - q
        };
        if g == 0.0 {
            return t;
        }
        if g > 0.0 {
            lo = t;
        } else {
            hi = t;
        }
        let mut next = f64::NAN;
        let mut rel_step = f64::INFINITY;
        let mut tol = 1e-10;
        if pt.t_pdf > 0.0 && pt.t_pdf.is_finite() {
            // u = g / f; two-term Taylor (Chebyshev) step in t, cubically convergent.
            let u = g * t / pt.t_pdf;
            let corr = u * (df + 1.0) * pt.y / (2.0 * t);
            if center_mode || (u / t).abs() < 1e-2 {
                let step = if corr.abs() < 0.5 {
                    tol = 1e-5;
                    u * (1.0 + corr)
                } else {
                    u
                };
                next = t + step;
                rel_step = (step / t).abs();
            } else if pt.tail > 0.0 {
                // h(u) = ln P(T > e^u) - ln q; h' = -t f / tail;
                // h'' = h' (1 - (df + 1) y) - h'^2.
                let h = pt.tail.ln() - ln_q;
                let d1 = -pt.t_pdf / pt.tail;
                let d2 = d1 * (1.0 - (df + 1.0) * pt.y) - d1 * d1;
                let newton = -h / d1;
                let corr = 0.5 * newton * d2 / d1;
                let du = if corr.abs() < 0.5 {
                    tol = 1e-5;
                    newton / (1.0 + corr)
                } else {
                    newton
                };
                let du = du.clamp(-50.0, 50.0);
                next = t * du.exp();
                rel_step = du.abs();
            }
        }
        if next > lo && next < hi {
            if rel_step <= tol {
                return next;
            }
        } else {
            next = bracket_fallback(lo, hi, t);
            if hi.is_infinite() && next > f64::MAX / 4.0 {
                return f64::INFINITY;
            }
        }
        if hi - lo <= 1e-15 * lo {
            return next;
        }
        t = next;
    }
    t
}

/// Starting value for [`t_upper_quantile`] without a table: Hill's approximation for `df > 1`,
/// otherwise the linear approximation at the median (`q > 1/4`) or the power-law tail.
fn t_initial(q: f64, df: f64, ln_beta: f64) -> f64 {
    let c = 0.5 - q;
    if df > 1.0 {
        t_hill(2.0 * q, df)
    } else if q > 0.25 {
        // Linear from the median: c / f(0), f(0) = 1 / (sqrt(df) B(df/2, 1/2)).
        c * df.sqrt() * ln_beta.exp()
    } else {
        // Power-law tail: P(T > t) ~ df^(df/2 - 1) t^-df / B(df/2, 1/2).
        ((-ln_beta + (0.5 * df - 1.0) * df.ln() - q.ln()) / df)
            .min(700.0)
            .exp()
    }
}

/// Starting-value table for the standard Student-t upper quantile: `g(v) = asinh(t(q))` with
/// `q = Phi(-v)` and `P(T > t) = q` (asinh keeps both the linear centre and the power-law tails
/// smooth); empty where closed forms or the Cornish-Fisher expansion are used.
pub(crate) fn t_table(df: f64, ln_beta: f64) -> HermiteTable {
    if df == 1.0 || df == 2.0 || df > T_DF_ASYMPTOTIC {
        return HermiteTable::default();
    }
    HermiteTable::build(|v| {
        if v == 0.0 {
            // t'(0) = phi(0) / f(0), f(0) = 1 / (sqrt(df) B(df/2, 1/2)).
            return (0.0, FRAC_1_SQRT_2PI * df.sqrt() * ln_beta.exp());
        }
        let q = norm_cdf(-v);
        let t = t_upper_quantile(q, df, ln_beta, t_initial(q, df, ln_beta));
        if !t.is_finite() {
            return (f64::MAX.asinh(), 0.0);
        }
        // dt/dv = phi(v) / f(t) = phi(v) t / (t f(t)); d asinh(t) / dt = 1 / hypot(1, t).
        let t_pdf = t_point(t, df, ln_beta).t_pdf;
        (t.asinh(), norm_pdf(v) / t_pdf * (t / t.hypot(1.0)))
    })
}

/// `sinh(g)` from a single `exp` (glibc's `sinh` goes through `expm1` and costs about twice as
/// much); the cubic Taylor polynomial near 0, where `(e^g - e^-g) / 2` would cancel. Relative
/// error below 1e-12, ample for a starting value.
#[inline]
fn sinh_fast(g: f64) -> f64 {
    if g.abs() < 1e-3 {
        g * (1.0 + g * g / 6.0)
    } else {
        let e = g.exp();
        0.5 * (e - 1.0 / e)
    }
}

/// Standard Student-t quantile at `p` in (0, 1).
pub(crate) fn t_quantile_std(p: f64, df: f64, ln_beta: f64, table: &HermiteTable) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    // q: the tail probability beyond |t|; exact (Sterbenz) for p > 1/2.
    let (neg, q) = if p < 0.5 { (true, p) } else { (false, 1.0 - p) };
    let t = if df == 1.0 {
        // Cauchy: t = cot(pi q) = tan(pi (1/2 - q)).
        if q < 0.25 {
            1.0 / (PI * q).tan()
        } else {
            (PI * (0.5 - q)).tan()
        }
    } else if df == 2.0 {
        // P(T > t) = (1 - t / sqrt(2 + t^2)) / 2  =>  t = (1 - 2q) / sqrt(2 q (1 - q)).
        2.0 * (0.5 - q) / (2.0 * q * (1.0 - q)).sqrt()
    } else if df > T_DF_ASYMPTOTIC {
        t_cornish_fisher(-norm_quantile(q), df)
    } else {
        let v = -norm_quantile(q);
        let t0 = if table.values.is_empty() {
            t_initial(q, df, ln_beta)
        } else {
            sinh_fast(table.eval(v))
        };
        t_upper_quantile(q, df, ln_beta, t0)
    };
    if neg {
        -t
    } else {
        t
    }
}

/// Standard Student-t CDF at `t`.
pub(crate) fn t_cdf_std(t: f64, df: f64, ln_beta: f64) -> f64 {
    if t == 0.0 {
        return 0.5;
    }
    if t.is_infinite() {
        return if t > 0.0 { 1.0 } else { 0.0 };
    }
    if df > T_DF_ASYMPTOTIC && t.abs() < 8.5 {
        // Invert t = CF(z) by Newton's method, starting from the normal approximation of
        // Abramowitz & Stegun 26.7.8.
        let mut z = t * (1.0 - 0.25 / df) / (1.0 + 0.5 * t * t / df).sqrt();
        for _ in 0..20 {
            let step = (t_cornish_fisher(z, df) - t) / t_cornish_fisher_dz(z, df);
            z -= step;
            if step.abs() <= 1e-15 * z.abs().max(1.0) {
                break;
            }
        }
        return norm_cdf(z);
    }
    let pt = t_point(t.abs(), df, ln_beta);
    if t < 0.0 {
        pt.tail
    } else {
        0.5 + pt.center
    }
}
