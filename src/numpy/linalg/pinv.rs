//! `jnp.linalg.pinv` (with JAX's custom jvp), `lstsq`, `matrix_rank` and
//! `cond`, all built on the SVD.

use super::decomp::{inexact, svd_with, svdvals, SvdOptions};
use super::norm::{norm_with, Norm, NormOrd};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::lax;
use crate::lax::linalg::util::{mh, mt};
use crate::numpy::array_like::ArrayLike;
use crate::numpy::{any_axis, expand_dims, isnan, logical_and, matmul, max_axis, sum_axis, where_};
use crate::transforms::custom::custom_jvp_rec;

/// Machine epsilon of a float or complex dtype's real part.
pub(crate) fn eps(d: DType) -> f64 {
    match d.real_dtype() {
        DType::F64 => f64::EPSILON,
        DType::F16 => 9.765625e-4,
        DType::BF16 => 7.8125e-3,
        _ => f32::EPSILON as f64,
    }
}

/// A strong rank-0 constant of `dtype`.
fn constant(v: f64, dtype: DType) -> Array {
    lax::ad_util::constant(v, dtype, false)
}

/// Options of [`pinv_with`] (`jnp.linalg.pinv`'s keywords).
#[derive(Clone, Debug, Default)]
pub struct Pinv {
    /// Relative cutoff: singular values `<= rtol * largest` count as zero
    /// (default `10 * max(m, n) * eps`); broadcasts against the batch shape.
    pub rtol: Option<Array>,
    /// Treat the input as Hermitian (its SVD comes from `eigh`).
    pub hermitian: bool,
}

/// The Moore–Penrose pseudo-inverse `(..., n, m)` of `(..., m, n)` matrices
/// (`jnp.linalg.pinv`), with JAX's custom jvp (Golub–Pereyra).
pub fn pinv(a: impl ArrayLike) -> Array {
    pinv_with(a, Pinv::default())
}

/// `jnp.linalg.pinv` with `rtol` and `hermitian`.
pub fn pinv_with(a: impl ArrayLike, opts: Pinv) -> Array {
    let a = inexact(a);
    if a.ndim() < 2 {
        panic!(
            "TypeError: Input 0 to svd must have rank at least 2, but got shape={}",
            fmt_tuple(a.shape())
        );
    }
    let (rtol, herm) = (opts.rtol.clone(), opts.hermitian);
    let f = custom_jvp_rec(
        move |a: &Array| pinv_impl(a, rtol.as_ref(), herm),
        move |f: &dyn Fn(&Array) -> Array, a: &Array, da: &Array| {
            let p = f(a);
            let (a, da) = if herm {
                (symmetrize(a), symmetrize(da))
            } else {
                (a.clone(), da.clone())
            };
            let nd = a.ndim();
            let (m, n) = (a.shape()[nd - 2], a.shape()[nd - 1]);
            let (ph, dah) = (mh(&p), mh(&da));
            let pdot = if m >= n {
                let s = matmul(matmul(&p, &ph), &dah);
                let t = matmul(matmul(&dah, &ph), &p);
                -matmul(matmul(&p, &da), &p) + &s - matmul(matmul(&s, &a), &p) + &t
                    - matmul(matmul(&p, &a), &t)
            } else {
                let s = matmul(&p, matmul(&ph, &dah));
                let t = matmul(&dah, matmul(&ph, &p));
                -matmul(&p, matmul(&da, &p)) + &s - matmul(&s, matmul(&a, &p)) + &t
                    - matmul(&p, matmul(&a, &t))
            };
            (p, pdot)
        },
    );
    f(&a)
}

fn symmetrize(x: &Array) -> Array {
    (x + &mh(x)) * 0.5
}

