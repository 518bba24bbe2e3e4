//! Partial evaluation: values are either known (ordinary arrays, computed
//! now) or unknown (tracers of this level); every primitive with an unknown
//! input is staged into a [`Jaxpr`] instead of run. Linearize uses it to
//! stage out the linear (tangent) part of a jvp.

use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::jaxpr::{Atom, ClosedJaxpr, Jaxpr, JaxprEqn, Var};
use crate::core::trace::{Interpreter, Outputs, TraceTag, Tracer};
use crate::lax::Primitive;
use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// An unknown value: a variable of the jaxpr being built.
pub struct JaxprTracer {
    var: Var,
    level: usize,
    main_id: u64,
    transformation: &'static str,
}

impl Tracer for JaxprTracer {
    fn aval(&self) -> &ShapedArray {
        &self.var.aval
    }
    fn level(&self) -> usize {
        self.level
    }
    fn main_id(&self) -> u64 {
        self.main_id
    }
    fn transformation(&self) -> &'static str {
        self.transformation
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[derive(Default)]
struct Builder {
    next_var: usize,
    eqns: Vec<JaxprEqn>,
    constvars: Vec<Var>,
    consts: Vec<Array>,
    /// Known arrays already captured as constants, by handle identity.
    const_index: HashMap<usize, usize>,
}

impl Builder {
    fn new_var(&mut self, aval: ShapedArray) -> Var {
        let id = self.next_var;
        self.next_var += 1;
        Var { id, aval }
    }
}

/// The partial-evaluation interpreter for one level; it owns the jaxpr being built.
///
/// Pushed as a *dynamic* trace it is jit's staging trace: then every
/// primitive bound while it is innermost is recorded, even on concrete
/// inputs (closed-over arrays become constants).
pub struct PartialEvalTrace {
    level: usize,
    main_id: u64,
    name: &'static str,
    /// Linearize's mode: control-flow primitives with known and unknown
    /// inputs are split, so their known part runs now. Jit's staging trace
    /// stages everything instead.
    split: bool,
    builder: RefCell<Builder>,
}

impl PartialEvalTrace {
    /// A fresh trace for `level` (named for linearize's error messages).
    pub fn new(level: usize, main_id: u64) -> PartialEvalTrace {
        PartialEvalTrace {
            split: true,
            ..PartialEvalTrace::named("linearize (partial evaluation)", level, main_id)
        }
    }

    /// A fresh trace whose tracers report `name` as their transformation.
    pub fn named(name: &'static str, level: usize, main_id: u64) -> PartialEvalTrace {
        PartialEvalTrace {
            level,
            main_id,
            name,
            split: false,
            builder: RefCell::new(Builder::default()),
        }
    }

    /// This trace's `(level, id)`.
    pub fn key(&self) -> (usize, u64) {
        (self.level, self.main_id)
    }

    /// A new unknown input of abstract value `aval`, with its variable.
    pub fn new_arg(&self, aval: ShapedArray) -> (Array, Var) {
        let var = self.builder.borrow_mut().new_var(aval);
        (self.tracer(var.clone()), var)
    }

    /// Whether `x` is an unknown of this trace.
    pub fn is_unknown(&self, x: &Array) -> bool {
        self.tag().owns(x)
    }

    /// Which main trace this is.
    fn tag(&self) -> TraceTag {
        TraceTag {
            level: self.level,
            main_id: self.main_id,
        }
    }

    fn tracer(&self, var: Var) -> Array {
        Array::from_tracer(Arc::new(JaxprTracer {
            var,
            level: self.level,
            main_id: self.main_id,
            transformation: self.name,
        }))
    }

    /// The jaxpr operand for `x`: its variable if unknown, else a literal or a
    /// captured constant.
    fn atom(&self, b: &mut Builder, x: &Array) -> Atom {
        if let Some(jt) = self.tag().own::<JaxprTracer>(x) {
            return Atom::Var(jt.var.clone());
        }
        if !x.is_tracer() && x.ndim() == 0 && x.is_ready() {
            return Atom::Literal(x.clone());
        }
        let key = x.ptr_id();
        if let Some(&i) = b.const_index.get(&key) {
            return Atom::Var(b.constvars[i].clone());
        }
        let v = b.new_var(x.aval().clone());
        b.const_index.insert(key, b.constvars.len());
        b.constvars.push(v.clone());
        b.consts.push(x.clone());
        Atom::Var(v)
    }

    /// Finishes the jaxpr with `invars` as inputs and `outs` as outputs
    /// (`None` outputs are zeros of the given abstract value).
    pub fn finish(&self, invars: Vec<Var>, outs: &[Array]) -> ClosedJaxpr {
        let mut b = self.builder.borrow_mut();
        let outvars: Vec<Atom> = outs.iter().map(|o| self.atom(&mut b, o)).collect();
        let b = std::mem::take(&mut *b);
        ClosedJaxpr {
            jaxpr: Jaxpr {
                constvars: b.constvars,
                invars,
                eqns: b.eqns,
                outvars,
            },
            consts: b.consts,
        }
    }
}

impl Interpreter for PartialEvalTrace {
    fn process_primitive(&self, prim: &Primitive, inputs: &[&Array]) -> Outputs {
        if self.split && inputs.iter().any(|x| !self.is_unknown(x)) {
            // Some known inputs: the primitive's rule may run the known part now.
            if let Some(outs) = prim.rules().partial_eval(self, inputs) {
                return outs;
            }
        }
        self.stage(prim, inputs)
    }
}

impl PartialEvalTrace {
    /// Records `prim` applied to `inputs` as an equation; returns its outputs as unknowns.
    pub fn stage(&self, prim: &Primitive, inputs: &[&Array]) -> Outputs {
        let mut b = self.builder.borrow_mut();
        let atoms: Vec<Atom> = inputs.iter().map(|x| self.atom(&mut b, x)).collect();
        let in_avals: Vec<&ShapedArray> = inputs.iter().map(|x| x.aval()).collect();
        let out_avals = prim.abstract_eval(&in_avals);
        let outvars: Vec<Var> = out_avals.into_iter().map(|a| b.new_var(a)).collect();
        b.eqns.push(JaxprEqn {
            primitive: prim.clone(),
            inputs: atoms,
            outvars: outvars.clone(),
        });
        drop(b);
        outvars.into_iter().map(|v| self.tracer(v)).collect()
    }
}
