//! The executable form of a simplified jaxpr, run on the CPU backend:
//! each equation calls its primitive's kernel directly on buffers (no
//! tracing, no `Array` wrappers), and intermediate buffers are released
//! right after their last use so the allocator can reuse them.

use super::fusion::{self, PlanItem};
use crate::backend::cpu::buffer::Buffer;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::jaxpr::{Atom, ClosedJaxpr, Jaxpr, Var};
use crate::ir::kernel::FusedKernel;
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

/// What a step runs.
#[derive(Debug)]
enum Work {
    /// Equation `i` of the jaxpr, through its primitive's CPU rule.
    Eqn(usize),
    /// A fused blockwise kernel.
    Fused(FusedKernel),
}

#[derive(Debug)]
struct Step {
    work: Work,
    operands: Vec<Operand>,
    in_avals: Vec<ShapedArray>,
    outputs: Vec<usize>,
    out_avals: Vec<ShapedArray>,
    /// Slots whose last use is this step (freed after it).
    frees: Vec<usize>,
    /// A `dynamic_update_slice` whose operand is an intermediate dead after
    /// this step: it updates that buffer in place.
    in_place: bool,
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
        // The plan: fused kernels and single equations, as (work, inputs, outputs).
        let items: Vec<(Work, Vec<Atom>, Vec<Var>)> = fusion::plan(j)
            .into_iter()
            .map(|item| match item {
                PlanItem::Eqn(e) => (
                    Work::Eqn(e),
                    j.eqns[e].inputs.clone(),
                    j.eqns[e].outvars.clone(),
                ),
                PlanItem::Fused {
                    kernel,
                    inputs,
                    outputs,
                    ..
                } => (Work::Fused(kernel), inputs, outputs),
            })
            .collect();
        // Liveness: the last step reading each slot (outputs live to the end).
        let mut last_use = vec![None; num_slots];
        for (i, (_, inputs, _)) in items.iter().enumerate() {
            for a in inputs {
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
        let mut produced = vec![false; num_slots];
        let steps = items
            .into_iter()
            .enumerate()
            .map(|(i, (work, inputs, outvars))| {
                let in_place = match (&work, inputs.first()) {
                    (Work::Eqn(e), Some(Atom::Var(v))) => {
                        matches!(
                            j.eqns[*e].primitive,
                            crate::lax::Primitive::DynamicUpdateSlice(_)
                        ) && produced[v.id]
                            && last_use[v.id] == Some(i)
                            && !inputs[1..]
                                .iter()
                                .any(|a| matches!(a, Atom::Var(w) if w.id == v.id))
                    }
                    _ => false,
                };
                for v in &outvars {
                    produced[v.id] = true;
                }
                let mut frees: Vec<usize> = inputs
                    .iter()
                    .filter_map(|a| match a {
                        Atom::Var(v) if last_use[v.id] == Some(i) => Some(v.id),
                        _ => None,
                    })
                    .collect();
                frees.sort_unstable();
                frees.dedup();
                Step {
                    work,
                    operands: inputs.iter().map(operand).collect(),
                    in_avals: inputs.iter().map(|a| a.aval().clone()).collect(),
                    outputs: outvars.iter().map(|v| v.id).collect(),
                    out_avals: outvars.iter().map(|v| v.aval.clone()).collect(),
                    frees,
                    in_place,
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

    /// The steps, one line each (`fused[exp,mul,reduce_sum]` or a primitive
    /// name): the "compiled" view for debugging.
    pub fn describe(&self) -> String {
        self.steps
            .iter()
            .map(|s| match &s.work {
                Work::Eqn(e) if s.in_place => {
                    format!("{} (in place)", self.jaxpr.eqns[*e].primitive.name())
                }
                Work::Eqn(e) => self.jaxpr.eqns[*e].primitive.name().to_string(),
                Work::Fused(k) => format!("fused[{}]", k.describe()),
            })
            .collect::<Vec<_>>()
            .join("\n")
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
            if step.in_place {
                let Operand::Slot(s) = step.operands[0] else {
                    unreachable!("in-place updates read a slot")
                };
                if let Value::Owned(mut buf) = std::mem::replace(&mut env[s], Value::Empty) {
                    let rest: Vec<&Buffer> = step.operands[1..]
                        .iter()
                        .map(|o| match o {
                            Operand::Slot(s) => env[*s].buffer(),
                            Operand::Held(d) => d.buffer(),
                        })
                        .collect();
                    let in_avals: Vec<&ShapedArray> = step.in_avals.iter().collect();
                    crate::lax::dynamic_update_slice_in_place(&in_avals, &mut buf, &rest);
                    drop(rest);
                    env[step.outputs[0]] = Value::Owned(buf);
                    for &slot in &step.frees {
                        if slot != step.outputs[0] {
                            env[slot] = Value::Empty;
                        }
                    }
                    continue;
                }
                unreachable!("an in-place operand is an intermediate buffer");
            }
            let bufs: Vec<&Buffer> = step
                .operands
                .iter()
                .map(|o| match o {
                    Operand::Slot(s) => env[*s].buffer(),
                    Operand::Held(d) => d.buffer(),
                })
                .collect();
            let outs = match &step.work {
                Work::Eqn(e) => {
                    let in_avals: Vec<&ShapedArray> = step.in_avals.iter().collect();
                    j.eqns[*e]
                        .primitive
                        .rules()
                        .impl_cpu(&in_avals, &bufs, &step.out_avals)
                }
                Work::Fused(k) => run_fused(k, &bufs),
            };
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

/// Runs a fused kernel on buffers, returning its output buffers.
fn run_fused(k: &FusedKernel, bufs: &[&Buffer]) -> crate::lax::Buffers {
    let inputs: Vec<&[f32]> = bufs.iter().map(|b| b.as_slice::<f32>()).collect();
    let mut outs: Vec<Buffer> = k
        .outputs
        .iter()
        .map(|_| Buffer::for_elements::<f32>(k.size))
        .collect();
    let result = {
        let mut slices: Vec<&mut [f32]> =
            outs.iter_mut().map(|b| b.as_mut_slice::<f32>()).collect();
        crate::backend::cpu::fused::run_f32(k, &inputs, &mut slices)
    };
    if let Some(r) = result {
        outs.push(Buffer::from_slice(&[r]));
    }
    outs.into_iter().collect()
}
