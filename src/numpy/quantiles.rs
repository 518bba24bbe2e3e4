//! Order statistics: `quantile`, `percentile`, `median` and their `nan*`
//! forms (every `method` JAX has), and the weighted `average`.
//!
//! The reduced axes move to the end and flatten into one; the data is
//! sorted along it (NaN last) and the order statistics are gathered with
//! `take_along_axis`, so everything stays on lax primitives.

use super::array_like::ArrayLike;
use super::axes::Axes;
use super::elementwise::{self as ew, strong_scalar_like};
use super::promote::{default_int, promote_dtypes, promote_to_inexact};
use super::reductions as red;
use crate::core::array::Array;
use crate::core::shape::fmt_tuple;
use crate::lax;

/// How a quantile between two data points is chosen (`method=`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QuantileMethod {
    /// Linear interpolation between the neighbours (the default).
    #[default]
    Linear,
    /// The lower neighbour.
    Lower,
    /// The higher neighbour.
    Higher,
    /// The mean of the neighbours.
    Midpoint,
    /// The nearer neighbour (the lower one at a tie).
    Nearest,
    /// The first value whose empirical CDF reaches `q`.
    InvertedCdf,
}

impl QuantileMethod {
    /// Parses NumPy's method name (`"linear"`, `"inverted_cdf"`, ...).
    pub fn parse(name: &str) -> Self {
        match name {
            "linear" => Self::Linear,
            "lower" => Self::Lower,
            "higher" => Self::Higher,
            "midpoint" => Self::Midpoint,
            "nearest" => Self::Nearest,
            "inverted_cdf" => Self::InvertedCdf,
            _ => panic!(
                "ValueError: method can only be 'linear', 'lower', 'higher', 'midpoint', \
                 'nearest' or 'inverted_cdf'"
            ),
        }
    }
}

/// Options of the `*_with` quantile functions.
#[derive(Clone, Debug)]
pub struct Quantile {
    /// Axes to reduce (`Axes::All`: the flattened array).
    pub axis: Axes,
    /// The interpolation method.
    pub method: QuantileMethod,
    /// Keep the reduced axes with size 1.
    pub keepdims: bool,
}

impl Default for Quantile {
    fn default() -> Self {
        Quantile {
            axis: Axes::All,
            method: QuantileMethod::Linear,
            keepdims: false,
        }
    }
}

/// `q`-th quantile of the flattened array (`jnp.quantile(a, q)`); `q` in
/// `[0, 1]`, a scalar or a 1-d array (its axis leads the result).
pub fn quantile(a: impl ArrayLike, q: impl ArrayLike) -> Array {
    quantile_with(a, q, Quantile::default())
}

/// [`quantile`] with axes, method and keepdims.
pub fn quantile_with(a: impl ArrayLike, q: impl ArrayLike, opts: Quantile) -> Array {
    quantile_impl(&a.to_array(), &q.to_array(), &opts, false)
}

/// [`quantile`] ignoring NaNs (`jnp.nanquantile`).
pub fn nanquantile(a: impl ArrayLike, q: impl ArrayLike) -> Array {
    nanquantile_with(a, q, Quantile::default())
}

/// [`nanquantile`] with options.
pub fn nanquantile_with(a: impl ArrayLike, q: impl ArrayLike, opts: Quantile) -> Array {
    quantile_impl(&a.to_array(), &q.to_array(), &opts, true)
}

fn over_100(q: impl ArrayLike) -> Array {
    let q = promote_to_inexact(&q.to_array());
    lax::div(&q, &super::elementwise::scalar_like(&q, 100.0))
}

/// `q`-th percentile (`q` in `[0, 100]`) of the flattened array (`jnp.percentile`).
pub fn percentile(a: impl ArrayLike, q: impl ArrayLike) -> Array {
    quantile(a, over_100(q))
}

/// [`percentile`] with options.
pub fn percentile_with(a: impl ArrayLike, q: impl ArrayLike, opts: Quantile) -> Array {
    quantile_with(a, over_100(q), opts)
}

/// [`percentile`] ignoring NaNs (`jnp.nanpercentile`).
pub fn nanpercentile(a: impl ArrayLike, q: impl ArrayLike) -> Array {
    nanquantile(a, over_100(q))
}

/// [`nanpercentile`] with options.
pub fn nanpercentile_with(a: impl ArrayLike, q: impl ArrayLike, opts: Quantile) -> Array {
    nanquantile_with(a, over_100(q), opts)
}

fn median_opts(axis: Axes, keepdims: bool) -> Quantile {
    Quantile {
        axis,
        method: QuantileMethod::Midpoint,
        keepdims,
    }
}

/// Median of the flattened array (`jnp.median`); NaN if any element is NaN.
pub fn median(a: impl ArrayLike) -> Array {
    median_axis(a, Axes::All, false)
}

/// [`median`] over `axes`.
pub fn median_axis(a: impl ArrayLike, axes: impl Into<Axes>, keepdims: bool) -> Array {
    quantile_with(a, 0.5, median_opts(axes.into(), keepdims))
}

