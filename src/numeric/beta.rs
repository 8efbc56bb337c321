//! Log-gamma (Stirling series, Abramowitz & Stegun 1964, 6.1.40), log-beta, the regularized
//! incomplete beta function (continued fraction, Abramowitz & Stegun 26.5.8, by the Wallis
//! recurrence of Press et al. 1986 and the modified Lentz method of Press et al. 2007, 6.4) and
//! its inverse (Halley iteration of Press et al. 2007, 6.4 `invbetai`, started from a
//! [`HermiteTable`]): what the PERT and Student-t distributions rest on.

use super::hermite::HermiteTable;
use super::normal::{norm_cdf, norm_pdf, norm_quantile, LN_SQRT_2PI};

/// Stirling-series remainder `S(z) = ln Gamma(z) - [(z - 1/2) ln z - z + ln sqrt(2 pi)]` for
/// `z >= 10` (Abramowitz & Stegun 1964, 6.1.40; eight terms, truncation error below 1e-17).
pub(super) fn stirling_remainder(z: f64) -> f64 {
    let w = 1.0 / (z * z);
    (((((((-3617.0 / 122_400.0 * w + 1.0 / 156.0) * w - 691.0 / 360_360.0) * w + 1.0 / 1188.0)
        * w
        - 1.0 / 1680.0)
        * w
        + 1.0 / 1260.0)
        * w
        - 1.0 / 360.0)
        * w
        + 1.0 / 12.0)
        / z
}

/// `ln Gamma(x)` for `x > 0`: the Stirling series (Abramowitz & Stegun 6.1.40) at `x >= 10`,
/// below that shifted up by the recurrence `Gamma(x) = Gamma(x + n) / (x (x + 1) ... (x + n - 1))`.
/// Absolute error about 1e-15 for moderate `x`.
pub(crate) fn ln_gamma(x: f64) -> f64 {
    if x >= 10.0 {
        return (x - 0.5) * x.ln() - x + LN_SQRT_2PI + stirling_remainder(x);
    }
    let mut z = x;
    let mut prod = 1.0;
    while z < 10.0 {
        prod *= z;
        z += 1.0;
    }
    (z - 0.5) * z.ln() - z + LN_SQRT_2PI + stirling_remainder(z) - prod.ln()
}

/// `ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b)` for `a, b > 0`. When the larger
/// argument is at least 10, `ln Gamma(A) - ln Gamma(A + b)` is taken from the Stirling series as
/// `-(A - 1/2) ln(1 + b/A) - b ln(A + b) + b + S(A) - S(A + b)`, which avoids the cancellation
/// between two large log-gammas (relevant for the Student-t with many degrees of freedom).
pub(crate) fn ln_beta(a: f64, b: f64) -> f64 {
    let (big, small) = if a >= b { (a, b) } else { (b, a) };
    if big < 10.0 {
        return ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
    }
    let diff = -(big - 0.5) * (small / big).ln_1p() - small * (big + small).ln()
        + small
        + stirling_remainder(big)
        - stirling_remainder(big + small);
    ln_gamma(small) + diff
}

/// Continued fraction of the incomplete beta function, `1 / (1 + d1 / (1 + d2 / (1 + ...)))` with
/// `d(2m+1) = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))` and `d(2m) = m (b - m) x / ((a + 2m -
/// 1)(a + 2m))` (Abramowitz & Stegun 26.5.8), which converges fast for `x < (a + 1) / (a + b + 2)`.
///
/// Evaluated by the forward (Wallis) recurrence for numerators and denominators, renormalized at
/// every step (Press et al. 1986, "Numerical Recipes", 1st ed., 6.3 `betacf`): it needs one
/// division per step instead of the four of the modified Lentz method, about three times faster.
/// Should a renormalizing denominator vanish, it falls back to [`beta_cf_lentz`].
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const MAX_ITER: usize = 10_000;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    // Convergent n is num_n / den_n with num_{-1} = 0, num_0 = 1, den_{-1} = 1, den_0 = 1 + d1
    // (the first partial numerator folded into den_0), both scaled by 1 / den after each step.
    let (mut num_prev, mut num) = (1.0, 1.0);
    let (mut den_prev, mut den) = (1.0, 1.0 - qab * x / qap);
    if den == 0.0 {
        return beta_cf_lentz(a, b, x);
    }
    let mut h = num / den;
    for m in 1..=MAX_ITER {
        let m = m as f64;
        let m2 = 2.0 * m;
        let even = m * (b - m) * x / ((qam + m2) * (a + m2));
        let num1 = num + even * num_prev;
        let den1 = den + even * den_prev;
        let odd = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        let num2 = num1 + odd * num;
        let den2 = den1 + odd * den;
        let inv = 1.0 / den2;
        if !inv.is_finite() {
            return beta_cf_lentz(a, b, x);
        }
        num_prev = num1 * inv;
        den_prev = den1 * inv;
        num = num2 * inv;
        den = 1.0;
        if (num - h).abs() <= f64::EPSILON * num.abs() {
            return num;
        }
        h = num;
    }
    h
}

