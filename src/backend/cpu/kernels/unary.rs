//! Unary elementwise kernels and `integer_pow`.

use super::elem::{FloatMath, IntOps};
use super::{par_map1, threads};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::simd;
use crate::core::dtype::DType;
use crate::ir::UnaryOp;
use half::{bf16, f16};

/// Runs `op` on `x` (of `dtype`) into `out`.
pub fn run(op: UnaryOp, dtype: DType, x: &Buffer, out: &mut Buffer) {
    if op == UnaryOp::IsFinite {
        return is_finite(dtype, x, out);
    }
    if let (DType::F32, Some(k)) = (dtype, super::xla_unary::f32_loop(op)) {
        let (x, o) = (x.as_slice::<f32>(), out.as_mut_slice::<f32>());
        return threads::for_each_chunk_mut(o, |off, chunk| k(&x[off..off + chunk.len()], chunk));
    }
    if let (DType::F64, Some(k)) = (dtype, super::xla_unary::f64_loop(op)) {
        let (x, o) = (x.as_slice::<f64>(), out.as_mut_slice::<f64>());
        return threads::for_each_chunk_mut(o, |off, chunk| k(&x[off..off + chunk.len()], chunk));
    }
    match dtype {
        // The system tanf, as XLA:CPU calls it (JAX's exact results).
        DType::F32 if op == UnaryOp::Tan => {
            par_map1(x.as_slice::<f32>(), out.as_mut_slice::<f32>(), f32::tan)
        }
        DType::F32 if matches!(op, UnaryOp::Sin | UnaryOp::Cos) => {
            trig_f32(op, x.as_slice(), out.as_mut_slice())
        }
        DType::F32 => float::<f32>(op, x.as_slice(), out.as_mut_slice()),
        DType::F64 => float::<f64>(op, x.as_slice(), out.as_mut_slice()),
        DType::F16 => via_f32(x.as_slice::<f16>(), out.as_mut_slice::<f16>(), |a, o| {
            float::<f32>(op, a, o)
        }),
        DType::BF16 => via_f32(x.as_slice::<bf16>(), out.as_mut_slice::<bf16>(), |a, o| {
            float::<f32>(op, a, o)
        }),
        DType::Bool => match op {
            UnaryOp::Not => par_map1(x.as_slice::<u8>(), out.as_mut_slice::<u8>(), |v| v ^ 1),
            _ => unreachable!("{} on bool is rejected by abstract eval", op.name()),
        },
        DType::C64 | DType::C128 => super::complex::unary(op, dtype, x, out),
        DType::Float0 => unreachable!("float0 never reaches a kernel: bind rejects it"),
        ints => crate::with_int_storage_type!(ints, T => int::<T>(
            op,
            x.as_slice(),
            out.as_mut_slice()
        )),
    }
}

/// `out = op(x)` for f32 slices, for fused kernels: sequential when the
/// slice is below the threading threshold (as a fused block is).
pub fn f32_slice(op: UnaryOp, x: &[f32], out: &mut [f32]) {
    if let Some(k) = super::xla_unary::f32_loop(op) {
        return threads::for_each_chunk_mut(out, |off, chunk| k(&x[off..off + chunk.len()], chunk));
    }
    match op {
        UnaryOp::Tan => x.iter().zip(out.iter_mut()).for_each(|(v, o)| *o = v.tan()),
        UnaryOp::Sin | UnaryOp::Cos => trig_f32(op, x, out),
        _ => float::<f32>(op, x, out),
    }
}

/// `out = x ** y` for f32 slices (see [`f32_slice`]).
pub fn integer_pow_f32_slice(y: i32, x: &[f32], out: &mut [f32]) {
    float_pow(y, x, out)
}

/// `x ** y` for floats, with the common small exponents as straight-line
/// multiplies (vectorizable) and the rest by repeated squaring.
fn float_pow<T: FloatMath>(y: i32, x: &[T], out: &mut [T]) {
    match y {
        0 => par_map1(x, out, |_| T::ONE),
        1 => par_map1(x, out, |v| v),
        2 => par_map1(x, out, |v| v * v),
        3 => par_map1(x, out, |v| v * v * v),
        4 => par_map1(x, out, |v| {
            let s = v * v;
            s * s
        }),
        -1 => par_map1(x, out, |v| T::ONE / v),
        -2 => par_map1(x, out, |v| T::ONE / (v * v)),
        _ => par_map1(x, out, |v| fpow(v, y)),
    }
}

