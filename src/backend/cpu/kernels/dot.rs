//! Contractions: `dot_general` as batched matrix products through the `gemm`
//! crate (f16/f32/f64), exact integer loops, and a threaded, vectorized
//! vector dot for the 1-d case.

use super::convert;
use super::elem::IntOps;
use super::layout::{strided_copy, StridedView};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::{simd, threads};
use crate::core::dtype::DType;
use crate::core::shape::{contiguous_strides, free_axes};
use half::{bf16, f16};

/// Shapes and dimension numbers of one contraction.
pub struct DotSpec<'a> {
    pub lhs_shape: &'a [usize],
    pub rhs_shape: &'a [usize],
    pub lhs_contracting: &'a [usize],
    pub rhs_contracting: &'a [usize],
    pub lhs_batch: &'a [usize],
    pub rhs_batch: &'a [usize],
}

/// How an operand's elements lie in memory relative to the matrix the
/// contraction reads from it (size-1 axes ignored, batch axes first).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Order {
    /// `batch, rows, cols`: each batch's matrix is row-major.
    RowMajor,
    /// `batch, cols, rows`: each batch's matrix is stored transposed.
    Transposed,
}

/// The [`Order`] of an operand whose matrix has row axes `rows` and column
/// axes `cols`, or `None` when its axes interleave otherwise (then the
/// operand is copied into row-major order).
pub fn matrix_order(
    shape: &[usize],
    batch: &[usize],
    rows: &[usize],
    cols: &[usize],
) -> Option<Order> {
    let in_memory = (0..shape.len()).filter(|&a| shape[a] != 1);
    let reads = |groups: [&[usize]; 3]| {
        groups
            .iter()
            .flat_map(|g| g.iter().copied())
            .filter(|&a| shape[a] != 1)
            .eq(in_memory.clone())
    };
    if reads([batch, rows, cols]) {
        Some(Order::RowMajor)
    } else if reads([batch, cols, rows]) {
        Some(Order::Transposed)
    } else {
        None
    }
}

/// `x` (shape `shape`) with its axes in the order `perm`: `x` itself when
/// that order only moves size-1 axes, else a copy.
fn permuted<'a>(
    dtype: DType,
    x: &'a Buffer,
    shape: &[usize],
    perm: &[usize],
    tmp: &'a mut Option<Buffer>,
) -> &'a Buffer {
    let moved = perm.iter().copied().filter(|&a| shape[a] != 1);
    if moved.eq((0..shape.len()).filter(|&a| shape[a] != 1)) {
        return x;
    }
    let st = contiguous_strides(shape);
    let out_shape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
    let view = StridedView {
        offset: 0,
        strides: perm.iter().map(|&p| st[p] as isize).collect(),
    };
    let mut b = Buffer::new(x.len_bytes());
    strided_copy(dtype, x, &view, &out_shape, &mut b);
    *tmp = Some(b);
    tmp.as_ref().unwrap()
}

