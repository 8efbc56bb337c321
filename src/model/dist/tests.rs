//! Unit tests of [`super::Dist`]: parameter validation, error messages, monotone and finite
//! quantiles, CDF round trips, and the fixed and discrete kinds.

use super::*;

fn all_continuous() -> Vec<Dist> {
    vec![
        Dist::normal(10.0, 2.0, None, None).unwrap(),
        Dist::normal(0.0, 1.0, Some(-1.0), Some(2.0)).unwrap(),
        Dist::normal(0.0, 1.0, Some(0.5), None).unwrap(),
        Dist::normal(0.0, 1.0, None, Some(-3.0)).unwrap(),
        Dist::normal(0.0, 1.0, Some(6.0), None).unwrap(),
        Dist::lognormal(2.0, 3.0).unwrap(),
        Dist::uniform(-1.0, 3.0).unwrap(),
        Dist::triangular(0.0, 2.0, 10.0).unwrap(),
        Dist::triangular(0.0, 0.0, 1.0).unwrap(),
        Dist::triangular(0.0, 1.0, 1.0).unwrap(),
        Dist::pert(0.0, 5.0, 10.0).unwrap(),
        Dist::pert(1.0, 2.0, 10.0).unwrap(),
        Dist::pert(0.0, 0.0, 1.0).unwrap(),
        Dist::pert(0.0, 1.0, 1.0).unwrap(),
        Dist::student_t(1.0, 2.0, 0.3).unwrap(),
        Dist::student_t(1.0, 2.0, 1.0).unwrap(),
        Dist::student_t(0.0, 1.0, 2.0).unwrap(),
        Dist::student_t(0.0, 1.0, 3.0).unwrap(),
        Dist::student_t(0.0, 1.0, 5.5).unwrap(),
        Dist::student_t(0.0, 1.0, 1e4).unwrap(),
        Dist::student_t(0.0, 1.0, 1e7).unwrap(),
        Dist::split_normal(2.0, 1.0, 3.0).unwrap(),
    ]
}

fn grid() -> Vec<f64> {
    let mut ps = vec![1e-15, 1e-12, 1e-9, 1e-6, 1e-4, 0.001, 0.01];
    ps.extend((1..100).map(|i| i as f64 / 100.0));
    ps.extend([
        0.999,
        0.9999,
        1.0 - 1e-6,
        1.0 - 1e-9,
        1.0 - 1e-12,
        1.0 - 1e-15,
    ]);
    ps
}

#[test]
fn bad_parameters_are_errors() {
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    assert!(Dist::fixed(nan).is_err());
    assert!(Dist::fixed(inf).is_err());
    assert!(Dist::normal(0.0, 0.0, None, None).is_err());
    assert!(Dist::normal(0.0, -1.0, None, None).is_err());
    assert!(Dist::normal(nan, 1.0, None, None).is_err());
    assert!(Dist::normal(0.0, inf, None, None).is_err());
    assert!(Dist::normal(0.0, 1.0, Some(2.0), Some(1.0)).is_err());
    assert!(Dist::normal(0.0, 1.0, Some(1.0), Some(1.0)).is_err());
    assert!(Dist::normal(0.0, 1.0, Some(nan), None).is_err());
    assert!(Dist::normal(0.0, 1.0, None, Some(-inf)).is_err());
    assert!(Dist::normal(0.0, 1.0, Some(10.0), None).is_err()); // mass 7.6e-24
    assert!(Dist::normal(0.0, 1.0, Some(1.0), Some(1.0 + 1e-13)).is_err());
    assert!(Dist::lognormal(0.0, 1.0).is_err());
    assert!(Dist::lognormal(-1.0, 1.0).is_err());
    assert!(Dist::lognormal(1.0, 0.0).is_err());
    assert!(Dist::lognormal(1.0, nan).is_err());
    assert!(Dist::uniform(1.0, 1.0).is_err());
    assert!(Dist::uniform(2.0, 1.0).is_err());
    assert!(Dist::uniform(-inf, 1.0).is_err());
    assert!(Dist::uniform(-f64::MAX, f64::MAX).is_err());
    assert!(Dist::triangular(0.0, 2.0, 1.0).is_err());
    assert!(Dist::triangular(0.0, -1.0, 1.0).is_err());
    assert!(Dist::triangular(1.0, 1.0, 1.0).is_err());
    assert!(Dist::triangular(0.0, nan, 1.0).is_err());
    assert!(Dist::pert(6.0, 5.0, 10.0).is_err());
    assert!(Dist::pert(0.0, 11.0, 10.0).is_err());
    assert!(Dist::pert(3.0, 3.0, 3.0).is_err());
    assert!(Dist::pert(0.0, 1.0, inf).is_err());
    assert!(Dist::student_t(0.0, 0.0, 3.0).is_err());
    assert!(Dist::student_t(0.0, 1.0, 0.0).is_err());
    assert!(Dist::student_t(0.0, 1.0, -2.0).is_err());
    assert!(Dist::student_t(0.0, 1.0, inf).is_err());
    assert!(Dist::student_t(nan, 1.0, 3.0).is_err());
    assert!(Dist::discrete(vec![], vec![]).is_err());
    assert!(Dist::discrete(vec![1.0, 2.0], vec![1.0]).is_err());
    assert!(Dist::discrete(vec![1.0, 2.0], vec![1.0, -1.0]).is_err());
    assert!(Dist::discrete(vec![1.0, 2.0], vec![0.0, 0.0]).is_err());
    assert!(Dist::discrete(vec![1.0, nan], vec![1.0, 1.0]).is_err());
    assert!(Dist::discrete(vec![1.0, 2.0], vec![1.0, inf]).is_err());
    assert!(Dist::discrete(vec![1.0, 2.0], vec![f64::MAX, f64::MAX]).is_err());
    assert!(Dist::split_normal(0.0, 0.0, 1.0).is_err());
    assert!(Dist::split_normal(0.0, 1.0, -1.0).is_err());
    assert!(Dist::split_normal(inf, 1.0, 1.0).is_err());
}

