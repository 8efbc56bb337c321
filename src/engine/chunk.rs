//! Simulating one chunk of paths, structure-of-arrays: every state is a vector over the chunk's
//! paths, so each step (trend quantiles, shocks, updates, formulas, target tests) runs as a tight
//! loop over contiguous memory.

use super::accumulator::{Accumulator, PairCounts};
use super::rng::{self, uniform_of, Purpose, Stream};
use super::sobol;
use super::strata;
use super::{CellSlot, Context, Keep};
use crate::model::posterior::ScoreTransport;
use crate::model::{ModelKind, Sampling, TargetKind};
use crate::numeric::binomial::survivors;
use crate::numeric::normal::norm_quantile_fill;
use crate::numeric::poisson::{poisson_add_held, poisson_fill_held, PreparedRates};
use crate::stats::scan::first_non_finite;

/// Paths whose event words are drawn as one block.
const EVENT_PATHS: usize = 64;

/// Buffers reused from chunk to chunk by one worker.
pub struct Workspace {
    chunk: usize,
    n_years: usize,
    /// values[(indicator * n_years + year) * chunk + path]
    values: Vec<f64>,
    /// Independent standard normals, then correlated ones, per indicator.
    draws: Vec<f64>,
    correlated: Vec<f64>,
    /// Per-indicator per-period trend values: trends[indicator][period * chunk + path].
    trends: Vec<Vec<f64>>,
    /// AR(1) shock state per indicator.
    shock: Vec<f64>,
    /// Event effects in the current year per indicator.
    event_add: Vec<f64>,
    /// Target met flags: met[target * chunk + path].
    met: Vec<bool>,
    /// Per path: every member of the current group met.
    all_met: Vec<bool>,
    outcome: Vec<f64>,
    formula_out: Vec<f64>,
    scratch: Vec<Vec<f64>>,
    count_streams: Vec<Option<Stream>>,
    /// The random words of one row of Poisson draws (two per path).
    count_words: Vec<u64>,
    /// The random words of an event for [`EVENT_PATHS`] paths (a strike and one per effect,
    /// path after path).
    event_words: Vec<u64>,
    /// Each count indicator's rate of each path, prepared for its draws (kept from year to
    /// year: a path's rate changes only with its period or an event).
    count_rates: Vec<PreparedRates>,
    /// Per indicator: whether its cell of the current year is recorded already.
    recorded: Vec<bool>,
    /// Exit streams, one per count indicator with an `exit` share.
    exit_streams: Vec<Option<Stream>>,
    /// Per count indicator: the period whose rates `count_rates` holds in this chunk.
    count_period: Vec<Option<usize>>,
}

impl Workspace {
    /// Buffers for `ctx` with chunks of `chunk` paths.
    pub fn new(ctx: &Context, chunk: usize) -> Self {
        let n_ind = ctx.scenario.indicators().len();
        let n_years = ctx.plan.n_years();
        let trends = ctx
            .scenario
            .indicators()
            .iter()
            .map(|ind| vec![0.0; ind.periods.len() * chunk])
            .collect();
        let depth = ctx
            .scenario
            .indicators()
            .iter()
            .filter_map(|i| i.formula.as_ref().map(|f| f.program.stack_depth()))
            .max()
            .unwrap_or(0);
        Workspace {
            chunk,
            n_years,
            values: vec![f64::NAN; n_ind * n_years * chunk],
            draws: vec![0.0; n_ind * chunk],
            correlated: vec![0.0; n_ind * chunk],
            trends,
            shock: vec![0.0; n_ind * chunk],
            event_add: vec![0.0; n_ind * chunk],
            met: vec![false; ctx.scenario.targets().len() * chunk],
            all_met: vec![true; chunk],
            outcome: vec![0.0; chunk],
            formula_out: vec![0.0; chunk],
            scratch: vec![Vec::with_capacity(chunk); depth],
            count_streams: Vec::new(),
            count_words: vec![0; 2 * chunk],
            event_words: vec![
                0;
                EVENT_PATHS
                    * (1 + ctx
                        .scenario
                        .events()
                        .iter()
                        .map(|e| e.effects.len())
                        .max()
                        .unwrap_or(0))
            ],
            count_rates: ctx
                .scenario
                .indicators()
                .iter()
                .map(|ind| match ind.kind {
                    ModelKind::Count => PreparedRates::new(chunk),
                    _ => PreparedRates::default(),
                })
                .collect(),
            exit_streams: Vec::new(),
            recorded: vec![false; n_ind],
            count_period: vec![None; n_ind],
        }
    }

