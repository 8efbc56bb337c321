//! Inverse CDFs, CDFs and moments of `plancast::model::dist` (and the normal CDF and quantile
//! of `plancast::numeric::normal`) against independent reference values, and a seeded
//! goodness-of-fit test of the Poisson sampler (`plancast::numeric::poisson`).
//!
//! Reference values were computed with SciPy 1.17.1 (NumPy 2.4.6) and mpmath 1.3.0 at 40
//! significant digits, and hard-coded below. Unless a comment says otherwise, the SciPy and
//! mpmath values agree to better than 1e-15 relative and the listed value is SciPy's. Where
//! SciPy loses accuracy (near a truncation bound, or cancellation in a closed form), the mpmath
//! value is used and the comment gives both.
//!
//! mpmath recipes: normal quantiles `sqrt(2) * erfinv(2p - 1)`; truncated normal: root of
//! `ln Phi(z) = ln(Phi(a) + p (Phi(b) - Phi(a)))` (upper-tail form above the median); PERT: root
//! of `betainc(alpha, beta, 0, z, regularized=True) = p`; Student-t: root of
//! `betainc(df/2, 1/2, 0, df/(df+t^2), regularized=True) / 2 = q` (or of the central form
//! `betainc(1/2, df/2, 0, t^2/(df+t^2)) / 2 = |p - 1/2|` for `|p - 1/2| < 1/4`).
//!
//! Tolerance: 1e-9 relative (the module's accuracy target) unless stated otherwise.

use plancast::model::dist::*;
use plancast::numeric::normal::{norm_cdf, norm_quantile};
use plancast::numeric::poisson::poisson;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

const TOL: f64 = 1e-9;

/// Asserts `got` equals `want` to `tol` relative (absolute `tol` when `want` is 0).
fn assert_close(label: &str, got: f64, want: f64, tol: f64) {
    let err = if want == 0.0 {
        got.abs()
    } else {
        ((got - want) / want).abs()
    };
    assert!(
        err <= tol,
        "{label}: got {got:e}, want {want:e} (relative error {err:.2e} > {tol:.0e})"
    );
}

/// Checks `dist.quantile(p)` against `(p, want)` pairs.
fn check_quantiles(label: &str, dist: &Dist, cases: &[(f64, f64)]) {
    for &(p, want) in cases {
        assert_close(
            &format!("{label} quantile({p})"),
            dist.quantile(p),
            want,
            TOL,
        );
    }
}

#[test]
fn norm_quantile_matches_scipy() {
    // scipy.stats.norm.ppf(p)
    let cases = [
        (1e-10, -6.361340902404056),
        (0.025, -1.9599639845400545),
        (0.5, 0.0),
        (0.975, 1.959963984540054),
    ];
    for (p, want) in cases {
        assert_close(&format!("norm_quantile({p})"), norm_quantile(p), want, TOL);
    }
}

#[test]
fn norm_cdf_matches_mpmath() {
    // mpmath.ncdf(x) (scipy.special.ndtr agrees to 3e-14 at x = -20, else to 1e-16).
    // Tolerance 1e-14: the function promises about 1e-15 relative; the margin covers the
    // amplification of the rounding of x^2 / 2 in the far tail.
    let cases = [
        (-20.0, 2.7536241186062337e-89),
        (-8.0, 6.220960574271784e-16),
        (-5.5, 1.8989562465887718e-08),
        (-1.5, 0.06680720126885807),
        (-0.5, 0.3085375387259869),
        (0.0, 0.5),
        (0.3, 0.6179114221889527),
        (0.67, 0.7485711049046899),
        (2.0, 0.9772498680518208),
        (5.0, 0.9999997133484281),
    ];
    for (x, want) in cases {
        assert_close(&format!("norm_cdf({x})"), norm_cdf(x), want, 1e-14);
    }
    // mpmath.ncdf(-38) = 2.885e-316 (subnormal): only absolute accuracy is meaningful there.
    assert!(norm_cdf(-38.0) < 1e-310);
}

