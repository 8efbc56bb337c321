//! Correlation matrices for trend scores and yearly shocks: assembly from pairs, the Cholesky
//! factor used to correlate standard normals, and the nearest-correlation repair (Higham 2002).

use nalgebra::{DMatrix, SymmetricEigen};

/// A lower-triangular Cholesky factor stored as sparse rows, ready to correlate draws:
/// `z_i = sum_j factor[i][j] * u_j` over the listed `(j, weight)` entries.
#[derive(Debug, Clone, Default)]
pub struct Factor {
    /// For each row, the non-zero entries `(column, weight)` with column <= row.
    pub rows: Vec<Vec<(usize, f64)>>,
    /// True when the matrix is the identity (no correlation): draws are used as they are.
    pub identity: bool,
}

impl Factor {
    /// The identity factor of dimension `n`.
    pub fn identity(n: usize) -> Self {
        Factor {
            rows: (0..n).map(|i| vec![(i, 1.0)]).collect(),
            identity: true,
        }
    }
}

/// Both correlation structures of a scenario, indexed by indicator position.
#[derive(Debug, Clone, Default)]
pub struct Correlation {
    /// Factor for the per-path trend scores.
    pub trend: Factor,
    /// Factor for the yearly shocks.
    pub noise: Factor,
    /// The correlation pairs as given, for the record: (kind, a, b, rho).
    pub pairs: Vec<(String, String, String, f64)>,
    /// Common factors as given (their contributions are in the factored matrices).
    pub factors: Vec<CommonFactor>,
    /// Whether a repair was applied.
    pub repaired: bool,
}

/// A common factor: a shared standard-normal influence on several indicators' trend scores (or
/// yearly shocks). Member `a` with loading `l_a` and member `b` with `l_b` get `l_a · l_b` added
/// to their correlation, on top of any pair listed for them; written once instead of as every
/// pair, and a matrix of factor contributions alone is always positive semi-definite.
#[derive(Debug, Clone, PartialEq)]
pub struct CommonFactor {
    /// Id.
    pub id: String,
    /// `trend` or `noise`.
    pub kind: String,
    /// Display label.
    pub label: Option<String>,
    /// Members and loadings, indicator index and loading, in file order.
    pub loadings: Vec<(usize, f64)>,
}

/// The `(i, j, rho)` entries of the `kind` matrix: the listed pairs of that kind plus every
/// common factor's contributions, summed per pair.
pub fn entries(
    kind: &str,
    pairs: &[(usize, usize, f64)],
    factors: &[CommonFactor],
) -> Vec<(usize, usize, f64)> {
    let mut sum: std::collections::BTreeMap<(usize, usize), f64> = Default::default();
    for &(i, j, rho) in pairs {
        *sum.entry((i.min(j), i.max(j))).or_default() += rho;
    }
    for f in factors.iter().filter(|f| f.kind == kind) {
        for (x, &(i, li)) in f.loadings.iter().enumerate() {
            for &(j, lj) in &f.loadings[x + 1..] {
                if i != j {
                    *sum.entry((i.min(j), i.max(j))).or_default() += li * lj;
                }
            }
        }
    }
    sum.into_iter().map(|((i, j), rho)| (i, j, rho)).collect()
}

/// Why a correlation matrix cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub enum CorrelationError {
    /// The matrix is not positive definite (smallest eigenvalue given).
    NotPositiveDefinite {
        /// Smallest eigenvalue.
        min_eigenvalue: f64,
    },
    /// The matrix was not positive definite and the nearest-correlation repair did not give a
    /// usable factor either (only from [`build_factor`] with `repair`).
    RepairFailed {
        /// Smallest eigenvalue of the matrix as given.
        min_eigenvalue: f64,
    },
}

/// Builds the correlation matrix of dimension `n` from `(i, j, rho)` pairs (unlisted pairs 0).
pub fn matrix_from_pairs(n: usize, pairs: &[(usize, usize, f64)]) -> DMatrix<f64> {
    let mut m = DMatrix::<f64>::identity(n, n);
    for &(i, j, rho) in pairs {
        m[(i, j)] = rho;
        m[(j, i)] = rho;
    }
    m
}

/// The Cholesky factor of `matrix`, or the smallest eigenvalue when it is not positive definite.
pub fn factor(matrix: &DMatrix<f64>) -> Result<Factor, CorrelationError> {
    let n = matrix.nrows();
    let is_identity = (0..n).all(|i| (0..n).all(|j| i == j || matrix[(i, j)] == 0.0));
    if is_identity {
        return Ok(Factor::identity(n));
    }
    match matrix.clone().cholesky() {
        // A factor with a near-zero pivot is as good as singular; refuse it.
        Some(chol) if (0..n).all(|i| chol.l_dirty()[(i, i)] > 1e-7) => {
            let l = chol.l();
            let rows = (0..n)
                .map(|i| {
                    (0..=i)
                        .filter(|&j| l[(i, j)] != 0.0)
                        .map(|j| (j, l[(i, j)]))
                        .collect()
                })
                .collect();
            Ok(Factor {
                rows,
                identity: false,
            })
        }
        _ => Err(CorrelationError::NotPositiveDefinite {
            min_eigenvalue: SymmetricEigen::new(matrix.clone()).eigenvalues.min(),
        }),
    }
}

