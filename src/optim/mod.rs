//! Gradient processing and optimization, modelled on optax.
//!
//! A [`GradientTransformation`] is a pair of pure functions `init` and
//! `update`; optimizers are chains of them. Everything is built from jnp
//! and lax ops on pytrees, so a whole train step runs under `jit`, `grad`
//! and `vmap`, and the state ([`OptState`]) is a pytree with optax's
//! structure and field names.
//!
//! ```
//! use jaxide::prelude::*;
//! use jaxide::optim;
//!
//! let params = (jnp::array([1.0f32, -2.0]), jnp::array(0.5f32));
//! let loss = |p: &(Array, Array)| (p.0.pow(2).sum() + p.1.pow(2));
//! let tx = optim::chain![optim::clip_by_global_norm(1.0), optim::adam(1e-2)];
//! let mut state = tx.init(&params);
//! let mut params = params;
//! for _ in 0..3 {
//!     let g = grad(loss)(&params);
//!     let (updates, s) = tx.update(&g, state, Some(&params));
//!     state = s;
//!     params = optim::apply_updates(&params, &updates);
//! }
//! assert!(loss(&params).item::<f32>() < 5.25);
//! ```
//!
//! File map: `base.rs` (GradientTransformation, chain, apply_updates),
//! `state.rs` (OptState), `any_tree.rs` (AnyTree), `transform.rs`
//! (scale_by_*), `clipping.rs`, `masking.rs`, `multi_steps.rs`,
//! `alias.rs` (the optimizers), `schedules.rs`, `losses.rs`,
//! `numerics.rs`.

mod alias;
mod any_tree;
mod base;
mod clipping;
pub mod losses;
mod masking;
mod multi_steps;
mod numerics;
pub mod schedules;
mod state;
mod transform;

pub use crate::chain;
pub use alias::{
    adagrad, adagrad_with, adam, adam_with, adamw, adamw_with, lamb, lamb_with, lion, lion_with,
    rmsprop, rmsprop_with, sgd, sgd_with, AdagradOptions, AdamWOptions, LambOptions, LionOptions,
    RmspropOptions, SgdOptions,
};
pub use any_tree::AnyTree;
pub use base::{apply_updates, chain, identity, GradientTransformation};
pub use clipping::{clip, clip_by_global_norm, global_norm};
pub use losses::{
    huber_loss, l2_loss, sigmoid_binary_cross_entropy, softmax_cross_entropy,
    softmax_cross_entropy_with_integer_labels, squared_error,
};
pub use masking::{masked, Mask, MaskFn};
pub use multi_steps::{multi_steps, MultiSteps};
pub use numerics::safe_increment;
pub use schedules::{
    constant_schedule, cosine_decay_schedule, exponential_decay, exponential_decay_with,
    join_schedules, linear_schedule, piecewise_constant_schedule, polynomial_schedule,
    warmup_cosine_decay_schedule, ExponentialDecay, LearningRate, ScalarOrSchedule, Schedule,
};
pub use state::OptState;
pub use transform::{
    add_decayed_weights, scale, scale_by_adam, scale_by_adam_with, scale_by_learning_rate,
    scale_by_learning_rate_with, scale_by_lion, scale_by_lion_with, scale_by_rms,
    scale_by_rms_with, scale_by_rss, scale_by_schedule, scale_by_stddev, scale_by_stddev_with,
    scale_by_trust_ratio, scale_by_trust_ratio_with, trace, trace_with, AdamOptions,
    LionScaleOptions, RmsOptions, TraceOptions,
};