#[test]
fn normal_quantiles() {
    // scipy.stats.norm.ppf(p, loc=10, scale=2)
    let d = Dist::normal(10.0, 2.0, None, None).unwrap();
    check_quantiles(
        "normal(10, 2)",
        &d,
        &[
            (0.001, 3.8195353876643736),
            (0.1, 7.436896868910799),
            (0.5, 10.0),
            (0.9, 12.5631031310892),
            (0.999, 16.180464612335626),
        ],
    );
}

#[test]
fn truncated_normal_two_sided() {
    // scipy.stats.truncnorm.ppf(p, a=-1, b=2, loc=0, scale=1)
    let d = Dist::normal(0.0, 1.0, Some(-1.0), Some(2.0)).unwrap();
    check_quantiles(
        "normal(0, 1) on [-1, 2]",
        &d,
        &[
            (1e-12, -0.999999999996617),
            (0.001, -0.9966226715348402),
            (0.3, -0.2424038178892269),
            (0.5, 0.17116391801782482),
            (0.9, 1.2557153641502152),
            (0.999999, 1.999984838533999),
        ],
    );
}

#[test]
fn truncated_normal_one_sided_lower() {
    // scipy.stats.truncnorm.ppf(p, a=-2.5, b=inf, loc=5, scale=2), except p = 1e-12:
    // mpmath gives 1.1339266290744318e-10; SciPy's 1.1339196248627559e-10 is off by 6e-6
    // relative (it computes 5 + 2 z with z close to -2.5, losing the digits of the distance
    // to the bound). At p = 0.999999 SciPy and mpmath differ by 1.5e-14; mpmath's value is used.
    let d = Dist::normal(5.0, 2.0, Some(0.0), None).unwrap();
    check_quantiles(
        "normal(5, 2) on [0, inf)",
        &d,
        &[
            (1e-12, 1.1339266290744318e-10),
            (0.001, 0.10609144065360354),
            (0.3, 3.976121512115044),
            (0.5, 5.0155654798163765),
            (0.9, 7.570195848095157),
            (0.999999, 14.509365934827755),
        ],
    );
}

#[test]
fn truncated_normal_one_sided_upper() {
    // scipy.stats.truncnorm.ppf(p, a=-inf, b=-3, loc=0, scale=1)
    let d = Dist::normal(0.0, 1.0, None, Some(-3.0)).unwrap();
    check_quantiles(
        "normal(0, 1) on (-inf, -3]",
        &d,
        &[
            (1e-12, -7.904052326646857),
            (0.001, -4.69242948373014),
            (0.3, -3.3493757211574158),
            (0.5, -3.2051549205989334),
            (0.9, -3.03194726987901),
            (0.999999, -3.000000304590438),
        ],
    );
}

#[test]
fn truncated_normal_far_tail() {
    // scipy.stats.truncnorm.ppf(p, a=6, b=inf): the interval holds only Q(6) = 9.9e-10 of the
    // normal's mass, so a naive Phi^-1(Phi(6) + p (1 - Phi(6))) would return garbage.
    let d = Dist::normal(0.0, 1.0, Some(6.0), None).unwrap();
    check_quantiles(
        "normal(0, 1) on [6, inf)",
        &d,
        &[
            (1e-12, 6.0000000000001625),
            (0.001, 6.00016245681254),
            (0.3, 6.05765262303466),
            (0.5, 6.111565061813439),
            (0.9, 6.363414284520762),
            (0.999999, 7.943019739531001),
        ],
    );
}

#[test]
fn lognormal_quantiles() {
    // mean 2, sd 3: sigma^2 = ln(1 + 9/4), mu = ln 2 - sigma^2 / 2;
    // scipy.stats.lognorm.ppf(p, s=sigma, scale=exp(mu))
    let d = Dist::lognormal(2.0, 3.0).unwrap();
    check_quantiles(
        "lognormal(2, 3)",
        &d,
        &[
            (1e-6, 0.006366043131238226),
            (0.05, 0.18601460126747063),
            (0.5, 1.1094003924504583),
            (0.95, 6.616519468810437),
            (0.999, 31.777469478050758),
        ],
    );
}

