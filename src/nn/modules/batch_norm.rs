//! `BatchNorm` (equinox's `nn.BatchNorm`) with its running statistics as
//! an explicit pytree state.
//!
//! Deviation from equinox: jaxide has no named axes (`axis_name`,
//! `lax.pmean`), so instead of being called per example inside
//! `vmap(..., axis_name=...)`, [`BatchNorm::forward`] takes the **whole
//! batch** `(N, C, *spatial)` and computes the batch statistics itself —
//! the same numbers equinox's `pmean` over the named axis gives. Do not
//! `vmap` it over the batch.

use super::spec::param_dtype;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::lax;
use crate::numpy as jnp;
use crate::tree::PyTree;
use crate::Array;

/// Which running statistics a [`BatchNorm`] keeps (equinox's `mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BatchNormMode {
    /// Train on batch statistics; infer with zero-debiased exponential
    /// averages (`hidden / (1 - momentum^counter)`).
    Batch,
    /// Train and infer with exponential running statistics, seeded by the
    /// first batch.
    Ema,
}

/// The options of [`BatchNorm::new_with`] (equinox's defaults).
#[derive(Clone, Debug)]
pub struct BatchNormOptions {
    /// Added to the variance (default `1e-5`).
    pub eps: f64,
    /// Learnable per-channel weight and bias (default `true`).
    pub channelwise_affine: bool,
    /// Running-average decay (default `0.99`).
    pub momentum: f64,
    /// Dtype of the parameters and running statistics (default: the default float).
    pub dtype: Option<DType>,
}

impl Default for BatchNormOptions {
    fn default() -> Self {
        BatchNormOptions {
            eps: 1e-5,
            channelwise_affine: true,
            momentum: 0.99,
            dtype: None,
        }
    }
}

/// Batch normalization over the batch and spatial axes, per channel:
/// `(x - mean) / sqrt(var + eps) * weight + bias`.
#[derive(PyTree, Clone, Debug)]
pub struct BatchNorm {
    /// Ones of `(input_size,)`, or `None` without affine parameters.
    pub weight: Option<Array>,
    /// Zeros of `(input_size,)`, or `None` without affine parameters.
    pub bias: Option<Array>,
    /// The number of channels `C`.
    #[pytree(static)]
    pub input_size: usize,
    /// Added to the variance.
    #[pytree(static)]
    pub eps: f64,
    /// Whether weight and bias are used.
    #[pytree(static)]
    pub channelwise_affine: bool,
    /// Running-average decay.
    #[pytree(static)]
    pub momentum: f64,
    /// Which running statistics are kept.
    #[pytree(static)]
    pub mode: BatchNormMode,
    /// The dtype of the running statistics.
    #[pytree(static)]
    pub dtype: DType,
}

/// A [`BatchNorm`]'s running statistics (equinox's `State` entries for
/// the layer), threaded through calls: `let (y, state) = bn.forward(&x, state, false)`.
#[derive(PyTree, Clone, Debug)]
pub struct BatchNormState {
    /// `Batch` mode: the number of training batches seen (weak int32 scalar, as `jnp.array(0)`).
    pub counter: Option<Array>,
    /// `Ema` mode: whether no training batch has been seen yet (bool scalar).
    pub first_time: Option<Array>,
    /// The running mean, `(input_size,)` (`Batch`: not yet debiased).
    pub mean: Array,
    /// The running variance, `(input_size,)` (`Batch`: not yet debiased).
    pub var: Array,
}

impl BatchNorm {
    /// A batch norm over `input_size` channels with equinox's defaults.
    pub fn new(input_size: usize, mode: BatchNormMode) -> Self {
        Self::new_with(input_size, mode, BatchNormOptions::default())
    }

    /// A batch norm with options.
    pub fn new_with(input_size: usize, mode: BatchNormMode, options: BatchNormOptions) -> Self {
        let dtype = param_dtype(options.dtype);
        let affine = options.channelwise_affine;
        BatchNorm {
            weight: affine.then(|| jnp::ones_dtype([input_size], dtype)),
            bias: affine.then(|| jnp::zeros_dtype([input_size], dtype)),
            input_size,
            eps: options.eps,
            channelwise_affine: affine,
            momentum: options.momentum,
            mode,
            dtype,
        }
    }

    /// The initial state (equinox's `make_with_state`): `Batch` starts at
    /// counter 0, mean 0, variance 1; `Ema` is marked first-time (its
    /// buffers are zeros and are overwritten by the first batch).
    pub fn init_state(&self) -> BatchNormState {
        let c = [self.input_size];
        match self.mode {
            BatchNormMode::Batch => BatchNormState {
                counter: Some(jnp::array(0)),
                first_time: None,
                mean: jnp::zeros_dtype(c, self.dtype),
                var: jnp::ones_dtype(c, self.dtype),
            },
            BatchNormMode::Ema => BatchNormState {
                counter: None,
                first_time: Some(Array::scalar(true)),
                mean: jnp::zeros_dtype(c, self.dtype),
                var: jnp::zeros_dtype(c, self.dtype),
            },
        }
    }

