//! Matrix decompositions built from lax primitives (so `grad`, `jit` and
//! `vmap` work through them): `cholesky`. The column loop is unrolled at
//! trace time (the matrix size is static), which suits the small matrices
//! of covariance factors; a LAPACK-backed primitive is the path for large ones.

use crate::core::array::Array;
use crate::core::shape::fmt_tuple;
use crate::lax;
use crate::transforms::vmap::vmap;

/// The lower Cholesky factor `L` with `L @ L.T == a` (`jnp.linalg.cholesky`)
/// for a symmetric positive-definite float `a` of shape `(..., n, n)`. Like
/// JAX it reads the symmetrized input `(a + a.T) / 2`. Not positive
/// definite: NaNs from the first failing column on.
pub fn cholesky(a: &Array) -> Array {
    let nd = a.ndim();
    if nd < 2 || a.shape()[nd - 1] != a.shape()[nd - 2] {
        panic!(
            "ValueError: cholesky requires a square matrix (or a stack of them) of shape \
             (..., n, n), got {}.",
            fmt_tuple(a.shape())
        );
    }
    if !a.dtype().is_float() {
        panic!(
            "TypeError: cholesky requires a float matrix, got {}. Convert first, e.g. \
             a.astype(DType::F32).",
            a.dtype()
        );
    }
    if nd > 2 {
        return vmap(|m: &Array| cholesky(m))(a);
    }
    let n = a.shape()[0];
    let half = lax::ad_util::scalar_like(a, 0.5);
    let sym = lax::mul(&lax::add(a, &lax::transpose(a, &[1, 0])), &half);
    let mut columns: Vec<Array> = Vec::with_capacity(n);
    for j in 0..n {
        // a[j:, j] - L[j:, :j] @ L[j, :j]
        let mut col = lax::reshape(&lax::slice(&sym, &[j, j], &[n, j + 1]), &[n - j]);
        if j > 0 {
            let done = lax::concatenate(&columns.iter().collect::<Vec<_>>(), 1);
            let below = lax::slice(&done, &[j, 0], &[n, j]);
            let row = lax::reshape(&lax::slice(&done, &[j, 0], &[j + 1, j]), &[j]);
            let dot = lax::dot_general(&below, &row, (&[1], &[0]), (&[], &[]), Some(a.dtype()));
            col = lax::sub(&col, &dot);
        }
        let pivot = lax::sqrt(&lax::reshape(&lax::slice(&col, &[0], &[1]), &[]));
        let scaled = lax::div(&col, &pivot);
        let zero = lax::ad_util::scalar_like(a, 0.0);
        let full = lax::pad(&scaled, &zero, &[(j as i64, 0, 0)]);
        columns.push(lax::reshape(&full, &[n, 1]));
    }
    lax::concatenate(&columns.iter().collect::<Vec<_>>(), 1)
}
