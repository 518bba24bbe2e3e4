//! Cumulative sums, products, maxima and minima along one axis.

use super::elem::{fmax_nan, fmin_nan, FloatMath, IntOps};
use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;
use crate::core::element::{CastInto, Pod};
use crate::ir::CumulativeOp;
use half::{bf16, f16};

/// Scans `x` (of `shape`) along `axis` into `out`, from the end if `reverse`.
pub fn run(
    op: CumulativeOp,
    dtype: DType,
    x: &Buffer,
    shape: &[usize],
    axis: usize,
    reverse: bool,
    out: &mut Buffer,
) {
    let outer: usize = shape[..axis].iter().product();
    let r = shape[axis];
    let inner: usize = shape[axis + 1..].iter().product();
    let g = Geometry {
        outer,
        r,
        inner,
        reverse,
    };
    match dtype {
        DType::F32 => float::<f32>(op, x.as_slice(), out.as_mut_slice(), &g),
        DType::F64 => float::<f64>(op, x.as_slice(), out.as_mut_slice(), &g),
        DType::F16 => via_f32::<f16>(op, x.as_slice(), out.as_mut_slice(), &g),
        DType::BF16 => via_f32::<bf16>(op, x.as_slice(), out.as_mut_slice(), &g),
        DType::I8 => int::<i8>(op, x, out, &g),
        DType::I16 => int::<i16>(op, x, out, &g),
        DType::I32 => int::<i32>(op, x, out, &g),
        DType::I64 => int::<i64>(op, x, out, &g),
        DType::U8 => int::<u8>(op, x, out, &g),
        DType::U16 => int::<u16>(op, x, out, &g),
        DType::U32 => int::<u32>(op, x, out, &g),
        DType::U64 => int::<u64>(op, x, out, &g),
        DType::C64 => complex::<f32>(op, x, out, &g),
        DType::C128 => complex::<f64>(op, x, out, &g),
        DType::Float0 => unreachable!("float0 never reaches a kernel: bind rejects it"),
        DType::Bool => unreachable!("cumulative ops on bool are rejected by abstract eval"),
    }
}

/// Cumulative sums and products of complex values (sequential, as XLA's).
fn complex<T: super::complex::Real>(op: CumulativeOp, x: &Buffer, out: &mut Buffer, g: &Geometry)
where
    num_complex::Complex<T>: Pod,
{
    let (x, o) = (
        x.as_slice::<num_complex::Complex<T>>(),
        out.as_mut_slice::<num_complex::Complex<T>>(),
    );
    match op {
        CumulativeOp::Sum => scan(x, o, g, |a, b| a + b),
        CumulativeOp::Prod => scan(x, o, g, |a, b| a * b),
        CumulativeOp::Max => scan(
            x,
            o,
            g,
            |a, b| {
                if super::complex::lex_gt(b, a) {
                    b
                } else {
                    a
                }
            },
        ),
        CumulativeOp::Min => scan(
            x,
            o,
            g,
            |a, b| {
                if super::complex::lex_gt(a, b) {
                    b
                } else {
                    a
                }
            },
        ),
    }
}

struct Geometry {
    outer: usize,
    r: usize,
    inner: usize,
    reverse: bool,
}

/// A sequential scan; with `init`, the first element is combined with it
/// too (XLA starts float sums from +0, so `-0.0` prefixes become `+0.0`).
fn scan<T: Copy>(x: &[T], out: &mut [T], g: &Geometry, f: impl Fn(T, T) -> T) {
    scan_from(x, out, g, f, None)
}

fn scan_from<T: Copy>(
    x: &[T],
    out: &mut [T],
    g: &Geometry,
    f: impl Fn(T, T) -> T,
    init: Option<T>,
) {
    for o in 0..g.outer {
        for i in 0..g.inner {
            let at = |j: usize| (o * g.r + j) * g.inner + i;
            let mut acc: Option<T> = init;
            for step in 0..g.r {
                let j = if g.reverse { g.r - 1 - step } else { step };
                let v = x[at(j)];
                let next = match acc {
                    None => v,
                    Some(a) => f(a, v),
                };
                out[at(j)] = next;
                acc = Some(next);
            }
        }
    }
}

