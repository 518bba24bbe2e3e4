//! `integer_pow`: `x ** y` for a static integer `y`.

use super::super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::super::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::lax;
use smallvec::smallvec;

/// `x ** y` for a static integer exponent `y`, by repeated multiplication.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IntegerPow {
    /// The exponent.
    pub y: i32,
}

impl PrimitiveRules for IntegerPow {
    fn name(&self) -> &'static str {
        "integer_pow"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![("y", self.y.to_string())]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 1);
        let x = inputs[0];
        if x.dtype.is_bool() {
            panic!("TypeError: integer_pow does not accept dtype bool.");
        }
        if self.y < 0 && x.dtype.is_int() {
            panic!(
                "ValueError: Integers cannot be raised to negative powers (integer_pow with \
                 y={} on {}). Convert to a float dtype first.",
                self.y, x.dtype
            );
        }
        smallvec![x.clone()]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut out = Buffer::for_dtype(outs[0].size(), outs[0].dtype);
        kernels::unary::integer_pow(self.y, inputs[0].dtype, bufs[0], &mut out);
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Elementwise
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let x = primals[0];
        let out = lax::integer_pow(x, self.y);
        let t = match tangents[0] {
            Some(t) if x.dtype().is_inexact() && self.y != 0 => Some(match self.y {
                1 => t.clone(),
                y => {
                    let c = ad_util::scalar_like(x, y as f64);
                    let d = if y == 2 {
                        x.clone()
                    } else {
                        lax::integer_pow(x, y - 1)
                    };
                    lax::mul(t, &lax::mul(&c, &d))
                }
            }),
            _ => None,
        };
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
        _size: usize,
    ) -> crate::lax::batching::BatchResult {
        crate::lax::batching::same_axis(
            &crate::lax::Primitive::IntegerPow(self.clone()),
            args,
            dims,
        )
    }
}
