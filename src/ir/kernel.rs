//! The fused-kernel IR: backend-neutral descriptions of blockwise kernels
//! produced by the compiler's fusion pass (`crate::compiler::fusion`) and
//! run by a backend (`crate::backend::cpu::fused`; a CUDA renderer later).
//!
//! A kernel iterates over the elements of one `shape` (row-major). Every
//! operation defines one register holding a value per element, computed in
//! float32; boolean values (comparison results, `bool` inputs) are held as
//! masks, `0.0` or `1.0`, and stored back as `bool`.

use super::{BinaryOp, CompareOp, ReduceOp, UnaryOp};
use crate::core::dtype::DType;

/// How a kernel input's elements map onto the kernel's iteration space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Same shape as the kernel, contiguous.
    Full,
    /// One value, broadcast to every element.
    Scalar,
    /// A `broadcast_in_dim`: element `idx` of the kernel reads the input at
    /// `sum(idx[d] * strides[d])` (stride 0 on broadcast axes).
    Broadcast {
        /// One stride per kernel axis, in input elements.
        strides: Vec<usize>,
    },
}

/// One kernel input: its element type (`F32` or `Bool`) and layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelInput {
    /// Element type in memory.
    pub dtype: DType,
    /// How it is indexed.
    pub layout: Layout,
}

/// Where a kernel operation reads a value.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Src {
    /// Kernel input `i`; only float32 inputs with a `Full` or `Scalar`
    /// layout are read directly, the others through [`KernelOp::Load`].
    Input(usize),
    /// The result of operation `i`.
    Reg(usize),
}

/// One elementwise operation of a fused kernel; operation `i` defines register `i`.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum KernelOp {
    /// Input `i`, gathered through its layout and converted to float32 (a mask for `bool`).
    Load(usize),
    /// A unary float op.
    Unary(UnaryOp, Src),
    /// A binary float op.
    Binary(BinaryOp, Src, Src),
    /// `x ** y` for a static integer `y`.
    IntegerPow(i32, Src),
    /// A float comparison, giving a mask.
    Compare(CompareOp, Src, Src),
    /// `select_n(pred, on_false, on_true)` with a mask predicate.
    Select(Src, Src, Src),
    /// A mask converted to float32 (`convert_element_type` from `bool`): a copy.
    MaskToFloat(Src),
    /// Logical not of a mask.
    Not(Src),
}

impl KernelOp {
    /// The operation's name, as in the jaxpr it replaces.
    pub fn name(&self) -> String {
        match self {
            KernelOp::Load(_) => "load".into(),
            KernelOp::Unary(u, _) => u.name().into(),
            KernelOp::Binary(b, _, _) => b.name().into(),
            KernelOp::IntegerPow(y, _) => format!("integer_pow[y={y}]"),
            KernelOp::Compare(c, _, _) => c.name().into(),
            KernelOp::Select(..) => "select_n".into(),
            KernelOp::MaskToFloat(_) => "convert_element_type".into(),
            KernelOp::Not(_) => "not".into(),
        }
    }

    /// The values this operation reads.
    pub fn sources(&self) -> Vec<Src> {
        match *self {
            KernelOp::Load(_) => vec![],
            KernelOp::Unary(_, a)
            | KernelOp::IntegerPow(_, a)
            | KernelOp::MaskToFloat(a)
            | KernelOp::Not(a) => vec![a],
            KernelOp::Binary(_, a, b) | KernelOp::Compare(_, a, b) => vec![a, b],
            KernelOp::Select(p, f, t) => vec![p, f, t],
        }
    }
}

/// A reduction ending a kernel: the kernel's shape viewed as
/// `(outer, r, inner)` is reduced over the middle axis into `outer × inner` values.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct KernelReduction {
    /// Sum, max or min.
    pub op: ReduceOp,
    /// The register reduced.
    pub reg: usize,
    /// Product of the axes before the reduced ones.
    pub outer: usize,
    /// Product of the reduced axes.
    pub r: usize,
    /// Product of the axes after the reduced ones.
    pub inner: usize,
}

/// A fused elementwise kernel, optionally ending in a reduction.
#[derive(Clone, Debug, PartialEq)]
pub struct FusedKernel {
    /// The iteration shape.
    pub shape: Vec<usize>,
    /// The inputs, in operand order.
    pub inputs: Vec<KernelInput>,
    /// The operations, in order.
    pub ops: Vec<KernelOp>,
    /// Registers written to memory as full-size outputs, with their stored
    /// element type (`F32`, or `Bool` for masks), in order.
    pub outputs: Vec<(usize, DType)>,
    /// A reduction of a register, produced as one more float32 output.
    pub reduction: Option<KernelReduction>,
}

impl FusedKernel {
    /// Elements in the iteration space.
    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }

    /// The operation names, for the compiled view (`exp,mul,reduce_sum`).
    pub fn describe(&self) -> String {
        let mut names: Vec<String> = self
            .ops
            .iter()
            .map(|op| match op {
                KernelOp::Load(i) if matches!(self.inputs[*i].layout, Layout::Broadcast { .. }) => {
                    "broadcast_in_dim".into()
                }
                op => op.name(),
            })
            .collect();
        if let Some(red) = self.reduction {
            names.push(red.op.name().to_string());
        }
        names.join(",")
    }
}