fn pinv_impl(a: &Array, rtol: Option<&Array>, hermitian: bool) -> Array {
    let nd = a.ndim();
    let (m, n) = (a.shape()[nd - 2], a.shape()[nd - 1]);
    let dt = a.dtype();
    if m == 0 || n == 0 {
        let mut shape = a.shape()[..nd - 2].to_vec();
        shape.extend([n, m]);
        return lax::broadcast_in_dim(&constant(0.0, dt), &shape, &[]);
    }
    let arr = lax::linalg::util::conj(a);
    let real = dt.real_dtype();
    let rtol = match rtol {
        Some(r) => lax::convert_element_type(&inexact(r), real),
        None => constant(10.0 * m.max(n) as f64 * eps(dt), real),
    };
    let opts = SvdOptions {
        full_matrices: false,
        compute_uv: true,
        hermitian,
    };
    let o = svd_with(&arr, opts);
    let (u, s, vh) = (&o[0], &o[1], &o[2]);
    let sd = s.ndim();
    let largest = lax::slice_in_dim(s, 0, 1, 1, sd - 1);
    let cutoff = expand_dims(&rtol, vec![-1]) * largest;
    let kept = where_(s.gt(&cutoff), s, f64::INFINITY);
    let kept = lax::convert_element_type(&kept, u.dtype());
    let res = matmul(mt(vh), mt(u) / expand_dims(&kept, vec![-1]));
    lax::convert_element_type(&res, dt)
}

/// `jnp.linalg.lstsq(a, b, rcond)`: the least-squares solution `x` of
/// `a @ x ≈ b` for a 2-d `a` (`m×n`) and a 1-d or 2-d `b`, plus the
/// squared residual norms (always computed, as JAX does by default), the
/// effective rank and the singular values of `a`. Singular values below
/// `rcond * largest` (default `eps * max(m, n)`) count as zero.
pub fn lstsq(
    a: impl ArrayLike,
    b: impl ArrayLike,
    rcond: Option<f64>,
) -> (Array, Array, Array, Array) {
    let (a, b) = (inexact(a), inexact(b));
    let ab = crate::numpy::promote::promote_dtypes(&[&a, &b]);
    let (a, b) = (&ab[0], &ab[1]);
    if a.shape().first() != b.shape().first() {
        panic!("ValueError: Leading dimensions of input arrays must match");
    }
    let b_1d = b.ndim() == 1;
    let b = if b_1d {
        expand_dims(b, vec![1])
    } else {
        b.clone()
    };
    if a.ndim() != 2 {
        panic!(
            "TypeError: {}-dimensional array given. Array must be two-dimensional",
            a.ndim()
        );
    }
    if b.ndim() != 2 {
        panic!(
            "TypeError: {}-dimensional array given. Array must be one or two-dimensional",
            b.ndim()
        );
    }
    let (m, n) = (a.shape()[0], a.shape()[1]);
    let dt = a.dtype();
    let real = dt.real_dtype();
    let rcond = match rcond {
        None => eps(dt) * m.max(n) as f64,
        Some(r) if r < 0.0 => eps(dt),
        Some(r) => r,
    };
    let (x, rank, s) = if m == 0 || n == 0 {
        let s = lax::broadcast_in_dim(&constant(0.0, real), &[0], &[]);
        let shape = [n, b.shape()[1]];
        let x = lax::broadcast_in_dim(&constant(0.0, dt), &shape, &[]);
        (x, Array::scalar(0i32), s)
    } else {
        let o = svd_with(
            a,
            SvdOptions {
                full_matrices: false,
                ..Default::default()
            },
        );
        let (u, s, vt) = (&o[0], &o[1], &o[2]);
        let first = lax::slice(s, &[0], &[1]);
        let mask = logical_and(s.gt(0.0), s.ge(&(first * constant(rcond, real))));
        let rank = sum_axis(&mask, crate::numpy::Axes::All, false);
        let safe = lax::convert_element_type(&where_(&mask, s, 1.0), dt);
        let s_inv = expand_dims(
            &where_(&mask, lax::div(&constant(1.0, dt), &safe), 0.0),
            vec![1],
        );
        let utb = matmul(mh(u), &b);
        let x = matmul(mh(vt), s_inv * utb);
        (x, rank, s.clone())
    };
    let est = matmul(a, &x);
    let resid = norm_with(
        &b - &est,
        Norm {
            axis: Some(vec![0]),
            ..Default::default()
        },
    )
    .pow(2);
    let x = if b_1d { lax::reshape(&x, &[n]) } else { x };
    (x, resid, rank, s)
}

/// Options of [`matrix_rank_with`].
#[derive(Clone, Debug, Default)]
pub struct MatrixRank {
    /// Threshold: singular values greater than it count (as in JAX, it is
    /// compared directly; default `max(s) * max(m, n) * eps`).
    pub rtol: Option<Array>,
    /// Alias of `rtol`; only one of the two may be given.
    pub tol: Option<Array>,
    /// Treat the input as Hermitian.
    pub hermitian: bool,
}

