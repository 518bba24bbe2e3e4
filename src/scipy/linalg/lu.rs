//! `jax.scipy.linalg.lu`, `lu_factor` and `lu_solve`.

use crate::core::array::Array;
use crate::core::shape::fmt_tuple;
use crate::lax;
use crate::numpy::promote::{promote_dtypes, promote_to_inexact};

/// `jax.scipy.linalg.lu`: `(p, l, u)` with `a = p @ l @ u` for a matrix `a`
/// (`(m, n)`): `p` a permutation matrix, `l` unit lower trapezoidal (`(m,
/// k)`), `u` upper trapezoidal (`(k, n)`), `k = min(m, n)`.
pub fn lu(a: &Array) -> (Array, Array, Array) {
    let a = promote_to_inexact(a);
    if a.ndim() != 2 {
        panic!(
            "ValueError: jax.scipy.linalg.lu requires a matrix of shape (m, n), got {}",
            fmt_tuple(a.shape())
        );
    }
    let (m, n) = (a.shape()[0], a.shape()[1]);
    let k = m.min(n);
    let dtype = a.dtype();
    let (lu, _, perm) = lax::linalg::lu(&a);
    // p[i, j] = (perm[j] == i): the transpose of the row-gather matrix.
    let p = lax::linalg::util::mt(&lax::linalg::permutation_matrix(&perm, dtype));
    let l = lax::slice(&lax::linalg::util::tril(&lu, -1), &[0, 0], &[m, k]);
    let eye = lax::slice(
        &lax::linalg::util::eye(dtype, &[], m.max(k)),
        &[0, 0],
        &[m, k],
    );
    let l = lax::add(&l, &eye);
    let u = lax::slice(&lax::linalg::util::triu(&lu, 0), &[0, 0], &[k, n]);
    (p, l, u)
}

/// `jax.scipy.linalg.lu(a, permute_l=True)`: `(p @ l, u)`.
pub fn lu_permute_l(a: &Array) -> (Array, Array) {
    let (p, l, u) = lu(a);
    (lax::linalg::util::matmul(&p, &l), u)
}

/// `jax.scipy.linalg.lu_factor`: `(lu, piv)`, the packed factors and the
/// int32 row swaps (LAPACK's `getrf`, 0-based), batched over leading dims.
pub fn lu_factor(a: &Array) -> (Array, Array) {
    let (lu, pivots, _) = lax::linalg::lu(&promote_to_inexact(a));
    (lu, pivots)
}

/// `jax.scipy.linalg.lu_solve`: solves `a x = b` (`trans` 0), `aᵀ x = b`
/// (1) or `aᴴ x = b` (2) from `lu_factor(a)`. `b` is `(n,)` or `(..., n, k)`.
pub fn lu_solve(lu_and_piv: (&Array, &Array), b: &Array, trans: u8) -> Array {
    let (lu, pivots) = lu_and_piv;
    if trans > 2 {
        panic!("ValueError: 'trans' value must be 0, 1, or 2, got {trans}");
    }
    let v = promote_dtypes(&[lu, b]);
    let (lu, b) = (promote_to_inexact(&v[0]), promote_to_inexact(&v[1]));
    if lu.ndim() < 2 {
        panic!(
            "ValueError: last two dimensions of LU decomposition must be equal, got shape {}",
            fmt_tuple(lu.shape())
        );
    }
    let m = lu.shape()[lu.ndim() - 2];
    let perm = lax::linalg::lu_pivots_to_permutation(pivots, m);
    let (ln, bn) = (lu.ndim(), b.ndim());
    let vector = bn == 1 || (ln == bn + 1 && lu.shape()[ln - 1] == b.shape()[bn - 1]);
    let core = if vector { 1 } else { 2 };
    if bn < core {
        panic!(
            "ValueError: b matrix must have rank >= 1, got shape {}",
            fmt_tuple(b.shape())
        );
    }
    let batch = crate::numpy::promote::broadcast_shapes(
        "lu_solve",
        &[
            &lu.shape()[..ln - 2],
            &perm.shape()[..perm.ndim() - 1],
            &b.shape()[..bn - core],
        ],
    );
    let lu = super::util::to_batch(&lu, &batch, 2);
    let perm = super::util::to_batch(&perm, &batch, 1);
    let b = super::util::to_batch(&b, &batch, core);
    lax::linalg::lu_solve(&lu, &perm, &b, trans)
}
