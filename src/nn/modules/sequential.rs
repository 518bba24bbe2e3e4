//! `Sequential` (equinox's `nn.Sequential`), its [`Layer`] enum, and the
//! small layers that make activations and reshapes composable
//! ([`Lambda`], [`Reshape`]).

use super::{
    Activation, ActivationFn, AvgPool1d, AvgPool2d, AvgPool3d, Conv, Conv1d, Conv2d, Conv3d,
    Dropout, Embedding, Identity, LayerNorm, Linear, MaxPool1d, MaxPool2d, MaxPool3d, Module, Pool,
    MLP,
};
use crate::numpy as jnp;
use crate::random::{self, Key};
use crate::tree::{PyTree, TreeDef};
use crate::Array;

/// Wraps a function (an activation) as a layer (equinox's `nn.Lambda`).
#[derive(PyTree, Clone, Debug)]
pub struct Lambda {
    /// The function applied.
    #[pytree(static)]
    pub f: Activation,
}

impl Lambda {
    /// A layer applying `f`, e.g. `Lambda::new(|x| nn::relu(x))`.
    pub fn new(f: ActivationFn) -> Self {
        Lambda { f: Activation(f) }
    }
}

impl Module for Lambda {
    fn call(&self, x: &Array, _key: Option<&Key>) -> Array {
        self.f.call(x)
    }
}

/// Reshapes one example (`-1` infers a dimension); `Reshape::new(&[-1])`
/// flattens, e.g. between convolutions and a `Linear`.
#[derive(PyTree, Clone, Debug, PartialEq)]
pub struct Reshape {
    /// The new shape.
    #[pytree(static)]
    pub shape: Vec<isize>,
}

impl Reshape {
    /// A layer reshaping its input to `shape`.
    pub fn new(shape: &[isize]) -> Self {
        Reshape {
            shape: shape.to_vec(),
        }
    }
}

impl Module for Reshape {
    fn call(&self, x: &Array, _key: Option<&Key>) -> Array {
        jnp::reshape(x, &self.shape)
    }
}

/// One layer of a [`Sequential`]: any stateless module here.
///
/// Its pytree is the wrapped module's own (transparent), so a
/// `Sequential`'s parameters have equinox's key paths, e.g.
/// `.layers[0].weight`. Build one with `.into()` from a module.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Layer {
    /// A [`Linear`].
    Linear(Linear),
    /// An [`MLP`].
    MLP(MLP),
    /// A [`Conv`] (also from `Conv1d`/`Conv2d`/`Conv3d`).
    Conv(Conv),
    /// A [`Pool`] (also from the `MaxPool*`/`AvgPool*` layers).
    Pool(Pool),
    /// A [`LayerNorm`].
    LayerNorm(LayerNorm),
    /// A [`Dropout`] (uses the layer's key and its `inference` flag).
    Dropout(Dropout),
    /// An [`Embedding`].
    Embedding(Embedding),
    /// A [`Lambda`] (an activation).
    Lambda(Lambda),
    /// A [`Reshape`].
    Reshape(Reshape),
    /// The [`Identity`].
    Identity(Identity),
    /// A nested [`Sequential`].
    Sequential(Sequential),
}

/// Runs `$body` with `$m` bound to the wrapped module.
macro_rules! each_layer {
    ($layer:expr, $m:ident => $body:expr) => {
        match $layer {
            Layer::Linear($m) => $body,
            Layer::MLP($m) => $body,
            Layer::Conv($m) => $body,
            Layer::Pool($m) => $body,
            Layer::LayerNorm($m) => $body,
            Layer::Dropout($m) => $body,
            Layer::Embedding($m) => $body,
            Layer::Lambda($m) => $body,
            Layer::Reshape($m) => $body,
            Layer::Identity($m) => $body,
            Layer::Sequential($m) => $body,
        }
    };
}

