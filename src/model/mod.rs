//! The validated model: distributions, formulas, indicators, periods, correlation, targets.

pub mod dist;
pub mod formula;
