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
use smallvec::SmallVec;
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
    /// A native kernel (non-f32 elementwise chains, small-array runs),
    /// with the steps it replaces while its code is not compiled yet.
    Native(Arc<super::native_fusion::NativeKernel>, Fallback),
    /// A control-flow equation (`cond`, `while`, `scan`), run by
    /// `compiler::control` with its dead operands moved in.
    Control(usize),
}

/// The steps a native kernel replaces, run until its code is ready.
#[derive(Debug, Default)]
struct Fallback {
    steps: Vec<Step>,
    /// Slots the steps define that the kernel does not output (cleared after).
    scratch: Vec<usize>,
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
    /// Whether that operand is an input of the program: then the update is
    /// in place only when the caller passes it as an owned buffer (a loop
    /// carry after the first iteration, or a donated argument).
    in_place_on_input: bool,
    /// A reshape or squeeze: the bytes are unchanged, so an operand dead
    /// after this step hands its buffer to the result instead of a copy.
    bitcast: bool,
}

/// A compiled program: run it with [`Executable::run`].
#[derive(Debug)]
pub struct Executable {
    jaxpr: Jaxpr,
    consts: Vec<Arc<DeviceArray>>,
    steps: Vec<Step>,
    num_slots: usize,
    outputs: Vec<Operand>,
    /// The most elements of any value of the program (its size, for
    /// choosing between running inline and on the stream).
    work: usize,
}

/// Programs with a value of at least this many elements run on the
/// stream even when their inputs are ready. It is higher than the eager
/// threshold (`runtime::dispatch::ASYNC_MIN_ELEMENTS`) because a program
/// does more per element than one op: the hand-off to the stream thread and
/// back (two thread wake-ups, 50-90 µs measured on these 2-core VMs, on
/// `jit_at_set_fori_1e4_n1e6`) is worth paying only where the program is
/// long enough for the caller to overlap it with other work.
pub const ASYNC_MIN_PROGRAM_ELEMENTS: usize = 1 << 22;

/// A value in an executable's environment. Loops pass their carries as
/// `Owned` buffers, so an update of a dead carry can happen in place.
pub(crate) enum Value<'a> {
    /// Not yet computed, or already released.
    Empty,
    /// A shared, immutable array.
    Shared(Arc<DeviceArray>),
    /// A buffer owned by the caller, read-only here.
    Borrowed(&'a Buffer),
    /// A buffer this program owns and may update in place.
    Owned(Buffer),
}

impl<'a> Value<'a> {
    pub(crate) fn buffer(&self) -> &Buffer {
        match self {
            Value::Shared(d) => d.buffer(),
            Value::Borrowed(b) => b,
            Value::Owned(b) => b,
            Value::Empty => panic!("internal error: executable read a freed or unset slot"),
        }
    }