    #[inline]
    fn cell(&self, indicator: usize, year_index: usize) -> std::ops::Range<usize> {
        let start = (indicator * self.n_years + year_index) * self.chunk;
        start..start + self.chunk
    }

    /// Simulates paths `first_path .. first_path + len` (chunk number `chunk_index`) and adds
    /// them to `acc`.
    pub fn run(
        &mut self,
        ctx: &Context,
        chunk_index: u64,
        first_path: u64,
        len: usize,
        acc: &mut Accumulator,
    ) {
        let scenario = ctx.scenario;
        let plan = ctx.plan;
        let n = len;
        let seed = scenario.seed();

        // 1. Trend scores (standard normal per stochastic indicator), correlated.
        for (dimension, &i) in ctx.stochastic.iter().enumerate() {
            let key = ctx.keys[i];
            let mut stream = rng::stream(seed, chunk_index, Purpose::Trend, key);
            let row = &mut self.draws[i * self.chunk..i * self.chunk + n];
            match scenario.sampling() {
                Sampling::Sobol if dimension < sobol::DIMENSIONS => {
                    let scramble = sobol::scramble_key(seed, key);
                    sobol::fill_uniforms(row, first_path, dimension, scramble, &mut stream);
                    norm_quantile_fill(row);
                }
                // Beyond the Sobol table: pseudo-random (validation warns).
                Sampling::Random | Sampling::Sobol => stream.fill_normals(row),
                Sampling::Lhs => {
                    debug_assert_eq!(first_path, chunk_index * super::CHUNK_PATHS as u64);
                    let total = scenario.paths() as f64;
                    let key = rng::mix(seed ^ key);
                    // The uniforms within the strata as one block (one word per path, in path
                    // order), then each path's stratum, then the quantiles.
                    stream.fill_open_uniforms(row);
                    strata::for_chunk(scenario.paths(), key, chunk_index, n, |p, stratum| {
                        row[p] = (stratum as f64 + row[p]) / total;
                    });
                    norm_quantile_fill(row);
                }
            }
        }
        let posterior = &plan.posterior;
        let trend_factor = if posterior.active {
            &posterior.factor
        } else {
            &ctx.scenario.correlation().trend
        };
        let trends_correlated = correlate(
            trend_factor,
            &ctx.stochastic,
            &self.draws,
            &mut self.correlated,
            self.chunk,
            n,
        );
        // Whether indicator i's correlated draw is in `correlated` (else in `draws`), and its
        // trend score (the posterior transport writes every score into `correlated`).
        let draw_correlated = |i: usize| trends_correlated && !own_draw(trend_factor, i);
        let trend_score_correlated = |i: usize| posterior.active || draw_correlated(i);
        if posterior.active {
            // Posterior trends: each copula score through its indicator's transport.
            for &i in &ctx.stochastic {
                let row = i * self.chunk..i * self.chunk + n;
                if !draw_correlated(i) {
                    self.correlated[row.clone()].copy_from_slice(&self.draws[row.clone()]);
                }
                let transport = &posterior.transports[i];
                if !matches!(transport, ScoreTransport::Identity) {
                    for v in &mut self.correlated[row] {
                        *v = transport.score(*v);
                    }
                }
            }
        }

        // 2. Each period's trend at the path's score (Gaussian copula).
        for &i in &ctx.stochastic {
            let scores = &trend_scores_row(
                trend_score_correlated(i),
                &self.draws,
                &self.correlated,
                i,
                self.chunk,
            )[..n];
            for (k, map) in ctx.trend_maps[i].iter().enumerate() {
                let (done, row) = self.trends[i].split_at_mut(k * self.chunk);
                let row = &mut row[..n];
                match ctx.trend_same_as[i][k] {
                    // An earlier period's distribution: its map of the same scores.
                    Some(j) => row.copy_from_slice(&done[j * self.chunk..j * self.chunk + n]),
                    None => map.fill(scores, row),
                }
            }
        }

        // 2b. Shock states at the last observation, given the path's trend score.
        if posterior.active {
            for &i in &ctx.stochastic {
                if !posterior.conditioned_shock(i) {
                    continue;
                }
                let mut stream = rng::stream(seed, chunk_index, Purpose::State, ctx.keys[i]);
                let scores = &self.correlated[i * self.chunk..i * self.chunk + n];
                let shock = &mut self.shock[i * self.chunk..i * self.chunk + n];
                stream.fill_normals(shock);
                for (e, &u) in shock.iter_mut().zip(scores) {
                    let (mean, sd) = posterior.shock_at(i, u);
                    *e = mean + sd * *e;
                }
            }
        }

        // 3. Fixed history.
        for &i in &ctx.stochastic {
            let pi = &plan.indicators[i];
            for (offset, &value) in pi.fixed_values.iter().enumerate() {
                let range = self.cell(i, plan.year_index(pi.first_year) + offset);
                self.values[range.start..range.start + n].fill(value);
            }
        }

        // 4. Years.
        let mut noise_streams: Vec<(usize, Stream)> = ctx
            .noisy
            .iter()
            .map(|&i| {
                (
                    i,
                    rng::stream(seed, chunk_index, Purpose::Noise, ctx.keys[i]),
                )
            })
            .collect();
        let mut event_streams: Vec<Stream> = scenario
            .events()
            .iter()
            .map(|e| rng::stream(seed, chunk_index, Purpose::Event, rng::key_of(&e.id)))
            .collect();
        // A new chunk's trends: no count's rates are held yet.
        self.count_period.fill(None);
        self.count_streams.clear();
        self.count_streams
            .extend(scenario.indicators().iter().enumerate().map(|(i, ind)| {
                (ind.kind == ModelKind::Count)
                    .then(|| rng::stream(seed, chunk_index, Purpose::Count, ctx.keys[i]))
            }));
        // A stream of its own, so that exits leave the additions' draws as they were.
        self.exit_streams.clear();
        self.exit_streams
            .extend(scenario.indicators().iter().enumerate().map(|(i, ind)| {
                (ind.kind == ModelKind::Count && ind.exit > 0.0)
                    .then(|| rng::stream(seed, chunk_index, Purpose::Exit, ctx.keys[i]))
            }));
        // The first year has no simulated step, but derived indicators and cells may start there.
        self.recorded.fill(false);
        self.derive_year(ctx, plan.first_year, first_path, n, acc);
        self.record_year(ctx, 0, n, acc);
        for year in (plan.first_year + 1)..=plan.last_year {
            let t = plan.year_index(year);
            self.recorded.fill(false);
            // Shocks, drawn for every year so that streams stay aligned whatever `as_of` is.
            for (i, stream) in noise_streams.iter_mut() {
                stream.fill_normals(&mut self.draws[*i * self.chunk..*i * self.chunk + n]);
            }
            let noise_factor = &scenario.correlation().noise;
            let shocks_correlated = correlate(
                noise_factor,
                &ctx.noisy,
                &self.draws,
                &mut self.correlated,
                self.chunk,
                n,
            );
            // Events: strike and effect uniforms are drawn for every path in the window, struck
            // or not, so that changing a probability keeps the other draws (common random numbers).
            for &i in &ctx.event_targets {
                self.event_add[i * self.chunk..i * self.chunk + n].fill(0.0);
            }
            for (event, stream) in scenario.events().iter().zip(event_streams.iter_mut()) {
                if year < event.from || year > event.to {
                    continue;
                }
                // Each path's words (its strike, then one per effect) taken from the stream as
                // one block for a run of paths: the same words as one call per word.
                let per_path = 1 + event.effects.len();
                for start in (0..n).step_by(EVENT_PATHS) {
                    let paths = EVENT_PATHS.min(n - start);
                    let words = &mut self.event_words[..paths * per_path];
                    stream.fill_words(words);
                    for (p, words) in (start..).zip(words.chunks_exact(per_path)) {
                        if uniform_of(words[0]) < event.probability {
                            for (effect, &word) in event.effects.iter().zip(&words[1..]) {
                                self.event_add[effect.indicator * self.chunk + p] +=
                                    effect.size.quantile(uniform_of(word));
                            }
                        }
                    }
                }
            }
            for &i in &ctx.stochastic {
                let pi = &plan.indicators[i];
                if year <= pi.start_year {
                    continue;
                }
                let ind = &scenario.indicators()[i];
                let Some(k) = ctx.period_of[i][t] else {
                    continue;
                };
                let period = &ind.periods[k];
                let first = year == pi.start_year + 1;
                let prev = self.cell(i, t - 1);
                let cur = self.cell(i, t);
                let (before, after) = self.values.split_at_mut(cur.start);
                let previous = &before[prev.start..prev.start + n];
                let current = &mut after[..n];
                let trend = &self.trends[i][k * self.chunk..k * self.chunk + n];
                let events = &self.event_add[i * self.chunk..i * self.chunk + n];
                match ind.kind {
                    ModelKind::Growth | ModelKind::Additive => {
                        let z = &trend_scores_row(
                            shocks_correlated && !own_draw(noise_factor, i),
                            &self.draws,
                            &self.correlated,
                            i,
                            self.chunk,
                        )[..n];
                        let shock = &mut self.shock[i * self.chunk..i * self.chunk + n];
                        let (phi, noise) = (period.persistence, period.noise);
                        let innovation = (1.0 - phi * phi).sqrt() * noise;
                        // A shock state conditioned on the observations carries on.
                        let restart = first && !posterior.conditioned_shock(i);
                        if ind.kind == ModelKind::Growth {
                            // The shock and the growth step in one pass. Events move the rate
                            // only of the indicators they act on: adding the others' zeros
                            // could only turn a rate of -0 into +0, which grows by the same
                            // factor 1.
                            let events = ctx
                                .event_targets
                                .binary_search(&i)
                                .is_ok()
                                .then_some(events);
                            let rows = GrowthRows {
                                shock,
                                z,
                                trend,
                                events,
                                previous,
                                current,
                            };
                            if restart {
                                rows.step(|_, z| noise * z);
                            } else {
                                rows.step(|e, z| phi * e + innovation * z);
                            }
                        } else {
                            if restart {
                                for (e, &z) in shock.iter_mut().zip(z) {
                                    *e = noise * z;
                                }
                            } else {
                                for (e, &z) in shock.iter_mut().zip(z) {
                                    *e = phi * *e + innovation * z;
                                }
                            }
                            let (lo, hi) = (
                                ind.min.unwrap_or(f64::NEG_INFINITY),
                                ind.max.unwrap_or(f64::INFINITY),
                            );
                            for p in 0..n {
                                current[p] =
                                    (previous[p] + trend[p] + shock[p] + events[p]).clamp(lo, hi);
                            }
                        }
                    }
                    ModelKind::Count => {
                        let stream = self.count_streams[i]
                            .as_mut()
                            .expect("count stream exists for count indicators");
                        let prepared = &mut self.count_rates[i];
                        // A path's rate is its period's trend, moved by events: the same as last
                        // year's within a period when no event acts on the indicator, and then
                        // neither computed nor compared again.
                        // (Once per indicator and year: `event_targets` is sorted.)
                        if self.count_period[i] != Some(k)
                            || ctx.event_targets.binary_search(&i).is_ok()
                        {
                            let lambdas = &mut self.formula_out[..n];
                            for ((l, &t), &e) in lambdas.iter_mut().zip(trend).zip(events) {
                                *l = (t.max(0.0) * (1.0 + e / 100.0)).max(0.0);
                            }
                            prepared.hold(lambdas);
                            self.count_period[i] = Some(k);
                        }
                        // Two words per path, drawn as one block; only rates of 64 and more
                        // take further words from the stream, after the block.
                        let words = &mut self.count_words[..2 * n];
                        stream.fill_words(words);
                        // X_t = X_{t-1} - D_t + N_t: the survivors of the stock, thinned on
                        // a stream of their own, plus the additions (without exits, the stock
                        // and the additions in one pass).
                        match self.exit_streams[i].as_mut() {
                            Some(exits) => {
                                poisson_fill_held(stream, prepared, words, current);
                                for (c, &p) in current.iter_mut().zip(previous) {
                                    *c += survivors(exits, p, ind.exit);
                                }
                            }
                            None => poisson_add_held(stream, prepared, words, previous, current),
                        }
                    }
                    ModelKind::Derived => continue,
                }
                // 6. Its cell, recorded while the row just written is in the core's first cache
                // (by the end of the year the year's other rows have pushed it out).
                self.record_cell(ctx, i, t, n, acc);
                self.recorded[i] = true;
            }
            // 5-6. Derived indicators (each recorded as it is computed), then the year's cells
            // not recorded yet (fixed history).
            self.derive_year(ctx, year, first_path, n, acc);
            self.record_year(ctx, t, n, acc);
        }

        // 7. Targets.
        for (k, target) in scenario.targets().iter().enumerate() {
            let i = target.indicator;
            let at = |year: i32| -> &[f64] {
                let start = (i * self.n_years + plan.year_index(year)) * self.chunk;
                &self.values[start..start + n]
            };
            let buffer = &mut self.outcome[..n];
            let outcome: &[f64] = match target.kind {
                // A level target's outcome is its cell's row, read where it is.
                TargetKind::Level => at(target.to),
                TargetKind::Change => {
                    for ((o, &a), &b) in buffer.iter_mut().zip(at(target.from)).zip(at(target.to)) {
                        *o = b - a;
                    }
                    buffer
                }
                TargetKind::Cumulative => {
                    buffer.fill(0.0);
                    for year in target.from..=target.to {
                        for (o, &v) in buffer.iter_mut().zip(at(year)) {
                            *o += v;
                        }
                    }
                    buffer
                }
                TargetKind::Cagr => {
                    let years = (target.to - target.from) as f64;
                    for ((o, &a), &b) in buffer.iter_mut().zip(at(target.from)).zip(at(target.to)) {
                        *o = if a > 0.0 && b >= 0.0 {
                            100.0 * ((b / a).powf(1.0 / years) - 1.0)
                        } else {
                            f64::NAN
                        };
                    }
                    buffer
                }
            };
            if let Some(p) = first_non_finite(outcome) {
                record_non_finite(acc, first_path + p as u64, k, target.to, true);
            }
            let met = &mut self.met[k * self.chunk..k * self.chunk + n];
            let mut count = 0u64;
            for (m, &o) in met.iter_mut().zip(outcome.iter()) {
                *m = target.comparison.is_met(o, target.threshold);
                count += *m as u64;
            }
            acc.target_met[k] += count;
            match ctx.keep {
                Keep::Everything if ctx.level_cells[k].is_none() => {
                    acc.target_outcomes[k].add_chunk(outcome)
                }
                Keep::Everything => {}
                Keep::TargetMoments => acc.target_outcomes[k].add_moments(outcome),
            }
        }
        // A level target's outcomes are its cell's: copied once the block's chunks are in
        // (`Context::copy_level_cells`).

        // 8. Groups and milestone pairs.
        for (g, members) in ctx.group_members.iter().enumerate() {
            // AND the members' rows together, one row at a time (a loop over contiguous flags).
            let all = &mut self.all_met[..n];
            all.fill(true);
            for &k in members {
                for (a, &m) in all
                    .iter_mut()
                    .zip(&self.met[k * self.chunk..k * self.chunk + n])
                {
                    *a &= m;
                }
            }
            acc.group_met[g] += all.iter().map(|&a| a as u64).sum::<u64>();
        }
        for (slot, &(a, b)) in acc.pairs.iter_mut().zip(&plan.milestone_pairs) {
            let (ma, mb) = (
                &self.met[a * self.chunk..a * self.chunk + n],
                &self.met[b * self.chunk..b * self.chunk + n],
            );
            let mut counts = PairCounts::default();
            for (&x, &y) in ma.iter().zip(mb) {
                counts.earlier_met += x as u64;
                counts.both_met += (x && y) as u64;
                counts.later_met_after_miss += (!x && y) as u64;
            }
            slot.earlier_met += counts.earlier_met;
            slot.both_met += counts.both_met;
            slot.later_met_after_miss += counts.later_met_after_miss;
        }
        acc.paths += n as u64;
    }

