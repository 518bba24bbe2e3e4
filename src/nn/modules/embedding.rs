//! `Embedding` (equinox's `nn.Embedding`): a lookup table.

use super::spec::param_dtype;
use super::Module;
use crate::core::dtype::DType;
use crate::random::{self, Key, KeyLike};
use crate::tree::PyTree;
use crate::Array;

/// A table of `num_embeddings` vectors of `embedding_size`, initialized
/// standard normal (`normal(key, (num_embeddings, embedding_size))`, as
/// equinox does).
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::{nn, random};
/// let emb = nn::Embedding::new(10, 4, &random::key(0));
/// assert_eq!(emb.forward(&jnp::array(3)).shape(), &[4]);
/// assert_eq!(emb.lookup(&jnp::array([1, 2, 3])).shape(), &[3, 4]);
/// ```
#[derive(PyTree, Clone, Debug)]
pub struct Embedding {
    /// `(num_embeddings, embedding_size)`.
    pub weight: Array,
    /// The number of rows.
    #[pytree(static)]
    pub num_embeddings: usize,
    /// The size of each vector.
    #[pytree(static)]
    pub embedding_size: usize,
}

impl Embedding {
    /// A table of the default float dtype.
    pub fn new(num_embeddings: usize, embedding_size: usize, key: &impl KeyLike) -> Self {
        Self::new_dtype(num_embeddings, embedding_size, None, key)
    }

    /// A table of `dtype` (`None`: the default float).
    pub fn new_dtype(
        num_embeddings: usize,
        embedding_size: usize,
        dtype: Option<DType>,
        key: &impl KeyLike,
    ) -> Self {
        let weight =
            random::normal_with(key, &[num_embeddings, embedding_size], param_dtype(dtype));
        Embedding {
            weight,
            num_embeddings,
            embedding_size,
        }
    }

    /// A table with the given `weight` of shape `(num_embeddings, embedding_size)`.
    pub fn from_weight(weight: Array) -> Self {
        if weight.ndim() != 2 {
            panic!("ValueError: weight must have shape (num_embeddings, embedding_size).");
        }
        let (num_embeddings, embedding_size) = (weight.shape()[0], weight.shape()[1]);
        Embedding {
            weight,
            num_embeddings,
            embedding_size,
        }
    }

    /// The row at the scalar integer index `x` (NumPy indexing: negative
    /// indices count from the end): shape `(embedding_size,)`.
    pub fn forward(&self, x: &Array) -> Array {
        if x.ndim() != 0 {
            panic!(
                "ValueError: `eqx.nn.Embedding()(x)` should be called with a scalar index `x`. \
                 Use `jax.vmap` if you would like to index with multiple values."
            );
        }
        self.weight.idx(x)
    }

    /// The rows at every index of an integer array: shape
    /// `(*indices.shape, embedding_size)`, the same as `vmap`ping
    /// [`Embedding::forward`].
    pub fn lookup(&self, indices: &Array) -> Array {
        self.weight.idx(indices)
    }
}

impl Module for Embedding {
    fn call(&self, x: &Array, _key: Option<&Key>) -> Array {
        self.forward(x)
    }
}
