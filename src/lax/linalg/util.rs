//! Batched-matrix helpers for the linear-algebra rules: arrays of shape
//! `(..., m, n)` whose leading axes are batch axes, built from lax ops so
//! every rule stays differentiable and batchable.

use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::lax;
use crate::lax::ad_util::constant;

/// Swaps the last two axes (`_T`).
pub fn mt(x: &Array) -> Array {
    let nd = x.ndim();
    let mut perm: Vec<usize> = (0..nd).collect();
    perm.swap(nd - 2, nd - 1);
    lax::transpose(x, &perm)
}

/// The conjugate of a complex array; a real one unchanged.
pub fn conj(x: &Array) -> Array {
    if x.dtype().is_complex() {
        lax::conj(x)
    } else {
        x.clone()
    }
}

/// The conjugate transpose of the last two axes (`_H`).
pub fn mh(x: &Array) -> Array {
    conj(&mt(x))
}

/// The real part of a complex array; a real one unchanged.
pub fn real(x: &Array) -> Array {
    if x.dtype().is_complex() {
        lax::real(x)
    } else {
        x.clone()
    }
}

/// `x` converted to `dtype` (real to complex, or unchanged).
pub fn cast(x: &Array, dtype: DType) -> Array {
    if x.dtype() == dtype {
        x.clone()
    } else {
        lax::convert_element_type(x, dtype)
    }
}

/// A rank-0 constant of `dtype`.
pub fn scalar(v: f64, dtype: DType) -> Array {
    constant(v, dtype, false)
}

/// The batched product `a @ b` of `(..., m, k)` and `(..., k, n)` with
/// equal batch shapes.
pub fn matmul(a: &Array, b: &Array) -> Array {
    let nd = a.ndim();
    assert_eq!(nd, b.ndim(), "internal error: matmul of different ranks");
    let batch: Vec<usize> = (0..nd - 2).collect();
    lax::dot_general(a, b, (&[nd - 1], &[nd - 2]), (&batch, &batch), None)
}

/// `a @ x` for a batched right-hand side `x` that is a matrix stack
/// (`(..., n, k)`, same rank as `a`) or a vector stack (`(..., n)`).
pub fn matmul_rhs(a: &Array, x: &Array) -> Array {
    if x.ndim() == a.ndim() {
        return matmul(a, x);
    }
    let mut col = x.shape().to_vec();
    col.push(1);
    let v = matmul(a, &lax::reshape(x, &col));
    lax::squeeze(&v, &[v.ndim() - 1])
}

/// A boolean `(rows, cols)` mask broadcast to `batch + (rows, cols)`:
/// true where `col - row >= k` (`above`) or `col - row <= k` (not `above`).
fn band_mask(batch: &[usize], rows: usize, cols: usize, k: i64, above: bool) -> Array {
    let mut shape = batch.to_vec();
    shape.extend([rows, cols]);
    let nd = shape.len();
    let r = lax::broadcasted_iota(DType::I32, &shape, nd - 2);
    let c = lax::broadcasted_iota(DType::I32, &shape, nd - 1);
    let d = lax::sub(&c, &r);
    let k = Array::scalar(k as i32);
    if above {
        lax::ge(&d, &k)
    } else {
        lax::le(&d, &k)
    }
}

/// The lower triangle of the last two axes, below diagonal `k` (`_tril`).
pub fn tril(x: &Array, k: i64) -> Array {
    let nd = x.ndim();
    let s = x.shape();
    let mask = band_mask(&s[..nd - 2], s[nd - 2], s[nd - 1], k, false);
    lax::select(&mask, x, &lax::ad_util::zeros(x.aval()))
}

/// The upper triangle of the last two axes, above diagonal `k`.
pub fn triu(x: &Array, k: i64) -> Array {
    let nd = x.ndim();
    let s = x.shape();
    let mask = band_mask(&s[..nd - 2], s[nd - 2], s[nd - 1], k, true);
    lax::select(&mask, x, &lax::ad_util::zeros(x.aval()))
}

/// The identity `(n, n)` of `dtype`, broadcast over `batch`.
pub fn eye(dtype: DType, batch: &[usize], n: usize) -> Array {
    let mask = band_mask(batch, n, n, 0, true);
    let low = band_mask(batch, n, n, 0, false);
    let on = lax::bitwise_and(&mask, &low);
    lax::convert_element_type(&on, dtype)
}

