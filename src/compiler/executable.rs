//! The executable form of a simplified jaxpr, run on the CPU backend:
//! each equation calls its primitive's kernel directly on buffers (no
//! tracing, no `Array` wrappers), and intermediate buffers are released
//! right after their last use so the allocator can reuse them.

use crate::backend::cpu::buffer::Buffer;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::jaxpr::{Atom, ClosedJaxpr, Jaxpr};
use crate::runtime::DeviceArray;
use std::sync::Arc;

/// Where an operand's buffer comes from.
#[derive(Clone, Debug)]
enum Operand {
    /// An environment slot (an input, a constant, or an equation result).
    Slot(usize),
    /// A literal or constant, held by the executable.
    Held(Arc<DeviceArray>),
}

#[derive(Debug)]
struct Step {
    eqn: usize,
    operands: Vec<Operand>,
    in_avals: Vec<ShapedArray>,
    outputs: Vec<usize>,
    /// Slots whose last use is this step (freed after it).
    frees: Vec<usize>,
}

/// A compiled program: run it with [`Executable::run`].
#[derive(Debug)]
pub struct Executable {
    jaxpr: Jaxpr,
    consts: Vec<Arc<DeviceArray>>,
    steps: Vec<Step>,
    num_slots: usize,
    outputs: Vec<Operand>,
}

enum Value {
    Empty,
    Shared(Arc<DeviceArray>),
    Owned(Buffer),
}

impl Value {
    fn buffer(&self) -> &Buffer {
        match self {
            Value::Shared(d) => d.buffer(),
            Value::Owned(b) => b,
            Value::Empty => panic!("internal error: executable read a freed or unset slot"),
        }
    }
}

fn concrete(x: &Array) -> Arc<DeviceArray> {
    x.as_device()
        .cloned()
        .expect("internal error: an executable constant is a tracer")
}

impl Executable {
    /// Plans the execution of `cj` (which should already be simplified).
    pub fn new(cj: &ClosedJaxpr) -> Executable {
        let j = &cj.jaxpr;
        let num_slots = j.num_vars();
        let operand = |a: &Atom| match a {
            Atom::Var(v) => Operand::Slot(v.id),
            Atom::Literal(x) => Operand::Held(concrete(x)),
        };
        // Liveness: the last step reading each slot (outputs live to the end).
        let mut last_use = vec![None; num_slots];
        for (i, eqn) in j.eqns.iter().enumerate() {
            for a in &eqn.inputs {
                if let Atom::Var(v) = a {
                    last_use[v.id] = Some(i);
                }
            }
        }
        for a in &j.outvars {
            if let Atom::Var(v) = a {
                last_use[v.id] = None;
            }
        }
        let steps = j
            .eqns
            .iter()
            .enumerate()
            .map(|(i, eqn)| {
                let mut frees: Vec<usize> = eqn
                    .inputs
                    .iter()
                    .filter_map(|a| match a {
                        Atom::Var(v) if last_use[v.id] == Some(i) => Some(v.id),
                        _ => None,
                    })
                    .collect();
                frees.sort_unstable();
                frees.dedup();
                Step {
                    eqn: i,
                    operands: eqn.inputs.iter().map(operand).collect(),
                    in_avals: eqn.inputs.iter().map(|a| a.aval().clone()).collect(),
                    outputs: eqn.outvars.iter().map(|v| v.id).collect(),
                    frees,
                }
            })
            .collect();
        Executable {
            jaxpr: j.clone(),
            consts: cj.consts.iter().map(concrete).collect(),
            steps,
            num_slots,
            outputs: j.outvars.iter().map(operand).collect(),
        }
    }

    /// The program this executable runs.
    pub fn jaxpr(&self) -> &Jaxpr {
        &self.jaxpr
    }

    /// Runs the program on concrete arguments (waiting for pending ones).
    pub fn run(&self, args: &[Array]) -> Vec<Array> {
        let j = &self.jaxpr;
        assert_eq!(
            args.len(),
            j.invars.len(),
            "executable called with the wrong arity"
        );
        let mut env: Vec<Value> = (0..self.num_slots).map(|_| Value::Empty).collect();
        for (v, c) in j.constvars.iter().zip(&self.consts) {
            env[v.id] = Value::Shared(c.clone());
        }
        for (v, x) in j.invars.iter().zip(args) {
            env[v.id] = Value::Shared(concrete(x));
        }
        for step in &self.steps {
            let eqn = &j.eqns[step.eqn];
            let bufs: Vec<&Buffer> = step
                .operands
                .iter()
                .map(|o| match o {
                    Operand::Slot(s) => env[*s].buffer(),
                    Operand::Held(d) => d.buffer(),
                })
                .collect();
            let in_avals: Vec<&ShapedArray> = step.in_avals.iter().collect();
            let out_avals: Vec<ShapedArray> = eqn.outvars.iter().map(|v| v.aval.clone()).collect();
            let outs = eqn.primitive.rules().impl_cpu(&in_avals, &bufs, &out_avals);
            drop(bufs);
            for (&slot, buf) in step.outputs.iter().zip(outs) {
                env[slot] = Value::Owned(buf);
            }
            for &slot in &step.frees {
                env[slot] = Value::Empty;
            }
        }
        let mut results = Vec::with_capacity(self.outputs.len());
        for (o, a) in self.outputs.iter().zip(&j.outvars) {
            let aval = a.aval().clone();
            let x = match o {
                Operand::Held(d) => Array::from_device(d.clone()),
                Operand::Slot(s) => match std::mem::replace(&mut env[*s], Value::Empty) {
                    Value::Shared(d) => {
                        env[*s] = Value::Shared(d.clone());
                        Array::from_device(d)
                    }
                    Value::Owned(b) => {
                        let d = DeviceArray::ready(aval, b);
                        env[*s] = Value::Shared(d.clone());
                        Array::from_device(d)
                    }
                    Value::Empty => panic!("internal error: executable output was never computed"),
                },
            };
            results.push(x);
        }
        results
    }
}
