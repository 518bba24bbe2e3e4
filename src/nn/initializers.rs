//! Parameter initializers (`jax.nn.initializers`). Each takes a
//! `jaxide::random` key and draws exactly what JAX draws for the same key,
//! shape and dtype.
//!
//! An [`Initializer`] is what JAX's initializer functions are: a function
//! of `(key, shape, dtype)`. JAX's `init(key, (3, 4))` is
//! `init.init(&key, &[3, 4])`, and `init(key, shape, jnp.float64)` is
//! `init.init_dtype(&key, shape, DType::F64)`.

use std::fmt;
use std::sync::Arc;

use crate::core::dtype::DType;
use crate::numpy as jnp;
use crate::numpy::promote::default_float;
use crate::random::{self, Key, KeyLike};
use crate::Array;

type InitFn = dyn Fn(&Key, &[usize], DType) -> Array + Send + Sync;

/// A parameter initializer: `(key, shape, dtype) -> Array`. Cheap to clone.
#[derive(Clone)]
pub struct Initializer {
    f: Arc<InitFn>,
    dtype: Option<DType>,
}

impl fmt::Debug for Initializer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Initializer(dtype={:?})", self.dtype)
    }
}

impl Initializer {
    /// An initializer from a function of `(key, shape, dtype)`.
    pub fn new(f: impl Fn(&Key, &[usize], DType) -> Array + Send + Sync + 'static) -> Self {
        Initializer {
            f: Arc::new(f),
            dtype: None,
        }
    }

    /// The same initializer with a default dtype (JAX's `dtype=` argument of
    /// the initializer factory).
    pub fn with_dtype(mut self, dtype: DType) -> Self {
        self.dtype = Some(dtype);
        self
    }

    /// Draws an array of `shape` in the initializer's dtype (default float32).
    pub fn init(&self, key: &impl KeyLike, shape: &[usize]) -> Array {
        let dtype = self.dtype.unwrap_or_else(default_float);
        self.init_dtype(key, shape, dtype)
    }

    /// Draws an array of `shape` and `dtype`.
    pub fn init_dtype(&self, key: &impl KeyLike, shape: &[usize], dtype: DType) -> Array {
        let k = key.single_key("initializer");
        (self.f)(&k, shape, dtype)
    }
}

/// A strong rank-0 constant of `dtype` (JAX's `jnp.array(v, dtype)`).
fn cst(v: f64, dtype: DType) -> Array {
    crate::lax::ad_util::constant(v, dtype, false)
}

/// All zeros (`jax.nn.initializers.zeros`); the key is unused.
pub fn zeros() -> Initializer {
    Initializer::new(|_, shape, dtype| jnp::zeros_dtype(shape.to_vec(), dtype))
}

/// All ones (`jax.nn.initializers.ones`); the key is unused.
pub fn ones() -> Initializer {
    Initializer::new(|_, shape, dtype| jnp::ones_dtype(shape.to_vec(), dtype))
}

/// Every element `value` (`jax.nn.initializers.constant`).
pub fn constant(value: f64) -> Initializer {
    Initializer::new(move |_, shape, dtype| jnp::full_dtype(shape.to_vec(), value, dtype))
}

/// `uniform(key, shape) * scale`, in `[0, scale)` (default scale `1e-2`).
pub fn uniform(scale: f64) -> Initializer {
    Initializer::new(move |k, shape, dtype| {
        &random::uniform_with(k, shape, dtype, 0.0, 1.0) * &cst(scale, dtype)
    })
}

/// `normal(key, shape) * stddev` (JAX's default stddev is `1e-2`).
pub fn normal(stddev: f64) -> Initializer {
    Initializer::new(move |k, shape, dtype| {
        &random::normal_with(k, shape, dtype) * &cst(stddev, dtype)
    })
}

/// A standard normal truncated to `[-2, 2]`, times `stddev`; see
/// [`truncated_normal_with`].
pub fn truncated_normal(stddev: f64) -> Initializer {
    truncated_normal_with(stddev, -2.0, 2.0)
}

