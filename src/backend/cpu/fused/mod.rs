//! Runs a [`FusedKernel`] blockwise on the CPU: the iteration space is split
//! into contiguous parts (one per worker), each part is processed in blocks
//! of at most `BLOCK` elements, and every operation runs over a block held in
//! a small per-worker register file, so intermediates never leave cache.
//!
//! A reduction ending the kernel splits rows at the same boundaries as the
//! unfused reduction kernel and combines partial results in the same order,
//! so fused and unfused sums agree bit for bit.

mod block;
mod gather;

use super::kernels::reduce::{self, F32BlockReducer, REDUCE_BLOCK};
use super::threads;
use crate::ir::kernel::{FusedKernel, KernelReduction};
use block::run_block;
use smallvec::SmallVec;
use std::ops::Range;
use std::sync::Mutex;

/// The outputs of a kernel (or of one part of it).
pub type Outs<'a> = SmallVec<[Out<'a>; 2]>;
/// Part boundaries in the iteration space (or in units).
type Bounds = SmallVec<[usize; 4]>;

/// Elements per block: registers of `BLOCK` f32 values stay in L1/L2.
const BLOCK: usize = 1024;

/// A kernel input's data.
pub enum In<'a> {
    /// float32 elements.
    F32(&'a [f32]),
    /// `bool` elements (0 or 1).
    Bool(&'a [u8]),
}

/// A kernel output's destination.
pub enum Out<'a> {
    /// float32 elements.
    F32(&'a mut [f32]),
    /// `bool` elements, from a mask.
    Bool(&'a mut [u8]),
}

impl<'a> Out<'a> {
    fn split_at(self, mid: usize) -> (Out<'a>, Out<'a>) {
        match self {
            Out::F32(x) => {
                let (a, b) = x.split_at_mut(mid);
                (Out::F32(a), Out::F32(b))
            }
            Out::Bool(x) => {
                let (a, b) = x.split_at_mut(mid);
                (Out::Bool(a), Out::Bool(b))
            }
        }
    }

    /// Stores `values` at offset `off`.
    fn store(&mut self, off: usize, values: &[f32]) {
        match self {
            Out::F32(x) => x[off..off + values.len()].copy_from_slice(values),
            Out::Bool(x) => {
                for (o, &v) in x[off..off + values.len()].iter_mut().zip(values) {
                    *o = u8::from(v != 0.0);
                }
            }
        }
    }
}

/// Runs `kernel`: `outputs[k]` receives register `kernel.outputs[k]`;
/// `reduced` (`outer × inner` values) receives the reduction, if any.
pub fn run(kernel: &FusedKernel, inputs: &[In], outputs: Outs, reduced: Option<&mut [f32]>) {
    let n = kernel.size();
    match (kernel.reduction, reduced) {
        (None, _) => {
            let nblocks = n.div_ceil(BLOCK);
            let parts = parts_for(n, nblocks);
            let bounds: Bounds = (0..=parts)
                .map(|p| (p * nblocks / parts * BLOCK).min(n))
                .collect();
            for_parts(kernel, inputs, outputs, &bounds, |p, ctx| {
                for piece in blocks(bounds[p]..bounds[p + 1]) {
                    ctx.compute(piece.start, piece.len());
                }
            });
        }
        (Some(red), Some(dst)) if n == 0 => dst.fill(reduce::f32_identity(red.op)),
        (Some(red), Some(dst)) if red.inner == 1 => rows(kernel, red, inputs, outputs, dst),
        (Some(red), Some(dst)) => columns(kernel, red, inputs, outputs, dst),
        (Some(_), None) => panic!("internal error: a reducing kernel needs its output"),
    }
}

/// A reduction over the last axes (`inner == 1`): each row is cut into
/// chunks of `REDUCE_BLOCK` elements (one partial result each, combined
/// pairwise per row), and rows shorter than a block are packed together.
fn rows(kernel: &FusedKernel, red: KernelReduction, inputs: &[In], outputs: Outs, dst: &mut [f32]) {
    let (n, r) = (kernel.size(), red.r);
    let per_row = r.div_ceil(REDUCE_BLOCK);
    let units = red.outer * per_row;
    let unit_start = |u: usize| (u / per_row) * r + (u % per_row) * REDUCE_BLOCK;
    let parts = parts_for(n, units);
    let ubounds: Bounds = (0..=parts).map(|p| p * units / parts).collect();
    let bounds: Bounds = ubounds
        .iter()
        .map(|&u| if u == units { n } else { unit_start(u) })
        .collect();
    let partials = for_parts(kernel, inputs, outputs, &bounds, |p, ctx| {
        let units = ubounds[p]..ubounds[p + 1];
        let mut out = SmallVec::<[f32; 4]>::with_capacity(units.len());
        let mut acc = F32BlockReducer::new(red.op);
        if r <= BLOCK {
            // Whole rows (one unit each) per block.
            let mut row = units.start;
            while row < units.end {
                let k = (BLOCK / r).min(units.end - row);
                ctx.compute(row * r, k * r);
                let reg = ctx.reg(red.reg, k * r);
                for q in 0..k {
                    acc.feed(&reg[q * r..(q + 1) * r]);
                    out.push(acc.finish());
                }
                row += k;
            }
        } else {
            for u in units {
                let start = unit_start(u);
                let end = (u / per_row) * r + ((u % per_row + 1) * REDUCE_BLOCK).min(r);
                for piece in blocks(start..end) {
                    ctx.compute(piece.start, piece.len());
                    acc.feed(ctx.reg(red.reg, piece.len()));
                }
                out.push(acc.finish());
            }
        }
        out
    });
    let all: SmallVec<[f32; 8]> = partials.into_iter().flatten().collect();
    for (row, d) in dst.iter_mut().enumerate() {
        *d = reduce::f32_combine(red.op, &all[row * per_row..(row + 1) * per_row]);
    }
}

/// A reduction with axes after it (`inner > 1`): rows of `inner` values are
/// accumulated in order, as the unfused kernel does; workers split `outer`.
fn columns(
    kernel: &FusedKernel,
    red: KernelReduction,
    inputs: &[In],
    outputs: Outs,
    dst: &mut [f32],
) {
    let (n, inner) = (kernel.size(), red.inner);
    let slab = red.r * inner;
    let parts = parts_for(n, red.outer);
    let obounds: Bounds = (0..=parts).map(|p| p * red.outer / parts).collect();
    let bounds: Bounds = obounds.iter().map(|&o| o * slab).collect();
    let accs = for_parts(kernel, inputs, outputs, &bounds, |p, ctx| {
        let o0 = obounds[p];
        let mut acc = vec![reduce::f32_identity(red.op); (obounds[p + 1] - o0) * inner];
        for piece in blocks(bounds[p]..bounds[p + 1]) {
            ctx.compute(piece.start, piece.len());
            let reg = ctx.reg(red.reg, piece.len());
            let (mut f, mut t) = (piece.start, 0);
            while t < reg.len() {
                let j = f % inner;
                let seg = (inner - j).min(reg.len() - t);
                let a = (f / slab - o0) * inner + j;
                reduce::f32_accumulate(red.op, &mut acc[a..a + seg], &reg[t..t + seg]);
                (f, t) = (f + seg, t + seg);
            }
        }
        acc
    });
    for (d, v) in dst.iter_mut().zip(accs.into_iter().flatten()) {
        *d = v;
    }
}

/// `range` cut into consecutive blocks of at most `BLOCK` elements.
fn blocks(range: Range<usize>) -> impl Iterator<Item = Range<usize>> {
    range
        .clone()
        .step_by(BLOCK)
        .map(move |s| s..(s + BLOCK).min(range.end))
}

/// How many workers to use for `n` elements in `units` splittable units.
fn parts_for(n: usize, units: usize) -> usize {
    if n >= threads::PAR_MIN_ELEMENTS {
        threads::num_threads().min(units).max(1)
    } else {
        1
    }
}

/// One worker's state: its register file and its runs of the outputs.
struct PartCtx<'k, 'i, 'o, 'r> {
    kernel: &'k FusedKernel,
    inputs: &'i [In<'i>],
    regs: &'r mut [f32],
    stride: usize,
    /// Where this part's output runs start in the iteration space.
    origin: usize,
    outs: Outs<'o>,
}

impl PartCtx<'_, '_, '_, '_> {
    /// Computes elements `start..start + len` and stores the outputs.
    fn compute(&mut self, start: usize, len: usize) {
        run_block(self.kernel, self.inputs, start, len, self.stride, self.regs);
        for (o, &(r, _)) in self.outs.iter_mut().zip(&self.kernel.outputs) {
            o.store(
                start - self.origin,
                &self.regs[r * self.stride..r * self.stride + len],
            );
        }
    }

    /// Register `r` of the last block (its first `len` values).
    fn reg(&self, r: usize, len: usize) -> &[f32] {
        &self.regs[r * self.stride..r * self.stride + len]
    }
}

/// Splits the outputs at `bounds` and runs `work(p, ctx)` for each part in parallel.
fn for_parts<R: Send>(
    kernel: &FusedKernel,
    inputs: &[In],
    outputs: Outs,
    bounds: &[usize],
    work: impl Fn(usize, &mut PartCtx) -> R + Sync + Send,
) -> SmallVec<[R; 2]> {
    let parts = bounds.len() - 1;
    let run_part = |p: usize, outs: Outs| {
        with_registers(kernel, |regs, stride| {
            let mut ctx = PartCtx {
                kernel,
                inputs,
                regs,
                stride,
                origin: bounds[p],
                outs,
            };
            work(p, &mut ctx)
        })
    };
    if parts == 1 {
        return smallvec::smallvec![run_part(0, outputs)];
    }
    let mut per_part: Vec<Outs> = (0..parts).map(|_| Outs::new()).collect();
    for out in outputs {
        let mut rest = out;
        for (p, slot) in per_part.iter_mut().enumerate() {
            let (head, tail) = rest.split_at(bounds[p + 1] - bounds[p]);
            slot.push(head);
            rest = tail;
        }
    }
    let slots: Vec<Mutex<Option<Outs>>> =
        per_part.into_iter().map(|o| Mutex::new(Some(o))).collect();
    threads::map_parts(parts, |p| {
        let outs = slots[p]
            .lock()
            .expect("fused part")
            .take()
            .expect("part runs once");
        run_part(p, outs)
    })
    .into_iter()
    .collect()
}

thread_local! {
    /// Each thread's register file, reused across kernels (no allocation or
    /// zeroing per call; every register is written before it is read).
    static REGISTERS: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` with a register file for `kernel` (rows of `stride` values).
fn with_registers<R>(kernel: &FusedKernel, f: impl FnOnce(&mut [f32], usize) -> R) -> R {
    let stride = BLOCK.min(kernel.size()).max(1);
    let len = kernel.ops.len() * stride;
    REGISTERS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut regs) => {
            if regs.len() < len {
                regs.resize(len, 0.0);
            }
            f(&mut regs[..len], stride)
        }
        // Not expected (kernels do not nest), but stay correct if they do.
        Err(_) => f(&mut vec![0f32; len], stride),
    })
}
