//! `Linear` (equinox's `nn.Linear`) and `Identity`.

use super::spec::{default_init, param_dtype};
use super::Module;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::numpy as jnp;
use crate::random::{self, Key, KeyLike};
use crate::tree::PyTree;
use crate::Array;

/// `y = weight @ x + bias` on one example `x` of shape `(in_features,)`.
///
/// Initialized as equinox does: `wkey, bkey = split(key, 2)`, both drawn
/// uniform in `[-lim, lim)` with `lim = 1/sqrt(in_features)`; `weight` has
/// shape `(out_features, in_features)`.
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::{nn, random};
/// let lin = nn::Linear::new(3, 2, true, &random::key(0));
/// assert_eq!(lin.weight.shape(), &[2, 3]);
/// assert_eq!(lin.forward(&jnp::ones([3])).shape(), &[2]);
/// ```
#[derive(PyTree, Clone, Debug)]
pub struct Linear {
    /// `(out_features, in_features)`.
    pub weight: Array,
    /// `(out_features,)`, or `None` without bias.
    pub bias: Option<Array>,
    /// The input size.
    #[pytree(static)]
    pub in_features: usize,
    /// The output size.
    #[pytree(static)]
    pub out_features: usize,
    /// Whether a bias is added.
    #[pytree(static)]
    pub use_bias: bool,
}

impl Linear {
    /// A layer with parameters of the default float dtype.
    pub fn new(
        in_features: usize,
        out_features: usize,
        use_bias: bool,
        key: &impl KeyLike,
    ) -> Self {
        Self::new_dtype(in_features, out_features, use_bias, None, key)
    }

    /// A layer with parameters of `dtype` (`None`: the default float).
    pub fn new_dtype(
        in_features: usize,
        out_features: usize,
        use_bias: bool,
        dtype: Option<DType>,
        key: &impl KeyLike,
    ) -> Self {
        let dtype = param_dtype(dtype);
        let keys = random::split(key, 2);
        let lim = if in_features == 0 {
            1.0
        } else {
            1.0 / (in_features as f64).sqrt()
        };
        let weight = default_init(&keys.idx(0), &[out_features, in_features], dtype, lim);
        let bias = use_bias.then(|| default_init(&keys.idx(1), &[out_features], dtype, lim));
        Linear {
            weight,
            bias,
            in_features,
            out_features,
            use_bias,
        }
    }

    /// Applies the layer to `x` of shape `(in_features,)`.
    pub fn forward(&self, x: &Array) -> Array {
        if x.shape() != [self.in_features] {
            panic!(
                "ValueError: `Linear` takes one example of shape (in_features,)=({},), got shape \
                 {}. For a batch, use `vmap(|x| linear.forward(x))`.",
                self.in_features,
                fmt_tuple(x.shape())
            );
        }
        let y = jnp::matmul(&self.weight, x);
        match &self.bias {
            Some(b) => &y + b,
            None => y,
        }
    }
}

impl Module for Linear {
    fn call(&self, x: &Array, _key: Option<&Key>) -> Array {
        self.forward(x)
    }
}

/// Returns its input unchanged (equinox's `nn.Identity`).
#[derive(PyTree, Clone, Debug, Default)]
pub struct Identity;

impl Identity {
    /// Returns `x`.
    pub fn forward(&self, x: &Array) -> Array {
        x.clone()
    }
}

impl Module for Identity {
    fn call(&self, x: &Array, _key: Option<&Key>) -> Array {
        x.clone()
    }
}
