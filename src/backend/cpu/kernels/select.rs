//! `select_n` kernel: picks between two cases by a bool predicate.

use super::{par_map1, threads, Operand};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::simd;
use crate::core::dtype::DType;
use crate::core::element::Pod;

/// `out[i] = pred[i] ? on_true[i] : on_false[i]` (pred may be a broadcast scalar).
pub fn run(dtype: DType, pred: Operand, on_false: &Buffer, on_true: &Buffer, out: &mut Buffer) {
    crate::with_storage_type!(dtype, T => typed::<T>(pred, on_false, on_true, out))
}

fn typed<T: Pod>(pred: Operand, on_false: &Buffer, on_true: &Buffer, out: &mut Buffer) {
    let (f, t) = (on_false.as_slice::<T>(), on_true.as_slice::<T>());
    let o = out.as_mut_slice::<T>();
    let p = pred.buf.as_slice::<u8>();
    if pred.scalar {
        let src = if p[0] != 0 { t } else { f };
        return par_map1(src, o, |v| v);
    }
    threads::for_each_chunk_mut(o, |off, chunk| {
        let r = off..off + chunk.len();
        simd::map3(&p[r.clone()], &f[r.clone()], &t[r], chunk, |c, a, b| {
            if c != 0 {
                b
            } else {
                a
            }
        })
    });
}
