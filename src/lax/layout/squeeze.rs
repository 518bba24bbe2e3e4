//! The `squeeze` primitive: its rules and its `lax` function.

use super::{fmt_list, reshape};
use crate::backend::cpu::buffer::Buffer;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::{fmt_tuple, Dims, Shape};
use crate::core::trace::bind1;
use crate::lax::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// `squeeze`: removes the listed axes, which must have size 1.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Squeeze {
    /// Axes to remove (sorted, non-negative).
    pub dimensions: Dims,
}

impl PrimitiveRules for Squeeze {
    fn name(&self) -> &'static str {
        "squeeze"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![("dimensions", fmt_list(&self.dimensions))]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("squeeze", inputs, 1);
        let x = inputs[0];
        if self
            .dimensions
            .iter()
            .any(|&d| d >= x.ndim() || x.shape[d] != 1)
        {
            panic!(
                "ValueError: cannot select an axis to squeeze out which has size not equal to \
                 one, got shape={} and dimensions={}",
                fmt_tuple(&x.shape),
                fmt_list(&self.dimensions)
            );
        }
        let shape: Dims = (0..x.ndim())
            .filter(|d| !self.dimensions.contains(d))
            .map(|d| x.shape[d])
            .collect();
        smallvec![ShapedArray::with_weak(Shape(shape), x.dtype, x.weak_type)]
    }
    fn impl_cpu(&self, _: &[&ShapedArray], bufs: &[&Buffer], _: &[ShapedArray]) -> Buffers {
        smallvec![Buffer::from_slice(bufs[0].bytes())]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Layout
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, 1)
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        smallvec![Some(reshape(&cts[0], &args[0].aval().shape))]
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Linear
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        size: usize,
    ) -> crate::lax::batching::BatchResult {
        let p = Squeeze {
            dimensions: crate::lax::batching::shifted(&self.dimensions),
        };
        crate::lax::batching::on_batch_first(p.into(), args[0], dims[0], size)
    }
}

/// Removes size-1 axes.
pub fn squeeze(x: &Array, dimensions: &[usize]) -> Array {
    if dimensions.is_empty() {
        return x.clone();
    }
    let mut d = Dims::from_slice(dimensions);
    d.sort_unstable();
    d.dedup();
    bind1(&Squeeze { dimensions: d }.into(), &[x])
}
