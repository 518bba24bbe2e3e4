//! The `conv_general_dilated` primitive: its parameters and all its rules
//! (the transpose and batching rules' helpers are in `ad.rs` and `batching.rs`).

use super::ad::{transpose_lhs, transpose_rhs};
use super::dimension_numbers::ConvDimensionNumbers;
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::conv;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::shape::{fmt_tuple, Shape};
use crate::core::trace::bind1;
use crate::lax::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::batching::BatchResult;
use crate::lax::{Avals, Buffers, FusionClass, Primitive, PrimitiveRules};
use smallvec::smallvec;

/// `lax.conv_general_dilated_p`: an n-d convolution with strides, explicit
/// padding, input (lhs) and kernel (rhs) dilation, feature and batch groups.
/// Build it with [`crate::lax::conv_general_dilated`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConvGeneralDilated {
    /// Stride of the window per spatial dimension.
    pub window_strides: Vec<usize>,
    /// `(low, high)` padding per spatial dimension (may be negative).
    pub padding: Vec<(i64, i64)>,
    /// Input dilation per spatial dimension (transposed convolution).
    pub lhs_dilation: Vec<usize>,
    /// Kernel dilation per spatial dimension (atrous convolution).
    pub rhs_dilation: Vec<usize>,
    /// Which axes are batch, feature and spatial.
    pub dimension_numbers: ConvDimensionNumbers,
    /// Feature groups (1 = ordinary convolution).
    pub feature_group_count: usize,
    /// Batch groups (1 = ordinary convolution).
    pub batch_group_count: usize,
    /// Output dtype, if different from the operands'.
    pub preferred_element_type: Option<DType>,
}