/// Runs the contraction: inputs of `dtype`, output of `out_dtype`.
///
/// The floating-point types read an operand stored transposed in place
/// (the `gemm` crate takes strides), so `dot_general`s from `vmap` and
/// from the transposes of reverse mode copy nothing; other axis orders,
/// and integer operands not in row-major order, are copied first.
pub fn dot_general(
    spec: &DotSpec,
    dtype: DType,
    lhs: &Buffer,
    rhs: &Buffer,
    out_dtype: DType,
    out: &mut Buffer,
) {
    let lf = free_axes(spec.lhs_shape.len(), spec.lhs_batch, spec.lhs_contracting);
    let rf = free_axes(spec.rhs_shape.len(), spec.rhs_batch, spec.rhs_contracting);
    let prod = |shape: &[usize], axes: &[usize]| axes.iter().map(|&a| shape[a]).product::<usize>();
    let b = prod(spec.lhs_shape, spec.lhs_batch);
    let m = prod(spec.lhs_shape, &lf);
    let k = prod(spec.lhs_shape, spec.lhs_contracting);
    let n = prod(spec.rhs_shape, &rf);
    let strided = matches!(
        dtype,
        DType::F16 | DType::BF16 | DType::F32 | DType::F64 | DType::C64 | DType::C128
    );
    let order = |shape, batch, rows, cols| match matrix_order(shape, batch, rows, cols) {
        Some(Order::Transposed) if strided => Order::Transposed,
        _ => Order::RowMajor,
    };
    let lo = order(spec.lhs_shape, spec.lhs_batch, &lf, spec.lhs_contracting);
    let ro = order(spec.rhs_shape, spec.rhs_batch, spec.rhs_contracting, &rf);
    let perm = |batch: &[usize], rows: &[usize], cols: &[usize], o| match o {
        Order::RowMajor => [batch, rows, cols].concat(),
        Order::Transposed => [batch, cols, rows].concat(),
    };
    let lperm = perm(spec.lhs_batch, &lf, spec.lhs_contracting, lo);
    let rperm = perm(spec.rhs_batch, spec.rhs_contracting, &rf, ro);
    let (mut t1, mut t2) = (None, None);
    let l = permuted(dtype, lhs, spec.lhs_shape, &lperm, &mut t1);
    let r = permuted(dtype, rhs, spec.rhs_shape, &rperm, &mut t2);
    let mm = MatmulShape {
        b,
        m,
        k,
        n,
        lhs: lo,
        rhs: ro,
    };
    if out_dtype == dtype {
        batched_matmul_ordered(dtype, &mm, l, r, out);
    } else {
        let mut tmp = Buffer::for_dtype(b * m * n, dtype);
        batched_matmul_ordered(dtype, &mm, l, r, &mut tmp);
        convert::run(dtype, out_dtype, &tmp, out);
    }
}

/// A batched product `(b, m, k) @ (b, k, n)` and how each operand's
/// matrices are stored.
#[derive(Clone, Copy, Debug)]
pub struct MatmulShape {
    pub b: usize,
    pub m: usize,
    pub k: usize,
    pub n: usize,
    pub lhs: Order,
    pub rhs: Order,
}

impl MatmulShape {
    /// Row and column strides of the lhs matrix (`m × k`).
    fn lhs_strides(&self) -> (isize, isize) {
        match self.lhs {
            Order::RowMajor => (self.k as isize, 1),
            Order::Transposed => (1, self.m as isize),
        }
    }

    /// Row and column strides of the rhs matrix (`k × n`).
    fn rhs_strides(&self) -> (isize, isize) {
        match self.rhs {
            Order::RowMajor => (self.n as isize, 1),
            Order::Transposed => (1, self.k as isize),
        }
    }
}

/// `out[b] = lhs[b] (m×k) @ rhs[b] (k×n)`, all row-major and contiguous.
#[allow(clippy::too_many_arguments)]
pub fn batched_matmul(
    dtype: DType,
    b: usize,
    m: usize,
    k: usize,
    n: usize,
    lhs: &Buffer,
    rhs: &Buffer,
    out: &mut Buffer,
) {
    let mm = MatmulShape {
        b,
        m,
        k,
        n,
        lhs: Order::RowMajor,
        rhs: Order::RowMajor,
    };
    batched_matmul_ordered(dtype, &mm, lhs, rhs, out);
}

