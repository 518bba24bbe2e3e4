//! The `transpose` primitive: its rules and its `lax` function.

use super::{fmt_list, strided};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::layout::StridedView;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::{contiguous_strides, fmt_tuple, Dims, Shape};
use crate::core::trace::bind1;
use crate::lax::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// `transpose`: output axis `i` is operand axis `permutation[i]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Transpose {
    /// A permutation of the operand's axes.
    pub permutation: Dims,
}

impl PrimitiveRules for Transpose {
    fn name(&self) -> &'static str {
        "transpose"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![("permutation", fmt_list(&self.permutation))]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("transpose", inputs, 1);
        let x = inputs[0];
        let mut seen = vec![false; x.ndim()];
        let valid = self.permutation.len() == x.ndim()
            && self
                .permutation
                .iter()
                .all(|&p| p < x.ndim() && !std::mem::replace(&mut seen[p], true));
        if !valid {
            panic!(
                "TypeError: transpose permutation isn't a permutation of operand dimensions, \
                 got permutation {} for operand shape {}.",
                fmt_list(&self.permutation),
                fmt_tuple(&x.shape)
            );
        }
        let shape: Dims = self.permutation.iter().map(|&p| x.shape[p]).collect();
        smallvec![ShapedArray::with_weak(Shape(shape), x.dtype, x.weak_type)]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let x = inputs[0];
        let st = contiguous_strides(&x.shape);
        let strides = self.permutation.iter().map(|&p| st[p] as isize).collect();
        strided(x, bufs[0], StridedView { offset: 0, strides }, &outs[0])
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Layout
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, 1)
    }
    fn transpose(&self, cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        let mut inverse = vec![0; self.permutation.len()];
        for (i, &p) in self.permutation.iter().enumerate() {
            inverse[p] = i;
        }
        smallvec![Some(transpose(&cts[0], &inverse))]
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
        let p = Transpose {
            permutation: std::iter::once(0)
                .chain(self.permutation.iter().map(|d| d + 1))
                .collect(),
        };
        crate::lax::batching::on_batch_first(p.into(), args[0], dims[0], size)
    }
}

/// Permutes axes.
pub fn transpose(x: &Array, permutation: &[usize]) -> Array {
    if permutation.iter().enumerate().all(|(i, &p)| i == p) && permutation.len() == x.ndim() {
        return x.clone();
    }
    bind1(
        &Transpose {
            permutation: Dims::from_slice(permutation),
        }
        .into(),
        &[x],
    )
}
