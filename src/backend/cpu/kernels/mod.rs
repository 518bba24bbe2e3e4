//! CPU kernels, one file per family. Each takes ready buffers plus the
//! shapes/dtypes it needs and writes its output buffer.

pub mod binary;
pub mod compare;
pub mod complex;
pub mod conv;
pub mod convert;
pub mod cumulative;
pub mod dot;
pub mod elem;
pub mod fma;
pub mod gather;
pub mod iota;
pub mod layout;
pub mod linalg;
pub mod nonzero;
pub mod reduce;
pub mod select;
pub mod sort;
pub mod threefry;
pub mod unary;
pub mod window;
pub mod xla_unary;

use super::buffer::Buffer;
use super::simd;
use super::threads;
use crate::core::element::Pod;

/// A binary-op operand: a full array, or one element broadcast to every position.
#[derive(Copy, Clone)]
pub struct Operand<'a> {
    /// The operand's buffer.
    pub buf: &'a Buffer,
    /// Whether it holds one element to broadcast.
    pub scalar: bool,
}

impl<'a> Operand<'a> {
    /// An operand of `size` elements feeding an output of `out_size` elements.
    pub fn new(buf: &'a Buffer, size: usize, out_size: usize) -> Operand<'a> {
        Operand {
            buf,
            scalar: size == 1 && out_size != 1,
        }
    }
}

/// `out[i] = f(x[i])` over threads and SIMD lanes.
#[inline]
pub fn par_map1<A, O, F>(x: &[A], out: &mut [O], f: F)
where
    A: Copy + Sync,
    O: Copy + Send,
    F: Fn(A) -> O + Copy + Sync + Send,
{
    threads::for_each_chunk_mut(out, |off, chunk| {
        simd::map1(&x[off..off + chunk.len()], chunk, f)
    });
}

/// `out[i] = f(a[i], b[i])`, where either side may be a broadcast scalar.
#[inline]
pub fn par_map2<A, B, O, F>(a: &[A], a_scalar: bool, b: &[B], b_scalar: bool, out: &mut [O], f: F)
where
    A: Copy + Send + Sync,
    B: Copy + Send + Sync,
    O: Copy + Send,
    F: Fn(A, B) -> O + Copy + Sync + Send,
{
    match (a_scalar, b_scalar) {
        (false, false) => threads::for_each_chunk_mut(out, |off, chunk| {
            let r = off..off + chunk.len();
            simd::map2(&a[r.clone()], &b[r], chunk, f)
        }),
        (true, false) => {
            let av = a[0];
            par_map1(b, out, move |bv| f(av, bv))
        }
        (false, true) => {
            let bv = b[0];
            par_map1(a, out, move |av| f(av, bv))
        }
        (true, true) => out.fill(f(a[0], b[0])),
    }
}

/// Typed views of an operand pair plus output.
pub(crate) fn typed<'a, T: Pod, O: Pod>(
    a: Operand<'a>,
    b: Operand<'a>,
    out: &'a mut Buffer,
) -> (&'a [T], &'a [T], &'a mut [O]) {
    (
        a.buf.as_slice::<T>(),
        b.buf.as_slice::<T>(),
        out.as_mut_slice::<O>(),
    )
}
