//! The optimizers (optax's `alias.py`): chains of transformations ending
//! in `scale_by_learning_rate`.

use super::base::{chain, GradientTransformation};
use super::masking::Mask;
use super::schedules::ScalarOrSchedule;
use super::transform::{
    add_decayed_weights, scale_by_adam_with, scale_by_learning_rate, scale_by_lion_with,
    scale_by_rms_with, scale_by_rss, scale_by_stddev_with, scale_by_trust_ratio, trace_or_identity,
    AdamOptions, LionScaleOptions, RmsOptions, TraceOptions,
};
use crate::DType;

/// Options of [`sgd_with`], with optax's defaults (no momentum).
#[derive(Clone, Debug, Default)]
pub struct SgdOptions {
    /// Momentum decay (`None`: plain SGD).
    pub momentum: Option<f64>,
    /// Nesterov momentum.
    pub nesterov: bool,
    /// The dtype the momentum is stored in.
    pub accumulator_dtype: Option<DType>,
}

/// Stochastic gradient descent: `-learning_rate * g` (optax's `sgd`).
/// State `(EmptyState(), EmptyState())` for a constant rate.
pub fn sgd(learning_rate: impl Into<ScalarOrSchedule>) -> GradientTransformation {
    sgd_with(learning_rate, SgdOptions::default())
}

/// SGD with momentum (`trace`) or Nesterov momentum.
pub fn sgd_with(
    learning_rate: impl Into<ScalarOrSchedule>,
    o: SgdOptions,
) -> GradientTransformation {
    let trace = TraceOptions {
        nesterov: o.nesterov,
        accumulator_dtype: o.accumulator_dtype,
    };
    chain(vec![
        trace_or_identity(o.momentum, trace),
        scale_by_learning_rate(learning_rate),
    ])
}

/// Adam (optax's `adam`): `chain(scale_by_adam, scale_by_learning_rate)`.
pub fn adam(learning_rate: impl Into<ScalarOrSchedule>) -> GradientTransformation {
    adam_with(learning_rate, AdamOptions::default())
}

/// Adam with `b1`, `b2`, `eps`, `eps_root`, `mu_dtype`, `nesterov` (Nadam).
pub fn adam_with(
    learning_rate: impl Into<ScalarOrSchedule>,
    o: AdamOptions,
) -> GradientTransformation {
    chain(vec![
        scale_by_adam_with(o),
        scale_by_learning_rate(learning_rate),
    ])
}

/// Options of [`adamw_with`], with optax's defaults.
#[derive(Clone, Debug)]
pub struct AdamWOptions {
    /// Adam's options.
    pub adam: AdamOptions,
    /// Decoupled weight decay (1e-4), a constant or a schedule.
    pub weight_decay: ScalarOrSchedule,
    /// Which leaves decay (all by default).
    pub mask: Option<Mask>,
}

impl Default for AdamWOptions {
    fn default() -> Self {
        AdamWOptions {
            adam: AdamOptions::default(),
            weight_decay: ScalarOrSchedule::Scalar(1e-4),
            mask: None,
        }
    }
}

/// AdamW (optax's `adamw`): Adam plus decoupled weight decay,
/// `chain(scale_by_adam, add_decayed_weights, scale_by_learning_rate)`.
pub fn adamw(learning_rate: impl Into<ScalarOrSchedule>) -> GradientTransformation {
    adamw_with(learning_rate, AdamWOptions::default())
}

/// AdamW with options.
pub fn adamw_with(
    learning_rate: impl Into<ScalarOrSchedule>,
    o: AdamWOptions,
) -> GradientTransformation {
    chain(vec![
        scale_by_adam_with(o.adam),
        add_decayed_weights(o.weight_decay, o.mask),
        scale_by_learning_rate(learning_rate),
    ])
}

/// Options of [`rmsprop_with`], with optax's defaults.
#[derive(Clone, Debug, Default)]
pub struct RmspropOptions {
    /// Decay, eps, initial scale, `eps_in_sqrt`, bias correction.
    pub rms: RmsOptions,
    /// Centered RMSProp (divide by the standard deviation).
    pub centered: bool,
    /// Momentum applied after the learning rate (`None`: none).
    pub momentum: Option<f64>,
    /// Nesterov momentum.
    pub nesterov: bool,
}

