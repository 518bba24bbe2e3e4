//! Runs of equations on small arrays (at most [`SMALL_MAX`] elements per
//! value) fused into one straight-line native kernel: every element is a
//! scalar value in a register, so layout operations (reshape, slice, pad,
//! broadcast, concatenate, transpose, rev) cost nothing and elementwise
//! operations are a few instructions each. This is the tail of an
//! optimizer step or a loop body (`theta - lr * grad` on a handful of
//! parameters), which the interpreter would otherwise run as one kernel
//! call per equation.
//!
//! Elementwise operations lower through the same [`Lowerer`] as the native
//! loop tier and native elementwise kernels, so results keep the eager bits.

use super::fusion::{PlanItem, Readers};
use super::native_fusion::{KernelInput, KernelOutput, NativeCode, NativeKernel};
use super::native_loop::{LVal, Lowerer};
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::jaxpr::{Atom, Jaxpr, JaxprEqn, Var};
use crate::core::shape::contiguous_strides;
use crate::ir::typed::{Inst, Value};
use crate::lax::{FusionClass, Primitive};
use std::collections::{HashMap, HashSet};

/// Values of at most this many elements are scalarized.
pub(crate) const SMALL_MAX: usize = 16;

fn size(a: &ShapedArray) -> usize {
    a.shape.iter().product()
}

/// Whether equation `e` can join a small kernel.
fn joins(eqn: &JaxprEqn) -> bool {
    let ok = |a: &ShapedArray| {
        size(a) <= SMALL_MAX
            && !matches!(
                a.dtype,
                DType::C64 | DType::C128 | DType::Float0 | DType::F16 | DType::BF16
            )
    };
    let p = &eqn.primitive;
    let kind_ok = match p {
        Primitive::Reshape(_)
        | Primitive::Squeeze(_)
        | Primitive::BroadcastInDim(_)
        | Primitive::Slice(_)
        | Primitive::Pad(_)
        | Primitive::Concatenate(_)
        | Primitive::Transpose(_)
        | Primitive::Rev(_) => true,
        Primitive::Iota(_) => false,
        _ => p.rules().fusion_class() == FusionClass::Elementwise && !p.is_control_flow(),
    };
    kind_ok
        && eqn.outvars.len() == 1
        && eqn.inputs.iter().all(|a| ok(a.aval()))
        && eqn.outvars.iter().all(|v| ok(&v.aval))
}

/// The equations a plan item runs, if all of them can join a small kernel.
fn small_eqns(j: &Jaxpr, item: &PlanItem) -> Option<Vec<usize>> {
    let eqns = match item {
        PlanItem::Eqn(e) => vec![*e],
        PlanItem::Fused { eqns, .. } => eqns.clone(),
        PlanItem::Native { .. } => return None,
    };
    eqns.iter().all(|&e| joins(&j.eqns[e])).then_some(eqns)
}

/// Replaces runs of plan items on small arrays (at least two equations)
/// with straight-line native kernels. Runs that fail to lower or compile
/// stay as they were.
pub(crate) fn fuse(j: &Jaxpr, items: Vec<PlanItem>) -> Vec<PlanItem> {
    let items = sink_small(j, items);
    let readers = Readers::new(j, &items);
    let mut out = Vec::with_capacity(items.len());
    let mut i = 0;
    while i < items.len() {
        let mut end = i;
        let mut group = vec![];
        while end < items.len() {
            match small_eqns(j, &items[end]) {
                Some(eqns) => group.extend(eqns),
                None => break,
            }
            end += 1;
        }
        if group.len() >= 2 {
            let escapes = |v: &Var| readers.escapes(v, i..end);
            match lower(j, &group, &escapes, items[i..end].to_vec()) {
                Ok(item) => {
                    out.push(item);
                    i = end;
                    continue;
                }
                Err(why) => {
                    if crate::config::log_compiles() {
                        eprintln!("jaxide: small-array run stays unfused: {why}");
                    }
                }
            }
        }
        // Not a run: keep the item (and the rest of a short run) as it was.
        let stop = end.max(i + 1);
        out.extend(items[i..stop].iter().cloned());
        i = stop;
    }
    out
}