/// [`beta_cf`] by the modified Lentz method (Lentz 1976; Thompson & Barnett 1986; Press et al.
/// 2007, "Numerical Recipes", 3rd ed., 6.4 `betacf`), which guards every denominator.
fn beta_cf_lentz(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const MAX_ITER: usize = 10_000;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=MAX_ITER {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() <= f64::EPSILON {
            break;
        }
    }
    h
}

/// Regularized incomplete beta function `I_x(a, b)` and its complement `1 - I_x(a, b) =
/// I_y(b, a)`, with `y = 1 - x`; `x`, `y`, `ln x` and `ln y` are all passed in so that callers
/// can supply them without cancellation. Whichever of the pair is evaluated directly by the
/// continued fraction (Press et al. 2007, 6.4 `betai`) carries full relative accuracy; the other
/// is one minus it. The third value is `x^a y^b / B(a, b)`, from which densities follow.
pub(crate) fn inc_beta(
    x: f64,
    y: f64,
    ln_x: f64,
    ln_y: f64,
    a: f64,
    b: f64,
    ln_beta: f64,
) -> (f64, f64, f64) {
    if ln_x == f64::NEG_INFINITY || x < 0.0 {
        return (0.0, 1.0, 0.0);
    }
    if ln_y == f64::NEG_INFINITY || y < 0.0 {
        return (1.0, 0.0, 0.0);
    }
    let front = (a * ln_x + b * ln_y - ln_beta).exp();
    if x * (a + b + 2.0) < a + 1.0 {
        let lower = (front * beta_cf(a, b, x) / a).min(1.0);
        (lower, 1.0 - lower, front)
    } else {
        let upper = (front * beta_cf(b, a, y) / b).min(1.0);
        (1.0 - upper, upper, front)
    }
}

/// Inverse of the regularized incomplete beta function: the `x` in (0, 1) with
/// `I_x(a, b) = p`, for `a, b > 0` and `p` in (0, 1); most accurate (relative to `x`) for
/// `p <= 1/2`, which is how `model::dist::Pert` calls it.
///
/// Initial approximation and Halley iteration of Press et al. 2007 ("Numerical Recipes", 3rd
/// ed., 6.4 `invbetai`; the initial guess after Abramowitz & Stegun 26.5.22), kept inside a
/// shrinking bracket with bisection as a safeguard; closed forms for `a = 1` or `b = 1`.
fn beta_quantile(p: f64, a: f64, b: f64, ln_beta: f64) -> f64 {
    if b == 1.0 {
        // I_x(a, 1) = x^a.
        return (p.ln() / a).exp();
    }
    if a == 1.0 {
        // I_x(1, b) = 1 - (1 - x)^b.
        return -((-p).ln_1p() / b).exp_m1();
    }
    beta_refine(p, a, b, ln_beta, beta_initial(p, a, b))
}

/// Starting value for [`beta_quantile`] (Press et al. 2007, 6.4 `invbetai`; for `a, b >= 1`
/// after Abramowitz & Stegun 26.5.22).
fn beta_initial(p: f64, a: f64, b: f64) -> f64 {
    if a >= 1.0 && b >= 1.0 {
        let pp = if p < 0.5 { p } else { 1.0 - p };
        let t = (-2.0 * pp.ln()).sqrt();
        let mut z = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t;
        if p < 0.5 {
            z = -z;
        }
        let al = (z * z - 3.0) / 6.0;
        let h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0));
        let w = z * (al + h).sqrt() / h
            - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) * (al + 5.0 / 6.0 - 2.0 / (3.0 * h));
        a / (a + b * (2.0 * w).exp())
    } else {
        let lna = (a / (a + b)).ln();
        let lnb = (b / (a + b)).ln();
        let t = (a * lna).exp() / a;
        let u = (b * lnb).exp() / b;
        let w = t + u;
        if p < t / w {
            (a * w * p).powf(1.0 / a)
        } else {
            1.0 - (b * w * (1.0 - p)).powf(1.0 / b)
        }
    }
}

