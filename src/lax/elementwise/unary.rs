//! The unary elementwise primitive (`exp`, `neg`, `sqrt`, ...) and its rules.

use super::super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::super::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::ir::UnaryOp;
use crate::lax;
use smallvec::smallvec;

/// A one-input elementwise math primitive (`exp`, `neg`, `sqrt`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Unary {
    /// Which operation.
    pub op: UnaryOp,
}

impl PrimitiveRules for Unary {
    fn name(&self) -> &'static str {
        self.op.name()
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        if self.op == UnaryOp::Round {
            vec![("rounding_method", "1".into())]
        } else {
            vec![]
        }
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 1);
        let x = inputs[0];
        let domain = self.op.domain();
        if !domain.accepts(x.dtype) {
            panic!(
                "TypeError: {} does not accept dtype {}. Accepted dtypes are subtypes of {}.{}",
                self.name(),
                x.dtype,
                domain.describe(),
                if x.dtype.is_int() || x.dtype.is_bool() {
                    " Convert the operand first, e.g. x.astype(DType::F32)."
                } else {
                    ""
                }
            );
        }
        let dtype = match self.op {
            UnaryOp::IsFinite => DType::Bool,
            // |z| of a complex number is real.
            UnaryOp::Abs => x.dtype.real_dtype(),
            _ => x.dtype,
        };
        smallvec![ShapedArray::with_weak(x.shape.clone(), dtype, x.weak_type)]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut out = Buffer::for_dtype(outs[0].size(), outs[0].dtype);
        kernels::unary::run(self.op, inputs[0].dtype, bufs[0], &mut out);
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Elementwise
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let x = primals[0];
        let y = lax::unary(self.op, x);
        let t = match (tangents[0], self.differentiability()) {
            (Some(t), Differentiability::Linear | Differentiability::Nonlinear) => {
                Some(unary_tangent(self.op, x, &y, t))
            }
            _ => None,
        };
        (smallvec![y], smallvec![t])
    }
    fn transpose(&self, cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        match self.op {
            UnaryOp::Neg => smallvec![Some(lax::neg(&cts[0]))],
            _ => ad_util::not_linear(self.name()),
        }
    }
    fn differentiability(&self) -> Differentiability {
        use UnaryOp::*;
        match self.op {
            Neg => Differentiability::Linear,
            Sign | Floor | Ceil | Round => {
                Differentiability::NonDifferentiable("piecewise constant: the derivative is zero")
            }
            IsFinite => Differentiability::NonDifferentiable("boolean output"),
            Not => Differentiability::NonDifferentiable("boolean/integer operation"),
            _ => Differentiability::Nonlinear,
        }
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        _size: usize,
    ) -> crate::lax::batching::BatchResult {
        crate::lax::batching::same_axis(&crate::lax::Primitive::Unary(self.clone()), args, dims)
    }
}

