//! Reductions over axes, and argmax/argmin.
//!
//! The reduced axes are first made contiguous (a transpose copy when they are
//! not), giving an `(outer, r, inner)` problem. With `inner == 1` each row is
//! reduced with 32 vector lanes inside blocks of 4096 and pairwise across
//! blocks, so float sums are accurate like NumPy's pairwise summation; with
//! `inner > 1` rows are accumulated elementwise. Half floats accumulate in f32.

use super::complex::Real;
use super::elem::{fmax_nan, fmin_nan, FloatMath, IntOps};
use super::layout::{strided_copy, StridedView};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::{simd, threads};
use crate::core::dtype::DType;
use crate::core::element::{CastInto, Pod};
use crate::core::shape::contiguous_strides;
use crate::ir::ReduceOp;
use half::{bf16, f16};
use num_complex::Complex;

/// An associative reduction with an identity.
pub trait Monoid<T>: Copy + Send + Sync {
    /// The identity element.
    fn identity(self) -> T;
    /// Combines two partial results.
    fn combine(self, a: T, b: T) -> T;
}

#[derive(Copy, Clone)]
struct FSum;
#[derive(Copy, Clone)]
struct FProd;
#[derive(Copy, Clone)]
struct FMax;
#[derive(Copy, Clone)]
struct FMin;

impl<T: FloatMath> Monoid<T> for FSum {
    #[inline(always)]
    fn identity(self) -> T {
        T::ZERO
    }
    #[inline(always)]
    fn combine(self, a: T, b: T) -> T {
        a + b
    }
}
impl<T: FloatMath> Monoid<T> for FProd {
    #[inline(always)]
    fn identity(self) -> T {
        T::ONE
    }
    #[inline(always)]
    fn combine(self, a: T, b: T) -> T {
        a * b
    }
}
impl<T: FloatMath> Monoid<T> for FMax {
    #[inline(always)]
    fn identity(self) -> T {
        -(T::ONE / T::ZERO)
    }
    #[inline(always)]
    fn combine(self, a: T, b: T) -> T {
        fmax_nan(a, b)
    }
}
impl<T: FloatMath> Monoid<T> for FMin {
    #[inline(always)]
    fn identity(self) -> T {
        T::ONE / T::ZERO
    }
    #[inline(always)]
    fn combine(self, a: T, b: T) -> T {
        fmin_nan(a, b)
    }
}

/// Integer monoids (wrapping sum/prod, max, min; and/or on bool bytes).
#[derive(Copy, Clone)]
struct IMon<T> {
    op: ReduceOp,
    lo: T,
    hi: T,
}
impl<T: IntOps> Monoid<T> for IMon<T> {
    #[inline(always)]
    fn identity(self) -> T {
        match self.op {
            ReduceOp::Sum | ReduceOp::Or => T::default(),
            ReduceOp::Prod => T::ONE,
            ReduceOp::Max => self.lo,
            ReduceOp::Min => self.hi,
            ReduceOp::And => T::ONE,
            _ => T::default(),
        }
    }
    #[inline(always)]
    fn combine(self, a: T, b: T) -> T {
        match self.op {
            ReduceOp::Sum => a.wadd(b),
            ReduceOp::Prod => a.wmul(b),
            ReduceOp::Max => a.max(b),
            ReduceOp::Min => a.min(b),
            ReduceOp::And => a.and(b),
            ReduceOp::Or => a.or(b),
            _ => a,
        }
    }
}

const LANES: usize = 32;
const BLOCK: usize = 4096;

simd::multiversion! {
    fn lanes_feed<T: Copy, M: Monoid<T>>(acc: &mut [T; LANES], x: &[T], m: M) {
        for c in x.chunks_exact(LANES) {
            for j in 0..LANES {
                acc[j] = m.combine(acc[j], c[j]);
            }
        }
    }
}

