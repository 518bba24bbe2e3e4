//! `jax.nn`'s functions over an axis: `softmax`, `log_softmax`,
//! `logsumexp`, `standardize`, `glu`, and `one_hot`.

use crate::core::dtype::DType;
use crate::lax;
use crate::numpy as jnp;
use crate::numpy::array_like::ArrayLike;
use crate::numpy::axes::Axes;
use crate::numpy::promote::{default_float, promote_to_inexact};
use crate::transforms::custom::custom_jvp;
use crate::Array;

use super::activations::sigmoid;

/// Options of [`softmax_with`] and [`log_softmax_with`]: the axes (default
/// `-1`), an optional boolean `where` mask (masked-out entries give 0 for
/// softmax, `-inf` for log_softmax), and `initial`, the lower bound of the
/// running maximum (default `-inf`).
#[derive(Clone, Debug)]
pub struct SoftmaxOptions {
    /// Axes to normalize over.
    pub axis: Axes,
    /// Which entries take part (`where=` in JAX).
    pub where_: Option<Array>,
    /// The maximum's starting value (`initial=`; `-inf` by default).
    pub initial: f64,
}

impl Default for SoftmaxOptions {
    fn default() -> Self {
        SoftmaxOptions {
            axis: Axes::from(-1),
            where_: None,
            initial: f64::NEG_INFINITY,
        }
    }
}

/// `max(where(mask, x, initial), axes, keepdims=True)` folded with `initial`.
fn masked_max(x: &Array, axes: &Axes, mask: Option<&Array>, initial: f64) -> Array {
    let filled = match mask {
        Some(m) => jnp::where_(m, x, initial),
        None => x.clone(),
    };
    let m = jnp::max_axis(&filled, axes.clone(), true);
    if initial == f64::NEG_INFINITY {
        m
    } else {
        jnp::maximum(&m, initial)
    }
}

/// `sum(where(mask, x, 0), axes, keepdims=True)`.
fn masked_sum(x: &Array, axes: &Axes, mask: Option<&Array>) -> Array {
    let filled = match mask {
        Some(m) => jnp::where_(m, x, 0.0),
        None => x.clone(),
    };
    jnp::sum_axis(&filled, axes.clone(), true)
}

/// `exp(x) / sum(exp(x))` over the last axis; see [`softmax_with`].
pub fn softmax(x: impl ArrayLike) -> Array {
    softmax_with(x, SoftmaxOptions::default())
}

/// [`softmax`] over `axis`.
pub fn softmax_axis(x: impl ArrayLike, axis: impl Into<Axes>) -> Array {
    softmax_with(
        x,
        SoftmaxOptions {
            axis: axis.into(),
            ..Default::default()
        },
    )
}

/// Softmax with every option. The derivative is JAX's custom jvp
/// `y * (ẋ - sum(y * ẋ))`, which stays finite where `exp` underflows.
pub fn softmax_with(x: impl ArrayLike, options: SoftmaxOptions) -> Array {
    let x = promote_to_inexact(&x.to_array());
    let SoftmaxOptions {
        axis,
        where_,
        initial,
    } = options;
    let primal = {
        let (axis, where_) = (axis.clone(), where_.clone());
        move |x: &Array| {
            let m = where_.as_ref();
            let x_max = masked_max(x, &axis, m, initial);
            let safe = match m {
                Some(w) => jnp::where_(w, x, initial),
                None => x.clone(),
            };
            let un = jnp::exp(&safe - &x_max);
            let y = &un / &masked_sum(&un, &axis, m);
            match m {
                Some(w) => jnp::where_(w, &y, 0.0),
                None => y,
            }
        }
    };
    let rule_primal = primal.clone();
    let f = custom_jvp(primal, move |x: &Array, t: &Array| {
        let y = rule_primal(x);
        let dot = masked_sum(&(&y * t), &axis, where_.as_ref());
        let ty = &y * &(t - &dot);
        (y, ty)
    });
    f(&x)
}

/// `x - logsumexp(x)` over the last axis; see [`log_softmax_with`].
pub fn log_softmax(x: impl ArrayLike) -> Array {
    log_softmax_with(x, SoftmaxOptions::default())
}

/// [`log_softmax`] over `axis`.
pub fn log_softmax_axis(x: impl ArrayLike, axis: impl Into<Axes>) -> Array {
    log_softmax_with(
        x,
        SoftmaxOptions {
            axis: axis.into(),
            ..Default::default()
        },
    )
}

