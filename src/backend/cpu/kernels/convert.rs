//! `convert_element_type` kernel: every dtype to every dtype.

use super::par_map1;
use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;
use crate::core::element::{CastInto, Pod};

/// Converts `x` from `src` to `dst`. Casting follows Rust's `as` (floats to
/// ints truncate and saturate, NaN → 0); to bool means "is nonzero".
pub fn run(src: DType, dst: DType, x: &Buffer, out: &mut Buffer) {
    if dst == DType::Bool {
        return crate::with_storage_type!(src, S => to_bool::<S>(x, out));
    }
    crate::with_storage_type!(src, S => crate::with_storage_type!(dst, D => cast::<S, D>(x, out)))
}

fn cast<S: Pod + CastInto<D> + Sync, D: Pod>(x: &Buffer, out: &mut Buffer) {
    par_map1(x.as_slice::<S>(), out.as_mut_slice::<D>(), |v: S| v.cast())
}

fn to_bool<S: Pod + Sync>(x: &Buffer, out: &mut Buffer) {
    let zero = S::default();
    par_map1(x.as_slice::<S>(), out.as_mut_slice::<u8>(), move |v: S| {
        (v != zero) as u8
    })
}
