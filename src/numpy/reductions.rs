//! Reductions: `sum`, `mean`, `var`, `max`, `argmax`, `cumsum`, ...
//!
//! Each has a whole-array form (`sum(&x)`) and an axis form
//! (`sum_axis(&x, axes, keepdims)`), where `axes` is an integer, a list of
//! integers, or [`Axes::All`].

use super::array_like::ArrayLike;
use super::axes::Axes;
use super::elementwise::scalar_like;
use super::promote::{default_float, default_int};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::canonicalize_axis;
use crate::ir::{CumulativeOp, ReduceOp};
use crate::lax;

/// JAX's accumulation dtype for sum/prod: small ints and bool widen to the
/// default int (unsigned to uint32/uint64).
fn sum_dtype(d: DType) -> DType {
    let x64 = crate::config::enable_x64();
    match d {
        DType::Bool | DType::I8 | DType::I16 => default_int(),
        DType::I32 if x64 => DType::I64,
        DType::U8 | DType::U16 => {
            if x64 {
                DType::U64
            } else {
                DType::U32
            }
        }
        DType::U32 if x64 => DType::U64,
        other => other,
    }
}

fn keep(x: &Array, out: Array, axes: &[usize], keepdims: bool) -> Array {
    if !keepdims {
        return out;
    }
    let shape: Vec<usize> = (0..x.ndim())
        .map(|d| if axes.contains(&d) { 1 } else { x.shape()[d] })
        .collect();
    lax::reshape(&out, &shape)
}

fn reduce_generic(x: &Array, op: ReduceOp, axes: Axes, keepdims: bool, name: &str) -> Array {
    let ax = axes.resolve(x.ndim(), name);
    let out = lax::reduce(x, op, &ax);
    keep(x, out, &ax, keepdims)
}

/// Sum over all elements.
pub fn sum(x: &Array) -> Array {
    sum_axis(x, Axes::All, false)
}

/// Sum over `axes`. Bool and small integers accumulate in int32, as in JAX.
pub fn sum_axis(x: &Array, axes: impl Into<Axes>, keepdims: bool) -> Array {
    let x = lax::convert_element_type_weak(x, sum_dtype(x.dtype()), x.weak_type());
    reduce_generic(&x, ReduceOp::Sum, axes.into(), keepdims, "sum")
}

/// Product over all elements.
pub fn prod(x: &Array) -> Array {
    prod_axis(x, Axes::All, false)
}

/// Product over `axes`.
pub fn prod_axis(x: &Array, axes: impl Into<Axes>, keepdims: bool) -> Array {
    let x = lax::convert_element_type_weak(x, sum_dtype(x.dtype()), x.weak_type());
    reduce_generic(&x, ReduceOp::Prod, axes.into(), keepdims, "prod")
}

fn extreme(x: &Array, op: ReduceOp, axes: Axes, keepdims: bool, name: &str) -> Array {
    let ax = axes.resolve(x.ndim(), name);
    if ax.iter().any(|&a| x.shape()[a] == 0) {
        panic!("ValueError: zero-size array to reduction operation {name} which has no identity");
    }
    let out = lax::reduce(x, op, &ax);
    keep(x, out, &ax, keepdims)
}

/// Maximum over all elements (NaN propagates). Empty input panics.
pub fn max(x: &Array) -> Array {
    max_axis(x, Axes::All, false)
}

/// Maximum over `axes`.
pub fn max_axis(x: &Array, axes: impl Into<Axes>, keepdims: bool) -> Array {
    extreme(x, ReduceOp::Max, axes.into(), keepdims, "max")
}

/// Minimum over all elements.
pub fn min(x: &Array) -> Array {
    min_axis(x, Axes::All, false)
}

/// Minimum over `axes`.
pub fn min_axis(x: &Array, axes: impl Into<Axes>, keepdims: bool) -> Array {
    extreme(x, ReduceOp::Min, axes.into(), keepdims, "min")
}

