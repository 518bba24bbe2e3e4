//! Elementwise activation functions (`jax.nn.relu`, `gelu`, ...), written as
//! JAX writes them so that values and derivatives match JAX's.

use crate::lax;
use crate::numpy as jnp;
use crate::numpy::array_like::ArrayLike;
use crate::numpy::promote::promote_to_inexact;
use crate::transforms::custom::custom_jvp;
use crate::Array;

/// A rank-0 constant of `x`'s dtype.
fn c(x: &Array, v: f64) -> Array {
    crate::lax::ad_util::scalar_like(x, v)
}

/// `zeros` shaped and typed like `x`.
fn zeros(x: &Array) -> Array {
    lax::broadcast_in_dim(&c(x, 0.0), x.shape(), &[])
}

/// Rectified linear unit `max(x, 0)`. Its derivative at 0 is 0, as in JAX
/// (a custom jvp: `select(x > 0, g, 0)`).
pub fn relu(x: impl ArrayLike) -> Array {
    let f = custom_jvp(
        |x: &Array| jnp::maximum(x, 0),
        |x: &Array, t: &Array| {
            let pos = lax::gt(x, &c(x, 0.0));
            (jnp::maximum(x, 0), lax::select(&pos, t, &zeros(t)))
        },
    );
    f(&x.to_array())
}

/// `min(max(x, 0), 6)`. The derivative is 1 on `(0, 6)` and 0 elsewhere
/// (kinks included), as JAX's custom jvp.
pub fn relu6(x: impl ArrayLike) -> Array {
    let primal = |x: &Array| jnp::minimum(jnp::maximum(x, 0), 6.0);
    let f = custom_jvp(primal, move |x: &Array, t: &Array| {
        let inside = lax::bitwise_and(&lax::gt(x, &c(x, 0.0)), &lax::lt(x, &c(x, 6.0)));
        (primal(x), lax::select(&inside, t, &zeros(t)))
    });
    f(&x.to_array())
}

/// The logistic sigmoid `1 / (1 + exp(-x))` (`lax.logistic`).
pub fn sigmoid(x: impl ArrayLike) -> Array {
    lax::logistic(&promote_to_inexact(&x.to_array()))
}

/// `log(sigmoid(x)) = -softplus(-x)`.
pub fn log_sigmoid(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    -softplus(-&x)
}

/// `log(1 + exp(x))`, computed stably as `logaddexp(x, 0)`.
pub fn softplus(x: impl ArrayLike) -> Array {
    jnp::logaddexp(x, 0)
}

/// SiLU / swish: `x * sigmoid(x)`.
pub fn silu(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    &x * &sigmoid(&x)
}

/// Alias of [`silu`] (`jax.nn.swish`).
pub fn swish(x: impl ArrayLike) -> Array {
    silu(x)
}

/// Exponential linear unit with `alpha = 1`; see [`elu_with`].
pub fn elu(x: impl ArrayLike) -> Array {
    elu_with(x, 1.0)
}

/// `x` where `x > 0`, else `alpha * expm1(x)`.
pub fn elu_with(x: impl ArrayLike, alpha: f64) -> Array {
    let x = x.to_array();
    let pos = x.gt(0);
    let safe = jnp::where_(&pos, 0.0, &x);
    jnp::where_(&pos, &x, &jnp::expm1(&safe) * alpha)
}

/// Continuously-differentiable ELU with `alpha = 1`; see [`celu_with`].
pub fn celu(x: impl ArrayLike) -> Array {
    celu_with(x, 1.0)
}

/// `max(x, 0) + alpha * expm1(min(x, 0) / alpha)`.
pub fn celu_with(x: impl ArrayLike, alpha: f64) -> Array {
    let x = x.to_array();
    jnp::maximum(&x, 0.0) + jnp::expm1(jnp::minimum(&x, 0.0) / alpha) * alpha
}

/// Scaled ELU: `scale * elu(x, alpha)` with the self-normalizing constants.
pub fn selu(x: impl ArrayLike) -> Array {
    const ALPHA: f64 = 1.673_263_242_354_377_3;
    const SCALE: f64 = 1.050_700_987_355_480_5;
    elu_with(x, ALPHA) * SCALE
}

