//! Per-element operations as traits over the element types, so kernels are
//! written once and monomorphized per dtype.
//!
//! Integer semantics follow XLA/JAX: arithmetic wraps; `x / 0` is -1 for
//! signed and all-ones for unsigned types; `MIN / -1` is `MIN`; `x % 0` is
//! `x`; shifts by at least the bit width give 0 (or the sign fill for an
//! arithmetic right shift).

use crate::backend::cpu::math;

/// Floating-point math used by the float kernels.
pub trait FloatMath:
    Copy
    + PartialOrd
    + Send
    + Sync
    + 'static
    + std::ops::Neg<Output = Self>
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::Rem<Output = Self>
{
    const ZERO: Self;
    const ONE: Self;
    fn is_nan(self) -> bool;
    fn is_finite(self) -> bool;
    fn abs(self) -> Self;
    fn floor(self) -> Self;
    fn ceil(self) -> Self;
    fn round_even(self) -> Self;
    fn sqrt(self) -> Self;
    fn cbrt(self) -> Self;
    fn exp(self) -> Self;
    fn exp2(self) -> Self;
    fn expm1(self) -> Self;
    fn ln(self) -> Self;
    fn ln_1p(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn tan(self) -> Self;
    fn asin(self) -> Self;
    fn acos(self) -> Self;
    fn atan(self) -> Self;
    fn sinh(self) -> Self;
    fn cosh(self) -> Self;
    fn tanh(self) -> Self;
    fn asinh(self) -> Self;
    fn acosh(self) -> Self;
    fn atanh(self) -> Self;
    fn erf(self) -> Self;
    fn erfc(self) -> Self;
    fn erf_inv(self) -> Self;
    fn bessel_i0e(self) -> Self;
    fn bessel_i1e(self) -> Self;
    fn rsqrt(self) -> Self;
    fn logistic(self) -> Self;
    fn pow(self, y: Self) -> Self;
    fn atan2(self, x: Self) -> Self;
}

macro_rules! impl_float_math {
    (f32, f32) => {
        impl FloatMath for f32 {
            const ZERO: f32 = 0.0;
            const ONE: f32 = 1.0;
            #[inline(always)]
            fn is_nan(self) -> bool {
                self != self
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                f32::is_finite(self)
            }
            #[inline(always)]
            fn abs(self) -> f32 {
                f32::abs(self)
            }
            #[inline(always)]
            fn floor(self) -> f32 {
                f32::floor(self)
            }
            #[inline(always)]
            fn ceil(self) -> f32 {
                f32::ceil(self)
            }
            #[inline(always)]
            fn round_even(self) -> f32 {
                f32::round_ties_even(self)
            }
            #[inline(always)]
            fn sqrt(self) -> f32 {
                f32::sqrt(self)
            }
            #[inline(always)]
            fn cbrt(self) -> f32 {
                math::cbrt_f32(self)
            }
            #[inline(always)]
            fn exp(self) -> f32 {
                math::xla::exp_f32(self)
            }
            #[inline(always)]
            fn exp2(self) -> f32 {
                math::exp2_f32(self)
            }
            #[inline(always)]
            fn expm1(self) -> f32 {
                math::expm1_f32(self)
            }
            #[inline(always)]
            fn ln(self) -> f32 {
                math::xla::log_f32(self)
            }
            #[inline(always)]
            fn ln_1p(self) -> f32 {
                math::xla::log1p_f32(self)
            }
            #[inline(always)]
            fn sin(self) -> f32 {
                math::sin_f32(self)
            }
            #[inline(always)]
            fn cos(self) -> f32 {
                math::cos_f32(self)
            }
            #[inline(always)]
            fn tan(self) -> f32 {
                math::tan_f32(self)
            }
            #[inline(always)]
            fn asin(self) -> f32 {
                math::asin_f32(self)
            }
            #[inline(always)]
            fn acos(self) -> f32 {
                math::acos_f32(self)
            }
            #[inline(always)]
            fn atan(self) -> f32 {
                math::atan_f32(self)
            }
            #[inline(always)]
            fn sinh(self) -> f32 {
                math::sinh_f32(self)
            }
            #[inline(always)]
            fn cosh(self) -> f32 {
                math::cosh_f32(self)
            }
            #[inline(always)]
            fn tanh(self) -> f32 {
                math::xla::tanh_f32(self)
            }
            #[inline(always)]
            fn asinh(self) -> f32 {
                math::asinh_f32(self)
            }
            #[inline(always)]
            fn acosh(self) -> f32 {
                math::acosh_f32(self)
            }
            #[inline(always)]
            fn atanh(self) -> f32 {
                math::atanh_f32(self)
            }
            #[inline(always)]
            fn erf(self) -> f32 {
                math::xla::erf_f32(self)
            }
            #[inline(always)]
            fn erfc(self) -> f32 {
                math::erfc::erfc_f32(self)
            }
            #[inline(always)]
            fn erf_inv(self) -> f32 {
                math::xla::erf_inv_f32(self)
            }
            #[inline(always)]
            fn bessel_i0e(self) -> f32 {
                math::bessel::bessel_i0e_f32(self)
            }
            #[inline(always)]
            fn bessel_i1e(self) -> f32 {
                math::bessel::bessel_i1e_f32(self)
            }
            #[inline(always)]
            fn rsqrt(self) -> f32 {
                math::xla::rsqrt_f32(self)
            }
            #[inline(always)]
            fn logistic(self) -> f32 {
                math::xla::logistic_f32(self)
            }
            #[inline(always)]
            fn pow(self, y: f32) -> f32 {
                // The system powf, as XLA:CPU calls it (JAX's exact results).
                f32::powf(self, y)
            }
            #[inline(always)]
            fn atan2(self, x: f32) -> f32 {
                math::atan2_f32(self, x)
            }
        }
    };
    (f64, f64) => {
        impl FloatMath for f64 {
            const ZERO: f64 = 0.0;
            const ONE: f64 = 1.0;
            #[inline(always)]
            fn is_nan(self) -> bool {
                self != self
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                f64::is_finite(self)
            }
            #[inline(always)]
            fn abs(self) -> f64 {
                f64::abs(self)
            }
            #[inline(always)]
            fn floor(self) -> f64 {
                f64::floor(self)
            }
            #[inline(always)]
            fn ceil(self) -> f64 {
                f64::ceil(self)
            }
            #[inline(always)]
            fn round_even(self) -> f64 {
                f64::round_ties_even(self)
            }
            #[inline(always)]
            fn sqrt(self) -> f64 {
                f64::sqrt(self)
            }
            #[inline(always)]
            fn cbrt(self) -> f64 {
                f64::cbrt(self)
            }
            #[inline(always)]
            fn exp(self) -> f64 {
                math::xla::exp_f64(self)
            }
            #[inline(always)]
            fn exp2(self) -> f64 {
                f64::exp2(self)
            }
            #[inline(always)]
            fn expm1(self) -> f64 {
                math::expm1_f64(self)
            }
            #[inline(always)]
            fn ln(self) -> f64 {
                f64::ln(self)
            }
            #[inline(always)]
            fn ln_1p(self) -> f64 {
                math::xla::log1p_f64(self)
            }
            #[inline(always)]
            fn sin(self) -> f64 {
                f64::sin(self)
            }
            #[inline(always)]
            fn cos(self) -> f64 {
                f64::cos(self)
            }
            #[inline(always)]
            fn tan(self) -> f64 {
                f64::tan(self)
            }
            #[inline(always)]
            fn asin(self) -> f64 {
                f64::asin(self)
            }
            #[inline(always)]
            fn acos(self) -> f64 {
                f64::acos(self)
            }
            #[inline(always)]
            fn atan(self) -> f64 {
                f64::atan(self)
            }
            #[inline(always)]
            fn sinh(self) -> f64 {
                f64::sinh(self)
            }
            #[inline(always)]
            fn cosh(self) -> f64 {
                f64::cosh(self)
            }
            #[inline(always)]
            fn tanh(self) -> f64 {
                math::tanh_f64(self)
            }
            #[inline(always)]
            fn asinh(self) -> f64 {
                f64::asinh(self)
            }
            #[inline(always)]
            fn acosh(self) -> f64 {
                f64::acosh(self)
            }
            #[inline(always)]
            fn atanh(self) -> f64 {
                f64::atanh(self)
            }
            #[inline(always)]
            fn erf(self) -> f64 {
                math::xla::erf_f64(self)
            }
            #[inline(always)]
            fn erfc(self) -> f64 {
                math::erfc::erfc_f64(self)
            }
            #[inline(always)]
            fn erf_inv(self) -> f64 {
                math::xla::erf_inv_f64(self)
            }
            #[inline(always)]
            fn bessel_i0e(self) -> f64 {
                math::bessel::bessel_i0e_f64(self)
            }
            #[inline(always)]
            fn bessel_i1e(self) -> f64 {
                math::bessel::bessel_i1e_f64(self)
            }
            #[inline(always)]
            fn rsqrt(self) -> f64 {
                1.0 / self.sqrt()
            }
            #[inline(always)]
            fn logistic(self) -> f64 {
                1.0 / (1.0 + math::exp_f64(-self))
            }
            #[inline(always)]
            fn pow(self, y: f64) -> f64 {
                f64::powf(self, y)
            }
            #[inline(always)]
            fn atan2(self, x: f64) -> f64 {
                f64::atan2(self, x)
            }
        }
    };
}
impl_float_math!(f32, f32);
impl_float_math!(f64, f64);

/// NaN-propagating maximum (as `lax.max`); `max(-0., 0.)` is `0.`.
#[inline(always)]
pub fn fmax_nan<T: FloatMath>(a: T, b: T) -> T {
    if a.is_nan() || a > b {
        a
    } else if a == b {
        // Equal values: only signed zeros differ, and +0 must win. a + b is
        // +0 unless both are -0 (and equals a for nonzero values times 2,
        // so pick a unless both are zero).
        if a == T::ZERO {
            a + b
        } else {
            a
        }
    } else {
        b
    }
}

/// NaN-propagating minimum (as `lax.min`); `min(-0., 0.)` is `-0.`.
#[inline(always)]
pub fn fmin_nan<T: FloatMath>(a: T, b: T) -> T {
    if a.is_nan() || a < b {
        a
    } else if a == b {
        if a == T::ZERO {
            -((-a) + (-b))
        } else {
            a
        }
    } else {
        b
    }
}

/// Integer arithmetic with XLA semantics.
pub trait IntOps: Copy + Ord + Send + Sync + Default + 'static {
    const BITS: u32;
    const SIGNED: bool;
    const ONE: Self;
    const MIN: Self;
    const MAX: Self;
    fn wadd(self, b: Self) -> Self;
    fn wsub(self, b: Self) -> Self;
    fn wmul(self, b: Self) -> Self;
    fn wneg(self) -> Self;
    fn wabs(self) -> Self;
    fn signum(self) -> Self;
    fn div_xla(self, b: Self) -> Self;
    fn rem_xla(self, b: Self) -> Self;
    fn and(self, b: Self) -> Self;
    fn or(self, b: Self) -> Self;
    fn xor(self, b: Self) -> Self;
    fn not(self) -> Self;
    fn shl_xla(self, b: Self) -> Self;
    fn shr_arith(self, b: Self) -> Self;
    fn shr_logical(self, b: Self) -> Self;
    fn wpow(self, e: u32) -> Self;
}