/// Alias of [`max`].
pub fn amax(x: &Array) -> Array {
    max(x)
}

/// Alias of [`min`].
pub fn amin(x: &Array) -> Array {
    min(x)
}

fn count(x: &Array, ax: &[usize]) -> usize {
    ax.iter().map(|&a| x.shape()[a]).product()
}

/// Mean over all elements (integers give float32).
pub fn mean(x: &Array) -> Array {
    mean_axis(x, Axes::All, false)
}

/// Mean over `axes`. An empty reduction gives NaN.
pub fn mean_axis(x: &Array, axes: impl Into<Axes>, keepdims: bool) -> Array {
    let axes = axes.into();
    let ax = axes.resolve(x.ndim(), "mean");
    let xf = if x.dtype().is_inexact() {
        x.clone()
    } else {
        lax::convert_element_type(x, default_float())
    };
    let s = lax::reduce(&xf, ReduceOp::Sum, &ax);
    let n = scalar_like(&s, count(x, &ax) as f64);
    keep(x, lax::div(&s, &n), &ax, keepdims)
}

/// Variance over all elements (`jnp.var(x)`, `ddof=0`).
pub fn var(x: impl ArrayLike) -> Array {
    var_axis(&x.to_array(), Axes::All, 0.0, false)
}

/// The options of [`var_with`] and [`std_with`]: NumPy's `axis`, `ddof`
/// and `keepdims` (defaults: every axis, 0, false).
#[derive(Clone, Debug, Default)]
pub struct Var {
    /// The axes to reduce (`Axes::All` is `axis=None`).
    pub axis: Axes,
    /// Delta degrees of freedom: the divisor is `N - ddof`.
    pub ddof: f64,
    /// Keep the reduced axes with size 1.
    pub keepdims: bool,
}

/// The options of [`std_with`] (the same as [`Var`]).
pub type Std = Var;

/// Variance with options (`jnp.var(x, axis=.., ddof=.., keepdims=..)`).
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::numpy::Var;
/// let x = jnp::array([1.0f32, 2.0, 3.0, 4.0]);
/// assert_eq!(jnp::var_with(&x, Var { ddof: 1.0, ..Default::default() }).item::<f32>(), 5.0 / 3.0);
/// ```
pub fn var_with(x: impl ArrayLike, options: Var) -> Array {
    var_axis(&x.to_array(), options.axis, options.ddof, options.keepdims)
}

/// Standard deviation with options (`jnp.std(x, axis=.., ddof=.., keepdims=..)`).
pub fn std_with(x: impl ArrayLike, options: Std) -> Array {
    lax::sqrt(&var_with(x, options))
}

/// Variance over `axes`: `sum(|x - mean|²) / (N - ddof)`; NaN when `N <= ddof`.
pub fn var_axis(x: &Array, axes: impl Into<Axes>, ddof: f64, keepdims: bool) -> Array {
    let axes = axes.into();
    let ax = axes.resolve(x.ndim(), "var");
    let xf = if x.dtype().is_inexact() {
        x.clone()
    } else {
        lax::convert_element_type(x, default_float())
    };
    let m = mean_axis(&xf, axes.clone(), true);
    let centered = lax::sub(&xf, &super::promote::broadcast_to_shape(&m, xf.shape()));
    // |x - mean|²: real for complex input, as in JAX.
    let sq = if centered.dtype().is_complex() {
        let (re, im) = (lax::real(&centered), lax::imag(&centered));
        lax::add(&lax::mul(&re, &re), &lax::mul(&im, &im))
    } else {
        lax::mul(&centered, &centered)
    };
    let ss = lax::reduce(&sq, ReduceOp::Sum, &ax);
    let denom = count(x, &ax) as f64 - ddof;
    let denom = if denom <= 0.0 { f64::NAN } else { denom };
    let out = lax::div(&ss, &scalar_like(&ss, denom));
    let out = if denom.is_nan() {
        lax::mul(&out, &scalar_like(&out, f64::NAN))
    } else {
        out
    };
    keep(x, out, &ax, keepdims)
}

