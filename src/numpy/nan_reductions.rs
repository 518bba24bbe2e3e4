//! The `nan*` reductions: NaN-ignoring `sum`, `prod`, `mean`, `var`, `std`,
//! `max`, `min`, `argmax`, `argmin`, `cumsum` and `cumprod`. Integer and
//! bool inputs have no NaN and fall through to the plain reduction.

use super::axes::Axes;
use super::elementwise::{self as ew, strong_scalar_like};
use super::promote::default_float;
use super::reductions as red;
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::lax;

/// `x` with NaNs replaced by `v`.
fn fill_nan(x: &Array, v: f64) -> Array {
    ew::r#where(ew::isnan(x), strong_scalar_like(x, v), x)
}

/// Sum ignoring NaNs (`jnp.nansum`).
pub fn nansum(x: &Array) -> Array {
    nansum_axis(x, Axes::All, false)
}

/// [`nansum`] over `axes`.
pub fn nansum_axis(x: &Array, axes: impl Into<Axes>, keepdims: bool) -> Array {
    if !x.dtype().is_inexact() {
        return red::sum_axis(x, axes, keepdims);
    }
    red::sum_axis(&fill_nan(x, 0.0), axes, keepdims)
}

/// Product ignoring NaNs (`jnp.nanprod`).
pub fn nanprod(x: &Array) -> Array {
    nanprod_axis(x, Axes::All, false)
}

/// [`nanprod`] over `axes`.
pub fn nanprod_axis(x: &Array, axes: impl Into<Axes>, keepdims: bool) -> Array {
    if !x.dtype().is_inexact() {
        return red::prod_axis(x, axes, keepdims);
    }
    red::prod_axis(&fill_nan(x, 1.0), axes, keepdims)
}

fn nan_extreme(x: &Array, axes: Axes, keepdims: bool, max: bool) -> Array {
    let plain = |x: &Array| {
        if max {
            red::max_axis(x, axes.clone(), keepdims)
        } else {
            red::min_axis(x, axes.clone(), keepdims)
        }
    };
    if !x.dtype().is_inexact() {
        return plain(x);
    }
    let fill = if max {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    };
    let out = plain(&fill_nan(x, fill));
    let all_nan = red::all_axis(&ew::isnan(x), axes.clone(), keepdims);
    ew::r#where(all_nan, strong_scalar_like(x, f64::NAN), out)
}

/// Maximum ignoring NaNs; NaN where every element is NaN (`jnp.nanmax`).
pub fn nanmax(x: &Array) -> Array {
    nanmax_axis(x, Axes::All, false)
}

/// [`nanmax`] over `axes`.
pub fn nanmax_axis(x: &Array, axes: impl Into<Axes>, keepdims: bool) -> Array {
    nan_extreme(x, axes.into(), keepdims, true)
}

/// Minimum ignoring NaNs; NaN where every element is NaN (`jnp.nanmin`).
pub fn nanmin(x: &Array) -> Array {
    nanmin_axis(x, Axes::All, false)
}

/// [`nanmin`] over `axes`.
pub fn nanmin_axis(x: &Array, axes: impl Into<Axes>, keepdims: bool) -> Array {
    nan_extreme(x, axes.into(), keepdims, false)
}

/// The float dtype a nan-mean of `x` is computed in.
fn inexact_dtype(x: &Array) -> DType {
    if x.dtype().is_inexact() {
        x.dtype()
    } else {
        default_float()
    }
}

/// Mean ignoring NaNs (`jnp.nanmean`).
pub fn nanmean(x: &Array) -> Array {
    nanmean_axis(x, Axes::All, false)
}

/// [`nanmean`] over `axes`.
pub fn nanmean_axis(x: &Array, axes: impl Into<Axes>, keepdims: bool) -> Array {
    let axes = axes.into();
    if !x.dtype().is_inexact() {
        return red::mean_axis(x, axes, keepdims);
    }
    let dt = inexact_dtype(x);
    let count = lax::convert_element_type(
        &red::sum_axis(&ew::logical_not(ew::isnan(x)), axes.clone(), keepdims),
        dt,
    );
    lax::div(&nansum_axis(x, axes, keepdims), &count)
}

/// Variance ignoring NaNs (`jnp.nanvar`); NaN where fewer than `ddof + 1`
/// values remain.
pub fn nanvar(x: &Array) -> Array {
    nanvar_axis(x, Axes::All, 0.0, false)
}

