//! `sort` kernel: sorts lanes along one axis by lexicographic keys and
//! applies the same permutation to every operand.

use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;
use std::cmp::Ordering;

/// One operand: its buffer and dtype.
pub struct SortOperand<'a> {
    /// The data.
    pub buf: &'a Buffer,
    /// Its dtype.
    pub dtype: DType,
}

/// Compares elements `i` and `j` of a key buffer: ascending, floats with
/// `-0 == 0` and every NaN after every number (JAX's sort order).
type Cmp<'a> = Box<dyn Fn(usize, usize) -> Ordering + 'a>;

fn comparator<'a>(op: &SortOperand<'a>) -> Cmp<'a> {
    macro_rules! float {
        ($t:ty) => {{
            let v = op.buf.as_slice::<$t>();
            Box::new(move |i, j| {
                let (a, b) = (v[i], v[j]);
                match (a.is_nan(), b.is_nan()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    _ => a.partial_cmp(&b).unwrap(),
                }
            })
        }};
    }
    macro_rules! ord {
        ($t:ty) => {{
            let v = op.buf.as_slice::<$t>();
            Box::new(move |i, j| v[i].cmp(&v[j]))
        }};
    }
    match op.dtype {
        DType::F32 => float!(f32),
        DType::F64 => float!(f64),
        DType::F16 => {
            let v = op.buf.as_slice::<half::f16>();
            let g = move |i: usize| v[i].to_f32();
            Box::new(move |i, j| float_order(g(i), g(j)))
        }
        DType::BF16 => {
            let v = op.buf.as_slice::<half::bf16>();
            let g = move |i: usize| v[i].to_f32();
            Box::new(move |i, j| float_order(g(i), g(j)))
        }
        DType::Bool => ord!(u8),
        // Lexicographic on (real, imaginary), NaNs last in each, as XLA sorts.
        DType::C64 => {
            let v = op.buf.as_slice::<num_complex::Complex32>();
            let o = |a: f32, b: f32| float_order(a, b);
            Box::new(move |i, j| o(v[i].re, v[j].re).then(o(v[i].im, v[j].im)))
        }
        DType::C128 => {
            let v = op.buf.as_slice::<num_complex::Complex64>();
            let o = |a: f64, b: f64| match (a.is_nan(), b.is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                _ => a.partial_cmp(&b).unwrap(),
            };
            Box::new(move |i, j| o(v[i].re, v[j].re).then(o(v[i].im, v[j].im)))
        }
        DType::Float0 => unreachable!("float0 never reaches a kernel: bind rejects it"),
        ints => crate::with_int_storage_type!(ints, T => ord!(T)),
    }
}

fn float_order(a: f32, b: f32) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => a.partial_cmp(&b).unwrap(),
    }
}

/// `key(x)`: an order-preserving 32-bit key in JAX's order (`-0 == 0`,
/// every NaN last and equal), for dtypes that have one.
#[inline(always)]
fn float_key(x: f32) -> u32 {
    if x.is_nan() {
        return u32::MAX;
    }
    let b = if x == 0.0 { 0 } else { x.to_bits() };
    if b & 0x8000_0000 != 0 {
        !b
    } else {
        b | 0x8000_0000
    }
}

/// Fills `items[k] = key(lane[k]) << 32 | k` for a lane at `base + k*stride`;
/// `false` when the dtype has no 32-bit radix key.
fn radix_items(op: &SortOperand, base: usize, stride: usize, items: &mut [u64]) -> bool {
    macro_rules! fill {
        ($t:ty, $f:expr) => {{
            let v = op.buf.as_slice::<$t>();
            let f = $f;
            for (k, it) in items.iter_mut().enumerate() {
                *it = ((f(v[base + k * stride]) as u64) << 32) | k as u64;
            }
            true
        }};
    }
    match op.dtype {
        DType::F32 => fill!(f32, float_key),
        DType::F16 => fill!(half::f16, |x: half::f16| float_key(x.to_f32())),
        DType::BF16 => fill!(half::bf16, |x: half::bf16| float_key(x.to_f32())),
        DType::I32 => fill!(i32, |x: i32| (x as u32) ^ 0x8000_0000),
        DType::I16 => fill!(i16, |x: i16| (x as i32 as u32) ^ 0x8000_0000),
        DType::I8 => fill!(i8, |x: i8| (x as i32 as u32) ^ 0x8000_0000),
        DType::U32 => fill!(u32, |x: u32| x),
        DType::U16 => fill!(u16, |x: u16| x as u32),
        DType::U8 | DType::Bool => fill!(u8, |x: u8| x as u32),
        _ => false,
    }
}

