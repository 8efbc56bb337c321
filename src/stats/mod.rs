//! Statistics over paths: binomial intervals, mergeable moments and a mergeable quantile sketch.

pub mod interval;
pub mod moments;
pub mod scan;
pub mod sketch;
