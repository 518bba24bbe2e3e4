//! `iota` kernel.

use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;
use crate::core::element::CastInto;

/// Fills `out` (of `shape`) with the index along `dimension`.
pub fn run(dtype: DType, shape: &[usize], dimension: usize, out: &mut Buffer) {
    let inner: usize = shape[dimension + 1..].iter().product();
    let d = shape[dimension];
    crate::with_storage_type!(dtype, T => {
        let o = out.as_mut_slice::<T>();
        for (i, v) in o.iter_mut().enumerate() {
            let idx = (i / inner.max(1)) % d.max(1);
            *v = CastInto::<T>::cast(idx as u64);
        }
    })
}
