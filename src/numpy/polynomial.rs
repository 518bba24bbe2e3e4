//! Polynomials as coefficient arrays, highest power first: `poly`,
//! `polyval`, `polyadd`, `polysub`, `polymul`, `polydiv`, `polyder`,
//! `polyint`.

use super::array_like::ArrayLike;
use super::calculus::{convolve, ConvMode};
use super::elementwise as ew;
use super::promote::{promote_dtypes, promote_to_inexact};
use crate::core::array::Array;
use crate::lax;

fn inexact_pair(a: impl ArrayLike, b: impl ArrayLike) -> (Array, Array) {
    let v = promote_dtypes(&[&a.to_array(), &b.to_array()]);
    (promote_to_inexact(&v[0]), promote_to_inexact(&v[1]))
}

fn check_1d(name: &str, p: &Array) {
    if p.ndim() != 1 {
        panic!(
            "ValueError: {name}: the coefficients must be a 1-d array, got {} dimensions.",
            p.ndim()
        );
    }
}

/// Coefficients of the monic polynomial with the given roots (`jnp.poly`,
/// 1-d roots).
pub fn poly(seq_of_zeros: &Array) -> Array {
    let z = promote_to_inexact(&super::shape_ops::atleast_1d(seq_of_zeros));
    if z.ndim() != 1 {
        panic!("ValueError: input must be 1d or non-empty square 2d array.");
    }
    let dt = z.dtype();
    let n = z.shape()[0];
    if n == 0 {
        return lax::convert_element_type(&Array::scalar(1.0f32), dt);
    }
    let mut a = super::creation::ones_dtype(vec![1], dt);
    let one = lax::convert_element_type(&Array::from_vec(vec![1.0f32], vec![1]), dt);
    for k in 0..n {
        let r = lax::neg(&lax::slice_in_dim(&z, k, k + 1, 1, 0));
        let factor = lax::concatenate(&[&one, &r], 0);
        a = convolve(&a, &factor, ConvMode::Full);
    }
    a
}

/// The polynomial `p` evaluated at `x` by Horner's rule (`jnp.polyval`).
pub fn polyval(p: impl ArrayLike, x: impl ArrayLike) -> Array {
    let v = promote_dtypes(&[&p.to_array(), &x.to_array()]);
    let (p, x) = (&v[0], &v[1]);
    let mut y = ew::multiply(x, 0);
    for i in 0..p.shape().first().copied().unwrap_or(0) {
        let c = lax::squeeze(&lax::slice_in_dim(p, i, i + 1, 1, 0), &[0]);
        y = ew::add(ew::multiply(&y, x), c);
    }
    y
}

fn pad_front(a: &Array, to: usize) -> Array {
    let z = ew::strong_scalar_like(a, 0.0);
    lax::pad(a, &z, &[((to - a.shape()[0]) as i64, 0, 0)])
}

/// Sum of two polynomials (`jnp.polyadd`).
pub fn polyadd(a1: impl ArrayLike, a2: impl ArrayLike) -> Array {
    let v = promote_dtypes(&[&a1.to_array(), &a2.to_array()]);
    let n = v[0].shape()[0].max(v[1].shape()[0]);
    ew::add(pad_front(&v[0], n), pad_front(&v[1], n))
}

/// Difference of two polynomials (`jnp.polysub`).
pub fn polysub(a1: impl ArrayLike, a2: impl ArrayLike) -> Array {
    let v = promote_dtypes(&[&a1.to_array(), &a2.to_array()]);
    let n = v[0].shape()[0].max(v[1].shape()[0]);
    ew::subtract(pad_front(&v[0], n), pad_front(&v[1], n))
}

/// Product of two polynomials (`jnp.polymul`).
pub fn polymul(a1: impl ArrayLike, a2: impl ArrayLike) -> Array {
    let (a, b) = inexact_pair(a1, a2);
    let a = if a.size() == 0 {
        super::creation::zeros_dtype(vec![1], a.dtype())
    } else {
        a
    };
    let b = if b.size() == 0 {
        super::creation::zeros_dtype(vec![1], b.dtype())
    } else {
        b
    };
    convolve(&a, &b, ConvMode::Full)
}

