//! Comparison kernels producing bool (stored as 0/1 bytes).

use super::{par_map2, Operand};
use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;
use crate::core::element::Pod;
use crate::ir::CompareOp;

/// Compares operands of `dtype`, writing 0/1 bytes into `out`.
pub fn run(op: CompareOp, dtype: DType, a: Operand, b: Operand, out: &mut Buffer) {
    if dtype.is_complex() {
        return super::complex::compare(op, dtype, a, b, out);
    }
    crate::with_real_storage_type!(dtype, T => typed::<T>(op, a, b, out))
}

fn typed<T: Pod + PartialOrd + Sync>(op: CompareOp, a: Operand, b: Operand, out: &mut Buffer) {
    let (x, y) = (a.buf.as_slice::<T>(), b.buf.as_slice::<T>());
    let o = out.as_mut_slice::<u8>();
    let (sa, sb) = (a.scalar, b.scalar);
    match op {
        CompareOp::Eq => par_map2(x, sa, y, sb, o, |p: T, q: T| (p == q) as u8),
        CompareOp::Ne => par_map2(x, sa, y, sb, o, |p: T, q: T| (p != q) as u8),
        CompareOp::Lt => par_map2(x, sa, y, sb, o, |p: T, q: T| (p < q) as u8),
        CompareOp::Le => par_map2(x, sa, y, sb, o, |p: T, q: T| (p <= q) as u8),
        CompareOp::Gt => par_map2(x, sa, y, sb, o, |p: T, q: T| (p > q) as u8),
        CompareOp::Ge => par_map2(x, sa, y, sb, o, |p: T, q: T| (p >= q) as u8),
    }
}
