//! Special functions and exact samplers behind the distributions of `model::dist` and
//! the engine: the standard normal, gamma and beta functions, the Student-t, the cubic Hermite
//! starting-value tables, and Poisson draws.

pub(crate) mod beta;
pub(crate) mod hermite;
pub mod normal;
pub mod poisson;
pub mod poisson_table;
pub(crate) mod student_t;