/// Quotient and remainder of polynomial division (`jnp.polydiv`); the
/// remainder keeps `u`'s length, as JAX.
pub fn polydiv(u: impl ArrayLike, v: impl ArrayLike) -> (Array, Array) {
    let (mut u, v) = inexact_pair(u, v);
    check_1d("polydiv", &u);
    check_1d("polydiv", &v);
    let m = u.shape()[0] as isize - 1;
    let n = v.shape()[0] as isize - 1;
    let scale = ew::divide(1.0, lax::squeeze(&lax::slice_in_dim(&v, 0, 1, 1, 0), &[0]));
    let qlen = (m - n + 1).max(1) as usize;
    let mut q: Vec<Array> = Vec::with_capacity(qlen);
    for k in 0..(m - n + 1).max(0) as usize {
        let uk = lax::squeeze(&lax::slice_in_dim(&u, k, k + 1, 1, 0), &[0]);
        let d = ew::multiply(&scale, &uk);
        q.push(lax::reshape(&d, &[1]));
        let upd = ew::multiply(ew::negative(&d), &v);
        let nn = (n + 1) as usize;
        let seg = ew::add(lax::slice_in_dim(&u, k, k + nn, 1, 0), upd);
        u = lax::dynamic_update_slice(&u, &seg, &[&Array::scalar(k as i32)]);
    }
    let q = if q.is_empty() {
        super::creation::zeros_dtype(vec![1], u.dtype())
    } else {
        lax::concatenate(&q.iter().collect::<Vec<_>>(), 0)
    };
    (q, u)
}

/// The `m`-th derivative (`jnp.polyder`).
pub fn polyder(p: impl ArrayLike, m: usize) -> Array {
    let p = promote_to_inexact(&p.to_array());
    check_1d("polyder", &p);
    let n = p.shape()[0];
    if m == 0 {
        return p;
    }
    if m >= n {
        return lax::slice_in_dim(&p, 0, 0, 1, 0);
    }
    // coeff[i] = prod_{j<m} (n - 1 - i - j) for the kept coefficients.
    let coeff: Vec<f64> = (0..n - m)
        .map(|i| (0..m).map(|j| (n - 1 - i - j) as f64).product())
        .collect();
    let c = lax::convert_element_type(&Array::from_vec(coeff, vec![n - m]), p.dtype());
    ew::multiply(lax::slice_in_dim(&p, 0, n - m, 1, 0), c)
}

/// The `m`-th antiderivative, with integration constants `k` (one per
/// integration, or one for all; default 0) (`jnp.polyint`).
pub fn polyint(p: impl ArrayLike, m: usize, k: Option<&Array>) -> Array {
    let p = promote_to_inexact(&p.to_array());
    check_1d("polyint", &p);
    if m == 0 {
        return p;
    }
    let k = match k {
        None => super::creation::zeros_dtype(vec![m], p.dtype()),
        Some(k) => {
            let k = lax::convert_element_type(&super::shape_ops::atleast_1d(k), p.dtype());
            if k.shape() == [1] {
                lax::broadcast_in_dim(&lax::reshape(&k, &[]), &[m], &[])
            } else if k.shape() == [m] {
                k
            } else {
                panic!("ValueError: k must be a scalar or a rank-1 array of length 1 or m.");
            }
        }
    };
    let n = p.shape()[0];
    let total = n + m;
    // coeff (reversed): prod_{j<m} max(1, i - j) for i in 0..total.
    let coeff: Vec<f64> = (0..total)
        .rev()
        .map(|i| (0..m).map(|j| (i as f64 - j as f64).max(1.0)).product())
        .collect();
    let c = lax::convert_element_type(&Array::from_vec(coeff, vec![total]), p.dtype());
    ew::true_divide(lax::concatenate(&[&p, &k], 0), c)
}