/// The variables an item reads and defines.
fn reads_and_defines(j: &Jaxpr, item: &PlanItem) -> (Vec<usize>, Vec<usize>) {
    let outputs = match item {
        PlanItem::Eqn(e) => j.eqns[*e].outvars.iter().map(|v| v.id).collect(),
        PlanItem::Fused { outputs, .. } | PlanItem::Native { outputs, .. } => {
            outputs.iter().map(|v| v.id).collect()
        }
    };
    let reads = item
        .inputs(j)
        .iter()
        .filter_map(|a| match a {
            Atom::Var(v) => Some(v.id),
            _ => None,
        })
        .collect();
    (reads, outputs)
}

/// Moves small-array items as late as their consumers allow (keeping
/// their order), so that runs of them interrupted by independent large
/// work become one run: `[small, large, small]` where the large item does
/// not read the first small one becomes `[large, small, small]`.
fn sink_small(j: &Jaxpr, items: Vec<PlanItem>) -> Vec<PlanItem> {
    let mut out = Vec::with_capacity(items.len());
    let mut held: Vec<PlanItem> = vec![];
    let mut held_defs: HashSet<usize> = HashSet::new();
    for item in items {
        if small_eqns(j, &item).is_some() {
            held_defs.extend(reads_and_defines(j, &item).1);
            held.push(item);
            continue;
        }
        let (reads, _) = reads_and_defines(j, &item);
        if reads.iter().any(|v| held_defs.contains(v)) {
            out.append(&mut held);
            held_defs.clear();
        }
        out.push(item);
    }
    out.append(&mut held);
    out
}

/// The elements of a value, row-major.
type Elems = Vec<Value>;

