//! The bounded distributions with a mode: triangular (closed-form inverse CDF) and beta-PERT
//! (Malcolm, Roseboom, Clark & Fazar 1959; Vose 2008), whose quantile inverts the regularized
//! incomplete beta function (Press et al. 2007, "Numerical Recipes", 3rd ed., 6.4).

use crate::numeric::beta::{beta_quantile_tabled, inc_beta};
use crate::numeric::hermite::HermiteTable;

/// Parameters of [`Dist::Triangular`](super::Dist::Triangular), with the relative position of the
/// mode precomputed.
#[derive(Debug, Clone, PartialEq)]
pub struct Triangular {
    pub(super) min: f64,
    pub(super) mode: f64,
    pub(super) max: f64,
    /// `(mode - min) / (max - min)`: the CDF at the mode.
    pub(super) f_mode: f64,
    /// `(max - mode) / (max - min)`.
    pub(super) g_mode: f64,
}

/// Parameters of [`Dist::Pert`](super::Dist::Pert): a beta-PERT (lambda = 4), i.e. `min + (max -
/// min) * B` with `B ~ Beta(alpha, beta)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pert {
    pub(super) min: f64,
    pub(super) mode: f64,
    pub(super) max: f64,
    pub(super) alpha: f64,
    pub(super) beta: f64,
    /// `ln B(alpha, beta)`.
    pub(super) ln_beta: f64,
    /// Starting values for the quantile below the median (`Beta(alpha, beta)`) and above it
    /// (`Beta(beta, alpha)`, for `1 - B`).
    pub(super) lower_table: HermiteTable,
    pub(super) upper_table: HermiteTable,
}

impl Triangular {
    /// Closed-form inverse CDF: `min + (max - min) sqrt(p f_mode)` below the mode,
    /// `max - (max - min) sqrt((1 - p) g_mode)` above it.
    ///
    /// Where the result lies in the far half of the range (possible only when the mode sits at
    /// a bound), the algebraically equal forms `min + range (f + p g) / (1 + sqrt((1 - p) g))`
    /// and `max - range (g + (1 - p) f) / (1 + sqrt(p f))` avoid the cancellation in
    /// `1 - sqrt(1 - ...)`.
    pub(super) fn quantile(&self, p: f64) -> f64 {
        let range = self.max - self.min;
        let (f, g) = (self.f_mode, self.g_mode);
        let x = if p < f {
            let w = p * f;
            if w <= 0.25 {
                self.min + range * w.sqrt()
            } else {
                self.max - range * (g + (1.0 - p) * f) / (1.0 + w.sqrt())
            }
        } else {
            let w = (1.0 - p) * g;
            if w <= 0.25 {
                self.max - range * w.sqrt()
            } else {
                self.min + range * (f + p * g) / (1.0 + w.sqrt())
            }
        };
        x.clamp(self.min, self.max)
    }

    pub(super) fn cdf(&self, x: f64) -> f64 {
        let range = self.max - self.min;
        if x <= self.min {
            0.0
        } else if x >= self.max {
            1.0
        } else if x < self.mode {
            let u = (x - self.min) / range;
            u * u / self.f_mode
        } else {
            let u = (x - self.min) / range;
            if u < 0.5 {
                // 1 - (1 - u)^2 / g = (u (2 - u) - f) / g, without cancellation near min.
                (u * (2.0 - u) - self.f_mode) / self.g_mode
            } else {
                let v = (self.max - x) / range;
                1.0 - v * v / self.g_mode
            }
        }
    }
}

impl Pert {
    /// Inverse CDF through the inverse regularized incomplete beta function. For `p <= 1/2`
    /// it solves `I_z(alpha, beta) = p` and returns `min + range z`; above, it solves
    /// `I_w(beta, alpha) = 1 - p` and returns `max - range w`, so both tails keep full
    /// relative accuracy.
    pub(super) fn quantile(&self, p: f64) -> f64 {
        let range = self.max - self.min;
        let x = if p <= 0.5 {
            self.min
                + range
                    * beta_quantile_tabled(
                        p,
                        self.alpha,
                        self.beta,
                        self.ln_beta,
                        &self.lower_table,
                    )
        } else {
            self.max
                - range
                    * beta_quantile_tabled(
                        1.0 - p,
                        self.beta,
                        self.alpha,
                        self.ln_beta,
                        &self.upper_table,
                    )
        };
        x.clamp(self.min, self.max)
    }

    pub(super) fn cdf(&self, x: f64) -> f64 {
        if x <= self.min {
            return 0.0;
        }
        if x >= self.max {
            return 1.0;
        }
        let range = self.max - self.min;
        let (z, w) = ((x - self.min) / range, (self.max - x) / range);
        inc_beta(z, w, z.ln(), w.ln(), self.alpha, self.beta, self.ln_beta).0
    }
}
