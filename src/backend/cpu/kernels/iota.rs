//! `iota` kernel.

use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::threads;
use crate::core::dtype::DType;
use crate::core::element::CastInto;

/// Fills `out` (of `shape`) with the index along `dimension` (in parallel
/// chunks; a plain count when the iota runs along the whole buffer).
pub fn run(dtype: DType, shape: &[usize], dimension: usize, out: &mut Buffer) {
    let inner: usize = shape[dimension + 1..].iter().product::<usize>().max(1);
    let d = shape[dimension].max(1);
    let total: usize = shape.iter().product();
    let counting = inner == 1 && d == total;
    crate::with_storage_type!(dtype, T => {
        threads::for_each_chunk_mut(out.as_mut_slice::<T>(), |off, chunk| {
            for (k, v) in chunk.iter_mut().enumerate() {
                let i = off + k;
                let idx = if counting { i } else { (i / inner) % d };
                *v = CastInto::<T>::cast(idx as u64);
            }
        })
    })
}
