//! Shared helpers for the jvp and transpose rules of the primitives:
//! symbolic zeros, constants, broadcasting tangents, and the types rules use.

use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::shape::Shape;
use crate::core::trace::{bind, Outputs};
use crate::lax::{self, Primitive};
use smallvec::SmallVec;

/// Output tangents of a jvp rule; `None` is a symbolic zero.
pub type Tangents = SmallVec<[Option<Array>; 1]>;
/// Input cotangents from a transpose rule, one per operand; `None` for
/// operands that are not linear inputs, or whose cotangent is zero.
pub type Cotangents = SmallVec<[Option<Array>; 3]>;
/// What a jvp rule returns: primal outputs and their tangents.
pub type JvpResult = (Outputs, Tangents);

/// An operand of a linear equation being transposed.
#[derive(Clone, Copy, Debug)]
pub enum LinearArg<'a> {
    /// A known (non-linear) operand, such as `c` in `mul(t, c)`.
    Known(&'a Array),
    /// A linear operand with no value: its cotangent is what transposition computes.
    Undefined(&'a ShapedArray),
}

impl<'a> LinearArg<'a> {
    /// Whether this operand is linear (undefined).
    pub fn is_linear(&self) -> bool {
        matches!(self, LinearArg::Undefined(_))
    }

    /// The abstract value of the operand.
    pub fn aval(&self) -> &'a ShapedArray {
        match self {
            LinearArg::Known(x) => x.aval(),
            LinearArg::Undefined(a) => a,
        }
    }

    /// The known value; panics if the operand is linear (a rule bug or a
    /// non-linear use of two linear operands).
    pub fn known(&self, prim: &str) -> &'a Array {
        match self {
            LinearArg::Known(x) => x,
            LinearArg::Undefined(_) => panic!(
                "TypeError: reverse-mode differentiation reached {prim} with two tangent \
                 operands, which is not linear. If this comes from a custom_jvp rule, its \
                 tangent output must be linear in the input tangents (e.g. t * cos(x), not t * t)."
            ),
        }
    }
}

/// How a primitive behaves under differentiation (checked by the rule-coverage test).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Differentiability {
    /// Has a jvp rule and a transpose rule (linear in some operands).
    Linear,
    /// Has a jvp rule; not linear, so no transpose rule.
    Nonlinear,
    /// Tangents are always zero; the reason says why.
    NonDifferentiable(&'static str),
}

/// Whether tangents flow through values of dtype `d` (real and complex
/// floating types).
pub fn is_differentiable_dtype(d: DType) -> bool {
    d.is_inexact()
}

/// Reads a concrete rank-0 (or size-1) array as f64.
pub fn scalar_value_f64(x: &Array) -> f64 {
    let buf = x.buffer("reading a scalar");
    crate::with_storage_type!(x.dtype(), T => {
        use crate::core::element::CastInto;
        let v: T = buf.as_slice::<T>()[0];
        CastInto::<f64>::cast(v)
    })
}

/// A concrete rank-0 constant of `dtype`.
pub fn constant(v: f64, dtype: DType, weak: bool) -> Array {
    use crate::backend::cpu::buffer::Buffer;
    use crate::core::element::CastInto;
    let buf = crate::with_storage_type!(dtype, T => {
        let x: T = if dtype.is_bool() {
            CastInto::<T>::cast((v != 0.0) as u8 as f64)
        } else {
            CastInto::<T>::cast(v)
        };
        Buffer::from_slice(&[x])
    });
    Array::from_storage(buf, Shape::scalar(), dtype, weak)
}

/// A `float0` array of `shape`: the tangent of an integer or bool value
/// (zero bytes of storage).
pub fn float0_zeros(shape: &[usize]) -> Array {
    use crate::backend::cpu::buffer::Buffer;
    Array::from_storage(
        Buffer::for_dtype(0, DType::Float0),
        Shape::from(shape.to_vec()),
        DType::Float0,
        false,
    )
}

/// A rank-0 constant with the dtype and weak type of `x`.
pub fn scalar_like(x: &Array, v: f64) -> Array {
    constant(v, x.dtype(), x.weak_type())
}

/// Zeros of the given abstract value.
pub fn zeros(aval: &ShapedArray) -> Array {
    let z = constant(0.0, aval.dtype, aval.weak_type);
    lax::broadcast_in_dim(&z, &aval.shape, &[])
}

/// `t` broadcast to `shape` when it is rank 0 and `shape` is not.
pub fn broadcast_to(t: &Array, shape: &[usize]) -> Array {
    if t.shape() == shape {
        t.clone()
    } else {
        assert_eq!(
            t.ndim(),
            0,
            "internal error: implicit broadcast of a non-scalar"
        );
        lax::broadcast_in_dim(t, shape, &[])
    }
}

/// The cotangent of an operand of abstract value `aval` that was implicitly
/// broadcast (rank 0 against a larger operand): sums `ct` down to rank 0.
pub fn unbroadcast(ct: &Array, aval: &ShapedArray) -> Array {
    let ct = if ct.shape() != &aval.shape[..] {
        let axes: Vec<usize> = (0..ct.ndim()).collect();
        lax::reduce(ct, crate::ir::ReduceOp::Sum, &axes)
    } else {
        ct.clone()
    };
    lax::convert_element_type_weak(&ct, aval.dtype, aval.weak_type)
}

/// A tangent, with a symbolic zero made concrete.
pub fn instantiate(t: Option<&Array>, like: &ShapedArray) -> Array {
    match t {
        Some(t) => t.clone(),
        None => zeros(like),
    }
}

/// Sums two tangents or cotangents, either of which may be a symbolic zero.
pub fn add_any(a: Option<Array>, b: Option<Array>) -> Option<Array> {
    match (a, b) {
        (None, b) => b,
        (a, None) => a,
        (Some(a), Some(b)) => Some(lax::add(&a, &b)),
    }
}

/// The jvp of a primitive whose tangents are zero: evaluates it on the primals.
pub fn zero_jvp(prim: Primitive, primals: &[&Array]) -> JvpResult {
    let outs = bind(&prim, primals);
    let tangents = outs.iter().map(|_| None).collect();
    (outs, tangents)
}

/// The jvp of a primitive that is linear in all its differentiable operands:
/// the same primitive applied to the tangents, with zeros instantiated.
pub fn linear_jvp(
    prim: Primitive,
    primals: &[&Array],
    tangents: &[Option<&Array>],
    linear_operands: usize,
) -> JvpResult {
    let outs = bind(&prim, primals);
    let ts: Vec<Array> = (0..primals.len())
        .map(|i| {
            if i < linear_operands {
                instantiate(tangents[i], primals[i].aval())
            } else {
                primals[i].clone()
            }
        })
        .collect();
    let refs: Vec<&Array> = ts.iter().collect();
    let touts = bind(&prim, &refs);
    (outs, touts.into_iter().map(Some).collect())
}

/// Panics: a transpose rule was requested for a primitive that is not linear.
pub fn not_linear(name: &str) -> ! {
    panic!(
        "TypeError: reverse-mode differentiation reached {name} applied to a tangent, but {name} \
         is not linear, so it has no transpose rule. If this comes from a custom_jvp rule, its \
         tangent output must be linear in the input tangents (e.g. t * cos(x), not sin(t))."
    )
}
