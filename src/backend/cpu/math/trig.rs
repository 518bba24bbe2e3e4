//! Trigonometric functions: `sin`, `cos`, `tan`, `asin`, `acos`, `atan`,
//! `atan2` for `f32`.
//!
//! The argument is widened to `f64`; reduction and polynomial evaluation
//! happen in `f64` and the result is rounded to `f32` once, so the error is
//! barely above 0.5 ULP. Four `f64` lanes per AVX2 register make these about
//! half the throughput of a pure-`f32` kernel, which buys the accuracy and a
//! simple Cody–Waite argument reduction that is exact for
//! `|x| < TRIG_F32_ACCURATE_MAX` (about 5.3e7).
//!
//! Beyond that, [`sin_f32`], [`cos_f32`] and [`tan_f32`] still return
//! non-NaN values (`|sin|, |cos| <= 1`) but not the correct ones; [`sin_full_f32`], [`cos_full_f32`] and [`tan_full_f32`] add
//! a branch-free Payne–Hanek reduction that is exact for every finite `f32`,
//! at about 2.7x the cost (both reductions run for every element).

use super::common::{fma64, poly64, round64_i32};

/// Max error of [`sin_f32`] / [`cos_f32`] in ULP (tested) for
/// `|x| < TRIG_F32_ACCURATE_MAX`, and of [`sin_full_f32`] / [`cos_full_f32`]
/// for every finite `f32`.
pub const SINCOS_F32_MAX_ULP: f64 = 1.0;
/// Max error of [`tan_f32`] / [`tan_full_f32`] in ULP (tested), same ranges.
pub const TAN_F32_MAX_ULP: f64 = 1.0;
/// Max error of [`asin_f32`] / [`acos_f32`] in ULP (tested).
pub const ASIN_ACOS_F32_MAX_ULP: f64 = 1.0;
/// Max error of [`atan_f32`] / [`atan2_f32`] in ULP (tested).
pub const ATAN_F32_MAX_ULP: f64 = 1.0;

/// `|x|` below which [`sin_f32`], [`cos_f32`], [`tan_f32`] meet their error
/// bounds: `2^25 * pi/2`, where the Cody–Waite reduction stops being exact.
pub const TRIG_F32_ACCURATE_MAX: f32 = 52_707_176.0;

/// `|x|` from which the `*_full_f32` variants switch from the Cody–Waite
/// reduction to the Payne–Hanek one (`2^25`).
pub const TRIG_F32_PAYNE_HANEK_FROM: f32 = 33_554_432.0;

/// `pi/2` split in three: the first two have 28 significant bits so that
/// `k * PIO2_1` and `k * PIO2_2` are exact for `|k| < 2^25`.
const PIO2_1: f64 = 1.570_796_325_802_803;
const PIO2_2: f64 = 9.920_935_739_593_517e-10;
const PIO2_3: f64 = 5.721_188_726_109_832e-18;
const TWO_OVER_PI: f64 = std::f64::consts::FRAC_2_PI;
const PIO2: f64 = std::f64::consts::FRAC_PI_2;

/// Bits of `2/pi` (from bit 2^-1 on), 32 per word, for Payne–Hanek.
const TWO_OVER_PI_BITS: [u32; 8] = [
    0xa2f9_836e,
    0x4e44_1529,
    0xfc27_57d1,
    0xf534_ddc0,
    0xdb62_9599,
    0x3c43_9041,
    0xfe51_63ab,
    0xdebb_c561,
];

/// Cody–Waite reduction: `x = k pi/2 + r`, `|r| <= pi/4 (+tiny)`; returns
/// `(r, k mod 4)`. Accurate for `|x| < 2^25 pi/2`.
#[inline(always)]
fn reduce_cw(x: f64) -> (f64, u32) {
    let (k, ki) = round64_i32(x * TWO_OVER_PI);
    let r = fma64(k, -PIO2_3, fma64(k, -PIO2_2, fma64(k, -PIO2_1, x)));
    (r, ki as u32)
}

/// Select `table[j]` for `j` in `0..4` without a gather.
#[inline(always)]
fn pick4(j: u32, t0: u32, t1: u32, t2: u32, t3: u32) -> u32 {
    let a = if j & 1 != 0 { t1 } else { t0 };
    let b = if j & 1 != 0 { t3 } else { t2 };
    if j & 2 != 0 {
        b
    } else {
        a
    }
}

