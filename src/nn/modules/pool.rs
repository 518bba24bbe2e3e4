//! Pooling (equinox's `nn.Pool`, `MaxPool1d/2d/3d`, `AvgPool1d/2d/3d`) on
//! one example of shape `(channels, *spatial)`, via
//! `lax::reduce_window_max` / `lax::reduce_window_sum`.

use super::spec::{LayerPadding, PerDim};
use super::Module;
use crate::core::shape::fmt_tuple;
use crate::lax::{self, ReduceWindowOptions};
use crate::random::Key;
use crate::tree::{PyTree, TreeDef};
use crate::Array;

/// The reduction a [`Pool`] applies over each window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PoolKind {
    /// The window's maximum (padding counts as `-inf`).
    Max,
    /// The window's sum divided by the window size (padding counts as 0).
    Avg,
}

/// The options of the pooling constructors (equinox's defaults: stride 1,
/// no padding, floor output size).
#[derive(Clone, Debug)]
pub struct PoolOptions {
    /// The window stride (default 1, as in equinox, not the kernel size).
    pub stride: PerDim,
    /// Ints or `(low, high)` pairs; no padding strings.
    pub padding: LayerPadding,
    /// Round the output size up, adding `stride` padding at the end of a
    /// dimension where the windows do not fit exactly.
    pub use_ceil: bool,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            stride: PerDim::All(1),
            padding: LayerPadding::All(0),
            use_ceil: false,
        }
    }
}

/// N-dimensional pooling over a sliding window. No parameters: every
/// field is static.
#[derive(PyTree, Clone, Debug, PartialEq)]
pub struct Pool {
    /// Max or average.
    #[pytree(static)]
    pub kind: PoolKind,
    /// The number of spatial dimensions.
    #[pytree(static)]
    pub num_spatial_dims: usize,
    /// The window size per spatial dimension.
    #[pytree(static)]
    pub kernel_size: Vec<usize>,
    /// The stride per spatial dimension.
    #[pytree(static)]
    pub stride: Vec<usize>,
    /// `(low, high)` padding per spatial dimension.
    #[pytree(static)]
    pub padding: Vec<(usize, usize)>,
    /// Whether the output size rounds up.
    #[pytree(static)]
    pub use_ceil: bool,
}

impl Pool {
    /// A pooling layer of `kind` over `num_spatial_dims` dimensions.
    pub fn new(
        kind: PoolKind,
        num_spatial_dims: usize,
        kernel_size: impl Into<PerDim>,
        options: PoolOptions,
    ) -> Self {
        let n = num_spatial_dims;
        let kernel_size = kernel_size.into().resolve(n);
        let stride = options.stride.resolve(n);
        let message = format!(
            "`padding` must either be an int or tuple of length {n} containing ints or tuples of \
             length 2."
        );
        let padding = options
            .padding
            .pairs(n, &message)
            .unwrap_or_else(|| panic!("ValueError: {message}"))
            .into_iter()
            .map(|(l, h)| (l as usize, h as usize))
            .collect();
        Pool {
            kind,
            num_spatial_dims: n,
            kernel_size,
            stride,
            padding,
            use_ceil: options.use_ceil,
        }
    }

    /// Pools `x` of shape `(channels, *spatial)`; returns
    /// `(channels, *new_spatial)`.
    pub fn forward(&self, x: &Array) -> Array {
        let n = self.num_spatial_dims;
        if x.ndim() != n + 1 {
            panic!(
                "AssertionError: Input should have {n} spatial dimensions, but input has shape {}",
                fmt_tuple(x.shape())
            );
        }
        let padding = if self.use_ceil {
            self.ceil_padding(&x.shape()[1..])
        } else {
            self.padding.clone()
        };
        for (&(l, h), &k) in padding.iter().zip(&self.kernel_size) {
            if l.max(h) > k {
                panic!(
                    "RuntimeError: Paddings should be less than the size of the kernel. Padding \
                     ({l}, {h}) received for kernel size {k}."
                );
            }
        }
        let window: Vec<usize> = std::iter::once(1)
            .chain(self.kernel_size.iter().copied())
            .collect();
        let strides: Vec<usize> = std::iter::once(1)
            .chain(self.stride.iter().copied())
            .collect();
        let pads: Vec<(i64, i64)> = std::iter::once((0, 0))
            .chain(padding.iter().map(|&(l, h)| (l as i64, h as i64)))
            .collect();
        let options = ReduceWindowOptions::default();
        match self.kind {
            PoolKind::Max => lax::reduce_window_max(x, &window, &strides, pads, options),
            PoolKind::Avg => {
                let s = lax::reduce_window_sum(x, &window, &strides, pads, options);
                let size: usize = self.kernel_size.iter().product();
                &s / (size as i32)
            }
        }
    }

