//! Gamma-family samplers: `gamma`, `loggamma`, `beta` and `dirichlet`,
//! with JAX's algorithm (Marsaglia–Tsang rejection per element, one key per
//! element, the per-element loops batched with `vmap` as JAX does).
//!
//! In float32 the rejection test uses XLA:CPU's `rsqrt` (the CPU's
//! approximate reciprocal square root plus a Newton step), so — as in JAX —
//! the last bits can differ between CPU vendors. Float64 is portable.

use super::key::{key_data, Key, KeyLike};
use super::normal::normal_with;
use super::shapes::shape_or_broadcast;
use super::threefry::{key_row, split};
use super::uniform::{cst, default_float, float_dtype, unit_interval};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::lax;
use crate::numpy::{self as jnp, ArrayLike};
use crate::transforms::vmap::vmap;

/// One Marsaglia–Tsang draw for one raw key and a scalar `alpha`: the
/// sample, or its logarithm when `log_space`.
fn gamma_one(key: &Array, alpha: &Array, log_space: bool) -> Array {
    let dt = alpha.dtype();
    let c = |v: f64| cst(v, dt);
    let one_third = c(1.0 / 3.0);
    let boost = lax::ge(alpha, &c(1.0));
    let alpha_orig = alpha.clone();
    let alpha = lax::select(&boost, alpha, &lax::add(alpha, &c(1.0)));
    let d = lax::sub(&alpha, &one_third);
    // XLA rewrites (1/3) / sqrt(d) as (1/3) * rsqrt(d).
    let scale = lax::mul(&one_third, &lax::rsqrt(&d));
    let halves = key_data(&split(key, 2));
    let (key, subkey) = (key_row(&halves, 0), key_row(&halves, 1));

    let rejected = |state: &(Array, Array, Array, Array)| {
        let (_, x, v, u) = state;
        let squeeze = lax::fma(&c(-0.0331), &lax::mul(x, x), &c(1.0));
        let log_test = lax::add(
            &lax::mul(x, &c(0.5)),
            &lax::mul(&d, &lax::add(&lax::sub(&c(1.0), v), &lax::log(v))),
        );
        lax::bitwise_and(&lax::ge(u, &squeeze), &lax::ge(&lax::log(u), &log_test))
    };
    let propose = |state: &(Array, Array, Array, Array)| {
        let thirds = key_data(&split(&state.0, 3));
        let (key, xkey, ukey) = (
            key_row(&thirds, 0),
            key_row(&thirds, 1),
            key_row(&thirds, 2),
        );
        let positive = lax::while_loop(
            |s: &(Array, Array, Array)| lax::le(&s.2, &c(0.0)),
            |s: &(Array, Array, Array)| {
                let pair = key_data(&split(&s.0, 2));
                let (next, sub) = (key_row(&pair, 0), key_row(&pair, 1));
                let x = normal_with(&sub, &[], dt);
                let v = lax::fma(&x, &scale, &c(1.0));
                (next, x, v)
            },
            &(xkey, c(0.0), c(-1.0)),
        );
        let (x, v) = (positive.1, positive.2);
        let u = unit_interval(&Key::from_data_unchecked(ukey), &[], dt);
        (key, lax::mul(&x, &x), lax::mul(&lax::mul(&v, &v), &v), u)
    };
    let (_, _, v, _) = lax::while_loop(rejected, propose, &(key, c(0.0), c(1.0), c(2.0)));
    let sub = Key::from_data_unchecked(subkey);
    let inv_alpha = lax::div(&c(1.0), &alpha_orig);
    if log_space {
        let ls = lax::log1p(&lax::neg(&unit_interval(&sub, &[], dt)));
        let no_boost = lax::bitwise_or(&boost, &lax::eq(&ls, &c(0.0)));
        let lb = lax::select(&no_boost, &c(0.0), &lax::mul(&ls, &inv_alpha));
        lax::add(&lax::add(&lax::log(&d), &lax::log(&v)), &lb)
    } else {
        let s = lax::sub(&c(1.0), &unit_interval(&sub, &[], dt));
        let boost_f = lax::select(&boost, &c(1.0), &lax::pow(&s, &inv_alpha));
        lax::mul(&lax::mul(&d, &v), &boost_f)
    }
}

/// Gamma (or log-gamma) samples of `shape` for shape parameters `a`
/// broadcast to it: one key per element, each element's rejection loop run
/// under `vmap`.
fn gamma_impl(
    name: &str,
    key: &impl KeyLike,
    a: Array,
    shape: Option<&[usize]>,
    dtype: DType,
    log_space: bool,
) -> Array {
    let k = key.single_key(name);
    let dtype = float_dtype("gamma", dtype);
    let a = lax::convert_element_type(&a, dtype);
    let shape = shape_or_broadcast(name, shape, &[a.shape()]);
    let n: usize = shape.iter().product();
    if n == 0 {
        return lax::broadcast_in_dim(&cst(0.0, dtype), &shape, &[]);
    }
    let keys = key_data(&split(&k, n));
    let alphas = lax::reshape(&jnp::broadcast_to(&a, &shape), &[n]);
    let draws =
        vmap(move |key: &Array, alpha: &Array| gamma_one(key, alpha, log_space))(&keys, &alphas);
    lax::reshape(&draws, &shape)
}

