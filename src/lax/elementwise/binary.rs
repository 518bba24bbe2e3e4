//! The binary elementwise primitive (`add`, `mul`, `max`, `and`, ...) and its rules.
//!
//! Operands must have equal shapes and dtypes, except that a rank-0 operand
//! broadcasts against the other. Outputs are weak only when every input is.

use super::super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::super::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::fmt_tuple;
use crate::ir::BinaryOp;
use crate::lax;
use smallvec::smallvec;

/// A two-input elementwise primitive (`add`, `mul`, `max`, `and`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Binary {
    /// Which operation.
    pub op: BinaryOp,
}

/// The output shape of a binary elementwise op: equal shapes, or a rank-0 side.
pub(super) fn binary_shape(
    name: &str,
    a: &ShapedArray,
    b: &ShapedArray,
) -> crate::core::shape::Shape {
    if a.shape == b.shape || b.ndim() == 0 {
        a.shape.clone()
    } else if a.ndim() == 0 {
        b.shape.clone()
    } else {
        panic!(
            "TypeError: {name} got incompatible shapes for broadcasting: {}, {}. \
             lax ops need equal shapes; jnp functions broadcast automatically \
             (or use jnp::broadcast_to).",
            fmt_tuple(&a.shape),
            fmt_tuple(&b.shape)
        )
    }
}

pub(super) fn same_dtypes(name: &str, a: &ShapedArray, b: &ShapedArray) {
    if a.dtype != b.dtype {
        panic!(
            "TypeError: lax.{name} requires arguments to have the same dtypes, got {}, {}. \
             (Tip: jnp::{name} is a similar function that does automatic type promotion \
             on inputs).",
            a.dtype, b.dtype
        );
    }
}

impl PrimitiveRules for Binary {
    fn name(&self) -> &'static str {
        self.op.name()
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 2);
        let (a, b) = (inputs[0], inputs[1]);
        same_dtypes(self.name(), a, b);
        let domain = self.op.domain();
        let bool_ok = !a.dtype.is_bool()
            || matches!(
                self.op,
                BinaryOp::Add
                    | BinaryOp::Mul
                    | BinaryOp::Max
                    | BinaryOp::Min
                    | BinaryOp::And
                    | BinaryOp::Or
                    | BinaryOp::Xor
            );
        if !domain.accepts(a.dtype) || !bool_ok {
            panic!(
                "TypeError: {} does not accept dtype {} at position 0. Accepted dtypes at \
                 position 0 are subtypes of {}.",
                self.name(),
                a.dtype,
                if bool_ok {
                    domain.describe()
                } else {
                    "integer, floating, complexfloating"
                }
            );
        }
        let shape = binary_shape(self.name(), a, b);
        smallvec![ShapedArray::with_weak(
            shape,
            a.dtype,
            a.weak_type && b.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut out = Buffer::for_dtype(outs[0].size(), outs[0].dtype);
        kernels::binary::run(
            self.op,
            inputs[0].dtype,
            kernels::Operand::new(bufs[0], inputs[0].size(), outs[0].size()),
            kernels::Operand::new(bufs[1], inputs[1].size(), outs[0].size()),
            &mut out,
        );
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Elementwise
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let (x, y) = (primals[0], primals[1]);
        let out = lax::binary(self.op, x, y);
        if matches!(
            self.differentiability(),
            Differentiability::NonDifferentiable(_)
        ) || !out.dtype().is_inexact()
        {
            return (smallvec![out], smallvec![None]);
        }
        let shape = out.shape().to_vec();
        let tx = tangents[0]
            .map(|t| ad_util::broadcast_to(&lhs_tangent(self.op, x, y, &out, t), &shape));
        let ty = tangents[1]
            .map(|t| ad_util::broadcast_to(&rhs_tangent(self.op, x, y, &out, t), &shape));
        (smallvec![out], smallvec![ad_util::add_any(tx, ty)])
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let ct = &cts[0];
        let (x, y) = (&args[0], &args[1]);
        let name = self.name();
        let un = |v: Array, a: &LinearArg<'_>| Some(ad_util::unbroadcast(&v, a.aval()));
        let (cx, cy) = match self.op {
            BinaryOp::Add => (
                x.is_linear().then(|| ct.clone()),
                y.is_linear().then(|| ct.clone()),
            ),
            BinaryOp::Sub => (
                x.is_linear().then(|| ct.clone()),
                y.is_linear().then(|| lax::neg(ct)),
            ),
            BinaryOp::Mul => (
                x.is_linear().then(|| lax::mul(ct, y.known(name))),
                y.is_linear().then(|| lax::mul(x.known(name), ct)),
            ),
            BinaryOp::Div => {
                if y.is_linear() {
                    ad_util::not_linear("div (in its divisor)");
                }
                (Some(lax::div(ct, y.known(name))), None)
            }
            _ => ad_util::not_linear(name),
        };
        smallvec![cx.and_then(|v| un(v, x)), cy.and_then(|v| un(v, y))]
    }
    fn differentiability(&self) -> Differentiability {
        use BinaryOp::*;
        match self.op {
            Add | Sub | Mul | Div => Differentiability::Linear,
            Rem | Pow | Max | Min | Atan2 => Differentiability::Nonlinear,
            And | Or | Xor | ShiftLeft | ShiftRightArithmetic | ShiftRightLogical => {
                Differentiability::NonDifferentiable("integer/boolean operation")
            }
        }
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        size: usize,
    ) -> crate::lax::batching::BatchResult {
        crate::lax::batching::elementwise(
            &crate::lax::Primitive::Binary(self.clone()),
            args,
            dims,
            size,
        )
    }
}