    /// Step 5 for one year: the derived indicators of `year`, in dependency order (a formula
    /// reads this year's rows and, with a lag, earlier ones, all final by now).
    fn derive_year(
        &mut self,
        ctx: &Context,
        year: i32,
        first_path: u64,
        n: usize,
        acc: &mut Accumulator,
    ) {
        let plan = ctx.plan;
        let t = plan.year_index(year);
        for &d in ctx.scenario.derived_order() {
            if year < plan.indicators[d].first_year {
                continue;
            }
            let Some(formula) = &ctx.scenario.indicators()[d].formula else {
                continue;
            };
            let range = self.cell(d, t);
            let (chunk, n_years) = (self.chunk, self.n_years);
            let starts = formula
                .slots
                .iter()
                .map(|&(source, lag)| (source * n_years + t - lag) * chunk);
            // The formula writes straight into its cell, which none of its inputs is: a
            // formula that names its own indicator, at any lag, is refused as a cycle
            // (`derived_order`), so every input lies before or after the cell.
            let (before, rest) = self.values.split_at_mut(range.start);
            let (out, after) = rest.split_at_mut(chunk);
            let inputs: Vec<&[f64]> = starts
                .map(|start| match start.checked_sub(range.end) {
                    Some(offset) => &after[offset..offset + n],
                    None => &before[start..start + n],
                })
                .collect();
            let out = &mut out[..n];
            formula.program.eval(&inputs, out, &mut self.scratch);
            if let Some(p) = first_non_finite(out) {
                record_non_finite(acc, first_path + p as u64, d, year, false);
            }
            self.record_cell(ctx, d, t, n, acc);
            self.recorded[d] = true;
        }
    }

