//! The standard normal distribution: density, CDF (Cody 1969 and 1993, ACM TOMS Algorithm 715,
//! as in R's `pnorm`) and quantile (Wichura 1988, Applied Statistics algorithm AS 241), with
//! the constants `1 / sqrt(2 pi)` and `ln sqrt(2 pi)` the other special functions share.

/// 1 / sqrt(2 pi).
#[allow(clippy::excessive_precision)]
pub(crate) const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_677_939_946_059_934;
/// ln(sqrt(2 pi)).
#[allow(clippy::excessive_precision)]
pub(crate) const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_741_780_329_736_406;

/// Standard normal density.
#[inline]
pub(crate) fn norm_pdf(x: f64) -> f64 {
    if x.is_infinite() {
        0.0
    } else {
        FRAC_1_SQRT_2PI * (-0.5 * x * x).exp()
    }
}

/// `exp(-y^2 / 2)` for `y >= 0`, computed as `exp(-ys^2 / 2) exp(-(y - ys)(y + ys) / 2)` with
/// `ys = trunc(16 y) / 16` so that `ys^2` is exact and the rounding error of `y^2` does not get
/// amplified in the far tail (Cody 1993).
#[inline]
fn exp_half_sq(y: f64) -> f64 {
    let ys = (y * 16.0).trunc() / 16.0;
    let del = (y - ys) * (y + ys);
    (-0.5 * ys * ys).exp() * (-0.5 * del).exp()
}

