//! Kernels for `complex64`/`complex128`: elementwise math, arithmetic,
//! comparisons, and the `real`/`imag`/`conj`/`complex` conversions.
//!
//! The transcendental functions are `num_complex`'s, which follow C99's
//! `cexp`/`clog`/`csqrt`/... conventions: the same principal branches and
//! signed-zero behaviour on the cuts as NumPy (and so JAX). Division uses
//! Smith's scaling, as NumPy does, so that `|z| ~ 1e30` does not overflow.

use super::{par_map1, par_map2, Operand};
use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;
use crate::core::element::{Complex32, Complex64, Pod};
use crate::ir::{BinaryOp, CompareOp, UnaryOp};
use num_complex::Complex;
use num_traits::{Float, FloatConst};

/// The real part type of a complex storage type, with the math we need.
pub trait Real: Float + FloatConst + Pod + Send + Sync {}
impl Real for f32 {}
impl Real for f64 {}

type C<T> = Complex<T>;

/// `a / b` by Smith's algorithm (NumPy's `npy_cdiv`): scales by the larger
/// component of `b` so that neither product overflows.
#[inline]
pub fn div<T: Real>(a: C<T>, b: C<T>) -> C<T> {
    // A real or imaginary divisor divides componentwise, so that
    // `(-inf+0j) / 2` is `-inf+0j`, not `-inf+nanj` (XLA agrees).
    if b.im == T::zero() && b.re != T::zero() {
        return C::new(a.re / b.re, a.im / b.re);
    }
    if b.re == T::zero() && b.im != T::zero() {
        return C::new(a.im / b.im, -a.re / b.im);
    }
    let (abs_br, abs_bi) = (b.re.abs(), b.im.abs());
    if abs_br >= abs_bi {
        if abs_br == T::zero() && abs_bi == T::zero() {
            // Division by zero: IEEE semantics per component.
            return C::new(a.re / abs_br, a.im / abs_bi);
        }
        let rat = b.im / b.re;
        let scl = T::one() / (b.re + b.im * rat);
        C::new((a.re + a.im * rat) * scl, (a.im - a.re * rat) * scl)
    } else {
        let rat = b.re / b.im;
        let scl = T::one() / (b.im + b.re * rat);
        C::new((a.re * rat + a.im) * scl, (a.im * rat - a.re) * scl)
    }
}

/// `exp(z) - 1`, accurate near 0: `expm1(x)cos(y) - 2sin²(y/2) + i e^x sin(y)`.
fn expm1<T: Real>(z: C<T>) -> C<T> {
    let two = T::one() + T::one();
    let s = (z.im / two).sin();
    C::new(
        z.re.exp_m1() * z.im.cos() - two * s * s,
        z.re.exp() * z.im.sin(),
    )
}

/// `log(1 + z)`, accurate for small `|z|` on the real axis.
fn log1p<T: Real>(z: C<T>) -> C<T> {
    let w = C::new(T::one() + z.re, z.im);
    if z.norm() < T::from(0.5).unwrap() {
        // log|1+z| = log1p(2x + x² + y²)/2 keeps the digits of a small z.
        let two = T::one() + T::one();
        let re = (two * z.re + z.re * z.re + z.im * z.im).ln_1p() / two;
        C::new(re, w.im.atan2(w.re))
    } else {
        w.ln()
    }
}

/// `z ** w` (principal branch), in XLA's form
/// `|z|^c e^(-d arg z) (cos q + i sin q)`, `q = c arg z + d ln|z|` for
/// `w = c + di`, so that overflow gives JAX's NaNs and infinities. `0 ** w`
/// is 1 for `w == 0`, 0 for a positive real `w`, and NaN otherwise.
pub fn pow<T: Real>(z: C<T>, w: C<T>) -> C<T> {
    let (c, d) = (w.re, w.im);
    if c == T::zero() && d == T::zero() {
        return C::new(T::one(), T::zero());
    }
    if z.re == T::zero() && z.im == T::zero() {
        return if d == T::zero() && c > T::zero() {
            C::new(T::zero(), T::zero())
        } else {
            C::new(T::nan(), T::nan())
        };
    }
    let half = T::one() / (T::one() + T::one());
    let norm2 = z.re * z.re + z.im * z.im;
    let arg = z.im.atan2(z.re);
    let coeff = norm2.powf(half * c) * (-d * arg).exp();
    let q = c * arg + half * d * norm2.ln();
    C::new(coeff * q.cos(), coeff * q.sin())
}

