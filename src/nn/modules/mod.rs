//! Equinox-style neural-network modules (`equinox.nn`): layers that are
//! pytrees of their parameters.
//!
//! A module is a plain struct with `#[derive(PyTree)]`: its arrays are the
//! leaves (the trainable parameters), its configuration is static data. A
//! call takes **one unbatched example** and is a pure function of the
//! parameters and inputs, so `vmap(|x| model.forward(x))` batches it,
//! `grad` differentiates with respect to the whole model, and `jit` takes
//! the model as an argument. Parameter initialization draws exactly what
//! equinox draws for the same key.
//!
//! | module | file |
//! |---|---|
//! | [`Module`] trait, [`PerDim`], [`LayerPadding`] | `mod.rs` |
//! | [`Linear`], [`Identity`] | `linear.rs` |
//! | [`MLP`] | `mlp.rs` |
//! | [`Conv`], [`Conv1d`], [`Conv2d`], [`Conv3d`] | `conv.rs` |
//! | [`Pool`], [`MaxPool1d`], [`MaxPool2d`], [`AvgPool1d`], [`AvgPool2d`], ... | `pool.rs` |
//! | [`LayerNorm`] | `layer_norm.rs` |
//! | [`BatchNorm`] with [`BatchNormState`] | `batch_norm.rs` |
//! | [`Dropout`] | `dropout.rs` |
//! | [`Embedding`] | `embedding.rs` |
//! | [`MultiheadAttention`] | `attention.rs` |
//! | [`Sequential`], [`Layer`], [`Lambda`], [`Reshape`] | `sequential.rs` |
//!
//! ```
//! use jaxide::prelude::*;
//! use jaxide::{nn, random};
//! let model = nn::MLP::new(3, 2, 8, 2, |x| nn::relu(x), |x| x.clone(), &random::key(0));
//! let xs = jnp::ones([5, 3]);
//! let ys = vmap(|x: &Array| model.forward(x))(&xs);
//! assert_eq!(ys.shape(), &[5, 2]);
//! ```

mod attention;
mod batch_norm;
mod conv;
mod dropout;
mod embedding;
mod layer_norm;
mod linear;
mod mlp;
mod pool;
mod sequential;
mod spec;

pub use attention::{MhaOptions, MultiheadAttention};
pub use batch_norm::{BatchNorm, BatchNormMode, BatchNormOptions, BatchNormState};
pub use conv::{Conv, Conv1d, Conv2d, Conv3d, ConvLayerOptions, PaddingMode};
pub use dropout::Dropout;
pub use embedding::Embedding;
pub use layer_norm::LayerNorm;
pub use linear::{Identity, Linear};
pub use mlp::{MlpOptions, MLP};
pub use pool::{
    AvgPool1d, AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d, Pool, PoolKind, PoolOptions,
};
pub use sequential::{Lambda, Layer, Reshape, Sequential};
pub use spec::{LayerPadding, PerDim};

use crate::random::Key;
use crate::tree::PyTree;
use crate::Array;

/// A plain activation function: non-capturing closures coerce to it,
/// `|x| nn::relu(x)`.
pub type ActivationFn = fn(&Array) -> Array;

/// An activation function stored in a module as static data. Two are equal
/// when they are the same function. Its `Debug` form is `<function>`, not
/// the address (which changes from run to run), so a module's tree
/// structure prints the same in every process and checkpoints restore.
#[derive(Clone, Copy)]
pub struct Activation(pub ActivationFn);

impl Activation {
    /// Applies the function.
    pub fn call(&self, x: &Array) -> Array {
        (self.0)(x)
    }
}

impl std::fmt::Debug for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<function>")
    }
}

impl PartialEq for Activation {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::fn_addr_eq(self.0, other.0)
    }
}

impl From<ActivationFn> for Activation {
    fn from(f: ActivationFn) -> Self {
        Activation(f)
    }
}

/// A stateless layer called on one example: equinox's
/// `module(x, key=None)`.
///
/// `key` feeds randomness (dropout) and is ignored by deterministic layers.
/// Implemented by every module here except [`BatchNorm`] (stateful) and
/// [`MultiheadAttention`] (three inputs), so [`Sequential`] and user code
/// can be generic over layers.
pub trait Module: PyTree {
    /// Applies the layer to one unbatched example.
    fn call(&self, x: &Array, key: Option<&Key>) -> Array;
}