/// Folds the lanes pairwise, then the leftover elements `rem` in order.
fn lanes_finish<T: Copy, M: Monoid<T>>(mut acc: [T; LANES], rem: &[T], m: M) -> T {
    let mut w = LANES;
    while w > 1 {
        w /= 2;
        for j in 0..w {
            acc[j] = m.combine(acc[j], acc[j + w]);
        }
    }
    rem.iter().fold(acc[0], |r, &v| m.combine(r, v))
}

/// Reduces one block: 32 lanes, folded pairwise, then the remainder.
fn reduce_block<T: Copy, M: Monoid<T>>(x: &[T], m: M) -> T {
    let mut acc = [m.identity(); LANES];
    let full = x.len() / LANES * LANES;
    lanes_feed(&mut acc, &x[..full], m);
    lanes_finish(acc, &x[full..], m)
}

/// Elements per block of a contiguous reduction: a fused kernel splits its
/// rows at the same boundaries so its sums match the unfused ones bit for bit.
pub const REDUCE_BLOCK: usize = BLOCK;

/// A block reduction fed in pieces (for fused kernels): feeding a block's
/// elements in order, in pieces whose lengths are multiples of 32 except
/// the last, then finishing gives exactly `reduce_block` of the block.
pub struct F32BlockReducer {
    op: ReduceOp,
    acc: [f32; LANES],
    rem: [f32; LANES],
    rem_len: usize,
}

impl F32BlockReducer {
    /// An empty reducer for `op` (sum, max or min).
    pub fn new(op: ReduceOp) -> F32BlockReducer {
        let identity = match op {
            ReduceOp::Sum => Monoid::<f32>::identity(FSum),
            ReduceOp::Max => Monoid::<f32>::identity(FMax),
            ReduceOp::Min => Monoid::<f32>::identity(FMin),
            _ => unreachable!("fused reductions are sum, max and min"),
        };
        F32BlockReducer {
            op,
            acc: [identity; LANES],
            rem: [identity; LANES],
            rem_len: 0,
        }
    }

    /// Feeds the next piece of the block.
    pub fn feed(&mut self, x: &[f32]) {
        assert_eq!(self.rem_len, 0, "only the last piece may be ragged");
        let full = x.len() / LANES * LANES;
        match self.op {
            ReduceOp::Sum => lanes_feed(&mut self.acc, &x[..full], FSum),
            ReduceOp::Max => lanes_feed(&mut self.acc, &x[..full], FMax),
            _ => lanes_feed(&mut self.acc, &x[..full], FMin),
        }
        self.rem_len = x.len() - full;
        self.rem[..self.rem_len].copy_from_slice(&x[full..]);
    }

    /// The block's result; the reducer is reset.
    pub fn finish(&mut self) -> f32 {
        let (acc, rem) = (self.acc, &self.rem[..self.rem_len]);
        let r = match self.op {
            ReduceOp::Sum => lanes_finish(acc, rem, FSum),
            ReduceOp::Max => lanes_finish(acc, rem, FMax),
            _ => lanes_finish(acc, rem, FMin),
        };
        *self = F32BlockReducer::new(self.op);
        r
    }
}

/// `acc[j] = op(acc[j], row[j])` for a fused `inner > 1` reduction, in the
/// same order as the unfused kernel.
pub fn f32_accumulate(op: ReduceOp, acc: &mut [f32], row: &[f32]) {
    match op {
        ReduceOp::Sum => accumulate_row(acc, row, FSum),
        ReduceOp::Max => accumulate_row(acc, row, FMax),
        ReduceOp::Min => accumulate_row(acc, row, FMin),
        _ => unreachable!("fused reductions are sum, max and min"),
    }
}

/// The identity of a fused reduction.
pub fn f32_identity(op: ReduceOp) -> f32 {
    F32BlockReducer::new(op).acc[0]
}

fn pairwise<T: Copy, M: Monoid<T>>(parts: &[T], m: M) -> T {
    match parts.len() {
        0 => m.identity(),
        1 => parts[0],
        n => m.combine(pairwise(&parts[..n / 2], m), pairwise(&parts[n / 2..], m)),
    }
}