    /// Step 6 for one year index: the cells of that year not recorded yet (`recorded`) into
    /// `acc`. Each cell has its own distribution, so the order in which a year's cells are
    /// recorded changes nothing.
    fn record_year(&self, ctx: &Context, t: usize, n: usize, acc: &mut Accumulator) {
        for i in 0..ctx.layout.slots.len() {
            if !self.recorded[i] {
                self.record_cell(ctx, i, t, n, acc);
            }
        }
    }

    /// Indicator `i`'s cell of year index `t` into `acc`.
    #[inline]
    fn record_cell(&self, ctx: &Context, i: usize, t: usize, n: usize, acc: &mut Accumulator) {
        let range = self.cell(i, t);
        let values = &self.values[range.start..range.start + n];
        match ctx.layout.slots[i][t] {
            // Moments alone still show a cell that overflows (`overflowing_cell`).
            CellSlot::Simulated(c) if ctx.keep == Keep::TargetMoments => {
                acc.cells[c].add_moments(values)
            }
            CellSlot::Simulated(c) => acc.cells[c].add_chunk(values),
            CellSlot::Fixed(c) => {
                if acc.fixed_cells[c].is_none() {
                    acc.fixed_cells[c] = Some(values[0]);
                }
            }
            CellSlot::Empty => {}
        }
    }
}