/// `z ** n` for a static integer `n`, by repeated squaring (`integer_pow`).
pub fn powi<T: Real>(z: C<T>, n: i32) -> C<T> {
    let mut base = z;
    let mut e = n.unsigned_abs();
    let mut acc = C::new(T::one(), T::zero());
    while e > 0 {
        if e & 1 == 1 {
            acc = acc * base;
        }
        base = base * base;
        e >>= 1;
    }
    if n < 0 {
        div(C::new(T::one(), T::zero()), acc)
    } else {
        acc
    }
}

/// `z / |z|`, and 0 at 0 (`lax.sign` of a complex number).
fn sign<T: Real>(z: C<T>) -> C<T> {
    let r = z.norm();
    if r == T::zero() {
        C::new(T::zero(), T::zero())
    } else {
        C::new(z.re / r, z.im / r)
    }
}

/// `lax.atan2(a, b)` of complex numbers: `-i log((b + ia) / sqrt(a² + b²))`.
fn atan2<T: Real>(a: C<T>, b: C<T>) -> C<T> {
    let i = C::new(T::zero(), T::one());
    let w = div(b + i * a, (a * a + b * b).sqrt()).ln();
    C::new(w.im, -w.re)
}

/// Lexicographic order on (real, imaginary), as `lax.max`/`lax.min` use.
pub fn lex_gt<T: Real>(a: C<T>, b: C<T>) -> bool {
    a.re > b.re || (a.re == b.re && a.im > b.im)
}

/// `tanh(z)` by Kahan's formula, which stays finite where `sinh/cosh`
/// overflow (`tanh(1e4 + 1j)` is `1 + 0j`, not NaN).
fn tanh<T: Real>(z: C<T>) -> C<T> {
    let (x, y) = (z.re, z.im);
    if !x.is_finite() || !y.is_finite() {
        return z.tanh();
    }
    let big = T::from(22.0).unwrap();
    if x.abs() >= big {
        let four = T::from(4.0).unwrap();
        let two = T::one() + T::one();
        let e = (-two * x.abs()).exp();
        return C::new(T::one().copysign(x), four * y.sin() * y.cos() * e);
    }
    let t = y.tan();
    let beta = T::one() + t * t;
    let sh = x.sinh();
    let rho = (T::one() + sh * sh).sqrt();
    let denom = T::one() + beta * sh * sh;
    C::new(beta * rho * sh / denom, t / denom)
}

/// `tan(z) = -i tanh(iz)`.
fn tan<T: Real>(z: C<T>) -> C<T> {
    let w = tanh(C::new(-z.im, z.re));
    C::new(w.im, -w.re)
}

fn one_minus<T: Real>(z: C<T>) -> C<T> {
    C::new(T::one() - z.re, -z.im)
}

fn one_plus<T: Real>(z: C<T>) -> C<T> {
    C::new(T::one() + z.re, z.im)
}

/// `asin(z)` by Kahan's formulas (principal branch; C99 `casin`).
///
/// `1 ± z` is formed with a real 1 so that the sign of a zero imaginary
/// part survives (`1 - (2+0i)` is `-1-0i`), as the formulas need.
fn asin<T: Real>(z: C<T>) -> C<T> {
    let (a, b) = (one_minus(z).sqrt(), one_plus(z).sqrt());
    C::new(z.re.atan2((a * b).re), (a.conj() * b).im.asinh())
}