/// Reduces an f32 slice with a float reduction (sum, max, min), for fused kernels.
pub fn f32_slice(op: ReduceOp, x: &[f32]) -> f32 {
    match op {
        ReduceOp::Sum => reduce_contig(x, FSum),
        ReduceOp::Max => reduce_contig(x, FMax),
        ReduceOp::Min => reduce_contig(x, FMin),
        _ => unreachable!("fused reductions are sum, max and min"),
    }
}

/// Combines f32 partial results pairwise with a float reduction, in order.
pub fn f32_combine(op: ReduceOp, parts: &[f32]) -> f32 {
    match op {
        ReduceOp::Sum => pairwise(parts, FSum),
        ReduceOp::Max => pairwise(parts, FMax),
        ReduceOp::Min => pairwise(parts, FMin),
        _ => unreachable!("fused reductions are sum, max and min"),
    }
}

/// Reduces a contiguous slice: lanes within blocks, pairwise across blocks.
pub fn reduce_contig<T: Copy + Send + Sync, M: Monoid<T>>(x: &[T], m: M) -> T {
    let n = x.len();
    let nb = n.div_ceil(BLOCK).max(1);
    let part = |i: usize| reduce_block(&x[(i * BLOCK).min(n)..((i + 1) * BLOCK).min(n)], m);
    let parts: Vec<T> = if n >= threads::PAR_MIN_ELEMENTS {
        // One contiguous run of blocks per worker, streaming sequentially.
        let w = threads::num_threads().min(nb);
        threads::map_parts(w, |p| {
            (p * nb / w..(p + 1) * nb / w).map(part).collect::<Vec<T>>()
        })
        .into_iter()
        .flatten()
        .collect()
    } else {
        (0..nb).map(part).collect()
    };
    pairwise(&parts, m)
}

simd::multiversion! {
    fn accumulate_row<T: Copy, M: Monoid<T>>(acc: &mut [T], row: &[T], m: M) {
        for (a, &v) in acc.iter_mut().zip(row) {
            *a = m.combine(*a, v);
        }
    }
}

/// Reduces `x` viewed as `(outer, r, inner)` over the middle axis into `out` (`outer × inner`).
fn reduce_3d<T: Copy + Send + Sync, M: Monoid<T>>(
    x: &[T],
    outer: usize,
    r: usize,
    inner: usize,
    out: &mut [T],
    m: M,
) {
    if inner == 1 {
        if outer == 1 {
            out[0] = reduce_contig(x, m);
        } else {
            threads::for_each_chunk_mut(out, |off, chunk| {
                for (i, o) in chunk.iter_mut().enumerate() {
                    let row = off + i;
                    *o = reduce_contig(&x[row * r..(row + 1) * r], m);
                }
            });
        }
        return;
    }
    for o in 0..outer {
        let acc = &mut out[o * inner..(o + 1) * inner];
        acc.fill(m.identity());
        for i in 0..r {
            let start = (o * r + i) * inner;
            accumulate_row(acc, &x[start..start + inner], m);
        }
    }
}

/// Moves `axes` to the end (copying if needed); returns the buffer and `(outer, r)`.
fn axes_last(
    dtype: DType,
    x: &Buffer,
    shape: &[usize],
    axes: &[usize],
) -> (Option<Buffer>, usize, usize, usize) {
    let nd = shape.len();
    let r: usize = axes.iter().map(|&a| shape[a]).product();
    let total: usize = shape.iter().product();
    // Contiguous run of axes: no copy needed.
    let contiguous = axes.windows(2).all(|w| w[1] == w[0] + 1);
    if axes.is_empty() || contiguous {
        let (first, last) = (
            axes.first().copied().unwrap_or(nd),
            axes.last().copied().unwrap_or(nd),
        );
        let outer: usize = shape[..first].iter().product();
        let inner: usize = if axes.is_empty() {
            1
        } else {
            shape[last + 1..].iter().product()
        };
        return (None, outer, r, inner);
    }
    let kept: Vec<usize> = (0..nd).filter(|a| !axes.contains(a)).collect();
    let perm: Vec<usize> = kept.iter().chain(axes.iter()).copied().collect();
    let st = contiguous_strides(shape);
    let view = StridedView {
        offset: 0,
        strides: perm.iter().map(|&p| st[p] as isize).collect(),
    };
    let out_shape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
    let mut b = Buffer::new(x.len_bytes());
    strided_copy(dtype, x, &view, &out_shape, &mut b);
    (Some(b), total / r.max(1), r, 1)
}