/// One year of a growth indicator's rows over a chunk's paths.
struct GrowthRows<'a> {
    /// The AR(1) shock state, updated in place.
    shock: &'a mut [f64],
    /// This year's standard normal innovations.
    z: &'a [f64],
    /// The path's trend for the year's period (percent).
    trend: &'a [f64],
    /// The events' effects on the rate this year (percentage points), for an indicator some
    /// event acts on.
    events: Option<&'a [f64]>,
    /// Last year's values.
    previous: &'a [f64],
    /// This year's values, written.
    current: &'a mut [f64],
}

impl GrowthRows<'_> {
    /// `shock = next(shock, z)`, then `current = previous * (1 + rate / 100)` with `rate =
    /// max(trend + shock + events, -99)`, a path at a time in one loop (a loop of independent
    /// paths, which the compiler vectorises).
    #[inline(always)]
    fn step(self, next: impl Fn(f64, f64) -> f64) {
        let n = self.current.len();
        let (shock, z, trend) = (&mut self.shock[..n], &self.z[..n], &self.trend[..n]);
        let (previous, current) = (&self.previous[..n], &mut self.current[..n]);
        // `* 0.01` rather than `/ 100`: within an ulp, and a division per path and year is a
        // measurable share of the run.
        match self.events {
            Some(events) => {
                let events = &events[..n];
                for p in 0..n {
                    let e = next(shock[p], z[p]);
                    shock[p] = e;
                    let rate = (trend[p] + e + events[p]).max(-99.0);
                    current[p] = previous[p] * (1.0 + rate * 0.01);
                }
            }
            None => {
                for p in 0..n {
                    let e = next(shock[p], z[p]);
                    shock[p] = e;
                    let rate = (trend[p] + e).max(-99.0);
                    current[p] = previous[p] * (1.0 + rate * 0.01);
                }
            }
        }
    }
}

