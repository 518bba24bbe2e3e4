//! Binary elementwise kernels (arithmetic, min/max, bitwise, shifts).

use super::elem::{fmax_nan, fmin_nan, FloatMath, IntOps};
use super::unary::HalfFloat;
use super::{par_map2, threads, typed, Operand};
use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;
use crate::ir::BinaryOp;
use half::{bf16, f16};

/// Runs `op` on operands of `dtype` into `out` (same dtype).
pub fn run(op: BinaryOp, dtype: DType, a: Operand, b: Operand, out: &mut Buffer) {
    let (sa, sb) = (a.scalar, b.scalar);
    match dtype {
        DType::F32 => {
            let (x, y, o) = typed::<f32, f32>(a, b, out);
            float(op, x, sa, y, sb, o)
        }
        DType::F64 => {
            let (x, y, o) = typed::<f64, f64>(a, b, out);
            float(op, x, sa, y, sb, o)
        }
        DType::F16 => {
            let (x, y, o) = typed::<f16, f16>(a, b, out);
            half_via_f32(op, x, sa, y, sb, o)
        }
        DType::BF16 => {
            let (x, y, o) = typed::<bf16, bf16>(a, b, out);
            half_via_f32(op, x, sa, y, sb, o)
        }
        DType::Bool => {
            let (x, y, o) = typed::<u8, u8>(a, b, out);
            match op {
                BinaryOp::Add | BinaryOp::Max | BinaryOp::Or => {
                    par_map2(x, sa, y, sb, o, |p, q| p | q)
                }
                BinaryOp::Mul | BinaryOp::Min | BinaryOp::And => {
                    par_map2(x, sa, y, sb, o, |p, q| p & q)
                }
                BinaryOp::Xor => par_map2(x, sa, y, sb, o, |p, q| p ^ q),
                _ => unreachable!("{} on bool is rejected by abstract eval", op.name()),
            }
        }
        DType::C64 | DType::C128 => super::complex::binary(op, dtype, a, b, out),
        DType::Float0 => unreachable!("float0 never reaches a kernel: bind rejects it"),
        ints => crate::with_int_storage_type!(ints, T => int::<T>(op, a, b, out)),
    }
}

/// `o = op(x, y)` for f32 slices, either side possibly a 1-element
/// broadcast scalar; sequential below the threading threshold (fused blocks).
pub fn f32_slice(op: BinaryOp, x: &[f32], sa: bool, y: &[f32], sb: bool, o: &mut [f32]) {
    float(op, x, sa, y, sb, o)
}

fn float<T: FloatMath>(op: BinaryOp, x: &[T], sa: bool, y: &[T], sb: bool, o: &mut [T]) {
    use BinaryOp::*;
    match op {
        Add => par_map2(x, sa, y, sb, o, |p: T, q: T| p + q),
        Sub => par_map2(x, sa, y, sb, o, |p: T, q: T| p - q),
        Mul => par_map2(x, sa, y, sb, o, |p: T, q: T| p * q),
        Div => par_map2(x, sa, y, sb, o, |p: T, q: T| p / q),
        Rem => par_map2(x, sa, y, sb, o, |p: T, q: T| p % q),
        Pow => par_map2(x, sa, y, sb, o, T::pow),
        Max => par_map2(x, sa, y, sb, o, fmax_nan),
        Min => par_map2(x, sa, y, sb, o, fmin_nan),
        Atan2 => par_map2(x, sa, y, sb, o, T::atan2),
        And | Or | Xor | ShiftLeft | ShiftRightArithmetic | ShiftRightLogical => {
            unreachable!("{} on floats is rejected by abstract eval", op.name())
        }
    }
}

fn int<T: IntOps + crate::core::element::Pod>(
    op: BinaryOp,
    a: Operand,
    b: Operand,
    out: &mut Buffer,
) {
    use BinaryOp::*;
    let (sa, sb) = (a.scalar, b.scalar);
    let (x, y, o) = typed::<T, T>(a, b, out);
    match op {
        Add => par_map2(x, sa, y, sb, o, T::wadd),
        Sub => par_map2(x, sa, y, sb, o, T::wsub),
        Mul => par_map2(x, sa, y, sb, o, T::wmul),
        Div => par_map2(x, sa, y, sb, o, T::div_xla),
        Rem => par_map2(x, sa, y, sb, o, T::rem_xla),
        Max => par_map2(x, sa, y, sb, o, |p: T, q: T| p.max(q)),
        Min => par_map2(x, sa, y, sb, o, |p: T, q: T| p.min(q)),
        And => par_map2(x, sa, y, sb, o, T::and),
        Or => par_map2(x, sa, y, sb, o, T::or),
        Xor => par_map2(x, sa, y, sb, o, T::xor),
        ShiftLeft => par_map2(x, sa, y, sb, o, T::shl_xla),
        ShiftRightArithmetic => par_map2(x, sa, y, sb, o, T::shr_arith),
        ShiftRightLogical => par_map2(x, sa, y, sb, o, T::shr_logical),
        Pow | Atan2 => unreachable!("{} on integers is rejected by abstract eval", op.name()),
    }
}

const BLOCK: usize = 512;

fn half_via_f32<H: HalfFloat>(op: BinaryOp, x: &[H], sa: bool, y: &[H], sb: bool, o: &mut [H]) {
    threads::for_each_chunk_mut(o, |off, chunk| {
        let mut xa = [0f32; BLOCK];
        let mut ya = [0f32; BLOCK];
        let mut oa = [0f32; BLOCK];
        for (bi, oc) in chunk.chunks_mut(BLOCK).enumerate() {
            let start = off + bi * BLOCK;
            let n = oc.len();
            for i in 0..n {
                xa[i] = if sa { x[0] } else { x[start + i] }.to_f32();
                ya[i] = if sb { y[0] } else { y[start + i] }.to_f32();
            }
            float::<f32>(op, &xa[..n], false, &ya[..n], false, &mut oa[..n]);
            for (d, s) in oc.iter_mut().zip(&oa[..n]) {
                *d = H::from_f32(*s);
            }
        }
    });
}
