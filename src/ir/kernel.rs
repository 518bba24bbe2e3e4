//! The fused-kernel IR: backend-neutral descriptions of blockwise kernels
//! produced by the compiler's fusion pass (`crate::compiler::fusion`) and
//! run by a backend (`crate::backend::cpu::fused`; a CUDA renderer later).

use super::{BinaryOp, ReduceOp, UnaryOp};
use crate::core::dtype::DType;

/// Where a kernel operation reads a value.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Src {
    /// Kernel input `i` (full-size, or a broadcast scalar).
    Input(usize),
    /// The result of operation `i`.
    Reg(usize),
}

/// One elementwise operation of a fused kernel; operation `i` defines register `i`.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum KernelOp {
    /// A unary float op.
    Unary(UnaryOp, Src),
    /// A binary float op.
    Binary(BinaryOp, Src, Src),
    /// `x ** y` for a static integer `y`.
    IntegerPow(i32, Src),
}

/// A fused elementwise kernel over `size` elements of `dtype`.
#[derive(Clone, Debug, PartialEq)]
pub struct FusedKernel {
    /// Elements per full-size operand.
    pub size: usize,
    /// The element type of every value (float32 in version 1).
    pub dtype: DType,
    /// For each input: whether it is a broadcast scalar (rank 0).
    pub input_is_scalar: Vec<bool>,
    /// The operations, in order.
    pub ops: Vec<KernelOp>,
    /// Registers written to memory as full-size outputs, in order.
    pub outputs: Vec<usize>,
    /// An all-axes reduction of a register, produced as one more (rank-0) output.
    pub reduction: Option<(ReduceOp, usize)>,
}

impl FusedKernel {
    /// The operation names, for the compiled view (`exp,mul,reduce_sum`).
    pub fn describe(&self) -> String {
        let mut names: Vec<String> = self
            .ops
            .iter()
            .map(|op| match op {
                KernelOp::Unary(u, _) => u.name().to_string(),
                KernelOp::Binary(b, _, _) => b.name().to_string(),
                KernelOp::IntegerPow(y, _) => format!("integer_pow[y={y}]"),
            })
            .collect();
        if let Some((r, _)) = self.reduction {
            names.push(r.name().to_string());
        }
        names.join(",")
    }
}