/// `out[b] = lhs[b] (m×k) @ rhs[b] (k×n)`, out row-major, the operands
/// stored as `mm` says (integer and boolean operands must be row-major).
pub fn batched_matmul_ordered(
    dtype: DType,
    mm: &MatmulShape,
    lhs: &Buffer,
    rhs: &Buffer,
    out: &mut Buffer,
) {
    let MatmulShape { b, m, k, n, .. } = *mm;
    if b * m * n == 0 {
        return;
    }
    let row_major = mm.lhs == Order::RowMajor && mm.rhs == Order::RowMajor;
    assert!(
        row_major || dtype.is_float() || dtype.is_complex(),
        "internal error: {dtype} dot operands must be row-major"
    );
    match dtype {
        DType::F32 => float_mm::<f32>(mm, lhs.as_slice(), rhs.as_slice(), out.as_mut_slice()),
        DType::F64 => float_mm::<f64>(mm, lhs.as_slice(), rhs.as_slice(), out.as_mut_slice()),
        DType::F16 => float_mm::<f16>(mm, lhs.as_slice(), rhs.as_slice(), out.as_mut_slice()),
        DType::BF16 => {
            // No bf16 gemm: compute in f32 and round once.
            let mut l32 = Buffer::new(lhs.len_bytes() * 2);
            let mut r32 = Buffer::new(rhs.len_bytes() * 2);
            convert::run(DType::BF16, DType::F32, lhs, &mut l32);
            convert::run(DType::BF16, DType::F32, rhs, &mut r32);
            let mut o32 = Buffer::new(b * m * n * 4);
            float_mm::<f32>(mm, l32.as_slice(), r32.as_slice(), o32.as_mut_slice());
            let o: &mut [bf16] = out.as_mut_slice();
            for (d, s) in o.iter_mut().zip(o32.as_slice::<f32>()) {
                *d = bf16::from_f32(*s);
            }
        }
        DType::C64 => float_mm::<num_complex::Complex32>(
            mm,
            lhs.as_slice(),
            rhs.as_slice(),
            out.as_mut_slice(),
        ),
        DType::C128 => float_mm::<num_complex::Complex64>(
            mm,
            lhs.as_slice(),
            rhs.as_slice(),
            out.as_mut_slice(),
        ),
        DType::Float0 => unreachable!("float0 never reaches a kernel: bind rejects it"),
        DType::Bool => bool_mm(
            b,
            m,
            k,
            n,
            lhs.as_slice(),
            rhs.as_slice(),
            out.as_mut_slice(),
        ),
        ints => crate::with_int_storage_type!(ints, T => int_mm::<T>(
            b,
            m,
            k,
            n,
            lhs.as_slice(),
            rhs.as_slice(),
            out.as_mut_slice()
        )),
    }
}

/// Element types the `gemm` crate handles.
pub trait GemmFloat: Copy + Send + Sync + 'static + Default {
    const ONE: Self;
    /// Vector dot product, if this type has a dedicated kernel.
    fn vdot(a: &[Self], b: &[Self]) -> Option<Self>;
}
impl GemmFloat for f32 {
    const ONE: f32 = 1.0;
    fn vdot(a: &[f32], b: &[f32]) -> Option<f32> {
        Some(vdot_f32(a, b))
    }
}
impl GemmFloat for f64 {
    const ONE: f64 = 1.0;
    fn vdot(a: &[f64], b: &[f64]) -> Option<f64> {
        Some(vdot_f64(a, b))
    }
}
impl GemmFloat for f16 {
    const ONE: f16 = f16::ONE;
    fn vdot(_: &[f16], _: &[f16]) -> Option<f16> {
        None
    }
}

macro_rules! gemm_complex {
    ($($t:ty),*) => {$(
        impl GemmFloat for $t {
            const ONE: $t = <$t>::new(1.0, 0.0);
            fn vdot(_: &[$t], _: &[$t]) -> Option<$t> {
                None
            }
        }
    )*};
}
gemm_complex!(num_complex::Complex32, num_complex::Complex64);

fn float_mm<T: GemmFloat>(mm: &MatmulShape, lhs: &[T], rhs: &[T], out: &mut [T]) {
    let MatmulShape { b, m, k, n, .. } = *mm;
    let (a_rs, a_cs) = mm.lhs_strides();
    let (b_rs, b_cs) = mm.rhs_strides();
    if k == 0 {
        out.fill(T::default());
        return;
    }
    if b == 1 && m == 1 && n == 1 {
        if let Some(v) = T::vdot(lhs, rhs) {
            out[0] = v;
            return;
        }
    }
    let flops = m * n * k;
    let par = if flops >= 1 << 18 {
        threads::init();
        gemm::Parallelism::Rayon(threads::num_threads())
    } else {
        gemm::Parallelism::None
    };
    for bi in 0..b {
        let l = &lhs[bi * m * k..(bi + 1) * m * k];
        let r = &rhs[bi * k * n..(bi + 1) * k * n];
        let o = &mut out[bi * m * n..(bi + 1) * m * n];
        // gemm is column-major at heart: compute the row-major m×n product as
        // the column-major n×m product Cᵀ = Bᵀ·Aᵀ. Bᵀ(j, p) = B[p][j] sits at
        // p·b_rs + j·b_cs, so Bᵀ has row stride b_cs and column stride b_rs;
        // likewise Aᵀ. Cᵀ (n×m) has column stride n and unit row stride.
        // SAFETY: l holds the m·k elements of A, r the k·n of B and o the m·n
        // of C; the strides (from `mm`) address exactly those elements in
        // either order, so every access is in bounds; o aliases neither.
        unsafe {
            gemm::gemm(
                n,
                m,
                k,
                o.as_mut_ptr(),
                n as isize,
                1,
                false,
                r.as_ptr(),
                b_rs,
                b_cs,
                l.as_ptr(),
                a_rs,
                a_cs,
                T::default(),
                T::ONE,
                false,
                false,
                false,
                par,
            );
        }
    }
}

