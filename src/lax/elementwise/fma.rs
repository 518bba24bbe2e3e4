//! `fma`: fused multiply-add `a * b + c` with a single rounding, as XLA:CPU
//! contracts a multiply feeding an add (`jax.random.uniform` and friends
//! depend on it for JAX's exact bits).

use super::super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::super::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::fmt_tuple;
use crate::core::trace::bind1;
use crate::lax;
use smallvec::smallvec;

/// `fma(a, b, c) = a * b + c`, rounded once. Float operands of one dtype;
/// shapes equal, except that rank-0 operands broadcast.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fma;

impl PrimitiveRules for Fma {
    fn name(&self) -> &'static str {
        "fma"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("fma", inputs, 3);
        let dtype = inputs[0].dtype;
        if !dtype.is_float() || inputs.iter().any(|x| x.dtype != dtype) {
            panic!(
                "TypeError: fma requires float operands of one dtype, got {}, {}, {}.",
                inputs[0].dtype, inputs[1].dtype, inputs[2].dtype
            );
        }
        let full = inputs.iter().find(|x| x.ndim() > 0).unwrap_or(&inputs[0]);
        if let Some(bad) = inputs
            .iter()
            .find(|x| x.ndim() > 0 && x.shape != full.shape)
        {
            panic!(
                "TypeError: fma got incompatible shapes for broadcasting: {}, {}.",
                fmt_tuple(&full.shape),
                fmt_tuple(&bad.shape)
            );
        }
        let weak = inputs.iter().all(|x| x.weak_type);
        smallvec![ShapedArray::with_weak(full.shape.clone(), dtype, weak)]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let n = outs[0].size();
        let mut out = Buffer::for_dtype(n, outs[0].dtype);
        let op = |i: usize| kernels::Operand::new(bufs[i], inputs[i].size(), n);
        kernels::fma::run(outs[0].dtype, op(0), op(1), op(2), &mut out);
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let (a, b) = (primals[0], primals[1]);
        let out = fma(a, b, primals[2]);
        let terms = [
            tangents[0].map(|t| lax::mul(t, b)),
            tangents[1].map(|t| lax::mul(a, t)),
            tangents[2].cloned(),
        ];
        let t = terms
            .into_iter()
            .fold(None, ad_util::add_any)
            .map(|t| ad_util::broadcast_to(&t, out.shape()));
        (smallvec![out], smallvec![t])
    }
    fn transpose(&self, _cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        ad_util::not_linear(self.name())
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Nonlinear
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        size: usize,
    ) -> crate::lax::batching::BatchResult {
        crate::lax::batching::elementwise(&Fma.into(), args, dims, size)
    }
}

/// `a * b + c` with one rounding (XLA's contracted multiply-add).
pub fn fma(a: &Array, b: &Array, c: &Array) -> Array {
    bind1(&Fma.into(), &[a, b, c])
}
