//! Index arrays: `nonzero`, `argwhere`, `flatnonzero`, one-argument
//! `where`, `ix_`, `unravel_index`, `ravel_multi_index`, `diag_indices`,
//! `tril_indices`, `triu_indices`, `mask_indices`.
//!
//! Data-dependent sizes need concrete inputs; under `jit` pass a static
//! `size` (and optionally a `fill_value`), as in JAX.

use super::indexer::concrete_nonzero;
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::lax;

/// Options of [`nonzero_with`], [`argwhere_with`], [`flatnonzero_with`]
/// and [`where1_with`].
#[derive(Clone, Debug, Default)]
pub struct Nonzero {
    /// A static result length: the first `size` positions, padded.
    pub size: Option<usize>,
    /// What pads the result up to `size` (JAX's default pads with 0).
    pub fill_value: Option<i64>,
}

fn int_scalar(v: i64, dtype: DType) -> Array {
    lax::ad_util::constant(v as f64, dtype, false)
}

/// `jnp.nonzero(a)`: one index array per dim of the positions where `a`
/// is non-zero (`a` must be concrete; under `jit` use [`nonzero_with`]).
pub fn nonzero(a: &Array) -> Vec<Array> {
    nonzero_with(a, Nonzero::default())
}

/// `jnp.nonzero(a, size=..., fill_value=...)`.
pub fn nonzero_with(a: &Array, opts: Nonzero) -> Vec<Array> {
    if a.ndim() == 0 {
        panic!(
            "ValueError: Calling nonzero on 0d arrays is not allowed. Use \
             jnp.atleast_1d(scalar).nonzero() instead."
        );
    }
    let mask = if a.dtype() == DType::Bool {
        a.clone()
    } else {
        super::not_equal(a, lax::ad_util::constant(0.0, a.dtype(), false))
    };
    let Some(size) = opts.size else {
        if mask.is_tracer() {
            panic!(
                "ConcretizationTypeError: Abstract tracer value encountered where concrete \
                 value is expected: traced array with shape int32[]\nThe size argument of \
                 jnp.nonzero must be statically specified to use jnp.nonzero within JAX \
                 transformations. Pass Nonzero {{ size: Some(n), .. }} to nonzero_with (or \
                 argwhere_with / flatnonzero_with / where1_with)."
            );
        }
        return concrete_nonzero(&mask);
    };
    let dt = DType::I32;
    if a.size() == 0 || size == 0 {
        return a
            .shape()
            .iter()
            .map(|_| super::zeros_dtype([size], dt))
            .collect();
    }
    // The k-th true position is the number of entries whose running count
    // of trues is at most k (JAX's bincount-of-cumsum formulation).
    let n = a.size();
    let m = lax::convert_element_type(&lax::reshape(&mask, &[n]), dt);
    let cs = super::cumsum(&m);
    let bins = super::zeros_dtype([size], dt)
        .at(&cs)
        .mode("drop")
        .add(int_scalar(1, dt));
    let flat = super::cumsum(&bins);
    let shape = a.shape();
    let mut out = Vec::with_capacity(shape.len());
    let mut stride = n;
    for &d in shape {
        stride /= d;
        let q = lax::div(&flat, &int_scalar(stride as i64, dt));
        out.push(lax::rem(&q, &int_scalar(d as i64, dt)));
    }
    if let Some(fill) = opts.fill_value {
        let count = super::sum(&m);
        let pad = lax::ge(&lax::iota(dt, size), &count);
        let f = int_scalar(fill, dt);
        out = out
            .into_iter()
            .map(|e| lax::select(&pad, &lax::broadcast_in_dim(&f, &[size], &[]), &e))
            .collect();
    }
    out
}

/// `jnp.where(condition)` with one argument: [`nonzero`].
pub fn where1(condition: &Array) -> Vec<Array> {
    nonzero(condition)
}

/// `jnp.where(condition, size=..., fill_value=...)` with one argument.
pub fn where1_with(condition: &Array, opts: Nonzero) -> Vec<Array> {
    nonzero_with(condition, opts)
}

/// `jnp.argwhere(a)`: the positions of non-zero entries, one row each.
pub fn argwhere(a: &Array) -> Array {
    argwhere_with(a, Nonzero::default())
}