/// A forward float sum/product scan in XLA:CPU's order (see [`xla_blocked`]).
fn blocked_scan<T: FloatMath>(
    x: &[T],
    out: &mut [T],
    g: &Geometry,
    f: impl Fn(T, T) -> T,
    identity: T,
) {
    let mut lane = Vec::with_capacity(g.r);
    for o in 0..g.outer {
        for i in 0..g.inner {
            let at = |j: usize| (o * g.r + j) * g.inner + i;
            lane.clear();
            lane.extend((0..g.r).map(|j| x[at(j)]));
            for (j, v) in xla_blocked(&lane, &f, identity).into_iter().enumerate() {
                out[at(j)] = v;
            }
        }
    }
}

/// Inclusive prefix combination in XLA:CPU's order (JAX's CPU `cumsum` and
/// `cumprod` are reduce-windows that XLA rewrites into a two-level scan):
/// sequential up to 16 elements; beyond, sequential within blocks of 16,
/// each block then combined with the (recursively computed) prefix of the
/// blocks before it.
fn xla_blocked<T: Copy>(lane: &[T], f: &impl Fn(T, T) -> T, identity: T) -> Vec<T> {
    // Each scan starts from the identity, as XLA's reduce-window does.
    let sequential = |v: &[T]| {
        let mut out: Vec<T> = Vec::with_capacity(v.len());
        let mut acc = identity;
        for &x in v {
            acc = f(acc, x);
            out.push(acc);
        }
        out
    };
    let n = lane.len();
    if n <= 16 {
        return sequential(lane);
    }
    let blocks = n.div_ceil(16);
    let mut inner = Vec::with_capacity(blocks * 16);
    for b in 0..blocks {
        let mut block = lane[b * 16..n.min(b * 16 + 16)].to_vec();
        block.resize(16, identity);
        inner.extend(sequential(&block));
    }
    let totals: Vec<T> = (0..blocks).map(|b| inner[b * 16 + 15]).collect();
    let before = xla_blocked(&totals, f, identity);
    (0..n)
        .map(|i| {
            let b = i / 16;
            f(inner[i], if b == 0 { identity } else { before[b - 1] })
        })
        .collect()
}

fn float<T: FloatMath>(op: CumulativeOp, x: &[T], out: &mut [T], g: &Geometry) {
    match op {
        CumulativeOp::Sum if !g.reverse => blocked_scan(x, out, g, |a, b| a + b, T::ZERO),
        CumulativeOp::Prod if !g.reverse => blocked_scan(x, out, g, |a, b| a * b, T::ONE),
        CumulativeOp::Sum => scan_from(x, out, g, |a, b| a + b, Some(T::ZERO)),
        CumulativeOp::Prod => scan(x, out, g, |a, b| a * b),
        CumulativeOp::Max => scan(x, out, g, fmax_nan),
        CumulativeOp::Min => scan(x, out, g, fmin_nan),
    }
}

fn via_f32<H: Pod + CastInto<f32>>(op: CumulativeOp, x: &[H], out: &mut [H], g: &Geometry)
where
    f32: CastInto<H>,
{
    let x32: Vec<f32> = x.iter().map(|v| v.cast()).collect();
    let mut o32 = vec![0f32; x32.len()];
    float(op, &x32, &mut o32, g);
    for (d, s) in out.iter_mut().zip(o32) {
        *d = s.cast();
    }
}

fn int<T: IntOps + Pod>(op: CumulativeOp, x: &Buffer, out: &mut Buffer, g: &Geometry) {
    let (x, o) = (x.as_slice::<T>(), out.as_mut_slice::<T>());
    match op {
        CumulativeOp::Sum => scan(x, o, g, T::wadd),
        CumulativeOp::Prod => scan(x, o, g, T::wmul),
        CumulativeOp::Max => scan(x, o, g, |a, b| a.max(b)),
        CumulativeOp::Min => scan(x, o, g, |a, b| a.min(b)),
    }
}