/// Median ignoring NaNs (`jnp.nanmedian`).
pub fn nanmedian(a: impl ArrayLike) -> Array {
    nanmedian_axis(a, Axes::All, false)
}

/// [`nanmedian`] over `axes`.
pub fn nanmedian_axis(a: impl ArrayLike, axes: impl Into<Axes>, keepdims: bool) -> Array {
    nanquantile_with(a, 0.5, median_opts(axes.into(), keepdims))
}

fn quantile_impl(a: &Array, q: &Array, opts: &Quantile, squash_nans: bool) -> Array {
    let a = promote_to_inexact(a);
    if a.dtype().is_complex() {
        panic!(
            "ValueError: quantile does not support complex input, as the operation is poorly \
             defined."
        );
    }
    if q.ndim() > 1 {
        panic!(
            "ValueError: q must be have rank <= 1, got shape {}",
            fmt_tuple(q.shape())
        );
    }
    let q = promote_to_inexact(q);
    let nd = a.ndim();
    let reduced = opts.axis.resolve(nd, "quantile");
    let kept: Vec<usize> = (0..nd).filter(|d| !reduced.contains(d)).collect();
    // Kept axes first, reduced axes flattened into the last.
    let perm: Vec<usize> = kept.iter().chain(reduced.iter()).copied().collect();
    let kept_shape: Vec<usize> = kept.iter().map(|&d| a.shape()[d]).collect();
    let n: usize = reduced.iter().map(|&d| a.shape()[d]).product();
    let mut flat_shape = kept_shape.clone();
    flat_shape.push(n);
    let x = lax::reshape(&lax::transpose(&a, &perm), &flat_shape);
    let last = kept_shape.len();
    if n == 0 {
        panic!(
            "ValueError: quantile of an empty axis is undefined (got shape {}).",
            fmt_tuple(a.shape())
        );
    }
    let nan = ew::isnan(&x);
    let x = if squash_nans {
        x
    } else {
        let any_nan = red::any_axis(&nan, last as isize, true);
        ew::r#where(any_nan, strong_scalar_like(&x, f64::NAN), &x)
    };
    // Positive NaNs sort last.
    let x = ew::r#where(ew::isnan(&x), strong_scalar_like(&x, f64::NAN), &x);
    let sorted = lax::sort(&[&x], last, true, 1).remove(0);
    // Per-row count of usable values, shape kept + [1].
    let counts = if squash_nans {
        red::sum_axis(&ew::logical_not(&nan), last as isize, true)
    } else {
        lax::broadcast_in_dim(
            &lax::convert_element_type(&Array::scalar(n as i32), default_int()),
            &[&kept_shape[..], &[1]].concat(),
            &[],
        )
    };
    // q along a trailing axis: shape [qn] (or [1] for a scalar q).
    let qn = if q.ndim() == 1 { q.shape()[0] } else { 1 };
    let qv = lax::reshape(&q, &[qn]);
    let mut bshape = kept_shape.clone();
    bshape.push(qn);
    let qb = lax::broadcast_in_dim(&qv, &bshape, &[last]);
    let cnt = lax::broadcast_in_dim(
        &lax::reshape(&counts, &kept_shape),
        &bshape,
        &(0..last).collect::<Vec<_>>(),
    );
    let cnt_f = lax::convert_element_type(&cnt, q.dtype());
    let one_q = strong_scalar_like(&qb, 1.0);
    let take = |idx: &Array| -> Array {
        let idx = lax::convert_element_type(idx, default_int());
        super::take::take_along_axis(&sorted, &idx, Some(last as isize))
    };
    let result = if opts.method == QuantileMethod::InvertedCdf {
        // Cumulative counts of usable values reach q * total at the answer.
        let usable = lax::convert_element_type(&ew::logical_not(ew::isnan(&sorted)), q.dtype());
        let cw = red::cumsum_axis(&usable, last as isize);
        let total = lax::slice_in_dim(&cw, n - 1, n, 1, last);
        let target = lax::mul(
            &qb,
            &lax::broadcast_in_dim(
                &lax::reshape(&total, &kept_shape),
                &bshape,
                &(0..last).collect::<Vec<_>>(),
            ),
        );
        // idx[..., j] = #{k : cw[..., k] < target[..., j]}
        let mut big = kept_shape.clone();
        big.push(qn);
        big.push(n);
        let cw_b =
            lax::broadcast_in_dim(&cw, &big, &(0..last).chain([last + 1]).collect::<Vec<_>>());
        let t_b = lax::broadcast_in_dim(&target, &big, &(0..=last).collect::<Vec<_>>());
        let less = lax::convert_element_type(&lax::lt(&cw_b, &t_b), default_int());
        let idx = red::sum_axis(&less, (last + 1) as isize, false);
        let limit = lax::sub(
            &lax::convert_element_type(&cnt, default_int()),
            &strong_scalar_like(&idx, 1.0),
        );
        let idx = lax::max(&strong_scalar_like(&idx, 0.0), &lax::min(&idx, &limit));
        let v = take(&idx);
        let none = lax::eq(&cnt, &strong_scalar_like(&cnt, 0.0));
        ew::r#where(none, strong_scalar_like(&v, f64::NAN), &v)
    } else {
        let pos = lax::mul(&qb, &lax::sub(&cnt_f, &one_q));
        let (low, high) = (lax::floor(&pos), lax::ceil(&pos));
        let hi_w = lax::sub(&pos, &low);
        let lo_w = lax::sub(&one_q, &hi_w);
        let top = lax::sub(&cnt_f, &one_q);
        let zero = strong_scalar_like(&pos, 0.0);
        let clamp = |v: &Array| lax::max(&zero, &lax::min(v, &top));
        let (lo_v, hi_v) = (take(&clamp(&low)), take(&clamp(&high)));
        match opts.method {
            QuantileMethod::Linear => lax::add(
                &lax::mul(&lax::convert_element_type(&lo_v, q.dtype()), &lo_w),
                &lax::mul(&lax::convert_element_type(&hi_v, q.dtype()), &hi_w),
            ),
            QuantileMethod::Lower => lo_v,
            QuantileMethod::Higher => hi_v,
            QuantileMethod::Nearest => ew::r#where(
                lax::le(&hi_w, &strong_scalar_like(&hi_w, 0.5)),
                &lo_v,
                &hi_v,
            ),
            QuantileMethod::Midpoint => {
                lax::mul(&lax::add(&lo_v, &hi_v), &strong_scalar_like(&lo_v, 0.5))
            }
            QuantileMethod::InvertedCdf => unreachable!(),
        }
    };
    // result: kept + [qn] -> [qn] + kept (q's axis leads), then keepdims.
    let mut to_front: Vec<usize> = vec![last];
    to_front.extend(0..last);
    let mut out = lax::transpose(&result, &to_front);
    let mut out_shape: Vec<usize> = Vec::new();
    if q.ndim() == 1 {
        out_shape.push(qn);
    }
    if opts.keepdims {
        out_shape.extend((0..nd).map(|d| {
            if reduced.contains(&d) {
                1
            } else {
                a.shape()[d]
            }
        }));
    } else {
        out_shape.extend(&kept_shape);
    }
    out = lax::reshape(&out, &out_shape);
    lax::convert_element_type(&out, a.dtype())
}

