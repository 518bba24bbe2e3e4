//! Hyperbolic functions and their inverses.
//!
//! `tanh_f32` is pure `f32` (it is hot in ML workloads); `sinh`, `cosh`,
//! `asinh`, `acosh`, `atanh` evaluate in `f64` internally and round once.

use super::common::{fma, fma64, poly32, poly64};
use super::exp_log::{exp_core, exp_lite64, expm1_f64, log_f64};

/// Max error of [`tanh_f32`] in ULP (tested).
pub const TANH_F32_MAX_ULP: f64 = 1.5;
/// Max error of [`sinh_f32`] / [`cosh_f32`] in ULP (tested).
pub const SINH_COSH_F32_MAX_ULP: f64 = 1.0;
/// Max error of [`asinh_f32`] / [`acosh_f32`] / [`atanh_f32`] in ULP (tested).
pub const ASINH_ACOSH_ATANH_F32_MAX_ULP: f64 = 1.0;
/// Max error of [`tanh_f64`] in ULP vs `f64::tanh` (tested).
pub const TANH_F64_MAX_ULP: f64 = 3.0;

/// Hyperbolic tangent. Max error 1.5 ULP over all `f32` (tested).
/// `tanh(+-0) = +-0`, `tanh(+-inf) = +-1`.
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    let a = x.abs();
    // |x| < 0.625: odd polynomial.
    let z = a * a;
    let p =
        poly32!(z; -3.333_328e-1, 1.333_144_2e-1, -5.373_969e-2, 2.063_900_2e-2, -5.704_887_7e-3);
    let small = fma(a * z, p, a);
    // Otherwise 1 - 2 / (e^(2a) + 1); tanh(a) rounds to 1 for a > 9.01.
    let ac = if a > 10.0 { 10.0 } else { a };
    let e = exp_core(2.0 * ac);
    let big = 1.0 - 2.0 / (e + 1.0);
    let r = if a < 0.625 { small } else { big };
    r.copysign(x)
}

/// Hyperbolic sine. Max error 1 ULP over all `f32` (tested).
#[inline(always)]
pub fn sinh_f32(x: f32) -> f32 {
    let a = (x as f64).abs();
    let z = a * a;
    let p = poly64!(z;
        1.666_666_649_753_029_42e-1,
        8.333_350_060_579_922_81e-3,
        1.983_615_926_932_346_40e-4,
        2.816_954_356_329_776_51e-6);
    let small = a * fma64(z, p, 1.0);
    let e = exp_lite64(a);
    let big = 0.5 * e - 0.5 / e;
    let r = if a < 1.0 { small } else { big };
    (r as f32).copysign(x)
}

/// Hyperbolic cosine. Max error 1 ULP over all `f32` (tested).
#[inline(always)]
pub fn cosh_f32(x: f32) -> f32 {
    let a = (x as f64).abs();
    let e = exp_lite64(a);
    (0.5 * e + 0.5 / e) as f32
}

/// Inverse hyperbolic sine. Max error 1 ULP over all `f32` (tested).
#[inline(always)]
pub fn asinh_f32(x: f32) -> f32 {
    let a = (x as f64).abs();
    let z = a * a;
    // |x| < 2^-5: series; truncation error below 2^-45 relative.
    let small = a * fma64(
        z,
        poly64!(z; -1.0 / 6.0, 3.0 / 40.0, -15.0 / 336.0, 105.0 / 3456.0),
        1.0,
    );
    // log(a + sqrt(a^2 + 1)); a^2 cannot overflow in f64.
    let big = log_f64(a + (z + 1.0).sqrt());
    let r = if a < 0.031_25 { small } else { big };
    (r as f32).copysign(x)
}

/// Inverse hyperbolic cosine. Max error 1 ULP over all `f32` (tested).
/// `acosh(x < 1) = NaN`, `acosh(1) = 0`, `acosh(inf) = inf`.
#[inline(always)]
pub fn acosh_f32(x: f32) -> f32 {
    let xd = x as f64;
    // (x - 1)(x + 1) is exact-ish in f64 (both factors are exact).
    let r = log_f64(xd + ((xd - 1.0) * (xd + 1.0)).sqrt());
    (if xd < 1.0 { f64::NAN } else { r }) as f32
}

/// Inverse hyperbolic tangent. Max error 1 ULP over all `f32` (tested).
/// `atanh(+-1) = +-inf`, `atanh(|x| > 1) = NaN`.
#[inline(always)]
pub fn atanh_f32(x: f32) -> f32 {
    let a = (x as f64).abs();
    let z = a * a;
    let small = a * fma64(z, poly64!(z; 1.0 / 3.0, 1.0 / 5.0, 1.0 / 7.0), 1.0);
    let big = 0.5 * log_f64((1.0 + a) / (1.0 - a));
    let r = if a < 0.031_25 { small } else { big };
    (r as f32).copysign(x)
}

/// Hyperbolic tangent in `f64`. Max error 3 ULP vs std (tested; the reference itself is within 1 ULP).
/// `tanh(+-0) = +-0`, `tanh(+-inf) = +-1`.
#[inline(always)]
pub fn tanh_f64(x: f64) -> f64 {
    let a = x.abs();
    // tanh(a) rounds to 1 above ~19.1.
    let ac = if a > 22.0 { 22.0 } else { a };
    let e = expm1_f64(2.0 * ac);
    let d = e + 2.0;
    // a < 0.55: e/(e+2); otherwise 1 - 2/(e+2) (no cancellation either way).
    let small = a < 0.55;
    let q = (if small { e } else { 2.0 }) / d;
    let r = if small { q } else { 1.0 - q };
    r.copysign(x)
}
