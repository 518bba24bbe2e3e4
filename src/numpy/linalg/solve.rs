//! `jnp.linalg.solve` and `jnp.linalg.inv`: LU with partial pivoting, with
//! JAX's derivative rule that reuses the factorization.

use super::util::{broadcast_batch, inexact_pair, to_batch};
use crate::core::array::Array;
use crate::core::shape::fmt_tuple;
use crate::lax;
use crate::transforms::custom::custom_jvp;

/// `jnp.linalg.solve`: `x` with `a @ x == b`, for `a` of shape `(..., n, n)`
/// and `b` of shape `(n,)` (one vector, broadcast over `a`'s batch) or
/// `(..., n, m)` (leading dims broadcast). Promotes to a common float dtype;
/// a singular `a` gives inf/NaN.
///
/// ```
/// use jaxide::prelude::*;
/// let a = jnp::array([[3.0f32, 1.0], [1.0, 2.0]]);
/// let x = jnp::linalg::solve(&a, &jnp::array([9.0f32, 8.0]));
/// assert_eq!(x.to_vec::<f32>(), vec![2.0, 3.0]);
/// ```
pub fn solve(a: &Array, b: &Array) -> Array {
    let (a, b) = inexact_pair(a, b);
    if a.ndim() < 2 {
        panic!(
            "ValueError: left hand array must be at least two dimensional; got a.shape={}",
            fmt_tuple(a.shape())
        );
    }
    let (an, bn) = (a.ndim(), b.ndim());
    if bn > 1
        && an == bn + 1
        && a.shape()[an - 1] == b.shape()[bn - 1]
        && a.shape()[an - 1] != b.shape()[bn - 2]
    {
        panic!(
            "ValueError: Invalid shapes for solve: {}, {}. Prior to JAX v0.5.0, this would have \
             been treated as a batched 1-dimensional solve. To recover this behavior, use \
             solve(a, b[..., None]).squeeze(-1).",
            fmt_tuple(a.shape()),
            fmt_tuple(b.shape())
        );
    }
    let core_b = if bn == 1 { 1 } else { 2 };
    if bn < core_b.max(1)
        || a.shape()[an - 1] != a.shape()[an - 2]
        || b.shape()[bn - core_b] != a.shape()[an - 1]
    {
        panic!(
            "ValueError: The arguments to solve must have shapes a=[..., m, m] and b=[..., m, k] \
             or b=[..., m]; got a={} and b={}",
            fmt_tuple(a.shape()),
            fmt_tuple(b.shape())
        );
    }
    let batch = broadcast_batch("solve", &a.shape()[..an - 2], &b.shape()[..bn - core_b]);
    let a = to_batch(&a, &batch, 2);
    let b = to_batch(&b, &batch, core_b);
    solve_broadcast(&a, &b)
}

/// Solves with `a` (`(..., n, n)`) and `b` (`(..., n)` or `(..., n, k)`)
/// of equal batch dims. Its jvp reuses the LU factors:
/// `ẋ = a⁻¹ (ḃ - ȧ x)`, which is linear, so reverse mode transposes it.
pub(crate) fn solve_broadcast(a: &Array, b: &Array) -> Array {
    let f = custom_jvp(
        |ab: &(Array, Array)| lu_solve_with(&ab.0, &ab.1).0,
        |p: &(Array, Array), t: &(Array, Array)| {
            let (x, lu, perm) = lu_solve_with(&p.0, &p.1);
            let ax = lax::linalg::util::matmul_rhs(&t.0, &x);
            let rhs = lax::sub(&t.1, &ax);
            (x, lax::linalg::lu_solve(&lu, &perm, &rhs, 0))
        },
    );
    f(&(a.clone(), b.clone()))
}

/// `(x, lu, permutation)`: the solution from a fresh LU factorization.
fn lu_solve_with(a: &Array, b: &Array) -> (Array, Array, Array) {
    let (lu, _, perm) = lax::linalg::lu(a);
    let x = lax::linalg::lu_solve(&lu, &perm, b, 0);
    (x, lu, perm)
}

/// `jnp.linalg.inv`: the inverse of each square matrix of `a` (`(..., n,
/// n)`), by solving against the identity. Singular matrices give inf/NaN.
pub fn inv(a: &Array) -> Array {
    let nd = a.ndim();
    if nd < 2 || a.shape()[nd - 1] != a.shape()[nd - 2] {
        panic!(
            "ValueError: Argument to inv must have shape [..., n, n], got {}.",
            fmt_tuple(a.shape())
        );
    }
    let a = super::util::inexact(a);
    let n = a.shape()[nd - 1];
    let eye = lax::linalg::util::eye(a.dtype(), &a.shape()[..nd - 2], n);
    solve(&a, &eye)
}
