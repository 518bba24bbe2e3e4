//! Lowering of `while` and `scan` to typed loop programs
//! ([`crate::ir::typed::LoopProgram`]) for the native tier.
//!
//! A loop lowers when every per-iteration value is a single element
//! (scalars in registers) or an array that is only indexed: read with
//! `dynamic_slice` and written with a one-element `dynamic_update_slice`
//! (in place). Each array carries a version; reading an array value after
//! a later update of the same buffer would need a copy, so it is not
//! lowered (the loop then runs on the interpreter). Elementwise primitives
//! without an instruction of their own become calls of their eager kernel
//! on one element, so the native loop gives the interpreter's bits.

use crate::backend::cpu::buffer::Buffer;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::jaxpr::{Atom, Jaxpr, JaxprEqn};
use crate::ir::typed::{BufferDecl, Inst, LoopKind, LoopProgram, ScalarFn, Typed, Value};
use crate::ir::{BinaryOp, UnaryOp};
use crate::lax::{Primitive, Scan, While};
use std::collections::HashMap;
use std::sync::Arc;

/// Where one operand of the loop primitive goes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum OperandUse {
    /// A scalar parameter.
    Param(usize),
    /// A scalar carry.
    Carry(usize),
    /// A buffer (array carry, loop-invariant array, or `xs`).
    Buffer(usize),
}

/// Where one result of the loop primitive comes from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum ResultSource {
    /// A scalar carry's final value.
    Carry(usize),
    /// An array carry's buffer (updated in place), operand `operand`.
    ArrayCarry {
        /// The buffer.
        buffer: usize,
        /// The operand that initialises it.
        operand: usize,
    },
    /// A `ys` buffer the loop fills.
    Stacked(usize),
}

/// A loop primitive as a typed program, with its operand and result maps.
#[derive(Debug)]
pub(crate) struct LoweredLoop {
    pub program: LoopProgram,
    pub operands: Vec<OperandUse>,
    pub results: Vec<ResultSource>,
}

/// A value while lowering.
#[derive(Clone, Debug)]
pub(super) enum LVal {
    Scalar(Value),
    /// Elements `offset ..` of `buffer`, viewed as `shape`, as of `version`.
    Array {
        buffer: usize,
        version: u32,
        offset: Option<Value>,
        shape: Vec<usize>,
    },
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Region {
    Entry,
    Cond,
    Body,
}

pub(super) struct Lowerer {
    pub(super) p: LoopProgram,
    region: Region,
    versions: Vec<u32>,
    /// Lowering one element of an elementwise kernel: operands of any
    /// shape are read per element, so shapes are ignored.
    per_element: bool,
}

type Lowered<T> = Result<T, String>;

fn size(a: &ShapedArray) -> usize {
    a.shape.iter().product()
}

fn real(d: DType) -> bool {
    !matches!(d, DType::C64 | DType::C128 | DType::Float0)
}

fn half(d: DType) -> bool {
    matches!(d, DType::F16 | DType::BF16)
}

pub(crate) use crate::backend::cpu::native::{scalar_bits, scalar_buffer};

/// A primitive applied to one element through its eager kernel.
struct PrimitiveCall {
    prim: Primitive,
    in_avals: Vec<ShapedArray>,
    out_aval: ShapedArray,
}

impl ScalarFn for PrimitiveCall {
    fn name(&self) -> &str {
        self.prim.name()
    }
    fn eval(&self, args: &[u64]) -> u64 {
        let bufs: Vec<Buffer> = args
            .iter()
            .zip(&self.in_avals)
            .map(|(&b, a)| scalar_buffer(a.dtype, b))
            .collect();
        let refs: Vec<&Buffer> = bufs.iter().collect();
        let avals: Vec<&ShapedArray> = self.in_avals.iter().collect();
        let out = self
            .prim
            .rules()
            .impl_cpu(&avals, &refs, std::slice::from_ref(&self.out_aval));
        scalar_bits(&out[0])
    }
}

impl Lowerer {
    /// Puts the next instructions before the loop (`true`) or in its body.
    pub(super) fn set_entry(&mut self, entry: bool) {
        self.region = if entry { Region::Entry } else { Region::Body };
    }

