//! The typed program IR: straight-line scalar code over every real dtype,
//! with loads and stores into buffers, arranged as a loop. The compiler
//! lowers a `while` or `scan` whose per-iteration values are scalars (and
//! whose arrays are only indexed) into a [`LoopProgram`]; a backend renders
//! it as machine code (`crate::backend::cpu::native` on the CPU).
//!
//! Every value has one dtype. `bool` values are `0` or `1`. Integer
//! arithmetic wraps; division and remainder follow XLA (`x / 0` is `-1` for
//! signed and all ones for unsigned, `x % 0 == x`, `MIN / -1 == MIN`).
//! Float arithmetic is IEEE, without flushing subnormals.
//! An operation with no instruction of its own is a [`Inst::Call`] of a
//! host function that the lowering supplies (on the CPU, the eager kernel
//! of the same primitive), so the program gives the eager path's bits.

use super::{BinaryOp, CompareOp, UnaryOp};
use crate::core::dtype::DType;
use std::fmt;
use std::sync::Arc;

/// A host function on scalars, as little-endian bits of their dtypes.
pub trait ScalarFn: Send + Sync {
    /// What it computes, for printing.
    fn name(&self) -> &str;
    /// Applies it to `args`; the result is in the instruction's dtype.
    fn eval(&self, args: &[u64]) -> u64;
}

impl fmt::Debug for dyn ScalarFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())
    }
}

/// A value: the result of instruction `Value.0` of the program.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Value(pub u32);

/// One instruction; it defines one value of its [`Typed::dtype`] (a store
/// defines a dummy `bool`).
#[derive(Clone, Debug)]
pub enum Inst {
    /// Scalar argument `i` of the program (a loop-invariant operand).
    Param(usize),
    /// A constant, as the little-endian bits of its dtype.
    Const(u64),
    /// The current value of scalar loop carry `i`.
    Carry(usize),
    /// The 0-based step number of a counted loop, as `i64` (for a reversed
    /// scan, the element index it reads: `length - 1 - step`).
    LoopIndex,
    /// A unary operation on a value of the instruction's dtype.
    Unary(UnaryOp, Value),
    /// A binary operation on two values of the instruction's dtype.
    Binary(BinaryOp, Value, Value),
    /// A comparison of two values of the same dtype, giving `bool`.
    Compare(CompareOp, Value, Value),
    /// `pred ? on_true : on_false`, `pred` a `bool`.
    Select {
        /// The predicate.
        pred: Value,
        /// Taken when `pred` is 0.
        on_false: Value,
        /// Taken when `pred` is 1.
        on_true: Value,
    },
    /// `convert_element_type` to the instruction's dtype.
    Convert(Value),
    /// A host function of scalar values (every other elementwise operation).
    Call(Arc<dyn ScalarFn>, Vec<Value>),
    /// Element `index` (an `i64`) of buffer `buffer`. The renderer clamps
    /// the index into the buffer, so no load is ever out of bounds.
    Load {
        /// The buffer read.
        buffer: usize,
        /// Element offset.
        index: Value,
    },
    /// Writes `value` at element `index` of a writable buffer (clamped as
    /// for loads).
    Store {
        /// The buffer written.
        buffer: usize,
        /// Element offset.
        index: Value,
        /// The value written (of the buffer's dtype).
        value: Value,
    },
}

/// An instruction with the dtype of the value it defines.
#[derive(Clone, Debug)]
pub struct Typed {
    /// What it computes.
    pub inst: Inst,
    /// The dtype of its value.
    pub dtype: DType,
}

/// A buffer the program indexes: an array loop carry (updated in place)
/// or a loop-invariant array operand.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct BufferDecl {
    /// Element type.
    pub dtype: DType,
    /// Number of elements.
    pub len: usize,
    /// Whether the program stores into it.
    pub writable: bool,
}

/// How the loop runs.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LoopKind {
    /// `while cond { body }`; the condition is the `bool` value `pred`,
    /// computed by the `cond` instructions.
    While {
        /// The condition's result.
        pred: Value,
    },
    /// `length` steps (`scan`, `fori_loop`), counting down when `reverse`.
    Counted {
        /// Number of steps.
        length: usize,
        /// Whether `LoopIndex` runs from `length - 1` down to 0.
        reverse: bool,
    },
    /// `LoopIndex` from the `i64` parameter `start` up to (excluding) the
    /// `i64` parameter `end`: an elementwise kernel, whose range a backend
    /// may split between threads.
    Range {
        /// Parameter holding the first index.
        start: usize,
        /// Parameter holding the end of the range.
        end: usize,
    },
}

