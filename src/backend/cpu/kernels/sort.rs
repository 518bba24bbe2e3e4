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
        DType::Bool | DType::U8 => ord!(u8),
        DType::I8 => ord!(i8),
        DType::I16 => ord!(i16),
        DType::U16 => ord!(u16),
        DType::I32 => ord!(i32),
        DType::U32 => ord!(u32),
        DType::I64 => ord!(i64),
        DType::U64 => ord!(u64),
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

/// Sorts `operands` (all of `shape`) along `dim` by the first `num_keys`
/// of them; returns one output buffer per operand. Stable (the unstable
/// request is served by the stable sort too).
pub fn run(operands: &[SortOperand], shape: &[usize], dim: usize, num_keys: usize) -> Vec<Buffer> {
    let n = shape[dim];
    let inner: usize = shape[dim + 1..].iter().product();
    let outer: usize = shape[..dim].iter().product();
    let keys: Vec<Cmp> = operands[..num_keys].iter().map(comparator).collect();
    let total = outer * n * inner;
    // The source index of each output position.
    let mut perm = vec![0usize; total];
    let mut lane: Vec<usize> = Vec::with_capacity(n);
    for o in 0..outer {
        for i in 0..inner {
            let base = o * n * inner + i;
            lane.clear();
            lane.extend((0..n).map(|k| base + k * inner));
            lane.sort_by(|&a, &b| {
                keys.iter()
                    .map(|c| c(a, b))
                    .find(|&ord| ord != Ordering::Equal)
                    .unwrap_or(Ordering::Equal)
            });
            for (k, &src) in lane.iter().enumerate() {
                perm[base + k * inner] = src;
            }
        }
    }
    operands
        .iter()
        .map(|op| {
            let size = op.dtype.size_of();
            let src = op.buf.as_slice::<u8>();
            let mut out = Buffer::new(total * size);
            let dst = out.as_mut_slice::<u8>();
            for (pos, &from) in perm.iter().enumerate() {
                dst[pos * size..(pos + 1) * size]
                    .copy_from_slice(&src[from * size..(from + 1) * size]);
            }
            out
        })
        .collect()
}