/// Standard normal CDF `Phi(x)`, accurate to about 1e-15 relative in both tails (the lower
/// tail directly; the upper tail through `1 - Phi(x) = Phi(-x)`, which is exact by symmetry of
/// the algorithm).
///
/// W. J. Cody's rational Chebyshev approximations (Cody 1969, "Rational Chebyshev
/// approximations for the error function", Math. Comp. 23; the `ANORM` routine of Cody 1993,
/// ACM TOMS Algorithm 715, as used by R's `pnorm`). NaN for NaN input.
#[allow(clippy::excessive_precision)]
pub fn norm_cdf(x: f64) -> f64 {
    const A: [f64; 5] = [
        2.2352520354606839287,
        161.02823106855587881,
        1067.6894854603709582,
        18154.981253343561249,
        0.065682337918207449113,
    ];
    const B: [f64; 4] = [
        47.20258190468824187,
        976.09855173777669322,
        10260.932208618978205,
        45507.789335026729956,
    ];
    const C: [f64; 9] = [
        0.39894151208813466764,
        8.8831497943883759412,
        93.506656132177855979,
        597.27027639480026226,
        2494.5375852903726711,
        6848.1904505362823326,
        11602.651437647350124,
        9842.7148383839780218,
        1.0765576773720192317e-8,
    ];
    const D: [f64; 8] = [
        22.266688044328115691,
        235.38790178262499861,
        1519.377599407554805,
        6485.558298266760755,
        18615.571640885098091,
        34900.952721145977266,
        38912.003286093271411,
        19685.429676859990727,
    ];
    const P: [f64; 6] = [
        0.21589853405795699,
        0.1274011611602473639,
        0.022235277870649807,
        0.001421619193227893466,
        2.9112874951168792e-5,
        0.02307344176494017303,
    ];
    const Q: [f64; 5] = [
        1.28426009614491121,
        0.468238212480865118,
        0.0659881378689285515,
        0.00378239633202758244,
        7.29751555083966205e-5,
    ];
    if x.is_nan() {
        return f64::NAN;
    }
    let y = x.abs();
    if y <= 0.67448975 {
        // |x| <= qnorm(3/4): Phi(x) = 1/2 + x R(x^2).
        let xsq = if y > f64::EPSILON * 0.5 { x * x } else { 0.0 };
        let mut xnum = A[4] * xsq;
        let mut xden = xsq;
        for i in 0..3 {
            xnum = (xnum + A[i]) * xsq;
            xden = (xden + B[i]) * xsq;
        }
        return 0.5 + x * (xnum + A[3]) / (xden + B[3]);
    }
    // The smaller tail, Phi(-|x|).
    let tail = if y <= 32f64.sqrt() {
        let mut xnum = C[8] * y;
        let mut xden = y;
        for i in 0..7 {
            xnum = (xnum + C[i]) * y;
            xden = (xden + D[i]) * y;
        }
        exp_half_sq(y) * (xnum + C[7]) / (xden + D[7])
    } else if y < 38.5 {
        let xsq = 1.0 / (x * x);
        let mut xnum = P[5] * xsq;
        let mut xden = xsq;
        for i in 0..4 {
            xnum = (xnum + P[i]) * xsq;
            xden = (xden + Q[i]) * xsq;
        }
        let r = xsq * (xnum + P[4]) / (xden + Q[4]);
        exp_half_sq(y) * (FRAC_1_SQRT_2PI - r) / y
    } else {
        0.0
    };
    if x > 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// Standard normal inverse CDF `Phi^-1(p)`, full double precision (relative error about 1e-16).
///
/// Wichura 1988, "Algorithm AS 241: The percentage points of the normal distribution",
/// Applied Statistics 37(3), 477-484 (routine PPND16). Returns `-inf` for `p <= 0`, `+inf` for
/// `p >= 1` and NaN for NaN.
#[allow(clippy::excessive_precision)]
pub fn norm_quantile(p: f64) -> f64 {
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        return central(q);
    }
    let r0 = if q < 0.0 { p } else { 1.0 - p };
    let mut r = (-r0.ln()).sqrt();
    let val = if r <= 5.0 {
        r -= 1.6;
        let num = ((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r
            + 0.24178072517745061177)
            * r
            + 1.27045825245236838258)
            * r
            + 3.64784832476320460504)
            * r
            + 5.7694972214606914055)
            * r
            + 4.6303378461565452959)
            * r
            + 1.42343711074968357734;
        let den = ((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r
            + 0.0151986665636164571966)
            * r
            + 0.14810397642748007459)
            * r
            + 0.68976733498510000455)
            * r
            + 1.6763848301838038494)
            * r
            + 2.05319162663775882187)
            * r
            + 1.0;
        num / den
    } else {
        r -= 5.0;
        let num = ((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
            + 0.0012426609473880784386)
            * r
            + 0.026532189526576123093)
            * r
            + 0.29656057182850489123)
            * r
            + 1.7848265399172913358)
            * r
            + 5.4637849111641143699)
            * r
            + 6.6579046435011037772;
        let den = ((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r
            + 1.8463183175100546818e-5)
            * r
            + 7.868691311456132591e-4)
            * r
            + 0.0148753612908506148525)
            * r
            + 0.13692988092273580531)
            * r
            + 0.59983220655588793769)
            * r
            + 1.0;
        num / den
    };
    if q < 0.0 {
        -val
    } else {
        val
    }
}

/// [`norm_quantile`] for `|p - 1/2| <= 0.425`, given `q = p - 1/2`: AS 241's central rational
/// function.
#[allow(clippy::excessive_precision)]
#[inline(always)]
fn central(q: f64) -> f64 {
    let r = 0.180625 - q * q;
    let num = ((((((2509.0809287301226727 * r + 33430.575583588128105) * r
        + 67265.770927008700853)
        * r
        + 45921.953931549871457)
        * r
        + 13731.693765509461125)
        * r
        + 1971.5909503065514427)
        * r
        + 133.14166789178437745)
        * r
        + 3.387132872796366608;
    let den =
        ((((((5226.495278852854561 * r + 28729.085735721942674) * r + 39307.89580009271061) * r
            + 21213.794301586595867)
            * r
            + 5394.1960214247511077)
            * r
            + 687.1870074920579083)
            * r
            + 42.313330701600911252)
            * r
            + 1.0;
    q * num / den
}

