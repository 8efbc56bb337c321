//! plancast: the probability of reaching each target of a public plan, by Monte Carlo simulation.

pub mod model;
