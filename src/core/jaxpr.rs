//! `Jaxpr`: a staged program of primitive applications.
//!
//! The types are in place for the staging and autodiff interpreters; the
//! typechecker, evaluator and pretty-printer arrive with them.

use super::aval::ShapedArray;
use crate::lax::Primitive;

/// A variable in a jaxpr, identified by index, with its abstract value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Var {
    /// Unique index within its jaxpr.
    pub id: usize,
    /// Shape, dtype and weak type.
    pub aval: ShapedArray,
}

/// An operand of an equation: a variable or a literal scalar.
#[derive(Clone, Debug)]
pub enum Atom {
    /// A variable.
    Var(Var),
    /// A literal constant (rank 0), stored as f64 bits with its aval.
    Literal(f64, ShapedArray),
}

/// One primitive application: `outvars = prim[params](inputs)`.
#[derive(Clone, Debug)]
pub struct JaxprEqn {
    /// The primitive with its params.
    pub primitive: Primitive,
    /// Operands.
    pub inputs: Vec<Atom>,
    /// Results.
    pub outvars: Vec<Var>,
}

/// A program: inputs, equations in order, and outputs.
#[derive(Clone, Debug, Default)]
pub struct Jaxpr {
    /// Input variables.
    pub invars: Vec<Var>,
    /// Equations.
    pub eqns: Vec<JaxprEqn>,
    /// Outputs.
    pub outvars: Vec<Atom>,
}