    /// A lowerer for the body of an elementwise kernel over a range.
    pub(super) fn elementwise() -> Lowerer {
        let mut l = Lowerer::new(LoopKind::Range { start: 0, end: 1 });
        l.p.params = vec![DType::I64, DType::I64];
        l.region = Region::Body;
        l.per_element = true;
        l
    }

    /// A lowerer for straight-line code on scalarized small arrays: a
    /// one-step counted loop whose operands are scalars.
    pub(super) fn straight_line() -> Lowerer {
        let mut l = Lowerer::new(LoopKind::Counted {
            length: 1,
            reverse: false,
        });
        l.region = Region::Body;
        l.per_element = true;
        l
    }

    fn new(kind: LoopKind) -> Lowerer {
        Lowerer {
            p: LoopProgram::new(kind),
            region: Region::Entry,
            versions: vec![],
            per_element: false,
        }
    }

    pub(super) fn push(&mut self, inst: Inst, dtype: DType) -> Value {
        let v = Value(self.p.insts.len() as u32);
        self.p.insts.push(Typed { inst, dtype });
        match self.region {
            Region::Entry => self.p.entry.push(v),
            Region::Cond => self.p.cond.push(v),
            Region::Body => self.p.body.push(v),
        }
        v
    }

    pub(super) fn buffer(&mut self, dtype: DType, len: usize) -> Lowered<usize> {
        if len == 0 || !real(dtype) {
            return Err(format!("{}[{len}] arrays are not supported", dtype.name()));
        }
        self.p.buffers.push(BufferDecl {
            dtype,
            len,
            writable: false,
        });
        self.versions.push(0);
        Ok(self.p.buffers.len() - 1)
    }

    fn i64_const(&mut self, v: i64) -> Value {
        self.push(Inst::Const(v as u64), DType::I64)
    }

    /// An operand of the loop primitive: a parameter or a read-only buffer.
    fn invariant(&mut self, aval: &ShapedArray) -> Lowered<(OperandUse, LVal)> {
        if !real(aval.dtype) {
            return Err(format!("{} values are not supported", aval.dtype.name()));
        }
        if size(aval) == 1 {
            self.p.params.push(aval.dtype);
            let i = self.p.params.len() - 1;
            let v = self.push(Inst::Param(i), aval.dtype);
            Ok((OperandUse::Param(i), LVal::Scalar(v)))
        } else {
            let b = self.buffer(aval.dtype, size(aval))?;
            Ok((OperandUse::Buffer(b), self.array(b, &aval.shape)))
        }
    }

    fn array(&self, buffer: usize, shape: &[usize]) -> LVal {
        LVal::Array {
            buffer,
            version: self.versions[buffer],
            offset: None,
            shape: shape.to_vec(),
        }
    }

    pub(super) fn atom(&mut self, a: &Atom, env: &HashMap<usize, LVal>) -> Lowered<LVal> {
        match a {
            Atom::Var(v) => env
                .get(&v.id)
                .cloned()
                .ok_or_else(|| format!("variable {} is not bound", v.id)),
            Atom::Literal(x) => {
                let aval = x.aval();
                if size(aval) != 1 || !real(aval.dtype) {
                    return Err("only scalar literals are supported".into());
                }
                let d = x.as_device().ok_or("a literal is not concrete")?.clone();
                let bits = scalar_bits(d.buffer());
                Ok(LVal::Scalar(self.push(Inst::Const(bits), aval.dtype)))
            }
        }
    }