#[test]
fn uniform_quantiles() {
    // scipy.stats.uniform.ppf(p, loc=-1, scale=4)
    let d = Dist::uniform(-1.0, 3.0).unwrap();
    check_quantiles(
        "uniform(-1, 3)",
        &d,
        &[(0.001, -0.996), (0.25, 0.0), (0.9, 2.6)],
    );
}

#[test]
fn triangular_quantiles() {
    // scipy.stats.triang.ppf(p, c=0.2, loc=0, scale=10)
    let d = Dist::triangular(0.0, 2.0, 10.0).unwrap();
    check_quantiles(
        "triangular(0, 2, 10)",
        &d,
        &[
            (1e-12, 4.472135954999579e-06),
            (0.1, 1.4142135623730954),
            (0.2, 2.0),
            (0.5, 3.675444679663241),
            (0.99, 9.105572809000083),
        ],
    );
    // Mode at the lower bound: scipy.stats.triang.ppf(p, c=0); at p = 1e-12 the closed form
    // 1 - sqrt(1 - p) evaluated in mpmath gives 5.00000000000125e-13, while SciPy's
    // 5.000444502911705e-13 suffers from cancellation (9e-5 relative).
    let d = Dist::triangular(0.0, 0.0, 1.0).unwrap();
    check_quantiles(
        "triangular(0, 0, 1)",
        &d,
        &[
            (1e-12, 5.00000000000125e-13),
            (0.1, 0.05131670194948623),
            (0.2, 0.10557280900008414),
            (0.5, 0.2928932188134524),
            (0.99, 0.8999999999999999),
        ],
    );
}

#[test]
fn pert_quantiles() {
    // Symmetric: alpha = beta = 3. scipy.stats.beta.ppf(p, 3, 3, loc=0, scale=10)
    let d = Dist::pert(0.0, 5.0, 10.0).unwrap();
    check_quantiles(
        "pert(0, 5, 10)",
        &d,
        &[
            (1e-9, 0.004642666601310034),
            (0.01, 1.0563984355077434),
            (0.25, 3.594361647896471),
            (0.5, 5.0),
            (0.75, 6.405638352103528),
            (0.999, 9.524481018245423),
        ],
    );
    // Skewed: alpha = 1.8, beta = 4.2. scipy.stats.beta.ppf(p, 1.8, 4.2, loc=0, scale=10)
    let d = Dist::pert(0.0, 2.0, 10.0).unwrap();
    check_quantiles(
        "pert(0, 2, 10)",
        &d,
        &[
            (1e-9, 2.9095963348301584e-05),
            (0.01, 0.2313452619226471),
            (0.25, 1.6343149752227435),
            (0.5, 2.7667225939251887),
            (0.75, 4.142266269544638),
            (0.999, 8.575515687386785),
        ],
    );
    // Shifted, skewed: alpha = 2.2, beta = 3.8.
    // scipy.stats.beta.ppf(p, 2.2, 3.8, loc=100, scale=100)
    let d = Dist::pert(100.0, 130.0, 200.0).unwrap();
    check_quantiles(
        "pert(100, 130, 200)",
        &d,
        &[
            (1e-9, 100.00278008460884),
            (0.01, 104.39303317111785),
            (0.25, 122.51232045012476),
            (0.5, 135.0999484949118),
            (0.75, 149.31707389326274),
            (0.999, 189.6369137628451),
        ],
    );
    // Mode at a bound: Beta(1, 5) and Beta(5, 1) have closed forms 1 - (1 - p)^(1/5), p^(1/5).
    let d = Dist::pert(0.0, 0.0, 1.0).unwrap();
    check_quantiles(
        "pert(0, 0, 1)",
        &d,
        // scipy.stats.beta.ppf(p, 1, 5) (= the closed form in mpmath)
        &[(0.5, 0.12944943670387585), (0.99, 0.6018928294465027)],
    );
    let d = Dist::pert(0.0, 1.0, 1.0).unwrap();
    check_quantiles(
        "pert(0, 1, 1)",
        &d,
        // scipy.stats.beta.ppf(p, 5, 1) (= the closed form in mpmath)
        &[(1e-9, 0.01584893192461113), (0.5, 0.8705505632961241)],
    );
}