/// The rank of `(..., m, n)` matrices: how many singular values exceed
/// `max(s) * max(m, n) * eps` (`jnp.linalg.matrix_rank`); int32.
pub fn matrix_rank(m: impl ArrayLike) -> Array {
    matrix_rank_with(m, MatrixRank::default())
}

/// `jnp.linalg.matrix_rank` with `rtol`/`tol` and `hermitian`.
pub fn matrix_rank_with(m: impl ArrayLike, opts: MatrixRank) -> Array {
    let rtol = match (opts.rtol, opts.tol) {
        (Some(_), Some(_)) => {
            panic!("ValueError: matrix_rank: only one of tol or rtol may be specified.")
        }
        (r, t) => r.or(t),
    };
    let m = inexact(m);
    if m.ndim() < 2 {
        let nz = m.ne(constant(0.0, m.dtype()));
        return lax::convert_element_type(
            &any_axis(&nz, crate::numpy::Axes::All, false),
            DType::I32,
        );
    }
    let s = svd_with(
        &m,
        SvdOptions {
            full_matrices: false,
            compute_uv: false,
            hermitian: opts.hermitian,
        },
    )
    .remove(0);
    let nd = m.ndim();
    let big = m.shape()[nd - 2].max(m.shape()[nd - 1]) as f64;
    let tol = match rtol {
        Some(r) => lax::convert_element_type(&inexact(r), s.dtype()),
        None => max_axis(&s, vec![-1], false) * constant(big * eps(s.dtype()), s.dtype()),
    };
    let tol = expand_dims(&tol, vec![tol.ndim() as isize]);
    sum_axis(&s.gt(&tol), vec![-1], false)
}

/// The 2-norm condition number `s_max / s_min` of `(..., m, n)` matrices
/// (`jnp.linalg.cond(x)`).
pub fn cond(x: impl ArrayLike) -> Array {
    cond_with(x, NormOrd::Default)
}

/// `jnp.linalg.cond(x, p)` for every order `norm` takes: `None`/`2`/`-2`
/// from the singular values, others as `norm(x, p) * norm(inv(x), p)`
/// (square input; the inverse from the SVD). NaNs from a singular input
/// become `inf` where the input has no NaN.
pub fn cond_with(x: impl ArrayLike, p: NormOrd) -> Array {
    let arr = inexact(x);
    let nd = arr.ndim();
    if nd < 2 {
        panic!(
            "ValueError: jnp.linalg.cond: input array must be at least 2D; got arr.shape={}",
            fmt_tuple(arr.shape())
        );
    }
    let (m, n) = (arr.shape()[nd - 2], arr.shape()[nd - 1]);
    if m == 0 || n == 0 {
        panic!(
            "ValueError: jnp.linalg.cond: input array must not be empty; got arr.shape={}",
            fmt_tuple(arr.shape())
        );
    }
    let k = m.min(n);
    let sv = |i: usize| {
        let s = svdvals(&arr);
        lax::squeeze(&lax::slice_in_dim(&s, i, i + 1, 1, nd - 2), &[nd - 2])
    };
    let two = matches!(p, NormOrd::Default) || p == NormOrd::Num(2.0);
    if two {
        return lax::div(&sv(0), &sv(k - 1));
    }
    let r = if p == NormOrd::Num(-2.0) {
        lax::div(&sv(k - 1), &sv(0))
    } else {
        if m != n {
            panic!(
                "ValueError: jnp.linalg.cond: for p={p}, array must be square; got arr.shape={}",
                fmt_tuple(arr.shape())
            );
        }
        let opts = |ord: NormOrd| Norm {
            ord,
            axis: Some(vec![-2, -1]),
            keepdims: false,
        };
        norm_with(&arr, opts(p.clone())) * norm_with(svd_inverse(&arr), opts(p))
    };
    let nan_free = lax::not(&any_axis(&isnan(&arr), vec![-2, -1], false));
    where_(logical_and(isnan(&r), nan_free), f64::INFINITY, &r)
}

/// The inverse of square matrices from their SVD, `v diag(1/s) uᴴ` (a zero
/// singular value gives infinities, as a singular LU inverse does).
fn svd_inverse(a: &Array) -> Array {
    let o = svd_with(a, SvdOptions::default());
    let (u, s, vh) = (&o[0], &o[1], &o[2]);
    let inv_s = lax::convert_element_type(&(1.0 / s), a.dtype());
    matmul(mh(vh) * expand_dims(&inv_s, vec![-2]), mh(u))
}