fn record_non_finite(acc: &mut Accumulator, path: u64, item: usize, year: i32, is_target: bool) {
    if acc.non_finite.is_none_or(|(p, ..)| path < p) {
        acc.non_finite = Some((path, item, year, is_target));
    }
}

/// Correlates the independent draws of `members` with `factor` into `out`; returns whether the
/// correlated buffer (true) or the raw draws (false) hold the result. Even when it does, a member
/// whose correlated draw is its own draw ([`own_draw`]) is not copied there: its row is read
/// from the draws.
fn correlate(
    factor: &crate::model::correlation::Factor,
    members: &[usize],
    draws: &[f64],
    out: &mut [f64],
    chunk: usize,
    n: usize,
) -> bool {
    if factor.identity {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    if wide::correlate_rows_if_available(factor, members, draws, out, chunk, n) {
        return true;
    }
    correlate_rows::<16>(factor, members, draws, out, chunk, n);
    true
}

/// The rows of [`correlate`] for a factor that is not the identity, `BLOCK` paths at a time:
/// their sums in registers through every term (a term's pass over the whole row would load and
/// store the row once per term). Each value is still the first term's product plus the others'
/// in order, so the same bits whatever the block.
#[inline(always)]
fn correlate_rows<const BLOCK: usize>(
    factor: &crate::model::correlation::Factor,
    members: &[usize],
    draws: &[f64],
    out: &mut [f64],
    chunk: usize,
    n: usize,
) {
    for &i in members {
        if own_draw(factor, i) {
            continue;
        }
        let row = &mut out[i * chunk..i * chunk + n];
        let Some((&(first, first_weight), terms)) = factor.rows[i].split_first() else {
            row.fill(0.0);
            continue;
        };
        // Paths `start ..` of the row (at most BLOCK of them) into `block`.
        let combine = |block: &mut [f64], start: usize| {
            let source = |j: usize| &draws[j * chunk + start..][..block.len()];
            let mut sums = [0.0; BLOCK];
            for (s, &d) in sums.iter_mut().zip(source(first)) {
                *s = first_weight * d;
            }
            for &(j, weight) in terms {
                for (s, &d) in sums.iter_mut().zip(source(j)) {
                    *s += weight * d;
                }
            }
            block.copy_from_slice(&sums[..block.len()]);
        };
        let mut blocks = row.chunks_exact_mut(BLOCK);
        for (b, block) in (&mut blocks).enumerate() {
            combine(block, b * BLOCK);
        }
        let rest = blocks.into_remainder();
        combine(rest, n - rest.len());
    }
}

/// The AVX-512 form of [`correlate_rows`], built by compilers from Rust 1.89 (whose AVX-512
/// target feature it uses): the same loops, compiled for eight lanes, 32 paths a block.
#[cfg(target_arch = "x86_64")]
mod wide {
    use crate::model::correlation::Factor;

    /// [`super::correlate_rows`] with AVX-512, if the processor has it (and the compiler could
    /// build it); whether it did.
    #[rustversion::since(1.89)]
    pub(super) fn correlate_rows_if_available(
        factor: &Factor,
        members: &[usize],
        draws: &[f64],
        out: &mut [f64],
        chunk: usize,
        n: usize,
    ) -> bool {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has AVX-512F, the one feature the function is compiled for.
            unsafe { correlate_rows(factor, members, draws, out, chunk, n) };
            return true;
        }
        false
    }

    /// Without a compiler that builds the AVX-512 form: nothing done.
    #[rustversion::before(1.89)]
    pub(super) fn correlate_rows_if_available(
        _factor: &Factor,
        _members: &[usize],
        _draws: &[f64],
        _out: &mut [f64],
        _chunk: usize,
        _n: usize,
    ) -> bool {
        false
    }

    /// [`super::correlate_rows`] compiled for AVX-512 (no fused multiply-add: Rust never
    /// contracts a product and a sum, so each lane rounds as the scalar code does).
    ///
    /// # Safety
    /// The processor must have AVX-512F.
    #[rustversion::since(1.89)]
    #[target_feature(enable = "avx512f")]
    unsafe fn correlate_rows(
        factor: &Factor,
        members: &[usize],
        draws: &[f64],
        out: &mut [f64],
        chunk: usize,
        n: usize,
    ) {
        super::correlate_rows::<32>(factor, members, draws, out, chunk, n)
    }
}

