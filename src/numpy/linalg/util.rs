//! Helpers of the `jnp.linalg` functions: dtype promotion, diagonals and
//! traces over the last two axes, and batch broadcasting.

use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::lax;
use crate::numpy::promote::{promote_dtypes, promote_to_inexact};

/// `x` promoted to an inexact dtype (ints and bools to the default float).
pub(crate) fn inexact(x: &Array) -> Array {
    promote_to_inexact(x)
}

/// `a` and `b` promoted to one inexact dtype (`promote_dtypes_inexact`).
pub(crate) fn inexact_pair(a: &Array, b: &Array) -> (Array, Array) {
    let v = promote_dtypes(&[a, b]);
    (promote_to_inexact(&v[0]), promote_to_inexact(&v[1]))
}

/// The diagonals of the square matrices of `x` (`(..., m, m)` to `(..., m)`),
/// by a pad-and-reshape that reads nothing off the diagonal.
pub(crate) fn diagonal(x: &Array) -> Array {
    let nd = x.ndim();
    let m = x.shape()[nd - 1];
    let batch = &x.shape()[..nd - 2];
    let flat: Vec<usize> = batch.iter().copied().chain([m * m]).collect();
    let zero = lax::ad_util::constant(0.0, x.dtype(), false);
    let mut cfg = vec![(0i64, 0i64, 0i64); nd - 1];
    cfg[nd - 2] = (0, m as i64, 0);
    let padded = lax::pad(&lax::reshape(x, &flat), &zero, &cfg);
    let rows: Vec<usize> = batch.iter().copied().chain([m, m + 1]).collect();
    let r = lax::reshape(&padded, &rows);
    let mut limit = r.shape().to_vec();
    limit[nd - 1] = 1;
    lax::reshape(
        &lax::slice(&r, &vec![0; nd], &limit),
        &batch.iter().copied().chain([m]).collect::<Vec<_>>(),
    )
}

/// The sum over the last axis.
pub(crate) fn sum_last(x: &Array) -> Array {
    lax::reduce(x, crate::ir::ReduceOp::Sum, &[x.ndim() - 1])
}

/// The traces of the matrices of `x`.
pub(crate) fn trace(x: &Array) -> Array {
    sum_last(&diagonal(x))
}

/// `x` with the entry `[..., m-1, m-1]` of each matrix replaced by `v[...]`.
pub(crate) fn set_last_corner(x: &Array, v: &Array) -> Array {
    let nd = x.ndim();
    let (m, n) = (x.shape()[nd - 2], x.shape()[nd - 1]);
    let rows = lax::broadcasted_iota(DType::I32, &[m, n], 0);
    let cols = lax::broadcasted_iota(DType::I32, &[m, n], 1);
    let last = lax::ad_util::constant((m - 1) as f64, DType::I32, false);
    let lastc = lax::ad_util::constant((n - 1) as f64, DType::I32, false);
    let mask = lax::bitwise_and(&lax::eq(&rows, &last), &lax::eq(&cols, &lastc));
    let mask = lax::broadcast_in_dim(&mask, x.shape(), &[nd - 2, nd - 1]);
    let dims: Vec<usize> = (0..nd - 2).collect();
    let v = lax::broadcast_in_dim(v, x.shape(), &dims);
    lax::select(&mask, &v, x)
}

/// Counts the true entries of a bool `x` along its last axis, as int32.
pub(crate) fn count_last(x: &Array) -> Array {
    sum_last(&lax::convert_element_type(x, DType::I32))
}

/// `1 - 2 (parity % 2)` in `dtype`: the sign of a permutation with that
/// many swaps.
pub(crate) fn parity_sign(parity: &Array, dtype: DType) -> Array {
    let two = lax::ad_util::constant(2.0, DType::I32, false);
    let one = lax::ad_util::constant(1.0, DType::I32, false);
    let odd = lax::rem(parity, &two);
    lax::convert_element_type(&lax::sub(&one, &lax::mul(&two, &odd)), dtype)
}

/// The int32 iota `0..m` broadcast like `pivots` (`(..., m)`).
pub(crate) fn iota_like(pivots: &Array) -> Array {
    lax::broadcasted_iota(DType::I32, pivots.shape(), pivots.ndim() - 1)
}

/// NumPy's broadcast of two batch shapes, with `jnp`'s error.
pub(crate) fn broadcast_batch(name: &str, a: &[usize], b: &[usize]) -> Vec<usize> {
    crate::numpy::promote::broadcast_shapes(name, &[a, b]).to_vec()
}

/// `x` broadcast to batch dims `batch` in front of its last `core` axes.
pub(crate) fn to_batch(x: &Array, batch: &[usize], core: usize) -> Array {
    let mut shape = batch.to_vec();
    shape.extend_from_slice(&x.shape()[x.ndim() - core..]);
    if shape == x.shape() {
        return x.clone();
    }
    let off = shape.len() - x.ndim();
    let dims: Vec<usize> = (off..shape.len()).collect();
    lax::broadcast_in_dim(x, &shape, &dims)
}
