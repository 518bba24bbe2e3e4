//! `jax.scipy.linalg.solve_triangular`.

use super::util::{trans_flags, vectorized_left_solve};
use crate::core::array::Array;
use crate::lax::linalg::TriangularSolveOptions;
use crate::numpy::promote::{promote_dtypes, promote_to_inexact};

/// Options of [`solve_triangular_with`] (SciPy's keywords).
#[derive(Copy, Clone, Debug, Default)]
pub struct SolveTriangular {
    /// 0 solves `a x = b`, 1 `aᵀ x = b`, 2 `aᴴ x = b`.
    pub trans: u8,
    /// Whether `a` is lower triangular (default upper).
    pub lower: bool,
    /// Whether the diagonal of `a` is taken as ones (and not read).
    pub unit_diagonal: bool,
}

/// `jax.scipy.linalg.solve_triangular`: `x` with `a x = b` for upper
/// triangular `a` (`(..., n, n)`); `b` is `(n,)` or `(..., n, k)`.
pub fn solve_triangular(a: &Array, b: &Array) -> Array {
    solve_triangular_with(a, b, SolveTriangular::default())
}

/// [`solve_triangular`] with options (`trans`, `lower`, `unit_diagonal`).
pub fn solve_triangular_with(a: &Array, b: &Array, options: SolveTriangular) -> Array {
    let (transpose_a, conjugate_a) = trans_flags(options.trans);
    let v = promote_dtypes(&[a, b]);
    let (a, b) = (promote_to_inexact(&v[0]), promote_to_inexact(&v[1]));
    let opts = TriangularSolveOptions {
        left_side: true,
        lower: options.lower,
        transpose_a,
        conjugate_a,
        unit_diagonal: options.unit_diagonal,
    };
    vectorized_left_solve(&a, &b, opts)
}