    fn jaxpr(&mut self, j: &Jaxpr, inputs: Vec<LVal>) -> Lowered<Vec<LVal>> {
        if !j.constvars.is_empty() {
            return Err("a body with constants".into());
        }
        let mut env: HashMap<usize, LVal> = HashMap::new();
        for (v, x) in j.invars.iter().zip(inputs) {
            env.insert(v.id, x);
        }
        for e in &j.eqns {
            let ins = e
                .inputs
                .iter()
                .map(|a| self.atom(a, &env))
                .collect::<Lowered<Vec<_>>>()?;
            let outs = self.eqn(e, ins)?;
            for (v, x) in e.outvars.iter().zip(outs) {
                env.insert(v.id, x);
            }
        }
        j.outvars.iter().map(|a| self.atom(a, &env)).collect()
    }

    fn scalar(&self, x: &LVal) -> Lowered<Value> {
        match x {
            LVal::Scalar(v) => Ok(*v),
            LVal::Array { .. } => Err("an array where a scalar was expected".into()),
        }
    }

    pub(super) fn eqn(&mut self, e: &JaxprEqn, ins: Vec<LVal>) -> Lowered<Vec<LVal>> {
        let prim = &e.primitive;
        let per_element = |a: &ShapedArray| {
            if self.per_element {
                ShapedArray::new(crate::core::shape::Shape::scalar(), a.dtype)
            } else {
                a.clone()
            }
        };
        let in_avals: Vec<ShapedArray> = e.inputs.iter().map(|a| per_element(a.aval())).collect();
        let out_avals: Vec<ShapedArray> = e.outvars.iter().map(|v| per_element(&v.aval)).collect();
        if let Some(bad) = in_avals.iter().chain(&out_avals).find(|a| !real(a.dtype)) {
            return Err(format!("{} values are not supported", bad.dtype.name()));
        }
        let all_scalar = ins.iter().all(|x| matches!(x, LVal::Scalar(_)))
            && out_avals.iter().all(|a| size(a) == 1);
        let out = |v: Value| Ok(vec![LVal::Scalar(v)]);
        match prim {
            Primitive::DynamicSlice(ds) => {
                return self.dynamic_slice(&ins, &in_avals, &ds.slice_sizes)
            }
            Primitive::DynamicUpdateSlice(_) => return self.dynamic_update_slice(ins, &in_avals),
            Primitive::Reshape(_) | Primitive::Squeeze(_) => {
                return Ok(vec![match ins[0].clone() {
                    LVal::Array {
                        buffer,
                        version,
                        offset,
                        ..
                    } => LVal::Array {
                        buffer,
                        version,
                        offset,
                        shape: out_avals[0].shape.to_vec(),
                    },
                    s => s,
                }]);
            }
            _ if !all_scalar => {
                return Err(format!("{} on arrays", prim.name()));
            }
            _ => {}
        }
        let d = out_avals[0].dtype;
        let any_half = in_avals.iter().chain(&out_avals).any(|a| half(a.dtype));
        let s = |k: usize| self.scalar(&ins[k]);
        match prim {
            Primitive::BroadcastInDim(_) => Ok(vec![ins[0].clone()]),
            Primitive::Unary(u) if !any_half && u.op != UnaryOp::IsFinite => {
                let a = s(0)?;
                out(self.push(Inst::Unary(u.op, a), d))
            }
            Primitive::Binary(b) if !any_half && lowers_binary(b.op, d) => {
                let (x, y) = (s(0)?, s(1)?);
                out(self.push(Inst::Binary(b.op, x, y), d))
            }
            Primitive::Compare(c) if !any_half => {
                let (x, y) = (s(0)?, s(1)?);
                out(self.push(Inst::Compare(c.op, x, y), DType::Bool))
            }
            Primitive::Select(_) if ins.len() == 3 && in_avals[0].dtype == DType::Bool => {
                let (pred, on_false, on_true) = (s(0)?, s(1)?, s(2)?);
                out(self.push(
                    Inst::Select {
                        pred,
                        on_false,
                        on_true,
                    },
                    d,
                ))
            }
            Primitive::ConvertElementType(_) if !any_half => {
                let a = s(0)?;
                out(self.push(Inst::Convert(a), d))
            }
            p if p.is_control_flow() => Err(format!("a nested {}", p.name())),
            // Not a function of its (absent) operands: each element differs.
            Primitive::Iota(_) => Err("iota".into()),
            _ if out_avals.len() == 1 => {
                let args = (0..ins.len()).map(s).collect::<Lowered<Vec<_>>>()?;
                let f = PrimitiveCall {
                    prim: prim.clone(),
                    in_avals,
                    out_aval: out_avals[0].clone(),
                };
                out(self.push(Inst::Call(Arc::new(f), args), d))
            }
            p => Err(format!("{} with several results", p.name())),
        }
    }