#[test]
fn student_t_quantiles() {
    // scipy.stats.t.ppf(p, df) (mpmath agrees to < 6e-16 at every point).
    let table: [(f64, [(f64, f64); 8]); 4] = [
        (
            1.0,
            [
                (1e-10, -3183098861.8379064),
                (0.001, -318.30883898555044),
                (0.025, -12.706204736174705),
                (0.3, -0.7265425280053609),
                (0.5, 0.0),
                (0.7, 0.7265425280053608),
                (0.975, 12.706204736174694),
                (0.999999, 318309.88617359026),
            ],
        ),
        (
            3.0,
            [
                (1e-10, -2225.769284683093),
                (0.001, -10.214531852407385),
                (0.025, -3.1824463052837086),
                (0.3, -0.5843897274398188),
                (0.5, 0.0),
                (0.7, 0.5843897274398182),
                (0.975, 3.1824463052837078),
                (0.999999, 103.29946777942898),
            ],
        ),
        (
            5.5,
            [
                (1e-10, -110.87696465656079),
                (0.001, -5.504714867160981),
                (0.025, -2.501858617589239),
                (0.3, -0.5561204847180871),
                (0.5, 0.0),
                (0.7, 0.556120484718087),
                (0.975, 2.501858617589239),
                (0.999999, 20.665413899707357),
            ],
        ),
        (
            30.0,
            [
                (1e-10, -9.377489780407144),
                (0.001, -3.385184866829305),
                (0.025, -2.042272456301238),
                (0.3, -0.5300190039065046),
                (0.5, 0.0),
                (0.7, 0.5300190039065046),
                (0.975, 2.0422724563012378),
                (0.999999, 5.871117120408624),
            ],
        ),
    ];
    for (df, cases) in table {
        let d = Dist::student_t(0.0, 1.0, df).unwrap();
        check_quantiles(&format!("student_t(df = {df})"), &d, &cases);
        // Location and scale: mean + scale * t.
        let shifted = Dist::student_t(1.5, 2.0, df).unwrap();
        for (p, t) in cases {
            assert_close(
                &format!("student_t(1.5, 2, {df}) quantile({p})"),
                shifted.quantile(p),
                1.5 + 2.0 * t,
                TOL,
            );
        }
    }
}

#[test]
fn student_t_near_the_median_and_extremes() {
    // Near the median SciPy's t.ppf loses accuracy (at p = 0.4999999, df = 3 it gives
    // -2.720699046182397e-07, 9e-11 off); these references are mpmath's central-form roots.
    let cases = [
        (3.0, 0.4999999, -2.720699046429607e-07),
        (5.5, 0.4999999, -2.622562058500553e-07),
        (10.0, 0.4999999, -2.569978035004425e-07),
    ];
    for (df, p, want) in cases {
        let d = Dist::student_t(0.0, 1.0, df).unwrap();
        assert_close(
            &format!("t(df = {df}) quantile({p})"),
            d.quantile(p),
            want,
            TOL,
        );
    }
    // Heavy and light tails, mpmath (log-space root of the tail equation).
    let cases = [
        (0.5, 1e-12, -1.02849115631634e23),
        (1.5, 1e-12, -52194694.27344635),
        (1000.0, 0.025, -1.9623390808264085),
        // Cornish-Fisher range (df > 5000): scipy.stats.t.ppf and mpmath agree.
        (99999.0, 0.025, -1.9599877077718448),
        (1e4, 1.0 - 1e-15, 7.954181314822541),
    ];
    for (df, p, want) in cases {
        let d = Dist::student_t(0.0, 1.0, df).unwrap();
        assert_close(
            &format!("t(df = {df}) quantile({p})"),
            d.quantile(p),
            want,
            TOL,
        );
    }
}