/// The factor of the correlations `pairs` (`(i, j, rho)`, unlisted pairs 0) among `n`
/// variables: the one rule a scenario's `[correlation]` lists go through, at load time and in
/// a checked edit. The matrix is assembled by [`matrix_from_pairs`] and factored by [`factor`];
/// when it is not positive definite and `repair` is true, the [`nearest_correlation`] matrix is
/// factored instead. Returns the factor and whether it comes from a repair.
///
/// Errors: [`CorrelationError::NotPositiveDefinite`] without `repair`;
/// [`CorrelationError::RepairFailed`] when even the repaired matrix cannot be factored.
pub fn build_factor(
    n: usize,
    pairs: &[(usize, usize, f64)],
    repair: bool,
) -> Result<(Factor, bool), CorrelationError> {
    let matrix = matrix_from_pairs(n, pairs);
    match factor(&matrix) {
        Ok(f) => Ok((f, false)),
        Err(CorrelationError::NotPositiveDefinite { min_eigenvalue }) if repair => {
            match factor(&nearest_correlation(&matrix)) {
                Ok(f) => Ok((f, true)),
                Err(_) => Err(CorrelationError::RepairFailed { min_eigenvalue }),
            }
        }
        Err(e) => Err(e),
    }
}

/// The nearest correlation matrix to `matrix` in the Frobenius norm, by Higham's alternating
/// projections with Dykstra's correction (N. J. Higham, "Computing the nearest correlation
/// matrix", IMA J. Numer. Anal. 22, 2002). Eigenvalues are floored at `1e-6` so that the result
/// is strictly positive definite and has a usable Cholesky factor.
pub fn nearest_correlation(matrix: &DMatrix<f64>) -> DMatrix<f64> {
    const FLOOR: f64 = 1e-6;
    let n = matrix.nrows();
    let mut y = matrix.clone();
    let mut correction = DMatrix::<f64>::zeros(n, n);
    for _ in 0..500 {
        let r = &y - &correction;
        let x = project_psd(&r, FLOOR);
        correction = &x - &r;
        let mut next = x.clone();
        for i in 0..n {
            next[(i, i)] = 1.0;
        }
        let change = (&next - &y).norm() / y.norm().max(1e-300);
        y = next;
        if change < 1e-12 {
            break;
        }
    }
    // Final clean-up: one more projection, then restore the unit diagonal by rescaling (keeps
    // positive definiteness, unlike overwriting the diagonal).
    let x = project_psd(&y, FLOOR);
    let d: Vec<f64> = (0..n).map(|i| x[(i, i)].sqrt()).collect();
    DMatrix::from_fn(n, n, |i, j| {
        if i == j {
            1.0
        } else {
            x[(i, j)] / (d[i] * d[j])
        }
    })
}

fn project_psd(matrix: &DMatrix<f64>, floor: f64) -> DMatrix<f64> {
    let sym = (matrix + matrix.transpose()) * 0.5;
    let eigen = SymmetricEigen::new(sym);
    let clipped = eigen.eigenvalues.map(|v| v.max(floor));
    &eigen.eigenvectors * DMatrix::from_diagonal(&clipped) * eigen.eigenvectors.transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_detected() {
        let m = matrix_from_pairs(3, &[]);
        assert!(factor(&m).unwrap().identity);
    }

    #[test]
    fn factor_reproduces_matrix() {
        let m = matrix_from_pairs(3, &[(0, 1, 0.6), (0, 2, 0.3), (1, 2, -0.2)]);
        let f = factor(&m).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let dot: f64 = f.rows[i]
                    .iter()
                    .filter_map(|&(k, a)| {
                        f.rows[j]
                            .iter()
                            .find(|&&(l, _)| l == k)
                            .map(|&(_, b)| a * b)
                    })
                    .sum();
                assert!((dot - m[(i, j)]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn non_positive_definite_is_refused_and_repaired() {
        // rho(a,b) = rho(a,c) = 0.9 but rho(b,c) = -0.9 cannot hold together.
        let m = matrix_from_pairs(3, &[(0, 1, 0.9), (0, 2, 0.9), (1, 2, -0.9)]);
        let err = factor(&m).unwrap_err();
        let CorrelationError::NotPositiveDefinite { min_eigenvalue } = err else {
            panic!("expected NotPositiveDefinite, got {err:?}");
        };
        assert!(min_eigenvalue < 0.0);
        let repaired = nearest_correlation(&m);
        assert!(factor(&repaired).is_ok());
        for i in 0..3 {
            assert_eq!(repaired[(i, i)], 1.0);
        }
        // The repair moves the matrix as little as needed: still strongly positive a-b.
        assert!(repaired[(0, 1)] > 0.4);
    }

    #[test]
    fn build_factor_follows_factor_and_repair() {
        let bad = [(0, 1, 0.9), (0, 2, 0.9), (1, 2, -0.9)];
        // Without repair: the same refusal as `factor`.
        let m = matrix_from_pairs(3, &bad);
        assert_eq!(
            build_factor(3, &bad, false).unwrap_err(),
            factor(&m).unwrap_err()
        );
        // With repair: the factor of the nearest correlation matrix, flagged as repaired.
        let (f, repaired) = build_factor(3, &bad, true).expect("repairable");
        assert!(repaired);
        let direct = factor(&nearest_correlation(&m)).expect("repaired matrix factors");
        assert_eq!(f.rows, direct.rows);
        // A valid matrix is factored as it is, repair or not.
        let good = [(0, 1, 0.5)];
        for repair in [false, true] {
            let (f, repaired) = build_factor(2, &good, repair).expect("valid");
            assert!(!repaired);
            assert_eq!(
                f.rows,
                factor(&matrix_from_pairs(2, &good)).expect("valid").rows
            );
        }
        assert!(build_factor(4, &[], false).expect("identity").0.identity);
    }
}
