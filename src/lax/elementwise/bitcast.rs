//! `bitcast_convert_type`: reinterprets each element's bits as another
//! dtype of the same width (no conversion).

use super::super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::super::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::trace::bind1;
use smallvec::smallvec;

/// Reinterprets the bits of each element as `new_dtype` (same width).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BitcastConvertType {
    /// Target dtype.
    pub new_dtype: DType,
}

impl PrimitiveRules for BitcastConvertType {
    fn name(&self) -> &'static str {
        "bitcast_convert_type"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![("new_dtype", self.new_dtype.name().to_string())]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 1);
        let x = inputs[0];
        if x.dtype.size_of() != self.new_dtype.size_of()
            || x.dtype.is_bool()
            || self.new_dtype.is_bool()
        {
            panic!(
                "TypeError: bitcast_convert_type from {} to {} needs non-bool dtypes of the same \
                 width ({} vs {} bytes); bitcasts that change the width are not supported.",
                x.dtype,
                self.new_dtype,
                x.dtype.size_of(),
                self.new_dtype.size_of()
            );
        }
        smallvec![ShapedArray::new(x.shape.clone(), self.new_dtype)]
    }
    fn impl_cpu(
        &self,
        _inputs: &[&ShapedArray],
        bufs: &[&Buffer],
        _outs: &[ShapedArray],
    ) -> Buffers {
        smallvec![bufs[0].clone()]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], _tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::zero_jvp(self.clone().into(), primals)
    }
    fn transpose(&self, _cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        ad_util::not_linear(self.name())
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::NonDifferentiable("a reinterpretation of bits")
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        _size: usize,
    ) -> crate::lax::batching::BatchResult {
        crate::lax::batching::same_axis(&self.clone().into(), args, dims)
    }
}

/// `x`'s bits as `new_dtype` (`lax.bitcast_convert_type`, same width only).
pub fn bitcast_convert_type(x: &Array, new_dtype: DType) -> Array {
    bind1(&BitcastConvertType { new_dtype }.into(), &[x])
}
