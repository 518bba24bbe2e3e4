//! The `reshape` primitive: its rules and its `lax` function.

use super::fmt_list;
use crate::backend::cpu::buffer::Buffer;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::{fmt_tuple, Dims, Shape};
use crate::core::trace::bind1;
use crate::lax::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// `reshape`: same elements, new dimension sizes (row-major order).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reshape {
    /// The new dimension sizes.
    pub new_sizes: Dims,
}

impl PrimitiveRules for Reshape {
    fn name(&self) -> &'static str {
        "reshape"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("dimensions", "None".into()),
            ("new_sizes", fmt_list(&self.new_sizes)),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("reshape", inputs, 1);
        let x = inputs[0];
        let size = crate::core::shape::size_u128(&self.new_sizes);
        if size != x.size() as u128 {
            panic!(
                "TypeError: cannot reshape array of shape {} (size {}) into shape {} (size {}).",
                fmt_tuple(&x.shape),
                x.size(),
                fmt_tuple(&self.new_sizes),
                size
            );
        }
        smallvec![ShapedArray::with_weak(
            Shape(self.new_sizes.clone()),
            x.dtype,
            x.weak_type
        )]
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
        let p = Reshape {
            new_sizes: std::iter::once(size)
                .chain(self.new_sizes.iter().copied())
                .collect(),
        };
        crate::lax::batching::on_batch_first(p.into(), args[0], dims[0], size)
    }
}

/// Reshapes to `new_sizes` (no -1 inference at this level).
pub fn reshape(x: &Array, new_sizes: &[usize]) -> Array {
    if x.shape() == new_sizes {
        return x.clone();
    }
    bind1(
        &Reshape {
            new_sizes: Dims::from_slice(new_sizes),
        }
        .into(),
        &[x],
    )
}
