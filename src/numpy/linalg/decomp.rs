//! `jnp.linalg` decompositions: `qr`, `svd`, `svdvals`, `eigh`,
//! `eigvalsh`, `eig`, `eigvals`, on the lax primitives of `src/lax/linalg/`.
//! Integer and bool inputs promote to the default float, as in JAX.

use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::lax;
use crate::lax::linalg::util::{mh, mt};
use crate::numpy::array_like::ArrayLike;
use crate::numpy::promote::promote_to_inexact;

/// The input as an inexact array.
pub(crate) fn inexact(a: impl ArrayLike) -> Array {
    promote_to_inexact(&a.to_array())
}

/// The reduced QR decomposition `(q, r)` of `(..., m, n)` matrices
/// (`jnp.linalg.qr(a)`): `q` is `(..., m, k)`, `r` `(..., k, n)`, `k = min(m, n)`.
///
/// ```
/// use jaxide::numpy as jnp;
/// let a = jnp::array([[1.0f32, 2.], [3., 4.], [5., 6.]]);
/// let (q, r) = jnp::linalg::qr(&a);
/// assert_eq!((q.shape(), r.shape()), (&[3, 2][..], &[2, 2][..]));
/// ```
pub fn qr(a: impl ArrayLike) -> (Array, Array) {
    lax::qr(&inexact(a), false)
}

/// `jnp.linalg.qr(a, mode)`: `"reduced"` (or `"full"`) gives `[q, r]` with
/// `k = min(m, n)`, `"complete"` gives `[q, r]` with a square `q`, `"r"`
/// gives `[r]`. `"raw"` (LAPACK's Householder reflectors) is not provided.
pub fn qr_with(a: impl ArrayLike, mode: &str) -> Vec<Array> {
    let full = match mode {
        "reduced" | "r" | "full" => false,
        "complete" => true,
        "raw" => panic!(
            "NotImplementedError: jnp.linalg.qr mode 'raw' (geqrf's Householder reflectors) is \
             not provided by jaxide; use mode='reduced' or 'complete'."
        ),
        _ => panic!("ValueError: Unsupported QR decomposition mode '{mode}'"),
    };
    let (q, r) = lax::qr(&inexact(a), full);
    if mode == "r" {
        vec![r]
    } else {
        vec![q, r]
    }
}

/// Options of [`svd_with`] (`jnp.linalg.svd`'s keywords).
#[derive(Clone, Debug)]
pub struct SvdOptions {
    /// Square `u` and `vh` (default true).
    pub full_matrices: bool,
    /// Return `[u, s, vh]` (default true), else `[s]`.
    pub compute_uv: bool,
    /// Treat the input as Hermitian and use `eigh` (default false).
    pub hermitian: bool,
}

impl Default for SvdOptions {
    fn default() -> SvdOptions {
        SvdOptions {
            full_matrices: true,
            compute_uv: true,
            hermitian: false,
        }
    }
}

/// The singular value decomposition `(u, s, vh)` with `a = u @ diag(s) @ vh`
/// (`jnp.linalg.svd(a)`, full matrices); `s` is descending.
pub fn svd(a: impl ArrayLike) -> (Array, Array, Array) {
    let mut o = svd_with(a, SvdOptions::default());
    let vh = o.pop().unwrap();
    let s = o.pop().unwrap();
    (o.pop().unwrap(), s, vh)
}

/// `jnp.linalg.svd` with options: `[u, s, vh]`, or `[s]` without `compute_uv`.
pub fn svd_with(a: impl ArrayLike, opts: SvdOptions) -> Vec<Array> {
    let a = inexact(a);
    if opts.hermitian {
        return hermitian_svd(&a, opts.compute_uv);
    }
    let mut o = lax::svd(&a, opts.full_matrices, opts.compute_uv);
    if opts.compute_uv {
        o.swap(0, 1); // [s, u, vt] -> [u, s, vt]
    }
    o
}