/// [`nanvar`] over `axes` with `ddof`.
pub fn nanvar_axis(x: &Array, axes: impl Into<Axes>, ddof: f64, keepdims: bool) -> Array {
    let axes = axes.into();
    let out_dtype = if x.dtype().is_complex() {
        if x.dtype() == DType::C64 {
            DType::F32
        } else {
            DType::F64
        }
    } else {
        inexact_dtype(x)
    };
    // float16/bfloat16 accumulate in float32, as JAX does.
    let comp = match inexact_dtype(x) {
        DType::F16 | DType::BF16 => DType::F32,
        d => d,
    };
    let a = lax::convert_element_type(x, comp);
    let mean = nanmean_axis(&a, axes.clone(), true);
    let nan = ew::isnan(&a);
    let centered = ew::r#where(&nan, strong_scalar_like(&a, 0.0), ew::subtract(&a, &mean));
    let sq = if centered.dtype().is_complex() {
        lax::real(&lax::mul(&centered, &lax::conj(&centered)))
    } else {
        lax::square(&centered)
    };
    let n = red::sum_axis(&ew::logical_not(&nan), axes.clone(), keepdims);
    let n = lax::sub(
        &lax::convert_element_type(&n, sq.dtype()),
        &strong_scalar_like(&sq, ddof),
    );
    let bad = lax::le(&n, &strong_scalar_like(&n, 0.0));
    let total = red::sum_axis(&sq, axes, keepdims);
    let total = ew::r#where(&bad, strong_scalar_like(&total, f64::NAN), &total);
    let divisor = ew::r#where(&bad, strong_scalar_like(&n, 1.0), &n);
    lax::convert_element_type(&lax::div(&total, &divisor), out_dtype)
}

/// Standard deviation ignoring NaNs (`jnp.nanstd`).
pub fn nanstd(x: &Array) -> Array {
    nanstd_axis(x, Axes::All, 0.0, false)
}

/// [`nanstd`] over `axes` with `ddof`.
pub fn nanstd_axis(x: &Array, axes: impl Into<Axes>, ddof: f64, keepdims: bool) -> Array {
    lax::sqrt(&nanvar_axis(x, axes, ddof, keepdims))
}

fn nan_arg(x: &Array, axis: Option<isize>, keepdims: bool, max: bool) -> Array {
    let arg = |x: &Array| match (axis, max) {
        (None, true) => red::argmax(x),
        (None, false) => red::argmin(x),
        (Some(a), true) => red::argmax_axis(x, a, keepdims),
        (Some(a), false) => red::argmin_axis(x, a, keepdims),
    };
    if !x.dtype().is_inexact() {
        return arg(x);
    }
    let nan = ew::isnan(x);
    let fill = if max {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    };
    let res = arg(&ew::r#where(&nan, strong_scalar_like(x, fill), x));
    let all_nan = match axis {
        None => red::all(&nan),
        Some(a) => red::all_axis(&nan, a, keepdims),
    };
    ew::r#where(all_nan, strong_scalar_like(&res, -1.0), &res)
}

/// Index of the maximum ignoring NaNs in the flattened array; -1 if all are
/// NaN (`jnp.nanargmax`).
pub fn nanargmax(x: &Array) -> Array {
    nan_arg(x, None, false, true)
}

/// [`nanargmax`] along `axis`.
pub fn nanargmax_axis(x: &Array, axis: isize, keepdims: bool) -> Array {
    nan_arg(x, Some(axis), keepdims, true)
}

/// Index of the minimum ignoring NaNs; -1 if all are NaN (`jnp.nanargmin`).
pub fn nanargmin(x: &Array) -> Array {
    nan_arg(x, None, false, false)
}

/// [`nanargmin`] along `axis`.
pub fn nanargmin_axis(x: &Array, axis: isize, keepdims: bool) -> Array {
    nan_arg(x, Some(axis), keepdims, false)
}

fn nan_filled(x: &Array, v: f64) -> Array {
    if x.dtype().is_inexact() {
        fill_nan(x, v)
    } else {
        x.clone()
    }
}

/// Cumulative sum of the flattened array, NaNs counted as 0 (`jnp.nancumsum`).
pub fn nancumsum(x: &Array) -> Array {
    red::cumsum(&nan_filled(x, 0.0))
}

/// [`nancumsum`] along `axis`.
pub fn nancumsum_axis(x: &Array, axis: isize) -> Array {
    red::cumsum_axis(&nan_filled(x, 0.0), axis)
}

/// Cumulative product of the flattened array, NaNs counted as 1 (`jnp.nancumprod`).
pub fn nancumprod(x: &Array) -> Array {
    red::cumprod(&nan_filled(x, 1.0))
}

/// [`nancumprod`] along `axis`.
pub fn nancumprod_axis(x: &Array, axis: isize) -> Array {
    red::cumprod_axis(&nan_filled(x, 1.0), axis)
}
