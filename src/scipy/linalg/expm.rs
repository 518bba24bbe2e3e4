//! `jax.scipy.linalg.expm`: the matrix exponential by Padé approximation
//! with scaling and squaring (Higham 2005), as JAX computes it: degree 3,
//! 5 or 7 (float32) or 3 to 13 (float64) picked by the 1-norm, the matrix
//! scaled by `2^-s` so the norm is small, then squared back `s` times.
//!
//! The choice is data dependent, so every candidate is computed and the
//! right one selected (branch-free, which keeps `jit`, `vmap` and `grad`
//! simple); the squarings are `max_squarings` selects of `R @ R` or `R`.

use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::ir::ReduceOp;
use crate::lax;
use crate::lax::linalg::util::{eye, matmul};
use crate::numpy::promote::promote_to_inexact;

/// Options of [`expm_with`].
#[derive(Copy, Clone, Debug)]
pub struct Expm {
    /// Whether `a` is upper triangular (the final solve is triangular).
    pub upper_triangular: bool,
    /// The most squarings; a matrix needing more gives NaNs (JAX's default 16).
    pub max_squarings: usize,
}

impl Default for Expm {
    fn default() -> Self {
        Expm {
            upper_triangular: false,
            max_squarings: 16,
        }
    }
}

/// `jax.scipy.linalg.expm`: `exp(a)` of each square matrix of `a` (`(...,
/// n, n)`).
///
/// ```
/// use jaxide::prelude::*;
/// let e = jaxide::scipy::linalg::expm(&jnp::array([[0.0f32, 1.0], [0.0, 0.0]]));
/// assert_eq!(e.to_vec::<f32>(), vec![1.0, 1.0, 0.0, 1.0]);
/// ```
pub fn expm(a: &Array) -> Array {
    expm_with(a, Expm::default())
}

/// [`expm`] with options (`upper_triangular`, `max_squarings`).
#[allow(clippy::excessive_precision)] // JAX's (Higham's) constants, as written there
pub fn expm_with(a: &Array, options: Expm) -> Array {
    let a = promote_to_inexact(a);
    let nd = a.ndim();
    if nd < 2 || a.shape()[nd - 1] != a.shape()[nd - 2] {
        panic!(
            "ValueError: Expected A to be a (batched) square matrix, got A.shape={}.",
            fmt_tuple(a.shape())
        );
    }
    let dtype = a.dtype();
    let double = matches!(dtype, DType::F64 | DType::C128);
    let (maxnorm, conds): (f64, &[f64]) = if double {
        (
            5.371920351148152,
            &[
                1.495585217958292e-2,
                2.539398330063230e-1,
                9.504178996162932e-1,
                2.097847961257068,
            ],
        )
    } else {
        (
            3.925724783138660,
            &[4.258730016922831e-1, 1.880152677804762],
        )
    };
    let real = dtype.real_dtype();
    let c = |v: f64, d: DType| lax::ad_util::constant(v, d, false);
    let batch: Vec<usize> = (0..nd - 2).collect();
    let per_matrix = |x: &Array| lax::broadcast_in_dim(x, a.shape(), &batch);
    // The 1-norm: the largest column sum of |a|.
    let norm = lax::reduce(
        &lax::reduce(&lax::abs(&a), ReduceOp::Sum, &[nd - 2]),
        ReduceOp::Max,
        &[nd - 2],
    );
    let log2 = lax::div(
        &lax::log(&lax::div(&norm, &c(maxnorm, real))),
        &c(std::f64::consts::LN_2, real),
    );
    let squarings = lax::max(&c(0.0, real), &lax::floor(&log2));
    let scale = lax::exp2(&squarings);
    let scaled = lax::div(&a, &per_matrix(&lax::convert_element_type(&scale, dtype)));
    // Every Padé candidate, then the one the norm picks (numpy's digitize).
    let candidates: Vec<(Array, Array)> = (0..=conds.len())
        .map(|i| pade(&scaled, [3, 5, 7, 9, 13][i]))
        .collect();
    let mut idx = lax::broadcast_in_dim(&c(0.0, DType::I32), norm.shape(), &[]);
    for &t in conds {
        let over = lax::convert_element_type(&lax::ge(&norm, &c(t, real)), DType::I32);
        idx = lax::add(&idx, &over);
    }
    let (mut u, mut v) = candidates[0].clone();
    for (i, (ui, vi)) in candidates.iter().enumerate().skip(1) {
        let pick = per_matrix(&lax::eq(&idx, &c(i as f64, DType::I32)));
        u = lax::select(&pick, ui, &u);
        v = lax::select(&pick, vi, &v);
    }
    let p = lax::add(&u, &v);
    let q = lax::sub(&v, &u);
    let mut r = if options.upper_triangular {
        super::solve_triangular(&q, &p)
    } else {
        crate::numpy::linalg::solve(&q, &p)
    };
    for i in 0..options.max_squarings {
        let more = per_matrix(&lax::gt(&squarings, &c(i as f64, real)));
        r = lax::select(&more, &matmul(&r, &r), &r);
    }
    let too_many = per_matrix(&lax::gt(&squarings, &c(options.max_squarings as f64, real)));
    let nan = lax::broadcast_in_dim(&c(f64::NAN, dtype), a.shape(), &[]);
    lax::select(&too_many, &nan, &r)
}

