//! Elementwise chains that the float32 block runner cannot fuse (integer
//! index math, f64, bool logic, casts) fused into native kernels: a run of
//! elementwise equations over one shape, optionally closed by an integer
//! `reduce_sum/max/min` over every axis, lowers to an elementwise range
//! program (`ir::typed`, `LoopKind::Range`) that the CPU backend compiles
//! with Cranelift and runs split over its worker threads. Each element is
//! computed by the same instructions as the native loop tier, so results
//! keep the eager bits (integer reductions are exact in any order).

use super::fusion::{PlanItem, Readers};
use super::native_loop::{scalar_bits, scalar_buffer, LVal, Lowerer};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::native::NativeLoop;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::jaxpr::{Atom, Jaxpr, Var};
use crate::ir::typed::LoopProgram;
use crate::ir::typed::{width_mask, Inst, Value};
use crate::ir::{BinaryOp, ReduceOp};
use crate::lax::{FusionClass, Primitive};
use smallvec::SmallVec;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// Below this many elements a kernel is not worth compiling.
const MIN_ELEMENTS: usize = 4096;

/// A compiled elementwise kernel (a range program over `n` elements), or a
/// straight-line kernel on small arrays (`native_small.rs`, a one-step
/// counted program).
#[derive(Debug)]
pub struct NativeKernel {
    /// The program and, once compiled, its machine code.
    pub(crate) code: NativeCode,
    /// Elements in the iteration space.
    pub(crate) n: usize,
    /// For each kernel input (operand order): a scalar parameter index
    /// (after the two range bounds), or a buffer.
    pub(crate) inputs: Vec<KernelInput>,
    /// For each output: a full buffer, or the reduction (the last output).
    pub(crate) outputs: Vec<KernelOutput>,
    /// The reduction, its dtype and identity.
    pub(crate) reduce: Option<(ReduceOp, DType, u64)>,
    /// Operation names, for `describe()`.
    pub(crate) names: String,
}

#[derive(Copy, Clone, Debug)]
pub(crate) enum KernelInput {
    Param(usize),
    Buffer(usize),
}

#[derive(Copy, Clone, Debug)]
pub(crate) enum KernelOutput {
    Full { buffer: usize },
    Reduced,
}

fn size(a: &ShapedArray) -> usize {
    a.shape.iter().product()
}

/// Whether equation `e` can join a kernel over `shape`.
fn joins(j: &Jaxpr, e: usize, shape: &[usize]) -> bool {
    let eqn = &j.eqns[e];
    let p = &eqn.primitive;
    let ok_dtype = |d: DType| {
        !matches!(
            d,
            DType::C64 | DType::C128 | DType::Float0 | DType::F16 | DType::BF16
        )
    };
    let elementwise = match p {
        Primitive::BroadcastInDim(_) => size(eqn.inputs[0].aval()) == 1,
        _ => p.rules().fusion_class() == FusionClass::Elementwise && !p.is_control_flow(),
    };
    elementwise
        && eqn.outvars.len() == 1
        && &eqn.outvars[0].aval.shape[..] == shape
        && ok_dtype(eqn.outvars[0].aval.dtype)
        && eqn.inputs.iter().all(|a| {
            let av = a.aval();
            ok_dtype(av.dtype) && (size(av) == 1 || &av.shape[..] == shape)
        })
}

/// A full integer reduction of one of the group's values.
fn closing_reduce(j: &Jaxpr, e: usize, shape: &[usize]) -> Option<ReduceOp> {
    let eqn = &j.eqns[e];
    match &eqn.primitive {
        Primitive::Reduce(r)
            if matches!(r.op, ReduceOp::Sum | ReduceOp::Max | ReduceOp::Min)
                && r.axes.len() == shape.len()
                && &eqn.inputs[0].aval().shape[..] == shape
                && eqn.inputs[0].aval().dtype.is_int() =>
        {
            Some(r.op)
        }
        _ => None,
    }
}

