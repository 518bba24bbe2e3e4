//! Creation primitives: `iota`.

use super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::{Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::iota as k;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::shape::{Dims, Shape};
use crate::core::trace::bind1;
use smallvec::smallvec;

/// `iota`: `0, 1, 2, ...` along `dimension` of an array of `shape`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Iota {
    /// Element type (numeric).
    pub dtype: DType,
    /// Output shape.
    pub shape: Dims,
    /// The axis that counts.
    pub dimension: usize,
}

impl PrimitiveRules for Iota {
    fn name(&self) -> &'static str {
        "iota"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("dimension", self.dimension.to_string()),
            ("dtype", self.dtype.name().into()),
            ("shape", format!("{:?}", Shape(self.shape.clone()))),
            ("sharding", "None".into()),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        assert!(inputs.is_empty(), "iota takes no operands");
        if self.dimension >= self.shape.len() || self.dtype.is_bool() {
            panic!(
                "TypeError: iota dimension {} must be an axis of shape {:?} and dtype {} \
                 must be numeric.",
                self.dimension,
                Shape(self.shape.clone()),
                self.dtype
            );
        }
        smallvec![ShapedArray::new(Shape(self.shape.clone()), self.dtype)]
    }
    fn impl_cpu(&self, _: &[&ShapedArray], _: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut o = Buffer::for_dtype(outs[0].size(), self.dtype);
        k::run(self.dtype, &self.shape, self.dimension, &mut o);
        smallvec![o]
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
        Differentiability::NonDifferentiable("no operands")
    }
    fn batch(
        &self,
        _args: &[&Array],
        _dims: &[Option<usize>],
        _size: usize,
    ) -> crate::lax::batching::BatchResult {
        // Batching rules run only when an operand is batched; iota has none.
        unreachable!("iota has no operands, so vmap never batches it")
    }
}

/// `iota` of a 1-d array: `[0, 1, ..., n-1]`.
pub fn iota(dtype: DType, n: usize) -> Array {
    broadcasted_iota(dtype, &[n], 0)
}

/// `iota` counting along `dimension` of `shape`.
pub fn broadcasted_iota(dtype: DType, shape: &[usize], dimension: usize) -> Array {
    bind1(
        &Iota {
            dtype,
            shape: Dims::from_slice(shape),
            dimension,
        }
        .into(),
        &[],
    )
}
