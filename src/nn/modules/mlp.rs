//! `MLP` (equinox's `nn.MLP`): a stack of `Linear` layers.

use super::{Activation, ActivationFn, Linear, Module};
use crate::core::dtype::DType;
use crate::random::{self, Key, KeyLike};
use crate::tree::PyTree;
use crate::Array;

/// The options of [`MLP::new_with`] (equinox's keyword arguments).
#[derive(Clone, Debug)]
pub struct MlpOptions {
    /// Bias on the input and hidden layers (default `true`).
    pub use_bias: bool,
    /// Bias on the output layer (default `true`).
    pub use_final_bias: bool,
    /// Parameter dtype (default: the default float).
    pub dtype: Option<DType>,
}

impl Default for MlpOptions {
    fn default() -> Self {
        MlpOptions {
            use_bias: true,
            use_final_bias: true,
            dtype: None,
        }
    }
}

/// A multi-layer perceptron: `depth` hidden layers of `width_size`, each
/// followed by `activation`, then an output layer and `final_activation`.
///
/// `depth == 0` is one `Linear(in_size, out_size)`. The layers are keyed
/// by `split(key, depth + 1)` as in equinox, and flatten as `.layers[i]`.
#[derive(PyTree, Clone, Debug)]
pub struct MLP {
    /// The `depth + 1` linear layers.
    pub layers: Vec<Linear>,
    /// Applied after every hidden layer.
    #[pytree(static)]
    pub activation: Activation,
    /// Applied after the output layer.
    #[pytree(static)]
    pub final_activation: Activation,
    /// Whether the input and hidden layers have a bias.
    #[pytree(static)]
    pub use_bias: bool,
    /// Whether the output layer has a bias.
    #[pytree(static)]
    pub use_final_bias: bool,
    /// The input size.
    #[pytree(static)]
    pub in_size: usize,
    /// The output size.
    #[pytree(static)]
    pub out_size: usize,
    /// The width of the hidden layers.
    #[pytree(static)]
    pub width_size: usize,
    /// The number of hidden layers.
    #[pytree(static)]
    pub depth: usize,
}

impl MLP {
    /// An MLP with biases everywhere and parameters of the default float dtype.
    pub fn new(
        in_size: usize,
        out_size: usize,
        width_size: usize,
        depth: usize,
        activation: ActivationFn,
        final_activation: ActivationFn,
        key: &impl KeyLike,
    ) -> Self {
        Self::new_with(
            in_size,
            out_size,
            width_size,
            depth,
            activation,
            final_activation,
            MlpOptions::default(),
            key,
        )
    }

    /// An MLP with options.
    #[allow(clippy::too_many_arguments)]
    pub fn new_with(
        in_size: usize,
        out_size: usize,
        width_size: usize,
        depth: usize,
        activation: ActivationFn,
        final_activation: ActivationFn,
        options: MlpOptions,
        key: &impl KeyLike,
    ) -> Self {
        let MlpOptions {
            use_bias,
            use_final_bias,
            dtype,
        } = options;
        let keys = random::split(key, depth + 1);
        let layers =
            if depth == 0 {
                vec![Linear::new_dtype(
                    in_size,
                    out_size,
                    use_final_bias,
                    dtype,
                    &keys.idx(0),
                )]
            } else {
                let mut layers = vec![Linear::new_dtype(
                    in_size,
                    width_size,
                    use_bias,
                    dtype,
                    &keys.idx(0),
                )];
                layers.extend((1..depth).map(|i| {
                    Linear::new_dtype(width_size, width_size, use_bias, dtype, &keys.idx(i))
                }));
                layers.push(Linear::new_dtype(
                    width_size,
                    out_size,
                    use_final_bias,
                    dtype,
                    &keys.idx(depth),
                ));
                layers
            };
        MLP {
            layers,
            activation: Activation(activation),
            final_activation: Activation(final_activation),
            use_bias,
            use_final_bias,
            in_size,
            out_size,
            width_size,
            depth,
        }
    }

    /// Applies the network to `x` of shape `(in_size,)`.
    pub fn forward(&self, x: &Array) -> Array {
        let (last, hidden) = self
            .layers
            .split_last()
            .expect("MLP has at least one layer");
        let mut h = x.clone();
        for layer in hidden {
            h = self.activation.call(&layer.forward(&h));
        }
        self.final_activation.call(&last.forward(&h))
    }
}

impl Module for MLP {
    fn call(&self, x: &Array, _key: Option<&Key>) -> Array {
        self.forward(x)
    }
}