fn pads_str(p: &[(i64, i64)]) -> String {
    match p {
        [] => "()".into(),
        [(a, b)] => format!("(({a}, {b}),)"),
        _ => format!(
            "({})",
            p.iter()
                .map(|(a, b)| format!("({a}, {b})"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `core.dilate_dim`: the size of `d` elements with `r - 1` holes between each.
pub(crate) fn dilate_dim(d: i64, r: i64) -> i64 {
    if d == 0 {
        0
    } else {
        1 + r * (d - 1)
    }
}

/// Python's floor division (the output size formula floors negative values).
fn floor_div(a: i64, b: i64) -> i64 {
    let q = a / b;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

impl ConvGeneralDilated {
    /// Number of spatial dimensions.
    fn nsp(&self) -> usize {
        self.dimension_numbers.spatial_dims()
    }

    /// JAX's shape rule (`_conv_general_dilated_shape_rule`), with its messages.
    fn out_shape(&self, lhs: &[usize], rhs: &[usize]) -> Vec<usize> {
        let dn = &self.dimension_numbers;
        if lhs.len() != rhs.len() {
            panic!(
                "ValueError: conv_general_dilated lhs and rhs must have the same number of \
                 dimensions, but got {} and {}.",
                fmt_tuple(lhs),
                fmt_tuple(rhs)
            );
        }
        if lhs.len() < 2 {
            panic!(
                "TypeError: conv_general_dilated requires operands of rank at least 2 (batch \
                 and feature dimensions), got shapes {} and {}.",
                fmt_tuple(lhs),
                fmt_tuple(rhs)
            );
        }
        for (i, spec) in [&dn.lhs_spec, &dn.rhs_spec, &dn.out_spec]
            .iter()
            .enumerate()
        {
            let mut s = spec.to_vec();
            s.sort_unstable();
            if s != (0..lhs.len()).collect::<Vec<_>>() {
                panic!(
                    "TypeError: convolution dimension_numbers[{i}] must be a permutation of the \
                     {} axes of lhs and rhs, got {} for shapes {} and {}.",
                    lhs.len(),
                    fmt_tuple(spec),
                    fmt_tuple(lhs),
                    fmt_tuple(rhs)
                );
            }
        }
        let (fgc, bgc) = (self.feature_group_count, self.batch_group_count);
        if fgc == 0 {
            panic!(
                "ValueError: conv_general_dilated feature_group_count must be a positive \
                 integer, got 0."
            );
        }
        let lhs_features = lhs[dn.lhs_spec[1]];
        let rhs_in = rhs[dn.rhs_spec[1]];
        let rhs_out = rhs[dn.rhs_spec[0]];
        if !lhs_features.is_multiple_of(fgc) {
            panic!(
                "ValueError: conv_general_dilated feature_group_count must divide lhs feature \
                 dimension size, but {fgc} does not divide {lhs_features}."
            );
        }
        if lhs_features / fgc != rhs_in {
            panic!(
                "ValueError: conv_general_dilated lhs feature dimension size divided by \
                 feature_group_count must equal the rhs input feature dimension size, but \
                 {lhs_features} // {fgc} != {rhs_in}."
            );
        }
        if !rhs_out.is_multiple_of(fgc) {
            panic!(
                "ValueError: conv_general_dilated rhs output feature dimension size must be a \
                 multiple of feature_group_count, but {rhs_out} is not a multiple of {fgc}."
            );
        }
        if bgc == 0 {
            panic!(
                "ValueError: conv_general_dilated batch_group_count must be a positive integer, \
                 got 0."
            );
        }
        let lhs_batch = lhs[dn.lhs_spec[0]];
        if bgc > 1 && !lhs_batch.is_multiple_of(bgc) {
            panic!(
                "ValueError: conv_general_dilated batch_group_count must divide lhs batch \
                 dimension size, but {bgc} does not divide {lhs_batch}."
            );
        }
        if !rhs_out.is_multiple_of(bgc) {
            panic!(
                "ValueError: conv_general_dilated rhs output feature dimension size must be a \
                 multiple of batch_group_count, but {rhs_out} is not a multiple of {bgc}."
            );
        }
        if bgc > 1 && fgc > 1 {
            panic!(
                "ValueError: At most one of batch_group_count and feature_group_count may be > \
                 1, got batch_group_count={bgc} and feature_group_count={fgc}"
            );
        }
        let nsp = lhs.len() - 2;
        if self.window_strides.len() != nsp {
            panic!(
                "ValueError: conv_general_dilated window and window_strides must have the same \
                 number of dimensions, but got {nsp} and {}",
                self.window_strides.len()
            );
        }
        if self.window_strides.contains(&0) {
            panic!(
                "ValueError: conv_general_dilated window_strides must be positive, got {}.",
                fmt_tuple(&self.window_strides)
            );
        }
        for dil in [&self.lhs_dilation, &self.rhs_dilation] {
            if dil.contains(&0) {
                panic!(
                    "TypeError: All dilations must be positive, got {}.",
                    fmt_tuple(dil)
                );
            }
            if dil.len() != nsp {
                panic!(
                    "ValueError: conv_general_dilated dilations must have one entry per spatial \
                     dimension ({nsp}), got {}.",
                    fmt_tuple(dil)
                );
            }
        }
        if self.padding.len() != nsp {
            panic!(
                "TypeError: Wrong number of explicit pads for convolution: expected {nsp}, got {}.",
                self.padding.len()
            );
        }
        let in_sp: Vec<usize> = (0..nsp).map(|i| lhs[dn.lhs_spec[2 + i]]).collect();
        let padded: Vec<i64> = (0..nsp)
            .map(|i| {
                dilate_dim(in_sp[i] as i64, self.lhs_dilation[i] as i64)
                    + self.padding[i].0
                    + self.padding[i].1
            })
            .collect();
        if padded.iter().any(|&p| p < 0) {
            panic!(
                "ValueError: Negative padding is larger than the size of the corresponding \
                 dimension: got padding={} for lhs_shape[2:]={}",
                pads_str(&self.padding),
                fmt_tuple(&in_sp)
            );
        }
        let mut out_canon = vec![if bgc > 1 { lhs_batch / bgc } else { lhs_batch }, rhs_out];
        for i in 0..nsp {
            let window = dilate_dim(rhs[dn.rhs_spec[2 + i]] as i64, self.rhs_dilation[i] as i64);
            let o = floor_div(padded[i] - window, self.window_strides[i] as i64) + 1;
            out_canon.push(o.max(0) as usize);
        }
        let mut shape = vec![0; lhs.len()];
        for (k, &axis) in dn.out_spec.iter().enumerate() {
            shape[axis] = out_canon[k];
        }
        shape
    }

    /// JAX's dtype rule: equal operand dtypes, and a valid preferred type.
    fn out_dtype(&self, l: DType, r: DType) -> DType {
        if l != r {
            panic!(
                "TypeError: lax.conv_general_dilated requires arguments to have the same dtypes, \
                 got {l}, {r}."
            );
        }
        let Some(p) = self.preferred_element_type else {
            return l;
        };
        validate_preferred_element_type(l, p);
        p
    }

    /// The same convolution applied to other operands.
    pub(crate) fn apply(&self, lhs: &Array, rhs: &Array) -> Array {
        bind1(&Primitive::from(self.clone()), &[lhs, rhs])
    }
}

/// `lax._validate_preferred_element_type`.
pub(crate) fn validate_preferred_element_type(input: DType, preferred: DType) {
    let int_to_float = input.is_int() && preferred.is_float();
    if !int_to_float {
        let kinds: [fn(DType) -> bool; 3] = [DType::is_int, DType::is_float, DType::is_complex];
        if kinds.iter().any(|k| k(input) && !k(preferred)) {
            panic!(
                "TypeError: Input type is incompatible with `preferred_element_type`. The \
                 compatible combinations of (input_type, preferred_element_type) are \
                 (integral, integral), (integral, floating), (floating, floating), (complex, \
                 complex."
            );
        }
        if input.is_signed_int() && !preferred.is_signed_int() {
            panic!(
                "TypeError: `preferred_element_type` must have the same signedness as the \
                 original type."
            );
        }
    }
    if preferred.size_of() < input.size_of() {
        panic!("TypeError: `preferred_element_type` must not be narrower than the original type.");
    }
}

impl PrimitiveRules for ConvGeneralDilated {
    fn name(&self) -> &'static str {
        "conv_general_dilated"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("batch_group_count", self.batch_group_count.to_string()),
            ("dimension_numbers", self.dimension_numbers.to_string()),
            ("feature_group_count", self.feature_group_count.to_string()),
            ("lhs_dilation", fmt_tuple(&self.lhs_dilation)),
            ("out_sharding", "None".into()),
            ("padding", pads_str(&self.padding)),
            ("precision", "None".into()),
            (
                "preferred_element_type",
                self.preferred_element_type
                    .map_or("None".into(), |d| d.name().to_string()),
            ),
            ("rhs_dilation", fmt_tuple(&self.rhs_dilation)),
            ("window_strides", fmt_tuple(&self.window_strides)),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        crate::lax::expect_arity("conv_general_dilated", inputs, 2);
        let (l, r) = (inputs[0], inputs[1]);
        let shape = self.out_shape(&l.shape, &r.shape);
        let dtype = self.out_dtype(l.dtype, r.dtype);
        smallvec![ShapedArray::with_weak(
            Shape::from(shape),
            dtype,
            l.weak_type && r.weak_type && self.preferred_element_type.is_none()
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut o = Buffer::for_dtype(outs[0].size(), outs[0].dtype);
        let dn = &self.dimension_numbers;
        conv::conv(
            &conv::ConvSpec {
                lhs_shape: &inputs[0].shape,
                rhs_shape: &inputs[1].shape,
                out_shape: &outs[0].shape,
                lhs_spec: &dn.lhs_spec,
                rhs_spec: &dn.rhs_spec,
                out_spec: &dn.out_spec,
                window_strides: &self.window_strides,
                padding: &self.padding,
                lhs_dilation: &self.lhs_dilation,
                rhs_dilation: &self.rhs_dilation,
                feature_group_count: self.feature_group_count,
                batch_group_count: self.batch_group_count,
            },
            inputs[0].dtype,
            bufs[0],
            bufs[1],
            outs[0].dtype,
            &mut o,
        );
        smallvec![o]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Contraction
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        // Bilinear: d(l ⊛ r) = dl ⊛ r + l ⊛ dr.
        let (l, r) = (primals[0], primals[1]);
        let out = self.apply(l, r);
        if !out.dtype().is_inexact() {
            return (smallvec![out], smallvec![None]);
        }
        let tl = tangents[0].map(|t| self.apply(t, r));
        let tr = tangents[1].map(|t| self.apply(l, t));
        (smallvec![out], smallvec![ad_util::add_any(tl, tr)])
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let g = &cts[0];
        let (l, r) = (&args[0], &args[1]);
        let tl = l
            .is_linear()
            .then(|| transpose_lhs(self, g, l.aval(), r.known("conv_general_dilated")));
        let tr = if r.is_linear() {
            transpose_rhs(self, g, l.known("conv_general_dilated"), r.aval())
        } else {
            None
        };
        smallvec![tl, tr]
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Linear
    }
    fn batch(&self, args: &[&Array], dims: &[Option<usize>], size: usize) -> BatchResult {
        super::batching::batch_rule(self, args, dims, size)
    }
}

impl ConvGeneralDilated {
    /// Spatial axes of the lhs, rhs and output.
    pub(crate) fn sdims(&self) -> [Vec<usize>; 3] {
        let dn = &self.dimension_numbers;
        let n = self.nsp();
        [
            dn.lhs_spec[2..2 + n].to_vec(),
            dn.rhs_spec[2..2 + n].to_vec(),
            dn.out_spec[2..2 + n].to_vec(),
        ]
    }
}