#[test]
fn discrete_quantiles() {
    // Values are sorted with their weights; weights need not sum to 1 (shares 0.2, 0.3, 0.5).
    let d = Dist::discrete(vec![30.0, 10.0, 20.0], vec![5.0, 2.0, 3.0]).unwrap();
    let cases = [
        (1e-15, 10.0),
        (0.1, 10.0),
        (0.2, 10.0),
        (0.2000001, 20.0),
        (0.5, 20.0),
        (0.5000001, 30.0),
        (0.99, 30.0),
        (1.0 - 1e-15, 30.0),
    ];
    for (p, want) in cases {
        assert_eq!(d.quantile(p), want, "discrete quantile({p})");
    }
    assert_eq!(d.cdf(9.0), 0.0);
    assert_eq!(d.cdf(10.0), 0.2);
    assert_eq!(d.cdf(25.0), 0.5);
    assert_eq!(d.cdf(30.0), 1.0);
}

/// Split normal (mode 2, sd_below 1, sd_above 3) density, for the numerical checks.
fn split_pdf(x: f64) -> f64 {
    let (m, s1, s2) = (2.0, 1.0, 3.0);
    let s = if x < m { s1 } else { s2 };
    (2.0 / std::f64::consts::PI).sqrt() / (s1 + s2) * (-(x - m) * (x - m) / (2.0 * s * s)).exp()
}

/// Adaptive Simpson quadrature (Lyness 1969), for an independent numerical CDF.
fn simpson(f: &dyn Fn(f64) -> f64, a: f64, b: f64, eps: f64) -> f64 {
    /// One interval: end points, the function at both ends and the midpoint, and its Simpson
    /// estimate.
    struct Piece {
        a: f64,
        b: f64,
        fa: f64,
        fm: f64,
        fb: f64,
        whole: f64,
    }
    fn rec(f: &dyn Fn(f64) -> f64, s: Piece, eps: f64, depth: u32) -> f64 {
        let m = 0.5 * (s.a + s.b);
        let (flm, frm) = (f(0.5 * (s.a + m)), f(0.5 * (m + s.b)));
        let left = (m - s.a) / 6.0 * (s.fa + 4.0 * flm + s.fm);
        let right = (s.b - m) / 6.0 * (s.fm + 4.0 * frm + s.fb);
        let delta = left + right - s.whole;
        if depth == 0 || delta.abs() <= 15.0 * eps {
            return left + right + delta / 15.0;
        }
        let l = Piece {
            a: s.a,
            b: m,
            fa: s.fa,
            fm: flm,
            fb: s.fm,
            whole: left,
        };
        let r = Piece {
            a: m,
            b: s.b,
            fa: s.fm,
            fm: frm,
            fb: s.fb,
            whole: right,
        };
        rec(f, l, eps / 2.0, depth - 1) + rec(f, r, eps / 2.0, depth - 1)
    }
    let (fa, fm, fb) = (f(a), f(0.5 * (a + b)), f(b));
    let whole = (b - a) / 6.0 * (fa + 4.0 * fm + fb);
    rec(
        f,
        Piece {
            a,
            b,
            fa,
            fm,
            fb,
            whole,
        },
        eps,
        50,
    )
}

/// Numerical CDF of the split normal: the integral of the density from mode - 40 sd_below
/// (where the remaining mass is below 1e-300), split at the mode where the density has a kink.
fn split_cdf_numeric(x: f64) -> f64 {
    let lo = 2.0 - 40.0;
    if x <= 2.0 {
        simpson(&split_pdf, lo, x, 1e-15)
    } else {
        simpson(&split_pdf, lo, 2.0, 1e-15) + simpson(&split_pdf, 2.0, x, 1e-15)
    }
}

