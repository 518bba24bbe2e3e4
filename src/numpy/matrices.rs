//! Matrix construction and diagonals: `diag`, `diagflat`, `diagonal`,
//! `trace`, `fill_diagonal`, `vander`, `kron`, `cross`, `meshgrid`,
//! `indices`, `geomspace`, and the window functions (`bartlett`,
//! `blackman`, `hamming`, `hanning`).

use super::array_like::ArrayLike;
use super::elementwise as ew;
use super::promote::{default_float, default_int, promote_dtypes};
use super::shape_ops as so;
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::canonicalize_axis;
use crate::lax;

/// The `offset`-th diagonal of the plane `(axis1, axis2)`, as the last axis
/// of the result (`jnp.diagonal(a, offset, axis1, axis2)`).
pub fn diagonal(a: &Array, offset: isize, axis1: isize, axis2: isize) -> Array {
    if a.ndim() < 2 {
        panic!("ValueError: diagonal requires an array of at least two dimensions.");
    }
    let a1 = canonicalize_axis(axis1, a.ndim(), "diagonal");
    let a2 = canonicalize_axis(axis2, a.ndim(), "diagonal");
    if a1 == a2 {
        panic!("ValueError: axis1 and axis2 must not be equal");
    }
    let mut perm: Vec<usize> = (0..a.ndim()).filter(|&d| d != a1 && d != a2).collect();
    perm.push(a1);
    perm.push(a2);
    let x = lax::transpose(a, &perm);
    let nd = x.ndim();
    let (n, m) = (x.shape()[nd - 2], x.shape()[nd - 1]);
    let len = if offset >= 0 {
        n.min(m.saturating_sub(offset as usize))
    } else {
        m.min(n.saturating_sub((-offset) as usize))
    };
    let mut lead: Vec<usize> = x.shape()[..nd - 2].to_vec();
    let mut flat_shape = lead.clone();
    flat_shape.push(n * m);
    let flat = lax::reshape(&x, &flat_shape);
    let start = if offset >= 0 {
        offset as usize
    } else {
        (-offset) as usize * m
    };
    let out = if len == 0 {
        let mut hi = flat_shape.clone();
        hi[nd - 2] = 0;
        lax::slice(&flat, &vec![0; nd - 1], &hi)
    } else {
        let mut lo = vec![0; nd - 1];
        lo[nd - 2] = start;
        let mut hi = flat_shape.clone();
        hi[nd - 2] = start + (len - 1) * (m + 1) + 1;
        let mut st = vec![1; nd - 1];
        st[nd - 2] = m + 1;
        lax::slice_with_strides(&flat, &lo, &hi, &st)
    };
    lead.push(len);
    lax::reshape(&out, &lead)
}

/// A 1-d `v` placed on the `k`-th diagonal of a square matrix, or the `k`-th
/// diagonal of a 2-d `v` (`jnp.diag`).
pub fn diag(v: &Array, k: isize) -> Array {
    match v.ndim() {
        1 => {
            let n = v.shape()[0] + k.unsigned_abs();
            let z = super::elementwise::scalar_like(v, 0.0);
            let z = lax::convert_element_type(&z, v.dtype());
            // Row i holds v[i] at column i (shift by |k| via padding).
            let col = lax::reshape(v, &[v.shape()[0], 1]);
            let eye = lax::eq(
                &lax::broadcasted_iota(DType::I32, &[v.shape()[0], v.shape()[0]], 0),
                &lax::broadcasted_iota(DType::I32, &[v.shape()[0], v.shape()[0]], 1),
            );
            let sq = ew::r#where(
                &eye,
                so::broadcast_to(&col, &[v.shape()[0], v.shape()[0]]),
                &z,
            );
            let kk = k.unsigned_abs() as i64;
            let cfg = if k >= 0 {
                [(0, kk, 0), (kk, 0, 0)]
            } else {
                [(kk, 0, 0), (0, kk, 0)]
            };
            let out = lax::pad(&sq, &z, &cfg);
            debug_assert_eq!(out.shape(), &[n, n]);
            out
        }
        2 => diagonal(v, k, 0, 1),
        _ => panic!("ValueError: diag input must be 1d or 2d"),
    }
}

