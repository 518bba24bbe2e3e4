//! `jnp.linalg.det` and `jnp.linalg.slogdet`, with JAX's derivative rules:
//! `det`'s jvp goes through a cofactor solve that stays finite on singular
//! matrices; `slogdet`'s is `tr(a⁻¹ ȧ)`.

use super::solve::solve_broadcast;
use super::util::{
    count_last, diagonal, inexact, iota_like, parity_sign, set_last_corner, sum_last, trace,
};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::ir::ReduceOp;
use crate::lax::{self, linalg::TriangularSolveOptions};
use crate::transforms::custom::custom_jvp;

/// `a[..., i, j]` for every matrix of `a`.
fn entry(a: &Array, i: usize, j: usize) -> Array {
    let nd = a.ndim();
    let mut lo = vec![0; nd];
    let mut hi = a.shape().to_vec();
    lo[nd - 2] = i;
    lo[nd - 1] = j;
    hi[nd - 2] = i + 1;
    hi[nd - 1] = j + 1;
    lax::reshape(&lax::slice(a, &lo, &hi), &a.shape()[..nd - 2])
}

/// `jnp.linalg.det`: the determinant of each square matrix of `a` (`(...,
/// n, n)` to `(...)`); integer input is promoted to float. 2×2 and 3×3
/// matrices use the explicit formulas, larger ones LU.
///
/// ```
/// use jaxide::prelude::*;
/// let d = jnp::linalg::det(&jnp::array([[1.0f32, 2.0], [3.0, 4.0]]));
/// assert_eq!(d.item::<f32>(), -2.0);
/// ```
pub fn det(a: &Array) -> Array {
    let a = inexact(a);
    let nd = a.ndim();
    if nd < 2 || a.shape()[nd - 1] != a.shape()[nd - 2] {
        panic!(
            "ValueError: Argument to _det() must have shape [..., n, n], got {}",
            fmt_tuple(a.shape())
        );
    }
    let e = |i, j| entry(&a, i, j);
    let mul = |x: &Array, y: &Array| lax::mul(x, y);
    match a.shape()[nd - 1] {
        2 => lax::sub(&mul(&e(0, 0), &e(1, 1)), &mul(&e(0, 1), &e(1, 0))),
        3 => {
            let t = |p: [(usize, usize); 3]| {
                mul(
                    &mul(&e(p[0].0, p[0].1), &e(p[1].0, p[1].1)),
                    &e(p[2].0, p[2].1),
                )
            };
            let plus = lax::add(
                &lax::add(&t([(0, 0), (1, 1), (2, 2)]), &t([(0, 1), (1, 2), (2, 0)])),
                &t([(0, 2), (1, 0), (2, 1)]),
            );
            let minus = lax::add(
                &lax::add(&t([(0, 2), (1, 1), (2, 0)]), &t([(0, 0), (1, 2), (2, 1)])),
                &t([(0, 1), (1, 0), (2, 2)]),
            );
            lax::sub(&plus, &minus)
        }
        _ => {
            let f = custom_jvp(
                |a: &Array| {
                    let (sign, logdet) = slogdet(a);
                    lax::mul(
                        &sign,
                        &lax::convert_element_type(&lax::exp(&logdet), sign.dtype()),
                    )
                },
                |a: &Array, g: &Array| {
                    let (y, z) = cofactor_solve(a, g);
                    (y, trace(&z))
                },
            );
            f(&a)
        }
    }
}