/// Log-softmax with every option (the maximum is shifted out under
/// `stop_gradient`, as in JAX).
pub fn log_softmax_with(x: impl ArrayLike, options: SoftmaxOptions) -> Array {
    let x = promote_to_inexact(&x.to_array());
    let m = options.where_.as_ref();
    let x_max = masked_max(&x, &options.axis, m, options.initial);
    let safe = match m {
        Some(w) => jnp::where_(w, &x, f64::NEG_INFINITY),
        None => x.clone(),
    };
    let shifted = &safe - &lax::stop_gradient(&x_max);
    let lse = jnp::log(masked_sum(&jnp::exp(&shifted), &options.axis, m));
    let out = &shifted - &lse;
    match m {
        Some(w) => jnp::where_(w, &out, f64::NEG_INFINITY),
        None => out,
    }
}

/// Options of [`logsumexp_with`] (`jax.nn.logsumexp` /
/// `jax.scipy.special.logsumexp`).
#[derive(Clone, Debug, Default)]
pub struct LogsumexpOptions {
    /// Axes to reduce (default: all).
    pub axis: Axes,
    /// Scale factors: `log(sum(b * exp(a)))`; a negative sum gives NaN.
    pub b: Option<Array>,
    /// Keep reduced axes with size 1.
    pub keepdims: bool,
    /// Which entries take part.
    pub where_: Option<Array>,
}

/// `log(sum(exp(a)))` over every element, computed stably.
pub fn logsumexp(a: impl ArrayLike) -> Array {
    logsumexp_with(a, LogsumexpOptions::default())
}

/// [`logsumexp`] over `axis`.
pub fn logsumexp_axis(a: impl ArrayLike, axis: impl Into<Axes>, keepdims: bool) -> Array {
    logsumexp_with(
        a,
        LogsumexpOptions {
            axis: axis.into(),
            keepdims,
            ..Default::default()
        },
    )
}

/// `log(sum(b * exp(a)))` with every option. The maximum is subtracted
/// under `stop_gradient` (0 where it is not finite), so values and
/// gradients stay finite for large inputs, as in JAX.
pub fn logsumexp_with(a: impl ArrayLike, options: LogsumexpOptions) -> Array {
    logsumexp_impl(&a.to_array(), &options).0
}

/// [`logsumexp_with`] that also returns the sign of the sum
/// (`return_sign=True`): the log of the absolute value, and `sign`.
pub fn logsumexp_with_sign(a: impl ArrayLike, options: LogsumexpOptions) -> (Array, Array) {
    let (out, sign) = logsumexp_impl(&a.to_array(), &options);
    (out, sign)
}

fn logsumexp_impl(a: &Array, o: &LogsumexpOptions) -> (Array, Array) {
    let mut a = a.clone();
    if let Some(w) = &o.where_ {
        a = jnp::where_(w, &a, 0);
    }
    let (a, b) = match &o.b {
        Some(b) => {
            let (a2, b2) = promote_pair(&a, b);
            (jnp::where_(b2.ne(0), &a2, f64::NEG_INFINITY), Some(b2))
        }
        None => (promote_to_inexact(&a), None),
    };
    let dims = o.axis.resolve(a.ndim(), "logsumexp");
    let axes = Axes::Some(dims.iter().map(|&d| d as isize).collect());
    let filled = match &o.where_ {
        Some(w) => jnp::where_(w, &a, f64::NEG_INFINITY),
        None => a.clone(),
    };
    let amax = jnp::max_axis(&filled, axes.clone(), o.keepdims);
    let finite = jnp::isfinite(&amax);
    let amax = lax::stop_gradient(&jnp::where_(&finite, &amax, 0.0));
    let amax_dims = if o.keepdims {
        amax.clone()
    } else {
        jnp::expand_dims(&amax, axes.clone())
    };
    let mut exp_a = lax::exp(&(&a - &amax_dims));
    if let Some(b) = &b {
        exp_a = &exp_a * b;
    }
    let sumexp = match &o.where_ {
        Some(w) => jnp::sum_axis(&jnp::where_(w, &exp_a, 0.0), axes, o.keepdims),
        None => jnp::sum_axis(&exp_a, axes, o.keepdims),
    };
    let sign = lax::sign(&sumexp);
    let out = &lax::log(&lax::abs(&sumexp)) + &amax;
    let out = if b.is_some() {
        jnp::where_(sign.lt(0), f64::NAN, &out)
    } else {
        out
    };
    (out, sign)
}

fn promote_pair(a: &Array, b: &Array) -> (Array, Array) {
    let s = &(a * 0.0) + &(b * 0.0);
    let dt = promote_to_inexact(&s).dtype();
    (a.astype(dt), b.astype(dt))
}