/// `acos(z)` by Kahan's formulas (C99 `cacos`).
fn acos<T: Real>(z: C<T>) -> C<T> {
    let (a, b) = (one_minus(z).sqrt(), one_plus(z).sqrt());
    let two = T::one() + T::one();
    C::new(two * a.re.atan2(b.re), (b.conj() * a).im.asinh())
}

/// `asinh(z) = -i asin(iz)`.
fn asinh<T: Real>(z: C<T>) -> C<T> {
    let w = asin(C::new(-z.im, z.re));
    C::new(w.im, -w.re)
}

/// `acosh(z)` by Kahan's formulas (C99 `cacosh`).
fn acosh<T: Real>(z: C<T>) -> C<T> {
    let (a, b) = (C::new(z.re - T::one(), z.im).sqrt(), one_plus(z).sqrt());
    let two = T::one() + T::one();
    C::new((a.conj() * b).re.asinh(), two * a.im.atan2(b.re))
}

/// `atanh(z) = (log(1+z) - log(1-z)) / 2`, in the cancellation-free form
/// `re = log1p(4x / ((1-x)² + y²)) / 4`, `im = atan2(2y, (1-x)(1+x) - y²) / 2`
/// (C99 `catanh` on the cuts: the sign of a zero `y` picks the side).
fn atanh<T: Real>(z: C<T>) -> C<T> {
    let (x, y) = (z.re, z.im);
    let (one, two) = (T::one(), T::one() + T::one());
    let four = two * two;
    let d = (one - x) * (one - x) + y * y;
    let re = (four * x / d).ln_1p() / four;
    let im = (two * y).atan2((one - x) * (one + x) - y * y) / two;
    C::new(re, im)
}

/// `atan(z) = -i atanh(iz)`.
fn atan<T: Real>(z: C<T>) -> C<T> {
    let w = atanh(C::new(-z.im, z.re));
    C::new(w.im, -w.re)
}

/// `z` with a `-0` imaginary part made `+0`: XLA's `sqrt`, `asin`, `acos`
/// and `acosh` do not see the sign of a zero imaginary part, so
/// `sqrt(-4-0j)` is `2j` in JAX (NumPy gives `-2j`). JAX's result wins.
fn unsigned_zero_im<T: Real>(z: C<T>) -> C<T> {
    C::new(z.re, z.im + T::zero())
}

fn unary_value<T: Real>(op: UnaryOp, z: C<T>) -> C<T> {
    use UnaryOp::*;
    let one = C::new(T::one(), T::zero());
    match op {
        Neg => -z,
        Sign => sign(z),
        Square => z * z,
        Exp => z.exp(),
        Exp2 => (z * T::LN_2()).exp(),
        Expm1 => expm1(z),
        Log => z.ln(),
        Log1p => log1p(z),
        Sin => z.sin(),
        Cos => z.cos(),
        Tan => tan(z),
        Asin => asin(unsigned_zero_im(z)),
        Acos => acos(unsigned_zero_im(z)),
        Atan => atan(z),
        Sinh => z.sinh(),
        Cosh => z.cosh(),
        Tanh => tanh(z),
        Asinh => asinh(z),
        Acosh => acosh(unsigned_zero_im(z)),
        Atanh => atanh(z),
        Sqrt => unsigned_zero_im(z).sqrt(),
        Rsqrt => div(one, unsigned_zero_im(z).sqrt()),
        Logistic => div(one, one + (-z).exp()),
        Abs | Floor | Ceil | Round | IsFinite | Cbrt | Erf | Erfc | ErfInv | BesselI0e
        | BesselI1e | Not => {
            unreachable!("{} on complex is rejected by abstract eval", op.name())
        }
    }
}

fn unary_typed<T: Real>(op: UnaryOp, x: &Buffer, out: &mut Buffer)
where
    C<T>: Pod,
{
    let x = x.as_slice::<C<T>>();
    match op {
        UnaryOp::Abs => par_map1(x, out.as_mut_slice::<T>(), |z: C<T>| z.norm()),
        UnaryOp::IsFinite => par_map1(x, out.as_mut_slice::<u8>(), |z: C<T>| {
            (z.re.is_finite() && z.im.is_finite()) as u8
        }),
        _ => par_map1(x, out.as_mut_slice::<C<T>>(), move |z| unary_value(op, z)),
    }
}