/// Reduces `x` (of `shape`) over `axes` with `op` into `out`.
pub fn run(
    op: ReduceOp,
    dtype: DType,
    x: &Buffer,
    shape: &[usize],
    axes: &[usize],
    out: &mut Buffer,
) {
    let (tmp, outer, r, inner) = axes_last(dtype, x, shape, axes);
    let src = tmp.as_ref().unwrap_or(x);
    match dtype {
        DType::F32 => float::<f32>(op, src.as_slice(), outer, r, inner, out.as_mut_slice()),
        DType::F64 => float::<f64>(op, src.as_slice(), outer, r, inner, out.as_mut_slice()),
        DType::F16 => half::<f16>(op, src.as_slice(), outer, r, inner, out.as_mut_slice()),
        DType::BF16 => half::<bf16>(op, src.as_slice(), outer, r, inner, out.as_mut_slice()),
        DType::Bool => {
            let m = IMon {
                op,
                lo: 0u8,
                hi: 1u8,
            };
            reduce_3d(src.as_slice::<u8>(), outer, r, inner, out.as_mut_slice(), m)
        }
        DType::C64 => complex::<f32>(op, src, outer, r, inner, out),
        DType::C128 => complex::<f64>(op, src, outer, r, inner, out),
        DType::Float0 => unreachable!("float0 never reaches a kernel: bind rejects it"),
        ints => crate::with_int_storage_type!(ints, T => int::<T>(op, src, outer, r, inner, out)),
    }
}

/// Sum, product, or lexicographic max/min of complex values.
#[derive(Copy, Clone)]
struct CMon(ReduceOp);

impl<T: Real> Monoid<Complex<T>> for CMon {
    #[inline(always)]
    fn identity(self) -> Complex<T> {
        match self.0 {
            ReduceOp::Prod => Complex::new(T::one(), T::zero()),
            ReduceOp::Max => Complex::new(T::neg_infinity(), T::neg_infinity()),
            ReduceOp::Min => Complex::new(T::infinity(), T::infinity()),
            _ => Complex::new(T::zero(), T::zero()),
        }
    }
    #[inline(always)]
    fn combine(self, a: Complex<T>, b: Complex<T>) -> Complex<T> {
        match self.0 {
            ReduceOp::Prod => a * b,
            ReduceOp::Max => {
                if super::complex::lex_gt(b, a) {
                    b
                } else {
                    a
                }
            }
            ReduceOp::Min => {
                if super::complex::lex_gt(a, b) {
                    b
                } else {
                    a
                }
            }
            _ => a + b,
        }
    }
}

fn complex<T: Real>(
    op: ReduceOp,
    x: &Buffer,
    outer: usize,
    r: usize,
    inner: usize,
    out: &mut Buffer,
) where
    Complex<T>: Pod,
{
    assert!(
        matches!(
            op,
            ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Max | ReduceOp::Min
        ),
        "{} on complex is rejected by abstract eval",
        op.name()
    );
    reduce_3d(
        x.as_slice::<Complex<T>>(),
        outer,
        r,
        inner,
        out.as_mut_slice::<Complex<T>>(),
        CMon(op),
    )
}