/// SVD of a Hermitian matrix from its eigendecomposition, as JAX builds it:
/// `s = |w|` sorted descending, `u` the matching eigenvectors, `vh = (u * sign(w))ᴴ`.
fn hermitian_svd(a: &Array, compute_uv: bool) -> Vec<Array> {
    let (v, w) = lax::eigh(a, true, true, true);
    let s = lax::abs(&w);
    let last = s.ndim() - 1;
    if !compute_uv {
        return vec![lax::rev(
            &lax::sort(&[&s], last, true, 1).remove(0),
            &[last],
        )];
    }
    let sign = lax::sign(&w);
    let idx = lax::broadcasted_iota(DType::I32, s.shape(), last);
    let sorted = lax::sort(&[&s, &idx, &sign], last, true, 1);
    let [s, idx, sign] = [0, 1, 2].map(|i| lax::rev(&sorted[i], &[last]));
    let n = v.shape()[v.ndim() - 2];
    let rows = |x: &Array| {
        let mut shape = x.shape().to_vec();
        shape.insert(last, n);
        let dims: Vec<usize> = (0..=last + 1).filter(|&d| d != last).collect();
        lax::broadcast_in_dim(x, &shape, &dims)
    };
    let u = crate::numpy::take_along_axis(&v, &rows(&idx), Some(-1));
    let signed = lax::mul(&u, &lax::convert_element_type(&rows(&sign), u.dtype()));
    vec![u, s, mh(&signed)]
}

/// The singular values of `(..., m, n)` matrices, descending (`jnp.linalg.svdvals`).
pub fn svdvals(a: impl ArrayLike) -> Array {
    svd_with(
        a,
        SvdOptions {
            compute_uv: false,
            ..Default::default()
        },
    )
    .remove(0)
}

/// Options of [`eigh_with`] and [`eigvalsh_with`].
#[derive(Clone, Debug)]
pub struct EighOptions {
    /// `None` or `"L"` reads the lower triangle, `"U"` the upper.
    pub uplo: Option<&'static str>,
    /// Replace the input by `(a + aᴴ) / 2` first (default true).
    pub symmetrize_input: bool,
}

impl Default for EighOptions {
    fn default() -> EighOptions {
        EighOptions {
            uplo: None,
            symmetrize_input: true,
        }
    }
}

/// Eigenvalues `w` (ascending) and eigenvectors `v` (columns) of a
/// symmetric/Hermitian matrix (`jnp.linalg.eigh(a)`).
pub fn eigh(a: impl ArrayLike) -> (Array, Array) {
    eigh_with(a, EighOptions::default())
}

/// `jnp.linalg.eigh` with `UPLO` and `symmetrize_input`.
pub fn eigh_with(a: impl ArrayLike, opts: EighOptions) -> (Array, Array) {
    let lower = match opts.uplo {
        None | Some("L") => true,
        Some("U") => false,
        Some(u) => panic!("ValueError: UPLO must be one of None, 'L', or 'U', got {u}"),
    };
    let (v, w) = lax::eigh(&inexact(a), lower, opts.symmetrize_input, true);
    (w, v)
}

/// The eigenvalues of a symmetric/Hermitian matrix, ascending (`jnp.linalg.eigvalsh`).
pub fn eigvalsh(a: impl ArrayLike) -> Array {
    eigh(a).0
}

/// `jnp.linalg.eigvalsh` with `UPLO` and `symmetrize_input`.
pub fn eigvalsh_with(a: impl ArrayLike, opts: EighOptions) -> Array {
    eigh_with(a, opts).0
}

/// Complex eigenvalues `w` and right eigenvectors `v` (unit-norm columns)
/// of a general square matrix (`jnp.linalg.eig`). Differentiable in `w`
/// only, as in JAX.
pub fn eig(a: impl ArrayLike) -> (Array, Array) {
    let mut o = lax::eig(&inexact(a), false, true);
    let v = o.pop().unwrap();
    (o.pop().unwrap(), v)
}

/// The complex eigenvalues of a general square matrix (`jnp.linalg.eigvals`).
pub fn eigvals(a: impl ArrayLike) -> Array {
    lax::eig(&inexact(a), false, false).remove(0)
}

/// `jnp.linalg.matrix_transpose`: swaps the last two axes.
pub fn matrix_transpose(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    if x.ndim() < 2 {
        panic!(
            "ValueError: matrix_transpose requires at least 2 dimensions; got ndim={}",
            x.ndim()
        );
    }
    mt(&x)
}
