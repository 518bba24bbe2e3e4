//! The max/min-pool derivative primitives: `select_and_gather_add` (the
//! tangent of `reduce_window_max/min`) and `select_and_scatter_add` (its
//! transpose, the max-pool backward pass). Each is linear in its first
//! operand and the transpose of the other.

use super::{ReduceWindowOptions, WindowConfig};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::window;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::{fmt_tuple, Shape};
use crate::core::trace::bind1;
use crate::lax::ad_util::{Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::batching::{batch_first, BatchResult};
use crate::lax::padding::Padding;
use crate::lax::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// Which element a window selects: `Ge` the first maximum, `Le` the first
/// minimum (JAX's `select_prim=ge`/`le`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum SelectPrim {
    /// `lax.ge_p`: maxima (max pooling).
    Ge,
    /// `lax.le_p`: minima.
    Le,
}

impl SelectPrim {
    /// JAX's name of the comparison.
    pub fn name(self) -> &'static str {
        match self {
            SelectPrim::Ge => "ge",
            SelectPrim::Le => "le",
        }
    }

    /// The padding value the selection ignores: −∞ for `Ge`, +∞ for `Le`.
    fn identity(self) -> f64 {
        match self {
            SelectPrim::Ge => f64::NEG_INFINITY,
            SelectPrim::Le => f64::INFINITY,
        }
    }
}

fn check_float(name: &str, a: &ShapedArray, b: &ShapedArray) {
    if a.dtype != b.dtype || !a.dtype.is_float() {
        panic!(
            "TypeError: {name} takes two floating-point operands of one dtype, got {} and {}.",
            a.short(),
            b.short()
        );
    }
}

/// `select_and_gather_add(tangents, operand)`: per window of `operand`, the
/// element of `tangents` at the position `select` picks (ties: the first
/// in window order, as XLA's pair reduction from `(±∞, 0)`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SelectAndGatherAdd {
    /// Maxima or minima.
    pub select: SelectPrim,
    /// The window geometry.
    pub config: WindowConfig,
}

impl PrimitiveRules for SelectAndGatherAdd {
    fn name(&self) -> &'static str {
        "select_and_gather_add"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        self.config.params(Some(self.select), true)
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 2);
        let (t, x) = (inputs[0], inputs[1]);
        if t.shape != x.shape {
            panic!(
                "TypeError: select_and_gather_add tangents and operand shapes must match, got {} \
                 and {}.",
                fmt_tuple(&t.shape),
                fmt_tuple(&x.shape)
            );
        }
        check_float(self.name(), t, x);
        let shape = self.config.out_shape(x);
        smallvec![ShapedArray::with_weak(Shape(shape), t.dtype, t.weak_type)]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut o = Buffer::for_dtype(outs[0].size(), outs[0].dtype);
        let plan = self.config.plan(&inputs[1].shape, &outs[0].shape, false);
        let ge = self.select == SelectPrim::Ge;
        window::gather(ge, inputs[1].dtype, &plan, bufs[0], bufs[1], &mut o);
        smallvec![o]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        // Linear in the tangents operand; the selection is piecewise constant in the operand.
        let out = bind1(&self.clone().into(), primals);
        let t = tangents[0].map(|g| bind1(&self.clone().into(), &[g, primals[1]]));
        (smallvec![out], smallvec![t])
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let c = &self.config;
        if c.window_dilation.iter().any(|&d| d != 1) {
            panic!(
                "NotImplementedError: VJP not implemented for select_and_gather (MaxPool) with \
                 window dilation, got window_dilation={}.",
                fmt_tuple(&c.window_dilation)
            );
        }
        let x = args[1].known(self.name());
        let dilated = c.base_dilation.iter().any(|&d| d != 1);
        let operand = if dilated {
            let id = crate::lax::ad_util::constant(self.select.identity(), x.dtype(), false);
            let cfg: Vec<(i64, i64, i64)> = c
                .base_dilation
                .iter()
                .map(|&d| (0, 0, d as i64 - 1))
                .collect();
            crate::lax::pad(x, &id, &cfg)
        } else {
            x.clone()
        };
        let mut r = scatter_cfg(&cts[0], &operand, self.select, c.undilated());
        if dilated {
            let start = vec![0; r.ndim()];
            let limit = r.shape().to_vec();
            r = crate::lax::slice_with_strides(&r, &start, &limit, &c.base_dilation);
        }
        smallvec![Some(r), None]
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Linear
    }
    fn batch(&self, args: &[&Array], dims: &[Option<usize>], size: usize) -> BatchResult {
        let t = batch_first(args[0], dims[0], size);
        let x = batch_first(args[1], dims[1], size);
        let p = SelectAndGatherAdd {
            select: self.select,
            config: self.config.batched(),
        };
        (smallvec![bind1(&p.into(), &[&t, &x])], smallvec![Some(0)])
    }
}