/// The odd and even parts `(U, V)` of the degree-`m` Padé approximant.
fn pade(a: &Array, m: usize) -> (Array, Array) {
    let b: &[f64] = match m {
        3 => &[120., 60., 12., 1.],
        5 => &[30240., 15120., 3360., 420., 30., 1.],
        7 => &[
            17297280., 8648640., 1995840., 277200., 25200., 1512., 56., 1.,
        ],
        9 => &[
            17643225600.,
            8821612800.,
            2075673600.,
            302702400.,
            30270240.,
            2162160.,
            110880.,
            3960.,
            90.,
            1.,
        ],
        _ => &[
            64764752532480000.,
            32382376266240000.,
            7771770303897600.,
            1187353796428800.,
            129060195264000.,
            10559470521600.,
            670442572800.,
            33522128640.,
            1323241920.,
            40840800.,
            960960.,
            16380.,
            182.,
            1.,
        ],
    };
    let nd = a.ndim();
    let ident = eye(a.dtype(), &a.shape()[..nd - 2], a.shape()[nd - 1]);
    let s = |k: f64, x: &Array| lax::mul(&lax::ad_util::constant(k, a.dtype(), false), x);
    let sum = |terms: &[Array]| {
        terms[1..]
            .iter()
            .fold(terms[0].clone(), |acc, t| lax::add(&acc, t))
    };
    let a2 = matmul(a, a);
    // Powers a^0, a^2, a^4, ... up to what this degree needs.
    let mut pows = vec![ident, a2.clone()];
    if m >= 5 {
        pows.push(matmul(&a2, &a2));
    }
    if m >= 7 {
        pows.push(matmul(&pows[2], &a2));
    }
    if m == 9 {
        pows.push(matmul(&pows[3], &a2));
    }
    if m == 13 {
        let a6 = &pows[3];
        let hi_u = matmul(a6, &sum(&[s(b[13], a6), s(b[11], &pows[2]), s(b[9], &a2)]));
        let u_inner = sum(&[
            hi_u,
            s(b[7], a6),
            s(b[5], &pows[2]),
            s(b[3], &a2),
            s(b[1], &pows[0]),
        ]);
        let hi_v = matmul(a6, &sum(&[s(b[12], a6), s(b[10], &pows[2]), s(b[8], &a2)]));
        let v = sum(&[
            hi_v,
            s(b[6], a6),
            s(b[4], &pows[2]),
            s(b[2], &a2),
            s(b[0], &pows[0]),
        ]);
        return (matmul(a, &u_inner), v);
    }
    // U = a · Σ b[2k+1] a^{2k},  V = Σ b[2k] a^{2k}.
    let odd: Vec<Array> = pows
        .iter()
        .enumerate()
        .map(|(k, p)| s(b[2 * k + 1], p))
        .collect();
    let even: Vec<Array> = pows
        .iter()
        .enumerate()
        .map(|(k, p)| s(b[2 * k], p))
        .collect();
    (matmul(a, &sum(&odd)), sum(&even))
}

/// `jax.scipy.linalg.expm_frechet(A, E)`: `(expm(A), L(A, E))`, where the
/// Fréchet derivative `L(A, E)` is the directional derivative of `expm` at
/// `A` along `E` (computed as its jvp, as JAX does).
pub fn expm_frechet(a: &Array, e: &Array) -> (Array, Array) {
    let (an, en) = (a.ndim(), e.ndim());
    if an < 2 || a.shape()[an - 2] != a.shape()[an - 1] {
        panic!(
            "ValueError: expected A to be a (batched) square matrix, got A.shape={}",
            fmt_tuple(a.shape())
        );
    }
    if en < 2 || e.shape()[en - 2] != e.shape()[en - 1] {
        panic!(
            "ValueError: expected E to be a (batched) square matrix, got E.shape={}",
            fmt_tuple(e.shape())
        );
    }
    if a.shape() != e.shape() {
        panic!(
            "ValueError: expected A and E to be the same shape, got A.shape={} E.shape={}",
            fmt_tuple(a.shape()),
            fmt_tuple(e.shape())
        );
    }
    let (a, e) = (promote_to_inexact(a), promote_to_inexact(e));
    let e = lax::convert_element_type(&e, a.dtype());
    crate::transforms::jvp(|x: &Array| expm(x), &a, &e)
}
