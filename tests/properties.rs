//! Property tests (proptest) of the invariants the engine promises:
//! - merging accumulators equals computing in one piece: counts and sketch buckets exactly;
//!   mean and variance within a stated tolerance (Chan's floating-point merge is not associative
//!   bit for bit, which is why shards keep per-block moments; see `plancast::shard`);
//! - reported quantiles are monotone in the probability;
//! - probabilities lie in [0, 1] inside their intervals;
//! - any valid scenario (random small ones: every model, distribution, period layout, target
//!   kind and comparison, events, correlation, sampling) runs without a NaN anywhere.

mod common;

use plancast::engine::{self, accumulator::Distribution};
use plancast::report::summary::{Quantiles, Summary};
use plancast::scenario::{self, LoadOptions, RunSettings};
use plancast::stats::moments::Moments;
use plancast::stats::sketch::Sketch;
use proptest::prelude::*;
use std::fmt::Write as _;
use std::path::Path;

/// Tolerances for merged moments against one-piece moments: relative to the scale of the data.
const MEAN_TOLERANCE: f64 = 1e-12;
const M2_TOLERANCE: f64 = 1e-9;

fn values_and_cuts() -> impl Strategy<Value = (Vec<f64>, Vec<usize>)> {
    prop::collection::vec(
        prop_oneof![-1e6..1e6f64, -10.0..10.0f64, Just(0.0), 1e-3..1e9f64],
        1..400,
    )
    .prop_flat_map(|values| {
        let n = values.len();
        (Just(values), prop::collection::vec(0..=n, 0..6))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A distribution built from pieces equals the one built from all values at once.
    #[test]
    fn merged_distribution_equals_one_piece((values, mut cuts) in values_and_cuts()) {
        cuts.push(0);
        cuts.push(values.len());
        cuts.sort_unstable();
        let mut whole = Distribution::default();
        whole.add_chunk(&values);
        let mut merged = Distribution::default();
        for w in cuts.windows(2) {
            let mut piece = Distribution::default();
            piece.add_chunk(&values[w[0]..w[1]]);
            merged.merge(&piece);
        }
        // Counts and sketch buckets: exactly.
        prop_assert_eq!(&merged.sketch, &whole.sketch);
        prop_assert_eq!(merged.moments.count, whole.moments.count);
        // Moments: within tolerance of the data's scale.
        let scale = values.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        prop_assert!((merged.moments.mean - whole.moments.mean).abs() <= MEAN_TOLERANCE * scale);
        let m2_scale = scale * scale * values.len() as f64;
        prop_assert!((merged.moments.m2 - whole.moments.m2).abs() <= M2_TOLERANCE * m2_scale);
    }

    /// Sketch quantiles never decrease with the probability, and stay within [min, max] up to
    /// the sketch's relative accuracy.
    #[test]
    fn sketch_quantiles_are_monotone((values, _) in values_and_cuts(), ps in prop::collection::vec(0.0..=1.0f64, 2..20)) {
        let mut sketch = Sketch::new();
        sketch.extend(&values);
        let mut ps = ps;
        ps.sort_by(f64::total_cmp);
        let qs: Vec<f64> = ps.iter().map(|&p| sketch.quantile(p)).collect();
        for w in qs.windows(2) {
            prop_assert!(w[0] <= w[1], "quantiles {:?} at {:?}", qs, ps);
        }
    }

    /// Moments merged in any grouping agree (within tolerance) with the left fold.
    #[test]
    fn moments_merge_in_any_grouping((values, cut) in values_and_cuts().prop_map(|(v, c)| { let k = c.first().copied().unwrap_or(0); (v, k) })) {
        let (a, b) = values.split_at(cut);
        let (b1, b2) = b.split_at(b.len() / 2);
        let (ma, mb1, mb2) = (Moments::of(a), Moments::of(b1), Moments::of(b2));
        let mut left = ma;
        left.merge(&mb1);
        left.merge(&mb2);
        let mut right = mb1;
        right.merge(&mb2);
        let mut grouped = ma;
        grouped.merge(&right);
        let scale = values.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        prop_assert_eq!(left.count, grouped.count);
        prop_assert!((left.mean - grouped.mean).abs() <= MEAN_TOLERANCE * scale);
        prop_assert!((left.m2 - grouped.m2).abs() <= M2_TOLERANCE * scale * scale * values.len() as f64);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// The engine's accumulator over all blocks equals the merge of two block ranges computed
    /// apart: counts and sketches exactly, moments within tolerance.
    #[test]
    fn engine_blocks_merge_like_one_run(split in 0u64..=4, seed in 1u64..1000) {
        let options = LoadOptions {
            sets: vec![],
            settings: RunSettings { paths: Some(60_000), seed: Some(seed), as_of: None },
        };
        let loaded = scenario::load(Path::new("tests/fixtures/valid/small.toml"), &options).unwrap();
        let s = &loaded.scenario;
        let blocks = engine::blocks_for(s.paths());
        let whole = engine::simulate(s, Some(2), &|_| {}).unwrap().into_accumulator();
        let first = engine::simulate_blocks(s, Some(1), 0..split, &|_| {}, &mut |_, _, _| true).unwrap().into_accumulator();
        let second = engine::simulate_blocks(s, Some(2), split..blocks, &|_| {}, &mut |_, _, _| true).unwrap().into_accumulator();
        let mut merged = first;
        merged.merge(&second);
        prop_assert_eq!(merged.paths, whole.paths);
        prop_assert_eq!(&merged.target_met, &whole.target_met);
        prop_assert_eq!(&merged.group_met, &whole.group_met);
        prop_assert_eq!(&merged.pairs, &whole.pairs);
        prop_assert_eq!(&merged.fixed_cells, &whole.fixed_cells);
        for (m, w) in merged.cells.iter().chain(&merged.target_outcomes).zip(whole.cells.iter().chain(&whole.target_outcomes)) {
            prop_assert_eq!(&m.sketch, &w.sketch);
            prop_assert_eq!(m.moments.count, w.moments.count);
            let scale = w.moments.mean.abs().max(w.moments.sd()).max(1.0);
            prop_assert!((m.moments.mean - w.moments.mean).abs() <= MEAN_TOLERANCE * scale);
            prop_assert!((m.moments.m2 - w.moments.m2).abs() <= M2_TOLERANCE * w.moments.m2.max(1.0));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Random valid scenarios
// ---------------------------------------------------------------------------------------------

/// A trend distribution with valid parameters, centred near `centre` with spread `spread`.
fn distribution(centre: f64, spread: f64, positive: bool) -> BoxedStrategy<String> {
    let lo = if positive { 0.0 } else { centre - 3.0 * spread };
    prop_oneof![
        Just(format!("{centre}")),
        (0.1..1.0f64).prop_map(move |k| format!(
            "{{ dist = \"normal\", mean = {centre}, sd = {} }}",
            k * spread
        )),
        (0.1..1.0f64).prop_map(move |k| format!(
            "{{ dist = \"normal\", mean = {centre}, sd = {}, min = {lo}, max = {} }}",
            k * spread,
            centre + 3.0 * spread
        )),
        Just(format!(
            "{{ dist = \"lognormal\", mean = {}, sd = {} }}",
            centre.abs() + spread,
            spread
        )),
        Just(format!(
            "{{ dist = \"uniform\", min = {lo}, max = {} }}",
            centre + spread
        )),
        (0.0..1.0f64).prop_map(move |m| format!(
            "{{ dist = \"triangular\", min = {lo}, mode = {}, max = {} }}",
            lo + m * (centre + spread - lo),
            centre + spread
        )),
        (0.05..0.95f64).prop_map(move |m| format!(
            "{{ dist = \"pert\", min = {lo}, mode = {}, max = {} }}",
            lo + m * (centre + 2.0 * spread - lo),
            centre + 2.0 * spread
        )),
        (1.5..30.0f64).prop_map(move |df| format!(
            "{{ dist = \"student_t\", mean = {}, scale = {}, df = {df} }}",
            if positive {
                centre + 3.0 * spread
            } else {
                centre
            },
            spread * 0.3
        )),
        Just(format!(
            "{{ dist = \"discrete\", values = [{lo}, {centre}, {}], weights = [1, 2, 1] }}",
            centre + spread
        )),
        Just(format!(
            "{{ dist = \"split_normal\", mode = {}, sd_below = {}, sd_above = {} }}",
            if positive {
                centre + 3.0 * spread
            } else {
                centre
            },
            spread * 0.5,
            spread
        )),
    ]
    .boxed()
}

#[derive(Debug, Clone)]
struct Stochastic {
    model: &'static str,
    base: f64,
    trends: Vec<String>,
    noise: f64,
    persistence: f64,
    observed: bool,
}

fn stochastic() -> impl Strategy<Value = Stochastic> {
    prop_oneof![Just("growth"), Just("additive"), Just("count")].prop_flat_map(|model| {
        let (centre, spread, positive) = match model {
            "growth" => (5.0, 3.0, false),
            "additive" => (2.0, 1.0, false),
            _ => (20.0, 10.0, true),
        };
        (
            prop::collection::vec(distribution(centre, spread, positive), 1..=2),
            1.0..500.0f64,
            0.0..3.0f64,
            0.0..0.9f64,
            any::<bool>(),
        )
            .prop_map(
                move |(trends, base, noise, persistence, observed)| Stochastic {
                    model,
                    base: base.round(),
                    trends,
                    noise: if model == "count" { 0.0 } else { noise },
                    persistence,
                    observed,
                },
            )
    })
}

#[derive(Debug, Clone)]
struct TargetSpec {
    indicator: usize,
    kind: usize,
    year_offset: i32,
    comparison: usize,
    factor: f64,
}

#[derive(Debug, Clone)]
struct ScenarioSpec {
    horizon: i32,
    indicators: Vec<Stochastic>,
    derived: Vec<usize>,
    targets: Vec<TargetSpec>,
    event: Option<(f64, f64)>,
    correlation: Option<f64>,
    sampling: usize,
}

fn scenario_spec() -> impl Strategy<Value = ScenarioSpec> {
    (
        2..8i32,
        prop::collection::vec(stochastic(), 1..4),
        prop::collection::vec(0..4usize, 0..3),
        prop::collection::vec(
            (0..8usize, 0..4usize, 0..8i32, 0..4usize, 0.5..2.0f64),
            1..6,
        ),
        prop::option::of((0.0..=1.0f64, -5.0..5.0f64)),
        prop::option::of(-0.9..0.9f64),
        0..3usize,
    )
        .prop_map(
            |(horizon, indicators, derived, targets, event, correlation, sampling)| ScenarioSpec {
                horizon,
                indicators,
                derived,
                targets: targets
                    .into_iter()
                    .map(
                        |(indicator, kind, year_offset, comparison, factor)| TargetSpec {
                            indicator,
                            kind,
                            year_offset,
                            comparison,
                            factor,
                        },
                    )
                    .collect(),
                event,
                correlation,
                sampling,
            },
        )
}

/// Safe formulas of two indicators (never divide by zero or take a log of a negative).
const FORMULAS: [&str; 4] = [
    "{a} + {b} * 0.5",
    "max({a}, {b}) - min({a}, 0)",
    "{a} / (abs({b}) + 1)",
    "sqrt(abs({a})) + {b}[-1]",
];

fn scenario_text(spec: &ScenarioSpec) -> String {
    let base_year = 2020;
    let horizon = base_year + spec.horizon;
    let mut t = String::new();
    let sampling = ["random", "lhs", "sobol"][spec.sampling];
    writeln!(
        t,
        "[scenario]\nname = \"prop\"\nbase_year = {base_year}\nhorizon = {horizon}\nsampling = \"{sampling}\"\n"
    )
    .unwrap();
    let mut ids = Vec::new();
    for (k, ind) in spec.indicators.iter().enumerate() {
        let id = format!("s{k}");
        let key = match ind.model {
            "growth" => "growth",
            "additive" => "step",
            _ => "rate",
        };
        let mid = base_year + 1 + spec.horizon / 2;
        let periods: Vec<String> = if ind.trends.len() == 1 || mid > horizon - 1 {
            vec![format!(
                "{{ from = {}, to = {horizon}, trend = {}{} }}",
                base_year + 1,
                ind.trends[0],
                noise_text(ind)
            )]
        } else {
            vec![
                format!(
                    "{{ from = {}, to = {mid}, trend = {}{} }}",
                    base_year + 1,
                    ind.trends[0],
                    noise_text(ind)
                ),
                format!(
                    "{{ from = {}, to = {horizon}, trend = {}{} }}",
                    mid + 1,
                    ind.trends[1],
                    noise_text(ind)
                ),
            ]
        };
        writeln!(
            t,
            "[indicators.{id}]\nname = \"{id}\"\nunit = \"u\"\nmodel = \"{}\"\nbase = {}",
            ind.model, ind.base
        )
        .unwrap();
        if ind.observed {
            writeln!(t, "observed = {{ {} = {} }}", base_year + 1, ind.base + 1.0).unwrap();
        }
        writeln!(t, "{key} = [{}]\n", periods.join(", ")).unwrap();
        ids.push(id);
    }
    let n_stochastic = ids.len();
    for (k, &f) in spec.derived.iter().enumerate() {
        let a = &ids[k % n_stochastic];
        let b = &ids[(k + 1) % n_stochastic];
        let formula = FORMULAS[f].replace("{a}", a).replace("{b}", b);
        let id = format!("d{k}");
        writeln!(
            t,
            "[indicators.{id}]\nname = \"{id}\"\nunit = \"u\"\nmodel = \"derived\"\nformula = \"{formula}\"\n"
        )
        .unwrap();
        ids.push(id);
    }
    if let (Some(rho), true) = (spec.correlation, n_stochastic >= 2) {
        writeln!(t, "[correlation]\ntrend = [[\"s0\", \"s1\", {rho}]]\n").unwrap();
    }
    if let Some((p, size)) = spec.event {
        let affected = spec
            .indicators
            .iter()
            .position(|i| i.model != "count")
            .unwrap_or(0);
        writeln!(
            t,
            "[[events]]\nid = \"shock\"\nprobability = {p}\neffects = {{ s{affected} = {size} }}\n"
        )
        .unwrap();
    }
    for (k, target) in spec.targets.iter().enumerate() {
        let i = target.indicator % ids.len();
        let stochastic = spec.indicators.get(i);
        let year = base_year + 1 + target.year_offset % spec.horizon;
        let comparison = ["at_least", "above", "at_most", "below"][target.comparison];
        // CAGR needs positive values: only on growth and count indicators. Derived indicators
        // may start after the base year (a lag): level targets only.
        let kind = match (target.kind, stochastic.map(|s| s.model)) {
            (_, None) => "level",
            (1, Some("growth")) | (1, Some("count")) => "cagr",
            (1, _) | (0, _) => "level",
            (2, _) => "cumulative",
            _ => "change",
        };
        let base = stochastic.map(|s| s.base).unwrap_or(10.0);
        let threshold = match kind {
            "cagr" => 5.0 * target.factor - 4.0,
            "cumulative" => base * (year - base_year) as f64 * target.factor,
            "change" => base * (target.factor - 1.0),
            _ => base * target.factor,
        };
        let years = if kind == "level" {
            format!("year = {year}")
        } else {
            format!("kind = \"{kind}\"\nfrom = {base_year}\nto = {year}")
        };
        writeln!(
            t,
            "[[targets]]\nid = \"t{k}\"\nindicator = \"{}\"\n{years}\n{comparison} = {threshold}\n",
            ids[i]
        )
        .unwrap();
    }
    t
}

fn noise_text(ind: &Stochastic) -> String {
    if ind.model == "count" {
        String::new()
    } else {
        format!(", noise = {}, persistence = {}", ind.noise, ind.persistence)
    }
}

fn check_quantiles(what: &str, q: &Quantiles) -> Result<(), TestCaseError> {
    let values = q.values();
    prop_assert!(
        values.iter().all(|v| v.is_finite()) && q.mean.is_finite() && q.sd.is_finite(),
        "{what}: non-finite in {q:?}"
    );
    for w in values.windows(2) {
        prop_assert!(w[0] <= w[1], "{what}: quantiles not monotone: {values:?}");
    }
    prop_assert!(q.sd >= 0.0);
    Ok(())
}

fn check_probability(what: &str, p: f64, lo: f64, hi: f64) -> Result<(), TestCaseError> {
    prop_assert!(
        (0.0..=1.0).contains(&p) && (0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi),
        "{what}: {p} [{lo}, {hi}] outside [0, 1]"
    );
    prop_assert!(lo <= p && p <= hi, "{what}: {p} not inside [{lo}, {hi}]");
    Ok(())
}

fn check_summary(s: &Summary) -> Result<(), TestCaseError> {
    for t in &s.targets {
        check_probability(&t.id, t.probability, t.ci_lower, t.ci_upper)?;
        check_quantiles(&t.id, &t.outcome)?;
        prop_assert!(t.median_margin.is_finite() && t.std_error.is_finite());
    }
    for g in &s.groups {
        check_probability(&g.id, g.probability, g.ci_lower, g.ci_upper)?;
    }
    for m in &s.milestones {
        if let (Some(p), Some([lo, hi])) = (m.given_met, m.given_met_ci) {
            check_probability("given_met", p, lo, hi)?;
        }
        if let (Some(p), Some([lo, hi])) = (m.given_missed, m.given_missed_ci) {
            check_probability("given_missed", p, lo, hi)?;
        }
    }
    for ind in &s.indicators {
        for y in &ind.years {
            check_quantiles(&format!("{} {}", ind.id, y.year), &y.quantiles)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Any valid scenario runs to finite numbers: probabilities in [0, 1] inside their intervals,
    /// monotone quantiles, no NaN anywhere.
    #[test]
    fn any_valid_scenario_runs_without_nan(spec in scenario_spec(), seed in 1u64..10_000) {
        let text = scenario_text(&spec);
        let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
        std::io::Write::write_all(&mut file, text.as_bytes()).unwrap();
        let options = LoadOptions {
            sets: vec![],
            settings: RunSettings { paths: Some(3_000), seed: Some(seed), as_of: None },
        };
        let loaded = match scenario::load(file.path(), &options) {
            Ok(l) => l,
            Err(d) => return Err(TestCaseError::fail(format!("generated scenario is invalid:\n{d}\n---\n{text}"))),
        };
        let sim = engine::simulate(&loaded.scenario, Some(2), &|_| {});
        let sim = match sim {
            Ok(sim) => sim,
            Err(e) => return Err(TestCaseError::fail(format!("run failed: {e}\n---\n{text}"))),
        };
        let summary = plancast::report::summary::build(&loaded, &sim, 0.0, 2);
        check_summary(&summary).map_err(|e| TestCaseError::fail(format!("{e}\n---\n{text}")))?;
    }
}