/// Standard deviation over all elements (`jnp.std(x)`, `ddof=0`).
pub fn std(x: impl ArrayLike) -> Array {
    lax::sqrt(&var(x))
}

/// Standard deviation over `axes`.
pub fn std_axis(x: &Array, axes: impl Into<Axes>, ddof: f64, keepdims: bool) -> Array {
    lax::sqrt(&var_axis(x, axes, ddof, keepdims))
}

/// `max - min` over all elements.
pub fn ptp(x: &Array) -> Array {
    lax::sub(&max(x), &min(x))
}

/// `max - min` over `axes`.
pub fn ptp_axis(x: &Array, axes: impl Into<Axes>, keepdims: bool) -> Array {
    let axes = axes.into();
    lax::sub(
        &max_axis(x, axes.clone(), keepdims),
        &min_axis(x, axes, keepdims),
    )
}

fn truthy(x: &Array) -> Array {
    if x.dtype().is_bool() {
        x.clone()
    } else {
        lax::ne(x, &scalar_like(x, 0.0))
    }
}

/// Whether every element is truthy.
pub fn all(x: &Array) -> Array {
    all_axis(x, Axes::All, false)
}

/// Logical and over `axes`.
pub fn all_axis(x: &Array, axes: impl Into<Axes>, keepdims: bool) -> Array {
    reduce_generic(&truthy(x), ReduceOp::And, axes.into(), keepdims, "all")
}

/// Whether any element is truthy.
pub fn any(x: &Array) -> Array {
    any_axis(x, Axes::All, false)
}

/// Logical or over `axes`.
pub fn any_axis(x: &Array, axes: impl Into<Axes>, keepdims: bool) -> Array {
    reduce_generic(&truthy(x), ReduceOp::Or, axes.into(), keepdims, "any")
}

/// Number of nonzero elements (int32).
pub fn count_nonzero(x: &Array) -> Array {
    count_nonzero_axis(x, Axes::All, false)
}

/// Number of nonzero elements over `axes`.
pub fn count_nonzero_axis(x: &Array, axes: impl Into<Axes>, keepdims: bool) -> Array {
    let t = lax::convert_element_type(&truthy(x), default_int());
    reduce_generic(&t, ReduceOp::Sum, axes.into(), keepdims, "count_nonzero")
}

fn arg(x: &Array, op: ReduceOp, axis: Option<isize>, keepdims: bool, name: &str) -> Array {
    match axis {
        None => {
            if x.size() == 0 {
                panic!("ValueError: attempt to get {name} of an empty sequence");
            }
            let flat = lax::reshape(x, &[x.size()]);
            let out = lax::arg_reduce(&flat, op, 0, default_int());
            if keepdims {
                lax::reshape(&out, &vec![1; x.ndim()])
            } else {
                out
            }
        }
        Some(a) => {
            let a = canonicalize_axis(a, x.ndim(), name);
            let out = lax::arg_reduce(x, op, a, default_int());
            keep(x, out, &[a], keepdims)
        }
    }
}

/// Index of the maximum of the flattened array (first occurrence; NaN wins).
pub fn argmax(x: &Array) -> Array {
    arg(x, ReduceOp::ArgMax, None, false, "argmax")
}

/// One axis, or `Axes::All` (flattened), for the arg-reductions.
fn single_axis(axes: Axes, name: &str) -> Option<isize> {
    match axes {
        Axes::All => None,
        Axes::Some(v) if v.len() == 1 => Some(v[0]),
        Axes::Some(v) => panic!(
            "TypeError: {name} takes a single axis (or Axes::All for the flattened array), \
             got {} axes.",
            v.len()
        ),
    }
}

/// Indices of the maxima along one axis (`Axes::All` flattens first).
pub fn argmax_axis(x: &Array, axis: impl Into<Axes>, keepdims: bool) -> Array {
    let a = single_axis(axis.into(), "argmax");
    arg(x, ReduceOp::ArgMax, a, keepdims, "argmax")
}

