//! Runs a [`FusedKernel`] blockwise on the CPU: the elements are split into
//! contiguous parts (one per worker), each part is processed in blocks of
//! `BLOCK` elements, and every operation of the kernel runs over a block held
//! in a small per-worker register file, so intermediates never leave cache.

use super::kernels::{binary, reduce, unary};
use super::threads;
use crate::ir::kernel::{FusedKernel, KernelOp, Src};
use std::sync::Mutex;

/// Elements per block: registers of `BLOCK` f32 values stay in L1/L2.
const BLOCK: usize = 1024;

/// Runs an f32 kernel. `inputs[i]` has `kernel.size` elements, or one if the
/// input is a scalar; `outputs[k]` receives register `kernel.outputs[k]`.
/// Returns the reduction's result, if the kernel has one.
pub fn run_f32(kernel: &FusedKernel, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) -> Option<f32> {
    let n = kernel.size;
    let nblocks = n.div_ceil(BLOCK).max(1);
    let parts = if n >= threads::PAR_MIN_ELEMENTS {
        threads::num_threads().min(nblocks)
    } else {
        1
    };
    // Each part owns a disjoint run of every output.
    let part_range = |p: usize| {
        let (b0, b1) = (p * nblocks / parts, (p + 1) * nblocks / parts);
        (b0 * BLOCK).min(n)..(b1 * BLOCK).min(n)
    };
    let mut slots: Vec<Vec<Option<&mut [f32]>>> = (0..parts).map(|_| Vec::new()).collect();
    for out in outputs.iter_mut() {
        let mut rest: &mut [f32] = out;
        for (p, slot) in slots.iter_mut().enumerate() {
            let len = part_range(p).len();
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(len);
            slot.push(Some(head));
            rest = tail;
        }
    }
    let slots: Vec<Mutex<Vec<Option<&mut [f32]>>>> = slots.into_iter().map(Mutex::new).collect();
    let partials = threads::map_parts(parts, |p| {
        let mut outs = slots[p].lock().expect("fused kernel part");
        let range = part_range(p);
        // Registers of `stride` values: a block, or the whole (small) kernel.
        let stride = BLOCK.min(n).max(1);
        let mut regs = vec![0f32; kernel.ops.len() * stride];
        let mut block_results = Vec::new();
        let mut start = range.start;
        while start < range.end {
            let len = BLOCK.min(range.end - start);
            run_block(kernel, inputs, start, len, stride, &mut regs);
            for (k, &r) in kernel.outputs.iter().enumerate() {
                let dst = outs[k].as_deref_mut().expect("output part");
                let off = start - range.start;
                dst[off..off + len].copy_from_slice(&regs[r * stride..r * stride + len]);
            }
            if let Some((op, r)) = kernel.reduction {
                block_results.push(reduce::f32_slice(op, &regs[r * stride..r * stride + len]));
            }
            start += len;
        }
        block_results
    });
    kernel.reduction.map(|(op, _)| {
        let all: Vec<f32> = partials.into_iter().flatten().collect();
        reduce::f32_combine(op, &all)
    })
}

/// Runs every operation over elements `start..start + len` into the
/// registers (`stride` values apart).
fn run_block(
    kernel: &FusedKernel,
    inputs: &[&[f32]],
    start: usize,
    len: usize,
    stride: usize,
    regs: &mut [f32],
) {
    for (i, op) in kernel.ops.iter().enumerate() {
        let (done, rest) = regs.split_at_mut(i * stride);
        let out = &mut rest[..len];
        let read = |s: Src| -> (&[f32], bool) {
            match s {
                Src::Input(k) if kernel.input_is_scalar[k] => (&inputs[k][..1], true),
                Src::Input(k) => (&inputs[k][start..start + len], false),
                Src::Reg(r) => (&done[r * stride..r * stride + len], false),
            }
        };
        match *op {
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
        }
    }
}
