//! The convolution API: `conv_general_dilated` and its convenience wrappers
//! `conv`, `conv_with_general_padding` and `conv_transpose`.

use super::dimension_numbers::{conv_dimension_numbers, ConvDimensionNumbers};
use super::primitive::{dilate_dim, ConvGeneralDilated};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::lax::padding::{padtype_to_pads, Padding};
use crate::lax::{rev, transpose};

/// Optional arguments of [`conv_general_dilated`] (JAX's keyword arguments).
/// A group count of 0 means the default, 1.
#[derive(Clone, Debug, Default)]
pub struct ConvOptions {
    /// Input dilation per spatial dimension (default all 1); with string
    /// padding it must be all 1 (use [`conv_transpose`]).
    pub lhs_dilation: Option<Vec<usize>>,
    /// Kernel dilation per spatial dimension (default all 1).
    pub rhs_dilation: Option<Vec<usize>>,
    /// Axis layout; `None` is `NCHW`/`OIHW`/`NCHW` style for any rank.
    pub dimension_numbers: Option<ConvDimensionNumbers>,
    /// Feature groups (depthwise convolution: the number of input features).
    pub feature_group_count: usize,
    /// Batch groups.
    pub batch_group_count: usize,
    /// Output (and accumulation) dtype; `None` keeps the operands' dtype.
    pub preferred_element_type: Option<DType>,
}

impl ConvOptions {
    /// These options with `dimension_numbers` set, e.g. `("NHWC", "HWIO", "NHWC")`.
    pub fn with_dimension_numbers(mut self, dn: impl Into<ConvDimensionNumbers>) -> Self {
        self.dimension_numbers = Some(dn.into());
        self
    }
}

/// `lax.conv_general_dilated`: an n-d convolution of `lhs` (input) with
/// `rhs` (kernel), with `window_strides` per spatial dimension and
/// `padding` (`"SAME"`, `"SAME_LOWER"`, `"VALID"` or `(low, high)` pairs;
/// string padding uses the dilated kernel size, as JAX does).
///
/// ```
/// use jaxide::lax::{self, ConvOptions};
/// use jaxide::numpy as jnp;
/// let x = jnp::ones([1, 5, 5, 2]); // NHWC
/// let w = jnp::ones([3, 3, 2, 4]); // HWIO
/// let opts = ConvOptions::default().with_dimension_numbers(("NHWC", "HWIO", "NHWC"));
/// let y = lax::conv_general_dilated(&x, &w, &[1, 1], "SAME", opts);
/// assert_eq!(y.shape(), &[1, 5, 5, 4]);
/// ```
pub fn conv_general_dilated(
    lhs: &Array,
    rhs: &Array,
    window_strides: &[usize],
    padding: impl Into<Padding>,
    options: ConvOptions,
) -> Array {
    let dn = conv_dimension_numbers(lhs.shape(), rhs.shape(), options.dimension_numbers);
    let nsp = lhs.ndim().saturating_sub(2);
    let lhs_dilation = options.lhs_dilation.unwrap_or_else(|| vec![1; nsp]);
    let rhs_dilation = options.rhs_dilation.unwrap_or_else(|| vec![1; nsp]);
    let padding = match padding.into() {
        Padding::Explicit(p) => p,
        named => {
            if lhs_dilation.iter().any(|&d| d != 1) {
                panic!(
                    "ValueError: String padding is not implemented for transposed convolution \
                     using this op. Please either exactly specify the required padding or use \
                     conv_transpose."
                );
            }
            if window_strides.len() != nsp || rhs_dilation.len() != nsp {
                panic!(
                    "ValueError: conv_general_dilated window and window_strides must have the \
                     same number of dimensions, but got {nsp} and {}",
                    window_strides.len()
                );
            }
            let in_sp: Vec<usize> = dn.lhs_spec[2..].iter().map(|&a| lhs.shape()[a]).collect();
            let window: Vec<usize> = (0..nsp)
                .map(|i| {
                    let k = rhs.shape()[dn.rhs_spec[2 + i]] as i64;
                    dilate_dim(k, rhs_dilation[i] as i64) as usize
                })
                .collect();
            padtype_to_pads(&in_sp, &window, window_strides, named)
        }
    };
    ConvGeneralDilated {
        window_strides: window_strides.to_vec(),
        padding,
        lhs_dilation,
        rhs_dilation,
        dimension_numbers: dn,
        feature_group_count: options.feature_group_count.max(1),
        batch_group_count: options.batch_group_count.max(1),
        preferred_element_type: options.preferred_element_type,
    }
    .apply(lhs, rhs)
}

/// `lax.conv`: [`conv_general_dilated`] with default dimension numbers
/// (`NCHW`/`OIHW`/`NCHW` style) and no dilation.
pub fn conv(
    lhs: &Array,
    rhs: &Array,
    window_strides: &[usize],
    padding: impl Into<Padding>,
) -> Array {
    conv_general_dilated(lhs, rhs, window_strides, padding, ConvOptions::default())
}

