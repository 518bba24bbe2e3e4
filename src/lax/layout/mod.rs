//! Layout primitives, one file each: reshape, broadcast_in_dim, transpose,
//! squeeze, rev, slice, pad and concatenate. Each file holds the primitive's
//! rules and its `lax` function; this module holds the helpers they share.

mod broadcast_in_dim;
mod concatenate;
mod pad;
mod reshape;
mod rev;
mod slice;
mod squeeze;
mod transpose;

pub use broadcast_in_dim::*;
pub use concatenate::*;
pub use pad::*;
pub use reshape::*;
pub use rev::*;
pub use slice::*;
pub use squeeze::*;
pub use transpose::*;

use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::layout::{self as k, StridedView};
use crate::core::aval::ShapedArray;
use crate::lax::Buffers;
use smallvec::smallvec;

fn fmt_list<T: std::fmt::Display>(xs: &[T]) -> String {
    match xs {
        [x] => format!("({x},)"),
        _ => format!(
            "({})",
            xs.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn out_buffer(aval: &ShapedArray) -> Buffer {
    Buffer::for_dtype(aval.size(), aval.dtype)
}

fn strided(input: &ShapedArray, buf: &Buffer, view: StridedView, out: &ShapedArray) -> Buffers {
    let mut o = out_buffer(out);
    k::strided_copy(input.dtype, buf, &view, &out.shape, &mut o);
    smallvec![o]
}
