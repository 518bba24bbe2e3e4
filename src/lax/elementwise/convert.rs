//! `convert_element_type`: dtype conversion.

use super::super::ad_util::{Cotangents, Differentiability, JvpResult, LinearArg};
use super::super::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::lax;
use smallvec::smallvec;

/// Converts elements to another dtype (`as` semantics: floats to ints truncate
/// toward zero and saturate, NaN becomes 0; anything nonzero becomes `true`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConvertElementType {
    /// Target dtype.
    pub new_dtype: DType,
    /// Whether the result is weak-typed.
    pub weak_type: bool,
}

impl PrimitiveRules for ConvertElementType {
    fn name(&self) -> &'static str {
        "convert_element_type"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("new_dtype", self.new_dtype.name().to_string()),
            (
                "weak_type",
                if self.weak_type { "True" } else { "False" }.into(),
            ),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 1);
        smallvec![ShapedArray::with_weak(
            inputs[0].shape.clone(),
            self.new_dtype,
            self.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut out = Buffer::for_dtype(outs[0].size(), self.new_dtype);
        kernels::convert::run(inputs[0].dtype, self.new_dtype, bufs[0], &mut out);
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Elementwise
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let x = primals[0];
        let out = lax::convert_element_type_weak(x, self.new_dtype, self.weak_type);
        let t = match tangents[0] {
            Some(t) if x.dtype().is_inexact() && self.new_dtype.is_inexact() => Some(
                lax::convert_element_type_weak(t, self.new_dtype, self.weak_type),
            ),
            _ => None,
        };
        (smallvec![out], smallvec![t])
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let a = args[0].aval();
        // Back to the input dtype: the transpose of real → complex is the
        // real part, and of complex → real (the real part) is `ct + 0j`.
        if !a.dtype.is_inexact() || !self.new_dtype.is_inexact() {
            return smallvec![None];
        }
        smallvec![Some(lax::convert_element_type_weak(
            &cts[0],
            a.dtype,
            a.weak_type
        ))]
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Linear
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        _size: usize,
    ) -> crate::lax::batching::BatchResult {
        crate::lax::batching::same_axis(
            &crate::lax::Primitive::ConvertElementType(self.clone()),
            args,
            dims,
        )
    }
}
