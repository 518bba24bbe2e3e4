//! `jax.scipy.linalg.eigh` (the standard problem, `b = None`).

use crate::core::array::Array;
use crate::lax;
use crate::numpy::array_like::ArrayLike;
use crate::numpy::promote::promote_to_inexact;

/// `jax.scipy.linalg.eigh(a, lower=...)`: eigenvalues `w` (ascending) and
/// eigenvectors `v` (columns) of symmetric/Hermitian `(..., n, n)`
/// matrices, the input symmetrized first as JAX does.
pub fn eigh(a: impl ArrayLike, lower: bool) -> (Array, Array) {
    let (v, w) = lax::eigh(&promote_to_inexact(&a.to_array()), lower, true, true);
    (w, v)
}

/// `jax.scipy.linalg.eigh(a, lower=..., eigvals_only=True)`: the eigenvalues only.
pub fn eigh_eigvals_only(a: impl ArrayLike, lower: bool) -> Array {
    eigh(a, lower).0
}
