//! The `rev` primitive: its rules and its `lax` function.

use super::{fmt_list, strided};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::layout::StridedView;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::{contiguous_strides, fmt_tuple, Dims};
use crate::core::trace::bind1;
use crate::lax::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// `rev`: reverses the order of elements along the listed axes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rev {
    /// Axes to reverse.
    pub dimensions: Dims,
}

impl PrimitiveRules for Rev {
    fn name(&self) -> &'static str {
        "rev"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![("dimensions", fmt_list(&self.dimensions))]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("rev", inputs, 1);
        let x = inputs[0];
        if self.dimensions.iter().any(|&d| d >= x.ndim()) {
            panic!(
                "ValueError: rev dimensions {} out of range for operand shape {}.",
                fmt_list(&self.dimensions),
                fmt_tuple(&x.shape)
            );
        }
        smallvec![x.clone()]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let x = inputs[0];
        let st = contiguous_strides(&x.shape);
        let mut offset = 0isize;
        let strides = (0..x.ndim())
            .map(|d| {
                if self.dimensions.contains(&d) && x.shape[d] > 0 {
                    offset += ((x.shape[d] - 1) * st[d]) as isize;
                    -(st[d] as isize)
                } else {
                    st[d] as isize
                }
            })
            .collect();
        strided(x, bufs[0], StridedView { offset, strides }, &outs[0])
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Layout
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, 1)
    }
    fn transpose(&self, cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        smallvec![Some(rev(&cts[0], &self.dimensions))]
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
        let p = Rev {
            dimensions: crate::lax::batching::shifted(&self.dimensions),
        };
        crate::lax::batching::on_batch_first(p.into(), args[0], dims[0], size)
    }
}

/// Reverses along axes.
pub fn rev(x: &Array, dimensions: &[usize]) -> Array {
    if dimensions.is_empty() {
        return x.clone();
    }
    bind1(
        &Rev {
            dimensions: Dims::from_slice(dimensions),
        }
        .into(),
        &[x],
    )
}
