//! Discrete samplers: `bernoulli`, `rademacher`, `randint` and
//! `categorical`, computed as JAX computes them.

use super::key::{Key, KeyLike};
use super::shapes::{check_shape, shape_or_broadcast};
use super::threefry::{bits, bits64, split2};
use super::uniform::unit_interval;
use super::univariate::gumbel_with;
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::ir::BinaryOp;
use crate::lax;
use crate::numpy::{self as jnp, ArrayLike};

/// The default integer dtype: int32, or int64 with x64 enabled.
fn default_int() -> DType {
    if crate::config::enable_x64() {
        DType::I64
    } else {
        DType::I32
    }
}

/// `true` with probability `p` (`jax.random.bernoulli`, JAX's default
/// "low" mode: `uniform < p`). `p` must be a float (a Rust float is the
/// default float dtype); `shape` defaults to `p`'s shape.
///
/// ```
/// use jaxide::random;
/// let b = random::bernoulli(&random::key(0), 0.5, Some(&[3]));
/// assert_eq!(format!("{b:?}"), "Array([False, False,  True], dtype=bool)");
/// ```
pub fn bernoulli(key: &impl KeyLike, p: impl ArrayLike, shape: Option<&[usize]>) -> Array {
    let k = key.single_key("bernoulli");
    let p = p.to_array();
    if !p.dtype().is_float() {
        panic!(
            "TypeError: bernoulli probability `p` must have a floating dtype, got {}.",
            p.dtype()
        );
    }
    let shape = shape_or_broadcast("bernoulli", shape, &[p.shape()]);
    let u = unit_interval(&k, &shape, p.dtype());
    let p = if p.ndim() == 0 {
        p
    } else {
        jnp::broadcast_to(&p, &shape)
    };
    lax::lt(&u, &p)
}

/// `-1` or `1` with equal probability (`jax.random.rademacher`), in the
/// default integer dtype.
pub fn rademacher(key: &impl KeyLike, shape: &[usize]) -> Array {
    rademacher_with(key, shape, default_int())
}

/// [`rademacher`] with an explicit numeric `dtype`.
pub fn rademacher_with(key: &impl KeyLike, shape: &[usize], dtype: DType) -> Array {
    let k = key.single_key("rademacher");
    let b = lax::convert_element_type(&bernoulli(&k, 0.5, Some(shape)), dtype);
    let c = |v: f64| lax::ad_util::constant(v, dtype, false);
    lax::sub(&lax::mul(&c(2.0), &b), &c(1.0))
}

/// Uniform integers in `[minval, maxval)` of the default integer dtype
/// (`jax.random.randint`). Bounds may be scalars or arrays broadcasting to
/// `shape`; float bounds are truncated; bounds beyond the dtype are clipped
/// to it.
///
/// ```
/// use jaxide::random;
/// let r = random::randint(&random::key(1), &[5], 0, 10);
/// assert_eq!(format!("{r:?}"), "Array([6, 7, 0, 3, 8], dtype=int32)");
/// ```
pub fn randint(
    key: &impl KeyLike,
    shape: &[usize],
    minval: impl ArrayLike,
    maxval: impl ArrayLike,
) -> Array {
    randint_with(key, shape, minval, maxval, default_int())
}

/// [`randint`] with an explicit integer `dtype`.
pub fn randint_with(
    key: &impl KeyLike,
    shape: &[usize],
    minval: impl ArrayLike,
    maxval: impl ArrayLike,
    dtype: DType,
) -> Array {
    let k = key.single_key("randint");
    if !dtype.is_int() {
        panic!("TypeError: randint only accepts integer dtypes, got {dtype}");
    }
    let as_int = |x: Array| {
        if x.dtype().is_int() {
            x
        } else {
            lax::convert_element_type(&x, default_int())
        }
    };
    let (minval, maxval) = (as_int(minval.to_array()), as_int(maxval.to_array()));
    check_shape("randint", shape, &[minval.shape(), maxval.shape()]);
    let dtype = canonical_int(dtype);
    match dtype {
        DType::I8 | DType::I16 | DType::U8 | DType::U16 => {
            // Sampled at int32 within the narrow type's range, then narrowed.
            let (lo, hi) = int_range(dtype);
            let minval = clamp(&minval, lo, hi);
            let maxval = clamp(&maxval, lo, hi + 1);
            let r = randint_exact(&k, shape, &minval, &maxval, DType::I32);
            lax::convert_element_type(&r, dtype)
        }
        _ => randint_exact(&k, shape, &minval, &maxval, dtype),
    }
}