#[test]
fn split_normal_quantiles() {
    // Derivation: with s1 = sd_below, s2 = sd_above the density is
    // sqrt(2/pi) / (s1 + s2) exp(-(x - m)^2 / (2 s^2)), s = s1 below m and s2 above. Hence
    //   F(x) = 2 s1 / (s1 + s2) Phi((x - m) / s1)            for x < m,  F(m) = s1 / (s1 + s2),
    //   F(x) = 1 - 2 s2 / (s1 + s2) (1 - Phi((x - m) / s2))  for x >= m,
    // and inverting,
    //   x = m + s1 Phi^-1(p (s1 + s2) / (2 s1))              for p < s1 / (s1 + s2),
    //   x = m - s2 Phi^-1((1 - p) (s1 + s2) / (2 s2))        otherwise
    //     = m + s2 Phi^-1((p (s1 + s2) - s1 + s2) / (2 s2)).
    // References: that closed form in mpmath; a numerical CDF (scipy.integrate.quad of the
    // density, inverted with scipy.optimize.brentq) agrees to 7e-15.
    let d = Dist::split_normal(2.0, 1.0, 3.0).unwrap();
    check_quantiles(
        "split_normal(2, 1, 3)",
        &d,
        &[
            (0.001, -0.8781617390954835),
            (0.1, 1.158378766427086),
            (0.25, 2.0),
            (0.5, 3.2921818978863726),
            (0.9, 6.5032578381320745),
            (0.999, 11.626120731305054),
        ],
    );
    // The CDF against the numerical integral of the density, in Rust (tolerance 1e-11: the
    // quadrature's own error).
    for x in [-2.0, 0.0, 1.5, 2.0, 2.5, 4.0, 8.0, 12.0] {
        let numeric = split_cdf_numeric(x);
        assert!(
            (d.cdf(x) - numeric).abs() <= 1e-11,
            "split_normal cdf({x}) = {}, numerical {numeric}",
            d.cdf(x)
        );
    }
    // Quantiles against bisection on the numerical CDF.
    for p in [0.01, 0.2, 0.25, 0.3, 0.7, 0.99] {
        let (mut lo, mut hi) = (-10.0f64, 20.0f64);
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if split_cdf_numeric(mid) < p {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let numeric = 0.5 * (lo + hi);
        assert!(
            (d.quantile(p) - numeric).abs() <= 1e-9,
            "split_normal quantile({p}) = {}, numerical {numeric}",
            d.quantile(p)
        );
    }
}

#[test]
fn cdf_inverts_quantile() {
    let dists = [
        Dist::normal(0.0, 1.0, Some(-1.0), Some(2.0)).unwrap(),
        Dist::normal(0.0, 1.0, Some(6.0), None).unwrap(),
        Dist::lognormal(2.0, 3.0).unwrap(),
        Dist::pert(0.0, 2.0, 10.0).unwrap(),
        Dist::student_t(0.0, 1.0, 5.5).unwrap(),
        Dist::split_normal(2.0, 1.0, 3.0).unwrap(),
    ];
    for d in &dists {
        for p in [1e-9, 0.01, 0.3, 0.5, 0.8, 0.99] {
            let back = d.cdf(d.quantile(p));
            assert!(
                (back - p).abs() <= 1e-12 * p.max(1e-3),
                "{d:?}: cdf(quantile({p})) = {back}"
            );
        }
    }
}

#[test]
fn means_and_variances() {
    // (distribution, mean, variance, source)
    let cases: Vec<(Dist, f64, f64)> = vec![
        // Closed forms.
        (Dist::fixed(4.5).unwrap(), 4.5, 0.0),
        (Dist::normal(10.0, 2.0, None, None).unwrap(), 10.0, 4.0),
        // mpmath quadrature of z phi(z), z^2 phi(z) over [a, b] (SciPy's truncnorm.stats agrees
        // to 2e-16 for the first two; in the tails it is off by up to 5e-12).
        (
            Dist::normal(0.0, 1.0, Some(-1.0), Some(2.0)).unwrap(),
            0.22963717909132897,
            0.5197625392115339,
        ),
        (
            Dist::normal(5.0, 2.0, Some(0.0), None).unwrap(),
            5.0352756509738335,
            3.822377373579205,
        ),
        (
            Dist::normal(0.0, 1.0, None, Some(-3.0)).unwrap(),
            -3.2830986549304364,
            0.07055918678526811,
        ),
        (
            Dist::normal(0.0, 1.0, Some(6.0), None).unwrap(),
            6.158482604544599,
            0.02398763678916677,
        ),
        // scipy.stats.lognorm.stats: the parameterization makes these exact.
        (Dist::lognormal(2.0, 3.0).unwrap(), 2.0, 9.0),
        // scipy.stats.uniform.stats(-1, 4)
        (Dist::uniform(-1.0, 3.0).unwrap(), 1.0, 1.3333333333333333),
        // scipy.stats.triang.stats(0.2, loc=0, scale=10)
        (
            Dist::triangular(0.0, 2.0, 10.0).unwrap(),
            4.0,
            4.666666666666667,
        ),
        // scipy.stats.beta.stats(alpha, beta, loc, scale)
        (Dist::pert(0.0, 5.0, 10.0).unwrap(), 5.0, 3.571428571428571),
        (Dist::pert(0.0, 2.0, 10.0).unwrap(), 3.0, 3.0),
        (
            Dist::pert(100.0, 130.0, 200.0).unwrap(),
            136.66666666666669,
            331.7460317460317,
        ),
        // scipy.stats.t.stats(df, loc=1, scale=2)
        (Dist::student_t(1.0, 2.0, 3.0).unwrap(), 1.0, 12.0),
        (
            Dist::student_t(1.0, 2.0, 5.5).unwrap(),
            1.0,
            6.285714285714286,
        ),
        (
            Dist::student_t(1.0, 2.0, 30.0).unwrap(),
            1.0,
            4.285714285714286,
        ),
        // Exact: shares 0.2, 0.3, 0.5 of 10, 20, 30.
        (
            Dist::discrete(vec![30.0, 10.0, 20.0], vec![5.0, 2.0, 3.0]).unwrap(),
            23.0,
            61.0,
        ),
        // mpmath quadrature of the density (Wallis 2014 closed forms:
        // mode + sqrt(2/pi) (s2 - s1), (1 - 2/pi) (s2 - s1)^2 + s1 s2).
        (
            Dist::split_normal(2.0, 1.0, 3.0).unwrap(),
            3.5957691216057306,
            4.453520910529675,
        ),
    ];
    for (d, mean, var) in &cases {
        assert_close(&format!("{d:?} mean"), d.mean(), *mean, 1e-12);
        assert_close(&format!("{d:?} variance"), d.variance(), *var, 1e-12);
    }
    // Student-t moments that do not exist (SciPy: var = inf for 1 < df <= 2).
    let t1 = Dist::student_t(1.0, 2.0, 1.0).unwrap();
    assert!(t1.mean().is_nan());
    assert!(t1.variance().is_nan());
    let t15 = Dist::student_t(1.0, 2.0, 1.5).unwrap();
    assert_eq!(t15.mean(), 1.0);
    assert_eq!(t15.variance(), f64::INFINITY);
}

/// Bins of the Poisson(lambda) support for a chi-square test with `n` draws: scanning
/// k = 0, 1, 2, ..., a bin is closed once its expected count reaches 5; once the rest of the
/// upper tail expects fewer than 5, it joins the current bin (or the previous one, if the
/// current bin would stay below 5). Returns (first k, last k or None for "and above",
/// expected count).
fn poisson_bins(lambda: f64, n: f64) -> Vec<(u64, Option<u64>, f64)> {
    const MIN_EXPECTED: f64 = 5.0;
    let kmax = (lambda + 40.0 * lambda.sqrt() + 40.0) as usize;
    let ll = lambda.ln();
    let mut ln_fact = 0.0;
    let mut pmf = Vec::with_capacity(kmax + 1);
    for k in 0..=kmax {
        if k > 0 {
            ln_fact += (k as f64).ln();
        }
        pmf.push((k as f64 * ll - lambda - ln_fact).exp());
    }
    let mut suffix = vec![0.0; kmax + 2];
    for k in (0..=kmax).rev() {
        suffix[k] = suffix[k + 1] + pmf[k];
    }
    let mut bins: Vec<(u64, Option<u64>, f64)> = Vec::new();
    let (mut start, mut acc, mut k) = (0usize, 0.0, 0usize);
    loop {
        acc += n * pmf[k];
        let rest = n * suffix[k + 1];
        if rest < MIN_EXPECTED {
            if acc + rest < MIN_EXPECTED && !bins.is_empty() {
                let (s0, _, e0) = bins.pop().unwrap();
                bins.push((s0, None, e0 + acc + rest));
            } else {
                bins.push((start as u64, None, acc + rest));
            }
            return bins;
        }
        if acc >= MIN_EXPECTED {
            bins.push((start as u64, Some(k as u64), acc));
            start = k + 1;
            acc = 0.0;
        }
        k += 1;
    }
}

#[test]
fn poisson_goodness_of_fit() {
    const N: usize = 200_000;
    // (lambda, chi-square degrees of freedom = bins - 1, critical value at 0.999).
    // The bins follow `poisson_bins`; the critical values are scipy.stats.chi2.ppf(0.999, df)
    // (SciPy 1.17.1), computed for the same binning in Python.
    let cases: [(f64, usize, f64); 6] = [
        (0.5, 5, 20.515005652432873),
        (3.0, 12, 32.90949040736021),
        (9.5, 24, 51.17859777737739),
        (12.0, 27, 55.47602020574521),
        (40.0, 51, 87.96798047562868),
        (250.0, 122, 176.01446690915446),
    ];
    for (i, &(lambda, df, critical)) in cases.iter().enumerate() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x00C0_FFEE + i as u64);
        let draws: Vec<f64> = (0..N).map(|_| poisson(&mut rng, lambda)).collect();
        assert!(draws.iter().all(|&k| k >= 0.0 && k.fract() == 0.0));
        let n = N as f64;

        // Mean: standard error sqrt(lambda / n).
        let mean = draws.iter().sum::<f64>() / n;
        let se_mean = (lambda / n).sqrt();
        assert!(
            (mean - lambda).abs() <= 4.0 * se_mean,
            "lambda = {lambda}: sample mean {mean}, 4 SE = {}",
            4.0 * se_mean
        );
        // Variance: standard error sqrt((mu4 - sigma^4) / n), mu4 = lambda (1 + 3 lambda).
        let var = draws.iter().map(|k| (k - mean) * (k - mean)).sum::<f64>() / (n - 1.0);
        let se_var = ((lambda * (1.0 + 3.0 * lambda) - lambda * lambda) / n).sqrt();
        assert!(
            (var - lambda).abs() <= 4.0 * se_var,
            "lambda = {lambda}: sample variance {var}, 4 SE = {}",
            4.0 * se_var
        );

        // Chi-square over the binned pmf.
        let bins = poisson_bins(lambda, n);
        assert_eq!(bins.len() - 1, df, "lambda = {lambda}: binning changed");
        let mut observed = vec![0.0; bins.len()];
        for &k in &draws {
            let k = k as u64;
            let j = bins
                .iter()
                .position(|&(s, e, _)| {
                    k >= s
                        && match e {
                            Some(e) => k <= e,
                            None => true,
                        }
                })
                .unwrap();
            observed[j] += 1.0;
        }
        let chi2: f64 = bins
            .iter()
            .zip(&observed)
            .map(|(&(_, _, e), &o)| (o - e) * (o - e) / e)
            .sum();
        assert!(
            chi2 <= critical,
            "lambda = {lambda}: chi-square {chi2:.2} with {df} df exceeds the 0.999 quantile \
             {critical:.2}"
        );
    }
}
