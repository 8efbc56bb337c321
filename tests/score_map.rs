//! Accuracy of the tabulated copula maps (`model::score_map`) against the exact route
//! `Dist::quantile(norm_cdf(z))`, on a dense grid of scores: 200,001 points on [-5.5, 5.5]
//! (past the table's end at 5, where the exact route takes over). The bound checked is the one
//! the module states: |table - exact| <= 1e-9 * max(w, |exact - median|), w being the width
//! Q(Phi(1)) - Q(Phi(-1)).

use plancast::model::dist::Dist;
use plancast::model::score_map::{ScoreMap, TOLERANCE};
use plancast::numeric::normal::norm_cdf;

/// Largest error in units of the stated bound (<= 1 passes), and whether the map is a table.
fn worst_error(dist: &Dist) -> (f64, bool) {
    let map = ScoreMap::new(dist);
    let exact = |z: f64| dist.quantile(norm_cdf(z));
    let median = exact(0.0);
    let width = exact(1.0) - exact(-1.0);
    let mut worst = 0.0f64;
    for k in -100_000..=100_000 {
        let z = k as f64 * 5.5e-5;
        let want = exact(z);
        let bound = TOLERANCE * width.max((want - median).abs());
        worst = worst.max((map.at(z) - want).abs() / bound);
    }
    (worst, map.is_table())
}

#[test]
fn tables_are_within_the_stated_tolerance() {
    // The kinds the engine tabulates, with shapes from mild to strongly skewed or fat-tailed.
    let tabulated = [
        Dist::normal(35.0, 4.0, Some(20.0), Some(40.0)).unwrap(),
        Dist::normal(12.0, 4.0, Some(0.0), None).unwrap(),
        Dist::normal(3.0, 1.0, None, Some(5.0)).unwrap(),
        Dist::normal(0.0, 1.0, Some(2.5), None).unwrap(),
        Dist::normal(0.0, 1.0, Some(-0.1), Some(0.1)).unwrap(),
        Dist::pert(2.0, 5.5, 9.0).unwrap(),
        Dist::pert(5.0, 15.0, 30.0).unwrap(),
        Dist::pert(0.3, 0.5, 0.9).unwrap(),
        Dist::pert(0.0, 0.0, 1.0).unwrap(),
        Dist::pert(0.0, 1.0, 1.0).unwrap(),
        Dist::pert(0.0, 0.05, 1.0).unwrap(),
        Dist::student_t(9.0, 2.5, 4.0).unwrap(),
        Dist::student_t(5.0, 3.0, 3.0).unwrap(),
        Dist::student_t(8.0, 3.0, 6.0).unwrap(),
        Dist::student_t(0.0, 1.0, 30.0).unwrap(),
        Dist::student_t(0.0, 1.0, 2.0).unwrap(),
        Dist::student_t(0.0, 1.0, 1e4).unwrap(),
        Dist::uniform(0.2, 0.8).unwrap(),
        // Kinked at the mode: the grid puts a node there.
        Dist::triangular(2.0, 5.0, 10.0).unwrap(),
        Dist::triangular(0.0, 0.9, 1.0).unwrap(),
        Dist::split_normal(10.0, 3.0, 5.0).unwrap(),
        Dist::split_normal(8.5, 2.0, 3.0).unwrap(),
    ];
    for dist in &tabulated {
        let (worst, is_table) = worst_error(dist);
        eprintln!("{dist:?}: table {is_table}, worst error {worst:.3} of the bound");
        assert!(is_table, "{dist:?} should be tabulated");
        assert!(worst <= 1.0, "{dist:?}: error {worst} times the bound");
    }
}

#[test]
fn other_kinds_are_exact_or_within_tolerance() {
    // Extreme maps (df <= 1) may fall back to the exact route; whichever they use, they must
    // meet the bound.
    for dist in [
        Dist::triangular(0.0, 0.0, 1.0).unwrap(),
        Dist::student_t(0.0, 1.0, 0.3).unwrap(),
        Dist::student_t(0.0, 1.0, 1.0).unwrap(),
        Dist::discrete(vec![6.0, 10.0, 14.0], vec![0.3, 0.5, 0.2]).unwrap(),
        Dist::lognormal(12.0, 3.0).unwrap(),
    ] {
        let (worst, is_table) = worst_error(&dist);
        eprintln!("{dist:?}: table {is_table}, worst error {worst:.3} of the bound");
        assert!(worst <= 1.0, "{dist:?}: error {worst} times the bound");
    }
}