/// `(det(a), adj(a) @ b)` for square `a` and `b` of equal shape, finite
/// also when `a` has rank `n-1` (JAX's `_cofactor_solve`): the LU factor's
/// last pivot is replaced so the triangular solves stay finite, and a
/// matrix of lower rank gives zeros.
fn cofactor_solve(a: &Array, b: &Array) -> (Array, Array) {
    let nd = a.ndim();
    let m = a.shape()[nd - 1];
    if m == 1 {
        return (entry(a, 0, 0), b.clone());
    }
    let dtype = a.dtype();
    let (lu, pivots, perm) = lax::linalg::lu(a);
    let diag = diagonal(&lu);
    let parity = count_last(&lax::ne(&pivots, &iota_like(&pivots)));
    let sign = parity_sign(&parity, dtype);
    let partial = lax::mul(
        &crate::numpy::cumprod_axis(&diag, -1),
        &lax::broadcast_in_dim(&sign, diag.shape(), &(0..nd - 2).collect::<Vec<_>>()),
    );
    let last = |k: usize| {
        let mut lo = vec![0; nd - 1];
        let mut hi = partial.shape().to_vec();
        lo[nd - 2] = m - k;
        hi[nd - 2] = m - k + 1;
        lax::reshape(&lax::slice(&partial, &lo, &hi), &a.shape()[..nd - 2])
    };
    let (full, but_last) = (last(1), last(2));
    let one = lax::ad_util::constant(1.0, dtype, false);
    let lu = set_last_corner(&lu, &lax::div(&one, &but_last));
    let upper = TriangularSolveOptions {
        left_side: true,
        ..Default::default()
    };
    let lower_unit = TriangularSolveOptions {
        left_side: true,
        lower: true,
        unit_diagonal: true,
        ..Default::default()
    };
    // Matrices of rank < n-1 give a non-finite solve even after the fix.
    let ones = lax::broadcast_in_dim(&one, &a.shape()[..nd - 1], &[]);
    let d = lax::linalg::triangular_solve_with(&lu, &ones, upper);
    let bad = non_finite(&d);
    let bad = lax::reduce(&bad, ReduceOp::Or, &[nd - 2]);
    let bad = lax::broadcast_in_dim(&bad, b.shape(), &(0..nd - 2).collect::<Vec<_>>());
    let zeros = lax::ad_util::zeros(b.aval());
    let x = lax::select(&bad, &zeros, b);
    let x = lax::linalg::util::permute_rows(&x, &perm);
    let x = lax::linalg::triangular_solve_with(&lu, &x, lower_unit);
    // Rows but the last are scaled by det(a); the last is kept.
    let rows = lax::broadcasted_iota(DType::I32, x.shape(), nd - 2);
    let last_row = lax::ad_util::constant((m - 1) as f64, DType::I32, false);
    let f = lax::broadcast_in_dim(&full, x.shape(), &(0..nd - 2).collect::<Vec<_>>());
    let x = lax::select(&lax::lt(&rows, &last_row), &lax::mul(&x, &f), &x);
    let x = lax::linalg::triangular_solve_with(&lu, &x, upper);
    let x = lax::select(&bad, &zeros, &x);
    (full, x)
}

/// `jnp.linalg.slogdet`: `(sign, logabsdet)` of each square matrix of `a`,
/// with `det = sign * exp(logabsdet)`; `sign` has `a`'s dtype (a unit
/// complex number for complex input, 0 for a singular matrix) and
/// `logabsdet` the real dtype (-inf for a singular matrix).
///
/// ```
/// use jaxide::prelude::*;
/// let (sign, logdet) = jnp::linalg::slogdet(&jnp::array([[1.0f32, 2.0], [3.0, 4.0]]));
/// assert_eq!(sign.item::<f32>(), -1.0);
/// assert!((logdet.item::<f32>() - 2.0f32.ln()).abs() < 1e-6);
/// ```
pub fn slogdet(a: &Array) -> (Array, Array) {
    let a = inexact(a);
    let nd = a.ndim();
    if nd < 2 || a.shape()[nd - 1] != a.shape()[nd - 2] {
        panic!(
            "ValueError: Argument to slogdet() must have shape [..., n, n], got {}",
            fmt_tuple(a.shape())
        );
    }
    let n = a.shape()[nd - 1];
    let f = custom_jvp(
        move |a: &Array| {
            if n == 1 || n == 2 {
                slogdet_small(a)
            } else {
                slogdet_lu(a)
            }
        },
        move |x: &Array, g: &Array| {
            let (sign, ans) = if n == 1 || n == 2 {
                slogdet_small(x)
            } else {
                slogdet_lu(x)
            };
            let ans_dot = if n == 1 || n == 2 {
                small_logdet_tangent(x, g)
            } else {
                trace(&solve_broadcast(x, g))
            };
            if x.dtype().is_complex() {
                let re = lax::real(&ans_dot);
                let im_part = lax::sub(&ans_dot, &lax::convert_element_type(&re, ans_dot.dtype()));
                ((sign.clone(), ans), (lax::mul(&im_part, &sign), re))
            } else {
                (
                    (sign.clone(), ans),
                    (lax::ad_util::zeros(sign.aval()), ans_dot),
                )
            }
        },
    );
    f(&a)
}