/// A standard normal truncated to `[lower, upper]`, times `stddev`.
pub fn truncated_normal_with(stddev: f64, lower: f64, upper: f64) -> Initializer {
    Initializer::new(move |k, shape, dtype| {
        let t = random::truncated_normal_with(k, lower, upper, Some(shape), dtype);
        &t * &cst(stddev, dtype)
    })
}

/// Which fan [`variance_scaling`] divides by.
fn denominator(mode: &str, fan_in: f64, fan_out: f64) -> f64 {
    match mode {
        "fan_in" => fan_in,
        "fan_out" => fan_out,
        "fan_avg" => (fan_in + fan_out) / 2.0,
        "fan_geo_avg" => (fan_in * fan_out).sqrt(),
        _ => panic!("ValueError: invalid mode for variance scaling initializer: {mode}"),
    }
}

/// The axes [`variance_scaling`] reads fans from. JAX's defaults: inputs
/// on axis -2, outputs on -1, no batch axes; every other axis is part of
/// the receptive field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FanAxes {
    /// Input axes (default `[-2]`).
    pub in_axis: Vec<isize>,
    /// Output axes (default `[-1]`).
    pub out_axis: Vec<isize>,
    /// Batch axes, excluded from both fans (default none).
    pub batch_axis: Vec<isize>,
}

impl Default for FanAxes {
    fn default() -> Self {
        FanAxes {
            in_axis: vec![-2],
            out_axis: vec![-1],
            batch_axis: vec![],
        }
    }
}

fn axis_size(shape: &[usize], axis: isize) -> f64 {
    let n = shape.len() as isize;
    let a = if axis < 0 { axis + n } else { axis };
    if a < 0 || a >= n {
        panic!(
            "IndexError: tuple index out of range (axis {axis} of a {}-dimensional shape)",
            shape.len()
        );
    }
    shape[a as usize] as f64
}

/// `(fan_in, fan_out)` of a weight shape (`jax.nn.initializers._compute_fans`).
pub fn compute_fans(shape: &[usize], axes: &FanAxes) -> (f64, f64) {
    if axes.in_axis == [-2] && shape.len() <= 1 {
        panic!(
            "ValueError: Can't compute input and output sizes of a {}-dimensional weights \
             tensor with default in_axis. Must be at least 2D or specify in_axis explicitly.",
            shape.len()
        );
    }
    let prod = |ax: &[isize]| ax.iter().map(|&a| axis_size(shape, a)).product::<f64>();
    let (in_size, out_size, batch) = (
        prod(&axes.in_axis),
        prod(&axes.out_axis),
        prod(&axes.batch_axis),
    );
    let total: f64 = shape.iter().map(|&d| d as f64).product();
    let receptive = total / in_size / out_size / batch;
    (in_size * receptive, out_size * receptive)
}

/// Variance-scaling initializer (`jax.nn.initializers.variance_scaling`)
/// with JAX's default fan axes; see [`variance_scaling_with`].
pub fn variance_scaling(scale: f64, mode: &str, distribution: &str) -> Initializer {
    variance_scaling_with(scale, mode, distribution, FanAxes::default())
}

/// Samples with variance `scale / n`, where `n` is the fan named by `mode`
/// (`"fan_in"`, `"fan_out"`, `"fan_avg"`, `"fan_geo_avg"`), from
/// `distribution` `"truncated_normal"` (truncated to ±2 standard
/// deviations and rescaled), `"normal"` or `"uniform"`.
pub fn variance_scaling_with(
    scale: f64,
    mode: &str,
    distribution: &str,
    axes: FanAxes,
) -> Initializer {
    // Validate eagerly what JAX validates at call time, so a typo fails fast.
    denominator(mode, 1.0, 1.0);
    if !matches!(distribution, "truncated_normal" | "normal" | "uniform") {
        panic!("ValueError: invalid distribution for variance scaling initializer: {distribution}");
    }
    let (mode, distribution) = (mode.to_string(), distribution.to_string());
    Initializer::new(move |k, shape, dtype| {
        if !dtype.is_float() {
            panic!(
                "NotImplementedError: variance_scaling initializers support float dtypes, \
                 got {dtype}"
            );
        }
        let (fan_in, fan_out) = compute_fans(shape, &axes);
        let variance = cst(scale / denominator(&mode, fan_in, fan_out), dtype);
        match distribution.as_str() {
            "truncated_normal" => {
                let stddev = &jnp::sqrt(&variance) / &cst(0.879_625_661_034_239_8, dtype);
                &random::truncated_normal_with(k, -2, 2, Some(shape), dtype) * &stddev
            }
            "normal" => &random::normal_with(k, shape, dtype) * &jnp::sqrt(&variance),
            _ => {
                let u = random::uniform_with(k, shape, dtype, -1.0, 1.0);
                &u * &jnp::sqrt(&variance * 3)
            }
        }
    })
}

