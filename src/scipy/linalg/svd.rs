//! `jax.scipy.linalg.svd` and `polar`.

use crate::core::array::Array;
use crate::lax;
use crate::lax::linalg::util::mh;
use crate::numpy::array_like::ArrayLike;
use crate::numpy::matmul;
use crate::numpy::promote::promote_to_inexact;

/// `jax.scipy.linalg.svd(a, full_matrices, compute_uv)`: `[u, s, vh]` with
/// `a = u @ diag(s) @ vh` (`s` descending), or `[s]` without `compute_uv`.
pub fn svd(a: impl ArrayLike, full_matrices: bool, compute_uv: bool) -> Vec<Array> {
    let mut o = lax::svd(
        &promote_to_inexact(&a.to_array()),
        full_matrices,
        compute_uv,
    );
    if compute_uv {
        o.swap(0, 1);
    }
    o
}

/// `jax.scipy.linalg.polar(a, side, method)` of `(..., m, n)` matrices: `(u, p)` with
/// `u` unitary (or with orthonormal columns/rows) and `p` positive
/// semidefinite, `a = u @ p` (`side = "right"`) or `a = p @ u` (`"left"`).
/// Both methods compute the factors from the SVD; `"qdwh"` (JAX's
/// default, an iteration converging to the same factors) keeps JAX's
/// restriction to `m >= n` for `"right"` and `m < n` for `"left"`.
pub fn polar(a: impl ArrayLike, side: &str, method: &str) -> (Array, Array) {
    let a = promote_to_inexact(&a.to_array());
    if a.ndim() < 2 {
        panic!("ValueError: The input `a` must be at least a 2-D array.");
    }
    if side != "right" && side != "left" {
        panic!("ValueError: The argument `side` must be either 'right' or 'left'.");
    }
    let nd = a.ndim();
    let (m, n) = (a.shape()[nd - 2], a.shape()[nd - 1]);
    match method {
        "svd" => {}
        "qdwh" if (m >= n && side == "right") || (m < n && side == "left") => {}
        "qdwh" => panic!(
            "NotImplementedError: method='qdwh' only supports mxn matrices where m < n where \
             side='right' and m >= n side='left', got ({m}, {n}) with side='{side}'"
        ),
        _ => panic!("ValueError: Unknown polar decomposition method {method}."),
    }
    let o = lax::svd(&a, false, true);
    let (s, u, vh) = (&o[0], &o[1], &o[2]);
    let unitary = matmul(u, vh);
    let s = lax::convert_element_type(s, a.dtype());
    let rows = crate::numpy::expand_dims(&s, vec![-1]);
    let p = if side == "right" {
        matmul(mh(vh), &rows * vh)
    } else {
        matmul(u, &rows * mh(u))
    };
    (unitary, p)
}