/// The flattened input on the `k`-th diagonal (`jnp.diagflat`).
pub fn diagflat(v: &Array, k: isize) -> Array {
    diag(&so::ravel(v), k)
}

/// Sum of the `offset`-th diagonal (`jnp.trace(a, offset, axis1, axis2)`).
pub fn trace(a: &Array, offset: isize, axis1: isize, axis2: isize) -> Array {
    let d = diagonal(a, offset, axis1, axis2);
    super::reductions::sum_axis(&d, -1, false)
}

/// `a` with its main diagonal set to `val` (cycled) (`jnp.fill_diagonal`
/// with `inplace=False`). Arrays of more than two dimensions need equal
/// sides. `wrap=true` is not implemented, as in JAX.
pub fn fill_diagonal(a: &Array, val: impl ArrayLike, wrap: bool) -> Array {
    if wrap {
        panic!("NotImplementedError: wrap=True is not implemented, must use wrap=False");
    }
    if a.ndim() < 2 {
        panic!("ValueError: array must be at least 2-d");
    }
    if a.ndim() > 2 && a.shape().iter().any(|&d| d != a.shape()[0]) {
        panic!("ValueError: All dimensions of input must be of equal length");
    }
    let size = a.size();
    let (step, end) = if a.ndim() == 2 {
        let m = a.shape()[1];
        (m + 1, size.min(m * m))
    } else {
        let mut step = 0;
        let mut stride = 1;
        for &d in a.shape().iter().rev() {
            step += stride;
            stride *= d;
        }
        (step, size)
    };
    let pos: Vec<i32> = (0..end).step_by(step.max(1)).map(|p| p as i32).collect();
    let k = pos.len();
    let vals = lax::convert_element_type(&so::ravel(&val.to_array()), a.dtype());
    if vals.size() == 0 {
        return a.clone();
    }
    let vals = super::manipulation::resize(&vals, &[k]);
    let idx = Array::from_vec(pos, vec![k]);
    super::take::put(a, &idx, &vals)
}

/// The Vandermonde matrix: column `j` is `x ** (N - 1 - j)` (or `x ** j`
/// when `increasing`) (`jnp.vander`).
pub fn vander(x: &Array, n: Option<usize>, increasing: bool) -> Array {
    if x.ndim() != 1 {
        panic!("ValueError: x must be a one-dimensional array");
    }
    let n = n.unwrap_or(x.shape()[0]);
    let iota = lax::iota(x.dtype(), n);
    let iota = if increasing {
        iota
    } else {
        lax::sub(&ew::strong_scalar_like(&iota, (n as f64) - 1.0), &iota)
    };
    let col = lax::reshape(x, &[x.shape()[0], 1]);
    ew::power(&col, lax::reshape(&iota, &[1, n]))
}

/// Kronecker product (`jnp.kron`).
pub fn kron(a: impl ArrayLike, b: impl ArrayLike) -> Array {
    let v = promote_dtypes(&[&a.to_array(), &b.to_array()]);
    let (mut a, mut b) = (v[0].clone(), v[1].clone());
    let nd = a.ndim().max(b.ndim());
    let lift = |x: &Array| {
        let mut s = vec![1; nd - x.ndim()];
        s.extend_from_slice(x.shape());
        lax::reshape(x, &s)
    };
    a = lift(&a);
    b = lift(&b);
    // a -> (a0, 1, a1, 1, ...), b -> (1, b0, 1, b1, ...)
    let mut sa = Vec::new();
    let mut sb = Vec::new();
    for i in 0..nd {
        sa.extend([a.shape()[i], 1]);
        sb.extend([1, b.shape()[i]]);
    }
    let prod = ew::multiply(lax::reshape(&a, &sa), lax::reshape(&b, &sb));
    let out: Vec<usize> = (0..nd).map(|i| a.shape()[i] * b.shape()[i]).collect();
    lax::reshape(&prod, &out)
}