/// Leaky ReLU with `negative_slope = 0.01`; see [`leaky_relu_with`].
pub fn leaky_relu(x: impl ArrayLike) -> Array {
    leaky_relu_with(x, 1e-2)
}

/// `x` where `x >= 0`, else `negative_slope * x`.
pub fn leaky_relu_with(x: impl ArrayLike, negative_slope: f64) -> Array {
    let x = x.to_array();
    jnp::where_(x.ge(0), &x, &x * negative_slope)
}

/// `clip(x, -1, 1)`, written as JAX does (derivative 0 at the kinks).
pub fn hard_tanh(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    let inner = jnp::where_(x.lt(-1), -1, &x);
    jnp::where_(x.gt(1), 1, inner)
}

/// `relu6(x + 3) / 6`.
pub fn hard_sigmoid(x: impl ArrayLike) -> Array {
    relu6(x.to_array() + 3.0) / 6.0
}

/// `x * hard_sigmoid(x)`.
pub fn hard_silu(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    &x * &hard_sigmoid(&x)
}

/// Alias of [`hard_silu`] (`jax.nn.hard_swish`).
pub fn hard_swish(x: impl ArrayLike) -> Array {
    hard_silu(x)
}

/// `x * tanh(softplus(x))`.
pub fn mish(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    &x * &jnp::tanh(softplus(&x))
}

/// Squareplus with `b = 4`; see [`squareplus_with`].
pub fn squareplus(x: impl ArrayLike) -> Array {
    squareplus_with(x, 4.0)
}

/// `(x + sqrt(x² + b)) / 2`. `x² + b` is one fused multiply-add, as XLA
/// contracts it, so results match JAX's bits.
pub fn squareplus_with(x: impl ArrayLike, b: f64) -> Array {
    let x = promote_to_inexact(&x.to_array());
    let b = lax::broadcast_in_dim(&c(&x, b), x.shape(), &[]);
    (&x + &jnp::sqrt(lax::fma(&x, &x, &b))) / 2.0
}

/// `0` for `x <= -1`, `x` for `x >= 1`, `(x + 1)² / 4` between.
pub fn sparse_plus(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    let mid = (&x + 1.0).pow(2) / 4.0;
    let upper = jnp::where_(x.ge(1.0), &x, mid);
    jnp::where_(x.le(-1.0), 0.0, upper)
}

/// `clip(x + 1, 0, 2) / 2`, written as JAX's `0.5 * clip(x + 1, 0, 2)`.
pub fn sparse_sigmoid(x: impl ArrayLike) -> Array {
    jnp::clip(x.to_array() + 1.0, 0.0, 2.0) * 0.5
}

/// `x / (|x| + 1)`.
pub fn soft_sign(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    &x / &(jnp::abs(&x) + 1)
}

/// GELU with JAX's default tanh approximation; see [`gelu_with`].
pub fn gelu(x: impl ArrayLike) -> Array {
    gelu_with(x, true)
}

/// Gaussian error linear unit. `approximate: true` is
/// `x/2 (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))`; `false` is the exact
/// `x/2 erfc(-x/√2)`.
pub fn gelu_with(x: impl ArrayLike, approximate: bool) -> Array {
    let x = promote_to_inexact(&x.to_array());
    if approximate {
        let k = c(&x, (2.0 / std::f64::consts::PI).sqrt());
        let inner = &k * &(&x + &(x.pow(3) * 0.044715));
        let cdf = (jnp::tanh(inner) + 1.0) * 0.5;
        &x * &cdf
    } else {
        let k = c(&x, 0.5f64.sqrt());
        &(&x * 0.5) * &lax::erfc(&(-&x * &k))
    }
}

/// `log(1 - exp(-x))`, accurate for small and large `x`; the derivative is
/// `1 / expm1(x)` (JAX's custom jvp).
pub fn log1mexp(x: impl ArrayLike) -> Array {
    let primal = |x: &Array| {
        let small = x.lt(std::f64::consts::LN_2);
        jnp::where_(small, jnp::log(-jnp::expm1(-x)), jnp::log1p(-jnp::exp(-x)))
    };
    let f = custom_jvp(primal, move |x: &Array, t: &Array| {
        (primal(x), t / &jnp::expm1(x))
    });
    f(&promote_to_inexact(&x.to_array()))
}