/// The reduction's identity, as bits of `d`.
fn identity(op: ReduceOp, d: DType) -> u64 {
    let bits = 8 * d.size_of() as u32;
    let mask = width_mask(d);
    match (op, d.is_signed_int()) {
        (ReduceOp::Sum, _) => 0,
        (ReduceOp::Max, true) => (1u64 << (bits - 1)) & mask,
        (ReduceOp::Max, false) => 0,
        (ReduceOp::Min, true) => mask >> 1,
        (ReduceOp::Min, false) => mask,
        _ => unreachable!("only sum, max and min close a native kernel"),
    }
}

/// Combines two partial reductions (bits of the integer dtype `d`).
pub(crate) fn combine(op: ReduceOp, d: DType, a: u64, b: u64) -> u64 {
    let bits = 8 * d.size_of() as u32;
    let mask = width_mask(d);
    let signed = |x: u64| ((x << (64 - bits)) as i64) >> (64 - bits);
    let r = match (op, d.is_signed_int()) {
        (ReduceOp::Sum, _) => a.wrapping_add(b),
        (ReduceOp::Max, true) => signed(a).max(signed(b)) as u64,
        (ReduceOp::Min, true) => signed(a).min(signed(b)) as u64,
        (ReduceOp::Max, false) => a.max(b),
        (ReduceOp::Min, false) => a.min(b),
        _ => unreachable!("only sum, max and min close a native kernel"),
    };
    r & mask
}

/// Replaces runs of single equations that form an elementwise kernel
/// (at least two equations over at least `MIN_ELEMENTS` elements) with
/// native kernels. Runs that fail to lower or compile stay as they were.
pub(crate) fn fuse(j: &Jaxpr, items: Vec<PlanItem>) -> Vec<PlanItem> {
    // Which items read each variable.
    let readers = Readers::new(j, &items);
    let mut out = Vec::with_capacity(items.len());
    let mut i = 0;
    while i < items.len() {
        let PlanItem::Eqn(e0) = items[i] else {
            out.push(items[i].clone());
            i += 1;
            continue;
        };
        let shape = j.eqns[e0].outvars.first().map(|v| v.aval.shape.to_vec());
        let Some(shape) = shape.filter(|s| s.iter().product::<usize>() >= MIN_ELEMENTS) else {
            out.push(items[i].clone());
            i += 1;
            continue;
        };
        let mut end = i;
        let mut reduce = None;
        while end < items.len() {
            let PlanItem::Eqn(e) = items[end] else { break };
            if joins(j, e, &shape) {
                end += 1;
            } else {
                if let Some(op) = closing_reduce(j, e, &shape) {
                    reduce = Some((e, op));
                    end += 1;
                }
                break;
            }
        }
        let group: Vec<usize> = items[i..end]
            .iter()
            .map(|it| match it {
                PlanItem::Eqn(e) => *e,
                _ => unreachable!(),
            })
            .collect();
        let n_elementwise = group.len() - reduce.is_some() as usize;
        if n_elementwise >= 2 {
            let escapes = |v: &Var| readers.escapes(v, i..end);
            match lower(j, &group, reduce, &shape, &escapes, items[i..end].to_vec()) {
                Ok(item) => {
                    out.push(item);
                    i = end;
                    continue;
                }
                Err(why) => {
                    if crate::config::log_compiles() {
                        eprintln!("jaxide: elementwise chain stays unfused: {why}");
                    }
                }
            }
        }
        out.push(items[i].clone());
        i += 1;
    }
    out
}

