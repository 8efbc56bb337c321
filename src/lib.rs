//! plancast: the probability of reaching each target of a public plan, by Monte Carlo simulation.
//!
//! Data flows one way (see `docs/architecture.md`): [`scenario`] (the file as written -> the
//! validated model) -> [`model`] (the validated scenario, changed only through checked edits) ->
//! [`engine`] (parallel simulation into mergeable accumulators, and the one reader of a finished
//! simulation) -> [`report`] (the summary record, tables, CSV, JSON, charts and the HTML report).
//! [`analysis`] drives the model's checked edits and the engine and returns result types;
//! [`numeric`] and [`stats`] are the mathematics underneath. [`cli`] and [`app`] are the edge:
//! flags are parsed and checked there once, and nothing below knows about them.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod engine;
pub mod model;
pub mod numeric;
pub mod report;
pub mod scenario;
pub mod stats;
