//! `jax.scipy.linalg.cholesky`, `cho_factor` and `cho_solve`.

use super::util::vectorized_left_solve;
use crate::core::array::Array;
use crate::lax;
use crate::lax::linalg::util::mh;
use crate::lax::linalg::TriangularSolveOptions;
use crate::numpy::promote::{promote_dtypes, promote_to_inexact};

/// `jax.scipy.linalg.cholesky`: the Cholesky factor of each Hermitian
/// positive-definite matrix of `a`: upper `U` (`a = Uᴴ U`, SciPy's default)
/// or, with `lower`, `L` (`a = L Lᴴ`). Reads only that triangle of `a`.
pub fn cholesky(a: &Array, lower: bool) -> Array {
    let a = promote_to_inexact(a);
    let adjoint = |x: &Array| mh(x);
    if lower {
        lax::linalg::cholesky(&a, false)
    } else {
        adjoint(&lax::linalg::cholesky(&adjoint(&a), false))
    }
}

/// `jax.scipy.linalg.cho_factor`: `(c, lower)` for [`cho_solve`]; `c` is
/// [`cholesky`]'s factor (the other triangle is zero).
pub fn cho_factor(a: &Array, lower: bool) -> (Array, bool) {
    (cholesky(a, lower), lower)
}

/// `jax.scipy.linalg.cho_solve`: solves `a x = b` from `cho_factor(a)`; `b`
/// is `(n,)` or `(..., n, k)`.
pub fn cho_solve(c_and_lower: (&Array, bool), b: &Array) -> Array {
    let (c, lower) = c_and_lower;
    let v = promote_dtypes(&[c, b]);
    let (c, b) = (promote_to_inexact(&v[0]), promote_to_inexact(&v[1]));
    let first = TriangularSolveOptions {
        left_side: true,
        lower,
        transpose_a: !lower,
        conjugate_a: !lower,
        unit_diagonal: false,
    };
    let y = vectorized_left_solve(&c, &b, first);
    let second = TriangularSolveOptions {
        transpose_a: lower,
        conjugate_a: lower,
        ..first
    };
    vectorized_left_solve(&c, &y, second)
}