    /// The flat element offset of a window start, each start index clamped
    /// as `dynamic_slice` does (`0 ..= dim - size`).
    fn window_start(
        &mut self,
        shape: &[usize],
        sizes: &[usize],
        starts: &[LVal],
        start_avals: &[ShapedArray],
        offset: Option<Value>,
    ) -> Lowered<Value> {
        let mut flat = match offset {
            Some(o) => o,
            None => self.i64_const(0),
        };
        let mut stride = 1usize;
        let strides: Vec<usize> = shape
            .iter()
            .rev()
            .map(|&n| {
                let s = stride;
                stride *= n;
                s
            })
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        for d in 0..shape.len() {
            let i = self.scalar(&starts[d])?;
            let i = if start_avals[d].dtype == DType::I64 {
                i
            } else {
                self.push(Inst::Convert(i), DType::I64)
            };
            let (lo, hi) = (
                self.i64_const(0),
                self.i64_const((shape[d] - sizes[d]) as i64),
            );
            let i = self.push(Inst::Binary(BinaryOp::Max, i, lo), DType::I64);
            let i = self.push(Inst::Binary(BinaryOp::Min, i, hi), DType::I64);
            let st = self.i64_const(strides[d] as i64);
            let term = self.push(Inst::Binary(BinaryOp::Mul, i, st), DType::I64);
            flat = self.push(Inst::Binary(BinaryOp::Add, flat, term), DType::I64);
        }
        Ok(flat)
    }

    fn current(&self, x: &LVal) -> Lowered<()> {
        match x {
            LVal::Array {
                buffer, version, ..
            } if *version != self.versions[*buffer] => {
                Err("an array read after it was updated (it would need a copy)".into())
            }
            _ => Ok(()),
        }
    }

    fn dynamic_slice(
        &mut self,
        ins: &[LVal],
        avals: &[ShapedArray],
        sizes: &[usize],
    ) -> Lowered<Vec<LVal>> {
        let LVal::Array {
            buffer,
            version,
            offset,
            shape,
        } = ins[0].clone()
        else {
            // A one-element operand: every window is the whole of it.
            return Ok(vec![ins[0].clone()]);
        };
        self.current(&ins[0])?;
        let flat = self.window_start(&shape, sizes, &ins[1..], &avals[1..], offset)?;
        if sizes.iter().product::<usize>() == 1 {
            let d = self.p.buffers[buffer].dtype;
            return Ok(vec![LVal::Scalar(self.push(
                Inst::Load {
                    buffer,
                    index: flat,
                },
                d,
            ))]);
        }
        // A contiguous window (ones, then one partial axis, then full axes) is a view.
        let first = sizes.iter().position(|&s| s != 1).unwrap_or(sizes.len());
        if (first + 1..sizes.len()).all(|d| sizes[d] == shape[d]) {
            return Ok(vec![LVal::Array {
                buffer,
                version,
                offset: Some(flat),
                shape: sizes.to_vec(),
            }]);
        }
        Err("a strided dynamic_slice window".into())
    }

    fn dynamic_update_slice(
        &mut self,
        ins: Vec<LVal>,
        avals: &[ShapedArray],
    ) -> Lowered<Vec<LVal>> {
        let LVal::Array {
            buffer,
            offset,
            shape,
            ..
        } = ins[0].clone()
        else {
            // A one-element operand: the update replaces it.
            return Ok(vec![ins[1].clone()]);
        };
        self.current(&ins[0])?;
        if offset.is_some() || self.region != Region::Body {
            return Err("an update of an array view, or in a loop condition".into());
        }
        let value = match &ins[1] {
            LVal::Scalar(v) => *v,
            LVal::Array { .. } => return Err("an update of more than one element".into()),
        };
        let ones = vec![1; shape.len()];
        let index = self.window_start(&shape, &ones, &ins[2..], &avals[2..], None)?;
        self.push(
            Inst::Store {
                buffer,
                index,
                value,
            },
            DType::Bool,
        );
        self.p.buffers[buffer].writable = true;
        self.versions[buffer] += 1;
        Ok(vec![self.array(buffer, &shape)])
    }