/// A loop over scalar carries and indexed buffers.
#[derive(Clone, Debug)]
pub struct LoopProgram {
    /// Every instruction; `Value(i)` is `insts[i]`.
    pub insts: Vec<Typed>,
    /// Dtypes of the scalar arguments (`Param`).
    pub params: Vec<DType>,
    /// Dtypes of the scalar carries (`Carry`).
    pub carries: Vec<DType>,
    /// The buffers.
    pub buffers: Vec<BufferDecl>,
    /// Instructions run once before the loop (loop-invariant).
    pub entry: Vec<Value>,
    /// Instructions of the condition, run before each step (`While` only).
    pub cond: Vec<Value>,
    /// Instructions of one step.
    pub body: Vec<Value>,
    /// Each scalar carry's value at the end of a step.
    pub next: Vec<Value>,
    /// How the loop runs.
    pub kind: LoopKind,
}

/// The low-bits mask of a value of `d` in a 64-bit word.
pub fn width_mask(d: DType) -> u64 {
    u64::MAX >> (64 - 8 * d.size_of() as u32)
}

impl LoopProgram {
    /// A program with no instructions, parameters, carries or buffers.
    pub fn new(kind: LoopKind) -> LoopProgram {
        LoopProgram {
            insts: vec![],
            params: vec![],
            carries: vec![],
            buffers: vec![],
            entry: vec![],
            cond: vec![],
            body: vec![],
            next: vec![],
            kind,
        }
    }

    /// The dtype of a value.
    pub fn dtype(&self, v: Value) -> DType {
        self.insts[v.0 as usize].dtype
    }

    /// Checks the program's typing and structure: every operand is defined
    /// before use (in `entry`, then `cond`, then `body`), operand dtypes
    /// match, stores go to writable buffers. Renderers call it first.
    pub fn validate(&self) -> Result<(), String> {
        let mut defined = vec![false; self.insts.len()];
        let regions: [(&str, &[Value]); 3] = [
            ("entry", &self.entry),
            ("cond", &self.cond),
            ("body", &self.body),
        ];
        for (name, region) in regions {
            for &v in region {
                let i = v.0 as usize;
                let t = self.insts.get(i).ok_or(format!("{name}: no value {i}"))?;
                for u in operands(&t.inst) {
                    if !defined.get(u.0 as usize).copied().unwrap_or(false) {
                        return Err(format!("{name}: %{i} reads %{} before it is defined", u.0));
                    }
                }
                self.check_types(i, t, name)?;
                defined[i] = true;
            }
        }
        if let LoopKind::While { pred } = self.kind {
            if !self.cond.contains(&pred) || self.dtype(pred) != DType::Bool {
                return Err("the condition is not a bool computed by `cond`".into());
            }
        } else if !self.cond.is_empty() {
            return Err("a counted loop has no condition".into());
        }
        if let LoopKind::Range { start, end } = self.kind {
            if self.params.get(start) != Some(&DType::I64)
                || self.params.get(end) != Some(&DType::I64)
            {
                return Err("a range loop's bounds are i64 parameters".into());
            }
        }
        if self.next.len() != self.carries.len() {
            return Err("one next value per carry is required".into());
        }
        for (k, (&v, &dt)) in self.next.iter().zip(&self.carries).enumerate() {
            if !defined[v.0 as usize] || self.dtype(v) != dt {
                return Err(format!(
                    "carry {k}: next value %{} is undefined or mistyped",
                    v.0
                ));
            }
        }
        Ok(())
    }

    /// Whether the program is elementwise over its range: every load and
    /// store is at the loop index itself, and nothing loads a buffer it
    /// writes. Disjoint ranges of such a program can then run at once.
    pub fn is_elementwise(&self) -> bool {
        if !matches!(self.kind, LoopKind::Range { .. }) {
            return false;
        }
        let at_index = |v: &Value| matches!(self.insts[v.0 as usize].inst, Inst::LoopIndex);
        self.insts.iter().all(|t| match &t.inst {
            Inst::Load { buffer, index } => at_index(index) && !self.buffers[*buffer].writable,
            Inst::Store { index, .. } => at_index(index),
            _ => true,
        })
    }