/// Index of the minimum of the flattened array.
pub fn argmin(x: &Array) -> Array {
    arg(x, ReduceOp::ArgMin, None, false, "argmin")
}

/// Indices of the minima along one axis (`Axes::All` flattens first).
pub fn argmin_axis(x: &Array, axis: impl Into<Axes>, keepdims: bool) -> Array {
    let a = single_axis(axis.into(), "argmin");
    arg(x, ReduceOp::ArgMin, a, keepdims, "argmin")
}

fn cumulative(x: &Array, op: CumulativeOp, axis: Option<isize>, name: &str) -> Array {
    let x = if x.dtype().is_bool() {
        lax::convert_element_type(x, default_int())
    } else {
        x.clone()
    };
    match axis {
        None => {
            let flat = lax::reshape(&x, &[x.size()]);
            lax::cumulative(&flat, op, 0, false)
        }
        Some(a) => {
            let a = canonicalize_axis(a, x.ndim(), name);
            lax::cumulative(&x, op, a, false)
        }
    }
}

/// Cumulative sum of the flattened array (bool becomes int32; other dtypes kept).
pub fn cumsum(x: &Array) -> Array {
    cumulative(x, CumulativeOp::Sum, None, "cumsum")
}

/// Cumulative sum along `axis`.
pub fn cumsum_axis(x: &Array, axis: isize) -> Array {
    cumulative(x, CumulativeOp::Sum, Some(axis), "cumsum")
}

/// Cumulative product of the flattened array.
pub fn cumprod(x: &Array) -> Array {
    cumulative(x, CumulativeOp::Prod, None, "cumprod")
}

/// Cumulative product along `axis`.
pub fn cumprod_axis(x: &Array, axis: isize) -> Array {
    cumulative(x, CumulativeOp::Prod, Some(axis), "cumprod")
}

/// `jnp.cumulative_sum(x, axis, include_initial)`: like `cumsum`, but
/// `axis` may be omitted only for 1-d input, and `include_initial` prepends
/// a zero.
pub fn cumulative_sum(x: &Array, axis: Option<isize>, include_initial: bool) -> Array {
    cumulative_api(
        x,
        axis,
        include_initial,
        CumulativeOp::Sum,
        "cumulative_sum",
    )
}

/// `jnp.cumulative_prod(x, axis, include_initial)`: like `cumprod`,
/// `include_initial` prepends a one.
pub fn cumulative_prod(x: &Array, axis: Option<isize>, include_initial: bool) -> Array {
    cumulative_api(
        x,
        axis,
        include_initial,
        CumulativeOp::Prod,
        "cumulative_prod",
    )
}

fn cumulative_api(
    x: &Array,
    axis: Option<isize>,
    include_initial: bool,
    op: CumulativeOp,
    name: &str,
) -> Array {
    if x.ndim() == 0 {
        panic!("ValueError: The input must be non-scalar to take a cumulative sum, however a scalar value or scalar array was given.");
    }
    let axis = match axis {
        Some(a) => a,
        None if x.ndim() == 1 => 0,
        None => panic!(
            "ValueError: The input array has rank {}, however axis was not set to an explicit \
             value. The axis argument is only optional for one-dimensional arrays.",
            x.ndim()
        ),
    };
    let x = lax::convert_element_type_weak(x, sum_dtype(x.dtype()), x.weak_type());
    let out = cumulative(&x, op, Some(axis), name);
    if !include_initial {
        return out;
    }
    let ax = canonicalize_axis(axis, out.ndim(), name);
    let init = if op == CumulativeOp::Sum { 0.0 } else { 1.0 };
    let v = lax::convert_element_type(&scalar_like(&out, init), out.dtype());
    let mut cfg = vec![(0i64, 0i64, 0i64); out.ndim()];
    cfg[ax] = (1, 0, 0);
    lax::pad(&out, &v, &cfg)
}