/// Whether `factor` leaves member `i`'s draw as it is (its row is `1.0` times its own draw,
/// which is the draw bit for bit): the members that no correlation reaches.
#[inline]
fn own_draw(factor: &crate::model::correlation::Factor, i: usize) -> bool {
    matches!(factor.rows[i].as_slice(), &[(j, w)] if j == i && w == 1.0)
}

/// Row `i` of the correlated draws (`correlated`) or of the independent ones.
#[inline]
fn trend_scores_row<'a>(
    correlated: bool,
    draws: &'a [f64],
    out: &'a [f64],
    i: usize,
    chunk: usize,
) -> &'a [f64] {
    let source = if correlated { out } else { draws };
    &source[i * chunk..(i + 1) * chunk]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::correlation::Factor;

    /// Every form of `correlate` (AVX-512 where the processor has it) against the sums written
    /// out path by path: the first term's product plus the others' in order, bit for bit; an
    /// own draw left in place, an empty row zero.
    #[test]
    fn correlated_rows_are_the_sums_in_order() {
        let (chunk, members) = (1024, [0usize, 1, 2, 3, 4]);
        let mut x = 0x00c0_ffee_u64;
        let mut next = move || {
            x = crate::engine::rng::mix(x);
            (x >> 11) as f64 / (1u64 << 53) as f64 * 6.0 - 3.0
        };
        let factor = Factor {
            rows: vec![
                vec![(0, 1.0)],
                vec![(0, 0.6), (1, 0.8)],
                vec![(0, next()), (1, next()), (2, next())],
                vec![],
                vec![(4, next()), (2, next()), (0, next()), (1, next())],
            ],
            identity: false,
        };
        for n in [1024, 1000, 37, 1] {
            let draws: Vec<f64> = (0..members.len() * chunk).map(|_| next()).collect();
            let mut out = vec![f64::NAN; members.len() * chunk];
            assert!(correlate(&factor, &members, &draws, &mut out, chunk, n));
            for &i in &members[1..] {
                for p in 0..n {
                    let expected = match factor.rows[i].split_first() {
                        None => 0.0,
                        Some((&(j, w), terms)) => {
                            terms.iter().fold(w * draws[j * chunk + p], |s, &(j, w)| {
                                s + w * draws[j * chunk + p]
                            })
                        }
                    };
                    let got = out[i * chunk + p];
                    assert_eq!(
                        got.to_bits(),
                        expected.to_bits(),
                        "n {n}, row {i}, path {p}"
                    );
                }
            }
            assert!(
                out[..chunk].iter().all(|v| v.is_nan()),
                "an own draw is not copied"
            );
        }
    }
}