/// Stable LSD radix sort of `a` by its high 32 bits (11-bit digits; a
/// digit every item shares is skipped); `b` is scratch of the same length.
/// Returns the buffer that holds the result.
fn radix_sort<'a>(mut a: &'a mut [u64], mut b: &'a mut [u64]) -> &'a mut [u64] {
    let n = a.len();
    for shift in [32u32, 43, 54] {
        let mut count = [0usize; 2048];
        for &v in a.iter() {
            count[((v >> shift) & 0x7FF) as usize] += 1;
        }
        if count.contains(&n) {
            continue; // every key has this digit
        }
        let mut sum = 0;
        for c in count.iter_mut() {
            let t = *c;
            *c = sum;
            sum += t;
        }
        for &v in a.iter() {
            let d = ((v >> shift) & 0x7FF) as usize;
            b[count[d]] = v;
            count[d] += 1;
        }
        std::mem::swap(&mut a, &mut b);
    }
    a
}

/// Writes the sorted order of one lane (positions `base + k * stride`)
/// into `out` (the source position for each sorted slot).
fn lane_order(
    keys: &[Cmp],
    key0: &SortOperand,
    base: usize,
    stride: usize,
    n: usize,
    out: &mut dyn FnMut(usize, usize),
) {
    if keys.len() == 1 && n >= 64 && n <= u32::MAX as usize {
        let mut sa = Buffer::for_elements::<u64>(n);
        let mut sb = Buffer::for_elements::<u64>(n);
        let a = sa.as_mut_slice::<u64>();
        if radix_items(key0, base, stride, a) {
            let sorted = radix_sort(a, sb.as_mut_slice::<u64>());
            for (k, &v) in sorted.iter().enumerate() {
                out(k, base + (v as u32) as usize * stride);
            }
            return;
        }
    }
    let mut lane: Vec<usize> = (0..n).map(|k| base + k * stride).collect();
    lane.sort_by(|&a, &b| {
        keys.iter()
            .map(|c| c(a, b))
            .find(|&ord| ord != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    });
    for (k, &src) in lane.iter().enumerate() {
        out(k, src);
    }
}

/// Sorts `operands` (all of `shape`) along `dim` by the first `num_keys`
/// of them; returns one output buffer per operand. Stable (the unstable
/// request is served by the stable sort too). A single 8-to-32-bit key
/// sorts by radix; lanes along the last axis sort in parallel.
pub fn run(operands: &[SortOperand], shape: &[usize], dim: usize, num_keys: usize) -> Vec<Buffer> {
    use rayon::prelude::*;
    let n = shape[dim];
    let inner: usize = shape[dim + 1..].iter().product();
    let outer: usize = shape[..dim].iter().product();
    let total = outer * n * inner;
    if total == 0 {
        return operands.iter().map(|_| Buffer::new(0)).collect();
    }
    // The source index of each output position.
    let mut perm_buf = Buffer::for_elements::<u64>(total);
    let perm = perm_buf.as_mut_slice::<u64>();
    if inner == 1 {
        perm.par_chunks_mut(n).enumerate().for_each(|(o, out)| {
            let keys: Vec<Cmp> = operands[..num_keys].iter().map(comparator).collect();
            lane_order(&keys, &operands[0], o * n, 1, n, &mut |k, src| {
                out[k] = src as u64
            });
        });
    } else {
        let keys: Vec<Cmp> = operands[..num_keys].iter().map(comparator).collect();
        for o in 0..outer {
            for i in 0..inner {
                let base = o * n * inner + i;
                lane_order(&keys, &operands[0], base, inner, n, &mut |k, src| {
                    perm[base + k * inner] = src as u64
                });
            }
        }
    }
    let perm: &[u64] = perm;
    operands
        .iter()
        .map(|op| {
            let mut out = Buffer::for_dtype(total, op.dtype);
            macro_rules! apply {
                ($t:ty) => {{
                    let src = op.buf.as_slice::<$t>();
                    out.as_mut_slice::<$t>()
                        .par_iter_mut()
                        .with_min_len(1 << 14)
                        .zip(perm.par_iter())
                        .for_each(|(d, &from)| *d = src[from as usize]);
                }};
            }
            match op.dtype.size_of() {
                1 => apply!(u8),
                2 => apply!(u16),
                4 => apply!(u32),
                8 => apply!(u64),
                s => unreachable!("sort of {s}-byte elements"),
            }
            out
        })
        .collect()
}