macro_rules! scaled {
    ($(#[$doc:meta])* $name:ident, $with:ident, $scale:expr, $mode:expr, $dist:expr) => {
        $(#[$doc])*
        pub fn $name() -> Initializer {
            $with(FanAxes::default())
        }

        #[doc = concat!("[`", stringify!($name), "`] with explicit fan axes.")]
        pub fn $with(axes: FanAxes) -> Initializer {
            variance_scaling_with($scale, $mode, $dist, axes)
        }
    };
}

scaled!(
    /// Glorot/Xavier uniform: `variance_scaling(1, "fan_avg", "uniform")`.
    glorot_uniform, glorot_uniform_with, 1.0, "fan_avg", "uniform"
);
scaled!(
    /// Glorot/Xavier normal: `variance_scaling(1, "fan_avg", "truncated_normal")`.
    glorot_normal, glorot_normal_with, 1.0, "fan_avg", "truncated_normal"
);
scaled!(
    /// LeCun uniform: `variance_scaling(1, "fan_in", "uniform")`.
    lecun_uniform, lecun_uniform_with, 1.0, "fan_in", "uniform"
);
scaled!(
    /// LeCun normal: `variance_scaling(1, "fan_in", "truncated_normal")`.
    lecun_normal, lecun_normal_with, 1.0, "fan_in", "truncated_normal"
);
scaled!(
    /// He/Kaiming uniform: `variance_scaling(2, "fan_in", "uniform")`.
    he_uniform, he_uniform_with, 2.0, "fan_in", "uniform"
);
scaled!(
    /// He/Kaiming normal: `variance_scaling(2, "fan_in", "truncated_normal")`.
    he_normal, he_normal_with, 2.0, "fan_in", "truncated_normal"
);

pub use glorot_normal as xavier_normal;
pub use glorot_normal_with as xavier_normal_with;
pub use glorot_uniform as xavier_uniform;
pub use glorot_uniform_with as xavier_uniform_with;
pub use he_normal as kaiming_normal;
pub use he_normal_with as kaiming_normal_with;
pub use he_uniform as kaiming_uniform;
pub use he_uniform_with as kaiming_uniform_with;

/// Orthogonal matrices scaled by `scale`, columns along the last axis; see
/// [`orthogonal_with`].
pub fn orthogonal(scale: f64) -> Initializer {
    orthogonal_with(scale, -1)
}

/// An (approximately Haar) orthogonal matrix of shape
/// `(prod(other axes), shape[column_axis])`, reshaped so the columns lie
/// along `column_axis`, times `scale` (`jax.nn.initializers.orthogonal`).
pub fn orthogonal_with(scale: f64, column_axis: isize) -> Initializer {
    Initializer::new(move |k, shape, dtype| {
        if shape.len() < 2 {
            panic!("ValueError: orthogonal initializer requires at least a 2D shape");
        }
        if shape.contains(&0) {
            return jnp::zeros_dtype(shape.to_vec(), dtype);
        }
        let col = crate::core::shape::canonicalize_axis(column_axis, shape.len(), "orthogonal");
        let n_cols = shape[col];
        let n_rows = shape.iter().product::<usize>() / n_cols;
        let q = random::orthogonal_with(k, n_rows, &[], dtype, Some(n_cols));
        let mut rest: Vec<isize> = shape.iter().map(|&d| d as isize).collect();
        rest.remove(col);
        rest.push(n_cols as isize);
        let q = jnp::reshape(&q, &rest);
        let q = jnp::moveaxis(&q, -1, col as isize);
        &cst(scale, dtype) * &q
    })
}