/// Payne–Hanek reduction for finite `|x| >= 2^25` (any exponent up to the
/// `f32` maximum), branch-free: 96 bits of `2/pi`, chosen by the exponent
/// with selects (no table gather), times the 24-bit mantissa in integer
/// arithmetic. Returns `(r, k mod 4)` for `|x|` (the caller applies the sign).
#[inline(always)]
fn reduce_ph(ax: f32) -> (f64, u32) {
    let bits = ax.to_bits();
    // ax = m * 2^e2 with m a 24-bit integer and e2 = biased_exp - 150 >= 2.
    let m = ((bits & 0x007f_ffff) | 0x0080_0000) as u64;
    let e2 = ((bits >> 23) as i32).wrapping_sub(150);
    // 2/pi = sum b_i 2^-i (i >= 1; word 0's top bit is b_1). Modulo 4 only
    // the bits with i >= e2 - 1 matter: take the 96-bit window starting at
    // b_(e2-1), i.e. at 0-based bit index i0 = e2 - 2 (in 0..=102).
    let i0 = if e2 < 2 { 0 } else { e2.wrapping_sub(2) as u32 };
    let j = i0 >> 5;
    let sh = i0 & 31;
    let t = &TWO_OVER_PI_BITS;
    let w = |k: usize| -> u64 {
        let hi = pick4(j, t[k], t[k + 1], t[k + 2], t[k + 3]);
        let lo = pick4(j, t[k + 1], t[k + 2], t[k + 3], t[k + 4]);
        // High word of (hi:lo) << sh, written so that sh == 0 is fine.
        ((hi << sh) | ((lo >> 1) >> (31 - sh))) as u64
    };
    let (w0, w1, w2) = (w(0), w(1), w(2));
    // x * window = m * W * 2^(e2 - i0 - 96) = m * W * 2^-94: the 120-bit
    // product m*W has its binary point 94 bits up; bits 94 and 95 are the
    // quadrant, bits 0..93 the fraction of a quadrant.
    let p2 = m * w2;
    let p1 = m * w1 + (p2 >> 32);
    let p0 = m * w0 + (p1 >> 32);
    let q = ((p0 >> 30) & 3) as u32;
    // Top 62 fraction bits.
    let fbits = ((p0 & 0x3fff_ffff) << 32) | (p1 & 0xffff_ffff);
    // Round to the nearest quadrant; negate in integers so that no
    // cancellation happens in floating point.
    let up = (fbits >> 61) & 1 != 0;
    let fm = if up {
        (1u64 << 62).wrapping_sub(fbits)
    } else {
        fbits
    };
    let hi = (fm >> 32) as u32 as i32; // < 2^30
    let lo = fm as u32;
    let lo_f = f64::from_bits(0x4330_0000_0000_0000 | lo as u64) - 4_503_599_627_370_496.0;
    let frac = (hi as f64) * (1.0 / 1_073_741_824.0) + lo_f * (1.0 / 4_611_686_018_427_387_904.0);
    let r = frac * PIO2;
    let r = if up { -r } else { r };
    (r, q.wrapping_add(up as u32))
}

/// Fast reduction: Cody–Waite, exact for `|x| < TRIG_F32_ACCURATE_MAX`.
/// Beyond, `r` is clamped to `[-pi/4, pi/4]` so results stay bounded.
#[inline(always)]
fn reduce_fast(x: f32) -> (f64, u32) {
    const PIO4: f64 = std::f64::consts::FRAC_PI_4;
    let (r, q) = reduce_cw(x as f64);
    // NaN (from inf/NaN input) passes through.
    let r = if r > PIO4 { PIO4 } else { r };
    let r = if r < -PIO4 { -PIO4 } else { r };
    (r, q)
}

