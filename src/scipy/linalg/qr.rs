//! `jax.scipy.linalg.qr` (no pivoting).

use crate::core::array::Array;
use crate::lax;
use crate::numpy::array_like::ArrayLike;
use crate::numpy::promote::promote_to_inexact;

/// `jax.scipy.linalg.qr(a, mode=...)` of `(..., m, n)` matrices: `"full"`
/// gives `[q, r]` with a square `q`, `"economic"` gives `[q, r]` with
/// `k = min(m, n)`, `"r"` gives `[r]` (`(..., m, n)`, as SciPy's full mode).
/// Column pivoting is not provided.
///
/// ```
/// use jaxide::numpy as jnp;
/// let o = jaxide::scipy::linalg::qr(jnp::ones([3, 2]), "full");
/// assert_eq!((o[0].shape(), o[1].shape()), (&[3, 3][..], &[3, 2][..]));
/// ```
pub fn qr(a: impl ArrayLike, mode: &str) -> Vec<Array> {
    let full = match mode {
        "full" | "r" => true,
        "economic" => false,
        _ => panic!("ValueError: Unsupported QR decomposition mode '{mode}'"),
    };
    let (q, r) = lax::qr(&promote_to_inexact(&a.to_array()), full);
    if mode == "r" {
        vec![r]
    } else {
        vec![q, r]
    }
}