fn lower(
    j: &Jaxpr,
    group: &[usize],
    reduce: Option<(usize, ReduceOp)>,
    shape: &[usize],
    escapes: &dyn Fn(&Var) -> bool,
    fallback: Vec<PlanItem>,
) -> Result<PlanItem, String> {
    let n: usize = shape.iter().product();
    let mut l = Lowerer::elementwise();
    let defined: std::collections::HashSet<usize> = group
        .iter()
        .flat_map(|&e| j.eqns[e].outvars.iter().map(|v| v.id))
        .collect();
    // Kernel inputs: variables read by the group and defined outside it.
    let mut inputs: Vec<Atom> = vec![];
    let mut kinputs = vec![];
    let mut env: HashMap<usize, LVal> = HashMap::new();
    l.set_entry(false);
    let index = l.push(Inst::LoopIndex, DType::I64);
    for &e in group {
        for a in &j.eqns[e].inputs {
            let Atom::Var(v) = a else { continue };
            if defined.contains(&v.id) || env.contains_key(&v.id) {
                continue;
            }
            let d = v.aval.dtype;
            let val = if size(&v.aval) == 1 {
                l.set_entry(true);
                l.p.params.push(d);
                let k = l.p.params.len() - 1;
                let x = l.push(Inst::Param(k), d);
                l.set_entry(false);
                kinputs.push(KernelInput::Param(k));
                x
            } else {
                let b = l.buffer(d, n)?;
                kinputs.push(KernelInput::Buffer(b));
                l.push(Inst::Load { buffer: b, index }, d)
            };
            inputs.push(a.clone());
            env.insert(v.id, LVal::Scalar(val));
        }
    }
    let mut names = vec![];
    let mut outputs = vec![];
    let mut out_vars = vec![];
    let mut reduction = None;
    for &e in group {
        let eqn = &j.eqns[e];
        names.push(eqn.primitive.name());
        if let Some((_, op)) = reduce.filter(|(re, _)| *re == e) {
            let value = match l.atom(&eqn.inputs[0], &env)? {
                LVal::Scalar(v) => v,
                LVal::Array { .. } => return Err("an array in an elementwise kernel".into()),
            };
            let d = eqn.inputs[0].aval().dtype;
            l.p.carries.push(d);
            let acc = l.push(Inst::Carry(0), d);
            let bop = match op {
                ReduceOp::Sum => BinaryOp::Add,
                ReduceOp::Max => BinaryOp::Max,
                _ => BinaryOp::Min,
            };
            let next: Value = l.push(Inst::Binary(bop, acc, value), d);
            l.p.next.push(next);
            reduction = Some((op, d, identity(op, d)));
            outputs.push(KernelOutput::Reduced);
            out_vars.push(eqn.outvars[0].clone());
            continue;
        }
        let ins = eqn
            .inputs
            .iter()
            .map(|a| l.atom(a, &env))
            .collect::<Result<Vec<_>, _>>()?;
        let outs = l.eqn(eqn, ins)?;
        for (v, x) in eqn.outvars.iter().zip(outs) {
            if escapes(v) {
                let LVal::Scalar(value) = x else {
                    return Err("an array in an elementwise kernel".into());
                };
                let b = l.buffer(v.aval.dtype, n)?;
                l.p.buffers[b].writable = true;
                l.push(
                    Inst::Store {
                        buffer: b,
                        index,
                        value,
                    },
                    DType::Bool,
                );
                outputs.push(KernelOutput::Full { buffer: b });
                out_vars.push(v.clone());
            }
            env.insert(v.id, x);
        }
    }
    // The reduction's result is the last output.
    if let Some(k) = outputs
        .iter()
        .position(|o| matches!(o, KernelOutput::Reduced))
    {
        let o = outputs.remove(k);
        outputs.push(o);
        let v = out_vars.remove(k);
        out_vars.push(v);
    }
    if !l.p.is_elementwise() {
        return Err("not an elementwise program".into());
    }
    // Compiled on first use (in the background under the `auto` tier).
    let code = NativeCode::lazy(l.p)?;
    let kernel = NativeKernel {
        code,
        n,
        inputs: kinputs,
        outputs,
        reduce: reduction,
        names: names.join(","),
    };
    Ok(PlanItem::Native {
        kernel: std::sync::Arc::new(kernel),
        inputs,
        outputs: out_vars,
        eqns: group.to_vec(),
        fallback,
    })
}

/// A kernel's program and its machine code, compiled on first use: in the
/// background under the `auto` tier (the caller meanwhile runs the
/// equations the kernel replaces), at once under the `native` tier.
#[derive(Debug)]
pub struct NativeCode {
    program: LoopProgram,
    started: AtomicBool,
    ready: OnceLock<Result<NativeLoop, String>>,
}

