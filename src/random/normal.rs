//! Normal and truncated normal samples: `sqrt(2) * erf_inv(u)` for `u`
//! uniform in `(-1, 1)` (or in `(erf(lower/sqrt2), erf(upper/sqrt2))`),
//! exactly as JAX computes them.

use super::key::KeyLike;
use super::shapes::shape_or_broadcast;
use super::uniform::{cst, default_float, float_dtype, uniform_in};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::lax;
use crate::numpy::ArrayLike;
use std::f64::consts::SQRT_2;

/// Standard normal samples of `shape` (`jax.random.normal`): float32, or
/// float64 with x64 enabled.
///
/// ```
/// use jaxide::random;
/// let z = random::normal(&random::key(0), &[3]);
/// assert_eq!(format!("{z:?}"), "Array([ 1.6226422 ,  2.0252647 , -0.43359444], dtype=float32)");
/// ```
pub fn normal(key: &impl KeyLike, shape: &[usize]) -> Array {
    normal_with(key, shape, default_float())
}

/// Standard normal samples of `shape` and float `dtype`.
pub fn normal_with(key: &impl KeyLike, shape: &[usize], dtype: DType) -> Array {
    let k = key.single_key("normal");
    if !dtype.is_float() {
        panic!(
            "ValueError: dtype argument to `normal` must be a float or complex dtype, got {dtype}"
        );
    }
    let dtype = float_dtype("normal", dtype);
    let lo = next_after(&cst(-1.0, dtype), true);
    let u = uniform_in(&k, shape, dtype, &lo, &cst(1.0, dtype));
    lax::mul(&cst(SQRT_2, dtype), &lax::erf_inv(&u))
}

/// Normal samples truncated to `[lower, upper]` (`jax.random.truncated_normal`).
/// `shape` defaults to the broadcast shape of the bounds; results lie
/// strictly inside the bounds.
pub fn truncated_normal(
    key: &impl KeyLike,
    lower: impl ArrayLike,
    upper: impl ArrayLike,
    shape: Option<&[usize]>,
) -> Array {
    truncated_normal_with(key, lower, upper, shape, default_float())
}

/// [`truncated_normal`] with an explicit float `dtype`.
pub fn truncated_normal_with(
    key: &impl KeyLike,
    lower: impl ArrayLike,
    upper: impl ArrayLike,
    shape: Option<&[usize]>,
    dtype: DType,
) -> Array {
    let k = key.single_key("truncated_normal");
    let dtype = float_dtype("truncated_normal", dtype);
    let lower = lax::convert_element_type(&lower.to_array(), dtype);
    let upper = lax::convert_element_type(&upper.to_array(), dtype);
    let shape = shape_or_broadcast("truncated_normal", shape, &[lower.shape(), upper.shape()]);
    // JAX divides by sqrt(2); XLA rewrites that as a multiply by 1/sqrt(2)
    // rounded in the dtype (one ulp below the correctly rounded 1/sqrt(2) in f64).
    let r2 = if dtype == DType::F32 {
        (1.0f32 / SQRT_2 as f32) as f64
    } else {
        1.0 / SQRT_2
    };
    let r2 = cst(r2, dtype);
    let a = lax::erf(&lax::mul(&lower, &r2));
    let b = lax::erf(&lax::mul(&upper, &r2));
    let u = uniform_in(&k, &shape, dtype, &a, &b);
    let out = lax::mul(&cst(SQRT_2, dtype), &lax::erf_inv(&u));
    let fit = |x: &Array| match x.ndim() {
        0 => x.clone(),
        _ => crate::numpy::broadcast_to(x, &shape),
    };
    let lo = fit(&next_after(&lower, true));
    let hi = fit(&next_after(&upper, false));
    lax::min(&lax::max(&out, &lo), &hi)
}

/// The next representable float after `x` towards `+inf` (`up`) or
/// `-inf` (`jnp.nextafter(x, ±inf)`); infinities toward themselves and NaN
/// stay as they are.
pub(crate) fn next_after(x: &Array, up: bool) -> Array {
    let (uint, one, sign_bit) = match x.dtype() {
        DType::F32 => (
            DType::U32,
            Array::scalar(1u32),
            Array::scalar(0x8000_0000u32),
        ),
        _ => (DType::U64, Array::scalar(1u64), Array::scalar(1u64 << 63)),
    };
    let bits = lax::bitcast_convert_type(x, uint);
    let zero = cst(0.0, x.dtype());
    let away_from_zero = if up {
        lax::gt(x, &zero)
    } else {
        lax::lt(x, &zero)
    };
    let stepped = lax::select(
        &away_from_zero,
        &lax::add(&bits, &one),
        &lax::sub(&bits, &one),
    );
    // ±0 steps to the smallest subnormal of the direction's sign.
    let tiny = if up {
        one.clone()
    } else {
        lax::bitwise_or(&sign_bit, &one)
    };
    let stepped = lax::select(
        &lax::eq(x, &zero),
        &crate::numpy::broadcast_to(&tiny, x.shape()),
        &stepped,
    );
    let stepped = lax::bitcast_convert_type(&stepped, x.dtype());
    let infinite_toward = lax::eq(
        x,
        &cst(
            if up { f64::INFINITY } else { f64::NEG_INFINITY },
            x.dtype(),
        ),
    );
    let keep = lax::bitwise_or(&infinite_toward, &lax::ne(x, x));
    lax::select(&keep, x, &stepped)
}