/// `d log det / da` along `g` for 1×1 and 2×2 matrices, by the formulas.
fn small_logdet_tangent(x: &Array, g: &Array) -> Array {
    if x.shape()[x.ndim() - 1] == 1 {
        return lax::div(&entry(g, 0, 0), &entry(x, 0, 0));
    }
    let (x00, x01, x10, x11) = (
        entry(x, 0, 0),
        entry(x, 0, 1),
        entry(x, 1, 0),
        entry(x, 1, 1),
    );
    let (g00, g01, g10, g11) = (
        entry(g, 0, 0),
        entry(g, 0, 1),
        entry(g, 1, 0),
        entry(g, 1, 1),
    );
    let det = lax::sub(&lax::mul(&x00, &x11), &lax::mul(&x01, &x10));
    let num = lax::add(
        &lax::sub(
            &lax::sub(&lax::mul(&g00, &x11), &lax::mul(&g01, &x10)),
            &lax::mul(&g10, &x01),
        ),
        &lax::mul(&g11, &x00),
    );
    lax::div(&num, &det)
}

/// `(sign, log|det|)` of a `z`: `z / |z|` (0 at 0) and `log|z|`.
fn sign_and_log(det: &Array) -> (Array, Array) {
    let abs = lax::abs(det);
    let sign = if det.dtype().is_complex() {
        let zero = lax::ad_util::zeros(det.aval());
        let unit = lax::div(det, &lax::convert_element_type(&abs, det.dtype()));
        let is_zero = lax::eq(&abs, &lax::ad_util::zeros(abs.aval()));
        lax::select(&is_zero, &zero, &unit)
    } else {
        lax::sign(det)
    };
    (sign, lax::log(&abs))
}

/// slogdet of 1×1 and 2×2 matrices by the explicit formulas.
fn slogdet_small(a: &Array) -> (Array, Array) {
    let det = if a.shape()[a.ndim() - 1] == 1 {
        entry(a, 0, 0)
    } else {
        lax::sub(
            &lax::mul(&entry(a, 0, 0), &entry(a, 1, 1)),
            &lax::mul(&entry(a, 0, 1), &entry(a, 1, 0)),
        )
    };
    sign_and_log(&det)
}

/// slogdet from the LU factors: the diagonal's product, with the sign of
/// the row swaps.
fn slogdet_lu(a: &Array) -> (Array, Array) {
    let dtype = a.dtype();
    let nd = a.ndim();
    let (lu, pivots, _) = lax::linalg::lu(a);
    let diag = diagonal(&lu);
    let is_zero = lax::reduce(
        &lax::eq(&diag, &lax::ad_util::zeros(diag.aval())),
        ReduceOp::Or,
        &[nd - 2],
    );
    let mut parity = count_last(&lax::ne(&pivots, &iota_like(&pivots)));
    let abs = lax::abs(&diag);
    let sign = if dtype.is_complex() {
        let unit = lax::div(&diag, &lax::convert_element_type(&abs, dtype));
        lax::reduce(&unit, ReduceOp::Prod, &[nd - 2])
    } else {
        let neg = lax::lt(&diag, &lax::ad_util::zeros(diag.aval()));
        parity = lax::add(&parity, &count_last(&neg));
        lax::ad_util::constant(1.0, dtype, false)
    };
    let sign = lax::mul(&sign, &parity_sign(&parity, dtype));
    let zero = lax::ad_util::zeros(sign.aval());
    let sign = lax::select(&is_zero, &zero, &sign);
    let logdet = sum_last(&lax::log(&abs));
    let neg_inf = lax::broadcast_in_dim(
        &lax::ad_util::constant(f64::NEG_INFINITY, logdet.dtype(), false),
        logdet.shape(),
        &[],
    );
    (sign, lax::select(&is_zero, &neg_inf, &logdet))
}

/// Whether each entry is NaN or infinite (either part, for complex).
fn non_finite(x: &Array) -> Array {
    if x.dtype().is_complex() {
        let ok = lax::bitwise_and(
            &lax::is_finite(&lax::real(x)),
            &lax::is_finite(&lax::imag(x)),
        );
        lax::not(&ok)
    } else {
        lax::not(&lax::is_finite(x))
    }
}
