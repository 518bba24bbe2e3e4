//! The array-API spellings in `jnp.linalg` that are thin views of jnp
//! functions over the last axes: `cross` (3-vectors only), `diagonal`,
//! `trace`, `vecdot` and `outer` (1-d only).

use crate::core::array::Array;
use crate::core::shape::canonicalize_axis;
use crate::numpy::array_like::ArrayLike;

/// Cross products of 3-vectors along `axis` (`jnp.linalg.cross(x1, x2,
/// axis=axis)`); unlike `jnp.cross`, 2-vectors are rejected.
pub fn cross(x1: impl ArrayLike, x2: impl ArrayLike, axis: isize) -> Array {
    let (a, b) = (x1.to_array(), x2.to_array());
    let na = a.shape()[canonicalize_axis(axis, a.ndim(), "jnp.linalg.cross")];
    let nb = b.shape()[canonicalize_axis(axis, b.ndim(), "jnp.linalg.cross")];
    if na != 3 || nb != 3 {
        panic!(
            "ValueError: Both input arrays must be (arrays of) 3-dimensional vectors, but they \
             have x1.shape[axis]={na} and x2.shape[axis]={nb}"
        );
    }
    crate::numpy::cross_axes(a, b, axis, axis, axis)
}

/// The diagonals of the matrices in the last two axes, offset above (`> 0`)
/// or below (`< 0`) the main one (`jnp.linalg.diagonal(x, offset=..)`).
pub fn diagonal(x: impl ArrayLike, offset: isize) -> Array {
    crate::numpy::diagonal(&x.to_array(), offset, -2, -1)
}

/// The traces of the matrices in the last two axes (`jnp.linalg.trace(x,
/// offset=..)`).
pub fn trace(x: impl ArrayLike, offset: isize) -> Array {
    crate::numpy::trace(&x.to_array(), offset, -2, -1)
}

/// Dot products along `axis`, conjugating `x1` (`jnp.linalg.vecdot(x1, x2,
/// axis=axis)`).
pub fn vecdot(x1: impl ArrayLike, x2: impl ArrayLike, axis: isize) -> Array {
    crate::numpy::vecdot(x1, x2, axis)
}

/// The outer product of two 1-d arrays (`jnp.linalg.outer`); unlike
/// `jnp.outer`, other ranks are rejected rather than flattened.
pub fn outer(x1: impl ArrayLike, x2: impl ArrayLike) -> Array {
    let (a, b) = (x1.to_array(), x2.to_array());
    if a.ndim() != 1 || b.ndim() != 1 {
        panic!(
            "ValueError: Input arrays must be one-dimensional, but they are x1.ndim={} x2.ndim={}",
            a.ndim(),
            b.ndim()
        );
    }
    crate::numpy::outer(a, b)
}