/// Options of [`standardize_with`].
#[derive(Clone, Debug)]
pub struct StandardizeOptions {
    /// Axes to normalize over (default `-1`).
    pub axis: Axes,
    /// A precomputed mean (default: the mean over `axis`).
    pub mean: Option<Array>,
    /// A precomputed variance (default: `mean(x²) - mean(x)²`, clipped at 0).
    pub variance: Option<Array>,
    /// Added to the variance before `rsqrt` (default `1e-5`).
    pub epsilon: f64,
    /// Which entries take part in the statistics.
    pub where_: Option<Array>,
}

impl Default for StandardizeOptions {
    fn default() -> Self {
        StandardizeOptions {
            axis: Axes::from(-1),
            mean: None,
            variance: None,
            epsilon: 1e-5,
            where_: None,
        }
    }
}

/// `(x - mean) / sqrt(var + 1e-5)` over the last axis.
pub fn standardize(x: impl ArrayLike) -> Array {
    standardize_with(x, StandardizeOptions::default())
}

/// [`standardize`] over `axis`.
pub fn standardize_axis(x: impl ArrayLike, axis: impl Into<Axes>) -> Array {
    standardize_with(
        x,
        StandardizeOptions {
            axis: axis.into(),
            ..Default::default()
        },
    )
}

/// Standardization with every option (JAX's default "fast" variance).
pub fn standardize_with(x: impl ArrayLike, o: StandardizeOptions) -> Array {
    let x = x.to_array();
    let mean_of = |v: &Array| -> Array {
        match &o.where_ {
            None => jnp::mean_axis(v, o.axis.clone(), true),
            Some(w) => {
                let v = promote_to_inexact(v);
                let s = jnp::sum_axis(&jnp::where_(w, &v, 0.0), o.axis.clone(), true);
                let wb = jnp::broadcast_to(w, v.shape());
                let n = jnp::sum_axis(&wb.astype(s.dtype()), o.axis.clone(), true);
                &s / &n
            }
        }
    };
    let mean = o.mean.clone().unwrap_or_else(|| mean_of(&x));
    let variance = o.variance.clone().unwrap_or_else(|| {
        let v = &mean_of(&jnp::square(&x)) - &jnp::square(&mean);
        jnp::clip(&v, 0, None::<f64>)
    });
    &(&x - &mean) * &lax::rsqrt(&(&variance + o.epsilon))
}

/// Gated linear unit over the last axis: `a * sigmoid(b)` for the two halves.
pub fn glu(x: impl ArrayLike) -> Array {
    glu_axis(x, -1)
}

/// [`glu`] over `axis`, whose size must be even.
pub fn glu_axis(x: impl ArrayLike, axis: isize) -> Array {
    let x = x.to_array();
    let ax = crate::core::shape::canonicalize_axis(axis, x.ndim(), "glu");
    assert!(
        x.shape()[ax].is_multiple_of(2),
        "AssertionError: axis size must be divisible by 2"
    );
    let halves = jnp::split(&x, 2usize, axis);
    &halves[0] * &sigmoid(&halves[1])
}

/// Options of [`one_hot_with`].
#[derive(Clone, Debug)]
pub struct OneHotOptions {
    /// Output dtype (default: the default float, float32).
    pub dtype: Option<DType>,
    /// Where the new class axis goes (default `-1`).
    pub axis: isize,
}

impl Default for OneHotOptions {
    fn default() -> Self {
        OneHotOptions {
            dtype: None,
            axis: -1,
        }
    }
}

/// One-hot encoding of integer labels along a new last axis of size
/// `num_classes`. A label outside `[0, num_classes)` (negative ones
/// included) gives an all-zero row, as in JAX.
pub fn one_hot(x: impl ArrayLike, num_classes: usize) -> Array {
    one_hot_with(x, num_classes, OneHotOptions::default())
}

/// [`one_hot`] with a dtype and the position of the class axis.
pub fn one_hot_with(x: impl ArrayLike, num_classes: usize, o: OneHotOptions) -> Array {
    let x = x.to_array();
    let out_axis = crate::core::shape::canonicalize_axis(o.axis, x.ndim() + 1, "one_hot");
    let lhs = jnp::expand_dims(&x, out_axis as isize);
    let mut rhs_shape = vec![1usize; x.ndim()];
    rhs_shape.insert(out_axis, num_classes);
    let rhs = lax::broadcasted_iota(x.dtype(), &rhs_shape, out_axis);
    let eq = jnp::equal(&lhs, &rhs);
    eq.astype(o.dtype.unwrap_or_else(default_float))
}