fn int_mm<T: IntOps + crate::core::element::Pod>(
    b: usize,
    m: usize,
    k: usize,
    n: usize,
    lhs: &[T],
    rhs: &[T],
    out: &mut [T],
) {
    if b == 1 && m == 1 && n == 1 {
        out[0] = vdot_int(lhs, rhs);
        return;
    }
    for bi in 0..b {
        let l = &lhs[bi * m * k..(bi + 1) * m * k];
        let r = &rhs[bi * k * n..(bi + 1) * k * n];
        let o = &mut out[bi * m * n..(bi + 1) * m * n];
        for i in 0..m {
            let orow = &mut o[i * n..(i + 1) * n];
            orow.fill(T::default());
            for p in 0..k {
                let a = l[i * k + p];
                let rrow = &r[p * n..(p + 1) * n];
                for (ov, &rv) in orow.iter_mut().zip(rrow) {
                    *ov = ov.wadd(a.wmul(rv));
                }
            }
        }
    }
}

fn bool_mm(b: usize, m: usize, k: usize, n: usize, lhs: &[u8], rhs: &[u8], out: &mut [u8]) {
    for bi in 0..b {
        for i in 0..m {
            for j in 0..n {
                let mut acc = 0u8;
                for p in 0..k {
                    acc |= lhs[bi * m * k + i * k + p] & rhs[bi * k * n + p * n + j];
                }
                out[bi * m * n + i * n + j] = acc;
            }
        }
    }
}

const LANES: usize = 32;
const BLOCK: usize = 4096;

simd::multiversion! {
    fn dot_block_f32<>(a: &[f32], b: &[f32]) -> f32 {
        let mut acc = [0f32; LANES];
        let ca = a.chunks_exact(LANES);
        let cb = b.chunks_exact(LANES);
        let (ra, rb) = (ca.remainder(), cb.remainder());
        for (x, y) in ca.zip(cb) {
            for j in 0..LANES {
                acc[j] += x[j] * y[j];
            }
        }
        let mut s = 0f32;
        for (x, y) in ra.iter().zip(rb) {
            s += x * y;
        }
        let mut w = LANES;
        while w > 1 {
            w /= 2;
            for j in 0..w {
                acc[j] += acc[j + w];
            }
        }
        acc[0] + s
    }
}

simd::multiversion! {
    fn dot_block_f64<>(a: &[f64], b: &[f64]) -> f64 {
        let mut acc = [0f64; LANES / 2];
        let ca = a.chunks_exact(LANES / 2);
        let cb = b.chunks_exact(LANES / 2);
        let (ra, rb) = (ca.remainder(), cb.remainder());
        for (x, y) in ca.zip(cb) {
            for j in 0..LANES / 2 {
                acc[j] += x[j] * y[j];
            }
        }
        let mut s = 0f64;
        for (x, y) in ra.iter().zip(rb) {
            s += x * y;
        }
        acc.iter().sum::<f64>() + s
    }
}

simd::multiversion! {
    fn dot_block_int<T: IntOps>(a: &[T], b: &[T]) -> T {
        let mut acc = [T::default(); LANES];
        let ca = a.chunks_exact(LANES);
        let cb = b.chunks_exact(LANES);
        let (ra, rb) = (ca.remainder(), cb.remainder());
        for (x, y) in ca.zip(cb) {
            for j in 0..LANES {
                acc[j] = acc[j].wadd(x[j].wmul(y[j]));
            }
        }
        let mut s = T::default();
        for (x, y) in ra.iter().zip(rb) {
            s = s.wadd(x.wmul(*y));
        }
        for v in acc {
            s = s.wadd(v);
        }
        s
    }
}