/// Solves `I_x(a, b) = p` by Halley's method from `x0` (Press et al. 2007, 6.4 `invbetai`),
/// inside a shrinking bracket with bisection as a safeguard.
///
/// Stops after a Halley step smaller than 1e-5 relative: Halley's method converges cubically,
/// so the error left after such a step is of order 1e-15 (a plain Newton step, used far from
/// the root, must instead fall below 1e-10).
fn beta_refine(p: f64, a: f64, b: f64, ln_beta: f64, x0: f64) -> f64 {
    let (a1, b1) = (a - 1.0, b - 1.0);
    let mut x = if x0 > 0.0 && x0 < 1.0 { x0 } else { 0.5 };
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..200 {
        let y = 1.0 - x;
        let (lower, _, front) = inc_beta(x, y, x.ln(), (-x).ln_1p(), a, b, ln_beta);
        let err = lower - p;
        if err == 0.0 {
            return x;
        }
        if err < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        // Density x^(a-1) y^(b-1) / B(a, b).
        let dens = front / (x * y);
        let mut next = f64::NAN;
        if dens > 0.0 && dens.is_finite() {
            let u = err / dens;
            let corr = u * (a1 / x - b1 / y);
            let step = u / (1.0 - 0.5 * corr.min(1.0));
            next = x - step;
            let tol = if corr.abs() < 0.5 { 1e-5 } else { 1e-10 };
            if next > lo && next < hi && step.abs() <= tol * next {
                return next;
            }
        }
        if !(next > lo && next < hi) {
            next = if lo == 0.0 {
                0.5 * hi.min(x)
            } else if hi == 1.0 {
                0.5 * (lo.max(x) + 1.0)
            } else {
                0.5 * (lo + hi)
            };
        }
        if hi - lo <= 1e-15 * lo {
            return next;
        }
        x = next;
    }
    x
}

/// Starting-value table for the beta quantile below the median: `g(v) = ln x(p)` with
/// `p = Phi(-v)` and `I_x(a, b) = p`; empty when `a` or `b` is 1 (closed forms).
pub(crate) fn beta_table(a: f64, b: f64, ln_beta: f64) -> HermiteTable {
    if a == 1.0 || b == 1.0 {
        return HermiteTable::default();
    }
    HermiteTable::build(|v| {
        let p = norm_cdf(-v);
        let x = beta_quantile(p, a, b, ln_beta);
        let dens = ((a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - ln_beta).exp();
        // dg/dv = (1 / x) (dx/dp) (dp/dv) = -phi(v) / (x f(x)).
        (x.ln(), -norm_pdf(v) / (x * dens))
    })
}

/// Beta quantile `I_x(a, b) = p` for `p <= 1/2`, started from `table` (see [`beta_table`]).
#[inline]
pub(crate) fn beta_quantile_tabled(
    p: f64,
    a: f64,
    b: f64,
    ln_beta: f64,
    table: &HermiteTable,
) -> f64 {
    if a == 1.0 || b == 1.0 || table.values.is_empty() {
        return beta_quantile(p, a, b, ln_beta);
    }
    let x0 = table.eval(-norm_quantile(p)).exp();
    beta_refine(p, a, b, ln_beta, x0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn ln_gamma_and_ln_beta() {
        // ln Gamma(n) = ln (n-1)!, ln Gamma(1/2) = ln sqrt(pi).
        let mut fact = 1.0f64;
        for n in 1..30 {
            if n > 1 {
                fact *= (n - 1) as f64;
            }
            let g = ln_gamma(n as f64);
            assert!((g - fact.ln()).abs() < 1e-13 * fact.ln().max(1.0), "n={n}");
        }
        assert!((ln_gamma(0.5) - 0.5 * PI.ln()).abs() < 5e-15);
        // B(a, 1/2) for large a vs the small-argument route at the switch point.
        let lb1 = ln_gamma(9.99) + ln_gamma(0.5) - ln_gamma(10.49);
        let lb2 = ln_beta(9.99, 0.5);
        assert!((lb1 - lb2).abs() < 1e-14);
        let lb1 = ln_gamma(10.0) + ln_gamma(0.5) - ln_gamma(10.5);
        let lb2 = ln_beta(10.0, 0.5);
        assert!((lb1 - lb2).abs() < 1e-14);
    }
}