fn int<T: IntOps + Pod>(
    op: ReduceOp,
    x: &Buffer,
    outer: usize,
    r: usize,
    inner: usize,
    out: &mut Buffer,
) {
    let m = IMon {
        op,
        lo: T::MIN,
        hi: T::MAX,
    };
    reduce_3d(
        x.as_slice::<T>(),
        outer,
        r,
        inner,
        out.as_mut_slice::<T>(),
        m,
    )
}

fn float<T: FloatMath + Pod>(
    op: ReduceOp,
    x: &[T],
    outer: usize,
    r: usize,
    inner: usize,
    out: &mut [T],
) {
    match op {
        ReduceOp::Sum => reduce_3d(x, outer, r, inner, out, FSum),
        ReduceOp::Prod => reduce_3d(x, outer, r, inner, out, FProd),
        ReduceOp::Max => reduce_3d(x, outer, r, inner, out, FMax),
        ReduceOp::Min => reduce_3d(x, outer, r, inner, out, FMin),
        _ => unreachable!("{} on floats is rejected by abstract eval", op.name()),
    }
}

fn half<H: Pod + CastInto<f32>>(
    op: ReduceOp,
    x: &[H],
    outer: usize,
    r: usize,
    inner: usize,
    out: &mut [H],
) where
    f32: CastInto<H>,
{
    let x32: Vec<f32> = x.iter().map(|v| v.cast()).collect();
    let mut o32 = vec![0f32; out.len()];
    float::<f32>(op, &x32, outer, r, inner, &mut o32);
    for (d, s) in out.iter_mut().zip(o32) {
        *d = s.cast();
    }
}

/// Index of the first maximum (or minimum) along `axis`; NaN wins, first occurrence on ties.
#[allow(clippy::too_many_arguments)]
pub fn arg(
    op: ReduceOp,
    dtype: DType,
    x: &Buffer,
    shape: &[usize],
    axis: usize,
    index_dtype: DType,
    out: &mut Buffer,
) {
    let outer: usize = shape[..axis].iter().product();
    let r = shape[axis];
    let inner: usize = shape[axis + 1..].iter().product();
    let is_max = op == ReduceOp::ArgMax;
    let mut idx = vec![0i64; outer * inner];
    crate::with_real_storage_type!(dtype, T => {
        let v = x.as_slice::<T>();
        for o in 0..outer {
            for i in 0..inner {
                let at = |j: usize| v[(o * r + j) * inner + i];
                let mut best = at(0);
                let mut bi = 0usize;
                #[allow(clippy::eq_op)]
                let is_nan = |a: T| a != a;
                if !is_nan(best) {
                    for j in 1..r {
                        let c = at(j);
                        if is_nan(c) {
                            bi = j;
                            break;
                        }
                        let better = if is_max { c > best } else { c < best };
                        if better {
                            best = c;
                            bi = j;
                        }
                    }
                }
                idx[o * inner + i] = bi as i64;
            }
        }
    });
    crate::with_storage_type!(index_dtype, I => {
        for (d, s) in out.as_mut_slice::<I>().iter_mut().zip(&idx) {
            *d = CastInto::<I>::cast(*s);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_is_accurate() {
        let x = vec![0.1f32; 10_000_000];
        let s = reduce_contig(&x, FSum);
        assert!((s - 1_000_000.0).abs() < 1.0, "{s}");
    }

    #[test]
    fn integer_identities() {
        let m = IMon {
            op: ReduceOp::Prod,
            lo: 0u32,
            hi: u32::MAX,
        };
        assert_eq!(m.identity(), 1);
        let m = IMon {
            op: ReduceOp::Prod,
            lo: i8::MIN,
            hi: i8::MAX,
        };
        assert_eq!(m.identity(), 1);
        assert_eq!(
            reduce_contig(
                &[3i32, 4, 5],
                IMon {
                    op: ReduceOp::Prod,
                    lo: 0,
                    hi: 0
                }
            ),
            60
        );
    }
}