/// `select_and_scatter_add(source, operand)`: per window of `operand`
/// (padding counts as ∓∞, no dilation), adds the window's `source` value
/// at the element `select` picks; the result has `operand`'s shape.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SelectAndScatterAdd {
    /// Maxima or minima.
    pub select: SelectPrim,
    /// The window geometry (dilations are 1).
    pub config: WindowConfig,
}

impl PrimitiveRules for SelectAndScatterAdd {
    fn name(&self) -> &'static str {
        "select_and_scatter_add"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        self.config.params(Some(self.select), false)
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 2);
        let (s, x) = (inputs[0], inputs[1]);
        check_float(self.name(), s, x);
        let windows = self.config.out_shape(x);
        if s.shape.0 != windows {
            panic!(
                "TypeError: select_and_scatter_add source shape must be the window output shape \
                 {} of operand shape {}, got {}.",
                fmt_tuple(&windows),
                fmt_tuple(&x.shape),
                fmt_tuple(&s.shape)
            );
        }
        smallvec![ShapedArray::with_weak(
            x.shape.clone(),
            s.dtype,
            s.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut o = Buffer::for_dtype(outs[0].size(), outs[0].dtype);
        let plan = self.config.plan(&inputs[1].shape, &inputs[0].shape, true);
        let ge = self.select == SelectPrim::Ge;
        window::scatter(ge, inputs[1].dtype, &plan, bufs[0], bufs[1], &mut o);
        smallvec![o]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let out = bind1(&self.clone().into(), primals);
        let t = tangents[0].map(|g| bind1(&self.clone().into(), &[g, primals[1]]));
        (smallvec![out], smallvec![t])
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let x = args[1].known(self.name());
        smallvec![
            Some(gather_cfg(&cts[0], x, self.select, self.config.clone())),
            None
        ]
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Linear
    }
    fn batch(&self, args: &[&Array], dims: &[Option<usize>], size: usize) -> BatchResult {
        let s = batch_first(args[0], dims[0], size);
        let x = batch_first(args[1], dims[1], size);
        let p = SelectAndScatterAdd {
            select: self.select,
            config: self.config.batched(),
        };
        (smallvec![bind1(&p.into(), &[&s, &x])], smallvec![Some(0)])
    }
}

pub(super) fn gather_cfg(t: &Array, x: &Array, select: SelectPrim, config: WindowConfig) -> Array {
    bind1(&SelectAndGatherAdd { select, config }.into(), &[t, x])
}

fn scatter_cfg(s: &Array, x: &Array, select: SelectPrim, config: WindowConfig) -> Array {
    bind1(&SelectAndScatterAdd { select, config }.into(), &[s, x])
}

/// JAX's `_select_and_gather_add`: the element of `tangents` at the
/// position of each window's maximum (`Ge`) or minimum (`Le`) of `operand`
/// (the tangent of `reduce_window_max/min`).
pub fn select_and_gather_add(
    tangents: &Array,
    operand: &Array,
    select: SelectPrim,
    window_dimensions: &[usize],
    window_strides: &[usize],
    padding: impl Into<Padding>,
    options: ReduceWindowOptions,
) -> Array {
    let config = WindowConfig::resolve(
        operand.shape(),
        window_dimensions,
        window_strides,
        padding.into(),
        &options,
    );
    gather_cfg(tangents, operand, select, config)
}

/// JAX's `_select_and_scatter_add`: each window's `source` value added at
/// the position of the window's maximum (`Ge`) or minimum (`Le`) of
/// `operand` (the max-pool backward pass); the result has `operand`'s shape.
pub fn select_and_scatter_add(
    source: &Array,
    operand: &Array,
    select: SelectPrim,
    window_dimensions: &[usize],
    window_strides: &[usize],
    padding: impl Into<Padding>,
) -> Array {
    let config = WindowConfig::resolve(
        operand.shape(),
        window_dimensions,
        window_strides,
        padding.into(),
        &ReduceWindowOptions::default(),
    );
    scatter_cfg(source, operand, select, config)
}