    /// A value that no longer borrows (borrowed buffers are copied).
    pub(crate) fn detach(self) -> Value<'static> {
        match self {
            Value::Borrowed(b) => Value::Owned(b.clone()),
            Value::Shared(d) => Value::Shared(d),
            Value::Owned(b) => Value::Owned(b),
            Value::Empty => Value::Empty,
        }
    }

    /// The value as an owned buffer (copying shared or borrowed data).
    pub(crate) fn into_buffer(self) -> Buffer {
        match self {
            Value::Owned(b) => b,
            Value::Shared(mut d) => {
                DeviceArray::take_buffer_if_unique(&mut d).unwrap_or_else(|| d.buffer().clone())
            }
            Value::Borrowed(b) => b.clone(),
            Value::Empty => panic!("internal error: executable read a freed or unset slot"),
        }
    }

    /// A reference to this value that borrows its buffer.
    pub(crate) fn borrow(&self) -> Value<'_> {
        Value::Borrowed(self.buffer())
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
        let mut plan = fusion::plan(j);
        if crate::config::jit_tier() != crate::config::JitTier::Interp {
            plan = super::native_fusion::fuse(j, plan);
            plan = super::native_small::fuse(j, plan);
        }
        let items: Vec<(Work, Vec<Atom>, Vec<Var>)> =
            plan.into_iter().map(|item| work_of(j, item)).collect();
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
        let steps = items
            .into_iter()
            .enumerate()
            .map(|(i, (work, inputs, outvars))| {
                let in_place = match (&work, inputs.first()) {
                    (Work::Eqn(e), Some(Atom::Var(v))) => {
                        matches!(
                            j.eqns[*e].primitive,
                            crate::lax::Primitive::DynamicUpdateSlice(_)
                        ) && last_use[v.id] == Some(i)
                            && !inputs[1..]
                                .iter()
                                .any(|a| matches!(a, Atom::Var(w) if w.id == v.id))
                    }
                    _ => false,
                };
                let bitcast = matches!(&work, Work::Eqn(e) if matches!(
                    j.eqns[*e].primitive,
                    crate::lax::Primitive::Reshape(_) | crate::lax::Primitive::Squeeze(_)
                ));
                let in_place_on_input = in_place
                    && matches!(inputs.first(), Some(Atom::Var(v)) if j.invars.iter().any(|w| w.id == v.id));
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
                    in_place_on_input,
                    bitcast,
                }
            })
            .collect();
        let work = j
            .invars
            .iter()
            .chain(j.eqns.iter().flat_map(|e| &e.outvars))
            .map(|v| v.aval.size())
            .max()
            .unwrap_or(0);
        Executable {
            jaxpr: j.clone(),
            consts: cj.consts.iter().map(concrete).collect(),
            steps,
            num_slots,
            outputs: j.outvars.iter().map(operand).collect(),
            work,
        }
    }

    /// Runs the program as eager operations run: inline when its inputs
    /// are ready and it is small (every value under
    /// [`ASYNC_MIN_PROGRAM_ELEMENTS`]), otherwise enqueued on the compute
    /// stream, returning pending arrays at once (`block_until_ready` waits;
    /// a failure surfaces there). Owned values are donated, as in
    /// [`Executable::run_owned`].
    pub(crate) fn dispatch(this: &Arc<Executable>, values: Vec<Value<'static>>) -> Vec<Array> {
        let pending_input = values
            .iter()
            .any(|v| matches!(v, Value::Shared(d) if !d.is_ready()));
        if !pending_input && this.work < ASYNC_MIN_PROGRAM_ELEMENTS {
            return this.run_owned(values);
        }
        let outs: SmallVec<[Arc<DeviceArray>; 1]> = this
            .jaxpr
            .outvars
            .iter()
            .map(|a| DeviceArray::pending(a.aval().clone()))
            .collect();
        // Shared inputs are the task's (the stream waits for them); owned
        // buffers move into the task.
        let mut shared: SmallVec<[Arc<DeviceArray>; 4]> = SmallVec::new();
        let mut owned: Vec<Option<Buffer>> = Vec::with_capacity(values.len());
        for v in values {
            match v {
                Value::Shared(d) => {
                    shared.push(d);
                    owned.push(None);
                }
                v => owned.push(Some(v.into_buffer())),
            }
        }
        let exe = this.clone();
        crate::runtime::stream::enqueue(
            "jit",
            shared,
            outs.clone(),
            Box::new(move |bufs| {
                let mut next = bufs.iter();
                let args: Vec<Value<'_>> = owned
                    .into_iter()
                    .map(|o| match o {
                        Some(b) => Value::Owned(b),
                        None => Value::Borrowed(next.next().expect("a shared input")),
                    })
                    .collect();
                exe.run_values(args)
                    .into_iter()
                    .map(Value::into_buffer)
                    .collect()
            }),
        );
        outs.into_iter().map(Array::from_device).collect()
    }

    /// The steps, one line each (`fused[exp,mul,reduce_sum]` or a primitive
    /// name): the "compiled" view for debugging.
    pub fn describe(&self) -> String {
        self.steps
            .iter()
            .map(|s| match &s.work {
                Work::Eqn(e) if s.in_place_on_input => format!(
                    "{} (in place if the input is owned)",
                    self.jaxpr.eqns[*e].primitive.name()
                ),
                Work::Eqn(e) if s.in_place => {
                    format!("{} (in place)", self.jaxpr.eqns[*e].primitive.name())
                }
                Work::Eqn(e) => self.jaxpr.eqns[*e].primitive.name().to_string(),
                Work::Control(e) => describe_control(&self.jaxpr.eqns[*e].primitive),
                Work::Fused(k) => format!("fused[{}]", k.describe()),
                Work::Native(k, _) => format!("native[{}]", k.names),
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
        assert_eq!(
            args.len(),
            self.jaxpr.invars.len(),
            "executable called with the wrong arity"
        );
        let values = args.iter().map(|x| Value::Shared(concrete(x))).collect();
        self.run_owned(values)
    }

    /// Runs the program on values (owned buffers are donated: the program
    /// may update them in place).
    pub(crate) fn run_owned(&self, values: Vec<Value<'static>>) -> Vec<Array> {
        assert_eq!(
            values.len(),
            self.jaxpr.invars.len(),
            "executable called with the wrong arity"
        );
        self.run_values(values)
            .into_iter()
            .zip(&self.jaxpr.outvars)
            .map(|(v, a)| match v {
                Value::Shared(d) => Array::from_device(d),
                v => Array::from_device(DeviceArray::ready(a.aval().clone(), v.into_buffer())),
            })
            .collect()
    }

    /// Runs the program on buffers. `Owned` arguments whose last use is an
    /// update are updated in place; outputs never borrow.
    pub(crate) fn run_values(&self, args: Vec<Value<'_>>) -> Vec<Value<'static>> {
        let j = &self.jaxpr;
        debug_assert_eq!(args.len(), j.invars.len());
        let mut env: SmallVec<[Value<'_>; 64]> =
            (0..self.num_slots).map(|_| Value::Empty).collect();
        for (v, c) in j.constvars.iter().zip(&self.consts) {
            env[v.id] = Value::Shared(c.clone());
        }
        for (v, x) in j.invars.iter().zip(args) {
            env[v.id] = x;
        }
        for step in &self.steps {
            self.run_step(step, &mut env);
        }
        // Outputs: move each slot out on its last mention, share it otherwise.
        let mut results = Vec::with_capacity(self.outputs.len());
        for (i, (o, a)) in self.outputs.iter().zip(&j.outvars).enumerate() {
            let x = match o {
                Operand::Held(d) => Value::Shared(d.clone()),
                Operand::Slot(s) => {
                    let again = self.outputs[i + 1..]
                        .iter()
                        .any(|p| matches!(p, Operand::Slot(t) if t == s));
                    match std::mem::replace(&mut env[*s], Value::Empty) {
                        Value::Empty => {
                            panic!("internal error: executable output was never computed")
                        }
                        v if !again => v.detach(),
                        v => {
                            let d = match v {
                                Value::Shared(d) => d,
                                v => DeviceArray::ready(a.aval().clone(), v.into_buffer()),
                            };
                            env[*s] = Value::Shared(d.clone());
                            Value::Shared(d)
                        }
                    }
                }
            };
            // A shared value aliased by a reshape carries its source's shape.
            let x = match x {
                Value::Shared(d) if d.aval() != a.aval() => Value::Owned(d.buffer().clone()),
                x => x,
            };
            results.push(x);
        }
        results
    }

    /// Runs one step, releasing the slots whose last use it is.
    fn run_step<'a>(&self, step: &Step, env: &mut [Value<'a>]) {
        let j = &self.jaxpr;
        if step.in_place && self.run_in_place(step, env) {
            return;
        }
        if step.bitcast && Self::run_bitcast(step, env) {
            return;
        }
        let outs: SmallVec<[Value<'static>; 2]> = match &step.work {
            Work::Control(e) => {
                let args = take_operands(step, env);
                super::control::run(&j.eqns[*e].primitive, args, &step.out_avals)
                    .into_iter()
                    .collect()
            }
            Work::Native(k, fallback) if super::native_fusion::ready(k).is_none() => {
                // Code not compiled yet: the steps it replaces.
                for s in &fallback.steps {
                    self.run_step(s, env);
                }
                for &slot in fallback.scratch.iter().chain(&step.frees) {
                    env[slot] = Value::Empty;
                }
                return;
            }
            work => {
                let bufs: SmallVec<[&Buffer; 4]> = step
                    .operands
                    .iter()
                    .map(|o| match o {
                        Operand::Slot(s) => env[*s].buffer(),
                        Operand::Held(d) => d.buffer(),
                    })
                    .collect();
                let outs = match work {
                    Work::Eqn(e) => {
                        let in_avals: SmallVec<[&ShapedArray; 4]> = step.in_avals.iter().collect();
                        j.eqns[*e]
                            .primitive
                            .rules()
                            .impl_cpu(&in_avals, &bufs, &step.out_avals)
                    }
                    Work::Fused(k) => run_fused(k, &bufs),
                    Work::Native(k, _) => {
                        let code = super::native_fusion::ready(k)
                            .expect("internal error: native code checked ready");
                        super::native_fusion::run(k, code, &bufs)
                    }
                    Work::Control(_) => unreachable!(),
                };
                outs.into_iter().map(Value::Owned).collect()
            }
        };
        for &slot in &step.frees {
            env[slot] = Value::Empty;
        }
        for (&slot, v) in step.outputs.iter().zip(outs) {
            env[slot] = v;
        }
    }

    /// Runs a reshape without copying where it can: a dead operand this
    /// program owns (or holds the only reference to) hands its buffer over,
    /// and a shared operand is shared by the result too (outputs of another
    /// shape are copied on the way out). Returns false (copy as usual) for a
    /// borrowed or still-live owned operand.
    fn run_bitcast(step: &Step, env: &mut [Value<'_>]) -> bool {
        let Operand::Slot(s) = step.operands[0] else {
            return false;
        };
        let dies = step.frees.contains(&s);
        let out = match std::mem::replace(&mut env[s], Value::Empty) {
            Value::Owned(b) if dies => Value::Owned(b),
            Value::Shared(mut d) if dies => match DeviceArray::take_buffer_if_unique(&mut d) {
                Some(b) => Value::Owned(b),
                None => Value::Shared(d),
            },
            Value::Shared(d) => {
                env[s] = Value::Shared(d.clone());
                Value::Shared(d)
            }
            other => {
                env[s] = other;
                return false;
            }
        };
        env[step.outputs[0]] = out;
        true
    }

    /// Runs an in-place `dynamic_update_slice` if its operand buffer is owned
    /// here; returns false (run it normally) otherwise.
    fn run_in_place(&self, step: &Step, env: &mut [Value<'_>]) -> bool {
        let Operand::Slot(s) = step.operands[0] else {
            return false;
        };
        if !matches!(env[s], Value::Owned(_)) {
            return false;
        }
        let Value::Owned(mut buf) = std::mem::replace(&mut env[s], Value::Empty) else {
            unreachable!()
        };
        {
            let rest: Vec<&Buffer> = step.operands[1..]
                .iter()
                .map(|o| match o {
                    Operand::Slot(s) => env[*s].buffer(),
                    Operand::Held(d) => d.buffer(),
                })
                .collect();
            let in_avals: Vec<&ShapedArray> = step.in_avals.iter().collect();
            crate::lax::dynamic_update_slice_in_place(&in_avals, &mut buf, &rest);
        }
        for &slot in &step.frees {
            env[slot] = Value::Empty;
        }
        env[step.outputs[0]] = Value::Owned(buf);
        true
    }
}

/// What a plan item runs, with its operands and results.
fn work_of(j: &Jaxpr, item: PlanItem) -> (Work, Vec<Atom>, Vec<Var>) {
    match item {
        PlanItem::Eqn(e) => (
            if j.eqns[e].primitive.is_control_flow() {
                Work::Control(e)
            } else {
                Work::Eqn(e)
            },
            j.eqns[e].inputs.clone(),
            j.eqns[e].outvars.clone(),
        ),
        PlanItem::Fused {
            kernel,
            inputs,
            outputs,
            ..
        } => (Work::Fused(kernel), inputs, outputs),
        PlanItem::Native {
            kernel,
            inputs,
            outputs,
            fallback,
            ..
        } => {
            let mut steps = vec![];
            let mut scratch = vec![];
            for item in fallback {
                let (work, ins, outs) = work_of(j, item);
                scratch.extend(
                    outs.iter()
                        .filter(|v| !outputs.iter().any(|o| o.id == v.id))
                        .map(|v| v.id),
                );
                steps.push(Step {
                    work,
                    operands: ins
                        .iter()
                        .map(|a| match a {
                            Atom::Var(v) => Operand::Slot(v.id),
                            Atom::Literal(x) => Operand::Held(concrete(x)),
                        })
                        .collect(),
                    in_avals: ins.iter().map(|a| a.aval().clone()).collect(),
                    outputs: outs.iter().map(|v| v.id).collect(),
                    out_avals: outs.iter().map(|v| v.aval.clone()).collect(),
                    frees: vec![],
                    in_place: false,
                    in_place_on_input: false,
                    bitcast: false,
                });
            }
            let fallback = Fallback { steps, scratch };
            (Work::Native(kernel, fallback), inputs, outputs)
        }
    }
}

/// A control-flow step with its compiled bodies, indented.
fn describe_control(p: &crate::lax::Primitive) -> String {
    use super::control::executable;
    use crate::lax::Primitive;
    let indent =
        |label: &str, text: String| format!("\n  {label}:\n    {}", text.replace('\n', "\n    "));
    let mut out = p.name().to_string();
    match p {
        Primitive::Scan(s) => {
            out += &format!("[length={}]", s.length);
            out += &indent("body", executable(&s.body).describe());
        }
        Primitive::While(w) => {
            out += &indent("cond", executable(&w.cond).describe());
            out += &indent("body", executable(&w.body).describe());
        }
        Primitive::Cond(c) => {
            for (i, b) in c.branches.iter().enumerate() {
                out += &indent(&format!("branch {i}"), executable(b).describe());
            }
        }
        _ => {}
    }
    if let Some(tier) = super::control::describe_tier(p) {
        out += &format!("\n  tier: {tier}");
    }
    out
}

/// The operands of a control-flow step: slots that die here are moved out
/// (so loops may update them in place), the rest are borrowed.
fn take_operands<'e, 'a: 'e>(step: &Step, env: &'e mut [Value<'a>]) -> Vec<Value<'e>> {
    let mut moved: Vec<Option<Value<'a>>> = step
        .operands
        .iter()
        .enumerate()
        .map(|(i, o)| match o {
            Operand::Slot(s)
                if step.frees.contains(s)
                    && !step
                        .operands
                        .iter()
                        .enumerate()
                        .any(|(k, p)| k != i && matches!(p, Operand::Slot(t) if t == s)) =>
            {
                Some(std::mem::replace(&mut env[*s], Value::Empty))
            }
            _ => None,
        })
        .collect();
    let env: &'e [Value<'a>] = env;
    step.operands
        .iter()
        .zip(moved.iter_mut())
        .map(|(o, m)| match (m.take(), o) {
            (Some(v), _) => v,
            (None, Operand::Slot(s)) => Value::Borrowed(env[*s].buffer()),
            (None, Operand::Held(d)) => Value::Shared(d.clone()),
        })
        .collect()
}

/// Runs a fused kernel on buffers, returning its output buffers.
fn run_fused(k: &FusedKernel, bufs: &[&Buffer]) -> crate::lax::Buffers {
    use crate::backend::cpu::fused::{self, In, Out, Outs};
    use crate::core::dtype::DType;
    let inputs: SmallVec<[In; 4]> = bufs
        .iter()
        .zip(&k.inputs)
        .map(|(b, ki)| match ki.dtype {
            DType::Bool => In::Bool(b.as_slice::<u8>()),
            _ => In::F32(b.as_slice::<f32>()),
        })
        .collect();
    let size = k.size();
    let mut outs: crate::lax::Buffers = k
        .outputs
        .iter()
        .map(|&(_, dt)| Buffer::for_dtype(size, dt))
        .collect();
    let mut reduced = k
        .reduction
        .map(|red| Buffer::for_elements::<f32>(red.outer * red.inner));
    {
        let slices: Outs = outs
            .iter_mut()
            .zip(&k.outputs)
            .map(|(b, &(_, dt))| match dt {
                DType::Bool => Out::Bool(b.as_mut_slice::<u8>()),
                _ => Out::F32(b.as_mut_slice::<f32>()),
            })
            .collect();
        fused::run(
            k,
            &inputs,
            slices,
            reduced.as_mut().map(|b| b.as_mut_slice::<f32>()),
        );
    }
    outs.extend(reduced);
    outs
}