impl NativeCode {
    /// Checks `program` now and compiles it on first use.
    pub(crate) fn lazy(program: LoopProgram) -> Result<NativeCode, String> {
        program.validate()?;
        Ok(NativeCode {
            program,
            started: AtomicBool::new(false),
            ready: OnceLock::new(),
        })
    }

    /// The program.
    pub(crate) fn program(&self) -> &LoopProgram {
        &self.program
    }

    fn build(&self, names: &str) -> Result<NativeLoop, String> {
        let r = NativeLoop::compile(self.program.clone());
        if crate::config::log_compiles() {
            match &r {
                Ok(_) => eprintln!("jaxide: native[{names}] compiled"),
                Err(why) => eprintln!("jaxide: native[{names}] stays interpreted: {why}"),
            }
        }
        r
    }
}

/// The kernel's machine code if it is ready; otherwise `None` (the caller
/// runs the replaced equations), starting its compilation: in the
/// background under `JitTier::Auto`, at once under `JitTier::Native`.
pub(crate) fn ready(k: &Arc<NativeKernel>) -> Option<&NativeLoop> {
    let code = &k.code;
    if code.ready.get().is_none() {
        match crate::config::jit_tier() {
            crate::config::JitTier::Native => {
                let _ = code.ready.set(code.build(&k.names));
            }
            _ => {
                if !code.started.swap(true, Ordering::AcqRel) {
                    let me = k.clone();
                    super::background::compile(Box::new(move || {
                        let r = me.code.build(&me.names);
                        let _ = me.code.ready.set(r);
                    }));
                }
            }
        }
    }
    code.ready.get()?.as_ref().ok()
}

/// Runs a kernel whose code is ready on its operand buffers; returns its outputs.
pub(crate) fn run(
    k: &NativeKernel,
    code: &NativeLoop,
    operands: &[&Buffer],
) -> crate::lax::Buffers {
    use crate::backend::cpu::native::BufferArg;
    let prog = k.code.program();
    let mut params: SmallVec<[u64; 8]> = smallvec::smallvec![0u64; prog.params.len()];
    let mut reads: SmallVec<[Option<usize>; 8]> = smallvec::smallvec![None; prog.buffers.len()];
    for (i, input) in k.inputs.iter().enumerate() {
        match *input {
            KernelInput::Param(p) => params[p] = scalar_bits(operands[i]),
            KernelInput::Buffer(b) => reads[b] = Some(i),
        }
    }
    let mut owned: SmallVec<[Option<Buffer>; 8]> = prog
        .buffers
        .iter()
        .map(|d| d.writable.then(|| Buffer::for_dtype(d.len, d.dtype)))
        .collect();
    let carries: Vec<u64> = k.reduce.iter().map(|r| r.2).collect();
    let partials = {
        let mut bufs: SmallVec<[BufferArg<'_>; 8]> = owned
            .iter_mut()
            .enumerate()
            .map(|(b, o)| match o {
                Some(buf) => BufferArg::Write(buf.as_mut_slice::<u8>()),
                None => BufferArg::Read(operands[reads[b].expect("kernel input")].bytes()),
            })
            .collect();
        if matches!(prog.kind, crate::ir::typed::LoopKind::Range { .. }) {
            let parts = if k.n >= PARALLEL_ELEMENTS {
                crate::backend::cpu::threads::num_threads()
            } else {
                1
            };
            code.run_elementwise(k.n, parts, &params, &carries, &mut bufs)
        } else {
            // Straight-line code on scalarized small arrays (`native_small.rs`).
            code.run(&params, &mut [], &mut bufs);
            vec![]
        }
    };
    k.outputs
        .iter()
        .map(|o| match *o {
            KernelOutput::Full { buffer } => owned[buffer].take().expect("output buffer"),
            KernelOutput::Reduced => {
                let (op, d, id) = k.reduce.expect("reduction");
                let total = partials.iter().fold(id, |acc, c| combine(op, d, acc, c[0]));
                scalar_buffer(d, total)
            }
        })
        .collect()
}

/// From this many elements a kernel runs on every worker thread.
const PARALLEL_ELEMENTS: usize = 1 << 16;