impl Layer {
    /// A [`Lambda`] layer applying `f`.
    pub fn lambda(f: ActivationFn) -> Layer {
        Layer::Lambda(Lambda::new(f))
    }
}

impl Module for Layer {
    fn call(&self, x: &Array, key: Option<&Key>) -> Array {
        each_layer!(self, m => m.call(x, key))
    }
}

/// Transparent: a layer flattens as its module; unflattening picks the
/// variant from the node's type.
impl PyTree for Layer {
    fn flatten_into(&self, leaves: &mut Vec<Array>) -> TreeDef {
        each_layer!(self, m => m.flatten_into(leaves))
    }

    fn unflatten_from(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        macro_rules! pick {
            ($($variant:ident($ty:ty)),*) => {
                $(if def.is_custom::<$ty>() {
                    return Layer::$variant(<$ty>::unflatten_from(def, leaves));
                })*
            };
        }
        pick!(
            Linear(Linear),
            MLP(MLP),
            Conv(Conv),
            Pool(Pool),
            LayerNorm(LayerNorm),
            Dropout(Dropout),
            Embedding(Embedding),
            Lambda(Lambda),
            Reshape(Reshape),
            Identity(Identity),
            Sequential(Sequential)
        );
        panic!("cannot unflatten {def} into `Layer`: not a layer's tree")
    }
}

macro_rules! layer_from {
    ($($ty:ty => $variant:ident),* $(,)?) => {$(
        impl From<$ty> for Layer {
            fn from(m: $ty) -> Layer {
                Layer::$variant(m.into())
            }
        }
    )*};
}

layer_from!(
    Linear => Linear, MLP => MLP, Conv => Conv, Conv1d => Conv, Conv2d => Conv, Conv3d => Conv,
    Pool => Pool, MaxPool1d => Pool, MaxPool2d => Pool, MaxPool3d => Pool, AvgPool1d => Pool,
    AvgPool2d => Pool, AvgPool3d => Pool, LayerNorm => LayerNorm, Dropout => Dropout,
    Embedding => Embedding, Lambda => Lambda, Reshape => Reshape, Identity => Identity,
    Sequential => Sequential,
);

/// Layers applied in order (equinox's `nn.Sequential`). A key given to
/// the call is split into one subkey per layer, as equinox does.
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::{nn, random};
/// let keys = random::split(&random::key(0), 2);
/// let model = nn::Sequential::new(vec![
///     nn::Linear::new(4, 8, true, &keys.idx(0)).into(),
///     nn::Layer::lambda(|x| nn::relu(x)),
///     nn::Dropout::new(0.1).into(),
///     nn::Linear::new(8, 2, true, &keys.idx(1)).into(),
/// ]);
/// let y = model.forward(&jnp::ones([4]), Some(&random::key(1)));
/// assert_eq!(y.shape(), &[2]);
/// ```
#[derive(PyTree, Clone, Debug)]
pub struct Sequential {
    /// The layers, first applied first.
    pub layers: Vec<Layer>,
}

impl Sequential {
    /// A sequence of layers.
    pub fn new(layers: Vec<Layer>) -> Self {
        Sequential { layers }
    }

    /// Applies the layers in order to one example; `key`, if given, is
    /// split into one subkey per layer.
    pub fn forward(&self, x: &Array, key: Option<&Key>) -> Array {
        let keys = key.map(|k| random::split(k, self.layers.len()));
        let mut h = x.clone();
        for (i, layer) in self.layers.iter().enumerate() {
            let k = keys.as_ref().map(|ks| ks.idx(i));
            h = layer.call(&h, k.as_ref());
        }
        h
    }

    /// The number of layers.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether there are no layers.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The layers in `range` as a new `Sequential` (equinox's slicing).
    pub fn slice(&self, range: std::ops::Range<usize>) -> Sequential {
        Sequential::new(self.layers[range].to_vec())
    }
}

impl Module for Sequential {
    fn call(&self, x: &Array, key: Option<&Key>) -> Array {
        self.forward(x, key)
    }
}
