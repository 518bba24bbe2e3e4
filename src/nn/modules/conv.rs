//! Convolutions (equinox's `nn.Conv`, `Conv1d`, `Conv2d`, `Conv3d`) on one
//! example of shape `(in_channels, *spatial)`, via
//! `lax::conv_general_dilated`.

use super::spec::{default_init, param_dtype, LayerPadding, PerDim};
use super::Module;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::lax::{self, ConvOptions, Padding};
use crate::numpy::{self as jnp, PadMode};
use crate::random::{self, Key, KeyLike};
use crate::tree::{PyTree, TreeDef};
use crate::Array;

/// How a convolution pads its input (equinox's `padding_mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PaddingMode {
    /// Zeros: `1234 -> 00123400` (default).
    #[default]
    Zeros,
    /// Mirror without repeating the edge: `1234 -> 32123432`.
    Reflect,
    /// Repeat the edge value: `1234 -> 11123444`.
    Replicate,
    /// Wrap around: `1234 -> 34123412`.
    Circular,
}

/// The options of [`Conv::new_with`] and the fixed-rank constructors
/// (equinox's keyword arguments; defaults: stride 1, padding 0, dilation 1,
/// one group, bias, zero padding, the default float dtype).
#[derive(Clone, Debug)]
pub struct ConvLayerOptions {
    /// The window stride.
    pub stride: PerDim,
    /// Ints, `(low, high)` pairs, or `"VALID"`/`"SAME"`/`"SAME_LOWER"`.
    pub padding: LayerPadding,
    /// The kernel (rhs) dilation.
    pub dilation: PerDim,
    /// Input channel groups; `in_channels` must be divisible by it.
    pub groups: usize,
    /// Whether a bias is added after the convolution.
    pub use_bias: bool,
    /// The values padding adds.
    pub padding_mode: PaddingMode,
    /// Parameter dtype (default: the default float).
    pub dtype: Option<DType>,
}

impl Default for ConvLayerOptions {
    fn default() -> Self {
        ConvLayerOptions {
            stride: PerDim::All(1),
            padding: LayerPadding::All(0),
            dilation: PerDim::All(1),
            groups: 1,
            use_bias: true,
            padding_mode: PaddingMode::Zeros,
            dtype: None,
        }
    }
}

/// An N-dimensional convolution with `weight` of shape
/// `(out_channels, in_channels / groups, *kernel_size)` and `bias` of shape
/// `(out_channels, 1, ..., 1)`, both uniform in `[-lim, lim)` with
/// `lim = 1/sqrt(in_channels / groups * prod(kernel_size))` from
/// `wkey, bkey = split(key, 2)`, as equinox draws them.
#[derive(PyTree, Clone, Debug)]
pub struct Conv {
    /// `(out_channels, in_channels / groups, *kernel_size)`.
    pub weight: Array,
    /// `(out_channels, 1, ..., 1)`, or `None` without bias.
    pub bias: Option<Array>,
    /// The number of spatial dimensions.
    #[pytree(static)]
    pub num_spatial_dims: usize,
    /// The input channels.
    #[pytree(static)]
    pub in_channels: usize,
    /// The output channels.
    #[pytree(static)]
    pub out_channels: usize,
    /// The kernel size per spatial dimension.
    #[pytree(static)]
    pub kernel_size: Vec<usize>,
    /// The stride per spatial dimension.
    #[pytree(static)]
    pub stride: Vec<usize>,
    /// A padding string or explicit `(low, high)` pairs.
    #[pytree(static)]
    pub padding: Padding,
    /// The kernel dilation per spatial dimension.
    #[pytree(static)]
    pub dilation: Vec<usize>,
    /// The number of channel groups.
    #[pytree(static)]
    pub groups: usize,
    /// Whether a bias is added.
    #[pytree(static)]
    pub use_bias: bool,
    /// The values padding adds.
    #[pytree(static)]
    pub padding_mode: PaddingMode,
}

impl Conv {
    /// A convolution with default options (stride 1, no padding, bias).
    pub fn new(
        num_spatial_dims: usize,
        in_channels: usize,
        out_channels: usize,
        kernel_size: impl Into<PerDim>,
        key: &impl KeyLike,
    ) -> Self {
        Self::new_with(
            num_spatial_dims,
            in_channels,
            out_channels,
            kernel_size,
            ConvLayerOptions::default(),
            key,
        )
    }

    /// A convolution with options.
    pub fn new_with(
        num_spatial_dims: usize,
        in_channels: usize,
        out_channels: usize,
        kernel_size: impl Into<PerDim>,
        options: ConvLayerOptions,
        key: &impl KeyLike,
    ) -> Self {
        let n = num_spatial_dims;
        let kernel_size = kernel_size.into().resolve(n);
        let stride = options.stride.resolve(n);
        let dilation = options.dilation.resolve(n);
        let groups = options.groups;
        if groups == 0 || !in_channels.is_multiple_of(groups) {
            panic!(
                "ValueError: `in_channels` (={in_channels}) must be divisible by `groups` (={groups})."
            );
        }
        let dtype = param_dtype(options.dtype);
        let keys = random::split(key, 2);
        let grouped = in_channels / groups;
        let fan_in = grouped * kernel_size.iter().product::<usize>();
        let lim = 1.0 / (fan_in as f64).sqrt();
        let mut wshape = vec![out_channels, grouped];
        wshape.extend(&kernel_size);
        let weight = default_init(&keys.idx(0), &wshape, dtype, lim);
        let mut bshape = vec![out_channels];
        bshape.extend(std::iter::repeat_n(1, n));
        let bias = options
            .use_bias
            .then(|| default_init(&keys.idx(1), &bshape, dtype, lim));
        let padding = match options.padding.pairs(
            n,
            &format!(
                "`padding` must either be a string, an int, or tuple of length {n} containing \
                 ints or tuples of length 2."
            ),
        ) {
            Some(p) => Padding::Explicit(p),
            None => match options.padding {
                LayerPadding::Named(p) => p,
                _ => unreachable!("pairs() returns None only for a padding string"),
            },
        };
        Conv {
            weight,
            bias,
            num_spatial_dims: n,
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            use_bias: options.use_bias,
            padding_mode: options.padding_mode,
        }
    }