    /// Normalizes the batch `x` of shape `(N, input_size, *spatial)`.
    ///
    /// Training (`inference == false`) normalizes with the batch statistics
    /// and returns the updated state; inference uses the running statistics
    /// and returns the state unchanged.
    pub fn forward(
        &self,
        x: &Array,
        state: BatchNormState,
        inference: bool,
    ) -> (Array, BatchNormState) {
        if x.ndim() < 2 || x.shape()[1] != self.input_size {
            panic!(
                "ValueError: `BatchNorm` takes the whole batch, of shape (N, input_size, ...) = \
                 (N, {}, ...), but input has shape {}. (jaxide computes the batch statistics \
                 itself instead of equinox's named-axis `pmean`, so do not `vmap` it.)",
                self.input_size,
                fmt_tuple(x.shape())
            );
        }
        let m = self.momentum;
        let (mean, var, state) = match self.mode {
            BatchNormMode::Ema if inference => (state.mean.clone(), state.var.clone(), state),
            BatchNormMode::Ema => {
                let first_time = state
                    .first_time
                    .clone()
                    .expect("an Ema-mode BatchNormState has `first_time`");
                let (batch_mean, batch_var) = batch_stats(x);
                let mean = &(&batch_mean * (1.0 - m)) + &(&state.mean * m);
                let var = &(&batch_var * (1.0 - m)) + &(&state.var * m);
                let mean = lax::select(&first_time, &batch_mean, &mean);
                let var = lax::select(&first_time, &batch_var, &var);
                let state = BatchNormState {
                    counter: None,
                    first_time: Some(Array::scalar(false)),
                    mean: mean.clone(),
                    var: var.clone(),
                };
                (mean, var, state)
            }
            BatchNormMode::Batch => {
                let counter = state
                    .counter
                    .clone()
                    .expect("a Batch-mode BatchNormState has `counter`");
                if inference {
                    let scale = debias_scale(&counter, m);
                    (&state.mean / &scale, &state.var / &scale, state)
                } else {
                    let (mean, var) = batch_stats(x);
                    let state = BatchNormState {
                        counter: Some(&counter + 1),
                        first_time: None,
                        mean: &(&state.mean * m) + &(&mean * (1.0 - m)),
                        var: &(&state.var * m) + &(&var * (1.0 - m)),
                    };
                    (mean, var, state)
                }
            }
        };
        (self.normalize(x, &mean, &var), state)
    }

    /// `(x - mean) / sqrt(var + eps) * weight + bias`, per channel.
    fn normalize(&self, x: &Array, mean: &Array, var: &Array) -> Array {
        let per_channel = |v: &Array| channel_view(v, x.ndim());
        let out = (x - &per_channel(mean)) / lax::sqrt(&(&per_channel(var) + self.eps));
        match (&self.weight, &self.bias) {
            (Some(w), Some(b)) => &(&out * &per_channel(w)) + &per_channel(b),
            _ => out,
        }
    }
}

/// `(C,)` reshaped to `(1, C, 1, ..., 1)` for an input of rank `ndim`.
fn channel_view(v: &Array, ndim: usize) -> Array {
    let mut shape = vec![1isize; ndim];
    shape[1] = -1;
    jnp::reshape(v, &shape)
}

/// Per-channel batch statistics, as equinox's `pmean` of per-example
/// means: `mean = mean_n(mean_spatial(x))`, `var = mean_n(mean_spatial(|x - mean|²))`,
/// clipped at 0.
fn batch_stats(x: &Array) -> (Array, Array) {
    let spatial: Vec<isize> = (2..x.ndim() as isize).collect();
    let mean_spatial = |v: &Array| {
        if spatial.is_empty() {
            v.clone()
        } else {
            jnp::mean_axis(v, spatial.clone(), false)
        }
    };
    let mean = jnp::mean_axis(&mean_spatial(x), 0, false);
    let centered = x - &channel_view(&mean, x.ndim());
    let sq = &centered * &jnp::conj(&centered);
    let var = jnp::mean_axis(&mean_spatial(&sq), 0, false);
    (mean, jnp::maximum(0.0, &var))
}

/// Equinox's zero-debias divisor `where(counter == 0, 1, 1 - momentum**counter)`;
/// a concrete counter uses `integer_pow`, as `jnp.power` does for a
/// concrete integer exponent.
fn debias_scale(counter: &Array, momentum: f64) -> Array {
    let base = jnp::array(momentum);
    let pow = if counter.is_tracer() {
        jnp::power(&base, counter)
    } else {
        lax::integer_pow(&base, counter.item::<i32>())
    };
    jnp::r#where(counter.eq(0), 1, jnp::subtract(1, &pow))
}
