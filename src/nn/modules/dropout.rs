//! `Dropout` (equinox's `nn.Dropout`).

use super::Module;
use crate::core::dtype::DType;
use crate::numpy as jnp;
use crate::random::{self, Key};
use crate::tree::PyTree;
use crate::Array;

/// Zeroes each element with probability `p` and scales the rest by
/// `1 / (1 - p)` while training; the identity in inference mode or when
/// `p == 0`.
///
/// The mask is equinox's: `bernoulli(key, 1 - p, x.shape)`, so the same
/// key drops the same elements as equinox.
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::{nn, random};
/// let d = nn::Dropout::new(0.5);
/// let x = jnp::ones([4]);
/// let y = d.forward(&x, Some(&random::key(0)), false);
/// assert!(y.to_vec::<f32>().iter().all(|&v| v == 0.0 || v == 2.0));
/// assert_eq!(d.forward(&x, None, true).to_vec::<f32>(), vec![1.0; 4]);
/// ```
#[derive(PyTree, Clone, Debug, PartialEq)]
pub struct Dropout {
    /// The probability of dropping an element.
    #[pytree(static)]
    pub p: f64,
    /// The mode [`Module::call`] uses: `true` disables dropout.
    #[pytree(static)]
    pub inference: bool,
}

impl Dropout {
    /// Dropout with probability `p`, in training mode.
    pub fn new(p: f64) -> Self {
        Dropout {
            p,
            inference: false,
        }
    }

    /// The same layer with [`Module::call`]'s mode set (equinox's
    /// `inference=` field, `nn.inference_mode`).
    pub fn with_inference(mut self, inference: bool) -> Self {
        self.inference = inference;
        self
    }

    /// Applies dropout to `x` (any shape). Training (`inference == false`,
    /// `p > 0`) needs a key, else equinox's `RuntimeError`.
    pub fn forward(&self, x: &Array, key: Option<&Key>, inference: bool) -> Array {
        if inference || self.p == 0.0 {
            return x.clone();
        }
        let Some(key) = key else {
            panic!("RuntimeError: Dropout requires a key when running in non-deterministic mode.");
        };
        // Equinox's `1 - lax.stop_gradient(p)` of a Python float is computed
        // in double precision, then taken as a weak scalar.
        let q = jnp::array(1.0 - self.p);
        let mask = random::bernoulli(key, &q, Some(x.shape()));
        // XLA folds equinox's `x / q` (`q` a constant) into `x * (1 / q)`,
        // the reciprocal rounded in x's precision; do the same for its bits.
        let inv = if x.dtype() == DType::F64 {
            1.0 / (1.0 - self.p)
        } else {
            f64::from(1.0f32 / (1.0 - self.p) as f32)
        };
        jnp::r#where(&mask, x * inv, 0)
    }
}

impl Module for Dropout {
    fn call(&self, x: &Array, key: Option<&Key>) -> Array {
        self.forward(x, key, self.inference)
    }
}