/// Runs a unary op on a complex buffer; `abs` writes the real dtype.
pub fn unary(op: UnaryOp, dtype: DType, x: &Buffer, out: &mut Buffer) {
    match dtype {
        DType::C64 => unary_typed::<f32>(op, x, out),
        DType::C128 => unary_typed::<f64>(op, x, out),
        _ => unreachable!("complex kernel on {dtype}"),
    }
}

/// `integer_pow` on a complex buffer.
pub fn integer_pow(y: i32, dtype: DType, x: &Buffer, out: &mut Buffer) {
    match dtype {
        DType::C64 => par_map1(x.as_slice::<Complex32>(), out.as_mut_slice(), move |z| {
            powi(z, y)
        }),
        DType::C128 => par_map1(x.as_slice::<Complex64>(), out.as_mut_slice(), move |z| {
            powi(z, y)
        }),
        _ => unreachable!("complex kernel on {dtype}"),
    }
}

fn binary_typed<T: Real>(op: BinaryOp, a: Operand, b: Operand, out: &mut Buffer)
where
    C<T>: Pod,
{
    use BinaryOp::*;
    let (sa, sb) = (a.scalar, b.scalar);
    let (x, y) = (a.buf.as_slice::<C<T>>(), b.buf.as_slice::<C<T>>());
    let o = out.as_mut_slice::<C<T>>();
    match op {
        Add => par_map2(x, sa, y, sb, o, |p: C<T>, q: C<T>| p + q),
        Sub => par_map2(x, sa, y, sb, o, |p: C<T>, q: C<T>| p - q),
        Mul => par_map2(x, sa, y, sb, o, |p: C<T>, q: C<T>| p * q),
        Div => par_map2(x, sa, y, sb, o, div),
        Pow => par_map2(x, sa, y, sb, o, pow),
        Max => par_map2(x, sa, y, sb, o, |p, q| if lex_gt(q, p) { q } else { p }),
        Min => par_map2(x, sa, y, sb, o, |p, q| if lex_gt(p, q) { q } else { p }),
        Atan2 => par_map2(x, sa, y, sb, o, atan2),
        Rem | And | Or | Xor | ShiftLeft | ShiftRightArithmetic | ShiftRightLogical => {
            unreachable!("{} on complex is rejected by abstract eval", op.name())
        }
    }
}

/// Runs a binary op on complex operands of `dtype`.
pub fn binary(op: BinaryOp, dtype: DType, a: Operand, b: Operand, out: &mut Buffer) {
    match dtype {
        DType::C64 => binary_typed::<f32>(op, a, b, out),
        DType::C128 => binary_typed::<f64>(op, a, b, out),
        _ => unreachable!("complex kernel on {dtype}"),
    }
}

fn compare_typed<T: Real>(op: CompareOp, a: Operand, b: Operand, out: &mut Buffer)
where
    C<T>: Pod,
{
    let (x, y) = (a.buf.as_slice::<C<T>>(), b.buf.as_slice::<C<T>>());
    let o = out.as_mut_slice::<u8>();
    let (sa, sb) = (a.scalar, b.scalar);
    match op {
        CompareOp::Eq => par_map2(x, sa, y, sb, o, |p: C<T>, q: C<T>| (p == q) as u8),
        CompareOp::Ne => par_map2(x, sa, y, sb, o, |p: C<T>, q: C<T>| (p != q) as u8),
        _ => unreachable!("{} on complex is rejected by abstract eval", op.name()),
    }
}