/// `lax.conv_with_general_padding`: [`conv`] with input and kernel dilation.
pub fn conv_with_general_padding(
    lhs: &Array,
    rhs: &Array,
    window_strides: &[usize],
    padding: impl Into<Padding>,
    lhs_dilation: Option<&[usize]>,
    rhs_dilation: Option<&[usize]>,
) -> Array {
    let options = ConvOptions {
        lhs_dilation: lhs_dilation.map(<[usize]>::to_vec),
        rhs_dilation: rhs_dilation.map(<[usize]>::to_vec),
        ..Default::default()
    };
    conv_general_dilated(lhs, rhs, window_strides, padding, options)
}

/// Optional arguments of [`conv_transpose`].
#[derive(Clone, Debug, Default)]
pub struct ConvTransposeOptions {
    /// Kernel dilation per spatial dimension (default all 1).
    pub rhs_dilation: Option<Vec<usize>>,
    /// Axis layout; `None` is TensorFlow's (`NHWC`/`HWIO`/`NHWC` style).
    pub dimension_numbers: Option<ConvDimensionNumbers>,
    /// Flip the kernel in space and swap its feature axes, so the result is
    /// the gradient of a forward convolution with the same kernel (Keras's
    /// `Conv2DTranspose`).
    pub transpose_kernel: bool,
    /// Output (and accumulation) dtype; `None` keeps the operands' dtype.
    pub preferred_element_type: Option<DType>,
    /// Read explicit padding as the forward convolution's (PyTorch's
    /// convention), as string padding always is.
    pub use_consistent_padding: bool,
}

/// `_conv_transpose_padding`: the padding of the transposed convolution of
/// one dimension with (dilated) kernel size `k` and stride `s`, given the
/// forward convolution's padding.
pub(super) fn transpose_padding(k: i64, s: i64, padding: &Padding, dim: usize) -> (i64, i64) {
    let (pad_a, pad_len) = match padding {
        Padding::Same => {
            let len = k + s - 2;
            (
                if s > k - 1 {
                    k - 1
                } else {
                    (len + 1).div_euclid(2)
                },
                len,
            )
        }
        Padding::Valid => (k - 1, k + s - 2 + (k - s).max(0)),
        Padding::Explicit(p) => {
            let (a, b) = (k - p[dim].0 - 1, k - p[dim].1 - 1);
            (a, a + b)
        }
        Padding::SameLower => panic!("ValueError: Invalid padding mode: SAME_LOWER"),
    };
    (pad_a, pad_len - pad_a)
}

/// `lax.conv_transpose`: a fractionally strided convolution (the input is
/// dilated by `strides`), with Keras's output-size conventions for `"SAME"`
/// and `"VALID"`. By default the kernel is not flipped (set
/// `transpose_kernel` for the gradient-of-conv form).
pub fn conv_transpose(
    lhs: &Array,
    rhs: &Array,
    strides: &[usize],
    padding: impl Into<Padding>,
    options: ConvTransposeOptions,
) -> Array {
    let nd = lhs.ndim();
    assert!(
        nd == rhs.ndim() && nd >= 2,
        "TypeError: conv_transpose requires lhs and rhs of equal rank at least 2, got shapes {:?} \
         and {:?}.",
        lhs.shape(),
        rhs.shape()
    );
    let dn = options.dimension_numbers.unwrap_or_else(|| {
        let s = match nd {
            2 => ("NC", "IO", "NC"),
            3 => ("NHC", "HIO", "NHC"),
            4 => ("NHWC", "HWIO", "NHWC"),
            5 => ("NHWDC", "HWDIO", "NHWDC"),
            _ => panic!("ValueError: No 4+ dimensional dimension_number defaults."),
        };
        s.into()
    });
    let dn = conv_dimension_numbers(lhs.shape(), rhs.shape(), Some(dn));
    let nsp = nd - 2;
    let rhs_dilation = options.rhs_dilation.unwrap_or_else(|| vec![1; nsp]);
    let padding = padding.into();
    let consistent = options.use_consistent_padding && matches!(padding, Padding::Explicit(_));
    let pads = if consistent || matches!(padding, Padding::Same | Padding::Valid) {
        assert!(
            strides.len() == nsp && rhs_dilation.len() == nsp,
            "ValueError: conv_transpose needs one stride and one rhs dilation per spatial \
             dimension ({nsp}), got {} and {}.",
            strides.len(),
            rhs_dilation.len()
        );
        Padding::Explicit(
            (0..nsp)
                .map(|i| {
                    let k = rhs.shape()[dn.rhs_spec[2 + i]] as i64;
                    let k = dilate_dim(k, rhs_dilation[i] as i64);
                    transpose_padding(k, strides[i] as i64, &padding, i)
                })
                .collect(),
        )
    } else {
        padding
    };
    let rhs = if options.transpose_kernel {
        let flipped = rev(rhs, &dn.rhs_spec[2..]);
        let mut perm: Vec<usize> = (0..nd).collect();
        perm.swap(dn.rhs_spec[0], dn.rhs_spec[1]);
        transpose(&flipped, &perm)
    } else {
        rhs.clone()
    };
    let options = ConvOptions {
        lhs_dilation: Some(strides.to_vec()),
        rhs_dilation: Some(rhs_dilation),
        dimension_numbers: Some(dn),
        preferred_element_type: options.preferred_element_type,
        ..Default::default()
    };
    conv_general_dilated(lhs, &rhs, &vec![1; nsp], pads, options)
}