/// Weighted mean over all elements (`jnp.average(a, weights=w)`);
/// `weights: None` is the plain mean.
pub fn average(a: impl ArrayLike, weights: Option<&Array>) -> Array {
    average_with(a, Axes::All, weights, false).0
}

/// `jnp.average(a, axis, weights, returned=True, keepdims)`: the weighted
/// mean and the sum of the weights (broadcast to the mean's shape). `weights`
/// has `a`'s shape, or the shape of the reduced axes.
pub fn average_with(
    a: impl ArrayLike,
    axis: impl Into<Axes>,
    weights: Option<&Array>,
    keepdims: bool,
) -> (Array, Array) {
    let a = a.to_array();
    let axis = axis.into();
    let ax = axis.resolve(a.ndim(), "average");
    match weights {
        None => {
            let a = promote_to_inexact(&a);
            let avg = red::mean_axis(&a, axis, keepdims);
            let n: usize = ax.iter().map(|&d| a.shape()[d]).product();
            let ws = lax::broadcast_in_dim(
                &lax::convert_element_type(&Array::scalar(n as f64), avg.dtype()),
                avg.shape(),
                &[],
            );
            (avg, ws)
        }
        Some(w) => {
            let v = promote_dtypes(&[&a, w]);
            let (a, mut w) = (promote_to_inexact(&v[0]), promote_to_inexact(&v[1]));
            if a.shape() != w.shape() {
                if matches!(axis, Axes::All) {
                    panic!(
                        "ValueError: Axis must be specified when shapes of a and weights differ."
                    );
                }
                let listed: Vec<usize> = match &axis {
                    Axes::Some(v) => v
                        .iter()
                        .map(|&d| crate::core::shape::canonicalize_axis(d, a.ndim(), "average"))
                        .collect(),
                    Axes::All => unreachable!(),
                };
                let given: Vec<usize> = listed.iter().map(|&d| a.shape()[d]).collect();
                if w.shape() != given.as_slice() {
                    panic!(
                        "ValueError: Shape of weights must be consistent with shape of a along \
                         specified axis."
                    );
                }
                // Weight axis i lies along a's axis listed[i]; broadcast_in_dim
                // wants increasing target axes, so order w's axes first.
                let mut order: Vec<usize> = (0..listed.len()).collect();
                order.sort_by_key(|&i| listed[i]);
                let w_sorted = lax::transpose(&w, &order);
                let dims: Vec<usize> = order.iter().map(|&i| listed[i]).collect();
                w = lax::broadcast_in_dim(&w_sorted, a.shape(), &dims);
            }
            let ws = red::sum_axis(&w, axis.clone(), keepdims);
            let avg = lax::div(&red::sum_axis(&lax::mul(&a, &w), axis, keepdims), &ws);
            let ws = super::promote::broadcast_to_shape(&ws, avg.shape());
            (avg, ws)
        }
    }
}
