//! Shared helpers: multiply-add, polynomial evaluation, branch-free rounding
//! and exponent manipulation.
//!
//! Everything here is `#[inline(always)]` and free of data-dependent branches
//! so that the callers vectorize.

/// Use a fused multiply-add (`mul_add`) for polynomial steps.
///
/// `false` (the default) evaluates `a * b + c` as a separate multiply and add:
/// that is fast on every code path (SSE2 baseline, AVX2, AVX-512) and gives
/// bit-identical results on all of them. With `true`, `mul_add` is a single
/// instruction only inside `#[target_feature(enable = "fma")]` callers and a
/// slow libm call elsewhere. The error bounds were measured with `false`.
pub const USE_FMA: bool = false;

/// `a * b + c` (see [`USE_FMA`]).
#[inline(always)]
pub fn fma(a: f32, b: f32, c: f32) -> f32 {
    if USE_FMA {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// `a * b + c` in `f64` (see [`USE_FMA`]).
#[inline(always)]
pub fn fma64(a: f64, b: f64, c: f64) -> f64 {
    if USE_FMA {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// Horner evaluation `c0 + x*(c1 + x*(c2 + ...))` for `f32`
/// (needs `fma` in scope at the call site).
macro_rules! poly32 {
    ($x:expr; $c0:expr) => { $c0 };
    ($x:expr; $c0:expr, $($rest:expr),+) => {
        fma($x, poly32!($x; $($rest),+), $c0)
    };
}

/// Horner evaluation `c0 + x*(c1 + x*(c2 + ...))` for `f64`
/// (needs `fma64` in scope at the call site).
macro_rules! poly64 {
    ($x:expr; $c0:expr) => { $c0 };
    ($x:expr; $c0:expr, $($rest:expr),+) => {
        fma64($x, poly64!($x; $($rest),+), $c0)
    };
}

pub(crate) use poly32;
pub(crate) use poly64;

/// `1.5 * 2^23`: adding and subtracting it rounds an `f32` with
/// `|x| < 2^22` to the nearest integer (ties to even).
pub const MAGIC32: f32 = 12_582_912.0;
/// `1.5 * 2^52`, the `f64` analogue of [`MAGIC32`].
pub const MAGIC64: f64 = 6_755_399_441_055_744.0;

/// Round `x` (`|x| < 2^22`) to the nearest integer; returns the rounded
/// value as a float and as an `i32`. NaN gives NaN and an unspecified integer.
#[inline(always)]
pub fn round_i32(x: f32) -> (f32, i32) {
    let t = x + MAGIC32;
    let n = (t.to_bits() as i32).wrapping_sub(MAGIC32.to_bits() as i32);
    (t - MAGIC32, n)
}

/// Round `x` (`|x| < 2^31`) to the nearest integer; returns the rounded
/// value as a float and the low 32 bits of the integer.
#[inline(always)]
pub fn round64_i32(x: f64) -> (f64, i32) {
    let t = x + MAGIC64;
    let n = t.to_bits() as u32 as i32;
    (t - MAGIC64, n)
}

/// `2^n` for `-126 <= n <= 127` (built from the exponent bits).
#[inline(always)]
pub fn pow2i(n: i32) -> f32 {
    f32::from_bits((n.wrapping_add(127) as u32) << 23)
}

/// `2^n` for `-1022 <= n <= 1023`.
#[inline(always)]
pub fn pow2i64(n: i32) -> f64 {
    f64::from_bits((n.wrapping_add(1023) as i64 as u64) << 52)
}

/// `v` with its sign flipped where `flip` is set (bitwise, keeps NaN).
#[inline(always)]
pub fn flip_sign(v: f32, flip: bool) -> f32 {
    f32::from_bits(v.to_bits() ^ ((flip as u32) << 31))
}

/// `v` with its sign flipped where `flip` is set (`f64`).
#[inline(always)]
pub fn flip_sign64(v: f64, flip: bool) -> f64 {
    f64::from_bits(v.to_bits() ^ ((flip as u64) << 63))
}
