//! The `broadcast_in_dim` primitive: its rules and its `lax` function.

use super::{fmt_list, reshape, strided};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::layout::StridedView;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::{contiguous_strides, fmt_tuple, Dims, Shape};
use crate::core::trace::bind1;
use crate::lax::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// `broadcast_in_dim`: operand axis `i` becomes output axis
/// `broadcast_dimensions[i]` (size 1 or equal); other output axes are new.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BroadcastInDim {
    /// Output shape.
    pub shape: Dims,
    /// For each operand axis, the output axis it maps to (strictly increasing).
    pub broadcast_dimensions: Dims,
}

impl PrimitiveRules for BroadcastInDim {
    fn name(&self) -> &'static str {
        "broadcast_in_dim"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        // As JAX prints it: the shape is implied by the result's type, and
        // empty broadcast_dimensions are not shown.
        if self.broadcast_dimensions.is_empty() {
            vec![]
        } else {
            vec![("broadcast_dimensions", fmt_list(&self.broadcast_dimensions))]
        }
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("broadcast_in_dim", inputs, 1);
        let x = inputs[0];
        let bd = &self.broadcast_dimensions;
        let ok_rank = bd.len() == x.ndim();
        let ok_increasing = bd.windows(2).all(|w| w[0] < w[1]);
        let ok_range = bd.iter().all(|&d| d < self.shape.len());
        let ok_sizes = ok_rank
            && ok_range
            && x.shape
                .iter()
                .zip(bd.iter())
                .all(|(&s, &d)| s == 1 || s == self.shape[d]);
        if !(ok_rank && ok_increasing && ok_range && ok_sizes) {
            panic!(
                "TypeError: broadcast_in_dim operand dimension sizes must either be 1, or be \
                 equal to their corresponding dimensions in the target broadcast shape; got \
                 operand of shape {}, target broadcast shape {}, broadcast_dimensions {}",
                fmt_tuple(&x.shape),
                fmt_tuple(&self.shape),
                fmt_list(bd)
            );
        }
        smallvec![ShapedArray::with_weak(
            Shape(self.shape.clone()),
            x.dtype,
            x.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let x = inputs[0];
        let in_strides = contiguous_strides(&x.shape);
        let mut strides = vec![0isize; self.shape.len()];
        for (i, &d) in self.broadcast_dimensions.iter().enumerate() {
            if x.shape[i] != 1 {
                strides[d] = in_strides[i] as isize;
            }
        }
        strided(x, bufs[0], StridedView { offset: 0, strides }, &outs[0])
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Layout
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, 1)
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let x = args[0].aval();
        // Sum over the new axes and over the operand's size-1 axes that were expanded.
        let summed: Vec<usize> = (0..self.shape.len())
            .filter(
                |&d| match self.broadcast_dimensions.iter().position(|&b| b == d) {
                    None => true,
                    Some(i) => x.shape[i] == 1 && self.shape[d] != 1,
                },
            )
            .collect();
        let s = crate::lax::reduce(&cts[0], crate::ir::ReduceOp::Sum, &summed);
        smallvec![Some(reshape(&s, &x.shape))]
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
        let p = BroadcastInDim {
            shape: std::iter::once(size)
                .chain(self.shape.iter().copied())
                .collect(),
            broadcast_dimensions: std::iter::once(0)
                .chain(self.broadcast_dimensions.iter().map(|d| d + 1))
                .collect(),
        };
        crate::lax::batching::on_batch_first(p.into(), args[0], dims[0], size)
    }
}

/// Broadcasts `x` into `shape`, mapping its axes to `broadcast_dimensions`.
pub fn broadcast_in_dim(x: &Array, shape: &[usize], broadcast_dimensions: &[usize]) -> Array {
    if x.shape() == shape
        && broadcast_dimensions
            .iter()
            .enumerate()
            .all(|(i, &d)| i == d)
    {
        return x.clone();
    }
    bind1(
        &BroadcastInDim {
            shape: Dims::from_slice(shape),
            broadcast_dimensions: Dims::from_slice(broadcast_dimensions),
        }
        .into(),
        &[x],
    )
}