/// Full-range reduction: Cody–Waite below 2^25, Payne–Hanek above.
#[inline(always)]
fn reduce_full(x: f32) -> (f64, u32) {
    let (r1, q1) = reduce_cw(x as f64);
    let ax = x.abs();
    let (r2, q2) = reduce_ph(ax);
    let neg = x < 0.0;
    let r2 = if neg { -r2 } else { r2 };
    let q2 = if neg { q2.wrapping_neg() } else { q2 };
    // inf and NaN take the Cody–Waite path, which turns them into NaN.
    let huge = ax.is_finite() && ax >= TRIG_F32_PAYNE_HANEK_FROM;
    if huge {
        (r2, q2)
    } else {
        (r1, q1)
    }
}

/// `sin(r)` and `cos(r)` for `|r| <= pi/4`, ~2^-37 relative error.
#[inline(always)]
fn sincos_poly(r: f64) -> (f64, f64) {
    let z = r * r;
    let s = poly64!(z;
        -1.666_666_664_079_232_42e-1,
        8.333_329_304_265_500_38e-3,
        -1.983_931_207_739_089_09e-4,
        2.718_119_750_930_243_49e-6);
    let c = poly64!(z;
        4.166_666_661_948_244_95e-2,
        -1.388_888_349_933_061_28e-3,
        2.479_945_996_152_622_79e-5,
        -2.720_573_844_915_114_10e-7);
    let sin = r * fma64(z, s, 1.0);
    let cos = fma64(z, fma64(z, c, -0.5), 1.0);
    (sin, cos)
}

#[inline(always)]
fn sin_from(r: f64, q: u32) -> f32 {
    let (s, c) = sincos_poly(r);
    let v = if q & 1 != 0 { c } else { s };
    let v = if q & 2 != 0 { -v } else { v };
    v as f32
}

#[inline(always)]
fn tan_from(r: f64, q: u32) -> f32 {
    let (s, c) = sincos_poly(r);
    let odd = q & 1 != 0;
    let num = if odd { -c } else { s };
    let den = if odd { s } else { c };
    (num / den) as f32
}

/// Sine. Max error 1 ULP (tested; in practice <= 0.501 ULP) for
/// `|x| < TRIG_F32_ACCURATE_MAX` (5.27e7); bounded but inaccurate beyond
/// (use [`sin_full_f32`] there). `sin(+-0) = +-0`, `sin(+-inf) = NaN`.
#[inline(always)]
pub fn sin_f32(x: f32) -> f32 {
    let (r, q) = reduce_fast(x);
    sin_from(r, q)
}

/// Cosine. Max error 1 ULP (tested; in practice <= 0.501 ULP) for
/// `|x| < TRIG_F32_ACCURATE_MAX`; bounded but inaccurate beyond (use
/// [`cos_full_f32`] there). `cos(+-inf) = NaN`.
#[inline(always)]
pub fn cos_f32(x: f32) -> f32 {
    let (r, q) = reduce_fast(x);
    sin_from(r, q.wrapping_add(1))
}

/// Tangent. Max error 1 ULP (tested) for `|x| < TRIG_F32_ACCURATE_MAX`;
/// bounded but inaccurate beyond (use [`tan_full_f32`] there).
/// `tan(+-0) = +-0`, `tan(+-inf) = NaN`.
#[inline(always)]
pub fn tan_f32(x: f32) -> f32 {
    let (r, q) = reduce_fast(x);
    tan_from(r, q)
}

/// Sine, accurate (max error 1 ULP, tested) for every finite `f32` thanks to
/// a branch-free Payne–Hanek reduction above 2^25; ~2.7x slower than
/// [`sin_f32`].
#[inline(always)]
pub fn sin_full_f32(x: f32) -> f32 {
    let (r, q) = reduce_full(x);
    sin_from(r, q)
}

/// Cosine for every finite `f32` (max error 1 ULP, tested); see
/// [`sin_full_f32`].
#[inline(always)]
pub fn cos_full_f32(x: f32) -> f32 {
    let (r, q) = reduce_full(x);
    sin_from(r, q.wrapping_add(1))
}

/// Tangent for every finite `f32` (max error 1 ULP, tested); see
/// [`sin_full_f32`].
#[inline(always)]
pub fn tan_full_f32(x: f32) -> f32 {
    let (r, q) = reduce_full(x);
    tan_from(r, q)
}

