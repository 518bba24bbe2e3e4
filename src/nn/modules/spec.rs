//! Size and padding arguments shared by the convolution and pooling
//! modules (equinox's `int | Sequence[int]` and padding forms), and the
//! default parameter initializer.

use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::lax::{self, Padding};
use crate::numpy::promote::default_float;
use crate::random::{self, KeyLike};
use crate::Array;

/// One size for every spatial dimension, or one per dimension (equinox's
/// `int | Sequence[int]` for `kernel_size`, `stride`, `dilation`).
///
/// Converts from `usize`, `[usize; N]`, `Vec<usize>` and `&[usize]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PerDim {
    /// The same value for every spatial dimension.
    All(usize),
    /// One value per spatial dimension.
    Each(Vec<usize>),
}

impl PerDim {
    /// The value per dimension for `n` spatial dimensions; a list of the
    /// wrong length is equinox's `ValueError`.
    pub fn resolve(&self, n: usize) -> Vec<usize> {
        match self {
            PerDim::All(v) => vec![*v; n],
            PerDim::Each(v) if v.len() == n => v.clone(),
            PerDim::Each(v) => panic!(
                "ValueError: Length of {} (length = {}) is not equal to {n}",
                fmt_tuple(v),
                v.len()
            ),
        }
    }
}

impl From<usize> for PerDim {
    fn from(v: usize) -> Self {
        PerDim::All(v)
    }
}

impl<const N: usize> From<[usize; N]> for PerDim {
    fn from(v: [usize; N]) -> Self {
        PerDim::Each(v.to_vec())
    }
}

impl From<Vec<usize>> for PerDim {
    fn from(v: Vec<usize>) -> Self {
        PerDim::Each(v)
    }
}

impl From<&[usize]> for PerDim {
    fn from(v: &[usize]) -> Self {
        PerDim::Each(v.to_vec())
    }
}

/// A layer's padding argument: an int for every side, one int per
/// dimension (both sides), `(low, high)` pairs, or one of the strings
/// `"VALID"`, `"SAME"`, `"SAME_LOWER"` (convolutions only).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LayerPadding {
    /// The same padding on both sides of every spatial dimension.
    All(usize),
    /// Per dimension, the same on both sides.
    Each(Vec<usize>),
    /// `(low, high)` per dimension.
    Pairs(Vec<(usize, usize)>),
    /// A padding string, as `lax.conv_general_dilated` takes it.
    Named(Padding),
}

impl LayerPadding {
    /// Explicit `(low, high)` pairs for `n` dimensions, or `None` for a
    /// padding string; a list of the wrong length panics with `message`.
    pub(crate) fn pairs(&self, n: usize, message: &str) -> Option<Vec<(i64, i64)>> {
        let pairs: Vec<(i64, i64)> = match self {
            LayerPadding::All(p) => vec![(*p as i64, *p as i64); n],
            LayerPadding::Each(v) if v.len() == n => {
                v.iter().map(|&p| (p as i64, p as i64)).collect()
            }
            LayerPadding::Pairs(v) if v.len() == n => {
                v.iter().map(|&(l, h)| (l as i64, h as i64)).collect()
            }
            LayerPadding::Named(_) => return None,
            _ => panic!("ValueError: {message}"),
        };
        Some(pairs)
    }
}

impl From<usize> for LayerPadding {
    fn from(p: usize) -> Self {
        LayerPadding::All(p)
    }
}

impl<const N: usize> From<[usize; N]> for LayerPadding {
    fn from(p: [usize; N]) -> Self {
        LayerPadding::Each(p.to_vec())
    }
}

impl From<Vec<usize>> for LayerPadding {
    fn from(p: Vec<usize>) -> Self {
        LayerPadding::Each(p)
    }
}

impl<const N: usize> From<[(usize, usize); N]> for LayerPadding {
    fn from(p: [(usize, usize); N]) -> Self {
        LayerPadding::Pairs(p.to_vec())
    }
}

impl From<Vec<(usize, usize)>> for LayerPadding {
    fn from(p: Vec<(usize, usize)>) -> Self {
        LayerPadding::Pairs(p)
    }
}

impl From<&str> for LayerPadding {
    /// `"VALID"`, `"SAME"` or `"SAME_LOWER"` (any case); anything else is
    /// equinox's `ValueError`.
    fn from(s: &str) -> Self {
        match s.to_ascii_uppercase().as_str() {
            "VALID" => LayerPadding::Named(Padding::Valid),
            "SAME" => LayerPadding::Named(Padding::Same),
            "SAME_LOWER" => LayerPadding::Named(Padding::SameLower),
            _ => panic!(
                "ValueError: `padding` string must be `'SAME'`, `'SAME_LOWER'`, or `'VALID'`."
            ),
        }
    }
}

impl From<Padding> for LayerPadding {
    fn from(p: Padding) -> Self {
        LayerPadding::Named(p)
    }
}

/// The parameter dtype: `dtype`, or the default float (float32, float64
/// with x64), as equinox's `default_floating_dtype()`.
pub(crate) fn param_dtype(dtype: Option<DType>) -> DType {
    dtype.unwrap_or_else(default_float)
}

/// Equinox's `default_init`: uniform in `[-lim, lim)`; a complex dtype
/// draws its real and imaginary parts from `split(key, 2)`.
pub(crate) fn default_init(key: &impl KeyLike, shape: &[usize], dtype: DType, lim: f64) -> Array {
    if dtype.is_complex() {
        let real = dtype.real_dtype();
        let keys = random::split(key, 2);
        let re = random::uniform_with(&keys.idx(0), shape, real, -lim, lim);
        let im = random::uniform_with(&keys.idx(1), shape, real, -lim, lim);
        lax::complex(&re, &im)
    } else {
        random::uniform_with(key, shape, dtype, -lim, lim)
    }
}