macro_rules! impl_int_ops {
    ($($t:ty => $u:ty, $signed:expr);* $(;)?) => {$(
        impl IntOps for $t {
            const BITS: u32 = <$t>::BITS;
            const SIGNED: bool = $signed;
            const ONE: $t = 1;
            const MIN: $t = <$t>::MIN;
            const MAX: $t = <$t>::MAX;
            #[inline(always)] fn wadd(self, b: $t) -> $t { self.wrapping_add(b) }
            #[inline(always)] fn wsub(self, b: $t) -> $t { self.wrapping_sub(b) }
            #[inline(always)] fn wmul(self, b: $t) -> $t { self.wrapping_mul(b) }
            #[inline(always)] fn wneg(self) -> $t { (0 as $t).wrapping_sub(self) }
            #[inline(always)] fn wabs(self) -> $t { if self < (0 as $t) { self.wneg() } else { self } }
            #[inline(always)] fn signum(self) -> $t {
                if self > (0 as $t) { 1 as $t } else if self < (0 as $t) { (0 as $t).wrapping_sub(1 as $t) } else { 0 as $t }
            }
            #[inline(always)] fn div_xla(self, b: $t) -> $t {
                if b == (0 as $t) { !(0 as $t) } else { self.wrapping_div(b) }
            }
            #[inline(always)] fn rem_xla(self, b: $t) -> $t {
                if b == (0 as $t) { self } else { self.wrapping_rem(b) }
            }
            #[inline(always)] fn and(self, b: $t) -> $t { self & b }
            #[inline(always)] fn or(self, b: $t) -> $t { self | b }
            #[inline(always)] fn xor(self, b: $t) -> $t { self ^ b }
            #[inline(always)] fn not(self) -> $t { !self }
            #[inline(always)] fn shl_xla(self, b: $t) -> $t {
                let s = b as $u;
                if s >= <$t>::BITS as $u { 0 as $t } else { self << (s as u32) }
            }
            #[inline(always)] fn shr_arith(self, b: $t) -> $t {
                let s = b as $u;
                let s = if s >= <$t>::BITS as $u { <$t>::BITS - 1 } else { s as u32 };
                if $signed { self >> s } else {
                    // Arithmetic shift of an unsigned value: reinterpret as signed.
                    let neg = (self >> (<$t>::BITS - 1)) != (0 as $t);
                    let shifted = self >> s;
                    if neg { shifted | !((!(0 as $t)) >> s) } else { shifted }
                }
            }
            #[inline(always)] fn shr_logical(self, b: $t) -> $t {
                let s = b as $u;
                if s >= <$t>::BITS as $u { 0 as $t } else { ((self as $u) >> (s as u32)) as $t }
            }
            #[inline(always)] fn wpow(self, e: u32) -> $t { self.wrapping_pow(e) }
        }
    )*};
}
impl_int_ops!(i8 => u8, true; i16 => u16, true; i32 => u32, true; i64 => u64, true;
    u8 => u8, false; u16 => u16, false; u32 => u32, false; u64 => u64, false);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_semantics_follow_xla() {
        assert_eq!(7i32.div_xla(0), -1);
        assert_eq!(7u32.div_xla(0), u32::MAX);
        assert_eq!(i32::MIN.div_xla(-1), i32::MIN);
        assert_eq!(7i32.rem_xla(0), 7);
        assert_eq!(i32::MIN.rem_xla(-1), 0);
        assert_eq!((-7i32).div_xla(2), -3);
        assert_eq!(1i32.shl_xla(40), 0);
        assert_eq!((-8i32).shr_arith(40), -1);
        assert_eq!((-8i32).shr_logical(1), ((-8i32 as u32) >> 1) as i32);
        assert_eq!(0x80u8.shr_arith(1), 0xC0);
        assert_eq!((-5i8).signum(), -1);
        assert_eq!(5u8.signum(), 1);
        assert_eq!(i32::MIN.wabs(), i32::MIN);
    }

    #[test]
    fn float_max_min_propagate_nan() {
        assert!(fmax_nan(f32::NAN, 1.0).is_nan());
        assert!(fmax_nan(1.0, f32::NAN).is_nan());
        assert!(fmin_nan(1.0f64, f64::NAN).is_nan());
        assert_eq!(fmax_nan(1.0f32, 2.0), 2.0);
        assert!(fmax_nan(-0.0f32, 0.0).is_sign_positive());
        assert!(fmax_nan(0.0f32, -0.0).is_sign_positive());
        assert!(fmin_nan(0.0f32, -0.0).is_sign_negative());
        assert!(fmin_nan(-0.0f32, 0.0).is_sign_negative());
        assert!(fmin_nan(0.0f32, 0.0).is_sign_positive());
    }
}
