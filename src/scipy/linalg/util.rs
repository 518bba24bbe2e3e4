//! Helpers of the `jax.scipy.linalg` functions.

use crate::core::array::Array;
use crate::core::shape::fmt_tuple;
use crate::lax::linalg::{triangular_solve_with, TriangularSolveOptions};
pub(crate) use crate::numpy::linalg::util::to_batch;
use crate::numpy::promote::broadcast_shapes;

/// A left-side triangular solve with SciPy's (`jnp.vectorize`) shapes: `b`
/// is one vector `(n,)` (or, deprecated, a batch of vectors `(..., n)` with
/// one axis fewer than `a`) or `(..., n, k)`; batch dims broadcast.
pub(crate) fn vectorized_left_solve(
    a: &Array,
    b: &Array,
    options: TriangularSolveOptions,
) -> Array {
    let (an, bn) = (a.ndim(), b.ndim());
    if an < 2 || a.shape()[an - 1] != a.shape()[an - 2] {
        panic!(
            "ValueError: The triangular matrix must have shape (..., n, n), got {}",
            fmt_tuple(a.shape())
        );
    }
    let n = a.shape()[an - 1];
    let vector = bn == 1 || (an == bn + 1 && a.shape()[an - 1] == b.shape()[bn - 1]);
    let core = if vector { 1 } else { 2 };
    if bn < core || b.shape()[bn - core] != n {
        panic!(
            "ValueError: solve shapes do not match: a={} needs b=(..., {n}) or (..., {n}, k), got \
             b={}",
            fmt_tuple(a.shape()),
            fmt_tuple(b.shape())
        );
    }
    let batch = broadcast_shapes(
        "solve_triangular",
        &[&a.shape()[..an - 2], &b.shape()[..bn - core]],
    );
    let a = to_batch(a, &batch, 2);
    let b = to_batch(b, &batch, core);
    triangular_solve_with(
        &a,
        &b,
        TriangularSolveOptions {
            left_side: true,
            ..options
        },
    )
}

/// The `(lower, transpose, conjugate)` of SciPy's `trans` (0 `N`, 1 `T`, 2 `C`).
pub(crate) fn trans_flags(trans: u8) -> (bool, bool) {
    match trans {
        0 => (false, false),
        1 => (true, false),
        2 => (true, true),
        t => panic!("ValueError: Invalid 'trans' value {t}"),
    }
}