/// `asin(s)` for `0 <= s <= 1/2`, `z = s^2`; ~2^-35 relative error.
#[inline(always)]
fn asin_poly(s: f64, z: f64) -> f64 {
    let p = poly64!(z;
        1.666_666_718_029_862_49e-1,
        7.499_948_892_941_843_41e-2,
        4.465_997_374_417_526_87e-2,
        3.011_250_233_554_097_97e-2,
        2.460_487_516_717_460_58e-2,
        7.508_920_096_486_637_78e-3,
        3.464_704_866_647_954_49e-2);
    s * fma64(z, p, 1.0)
}

/// Shared part of asin/acos: returns `(asin(s), big)` where for
/// `|x| <= 1/2`, `s = |x|`, and otherwise `s = sqrt((1 - |x|)/2)`
/// (`asin|x| = pi/2 - 2 asin(s)`).
#[inline(always)]
fn asin_core(a: f64) -> (f64, bool) {
    let big = a > 0.5;
    let zb = (1.0 - a) * 0.5;
    let z = if big { zb } else { a * a };
    let s = if big { zb.sqrt() } else { a };
    (asin_poly(s, z), big)
}

/// Arcsine. Max error 1 ULP over all `f32` (tested). `|x| > 1` gives NaN.
#[inline(always)]
pub fn asin_f32(x: f32) -> f32 {
    let a = (x as f64).abs();
    let (p, big) = asin_core(a);
    let r = if big { fma64(-2.0, p, PIO2) } else { p };
    (r as f32).copysign(x)
}

/// Arccosine. Max error 1 ULP over all `f32` (tested). `|x| > 1` gives NaN.
#[inline(always)]
pub fn acos_f32(x: f32) -> f32 {
    let xd = x as f64;
    let (p, big) = asin_core(xd.abs());
    let neg = xd < 0.0;
    let small = PIO2 - if neg { -p } else { p };
    let bigr = if neg {
        fma64(-2.0, p, std::f64::consts::PI)
    } else {
        2.0 * p
    };
    (if big { bigr } else { small }) as f32
}

/// `atan(t)` for `0 <= t <= 1`, ~2^-31 relative error.
#[inline(always)]
fn atan_poly(t: f64) -> f64 {
    let z = t * t;
    let p = poly64!(z;
        -3.333_332_689_868_753_75e-1,
        1.999_967_108_185_694_29e-1,
        -1.427_983_240_923_559_88e-1,
        1.105_821_887_436_957_70e-1,
        -8.811_071_330_793_988_91e-2,
        6.741_547_190_477_137_35e-2,
        -4.468_918_072_078_584_27e-2,
        2.253_917_248_545_006_18e-2,
        -7.317_607_922_979_901_99e-3,
        1.113_714_789_360_208_73e-3);
    t * fma64(z, p, 1.0)
}

/// Arctangent. Max error 1 ULP over all `f32` (tested).
/// `atan(+-inf) = +-pi/2`, `atan(-0) = -0`.
#[inline(always)]
pub fn atan_f32(x: f32) -> f32 {
    let a = (x as f64).abs();
    let big = a > 1.0;
    let t = if big { 1.0 / a } else { a };
    let p = atan_poly(t);
    let r = if big { PIO2 - p } else { p };
    (r as f32).copysign(x)
}

/// Two-argument arctangent `atan2(y, x)` in `(-pi, pi]`, with C/NumPy
/// special cases (signed zeros, infinities, NaN). Max error 1 ULP (tested).
#[inline(always)]
pub fn atan2_f32(y: f32, x: f32) -> f32 {
    let ax = (x as f64).abs();
    let ay = (y as f64).abs();
    // num/den = min/max; NaN in either makes the quotient NaN.
    let y_lt = ay < ax;
    let num = if y_lt { ay } else { ax };
    let den = if y_lt { ax } else { ay };
    let t = num / den;
    // 0/0 -> 0 and inf/inf -> 1.
    let eq = ax == ay;
    let t = if eq {
        if ax == 0.0 {
            0.0
        } else {
            1.0
        }
    } else {
        t
    };
    let a = atan_poly(t);
    let a = if ay > ax { PIO2 - a } else { a };
    let a = if x.is_sign_negative() {
        std::f64::consts::PI - a
    } else {
        a
    };
    (a as f32).copysign(y)
}