fn lower(
    j: &Jaxpr,
    group: &[usize],
    escapes: &dyn Fn(&Var) -> bool,
    fallback: Vec<PlanItem>,
) -> Result<PlanItem, String> {
    let mut l = Lowerer::straight_line();
    let defined: HashSet<usize> = group
        .iter()
        .flat_map(|&e| j.eqns[e].outvars.iter().map(|v| v.id))
        .collect();
    let mut inputs: Vec<Atom> = vec![];
    let mut kinputs = vec![];
    let mut env: HashMap<usize, Elems> = HashMap::new();
    // Kernel inputs: variables read by the group and defined outside it.
    for &e in group {
        for a in &j.eqns[e].inputs {
            let Atom::Var(v) = a else { continue };
            if defined.contains(&v.id) || env.contains_key(&v.id) {
                continue;
            }
            let d = v.aval.dtype;
            let n = size(&v.aval);
            let elems = if n == 1 {
                l.p.params.push(d);
                let k = l.p.params.len() - 1;
                kinputs.push(KernelInput::Param(k));
                vec![l.push(Inst::Param(k), d)]
            } else {
                let b = l.buffer(d, n)?;
                kinputs.push(KernelInput::Buffer(b));
                (0..n)
                    .map(|k| {
                        let index = l.push(Inst::Const(k as u64), DType::I64);
                        l.push(Inst::Load { buffer: b, index }, d)
                    })
                    .collect()
            };
            inputs.push(a.clone());
            env.insert(v.id, elems);
        }
    }
    let mut names = vec![];
    let mut outputs = vec![];
    let mut out_vars = vec![];
    for &e in group {
        let eqn = &j.eqns[e];
        names.push(eqn.primitive.name());
        let ins = eqn
            .inputs
            .iter()
            .map(|a| atom(&mut l, a, &env))
            .collect::<Result<Vec<_>, _>>()?;
        let result = lower_eqn(&mut l, eqn, &ins)?;
        let v = &eqn.outvars[0];
        if escapes(v) {
            let b = l.buffer(v.aval.dtype, size(&v.aval))?;
            l.p.buffers[b].writable = true;
            for (k, &value) in result.iter().enumerate() {
                let index = l.push(Inst::Const(k as u64), DType::I64);
                l.push(
                    Inst::Store {
                        buffer: b,
                        index,
                        value,
                    },
                    DType::Bool,
                );
            }
            outputs.push(KernelOutput::Full { buffer: b });
            out_vars.push(v.clone());
        }
        env.insert(v.id, result);
    }
    if outputs.is_empty() {
        return Err("the run defines nothing used elsewhere".into());
    }
    // Compiled on first use (in the background under the `auto` tier).
    let code = NativeCode::lazy(l.p)?;
    let kernel = NativeKernel {
        code,
        n: 1,
        inputs: kinputs,
        outputs,
        reduce: None,
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

fn atom(l: &mut Lowerer, a: &Atom, env: &HashMap<usize, Elems>) -> Result<Elems, String> {
    match a {
        Atom::Var(v) => env
            .get(&v.id)
            .cloned()
            .ok_or_else(|| format!("variable {} is not bound", v.id)),
        Atom::Literal(_) => match l.atom(a, &HashMap::new())? {
            LVal::Scalar(v) => Ok(vec![v]),
            LVal::Array { .. } => Err("an array literal".into()),
        },
    }
}

/// The multi-index of flat position `i` in `shape`.
fn unravel(mut i: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        idx[d] = i % shape[d].max(1);
        i /= shape[d].max(1);
    }
    idx
}

fn ravel(idx: &[usize], shape: &[usize]) -> usize {
    let strides = contiguous_strides(shape);
    idx.iter().zip(&strides).map(|(i, s)| i * s).sum()
}

/// One equation on scalarized operands: its result's elements.
fn lower_eqn(l: &mut Lowerer, eqn: &JaxprEqn, ins: &[Elems]) -> Result<Elems, String> {
    let out_aval = &eqn.outvars[0].aval;
    let out_shape = &out_aval.shape[..];
    let n = size(out_aval);
    let in_shape = |k: usize| eqn.inputs[k].aval().shape.to_vec();
    // `pick(i)`: the operand-0 element that output element `i` copies.
    let gather = |pick: &dyn Fn(&[usize]) -> usize| -> Elems {
        (0..n)
            .map(|i| ins[0][pick(&unravel(i, out_shape))])
            .collect()
    };
    Ok(match &eqn.primitive {
        Primitive::Reshape(_) | Primitive::Squeeze(_) => ins[0].clone(),
        Primitive::BroadcastInDim(b) => {
            let s = in_shape(0);
            gather(&|o| {
                let idx: Vec<usize> = (0..s.len())
                    .map(|k| {
                        if s[k] == 1 {
                            0
                        } else {
                            o[b.broadcast_dimensions[k]]
                        }
                    })
                    .collect();
                ravel(&idx, &s)
            })
        }
        Primitive::Slice(sl) => {
            let s = in_shape(0);
            gather(&|o| {
                let idx: Vec<usize> = (0..s.len())
                    .map(|k| sl.start_indices[k] + o[k] * sl.strides.get(k).copied().unwrap_or(1))
                    .collect();
                ravel(&idx, &s)
            })
        }
        Primitive::Transpose(t) => {
            let s = in_shape(0);
            gather(&|o| {
                let mut idx = vec![0; s.len()];
                for (i, &p) in t.permutation.iter().enumerate() {
                    idx[p] = o[i];
                }
                ravel(&idx, &s)
            })
        }
        Primitive::Rev(r) => {
            let s = in_shape(0);
            gather(&|o| {
                let idx: Vec<usize> = (0..s.len())
                    .map(|k| {
                        if r.dimensions.contains(&k) {
                            s[k] - 1 - o[k]
                        } else {
                            o[k]
                        }
                    })
                    .collect();
                ravel(&idx, &s)
            })
        }
        Primitive::Pad(p) => {
            let s = in_shape(0);
            let fill = ins[1][0];
            (0..n)
                .map(|i| {
                    let o = unravel(i, out_shape);
                    let mut idx = vec![0; s.len()];
                    for k in 0..s.len() {
                        let pos = o[k] as i64 - p.low[k];
                        let step = p.interior[k] + 1;
                        if pos < 0 || pos % step != 0 || pos / step >= s[k] as i64 {
                            return fill;
                        }
                        idx[k] = (pos / step) as usize;
                    }
                    ins[0][ravel(&idx, &s)]
                })
                .collect()
        }
        Primitive::Concatenate(c) => {
            let dim = c.dimension;
            (0..n)
                .map(|i| {
                    let mut o = unravel(i, out_shape);
                    for (k, x) in ins.iter().enumerate() {
                        let s = in_shape(k);
                        if o[dim] < s[dim] {
                            return x[ravel(&o, &s)];
                        }
                        o[dim] -= s[dim];
                    }
                    unreachable!("concatenate: index past the operands")
                })
                .collect()
        }
        _ => {
            // Elementwise: element `i` of each operand (a one-element
            // operand is a scalar broadcast).
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                let args: Vec<LVal> = ins
                    .iter()
                    .map(|x| LVal::Scalar(if x.len() == 1 { x[0] } else { x[i] }))
                    .collect();
                match l.eqn(eqn, args)?.as_slice() {
                    [LVal::Scalar(v)] => out.push(*v),
                    _ => return Err(format!("{} did not give one scalar", eqn.primitive.name())),
                }
            }
            out
        }
    })
}