    /// Equinox's `use_ceil` padding: `stride` more at the end of each
    /// dimension whose windows do not fit exactly.
    fn ceil_padding(&self, spatial: &[usize]) -> Vec<(usize, usize)> {
        spatial
            .iter()
            .zip(&self.padding)
            .zip(self.kernel_size.iter().zip(&self.stride))
            .map(|((&d, &(l, h)), (&k, &s))| {
                let span = (d + l + h) as i64 - k as i64;
                if span.rem_euclid(s as i64) == 0 {
                    (l, h)
                } else {
                    (l, h + s)
                }
            })
            .collect()
    }
}

impl Module for Pool {
    fn call(&self, x: &Array, _key: Option<&Key>) -> Array {
        self.forward(x)
    }
}

/// Defines a fixed-kind, fixed-rank pool: a [`Pool`] whose pytree is
/// `Pool`'s, dereferencing to it.
macro_rules! fixed_pool {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $n:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name(pub Pool);

        impl $name {
            /// A pool with stride 1 and no padding (equinox's defaults).
            pub fn new(kernel_size: impl Into<PerDim>) -> Self {
                $name(Pool::new($kind, $n, kernel_size, PoolOptions::default()))
            }

            /// A pool with options.
            pub fn new_with(kernel_size: impl Into<PerDim>, options: PoolOptions) -> Self {
                $name(Pool::new($kind, $n, kernel_size, options))
            }

            /// Pools one example `(channels, *spatial)`.
            pub fn forward(&self, x: &Array) -> Array {
                self.0.forward(x)
            }
        }

        impl std::ops::Deref for $name {
            type Target = Pool;
            fn deref(&self) -> &Pool {
                &self.0
            }
        }

        /// Transparent: the tree of the wrapped [`Pool`].
        impl PyTree for $name {
            fn flatten_into(&self, leaves: &mut Vec<Array>) -> TreeDef {
                self.0.flatten_into(leaves)
            }
            fn unflatten_from(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Self {
                $name(Pool::unflatten_from(def, leaves))
            }
        }

        impl Module for $name {
            fn call(&self, x: &Array, _key: Option<&Key>) -> Array {
                self.0.forward(x)
            }
        }

        impl From<$name> for Pool {
            fn from(p: $name) -> Pool {
                p.0
            }
        }
    };
}

fixed_pool!(
    /// Maximum over windows of one spatial dimension: input `(channels, length)`.
    MaxPool1d, PoolKind::Max, 1
);
fixed_pool!(
    /// Maximum over 2-D windows: input `(channels, height, width)`.
    MaxPool2d, PoolKind::Max, 2
);
fixed_pool!(
    /// Maximum over 3-D windows: input `(channels, d, h, w)`.
    MaxPool3d, PoolKind::Max, 3
);
fixed_pool!(
    /// Average over windows of one spatial dimension: input `(channels, length)`.
    AvgPool1d, PoolKind::Avg, 1
);
fixed_pool!(
    /// Average over 2-D windows (padding counts as zeros): input `(channels, height, width)`.
    AvgPool2d, PoolKind::Avg, 2
);
fixed_pool!(
    /// Average over 3-D windows: input `(channels, d, h, w)`.
    AvgPool3d, PoolKind::Avg, 3
);
