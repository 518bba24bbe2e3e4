//! Samplers built on matrix factorizations: `multivariate_normal`
//! (Cholesky) and `orthogonal` (QR with a positive diagonal). JAX factors
//! with LAPACK, so these agree with JAX to rounding, not bit for bit (JAX's
//! own results depend on its LAPACK build).

use super::key::KeyLike;
use super::normal::normal_with;
use super::shapes::shape_or_broadcast;
use super::uniform::{default_float, float_dtype};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::lax;
use crate::numpy as jnp;
use crate::transforms::vmap::vmap;

/// Samples of a multivariate normal with `mean` (`(..., n)`) and covariance
/// `cov` (`(..., n, n)`), via the Cholesky factor of `cov`
/// (`jax.random.multivariate_normal`, method "cholesky"). `shape` is the
/// batch shape (default: `mean`'s and `cov`'s batch shapes broadcast); the
/// result has shape `shape + (n,)`.
pub fn multivariate_normal(
    key: &impl KeyLike,
    mean: &Array,
    cov: &Array,
    shape: Option<&[usize]>,
) -> Array {
    let k = key.single_key("multivariate_normal");
    if mean.ndim() < 1 {
        panic!(
            "ValueError: multivariate_normal requires mean.ndim >= 1, got mean.ndim == {}",
            mean.ndim()
        );
    }
    if cov.ndim() < 2 {
        panic!(
            "ValueError: multivariate_normal requires cov.ndim >= 2, got cov.ndim == {}",
            cov.ndim()
        );
    }
    let n = mean.shape()[mean.ndim() - 1];
    if cov.shape()[cov.ndim() - 2..] != [n, n] {
        panic!(
            "ValueError: multivariate_normal requires cov.shape == (..., n, n) for n={n}, but \
             got cov.shape == {}.",
            fmt_tuple(cov.shape())
        );
    }
    let dtype = if mean.dtype().is_float() {
        mean.dtype()
    } else {
        default_float()
    };
    let dtype = float_dtype("multivariate_normal", dtype);
    let (mean, cov) = (
        lax::convert_element_type(mean, dtype),
        lax::convert_element_type(cov, dtype),
    );
    let batch = shape_or_broadcast(
        "multivariate_normal",
        shape,
        &[
            &mean.shape()[..mean.ndim() - 1],
            &cov.shape()[..cov.ndim() - 2],
        ],
    );
    let factor = jnp::linalg::cholesky(&cov);
    let mut vec_shape = batch.clone();
    vec_shape.push(n);
    let z = normal_with(&k, &vec_shape, dtype);
    // einsum('...ij,...j->...i', factor, z)
    let mut mat_shape = vec_shape.clone();
    mat_shape.push(n);
    let mut row_shape = batch.clone();
    row_shape.extend([1, n]);
    let products = lax::mul(
        &jnp::broadcast_to(&factor, &mat_shape),
        &jnp::broadcast_to(&lax::reshape(&z, &row_shape), &mat_shape),
    );
    lax::add(
        &jnp::broadcast_to(&mean, &vec_shape),
        &jnp::sum_axis(&products, -1, false),
    )
}

/// Uniformly (Haar) distributed `n x n` orthogonal matrices, `shape` of them
/// (`jax.random.orthogonal`): the Q factor, with R's diagonal made positive,
/// of a standard normal matrix.
pub fn orthogonal(key: &impl KeyLike, n: usize, shape: &[usize]) -> Array {
    orthogonal_with(key, n, shape, default_float(), None)
}

/// [`orthogonal`] with a float `dtype` and, with `m`, `n x m` matrices with
/// orthonormal rows or columns (whichever are fewer).
pub fn orthogonal_with(
    key: &impl KeyLike,
    n: usize,
    shape: &[usize],
    dtype: DType,
    m: Option<usize>,
) -> Array {
    let k = key.single_key("orthogonal");
    let dtype = float_dtype("orthogonal", dtype);
    let m = m.unwrap_or(n);
    let (tall, wide) = (n.max(m), n.min(m));
    let mut z_shape = shape.to_vec();
    z_shape.extend([tall, wide]);
    let z = normal_with(&k, &z_shape, dtype);
    let q = batched(&z, &orthonormal_columns);
    if n < m {
        let nd = q.ndim();
        let mut perm: Vec<usize> = (0..nd).collect();
        perm.swap(nd - 1, nd - 2);
        lax::transpose(&q, &perm)
    } else {
        q
    }
}

/// `f` over the trailing matrix of `x`, mapped over any leading axes.
fn batched(x: &Array, f: &(dyn Fn(&Array) -> Array + Sync)) -> Array {
    if x.ndim() == 2 {
        f(x)
    } else {
        vmap(move |y: &Array| batched(y, f))(x)
    }
}

/// The Q of the QR factorization of a tall matrix with R's diagonal
/// positive: classical Gram–Schmidt with re-orthogonalization.
fn orthonormal_columns(z: &Array) -> Array {
    let (rows, cols) = (z.shape()[0], z.shape()[1]);
    let dt = Some(z.dtype());
    let mut q: Vec<Array> = Vec::with_capacity(cols);
    for j in 0..cols {
        let mut v = lax::slice(z, &[0, j], &[rows, j + 1]);
        if j > 0 {
            let basis = lax::concatenate(&q.iter().collect::<Vec<_>>(), 1);
            for _ in 0..2 {
                let coef = lax::dot_general(&basis, &v, (&[0], &[0]), (&[], &[]), dt);
                let proj = lax::dot_general(&basis, &coef, (&[1], &[0]), (&[], &[]), dt);
                v = lax::sub(&v, &proj);
            }
        }
        let norm = lax::sqrt(&jnp::sum(&lax::mul(&v, &v)));
        q.push(lax::div(&v, &norm));
    }
    lax::concatenate(&q.iter().collect::<Vec<_>>(), 1)
}
