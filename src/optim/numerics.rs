//! Small numerical helpers shared by the transformations (optax's
//! `numerics.py` and the moment helpers of `optax.tree`).

use crate::lax;
use crate::numpy as jnp;
use crate::{Array, DType};

/// `count + 1`, saturating at the dtype's maximum (optax's
/// `safe_increment`, also `safe_int32_increment`). Works under `jit`.
pub fn safe_increment(count: &Array) -> Array {
    let d = count.dtype();
    let max = if d.is_int() {
        jnp::iinfo(d).max as f64
    } else if d.is_float() {
        jnp::finfo(d).max
    } else {
        panic!(
            "ValueError: Cannot safely increment count with dtype {d}, valid dtypes are \
             subdtypes of \"jnp.integer\" or \"jnp.floating\"."
        )
    };
    let max = lax::ad_util::constant(max, d, false);
    let one = lax::ad_util::constant(1.0, d, false);
    jnp::where_(count.lt(&max), count + &one, &max)
}

/// The new `order`-th moment: `(1 - decay) * g**order + decay * t`.
pub(crate) fn update_moment(g: &Array, t: &Array, decay: f64, order: i32) -> Array {
    let g_pow = if order == 1 {
        g.clone()
    } else {
        lax::integer_pow(g, order)
    };
    (1.0 - decay) * g_pow + decay * t
}

/// Debiases a moment: `t / (1 - decay**count)` in `t`'s dtype.
pub(crate) fn bias_correction(t: &Array, decay: f64, count: &Array) -> Array {
    let correction = 1.0 - jnp::power(decay, count);
    t / jnp::astype(&correction, t.dtype())
}

/// `jnp.zeros_like(x, dtype=dtype)`.
pub(crate) fn zeros_like(x: &Array, dtype: Option<DType>) -> Array {
    let z = jnp::zeros_like(x);
    match dtype {
        Some(d) if d != x.dtype() => jnp::astype(&z, d),
        _ => z,
    }
}

/// `x.astype(dtype)` when a dtype is given.
pub(crate) fn cast(x: Array, dtype: Option<DType>) -> Array {
    match dtype {
        Some(d) if d != x.dtype() => jnp::astype(&x, d),
        _ => x,
    }
}

/// A zero int32 scalar (`jnp.zeros([], jnp.int32)`).
pub(crate) fn zero_count() -> Array {
    Array::scalar(0i32)
}