/// `jnp.argwhere(a, size=..., fill_value=...)`.
pub fn argwhere_with(a: &Array, opts: Nonzero) -> Array {
    let one = super::atleast_1d(a);
    let cols = nonzero_with(&one, opts);
    let rows = cols[0].shape()[0];
    let refs: Vec<&Array> = cols.iter().collect();
    let stacked = super::stack(&refs, 1);
    if a.ndim() == 0 {
        return lax::reshape(&stacked.idx(..0), &[0, 0]);
    }
    lax::reshape(&stacked, &[rows, a.ndim()])
}

/// `jnp.flatnonzero(a)`: positions of non-zero entries of the flattened `a`.
pub fn flatnonzero(a: &Array) -> Array {
    flatnonzero_with(a, Nonzero::default())
}

/// `jnp.flatnonzero(a, size=..., fill_value=...)`.
pub fn flatnonzero_with(a: &Array, opts: Nonzero) -> Array {
    nonzero_with(&lax::reshape(a, &[a.size()]), opts).remove(0)
}

/// `jnp.ix_(*args)`: an open mesh from 1-D integer index arrays.
pub fn ix_(args: &[&Array]) -> Vec<Array> {
    let k = args.len();
    args.iter()
        .enumerate()
        .map(|(i, a)| {
            if a.ndim() != 1 {
                panic!(
                    "ValueError: Arguments to jax.numpy.ix_ must be 1-dimensional, got shape {}",
                    fmt_tuple(a.shape())
                );
            }
            let a = if a.dtype() == DType::Bool {
                panic!(
                    "NotImplementedError: Boolean arguments to jax.numpy.ix_ are not \
                     implemented (as in JAX); pass jnp::nonzero(mask)[0] instead."
                );
            } else if a.dtype().is_int() {
                (*a).clone()
            } else {
                panic!(
                    "TypeError: Arguments to jax.numpy.ix_ must be integer or boolean arrays, \
                     got {}",
                    a.dtype()
                );
            };
            let mut shape = vec![1usize; k];
            shape[i] = a.size();
            lax::reshape(&a, &shape)
        })
        .collect()
}

/// Sparse `jnp.indices(shape, sparse=True)`: `arange(n)` along each axis,
/// shaped to broadcast against the others.
pub(crate) fn indices_sparse(shape: &[usize]) -> Vec<Array> {
    (0..shape.len())
        .map(|d| {
            let mut s = vec![1usize; shape.len()];
            s[d] = shape[d];
            lax::reshape(&lax::iota(DType::I32, shape[d]), &s)
        })
        .collect()
}

/// `jnp.unravel_index(indices, shape)`: flat positions as one coordinate
/// array per dim. Out-of-range positions clamp to the nearest end (JAX's
/// behaviour; NumPy raises), and `-1` is the last element.
pub fn unravel_index(indices: &Array, shape: &[usize]) -> Vec<Array> {
    if !indices.dtype().is_int() {
        panic!(
            "TypeError: unravel_index indices must be integers, got {}",
            indices.dtype()
        );
    }
    let mut rest = indices.clone();
    let mut out = vec![rest.clone(); shape.len()];
    for (i, &s) in shape.iter().enumerate().rev() {
        let d = int_scalar(s as i64, indices.dtype());
        out[i] = super::remainder(&rest, &d);
        rest = super::floor_divide(&rest, &d);
    }
    let oob_pos = lax::gt(&rest, &int_scalar(0, rest.dtype()));
    let oob_neg = if rest.dtype().is_signed_int() {
        Some(lax::lt(&rest, &int_scalar(-1, rest.dtype())))
    } else {
        None
    };
    shape
        .iter()
        .zip(out)
        .map(|(&s, i)| {
            let lo = match &oob_neg {
                Some(neg) => super::where_(neg, 0, &i),
                None => i,
            };
            super::where_(&oob_pos, s as i64 - 1, &lo)
        })
        .collect()
}

/// `jnp.ravel_multi_index(multi_index, dims)` (mode `"raise"`: the indices
/// must be concrete and in range); see [`ravel_multi_index_with`].
pub fn ravel_multi_index(multi_index: &[&Array], dims: &[usize]) -> Array {
    ravel_multi_index_with(multi_index, dims, "raise")
}