/// `eq`/`ne` on complex operands (the ordered comparisons reject complex).
pub fn compare(op: CompareOp, dtype: DType, a: Operand, b: Operand, out: &mut Buffer) {
    match dtype {
        DType::C64 => compare_typed::<f32>(op, a, b, out),
        DType::C128 => compare_typed::<f64>(op, a, b, out),
        _ => unreachable!("complex kernel on {dtype}"),
    }
}

/// Which part a [`part`] kernel extracts.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// `lax.real`.
    Real,
    /// `lax.imag`.
    Imag,
}

/// `real(z)` or `imag(z)` of a complex buffer into a real one.
pub fn part(which: Part, dtype: DType, x: &Buffer, out: &mut Buffer) {
    fn typed<T: Real>(which: Part, x: &Buffer, out: &mut Buffer)
    where
        C<T>: Pod,
    {
        let x = x.as_slice::<C<T>>();
        match which {
            Part::Real => par_map1(x, out.as_mut_slice::<T>(), |z: C<T>| z.re),
            Part::Imag => par_map1(x, out.as_mut_slice::<T>(), |z: C<T>| z.im),
        }
    }
    match dtype {
        DType::C64 => typed::<f32>(which, x, out),
        DType::C128 => typed::<f64>(which, x, out),
        _ => unreachable!("complex kernel on {dtype}"),
    }
}

/// `conj(z)` of a complex buffer.
pub fn conj(dtype: DType, x: &Buffer, out: &mut Buffer) {
    match dtype {
        DType::C64 => par_map1(x.as_slice::<Complex32>(), out.as_mut_slice(), |z| z.conj()),
        DType::C128 => par_map1(x.as_slice::<Complex64>(), out.as_mut_slice(), |z| z.conj()),
        _ => unreachable!("complex kernel on {dtype}"),
    }
}

/// `complex(re, im)` from two real operands of `dtype` (`float32` gives
/// `complex64`, `float64` gives `complex128`).
pub fn make(dtype: DType, re: Operand, im: Operand, out: &mut Buffer) {
    fn typed<T: Real>(re: Operand, im: Operand, out: &mut Buffer)
    where
        C<T>: Pod,
    {
        let (x, y) = (re.buf.as_slice::<T>(), im.buf.as_slice::<T>());
        par_map2(
            x,
            re.scalar,
            y,
            im.scalar,
            out.as_mut_slice::<C<T>>(),
            |r: T, i: T| C::new(r, i),
        )
    }
    match dtype {
        DType::F32 => typed::<f32>(re, im, out),
        DType::F64 => typed::<f64>(re, im, out),
        _ => unreachable!("complex() of {dtype}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smith_division_does_not_overflow() {
        let a = C::new(1e30f32, 1e30);
        let b = C::new(2e30f32, 2e30);
        let q = div(a, b);
        assert_eq!((q.re, q.im), (0.5, 0.0));
        let q = div(C::new(1.0f64, 2.0), C::new(3.0, -4.0));
        assert!((q.re - (-0.2)).abs() < 1e-15 && (q.im - 0.4).abs() < 1e-15);
    }

    #[test]
    fn branch_cuts_keep_the_sign_of_zero() {
        let below = C::new(-4.0f64, -0.0);
        let above = C::new(-4.0f64, 0.0);
        assert_eq!(below.sqrt(), C::new(0.0, -2.0));
        assert_eq!(above.sqrt(), C::new(0.0, 2.0));
        assert!(below.ln().im < 0.0 && above.ln().im > 0.0);
    }

    #[test]
    fn integer_powers_and_zero_powers() {
        let z = C::new(1.0f64, 1.0);
        assert_eq!(powi(z, 2), C::new(0.0, 2.0));
        assert_eq!(powi(z, -2), C::new(0.0, -0.5));
        assert_eq!(pow(C::new(0.0f64, 0.0), C::new(0.0, 0.0)), C::new(1.0, 0.0));
        assert_eq!(pow(C::new(0.0f64, 0.0), C::new(2.0, 0.0)), C::new(0.0, 0.0));
        assert!(lex_gt(C::new(1.0f32, 0.0), C::new(0.0, 5.0)));
    }
}