/// RMSProp (optax's `rmsprop`).
pub fn rmsprop(learning_rate: impl Into<ScalarOrSchedule>) -> GradientTransformation {
    rmsprop_with(learning_rate, RmspropOptions::default())
}

/// RMSProp with options: centered, momentum (after the learning rate, as in optax).
pub fn rmsprop_with(
    learning_rate: impl Into<ScalarOrSchedule>,
    o: RmspropOptions,
) -> GradientTransformation {
    let scaler = if o.centered {
        scale_by_stddev_with(o.rms)
    } else {
        scale_by_rms_with(o.rms)
    };
    let trace = TraceOptions {
        nesterov: o.nesterov,
        accumulator_dtype: None,
    };
    chain(vec![
        scaler,
        scale_by_learning_rate(learning_rate),
        trace_or_identity(o.momentum, trace),
    ])
}

/// Options of [`adagrad_with`], with optax's defaults.
#[derive(Clone, Debug)]
pub struct AdagradOptions {
    /// The initial sum of squares (0.1).
    pub initial_accumulator_value: f64,
    /// Added inside the root (1e-7).
    pub eps: f64,
}

impl Default for AdagradOptions {
    fn default() -> Self {
        AdagradOptions {
            initial_accumulator_value: 0.1,
            eps: 1e-7,
        }
    }
}

/// Adagrad (optax's `adagrad`).
pub fn adagrad(learning_rate: impl Into<ScalarOrSchedule>) -> GradientTransformation {
    adagrad_with(learning_rate, AdagradOptions::default())
}

/// Adagrad with options.
pub fn adagrad_with(
    learning_rate: impl Into<ScalarOrSchedule>,
    o: AdagradOptions,
) -> GradientTransformation {
    chain(vec![
        scale_by_rss(o.initial_accumulator_value, o.eps),
        scale_by_learning_rate(learning_rate),
    ])
}

/// Options of [`lion_with`], with optax's defaults.
#[derive(Clone, Debug)]
pub struct LionOptions {
    /// b1 (0.9), b2 (0.99), mu_dtype.
    pub lion: LionScaleOptions,
    /// Decoupled weight decay (1e-3).
    pub weight_decay: ScalarOrSchedule,
    /// Which leaves decay.
    pub mask: Option<Mask>,
}

impl Default for LionOptions {
    fn default() -> Self {
        LionOptions {
            lion: LionScaleOptions::default(),
            weight_decay: ScalarOrSchedule::Scalar(1e-3),
            mask: None,
        }
    }
}

/// Lion (optax's `lion`).
pub fn lion(learning_rate: impl Into<ScalarOrSchedule>) -> GradientTransformation {
    lion_with(learning_rate, LionOptions::default())
}

/// Lion with options.
pub fn lion_with(
    learning_rate: impl Into<ScalarOrSchedule>,
    o: LionOptions,
) -> GradientTransformation {
    chain(vec![
        scale_by_lion_with(o.lion),
        add_decayed_weights(o.weight_decay, o.mask),
        scale_by_learning_rate(learning_rate),
    ])
}

/// Options of [`lamb_with`], with optax's defaults.
#[derive(Clone, Debug)]
pub struct LambOptions {
    /// b1 (0.9), b2 (0.999), eps (1e-6), eps_root (0.0).
    pub adam: AdamOptions,
    /// Weight decay (0.0).
    pub weight_decay: ScalarOrSchedule,
    /// Which leaves decay.
    pub mask: Option<Mask>,
}

impl Default for LambOptions {
    fn default() -> Self {
        LambOptions {
            adam: AdamOptions {
                eps: 1e-6,
                ..AdamOptions::default()
            },
            weight_decay: ScalarOrSchedule::Scalar(0.0),
            mask: None,
        }
    }
}

/// LAMB (optax's `lamb`): Adam, weight decay, then the trust ratio.
/// Needs params in `update`.
pub fn lamb(learning_rate: impl Into<ScalarOrSchedule>) -> GradientTransformation {
    lamb_with(learning_rate, LambOptions::default())
}

/// LAMB with options.
pub fn lamb_with(
    learning_rate: impl Into<ScalarOrSchedule>,
    o: LambOptions,
) -> GradientTransformation {
    chain(vec![
        scale_by_adam_with(o.adam),
        add_decayed_weights(o.weight_decay, o.mask),
        scale_by_trust_ratio(),
        scale_by_learning_rate(learning_rate),
    ])
}