/// The tangent of `y = op(x)` along `t` (the derivative formulas follow JAX's rules).
fn unary_tangent(op: UnaryOp, x: &Array, y: &Array, t: &Array) -> Array {
    use lax::{add, div, mul, neg, sub};
    let c = |v: f64| ad_util::scalar_like(x, v);
    match op {
        UnaryOp::Neg => neg(t),
        // d|z| = re(t conj(z) / |z|), with |z| = 0 replaced by 1 (JAX's rule).
        UnaryOp::Abs if x.dtype().is_complex() => {
            let zero = ad_util::scalar_like(y, 0.0);
            let one = ad_util::broadcast_to(&ad_util::scalar_like(y, 1.0), y.shape());
            let safe = lax::select(&lax::eq(y, &zero), &one, y);
            let safe = lax::convert_element_type(&safe, x.dtype());
            lax::real(&mul(t, &div(&lax::conj(x), &safe)))
        }
        // select(x >= 0, t, -t): the derivative at 0 (and -0) is 1, as in JAX.
        UnaryOp::Abs => lax::select(&lax::ge(x, &c(0.0)), t, &neg(t)),
        UnaryOp::Exp => mul(t, y),
        UnaryOp::Exp2 => mul(t, &mul(y, &c(std::f64::consts::LN_2))),
        UnaryOp::Expm1 => mul(t, &add(y, &c(1.0))),
        UnaryOp::Log => div(t, x),
        UnaryOp::Log1p => div(t, &add(x, &c(1.0))),
        UnaryOp::Sin => mul(t, &lax::cos(x)),
        UnaryOp::Cos => neg(&mul(t, &lax::sin(x))),
        UnaryOp::Tan => mul(t, &add(&c(1.0), &lax::square(y))),
        UnaryOp::Asin => mul(t, &lax::rsqrt(&sub(&c(1.0), &lax::square(x)))),
        UnaryOp::Acos => neg(&mul(t, &lax::rsqrt(&sub(&c(1.0), &lax::square(x))))),
        UnaryOp::Atan => div(t, &add(&c(1.0), &lax::square(x))),
        UnaryOp::Sinh => mul(t, &lax::cosh(x)),
        UnaryOp::Cosh => mul(t, &lax::sinh(x)),
        // (1 + y)(1 - y) t, as JAX writes it.
        UnaryOp::Tanh => mul(&add(t, &mul(t, y)), &sub(&c(1.0), y)),
        UnaryOp::Asinh => mul(t, &lax::rsqrt(&add(&lax::square(x), &c(1.0)))),
        UnaryOp::Acosh => mul(t, &lax::rsqrt(&mul(&sub(x, &c(1.0)), &add(x, &c(1.0))))),
        UnaryOp::Atanh => mul(
            &lax::div(&c(1.0), &add(&c(1.0), x)),
            &div(t, &sub(&c(1.0), x)),
        ),
        // t * 0.5 / y: infinite at 0, as in JAX.
        UnaryOp::Sqrt => mul(t, &div(&c(0.5), y)),
        UnaryOp::Rsqrt => mul(t, &mul(&c(-0.5), &div(y, x))),
        UnaryOp::Cbrt => mul(t, &mul(&c(1.0 / 3.0), &lax::integer_pow(y, -2))),
        UnaryOp::Logistic => mul(t, &mul(y, &sub(&c(1.0), y))),
        UnaryOp::Erf => mul(
            t,
            &mul(
                &c(2.0 / std::f64::consts::PI.sqrt()),
                &lax::exp(&neg(&lax::square(x))),
            ),
        ),
        // erfc' = -2/sqrt(pi) exp(-x^2).
        UnaryOp::Erfc => mul(
            t,
            &mul(
                &c(-2.0 / std::f64::consts::PI.sqrt()),
                &lax::exp(&neg(&lax::square(x))),
            ),
        ),
        // sqrt(pi)/2 * exp(y^2) t.
        UnaryOp::ErfInv => mul(
            t,
            &mul(
                &c(std::f64::consts::PI.sqrt() / 2.0),
                &lax::exp(&lax::square(y)),
            ),
        ),
        // i0e' = i1e(x) - sign(x) i0e(x).
        UnaryOp::BesselI0e => mul(t, &sub(&lax::bessel_i1e(x), &mul(&lax::sign(x), y))),
        // i1e' = i0e(x) - i1e(x) (sign(x) + 1/x), with 1/2 where |x| <= eps
        // (JAX's rule, which keeps the tangent finite at 0).
        UnaryOp::BesselI1e => {
            let eps = c(match x.dtype() {
                DType::F16 => 9.765625e-4,
                DType::BF16 => 7.8125e-3,
                DType::F64 => f64::EPSILON,
                _ => f32::EPSILON as f64,
            });
            let not_tiny = lax::gt(&lax::abs(x), &eps);
            let shape = x.shape();
            let safe = lax::select(&not_tiny, x, &ad_util::broadcast_to(&eps, shape));
            let d = sub(
                &lax::bessel_i0e(&safe),
                &mul(y, &add(&lax::sign(&safe), &div(&c(1.0), &safe))),
            );
            let half = ad_util::broadcast_to(&c(0.5), shape);
            mul(t, &lax::select(&not_tiny, &d, &half))
        }
        UnaryOp::Square => mul(t, &mul(&c(2.0), x)),
        UnaryOp::Sign
        | UnaryOp::Floor
        | UnaryOp::Ceil
        | UnaryOp::Round
        | UnaryOp::IsFinite
        | UnaryOp::Not => unreachable!("{} has zero tangents", op.name()),
    }
}
