//! Loads a kernel input's elements for one block through its layout
//! (full, scalar, or a strided `broadcast_in_dim` view), as float32.

use super::In;
use crate::ir::kernel::Layout;
use smallvec::SmallVec;

impl In<'_> {
    /// Element `i` as float32 (`bool` as `0.0`/`1.0`).
    #[inline(always)]
    fn get(&self, i: usize) -> f32 {
        match self {
            In::F32(x) => x[i],
            In::Bool(x) => f32::from(x[i]),
        }
    }

    /// `out[t] = self[start + t]`.
    fn copy_run(&self, start: usize, out: &mut [f32]) {
        match self {
            In::F32(x) => out.copy_from_slice(&x[start..start + out.len()]),
            In::Bool(x) => {
                let n = out.len();
                for (o, &b) in out.iter_mut().zip(&x[start..start + n]) {
                    *o = f32::from(b);
                }
            }
        }
    }
}

/// Fills `out` with elements `start..start + out.len()` of the kernel's
/// iteration space (of `shape`) read from `input` through `layout`.
pub(super) fn load(input: &In, layout: &Layout, shape: &[usize], start: usize, out: &mut [f32]) {
    match layout {
        Layout::Full => input.copy_run(start, out),
        Layout::Scalar => out.fill(input.get(0)),
        Layout::Broadcast { strides } => load_strided(input, strides, shape, start, out),
    }
}

/// Walks the block one innermost-axis run at a time: each run is a copy
/// (stride 1), a fill (stride 0) or a strided read.
fn load_strided(input: &In, strides: &[usize], shape: &[usize], start: usize, out: &mut [f32]) {
    let nd = shape.len();
    let last = nd - 1;
    let mut idx: SmallVec<[usize; 8]> = SmallVec::from_elem(0, nd);
    let mut rem = start;
    for d in (0..nd).rev() {
        idx[d] = rem % shape[d];
        rem /= shape[d];
    }
    let (len, row, s_in) = (out.len(), shape[last], strides[last]);
    let mut pos = 0;
    while pos < len {
        let base: usize = (0..last).map(|d| idx[d] * strides[d]).sum();
        let run = (row - idx[last]).min(len - pos);
        let o = &mut out[pos..pos + run];
        match s_in {
            0 => o.fill(input.get(base)),
            1 => input.copy_run(base + idx[last], o),
            s => {
                for (t, v) in o.iter_mut().enumerate() {
                    *v = input.get(base + (idx[last] + t) * s);
                }
            }
        }
        pos += run;
        // Advance the multi-index by `run` (which ends the row or the block).
        idx[last] += run;
        let mut d = last;
        while d > 0 && idx[d] == shape[d] {
            idx[d] = 0;
            d -= 1;
            idx[d] += 1;
        }
    }
}
