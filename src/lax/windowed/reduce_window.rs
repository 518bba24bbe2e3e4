//! `reduce_window_sum`, `reduce_window_max`, `reduce_window_min`: monoid
//! reductions over (padded, dilated) windows.

use super::select::{gather_cfg, SelectPrim};
use super::{ReduceWindowOptions, WindowConfig};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::window;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::Shape;
use crate::core::trace::bind1;
use crate::ir::ReduceOp;
use crate::lax::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::batching::{on_batch_first, BatchResult};
use crate::lax::padding::Padding;
use crate::lax::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// A windowed monoid reduction: `op` is `Sum`, `Max` or `Min`; padding and
/// dilation holes are the identity (0, −∞ or the minimum, +∞ or the maximum).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReduceWindow {
    /// `ReduceOp::Sum`, `Max` or `Min`.
    pub op: ReduceOp,
    /// The window geometry.
    pub config: WindowConfig,
}

impl PrimitiveRules for ReduceWindow {
    fn name(&self) -> &'static str {
        match self.op {
            ReduceOp::Sum => "reduce_window_sum",
            ReduceOp::Max => "reduce_window_max",
            ReduceOp::Min => "reduce_window_min",
            op => panic!(
                "internal error: reduce_window has no {} primitive",
                op.name()
            ),
        }
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        self.config.params(None, true)
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 1);
        let x = inputs[0];
        let d = x.dtype;
        if self.op == ReduceOp::Sum && !(d.is_int() || d.is_inexact()) {
            panic!("TypeError: operand to reduce_window_sum must have a number dtype, got {d}");
        }
        if self.op != ReduceOp::Sum && d.is_complex() {
            panic!(
                "TypeError: {} does not accept complex dtype {d}: complex numbers are not \
                 ordered; reduce the real part or the absolute value instead.",
                self.name()
            );
        }
        let shape = self.config.out_shape(x);
        smallvec![ShapedArray::with_weak(Shape(shape), d, x.weak_type)]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut o = Buffer::for_dtype(outs[0].size(), outs[0].dtype);
        let plan = self.config.plan(&inputs[0].shape, &outs[0].shape, false);
        window::reduce(self.op, inputs[0].dtype, &plan, bufs[0], &mut o);
        smallvec![o]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let x = primals[0];
        if self.op == ReduceOp::Sum {
            return ad_util::linear_jvp(self.clone().into(), primals, tangents, 1);
        }
        let out = bind1(&self.clone().into(), &[x]);
        let select = if self.op == ReduceOp::Max {
            SelectPrim::Ge
        } else {
            SelectPrim::Le
        };
        let t = tangents[0]
            .filter(|_| x.dtype().is_inexact())
            .map(|t| gather_cfg(t, x, select, self.config.clone()));
        (smallvec![out], smallvec![t])
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        if self.op != ReduceOp::Sum {
            ad_util::not_linear(self.name());
        }
        smallvec![Some(sum_transpose(
            &cts[0],
            &args[0].aval().shape,
            &self.config
        ))]
    }
    fn differentiability(&self) -> Differentiability {
        match self.op {
            ReduceOp::Sum => Differentiability::Linear,
            _ => Differentiability::Nonlinear,
        }
    }
    fn batch(&self, args: &[&Array], dims: &[Option<usize>], size: usize) -> BatchResult {
        let p = ReduceWindow {
            op: self.op,
            config: self.config.batched(),
        };
        on_batch_first(p.into(), args[0], dims[0], size)
    }
}

/// JAX's `_reduce_window_sum_transpose_rule`: the cotangent spread back
/// over each window, as a strided pad of `ct` followed by a window sum
/// (strides = base dilation) over it.
fn sum_transpose(ct: &Array, in_shape: &[usize], c: &WindowConfig) -> Array {
    use crate::backend::cpu::kernels::window::dilate;
    let n = in_shape.len();
    let pad_cfg: Vec<(i64, i64, i64)> = (0..n)
        .map(|d| {
            let lhs = dilate(in_shape[d], c.base_dilation[d]) as i64;
            let rhs = dilate(c.window_dimensions[d], c.window_dilation[d]) as i64;
            let out = dilate(ct.shape()[d], c.window_strides[d]) as i64;
            let before = rhs - c.padding[d].0 - 1;
            let after = lhs + rhs - 1 - out - before;
            (before, after, c.window_strides[d] as i64 - 1)
        })
        .collect();
    let zero = ad_util::constant(0.0, ct.dtype(), false);
    let padded = crate::lax::pad(ct, &zero, &pad_cfg);
    let ones: smallvec::SmallVec<[usize; 4]> = smallvec![1; n];
    let cfg = WindowConfig {
        window_dimensions: c.window_dimensions.clone(),
        window_strides: c.base_dilation.clone(),
        padding: smallvec![(0, 0); n],
        base_dilation: ones,
        window_dilation: c.window_dilation.clone(),
    };
    let out = bind1(
        &ReduceWindow {
            op: ReduceOp::Sum,
            config: cfg,
        }
        .into(),
        &[&padded],
    );
    debug_assert_eq!(out.shape(), in_shape);
    out
}

fn bind_op(
    op: ReduceOp,
    operand: &Array,
    window_dimensions: &[usize],
    window_strides: &[usize],
    padding: Padding,
    options: &ReduceWindowOptions,
) -> Array {
    let config = WindowConfig::resolve(
        operand.shape(),
        window_dimensions,
        window_strides,
        padding,
        options,
    );
    bind1(&ReduceWindow { op, config }.into(), &[operand])
}

/// Sums over windows (`lax.reduce_window(x, 0, lax.add, ...)`): average
/// pooling divides it by the window size.
///
/// ```
/// use jaxide::{lax, numpy as jnp};
/// let x = jnp::arange_dtype(6, jaxide::DType::F32).reshape(&[2, 3]);
/// let y = lax::reduce_window_sum(&x, &[2, 2], &[1, 1], "VALID", Default::default());
/// assert_eq!(y.to_vec::<f32>(), vec![8.0, 12.0]);
/// ```
pub fn reduce_window_sum(
    operand: &Array,
    window_dimensions: &[usize],
    window_strides: &[usize],
    padding: impl Into<Padding>,
    options: ReduceWindowOptions,
) -> Array {
    let p = padding.into();
    bind_op(
        ReduceOp::Sum,
        operand,
        window_dimensions,
        window_strides,
        p,
        &options,
    )
}

/// Maxima over windows (max pooling); padding counts as −∞ (the minimum
/// for integers).
pub fn reduce_window_max(
    operand: &Array,
    window_dimensions: &[usize],
    window_strides: &[usize],
    padding: impl Into<Padding>,
    options: ReduceWindowOptions,
) -> Array {
    let p = padding.into();
    bind_op(
        ReduceOp::Max,
        operand,
        window_dimensions,
        window_strides,
        p,
        &options,
    )
}

/// Minima over windows; padding counts as +∞ (the maximum for integers).
pub fn reduce_window_min(
    operand: &Array,
    window_dimensions: &[usize],
    window_strides: &[usize],
    padding: impl Into<Padding>,
    options: ReduceWindowOptions,
) -> Array {
    let p = padding.into();
    bind_op(
        ReduceOp::Min,
        operand,
        window_dimensions,
        window_strides,
        p,
        &options,
    )
}