    /// Applies the convolution to `x` of shape `(in_channels, *spatial)`;
    /// returns `(out_channels, *new_spatial)`.
    pub fn forward(&self, x: &Array) -> Array {
        let rank = self.num_spatial_dims + 1;
        if x.ndim() != rank {
            panic!(
                "ValueError: Input to `Conv` needs to have rank {rank}, but input has shape {}.",
                fmt_tuple(x.shape())
            );
        }
        let (x, padding) = match self.padding_mode {
            PaddingMode::Zeros => (x.clone(), self.padding.clone()),
            mode => (self.pad_nonzero(x, mode), Padding::Valid),
        };
        let lhs = jnp::expand_dims(&x, 0);
        let y = lax::conv_general_dilated(
            &lhs,
            &self.weight,
            &self.stride,
            padding,
            ConvOptions {
                rhs_dilation: Some(self.dilation.clone()),
                feature_group_count: self.groups,
                ..Default::default()
            },
        );
        let y = jnp::squeeze(&y, 0);
        match &self.bias {
            Some(b) => &y + b,
            None => y,
        }
    }

    /// Pads `x`'s spatial dimensions by the layer's padding with `mode`'s
    /// values (equinox's `_nonzero_pad`).
    fn pad_nonzero(&self, x: &Array, mode: PaddingMode) -> Array {
        let pads = match &self.padding {
            Padding::Explicit(p) => p.clone(),
            p => {
                let window: Vec<usize> = self
                    .kernel_size
                    .iter()
                    .zip(&self.dilation)
                    .map(|(&k, &d)| d * (k - 1) + 1)
                    .collect();
                lax::padtype_to_pads(&x.shape()[1..], &window, &self.stride, p.clone())
            }
        };
        let mut widths = vec![(0usize, 0usize)];
        widths.extend(pads.iter().map(|&(l, h)| {
            assert!(
                l >= 0 && h >= 0,
                "ValueError: padding_mode {mode:?} needs non-negative padding, got ({l}, {h})"
            );
            (l as usize, h as usize)
        }));
        let mode = match mode {
            PaddingMode::Reflect => PadMode::Reflect,
            PaddingMode::Replicate => PadMode::Edge,
            PaddingMode::Circular => PadMode::Wrap,
            PaddingMode::Zeros => unreachable!("zero padding goes to the convolution"),
        };
        jnp::pad(x, &widths, mode)
    }
}

impl Module for Conv {
    fn call(&self, x: &Array, _key: Option<&Key>) -> Array {
        self.forward(x)
    }
}

/// Defines a fixed-rank convolution: a [`Conv`] whose pytree is `Conv`'s
/// (same leaves and key paths), dereferencing to it.
macro_rules! fixed_rank_conv {
    ($(#[$doc:meta])* $name:ident, $n:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name(pub Conv);

        impl $name {
            /// A convolution with default options (stride 1, no padding, bias).
            pub fn new(
                in_channels: usize,
                out_channels: usize,
                kernel_size: impl Into<PerDim>,
                key: &impl KeyLike,
            ) -> Self {
                $name(Conv::new($n, in_channels, out_channels, kernel_size, key))
            }

            /// A convolution with options.
            pub fn new_with(
                in_channels: usize,
                out_channels: usize,
                kernel_size: impl Into<PerDim>,
                options: ConvLayerOptions,
                key: &impl KeyLike,
            ) -> Self {
                $name(Conv::new_with($n, in_channels, out_channels, kernel_size, options, key))
            }

            /// Applies the convolution to one example `(in_channels, *spatial)`.
            pub fn forward(&self, x: &Array) -> Array {
                self.0.forward(x)
            }
        }

        impl std::ops::Deref for $name {
            type Target = Conv;
            fn deref(&self) -> &Conv {
                &self.0
            }
        }

        /// Transparent: the tree of the wrapped [`Conv`].
        impl PyTree for $name {
            fn flatten_into(&self, leaves: &mut Vec<Array>) -> TreeDef {
                self.0.flatten_into(leaves)
            }
            fn unflatten_from(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Self {
                $name(Conv::unflatten_from(def, leaves))
            }
        }

        impl Module for $name {
            fn call(&self, x: &Array, _key: Option<&Key>) -> Array {
                self.0.forward(x)
            }
        }

        impl From<$name> for Conv {
            fn from(c: $name) -> Conv {
                c.0
            }
        }
    };
}

fixed_rank_conv!(
    /// A convolution over one spatial dimension: input `(in_channels, length)`.
    Conv1d,
    1
);
fixed_rank_conv!(
    /// A convolution over two spatial dimensions: input `(in_channels, height, width)`.
    Conv2d,
    2
);
fixed_rank_conv!(
    /// A convolution over three spatial dimensions: input `(in_channels, d, h, w)`.
    Conv3d,
    3
);