    /// A loop-carried value: a scalar carry or an array carry's buffer.
    fn carry(&mut self, aval: &ShapedArray) -> Lowered<(OperandUse, Option<usize>)> {
        if !real(aval.dtype) {
            return Err(format!("{} values are not supported", aval.dtype.name()));
        }
        if size(aval) == 1 {
            self.p.carries.push(aval.dtype);
            Ok((OperandUse::Carry(self.p.carries.len() - 1), None))
        } else {
            let b = self.buffer(aval.dtype, size(aval))?;
            Ok((OperandUse::Buffer(b), Some(b)))
        }
    }

    /// The carries as seen at the top of the condition or the body.
    fn carry_values(&mut self, uses: &[OperandUse], avals: &[ShapedArray]) -> Vec<LVal> {
        uses.iter()
            .zip(avals)
            .map(|(u, a)| match *u {
                OperandUse::Carry(k) => LVal::Scalar(self.push(Inst::Carry(k), a.dtype)),
                OperandUse::Buffer(b) => self.array(b, &a.shape),
                OperandUse::Param(_) => unreachable!("carries are not parameters"),
            })
            .collect()
    }

    /// Records the body's carry outputs as the next scalar carries, and
    /// checks that each array carry comes back as its own buffer.
    fn next_carries(&mut self, uses: &[OperandUse], outs: &[LVal]) -> Lowered<()> {
        for (u, x) in uses.iter().zip(outs) {
            match (*u, x) {
                (OperandUse::Carry(_), LVal::Scalar(v)) => self.p.next.push(*v),
                (
                    OperandUse::Buffer(b),
                    LVal::Array {
                        buffer,
                        version,
                        offset: None,
                        ..
                    },
                ) if *buffer == b && *version == self.versions[b] => {}
                _ => return Err("an array carry that is not updated in place".into()),
            }
        }
        Ok(())
    }
}

fn lowers_binary(op: BinaryOp, d: DType) -> bool {
    // Float pow/atan2/rem/min/max are host calls inside the renderer; the
    // integer ops are all inline.
    !(d.is_int() && matches!(op, BinaryOp::Pow | BinaryOp::Atan2))
}

fn array_results(uses: &[OperandUse], first_operand: usize) -> Vec<ResultSource> {
    uses.iter()
        .enumerate()
        .map(|(k, u)| match *u {
            OperandUse::Carry(c) => ResultSource::Carry(c),
            OperandUse::Buffer(buffer) => ResultSource::ArrayCarry {
                buffer,
                operand: first_operand + k,
            },
            OperandUse::Param(_) => unreachable!("carries are not parameters"),
        })
        .collect()
}

/// Lowers a `while`, or says why it cannot.
pub(crate) fn lower_while(w: &While) -> Lowered<LoweredLoop> {
    let (cn, bn) = (w.cond_nconsts, w.body_nconsts);
    let (cj, bj) = (w.cond.jaxpr(), w.body.jaxpr());
    let mut l = Lowerer::new(LoopKind::While { pred: Value(0) });
    let mut operands = vec![];
    let mut cond_consts = vec![];
    for v in &cj.invars[..cn] {
        let (u, x) = l.invariant(&v.aval)?;
        operands.push(u);
        cond_consts.push(x);
    }
    let mut body_consts = vec![];
    for v in &bj.invars[..bn] {
        let (u, x) = l.invariant(&v.aval)?;
        operands.push(u);
        body_consts.push(x);
    }
    let carry_avals: Vec<ShapedArray> = bj.invars[bn..].iter().map(|v| v.aval.clone()).collect();
    let mut carry_uses = vec![];
    for a in &carry_avals {
        carry_uses.push(l.carry(a)?.0);
    }
    operands.extend(&carry_uses);

    l.region = Region::Cond;
    let mut ins = cond_consts;
    ins.extend(l.carry_values(&carry_uses, &carry_avals));
    let pred = match l.jaxpr(cj, ins)?.as_slice() {
        [LVal::Scalar(p)] => *p,
        _ => return Err("the condition is not a scalar".into()),
    };
    l.p.kind = LoopKind::While { pred };

    l.region = Region::Body;
    let mut ins = body_consts;
    ins.extend(l.carry_values(&carry_uses, &carry_avals));
    let outs = l.jaxpr(bj, ins)?;
    l.next_carries(&carry_uses, &outs)?;
    Ok(LoweredLoop {
        results: array_results(&carry_uses, cn + bn),
        program: l.p,
        operands,
    })
}

/// Lowers a `scan`, or says why it cannot.
pub(crate) fn lower_scan(s: &Scan) -> Lowered<LoweredLoop> {
    let (nc, nk) = (s.num_consts, s.num_carry);
    let j = s.body.jaxpr();
    let mut l = Lowerer::new(LoopKind::Counted {
        length: s.length,
        reverse: s.reverse,
    });
    let mut operands = vec![];
    let mut consts = vec![];
    for v in &j.invars[..nc] {
        let (u, x) = l.invariant(&v.aval)?;
        operands.push(u);
        consts.push(x);
    }
    let carry_avals: Vec<ShapedArray> = j.invars[nc..nc + nk]
        .iter()
        .map(|v| v.aval.clone())
        .collect();
    let mut carry_uses = vec![];
    for a in &carry_avals {
        carry_uses.push(l.carry(a)?.0);
    }
    operands.extend(&carry_uses);
    let mut xs = vec![];
    for v in &j.invars[nc + nk..] {
        let per_step = size(&v.aval);
        let b = l.buffer(v.aval.dtype, per_step * s.length)?;
        operands.push(OperandUse::Buffer(b));
        xs.push((b, v.aval.clone()));
    }
    let ys_avals: Vec<ShapedArray> = j.outvars[nk..].iter().map(|a| a.aval().clone()).collect();
    let mut ys = vec![];
    for a in &ys_avals {
        if size(a) != 1 {
            return Err("a scan whose per-step output is an array".into());
        }
        let b = l.buffer(a.dtype, s.length)?;
        l.p.buffers[b].writable = true;
        ys.push(b);
    }

    l.region = Region::Body;
    let mut ins = consts;
    ins.extend(l.carry_values(&carry_uses, &carry_avals));
    let step = l.push(Inst::LoopIndex, DType::I64);
    for (b, aval) in &xs {
        let n = size(aval);
        let offset = if n == 1 {
            step
        } else {
            let k = l.i64_const(n as i64);
            l.push(Inst::Binary(BinaryOp::Mul, step, k), DType::I64)
        };
        ins.push(if n == 1 {
            let d = aval.dtype;
            LVal::Scalar(l.push(
                Inst::Load {
                    buffer: *b,
                    index: offset,
                },
                d,
            ))
        } else {
            LVal::Array {
                buffer: *b,
                version: 0,
                offset: Some(offset),
                shape: aval.shape.to_vec(),
            }
        });
    }
    let outs = l.jaxpr(j, ins)?;
    l.next_carries(&carry_uses, &outs[..nk])?;
    for (&b, y) in ys.iter().zip(&outs[nk..]) {
        let value = l.scalar(y)?;
        l.push(
            Inst::Store {
                buffer: b,
                index: step,
                value,
            },
            DType::Bool,
        );
    }
    let mut results = array_results(&carry_uses, nc);
    results.extend(ys.into_iter().map(ResultSource::Stacked));
    Ok(LoweredLoop {
        program: l.p,
        operands,
        results,
    })
}