fn fpow<T: FloatMath>(v: T, y: i32) -> T {
    let mut acc = T::ONE;
    let mut base = v;
    let mut e = y.unsigned_abs();
    while e > 0 {
        if e & 1 == 1 {
            acc = acc * base;
        }
        base = base * base;
        e >>= 1;
    }
    if y < 0 {
        T::ONE / acc
    } else {
        acc
    }
}

fn float<T: FloatMath>(op: UnaryOp, x: &[T], out: &mut [T]) {
    use UnaryOp::*;
    match op {
        Neg => par_map1(x, out, |v: T| -v),
        Abs => par_map1(x, out, T::abs),
        Sign => par_map1(x, out, |v: T| {
            if v > T::ZERO {
                T::ONE
            } else if v < T::ZERO {
                -T::ONE
            } else {
                v
            }
        }),
        Floor => par_map1(x, out, T::floor),
        Ceil => par_map1(x, out, T::ceil),
        Round => par_map1(x, out, T::round_even),
        Exp => par_map1(x, out, T::exp),
        Exp2 => par_map1(x, out, T::exp2),
        Expm1 => par_map1(x, out, T::expm1),
        Log => par_map1(x, out, T::ln),
        Log1p => par_map1(x, out, T::ln_1p),
        Sin => par_map1(x, out, T::sin),
        Cos => par_map1(x, out, T::cos),
        Tan => par_map1(x, out, T::tan),
        Asin => par_map1(x, out, T::asin),
        Acos => par_map1(x, out, T::acos),
        Atan => par_map1(x, out, T::atan),
        Sinh => par_map1(x, out, T::sinh),
        Cosh => par_map1(x, out, T::cosh),
        Tanh => par_map1(x, out, T::tanh),
        Asinh => par_map1(x, out, T::asinh),
        Acosh => par_map1(x, out, T::acosh),
        Atanh => par_map1(x, out, T::atanh),
        Sqrt => par_map1(x, out, T::sqrt),
        Rsqrt => par_map1(x, out, T::rsqrt),
        Cbrt => par_map1(x, out, T::cbrt),
        Logistic => par_map1(x, out, T::logistic),
        Erf => par_map1(x, out, T::erf),
        ErfInv => par_map1(x, out, T::erf_inv),
        BesselI0e => par_map1(x, out, T::bessel_i0e),
        Erfc => par_map1(x, out, T::erfc),
        BesselI1e => par_map1(x, out, T::bessel_i1e),
        Square => par_map1(x, out, |v: T| v * v),
        IsFinite | Not => unreachable!("{} is not a float-to-float op", op.name()),
    }
}

/// f32 sin/cos/tan: the fast Cody–Waite reduction is exact only below
/// `TRIG_F32_ACCURATE_MAX`, so each chunk checks its largest magnitude and
/// falls back to the full-range (Payne–Hanek) variants when needed.
fn trig_f32(op: UnaryOp, x: &[f32], out: &mut [f32]) {
    use crate::backend::cpu::math::{self as m, trig::TRIG_F32_ACCURATE_MAX};
    threads::for_each_chunk_mut(out, |off, chunk| {
        let xs = &x[off..off + chunk.len()];
        let big = xs.iter().fold(0f32, |a, v| a.max(v.abs())) >= TRIG_F32_ACCURATE_MAX;
        match (op, big) {
            (UnaryOp::Sin, false) => simd::map1(xs, chunk, m::sin_f32),
            (UnaryOp::Cos, false) => simd::map1(xs, chunk, m::cos_f32),
            (_, false) => simd::map1(xs, chunk, m::tan_f32),
            (UnaryOp::Sin, true) => simd::map1(xs, chunk, m::sin_full_f32),
            (UnaryOp::Cos, true) => simd::map1(xs, chunk, m::cos_full_f32),
            (_, true) => simd::map1(xs, chunk, m::tan_full_f32),
        }
    });
}

