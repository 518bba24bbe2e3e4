//! Uniform floats from random bits: the top mantissa bits of a uniform
//! integer, placed in `[1, 2)` by their exponent, minus one; and the
//! helpers every float sampler shares.

use super::key::{Key, KeyLike};
use super::threefry::{bits, bits64, bits_with};
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

/// Checks that `dtype` is float32/float64 for sampler `api` (JAX's message),
/// and narrows float64 to float32 when x64 is off, as JAX does.
pub(crate) fn float_dtype(api: &str, dtype: DType) -> DType {
    match dtype {
        DType::F32 => DType::F32,
        DType::F64 => default_float(),
        DType::F16 | DType::BF16 => panic!(
            "NotImplementedError: jaxide's `{api}` samples float32 and float64 only, got {dtype}"
        ),
        d => panic!("ValueError: dtype argument to `{api}` must be a float dtype, got {d}"),
    }
}

/// A strongly typed rank-0 constant of `dtype` (the value rounded to it).
pub(crate) fn cst(v: f64, dtype: DType) -> Array {
    lax::ad_util::constant(v, dtype, false)
}

/// Uniform floats in `[0, 1)` of `shape` and `dtype` (float32 or float64;
/// float16 and bfloat16 from 16 random bits, as JAX).
pub(crate) fn unit_interval(key: &Key, shape: &[usize], dtype: DType) -> Array {
    let (raw, shift, one_bits, int_dtype) = match dtype {
        DType::F32 => (bits(key, shape), 9u64, 0x3F80_0000u64, DType::U32),
        DType::F64 => (bits64(key, shape), 12, 0x3FF0_0000_0000_0000, DType::U64),
        DType::F16 => (bits_with(key, shape, DType::U16), 6, 0x3C00, DType::U16),
        // Fewer than 8 mantissa bits: JAX draws 8 random bits (`rng_bits = 8`).
        DType::BF16 => (
            lax::convert_element_type(&bits_with(key, shape, DType::U8), DType::U16),
            1,
            0x3F80,
            DType::U16,
        ),
        d => panic!("ValueError: dtype argument to `uniform` must be a float dtype, got {d}"),
    };
    let c = |v: u64| lax::ad_util::constant(v as f64, int_dtype, false);
    let mantissa = lax::binary(BinaryOp::ShiftRightLogical, &raw, &c(shift));
    let in_one_two = lax::binary(BinaryOp::Or, &mantissa, &exact_int(one_bits, int_dtype));
    let f = lax::bitcast_convert_type(&in_one_two, dtype);
    lax::sub(&f, &cst(1.0, dtype))
}

/// Uniform floats in `[lo, hi)` as JAX computes them:
/// `max(lo, fma(f, hi - lo, lo))` for `f` in `[0, 1)`. `lo`/`hi` have
/// `dtype` and are rank-0 or of `shape`.
pub(crate) fn uniform_in(
    key: &Key,
    shape: &[usize],
    dtype: DType,
    lo: &Array,
    hi: &Array,
) -> Array {
    let f = unit_interval(key, shape, dtype);
    let fit = |x: &Array| match x.ndim() {
        0 => x.clone(),
        _ => crate::numpy::broadcast_to(x, shape),
    };
    let (lo, hi) = (fit(lo), fit(hi));
    let span = lax::sub(&hi, &lo);
    lax::max(&lo, &lax::fma(&f, &span, &lo))
}

/// An integer constant that may not be exactly representable as f64.
fn exact_int(v: u64, dtype: DType) -> Array {
    match dtype {
        DType::U16 => Array::scalar(v as u16),
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

/// Uniform floats in `[minval, maxval)` of `dtype`, computed as JAX does:
/// `max(minval, fma(f, maxval - minval, minval))`, so rounding can give
/// `maxval` itself.
pub fn uniform_with(
    key: &impl KeyLike,
    shape: &[usize],
    dtype: DType,
    minval: f64,
    maxval: f64,
) -> Array {
    let k = key.single_key("uniform");
    let dtype = match dtype {
        DType::F16 | DType::BF16 => dtype,
        d => float_dtype("uniform", d),
    };
    let f = unit_interval(&k, shape, dtype);
    if minval == 0.0 && maxval == 1.0 {
        return f;
    }
    uniform_in(&k, shape, dtype, &cst(minval, dtype), &cst(maxval, dtype))
}
