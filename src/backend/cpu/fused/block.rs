//! Runs a kernel's operations over one block of elements into a register
//! file (one `stride`-long row of float32 values per operation).

use super::gather::load;
use super::In;
use crate::backend::cpu::kernels::{binary, par_map1, par_map2, unary};
use crate::ir::kernel::{FusedKernel, KernelOp, Layout, Src};
use crate::ir::CompareOp;

/// Computes every register over elements `start..start + len`.
pub(super) fn run_block(
    kernel: &FusedKernel,
    inputs: &[In],
    start: usize,
    len: usize,
    stride: usize,
    regs: &mut [f32],
) {
    for (i, op) in kernel.ops.iter().enumerate() {
        let (done, rest) = regs.split_at_mut(i * stride);
        let out = &mut rest[..len];
        // A value as (slice, is a broadcast scalar).
        let read = |s: Src| -> (&[f32], bool) {
            match s {
                Src::Reg(r) => (&done[r * stride..r * stride + len], false),
                Src::Input(k) => match (&inputs[k], &kernel.inputs[k].layout) {
                    (In::F32(x), Layout::Scalar) => (&x[..1], true),
                    (In::F32(x), Layout::Full) => (&x[start..start + len], false),
                    _ => unreachable!("fusion reads this input through a load"),
                },
            }
        };
        match *op {
            KernelOp::Load(k) => load(
                &inputs[k],
                &kernel.inputs[k].layout,
                &kernel.shape,
                start,
                out,
            ),
            KernelOp::Unary(u, s) => match read(s) {
                (x, false) => unary::f32_slice(u, x, out),
                (x, true) => {
                    let mut v = [0f32];
                    unary::f32_slice(u, x, &mut v);
                    out.fill(v[0]);
                }
            },
            KernelOp::Binary(b, s1, s2) => {
                let ((x, sx), (y, sy)) = (read(s1), read(s2));
                if sx && sy {
                    let mut v = [0f32];
                    binary::f32_slice(b, x, false, y, false, &mut v);
                    out.fill(v[0]);
                } else {
                    binary::f32_slice(b, x, sx, y, sy, out);
                }
            }
            KernelOp::IntegerPow(y, s) => match read(s) {
                (x, false) => unary::integer_pow_f32_slice(y, x, out),
                (x, true) => {
                    let mut v = [0f32];
                    unary::integer_pow_f32_slice(y, x, &mut v);
                    out.fill(v[0]);
                }
            },
            KernelOp::Compare(c, s1, s2) => {
                let ((x, sx), (y, sy)) = (read(s1), read(s2));
                compare(c, x, sx, y, sy, out);
            }
            KernelOp::Select(p, f, t) => select(read(p), read(f), read(t), out),
            KernelOp::MaskToFloat(s) => match read(s) {
                (x, false) => out.copy_from_slice(x),
                (x, true) => out.fill(x[0]),
            },
            KernelOp::Not(s) => match read(s) {
                (x, false) => par_map1(x, out, |m: f32| 1.0 - m),
                (x, true) => out.fill(1.0 - x[0]),
            },
        }
    }
}

/// `out = (x op y)` as a `0.0`/`1.0` mask.
fn compare(op: CompareOp, x: &[f32], sx: bool, y: &[f32], sy: bool, out: &mut [f32]) {
    let m = |b: bool| f32::from(u8::from(b));
    match op {
        CompareOp::Eq => par_map2(x, sx, y, sy, out, move |a: f32, b: f32| m(a == b)),
        CompareOp::Ne => par_map2(x, sx, y, sy, out, move |a: f32, b: f32| m(a != b)),
        CompareOp::Lt => par_map2(x, sx, y, sy, out, move |a: f32, b: f32| m(a < b)),
        CompareOp::Le => par_map2(x, sx, y, sy, out, move |a: f32, b: f32| m(a <= b)),
        CompareOp::Gt => par_map2(x, sx, y, sy, out, move |a: f32, b: f32| m(a > b)),
        CompareOp::Ge => par_map2(x, sx, y, sy, out, move |a: f32, b: f32| m(a >= b)),
    }
}

/// `out = if pred { on_true } else { on_false }`, any side possibly a scalar.
fn select(
    (p, sp): (&[f32], bool),
    (f, sf): (&[f32], bool),
    (t, st): (&[f32], bool),
    out: &mut [f32],
) {
    let at = |x: &[f32], scalar: bool, i: usize| if scalar { x[0] } else { x[i] };
    if !sp && !sf && !st {
        for (i, o) in out.iter_mut().enumerate() {
            *o = if p[i] != 0.0 { t[i] } else { f[i] };
        }
        return;
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o = if at(p, sp, i) != 0.0 {
            at(t, st, i)
        } else {
            at(f, sf, i)
        };
    }
}