fn int<T: IntOps>(op: UnaryOp, x: &[T], out: &mut [T]) {
    use UnaryOp::*;
    match op {
        Neg => par_map1(x, out, T::wneg),
        Abs => par_map1(x, out, T::wabs),
        Sign => par_map1(x, out, T::signum),
        Square => par_map1(x, out, |v: T| v.wmul(v)),
        Not => par_map1(x, out, T::not),
        _ => unreachable!("{} on integers is rejected by abstract eval", op.name()),
    }
}

/// A half-precision type computed through f32.
pub trait HalfFloat: Copy + Send + Sync + 'static {
    fn to_f32(self) -> f32;
    fn from_f32(v: f32) -> Self;
}
impl HalfFloat for f16 {
    #[inline(always)]
    fn to_f32(self) -> f32 {
        f16::to_f32(self)
    }
    #[inline(always)]
    fn from_f32(v: f32) -> f16 {
        f16::from_f32(v)
    }
}
impl HalfFloat for bf16 {
    #[inline(always)]
    fn to_f32(self) -> f32 {
        bf16::to_f32(self)
    }
    #[inline(always)]
    fn from_f32(v: f32) -> bf16 {
        bf16::from_f32(v)
    }
}

const HALF_BLOCK: usize = 512;

/// Applies an f32 kernel to half-precision data, block by block.
pub fn via_f32<H: HalfFloat>(x: &[H], out: &mut [H], f: impl Fn(&[f32], &mut [f32]) + Sync + Send) {
    threads::for_each_chunk_mut(out, |off, chunk| {
        let mut a = [0f32; HALF_BLOCK];
        let mut o = [0f32; HALF_BLOCK];
        for (bi, oc) in chunk.chunks_mut(HALF_BLOCK).enumerate() {
            let start = off + bi * HALF_BLOCK;
            let n = oc.len();
            for (d, s) in a[..n].iter_mut().zip(&x[start..start + n]) {
                *d = s.to_f32();
            }
            f(&a[..n], &mut o[..n]);
            for (d, s) in oc.iter_mut().zip(&o[..n]) {
                *d = H::from_f32(*s);
            }
        }
    });
}

fn is_finite(dtype: DType, x: &Buffer, out: &mut Buffer) {
    let o = out.as_mut_slice::<u8>();
    match dtype {
        DType::F32 => par_map1(x.as_slice::<f32>(), o, |v| v.is_finite() as u8),
        DType::F64 => par_map1(x.as_slice::<f64>(), o, |v| v.is_finite() as u8),
        DType::F16 => par_map1(x.as_slice::<f16>(), o, |v| v.is_finite() as u8),
        DType::BF16 => par_map1(x.as_slice::<bf16>(), o, |v| v.is_finite() as u8),
        _ => unreachable!("is_finite takes floats"),
    }
}

/// `out = x ** y` for a static integer exponent (negative only for floats).
pub fn integer_pow(y: i32, dtype: DType, x: &Buffer, out: &mut Buffer) {
    let e = y.max(0) as u32;
    match dtype {
        DType::F32 => float_pow(y, x.as_slice::<f32>(), out.as_mut_slice()),
        DType::F64 => float_pow(y, x.as_slice::<f64>(), out.as_mut_slice()),
        DType::F16 => via_f32(x.as_slice::<f16>(), out.as_mut_slice(), |a, o| {
            float_pow(y, a, o)
        }),
        DType::BF16 => via_f32(x.as_slice::<bf16>(), out.as_mut_slice(), |a, o| {
            float_pow(y, a, o)
        }),
        DType::C64 | DType::C128 => super::complex::integer_pow(y, dtype, x, out),
        DType::Float0 => unreachable!("float0 never reaches a kernel: bind rejects it"),
        DType::Bool => unreachable!("integer_pow on bool is rejected by abstract eval"),
        ints => crate::with_int_storage_type!(ints, T => par_map1(
            x.as_slice::<T>(),
            out.as_mut_slice(),
            |v| v.wpow(e)
        )),
    }
}