/// Pairwise combination of per-block partial sums (accurate like NumPy's).
fn pairwise<T: Copy + std::ops::Add<Output = T>>(parts: &[T]) -> T {
    match parts.len() {
        1 => parts[0],
        n => pairwise(&parts[..n / 2]) + pairwise(&parts[n / 2..]),
    }
}

/// Splits `n` elements into blocks and computes per-block partials, in parallel when large.
fn blocked<R: Send>(n: usize, f: impl Fn(std::ops::Range<usize>) -> R + Sync + Send) -> Vec<R> {
    let nb = n.div_ceil(BLOCK).max(1);
    if n < threads::PAR_MIN_ELEMENTS {
        return (0..nb)
            .map(|i| f(i * BLOCK..((i + 1) * BLOCK).min(n)))
            .collect();
    }
    threads::map_parts(nb, |i| f(i * BLOCK..((i + 1) * BLOCK).min(n)))
}

/// Vector dot product of f32 slices: FMA lanes within 4096-element blocks,
/// pairwise across blocks, threaded for long vectors.
pub fn vdot_f32(a: &[f32], b: &[f32]) -> f32 {
    let parts = blocked(a.len(), |r| dot_block_f32(&a[r.clone()], &b[r]));
    pairwise(&parts)
}

/// Vector dot product of f64 slices.
pub fn vdot_f64(a: &[f64], b: &[f64]) -> f64 {
    let parts = blocked(a.len(), |r| dot_block_f64(&a[r.clone()], &b[r]));
    pairwise(&parts)
}

/// Vector dot product of integers (wrapping, as XLA).
pub fn vdot_int<T: IntOps>(a: &[T], b: &[T]) -> T {
    let parts = blocked(a.len(), |r| dot_block_int(&a[r.clone()], &b[r]));
    parts.into_iter().fold(T::default(), |x, y| x.wadd(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_dots_match_naive() {
        let a: Vec<f32> = (0..100_003).map(|i| ((i % 7) as f32) * 0.25).collect();
        let b: Vec<f32> = (0..100_003).map(|i| ((i % 5) as f32) - 2.0).collect();
        let naive: f64 = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (*x as f64) * (*y as f64))
            .sum();
        assert!((vdot_f32(&a, &b) as f64 - naive).abs() < 1e-3 * naive.abs().max(1.0));
        let ai: Vec<i32> = (0..70_001).collect();
        let naive_i = ai
            .iter()
            .fold(0i32, |s, &x| s.wrapping_add(x.wrapping_mul(x)));
        assert_eq!(vdot_int(&ai, &ai), naive_i);
    }

    #[test]
    fn matmul_matches_naive() {
        let (m, k, n) = (5, 7, 3);
        let l: Vec<f32> = (0..m * k).map(|i| i as f32 * 0.5).collect();
        let r: Vec<f32> = (0..k * n).map(|i| (i as f32) - 4.0).collect();
        let mut out = vec![0f32; m * n];
        let want = |i: usize, j: usize| (0..k).map(|p| l[i * k + p] * r[p * n + j]).sum::<f32>();
        let rm = MatmulShape {
            b: 1,
            m,
            k,
            n,
            lhs: Order::RowMajor,
            rhs: Order::RowMajor,
        };
        float_mm(&rm, &l, &r, &mut out);
        for i in 0..m {
            for j in 0..n {
                assert!((out[i * n + j] - want(i, j)).abs() < 1e-3);
            }
        }
        // The same product from operands stored transposed (k×m and n×k).
        let lt: Vec<f32> = (0..k * m).map(|q| l[(q % m) * k + q / m]).collect();
        let rt: Vec<f32> = (0..n * k).map(|q| r[(q % k) * n + q / k]).collect();
        let tt = MatmulShape {
            lhs: Order::Transposed,
            rhs: Order::Transposed,
            ..rm
        };
        float_mm(&tt, &lt, &rt, &mut out);
        for i in 0..m {
            for j in 0..n {
                assert!((out[i * n + j] - want(i, j)).abs() < 1e-3);
            }
        }
    }
}
