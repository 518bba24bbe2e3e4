//! Helpers shared by the linalg primitives' rules: operand checks, batched
//! matrix products and triangle masks, all on lax primitives.

use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::lax;

/// Checks operand `i` of linalg primitive `name`: rank at least 2 and a
/// float32/64 or complex64/128 dtype. Returns its batch dims.
pub(crate) fn check_matrix_operand<'a>(name: &str, i: usize, x: &'a ShapedArray) -> &'a [usize] {
    if x.shape.len() < 2 {
        panic!(
            "TypeError: Input {i} to {name} must have rank at least 2, but got shape={}",
            fmt_tuple(&x.shape)
        );
    }
    if !x.dtype.is_inexact() {
        panic!(
            "TypeError: {name} does not accept dtype {} at position {i}. Accepted dtypes at \
             position {i} are subtypes of floating, complexfloating.",
            x.dtype
        );
    }
    if !matches!(x.dtype, DType::F32 | DType::F64 | DType::C64 | DType::C128) {
        panic!(
            "TypeError: {name} on the CPU backend supports float32, float64, complex64 and \
             complex128, got {}. Convert first, e.g. x.astype(DType::F32).",
            x.dtype
        );
    }
    &x.shape[..x.shape.len() - 2]
}

/// The product of the leading (batch) dims of `shape`, all but the last `rank`.
pub(crate) fn batch_size(shape: &[usize], rank: usize) -> usize {
    shape[..shape.len() - rank].iter().product()
}

/// `a @ b` over matching leading batch dims: `(..., m, k) @ (..., k, n)`.
pub(crate) fn batch_matmul(a: &Array, b: &Array) -> Array {
    let nd = a.ndim();
    let batch: Vec<usize> = (0..nd - 2).collect();
    lax::dot_general(a, b, (&[nd - 1], &[nd - 2]), (&batch, &batch), None)
}

/// `x` with its last two axes swapped.
pub(crate) fn matrix_transpose(x: &Array) -> Array {
    let nd = x.ndim();
    let mut perm: Vec<usize> = (0..nd).collect();
    perm.swap(nd - 1, nd - 2);
    lax::transpose(x, &perm)
}

/// The conjugate of a complex `x`; `x` itself when real.
pub(crate) fn conj_if_complex(x: &Array) -> Array {
    if x.dtype().is_complex() {
        lax::conj(x)
    } else {
        x.clone()
    }
}

/// A bool mask over the last two axes of `shape`: `col - row <= k` (lower,
/// `tril`) or `col - row >= k` (upper, `triu`), broadcast to `shape`.
fn triangle_mask(shape: &[usize], k: i64, lower: bool) -> Array {
    let nd = shape.len();
    let (m, n) = (shape[nd - 2], shape[nd - 1]);
    let rows = lax::broadcasted_iota(DType::I32, &[m, n], 0);
    let cols = lax::broadcasted_iota(DType::I32, &[m, n], 1);
    let diff = lax::sub(&cols, &rows);
    let k = lax::ad_util::constant(k as f64, DType::I32, false);
    let mask = if lower {
        lax::le(&diff, &k)
    } else {
        lax::ge(&diff, &k)
    };
    lax::broadcast_in_dim(&mask, shape, &[nd - 2, nd - 1])
}

/// `x` with the entries above diagonal `k` zeroed (`jnp.tril`).
pub(crate) fn tril(x: &Array, k: i64) -> Array {
    let zero = lax::ad_util::zeros(x.aval());
    lax::select(&triangle_mask(x.shape(), k, true), x, &zero)
}

/// `x` with the entries below diagonal `k` zeroed (`jnp.triu`).
pub(crate) fn triu(x: &Array, k: i64) -> Array {
    let zero = lax::ad_util::zeros(x.aval());
    lax::select(&triangle_mask(x.shape(), k, false), x, &zero)
}

/// The `n × n` identity of `dtype`.
pub(crate) fn eye(dtype: DType, n: usize) -> Array {
    let rows = lax::broadcasted_iota(DType::I32, &[n, n], 0);
    let cols = lax::broadcasted_iota(DType::I32, &[n, n], 1);
    lax::convert_element_type(&lax::eq(&rows, &cols), dtype)
}

/// `eye` broadcast over the batch dims `batch`.
pub(crate) fn batched_eye(dtype: DType, batch: &[usize], n: usize) -> Array {
    let mut shape = batch.to_vec();
    shape.extend([n, n]);
    let nd = shape.len();
    lax::broadcast_in_dim(&eye(dtype, n), &shape, &[nd - 2, nd - 1])
}

/// `x[..., perm[..., i], :]`: the rows of each matrix of `x` (`(..., m,
/// k)`) reordered by the int32 `perm` (`(..., m)`, same batch dims), as
/// one batched gather.
pub(crate) fn permute_rows(x: &Array, perm: &Array) -> Array {
    use crate::lax::{GatherDimensionNumbers, GatherScatterMode};
    let nb = x.ndim() - 2;
    let k = x.shape()[nb + 1];
    let mut idx_shape = perm.shape().to_vec();
    idx_shape.push(1);
    let idx = lax::reshape(perm, &idx_shape);
    let batch: Vec<usize> = (0..nb).collect();
    let dn = GatherDimensionNumbers {
        offset_dims: vec![nb + 1],
        collapsed_slice_dims: vec![nb],
        start_index_map: vec![nb],
        operand_batching_dims: batch.clone(),
        start_indices_batching_dims: batch,
    };
    let mut sizes = vec![1; nb + 1];
    sizes.push(k);
    lax::gather(x, &idx, dn, &sizes, GatherScatterMode::PromiseInBounds)
}
