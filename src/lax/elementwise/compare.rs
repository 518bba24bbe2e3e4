//! Elementwise comparisons (`eq`, `lt`, ...), producing bool.

use super::super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::super::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use super::binary::{binary_shape, same_dtypes};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::ir::CompareOp;
use smallvec::smallvec;

/// An elementwise comparison producing bool.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Compare {
    /// Which comparison.
    pub op: CompareOp,
}

impl PrimitiveRules for Compare {
    fn name(&self) -> &'static str {
        self.op.name()
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 2);
        let (a, b) = (inputs[0], inputs[1]);
        same_dtypes(self.name(), a, b);
        if a.dtype.is_complex()
            && !matches!(self.op, crate::ir::CompareOp::Eq | crate::ir::CompareOp::Ne)
        {
            panic!(
                "TypeError: {} does not accept dtype {} at position 0. Accepted dtypes at \
                 position 0 are subtypes of integer, floating, bool.",
                self.name(),
                a.dtype
            );
        }
        let shape = binary_shape(self.name(), a, b);
        smallvec![ShapedArray::with_weak(
            shape,
            DType::Bool,
            a.weak_type && b.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut out = Buffer::new(outs[0].size());
        kernels::compare::run(
            self.op,
            inputs[0].dtype,
            kernels::Operand::new(bufs[0], inputs[0].size(), outs[0].size()),
            kernels::Operand::new(bufs[1], inputs[1].size(), outs[0].size()),
            &mut out,
        );
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Elementwise
    }
    fn jvp(&self, primals: &[&Array], _tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::zero_jvp(self.clone().into(), primals)
    }
    fn transpose(&self, _cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        ad_util::not_linear(self.name())
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::NonDifferentiable("boolean output")
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        size: usize,
    ) -> crate::lax::batching::BatchResult {
        crate::lax::batching::elementwise(
            &crate::lax::Primitive::Compare(self.clone()),
            args,
            dims,
            size,
        )
    }
}
