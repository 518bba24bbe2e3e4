//! Neural-network functions (`jax.nn`): activations, the softmax family,
//! `logsumexp`, `standardize`, `one_hot`, parameter [`initializers`], and
//! equinox-style layers ([`modules`]: `Linear`, `MLP`, `Conv2d`, ...).
//!
//! Everything here is built from `jnp`/`lax` calls, so `grad`, `jit` and
//! `vmap` go through it, and it follows JAX's formulas (and custom jvps)
//! so values and derivatives match JAX's.
//!
//! ```
//! use jaxide::prelude::*;
//! use jaxide::nn;
//! let x = jnp::array([-1.0f32, 0.0, 2.0]);
//! assert_eq!(nn::relu(&x).to_vec::<f32>(), vec![0.0, 0.0, 2.0]);
//! let p = nn::softmax(&x);
//! assert!((jnp::sum(&p).item::<f32>() - 1.0).abs() < 1e-6);
//! ```

mod activations;
pub mod initializers;
pub mod modules;
mod normalization;

pub use activations::*;
pub use modules::*;
pub use normalization::*;