#[test]
fn error_messages_are_readable() {
    assert_eq!(
        Dist::normal(0.0, -1.0, None, None).unwrap_err(),
        "sd must be positive (got -1)"
    );
    assert_eq!(
        Dist::pert(6.0, 5.0, 10.0).unwrap_err(),
        "mode 5 must lie between min 6 and max 10"
    );
    assert_eq!(
        Dist::normal(f64::NAN, 1.0, None, None).unwrap_err(),
        "mean must be a finite number"
    );
    assert_eq!(
        Dist::uniform(3.0, 1.0).unwrap_err(),
        "min 3 must be less than max 1"
    );
    assert_eq!(
        Dist::discrete(vec![1.0], vec![1.0, 2.0]).unwrap_err(),
        "values and weights must have the same length (got 1 values and 2 weights)"
    );
    let msg = Dist::normal(0.0, 1.0, Some(10.0), None).unwrap_err();
    assert!(msg.contains("almost no probability"), "{msg}");
}

#[test]
fn quantile_is_monotone_and_finite() {
    let mut dists = all_continuous();
    dists.push(Dist::discrete(vec![3.0, 1.0, 2.0], vec![1.0, 2.0, 0.0]).unwrap());
    dists.push(Dist::fixed(4.0).unwrap());
    for d in &dists {
        let mut prev = f64::NEG_INFINITY;
        for p in grid() {
            let x = d.quantile(p);
            assert!(x.is_finite(), "{d:?} p={p}: {x}");
            assert!(x >= prev, "{d:?} not monotone at p={p}: {x} < {prev}");
            prev = x;
        }
        for p in [0.0, -1.0, 1.0, 2.0, f64::NAN, f64::INFINITY] {
            assert!(d.quantile(p).is_finite(), "{d:?} p={p}");
        }
    }
}

#[test]
fn cdf_inverts_quantile() {
    for d in all_continuous() {
        for p in grid() {
            let x = d.quantile(p);
            let back = d.cdf(x);
            // Tolerance: 1e-9 relative to min(p, 1 - p), plus what rounding x to a double
            // costs (about f(x) ulp(x)), plus the absolute rounding of a CDF near 1.
            let tail = p.min(1.0 - p);
            let nudge = x.abs() * 4.0 * f64::EPSILON + 1e-300;
            let rounding = (d.cdf(x + nudge) - d.cdf(x - nudge)).abs();
            let tol = 1e-9 * tail + 4.0 * rounding + 2.0 * f64::EPSILON * back;
            assert!(
                (back - p).abs() <= tol,
                "{d:?}: cdf(quantile({p})) = {back}, x = {x}"
            );
        }
    }
}

#[test]
fn fixed_and_discrete() {
    let f = Dist::fixed(3.5).unwrap();
    assert!(f.is_fixed());
    assert_eq!(f.quantile(0.3), 3.5);
    assert_eq!(f.mean(), 3.5);
    assert_eq!(f.variance(), 0.0);
    assert_eq!(f.cdf(3.4), 0.0);
    assert_eq!(f.cdf(3.5), 1.0);

    let d = Dist::discrete(vec![3.0, 1.0, 2.0, 5.0], vec![1.0, 2.0, 0.0, 1.0]).unwrap();
    assert!(!d.is_fixed());
    assert_eq!(d.quantile(0.1), 1.0);
    assert_eq!(d.quantile(0.5), 1.0);
    assert_eq!(d.quantile(0.5000001), 3.0);
    assert_eq!(d.quantile(0.75), 3.0);
    assert_eq!(d.quantile(0.76), 5.0);
    assert_eq!(d.cdf(0.0), 0.0);
    assert_eq!(d.cdf(2.0), 0.5);
    assert_eq!(d.cdf(3.0), 0.75);
    assert_eq!(d.cdf(9.0), 1.0);
    assert!(Dist::discrete(vec![2.0, 7.0], vec![1.0, 0.0])
        .unwrap()
        .is_fixed());
    assert_eq!(d.kind(), "discrete");
}

#[test]
fn huge_and_tiny_parameters_stay_finite() {
    let d = Dist::student_t(0.0, 1.0, 0.01).unwrap();
    assert_eq!(d.quantile(1e-15), -f64::MAX);
    assert_eq!(d.quantile(1.0 - 1e-15), f64::MAX);
    assert!(d.quantile(0.6).is_finite());
    let d = Dist::normal(0.0, 1e308, None, None).unwrap();
    assert_eq!(d.quantile(1e-15), -f64::MAX);
    assert_eq!(d.quantile(1.0 - 1e-15), f64::MAX);
    let d = Dist::lognormal(1e300, 1e303).unwrap();
    assert!(d.quantile(1.0 - 1e-15).is_finite());
}
