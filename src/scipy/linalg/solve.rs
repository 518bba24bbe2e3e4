//! `jax.scipy.linalg.solve`, `inv` and `det`.

use crate::core::array::Array;
use crate::core::shape::fmt_tuple;
use crate::lax;
use crate::numpy::promote::{promote_dtypes, promote_to_inexact};
use crate::transforms::custom::custom_jvp;

/// Options of [`solve_with`] (SciPy's keywords).
#[derive(Copy, Clone, Debug)]
pub struct Solve {
    /// `"gen"` (LU; the default), `"sym"`, `"her"` (both LU, as in JAX) or
    /// `"pos"` (Cholesky, for positive-definite `a`).
    pub assume_a: &'static str,
    /// With `"pos"`: factor from the lower triangle (default upper).
    pub lower: bool,
}

impl Default for Solve {
    fn default() -> Self {
        Solve {
            assume_a: "gen",
            lower: false,
        }
    }
}

/// `jax.scipy.linalg.solve`: `x` with `a @ x == b` (see [`crate::numpy::linalg::solve`]).
pub fn solve(a: &Array, b: &Array) -> Array {
    solve_with(a, b, Solve::default())
}

/// [`solve`] with options (`assume_a`, `lower`).
pub fn solve_with(a: &Array, b: &Array, options: Solve) -> Array {
    match options.assume_a {
        "gen" | "sym" | "her" => crate::numpy::linalg::solve(a, b),
        "pos" => solve_pos(a, b, options.lower),
        other => panic!(
            "ValueError: Expected assume_a to be one of ['gen', 'sym', 'her', 'pos']; got '{other}'"
        ),
    }
}

/// A positive-definite solve through Cholesky; the jvp reuses the factor:
/// `ẋ = a⁻¹ (ḃ - ȧ x)`.
fn solve_pos(a: &Array, b: &Array, lower: bool) -> Array {
    let v = promote_dtypes(&[a, b]);
    let (a, b) = (promote_to_inexact(&v[0]), promote_to_inexact(&v[1]));
    let (an, bn) = (a.ndim(), b.ndim());
    if !(an >= 2
        && (bn == an || bn + 1 == an)
        && a.shape()[an - 1] == a.shape()[an - 2]
        && b.shape()[an - 2] == a.shape()[an - 1])
    {
        panic!(
            "ValueError: The arguments to solve must have shapes a=[..., m, m] and b=[..., m, k] \
             or b=[..., m]; got a={} and b={}",
            fmt_tuple(a.shape()),
            fmt_tuple(b.shape())
        );
    }
    let solve_with_factor = move |a: &Array, b: &Array| {
        let c = super::cholesky(a, lower);
        (super::cho_solve((&c, lower), b), c)
    };
    let f = custom_jvp(
        move |ab: &(Array, Array)| solve_with_factor(&ab.0, &ab.1).0,
        move |p: &(Array, Array), t: &(Array, Array)| {
            let (x, c) = solve_with_factor(&p.0, &p.1);
            let ax = lax::linalg::util::matmul_rhs(&t.0, &x);
            let rhs = lax::sub(&t.1, &ax);
            (x, super::cho_solve((&c, lower), &rhs))
        },
    );
    f(&(a, b))
}

/// `jax.scipy.linalg.inv` (= [`crate::numpy::linalg::inv`]).
pub fn inv(a: &Array) -> Array {
    crate::numpy::linalg::inv(a)
}

/// `jax.scipy.linalg.det` (= [`crate::numpy::linalg::det`]).
pub fn det(a: &Array) -> Array {
    crate::numpy::linalg::det(a)
}