    fn check_types(&self, i: usize, t: &Typed, region: &str) -> Result<(), String> {
        let bad = |what: &str| Err(format!("{region}: %{i}: {what}"));
        match &t.inst {
            Inst::Param(p) if self.params.get(*p) != Some(&t.dtype) => bad("param type"),
            Inst::Carry(c) if self.carries.get(*c) != Some(&t.dtype) => bad("carry type"),
            Inst::LoopIndex if t.dtype != DType::I64 => bad("loop index is i64"),
            Inst::LoopIndex if matches!(self.kind, LoopKind::While { .. }) => {
                bad("loop index outside a counted loop")
            }
            Inst::Unary(_, a) if self.dtype(*a) != t.dtype => bad("unary operand type"),
            Inst::Binary(_, a, b) if self.dtype(*a) != t.dtype || self.dtype(*b) != t.dtype => {
                bad("binary operand types")
            }
            Inst::Compare(_, a, b)
                if self.dtype(*a) != self.dtype(*b) || t.dtype != DType::Bool =>
            {
                bad("comparison types")
            }
            Inst::Select {
                pred,
                on_false,
                on_true,
            } if self.dtype(*pred) != DType::Bool
                || self.dtype(*on_false) != t.dtype
                || self.dtype(*on_true) != t.dtype =>
            {
                bad("select types")
            }
            Inst::Load { buffer, index } | Inst::Store { buffer, index, .. }
                if self.buffers.get(*buffer).is_none() || self.dtype(*index) != DType::I64 =>
            {
                bad("buffer or index type")
            }
            Inst::Load { buffer, .. } if self.buffers[*buffer].dtype != t.dtype => bad("load type"),
            Inst::Store { buffer, value, .. }
                if !self.buffers[*buffer].writable
                    || self.buffers[*buffer].dtype != self.dtype(*value) =>
            {
                bad("store to a read-only buffer or of the wrong type")
            }
            _ => Ok(()),
        }
    }
}

/// The values an instruction reads.
pub fn operands(inst: &Inst) -> Vec<Value> {
    match inst {
        Inst::Param(_) | Inst::Const(_) | Inst::Carry(_) | Inst::LoopIndex => vec![],
        Inst::Unary(_, a) | Inst::Convert(a) => vec![*a],
        Inst::Binary(_, a, b) | Inst::Compare(_, a, b) => vec![*a, *b],
        Inst::Select {
            pred,
            on_false,
            on_true,
        } => vec![*pred, *on_false, *on_true],
        Inst::Call(_, args) => args.clone(),
        Inst::Load { index, .. } => vec![*index],
        Inst::Store { index, value, .. } => vec![*index, *value],
    }
}

impl fmt::Display for LoopProgram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = |f: &mut fmt::Formatter<'_>, v: Value| -> fmt::Result {
            let t = &self.insts[v.0 as usize];
            let args = operands(&t.inst)
                .iter()
                .map(|u| format!("%{}", u.0))
                .collect::<Vec<_>>()
                .join(", ");
            let op = match &t.inst {
                Inst::Param(p) => format!("param[{p}]"),
                Inst::Const(bits) => format!("const[{bits:#x}]"),
                Inst::Carry(c) => format!("carry[{c}]"),
                Inst::LoopIndex => "loop_index".into(),
                Inst::Unary(u, _) => u.name().into(),
                Inst::Binary(b, _, _) => b.name().into(),
                Inst::Compare(c, _, _) => c.name().into(),
                Inst::Select { .. } => "select".into(),
                Inst::Convert(_) => "convert".into(),
                Inst::Call(g, _) => format!("call {}", g.name()),
                Inst::Load { buffer, .. } => format!("load buf{buffer}"),
                Inst::Store { buffer, .. } => format!("store buf{buffer}"),
            };
            writeln!(f, "    %{}:{} = {op} {args}", v.0, t.dtype.name())
        };
        writeln!(f, "loop {:?} {{", self.kind)?;
        for (name, region) in [
            ("entry", &self.entry),
            ("cond", &self.cond),
            ("body", &self.body),
        ] {
            writeln!(f, "  {name}:")?;
            for &v in region {
                line(f, v)?;
            }
        }
        let next: Vec<String> = self.next.iter().map(|v| format!("%{}", v.0)).collect();
        writeln!(f, "  next: ({})\n}}", next.join(", "))
    }
}
