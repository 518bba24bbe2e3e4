//! Uniform floats from random bits: the top mantissa bits of a uniform
//! integer, placed in `[1, 2)` by their exponent, minus one.

use super::key::KeyLike;
use super::threefry::{bits, bits64};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::ir::BinaryOp;
use crate::lax;

/// The default float dtype: float32, or float64 with x64 enabled.
pub(crate) fn default_float() -> DType {
    if crate::config::enable_x64() {
        DType::F64
    } else {
        DType::F32
    }
}

/// Uniform floats in `[0, 1)` of `shape` and `dtype` (float32 or float64).
pub(crate) fn unit_interval(key: &impl KeyLike, shape: &[usize], dtype: DType) -> Array {
    let (raw, shift, one_bits, int_dtype) = match dtype {
        DType::F32 => (bits(key, shape), 9u64, 0x3F80_0000u64, DType::U32),
        DType::F64 => (bits64(key, shape), 12, 0x3FF0_0000_0000_0000, DType::U64),
        d => panic!("ValueError: dtype argument to `uniform` must be a float dtype, got {d}"),
    };
    let c = |v: u64| lax::ad_util::constant(v as f64, int_dtype, false);
    let mantissa = lax::binary(BinaryOp::ShiftRightLogical, &raw, &c(shift));
    let in_one_two = lax::binary(BinaryOp::Or, &mantissa, &exact_int(one_bits, int_dtype));
    let f = lax::bitcast_convert_type(&in_one_two, dtype);
    lax::binary(
        BinaryOp::Sub,
        &f,
        &lax::ad_util::constant(1.0, dtype, false),
    )
}

/// An integer constant that may not be exactly representable as f64.
fn exact_int(v: u64, dtype: DType) -> Array {
    match dtype {
        DType::U32 => Array::scalar(v as u32),
        _ => Array::scalar(v),
    }
}

/// Uniform floats in `[0, 1)` (`jax.random.uniform(key, shape)`): float32,
/// or float64 with x64 enabled.
///
/// ```
/// use jaxide::random;
/// let u = random::uniform(&random::key(42), &[2, 2]);
/// assert_eq!(format!("{u:?}"), "Array([[0.48870957, 0.6797972 ],\n       [0.6162715 , 0.5610161 ]], dtype=float32)");
/// ```
pub fn uniform(key: &impl KeyLike, shape: &[usize]) -> Array {
    uniform_with(key, shape, default_float(), 0.0, 1.0)
}

/// Uniform floats in `[minval, maxval)` of `dtype`. (JAX computes
/// `f * (maxval - minval) + minval` with a fused multiply-add; this is a
/// multiply then an add, so non-default bounds can differ from JAX in the
/// last bit.)
pub fn uniform_with(
    key: &impl KeyLike,
    shape: &[usize],
    dtype: DType,
    minval: f64,
    maxval: f64,
) -> Array {
    if !dtype.is_float() {
        panic!("ValueError: dtype argument to `uniform` must be a float dtype, got {dtype}");
    }
    let f = unit_interval(key, shape, dtype);
    if minval == 0.0 && maxval == 1.0 {
        return f;
    }
    let (lo, hi) = (
        lax::ad_util::constant(minval, dtype, false),
        lax::ad_util::constant(maxval, dtype, false),
    );
    let span = lax::binary(BinaryOp::Sub, &hi, &lo);
    let scaled = lax::binary(BinaryOp::Add, &lax::binary(BinaryOp::Mul, &f, &span), &lo);
    lax::binary(BinaryOp::Max, &lo, &scaled)
}