/// JAX's tie-splitting weight for `max`/`min`: 1 where `a` is the result
/// alone, 1/2 where both operands equal the result, 0 elsewhere.
fn balanced_eq(a: &Array, z: &Array, b: &Array) -> Array {
    let d = z.dtype();
    let a_is = lax::convert_element_type_weak(&lax::eq(a, z), d, z.weak_type());
    let b_is = lax::convert_element_type_weak(&lax::eq(b, z), d, z.weak_type());
    lax::div(&a_is, &lax::add(&b_is, &ad_util::scalar_like(z, 1.0)))
}

/// `select(x == 0, 1, x)`, to keep `log(x)` finite where its factor is zero.
fn replace_zero(x: &Array) -> Array {
    let zero = ad_util::scalar_like(x, 0.0);
    let one = ad_util::broadcast_to(&ad_util::scalar_like(x, 1.0), x.shape());
    lax::select(&lax::eq(x, &zero), &one, x)
}

/// The tangent contribution of the left operand.
fn lhs_tangent(op: BinaryOp, x: &Array, y: &Array, out: &Array, t: &Array) -> Array {
    use lax::{add, div, mul, square, sub};
    match op {
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Rem => t.clone(),
        BinaryOp::Mul => mul(t, y),
        BinaryOp::Div => div(t, y),
        BinaryOp::Pow => mul(
            t,
            &mul(y, &lax::pow(x, &sub(y, &ad_util::scalar_like(y, 1.0)))),
        ),
        BinaryOp::Max | BinaryOp::Min => mul(t, &balanced_eq(x, out, y)),
        BinaryOp::Atan2 => mul(t, &div(y, &add(&square(x), &square(y)))),
        _ => unreachable!("{} is not differentiable", op.name()),
    }
}

/// The tangent contribution of the right operand.
fn rhs_tangent(op: BinaryOp, x: &Array, y: &Array, out: &Array, t: &Array) -> Array {
    use lax::{add, div, mul, neg, square};
    match op {
        BinaryOp::Add => t.clone(),
        BinaryOp::Sub => neg(t),
        BinaryOp::Mul => mul(x, t),
        BinaryOp::Div => mul(&mul(&neg(t), x), &lax::integer_pow(y, -2)),
        BinaryOp::Rem => {
            let q = div(x, y);
            mul(&neg(t), &mul(&lax::sign(&q), &lax::floor(&lax::abs(&q))))
        }
        BinaryOp::Pow => mul(t, &mul(&lax::log(&replace_zero(x)), out)),
        BinaryOp::Max | BinaryOp::Min => mul(t, &balanced_eq(y, out, x)),
        BinaryOp::Atan2 => mul(&neg(t), &div(x, &add(&square(x), &square(y)))),
        _ => unreachable!("{} is not differentiable", op.name()),
    }
}