/// The diagonal `(..., min(m, n))` of `(..., m, n)` (`_extract_diagonal`).
pub fn diagonal(x: &Array) -> Array {
    let nd = x.ndim();
    let s = x.shape();
    let k = s[nd - 2].min(s[nd - 1]);
    let mut hi = s.to_vec();
    hi[nd - 2] = k;
    hi[nd - 1] = k;
    let sq = lax::slice(x, &vec![0; nd], &hi);
    let masked = lax::mul(&sq, &eye(x.dtype(), &s[..nd - 2], k));
    lax::reduce(&masked, crate::ir::ReduceOp::Sum, &[nd - 1])
}

/// The diagonal matrix `(..., k, k)` with diagonal `d` (`(..., k)`).
pub fn diag_embed(d: &Array) -> Array {
    let nd = d.ndim();
    let k = d.shape()[nd - 1];
    let mut shape = d.shape().to_vec();
    shape.push(k);
    let dims: Vec<usize> = (0..nd).collect();
    let rows = lax::broadcast_in_dim(d, &shape, &dims);
    lax::mul(&rows, &eye(d.dtype(), &d.shape()[..nd - 1], k))
}

/// `v` (`(..., k)`) broadcast along a new axis at `axis` of size `size`
/// (`axis = nd` gives `v[..., None]`-style columns, `nd - 1` rows).
pub fn expand(v: &Array, axis: usize, size: usize) -> Array {
    let mut shape = v.shape().to_vec();
    shape.insert(axis, size);
    let dims: Vec<usize> = (0..v.ndim() + 1).filter(|&a| a != axis).collect();
    lax::broadcast_in_dim(v, &shape, &dims)
}

/// The inverse of each upper-triangular `(..., n, n)` matrix `r`, by
/// recursive 2×2 blocking (`inv([[A, B], [0, C]]) = [[A⁻¹, -A⁻¹ B C⁻¹], [0, C⁻¹]]`).
pub fn upper_triangular_inverse(r: &Array) -> Array {
    let nd = r.ndim();
    let n = r.shape()[nd - 1];
    let batch = &r.shape()[..nd - 2];
    let block = |r0: usize, r1: usize, c0: usize, c1: usize| {
        let mut lo = vec![0; nd];
        let mut hi = r.shape().to_vec();
        lo[nd - 2] = r0;
        hi[nd - 2] = r1;
        lo[nd - 1] = c0;
        hi[nd - 1] = c1;
        lax::slice(r, &lo, &hi)
    };
    if n == 0 {
        return r.clone();
    }
    if n == 1 {
        return lax::div(&scalar(1.0, r.dtype()), r);
    }
    let h = n / 2;
    let ai = upper_triangular_inverse(&block(0, h, 0, h));
    let ci = upper_triangular_inverse(&block(h, n, h, n));
    let b = block(0, h, h, n);
    let top_right = lax::neg(&matmul(&matmul(&ai, &b), &ci));
    let mut zshape = batch.to_vec();
    zshape.extend([n - h, h]);
    let zero = lax::broadcast_in_dim(&scalar(0.0, r.dtype()), &zshape, &[]);
    let top = lax::concatenate(&[&ai, &top_right], nd - 1);
    let bottom = lax::concatenate(&[&zero, &ci], nd - 1);
    lax::concatenate(&[&top, &bottom], nd - 2)
}

/// The product of the leading (batch) dims of `shape`, all but the last `rank`.
pub fn batch_size(shape: &[usize], rank: usize) -> usize {
    shape[..shape.len() - rank].iter().product()
}

/// A bool parameter as JAX prints it in a jaxpr (`True`/`False`).
pub(crate) fn py_bool(b: bool) -> String {
    if b { "True" } else { "False" }.into()
}

/// `x[..., perm[..., i], :]`: the rows of each matrix of `x` (`(..., m,
/// k)`) reordered by the int32 `perm` (`(..., m)`, same batch dims), as
/// one batched gather.
pub fn permute_rows(x: &Array, perm: &Array) -> Array {
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