/// The roots of `p`, as complex numbers (`jnp.roots`): the eigenvalues of
/// the companion matrix, after stripping leading zeros (so `p` must be
/// concrete). The order of the roots is the eigensolver's.
pub fn roots(p: &Array) -> Array {
    let p = promote_to_inexact(&super::shape_ops::atleast_1d(p));
    if p.ndim() != 1 {
        panic!("ValueError: Input must be a rank-1 array.");
    }
    let complex = if p.dtype() == crate::core::dtype::DType::F64 {
        crate::core::dtype::DType::C128
    } else {
        crate::core::dtype::DType::C64
    };
    let nz = ew::not_equal(&p, 0.0);
    let lead = lax::convert_element_type(&nz, crate::core::dtype::DType::I32).to_vec::<i32>();
    let skip = lead.iter().position(|&v| v != 0).unwrap_or(lead.len());
    let p = lax::slice_in_dim(&p, skip, p.shape()[0], 1, 0);
    let n = p.shape()[0];
    if n < 2 {
        return super::creation::zeros_dtype(vec![0], complex);
    }
    // Companion matrix: -p[1:] / p[0] on the first row, ones below the diagonal.
    let first = ew::divide(
        ew::negative(lax::slice_in_dim(&p, 1, n, 1, 0)),
        lax::slice_in_dim(&p, 0, 1, 1, 0),
    );
    let m = n - 1;
    let sub = super::matrices::diag(&super::creation::ones_dtype(vec![m - 1], p.dtype()), -1);
    let rest = lax::slice_in_dim(&sub, 1, m, 1, 0);
    let a = lax::concatenate(&[&lax::reshape(&first, &[1, m]), &rest], 0);
    super::linalg::eigvals(&a)
}

/// Least-squares polynomial fit of degree `deg` (`jnp.polyfit(x, y, deg,
/// w=w)`): coefficients, highest power first (one column per column of a
/// 2-d `y`).
pub fn polyfit(x: &Array, y: &Array, deg: usize, w: Option<&Array>) -> Array {
    if x.ndim() != 1 {
        panic!("TypeError: expected 1D vector for x");
    }
    if x.size() == 0 {
        panic!("TypeError: expected non-empty vector for x");
    }
    if y.ndim() < 1 || y.ndim() > 2 {
        panic!("TypeError: expected 1D or 2D array for y");
    }
    if x.shape()[0] != y.shape()[0] {
        panic!("TypeError: expected x and y to have same length");
    }
    let (x, y) = inexact_pair(x, y);
    let order = deg + 1;
    let rcond = x.shape()[0] as f64 * super::dtype_info::finfo(x.dtype()).eps;
    let mut lhs = super::matrices::vander(&x, Some(order), false);
    let mut rhs = y.clone();
    if let Some(w) = w {
        let w = lax::convert_element_type(&promote_to_inexact(w), x.dtype());
        if w.ndim() != 1 {
            panic!("TypeError: expected a 1-d array for weights");
        }
        if w.shape()[0] != y.shape()[0] {
            panic!("TypeError: expected w and y to have the same length");
        }
        let wc = lax::reshape(&w, &[w.shape()[0], 1]);
        lhs = ew::multiply(&lhs, &wc);
        rhs = if rhs.ndim() == 2 {
            ew::multiply(&rhs, &wc)
        } else {
            ew::multiply(&rhs, &w)
        };
    }
    let scale = ew::sqrt(super::reductions::sum_axis(
        &ew::multiply(&lhs, &lhs),
        0,
        false,
    ));
    let lhs = ew::divide(&lhs, lax::reshape(&scale, &[1, order]));
    let (c, _, _, _) = super::linalg::lstsq(&lhs, &rhs, Some(rcond));
    if c.ndim() > 1 {
        ew::divide(&c, lax::reshape(&scale, &[order, 1]))
    } else {
        ew::divide(&c, &scale)
    }
}