/// Cross product of 2- or 3-vectors along the last axis (`jnp.cross`);
/// the vectors broadcast. Two 2-vectors give the scalar z-component.
pub fn cross(a: impl ArrayLike, b: impl ArrayLike) -> Array {
    cross_axes(a, b, -1, -1, -1)
}

/// [`cross`] with the vector axis of `a`, `b` and the result chosen.
pub fn cross_axes(
    a: impl ArrayLike,
    b: impl ArrayLike,
    axisa: isize,
    axisb: isize,
    axisc: isize,
) -> Array {
    let (a, b) = (a.to_array(), b.to_array());
    let a = so::moveaxis(&a, axisa, -1);
    let b = so::moveaxis(&b, axisb, -1);
    let (na, nb) = (a.shape()[a.ndim() - 1], b.shape()[b.ndim() - 1]);
    if !(na == 2 || na == 3) || !(nb == 2 || nb == 3) {
        panic!("ValueError: Dimension must be either 2 or 3 for cross product");
    }
    let comp = |x: &Array, i: usize| {
        let n = x.ndim() - 1;
        lax::squeeze(&lax::slice_in_dim(x, i, i + 1, 1, n), &[n])
    };
    let (a0, a1, b0, b1) = (comp(&a, 0), comp(&a, 1), comp(&b, 0), comp(&b, 1));
    if na == 2 && nb == 2 {
        return ew::subtract(ew::multiply(&a0, &b1), ew::multiply(&a1, &b0));
    }
    let zero_like = |x: &Array| ew::multiply(x, 0);
    let a2 = if na == 3 { comp(&a, 2) } else { zero_like(&a0) };
    let b2 = if nb == 3 { comp(&b, 2) } else { zero_like(&b0) };
    let c0 = ew::subtract(ew::multiply(&a1, &b2), ew::multiply(&a2, &b1));
    let c1 = ew::subtract(ew::multiply(&a2, &b0), ew::multiply(&a0, &b2));
    let c2 = ew::subtract(ew::multiply(&a0, &b1), ew::multiply(&a1, &b0));
    let c = so::stack([&c0, &c1, &c2], -1);
    so::moveaxis(&c, -1, axisc)
}

/// Coordinate grids (`jnp.meshgrid(*xs, indexing=..., sparse=...)`):
/// `indexing` is `"xy"` (Cartesian, the default: the first two axes swap)
/// or `"ij"` (matrix).
pub fn meshgrid(xs: &[&Array], indexing: &str, sparse: bool) -> Vec<Array> {
    if indexing != "xy" && indexing != "ij" {
        panic!("ValueError: Valid values for indexing are 'xy' and 'ij', got {indexing}");
    }
    let flats: Vec<Array> = xs.iter().map(|x| so::ravel(x)).collect();
    let mut shape: Vec<usize> = flats.iter().map(|x| x.size()).collect();
    let n = shape.len();
    let xy = indexing == "xy" && n >= 2;
    if xy {
        shape.swap(0, 1);
    }
    flats
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let mut axis = i;
            if xy && i < 2 {
                axis = 1 - i;
            }
            if sparse {
                let mut s = vec![1; n];
                s[axis] = x.size();
                lax::reshape(x, &s)
            } else {
                lax::broadcast_in_dim(x, &shape, &[axis])
            }
        })
        .collect()
}

/// Index grids: `out[k]` holds the `k`-th coordinate (`jnp.indices`),
/// shape `(len(dimensions), *dimensions)`, default-int typed.
pub fn indices(dimensions: &[usize]) -> Array {
    indices_dtype(dimensions, default_int())
}

