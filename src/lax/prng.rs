//! `threefry2x32`: the counter-based block cipher of `jax.random`, as one
//! elementwise primitive over uint32 arrays.

use super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::threefry::{self, Words};
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::trace::bind;
use smallvec::smallvec;

/// `threefry2x32(k0, k1, x0, x1) -> (y0, y1)`: Threefry-2x32 (20 rounds)
/// with key `(k0, k1)` on counters `(x0, x1)`, elementwise. All operands are
/// uint32 of one shape; rank-0 operands broadcast.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Threefry2x32;

impl PrimitiveRules for Threefry2x32 {
    fn name(&self) -> &'static str {
        "threefry2x32"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("threefry2x32", inputs, 4);
        if let Some(bad) = inputs.iter().find(|a| a.dtype != DType::U32) {
            panic!(
                "TypeError: threefry2x32 requires uint32 arguments, got {}.",
                bad.short()
            );
        }
        let shape = inputs
            .iter()
            .map(|a| &a.shape)
            .find(|s| !s.is_empty())
            .cloned()
            .unwrap_or_default();
        if let Some(bad) = inputs.iter().find(|a| a.ndim() > 0 && a.shape != shape) {
            panic!(
                "TypeError: threefry2x32 requires all arguments to have the same shape (or be \
                 scalars), got {} and {}.",
                crate::core::shape::fmt_tuple(&shape),
                crate::core::shape::fmt_tuple(&bad.shape)
            );
        }
        let out = ShapedArray::new(shape, DType::U32);
        smallvec![out.clone(), out]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let n = outs[0].size();
        let words = |i: usize| Words {
            data: bufs[i].as_slice::<u32>(),
            scalar: inputs[i].ndim() == 0,
        };
        // Counters that are scalars are expanded (they differ per element only when full).
        let full = |i: usize| -> std::borrow::Cow<'_, [u32]> {
            let w = words(i);
            if w.scalar {
                std::borrow::Cow::Owned(vec![w.data[0]; n])
            } else {
                std::borrow::Cow::Borrowed(w.data)
            }
        };
        let (x0, x1) = (full(2), full(3));
        let mut y0 = Buffer::for_elements::<u32>(n);
        let mut y1 = Buffer::for_elements::<u32>(n);
        threefry::run(
            words(0),
            words(1),
            &x0,
            &x1,
            y0.as_mut_slice::<u32>(),
            y1.as_mut_slice::<u32>(),
        );
        smallvec![y0, y1]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], _tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::zero_jvp(Threefry2x32.into(), primals)
    }
    fn transpose(&self, _cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        ad_util::not_linear(self.name())
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::NonDifferentiable("integer bits")
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        size: usize,
    ) -> super::batching::BatchResult {
        super::batching::elementwise(&Threefry2x32.into(), args, dims, size)
    }
}

/// Applies Threefry-2x32 with key `(k0, k1)` to counters `(x0, x1)`.
pub fn threefry2x32(k0: &Array, k1: &Array, x0: &Array, x1: &Array) -> (Array, Array) {
    let mut outs = bind(&Threefry2x32.into(), &[k0, k1, x0, x1]);
    let y1 = outs.pop().expect("two outputs");
    (outs.pop().expect("two outputs"), y1)
}
