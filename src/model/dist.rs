//! Distributions (owned by helper).