/// [`indices`] with a chosen integer dtype.
pub fn indices_dtype(dimensions: &[usize], dtype: DType) -> Array {
    let grids: Vec<Array> = (0..dimensions.len())
        .map(|k| lax::broadcasted_iota(dtype, dimensions, k))
        .collect();
    if grids.is_empty() {
        return super::creation::zeros_dtype(vec![0], dtype);
    }
    so::stack(&grids.iter().collect::<Vec<_>>(), 0)
}

/// `num` numbers spaced evenly on a log scale from `start` to `stop`
/// (`jnp.geomspace`), in the default float dtype.
pub fn geomspace(start: f64, stop: f64, num: usize, endpoint: bool) -> Array {
    if start == 0.0 || stop == 0.0 {
        panic!("ValueError: Geometric sequence cannot include zero");
    }
    let dt = default_float();
    let s = lax::convert_element_type(&Array::scalar(start), dt);
    let e = lax::convert_element_type(&Array::scalar(stop), dt);
    let sign = lax::sign(&s);
    let ls = ew::log10(lax::div(&s, &sign));
    let le = ew::log10(lax::div(&e, &sign));
    let ls = crate::lax::ad_util::scalar_value_f64(&ls);
    let le = crate::lax::ad_util::scalar_value_f64(&le);
    let res = super::creation::logspace_with(
        ls,
        le,
        num,
        super::creation::Logspace {
            endpoint,
            base: 10.0,
        },
    );
    lax::mul(&lax::convert_element_type(&res, dt), &sign)
}

fn window(m: usize, f: impl Fn(&Array, f64) -> Array) -> Array {
    let dt = default_float();
    if m <= 1 {
        return super::creation::ones_dtype(vec![m], dt);
    }
    f(&lax::iota(dt, m), (m - 1) as f64)
}

/// The Bartlett (triangular) window of `m` points (`jnp.bartlett`).
pub fn bartlett(m: usize) -> Array {
    window(m, |n, d| {
        let t = ew::abs(ew::subtract(
            ew::add(ew::multiply(n, 2.0), 1.0),
            (d + 1.0) as f32 as f64,
        ));
        ew::subtract(1.0, ew::divide(t, d))
    })
}

fn cos_term(n: &Array, k: f64, d: f64) -> Array {
    ew::cos(ew::divide(ew::multiply(n, k * std::f64::consts::PI), d))
}

/// The Blackman window of `m` points (`jnp.blackman`).
pub fn blackman(m: usize) -> Array {
    window(m, |n, d| {
        ew::add(
            ew::subtract(0.42, ew::multiply(cos_term(n, 2.0, d), 0.5)),
            ew::multiply(cos_term(n, 4.0, d), 0.08),
        )
    })
}

/// The Hamming window of `m` points (`jnp.hamming`).
pub fn hamming(m: usize) -> Array {
    window(m, |n, d| {
        ew::subtract(0.54, ew::multiply(cos_term(n, 2.0, d), 0.46))
    })
}

/// The Kaiser window of `m` points with shape parameter `beta`
/// (`jnp.kaiser`): `i0(beta * sqrt(1 - ((n - a) / a)^2)) / i0(beta)` with
/// `a = (m - 1) / 2`.
pub fn kaiser(m: usize, beta: impl ArrayLike) -> Array {
    let beta = beta.to_array();
    window(m, |n, d| {
        let alpha = 0.5 * d;
        // XLA turns the division by the constant alpha into a product
        // with its reciprocal; so does this, for JAX's bits.
        let inv_alpha = ew::divide(1.0, ew::scalar_like(n, alpha));
        let r = ew::multiply(ew::subtract(n, alpha), inv_alpha);
        let arg = ew::multiply(&beta, ew::sqrt(ew::subtract(1.0, ew::square(r))));
        ew::divide(super::ufuncs_more::i0(arg), super::ufuncs_more::i0(&beta))
    })
}

/// The Hann window of `m` points (`jnp.hanning`).
pub fn hanning(m: usize) -> Array {
    window(m, |n, d| {
        ew::multiply(ew::subtract(1.0, cos_term(n, 2.0, d)), 0.5)
    })
}
