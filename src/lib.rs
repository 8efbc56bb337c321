//! plancast: the probability of reaching each target of a public plan, by Monte Carlo simulation.
//!
//! Data flows one way: [`scenario`] (files -> validated model) -> [`model`] -> [`engine`]
//! (parallel simulation into mergeable accumulators) -> [`stats`] -> [`report`].

pub mod analysis;
pub mod app;
pub mod app_analysis;
pub mod app_charts;
pub mod cli;
pub mod engine;
pub mod fuzzing;
pub mod model;
pub mod numeric;
pub mod plots;
pub mod precision;
pub mod progress;
pub mod report;
pub mod scenario;
pub mod shard;
pub mod stats;