/// `jnp.ravel_multi_index` with `mode` `"raise"`, `"wrap"`, `"clip"` or
/// `"ignore"` (row-major order).
pub fn ravel_multi_index_with(multi_index: &[&Array], dims: &[usize], mode: &str) -> Array {
    if multi_index.len() != dims.len() {
        panic!(
            "ValueError: ravel_multi_index got {} index arrays for {} dims",
            multi_index.len(),
            dims.len()
        );
    }
    let mut idx: Vec<Array> = Vec::with_capacity(dims.len());
    for (a, &d) in multi_index.iter().zip(dims) {
        if !a.dtype().is_int() {
            panic!("TypeError: only int indices permitted");
        }
        idx.push(match mode {
            "raise" => {
                if a.is_tracer() {
                    a.concrete(
                        "ravel_multi_index with mode='raise' (the error occurred because \
                         ravel_multi_index was jit-compiled with mode='raise'; use mode='wrap' \
                         or mode='clip' instead)",
                    );
                }
                let bad = super::any(&super::logical_or(a.lt(0), a.ge(d as i64)));
                if bad.item::<bool>() {
                    panic!("ValueError: invalid entry in coordinates array");
                }
                (*a).clone()
            }
            "clip" => super::clip(*a, 0, d as i64 - 1),
            "wrap" => super::remainder(*a, d as i64),
            "ignore" => (*a).clone(),
            m => panic!(
                "ValueError: invalid mode='{m}'. Expected 'raise', 'wrap', 'clip', or 'ignore'."
            ),
        });
    }
    let mut stride = 1i64;
    let mut strides = vec![0i64; dims.len()];
    for (k, &d) in dims.iter().enumerate().rev() {
        strides[k] = stride;
        stride *= d as i64;
    }
    let mut result: Array = super::asarray(0);
    for (i, s) in idx.iter().zip(strides) {
        result = &result + &(i * s);
    }
    result
}

/// `jnp.diag_indices(n, ndim)`: `ndim` copies of `arange(n)`.
pub fn diag_indices(n: usize, ndim: usize) -> Vec<Array> {
    (0..ndim).map(|_| lax::iota(DType::I32, n)).collect()
}

/// `jnp.diag_indices_from(arr)` for a square `arr`.
pub fn diag_indices_from(arr: &Array) -> Vec<Array> {
    if arr.ndim() < 2 {
        panic!("ValueError: input array must be at least 2-d");
    }
    if arr.shape().iter().any(|&d| d != arr.shape()[0]) {
        panic!("ValueError: All dimensions of input must be of equal length");
    }
    diag_indices(arr.shape()[0], arr.ndim())
}

fn pair(mut v: Vec<Array>) -> (Array, Array) {
    let j = v.pop().unwrap();
    (v.pop().unwrap(), j)
}

/// `jnp.tril_indices(n, k, m)`: row and column indices of the lower
/// triangle (diagonal offset `k`) of an `n × m` matrix (`m` defaults to `n`).
pub fn tril_indices(n: usize, k: i64, m: Option<usize>) -> (Array, Array) {
    let t = super::tri(n, m, k);
    pair(nonzero(&t))
}

/// `jnp.triu_indices(n, k, m)`: indices of the upper triangle.
pub fn triu_indices(n: usize, k: i64, m: Option<usize>) -> (Array, Array) {
    let t = super::tri(n, m, k - 1);
    pair(nonzero(&super::logical_not(&t)))
}

/// `jnp.tril_indices_from(arr, k)`.
pub fn tril_indices_from(arr: &Array, k: i64) -> (Array, Array) {
    let [n, m] = square_like(arr, "tril_indices_from");
    tril_indices(n, k, Some(m))
}

/// `jnp.triu_indices_from(arr, k)`.
pub fn triu_indices_from(arr: &Array, k: i64) -> (Array, Array) {
    let [n, m] = square_like(arr, "triu_indices_from");
    triu_indices(n, k, Some(m))
}

fn square_like(arr: &Array, fun: &str) -> [usize; 2] {
    if arr.ndim() != 2 {
        panic!(
            "ValueError: {fun} requires a 2-dimensional array, got shape {}",
            fmt_tuple(arr.shape())
        );
    }
    [arr.shape()[0], arr.shape()[1]]
}

/// `jnp.mask_indices(n, mask_func, k)`: indices where
/// `mask_func(ones((n, n)), k)` is non-zero (e.g. `jnp::triu`).
pub fn mask_indices(n: usize, mask_func: impl Fn(&Array, i64) -> Array, k: i64) -> (Array, Array) {
    pair(nonzero(&mask_func(&super::ones([n, n]), k)))
}

impl Array {
    /// `a.nonzero()`.
    pub fn nonzero(&self) -> Vec<Array> {
        nonzero(self)
    }
}