/// `values[i] = norm_quantile(values[i])` for every `i`, the same values bit for bit: the
/// central rational function over the whole slice first (a loop without branches, which the
/// compiler vectorises), then the tails (about 15% of uniform inputs) one by one.
pub fn norm_quantile_fill(values: &mut [f64]) {
    let mut results = [0.0f64; 256];
    for part in values.chunks_mut(results.len()) {
        let results = &mut results[..part.len()];
        central_fill(results, part);
        for (v, &r) in part.iter_mut().zip(results.iter()) {
            *v = if (*v - 0.5).abs() <= 0.425 {
                r
            } else {
                norm_quantile(*v)
            };
        }
    }
}

/// `results[i] = central(values[i] - 0.5)`: eight a register with AVX-512 where the processor
/// has it (the same operations in each lane, so the same bits), otherwise as the baseline
/// compiles the loop.
fn central_fill(results: &mut [f64], values: &[f64]) {
    #[cfg(target_arch = "x86_64")]
    if wide::central_fill_if_available(results, values) {
        return;
    }
    central_fill_portable(results, values)
}

/// The loop of [`central_fill`].
#[inline(always)]
fn central_fill_portable(results: &mut [f64], values: &[f64]) {
    for (r, &p) in results.iter_mut().zip(values) {
        *r = central(p - 0.5);
    }
}

/// The AVX-512 form of [`central_fill`], built by compilers from Rust 1.89 (whose AVX-512 target
/// feature it uses): the same loop, compiled for eight lanes.
#[cfg(target_arch = "x86_64")]
mod wide {
    /// Fills `results` as [`super::central_fill`] does, with AVX-512, if the processor has it
    /// (and the compiler could build it); whether it did.
    #[rustversion::since(1.89)]
    pub(super) fn central_fill_if_available(results: &mut [f64], values: &[f64]) -> bool {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has AVX-512F, the one feature the function is compiled for.
            unsafe { central_fill(results, values) };
            return true;
        }
        false
    }

    /// Without a compiler that builds the AVX-512 form: never filled.
    #[rustversion::before(1.89)]
    pub(super) fn central_fill_if_available(_results: &mut [f64], _values: &[f64]) -> bool {
        false
    }

    /// [`super::central_fill_portable`] compiled for AVX-512 (no fused multiply-add: Rust
    /// never contracts a product and a sum, so each lane rounds as the scalar code does).
    ///
    /// # Safety
    /// The processor must have AVX-512F.
    #[rustversion::since(1.89)]
    #[target_feature(enable = "avx512f")]
    unsafe fn central_fill(results: &mut [f64], values: &[f64]) {
        super::central_fill_portable(results, values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filling_gives_the_same_quantiles() {
        let mut values: Vec<f64> = (0..3000)
            .map(|i| (i as f64 * 0.618_033_988_749_895) % 1.0)
            .collect();
        values.extend([0.0, 1.0, f64::NAN, 1e-300, 0.075, 0.925, 0.5, -0.1, 1.1]);
        let expected: Vec<f64> = values.iter().map(|&p| norm_quantile(p)).collect();
        norm_quantile_fill(&mut values);
        for (a, b) in values.iter().zip(&expected) {
            assert!(a.to_bits() == b.to_bits(), "{a} vs {b}");
        }
    }

    #[test]
    fn norm_cdf_symmetry_and_tails() {
        for &x in &[0.0, 0.3, 0.7, 1.5, 3.0, 5.0, 6.0, 10.0, 30.0] {
            let s = norm_cdf(x) + norm_cdf(-x);
            assert!((s - 1.0).abs() < 2e-16, "x={x}");
        }
        assert_eq!(norm_cdf(-40.0), 0.0);
        assert_eq!(norm_cdf(40.0), 1.0);
        assert!(norm_cdf(f64::NAN).is_nan());
        assert_eq!(norm_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(norm_quantile(1.0), f64::INFINITY);
        assert_eq!(norm_quantile(0.5), 0.0);
        // Round trip over a wide range of tail probabilities.
        for k in 1..300 {
            let p = 10f64.powf(-(k as f64) / 10.0);
            let z = norm_quantile(p);
            let back = norm_cdf(z);
            assert!(((back - p) / p).abs() < 1e-13 * z.abs().max(1.0), "p={p}");
        }
    }
}
