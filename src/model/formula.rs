//! Formulas (owned by helper).