/// Gamma samples with shape parameter `a` and scale 1 (`jax.random.gamma`);
/// `shape` defaults to `a`'s shape.
pub fn gamma(key: &impl KeyLike, a: impl ArrayLike, shape: Option<&[usize]>) -> Array {
    gamma_with(key, a, shape, default_float())
}

/// [`gamma`] with an explicit float `dtype`.
pub fn gamma_with(
    key: &impl KeyLike,
    a: impl ArrayLike,
    shape: Option<&[usize]>,
    dtype: DType,
) -> Array {
    gamma_impl("gamma", key, a.to_array(), shape, dtype, false)
}

/// Logarithms of gamma samples (`jax.random.loggamma`), accurate for small
/// `a` where the samples themselves underflow.
pub fn loggamma(key: &impl KeyLike, a: impl ArrayLike, shape: Option<&[usize]>) -> Array {
    loggamma_with(key, a, shape, default_float())
}

/// [`loggamma`] with an explicit float `dtype`.
pub fn loggamma_with(
    key: &impl KeyLike,
    a: impl ArrayLike,
    shape: Option<&[usize]>,
    dtype: DType,
) -> Array {
    gamma_impl("loggamma", key, a.to_array(), shape, dtype, true)
}

/// Beta samples with parameters `a` and `b` (`jax.random.beta`), from two
/// log-gamma draws; `shape` defaults to the broadcast shape of `a` and `b`.
pub fn beta(
    key: &impl KeyLike,
    a: impl ArrayLike,
    b: impl ArrayLike,
    shape: Option<&[usize]>,
) -> Array {
    beta_with(key, a, b, shape, default_float())
}

/// [`beta`] with an explicit float `dtype`.
pub fn beta_with(
    key: &impl KeyLike,
    a: impl ArrayLike,
    b: impl ArrayLike,
    shape: Option<&[usize]>,
    dtype: DType,
) -> Array {
    let k = key.single_key("beta");
    let dtype = float_dtype("beta", dtype);
    let (a, b) = (a.to_array(), b.to_array());
    let shape = shape_or_broadcast("beta", shape, &[a.shape(), b.shape()]);
    let halves = key_data(&split(&k, 2));
    let (ka, kb) = (key_row(&halves, 0), key_row(&halves, 1));
    let la = gamma_impl("beta", &ka, a, Some(&shape), dtype, true);
    let lb = gamma_impl("beta", &kb, b, Some(&shape), dtype, true);
    let m = lax::max(&la, &lb);
    let ga = lax::exp(&lax::sub(&la, &m));
    let gb = lax::exp(&lax::sub(&lb, &m));
    lax::div(&ga, &lax::add(&ga, &gb))
}

/// Dirichlet samples with concentrations `alpha` along its last axis
/// (`jax.random.dirichlet`); `shape` (the batch shape) defaults to
/// `alpha.shape[:-1]`.
pub fn dirichlet(key: &impl KeyLike, alpha: &Array, shape: Option<&[usize]>) -> Array {
    dirichlet_with(key, alpha, shape, default_float())
}

/// [`dirichlet`] with an explicit float `dtype`.
pub fn dirichlet_with(
    key: &impl KeyLike,
    alpha: &Array,
    shape: Option<&[usize]>,
    dtype: DType,
) -> Array {
    let k = key.single_key("dirichlet");
    let dtype = float_dtype("dirichlet", dtype);
    if alpha.ndim() < 1 {
        panic!(
            "ValueError: dirichlet requires alpha.ndim >= 1, got alpha.ndim == {}",
            alpha.ndim()
        );
    }
    let (batch, last) = alpha.shape().split_at(alpha.ndim() - 1);
    let mut full = shape_or_broadcast("dirichlet", shape, &[batch]);
    full.push(last[0]);
    let lg = gamma_impl("dirichlet", &k, alpha.clone(), Some(&full), dtype, true);
    let top = jnp::broadcast_to(&jnp::max_axis(&lg, -1, true), lg.shape());
    let e = lax::exp(&lax::sub(&lg, &top));
    // XLA rewrites x / broadcast(s) as x * (1 / s).
    let total = jnp::sum_axis(&e, -1, true);
    let inv = lax::div(&cst(1.0, dtype), &total);
    lax::mul(&e, &jnp::broadcast_to(&inv, e.shape()))
}