/// JAX's randint for a 32- or 64-bit `dtype`: two words of random bits
/// folded into `[0, span)` by a wrapping multiply-and-remainder.
fn randint_exact(k: &Key, shape: &[usize], minval: &Array, maxval: &Array, dtype: DType) -> Array {
    let (lo, hi) = int_range(dtype);
    let out_of_range = {
        let (_, max_of_maxval) = int_range(maxval.dtype());
        if max_of_maxval > hi {
            lax::gt(maxval, &int_const(hi, maxval.dtype()))
        } else {
            jnp::array(false)
        }
    };
    let full = |x: &Array| jnp::broadcast_to(x, shape);
    let minval = full(&lax::convert_element_type(&clamp(minval, lo, hi), dtype));
    let maxval_in = full(&lax::convert_element_type(&clamp(maxval, lo, hi), dtype));
    let out_of_range = full(&out_of_range);
    let (unsigned, wide) = if dtype.size_of() == 8 {
        (DType::U64, true)
    } else {
        (DType::U32, false)
    };
    let (k1, k2) = split2(k);
    let draw = |key: &Key| {
        if wide {
            bits64(key, shape)
        } else {
            bits(key, shape)
        }
    };
    let (hi_bits, lo_bits) = (draw(&k1), draw(&k2));
    let u = |v: u64| int_const(v as i128, unsigned);
    let span = lax::convert_element_type(&lax::sub(&maxval_in, &minval), unsigned);
    let span = lax::select(&lax::le(&maxval_in, &minval), &full(&u(1)), &span);
    let bump = lax::bitwise_and(&out_of_range, &lax::gt(&maxval_in, &minval));
    let span = lax::select(&bump, &lax::add(&span, &u(1)), &span);
    let half = if wide { 1u64 << 32 } else { 1u64 << 16 };
    let rem = |a: &Array, b: &Array| lax::binary(BinaryOp::Rem, a, b);
    let mult = rem(&full(&u(half)), &span);
    let mult = rem(&lax::mul(&mult, &mult), &span);
    let offset = rem(
        &lax::add(
            &lax::mul(&rem(&hi_bits, &span), &mult),
            &rem(&lo_bits, &span),
        ),
        &span,
    );
    lax::add(&minval, &lax::convert_element_type(&offset, dtype))
}

/// int64/uint64 narrow to int32/uint32 when x64 is off, as in JAX.
fn canonical_int(dtype: DType) -> DType {
    match dtype {
        DType::I64 if !crate::config::enable_x64() => DType::I32,
        DType::U64 if !crate::config::enable_x64() => DType::U32,
        d => d,
    }
}

/// The inclusive value range of an integer dtype.
fn int_range(dtype: DType) -> (i128, i128) {
    match dtype {
        DType::I8 => (i8::MIN as i128, i8::MAX as i128),
        DType::I16 => (i16::MIN as i128, i16::MAX as i128),
        DType::I32 => (i32::MIN as i128, i32::MAX as i128),
        DType::I64 => (i64::MIN as i128, i64::MAX as i128),
        DType::U8 => (0, u8::MAX as i128),
        DType::U16 => (0, u16::MAX as i128),
        DType::U32 => (0, u32::MAX as i128),
        DType::U64 => (0, u64::MAX as i128),
        d => unreachable!("int_range of {d}"),
    }
}

/// An exact integer constant of `dtype` (`v` must fit).
fn int_const(v: i128, dtype: DType) -> Array {
    match dtype {
        DType::I8 => Array::scalar(v as i8),
        DType::I16 => Array::scalar(v as i16),
        DType::I32 => Array::scalar(v as i32),
        DType::I64 => Array::scalar(v as i64),
        DType::U8 => Array::scalar(v as u8),
        DType::U16 => Array::scalar(v as u16),
        DType::U32 => Array::scalar(v as u32),
        DType::U64 => Array::scalar(v as u64),
        d => unreachable!("int_const of {d}"),
    }
}

/// `x` clipped to `[lo, hi]`, in its own dtype (bounds outside that dtype's
/// range clip nothing).
fn clamp(x: &Array, lo: i128, hi: i128) -> Array {
    let (xlo, xhi) = int_range(x.dtype());
    let mut out = x.clone();
    if lo > xlo {
        out = lax::max(&out, &int_const(lo, x.dtype()));
    }
    if hi < xhi {
        out = lax::min(&out, &int_const(hi, x.dtype()));
    }
    out
}

/// Samples category indices from unnormalized log-probabilities
/// (`jax.random.categorical`, with replacement): the argmax over `axis` of
/// `logits` plus Gumbel noise. `shape` defaults to `logits`' shape without
/// `axis`; extra leading dimensions draw independent samples.
pub fn categorical(
    key: &impl KeyLike,
    logits: &Array,
    axis: isize,
    shape: Option<&[usize]>,
) -> Array {
    categorical_with(key, logits, axis, shape, true)
}

/// [`categorical`] with JAX's `replace` flag: without replacement, the
/// leading `shape` dimensions (beyond the batch) draw distinct categories
/// (Gumbel top-k).
pub fn categorical_with(
    key: &impl KeyLike,
    logits: &Array,
    axis: isize,
    shape: Option<&[usize]>,
    replace: bool,
) -> Array {
    let k = key.single_key("categorical");
    if !logits.dtype().is_float() {
        panic!(
            "TypeError: categorical logits must have a floating dtype, got {}.",
            logits.dtype()
        );
    }
    let nd = logits.ndim() as isize;
    if axis < -nd || axis >= nd {
        panic!("IndexError: index {axis} is out of bounds for axis 0 with size {nd}");
    }
    let from_end = if axis >= 0 { axis - nd } else { axis };
    let ax = (nd + from_end) as usize;
    let mut batch: Vec<usize> = logits.shape().to_vec();
    let categories = batch.remove(ax);
    let shape = match shape {
        Some(s) => {
            jnp::promote::broadcast_shapes("broadcast_arrays", &[s, &batch]);
            check_shape("categorical", s, &[&batch]);
            s.to_vec()
        }
        None => batch.clone(),
    };
    let prefix = shape.len() - batch.len();
    if !replace {
        return super::permutation::categorical_without_replacement(&k, logits, ax, &shape, prefix);
    }
    let mut noise_shape = shape.clone();
    noise_shape.insert(noise_shape.len() - (batch.len() - ax), categories);
    let g = gumbel_with(&k, &noise_shape, logits.dtype());
    let scores = lax::add(&g, &jnp::broadcast_to(logits, &noise_shape));
    jnp::argmax_axis(&scores, (prefix + ax) as isize, false)
}
