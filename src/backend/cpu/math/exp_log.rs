//! Exponentials and logarithms: `exp`, `exp2`, `expm1`, `log`, `log2`,
//! `log10`, `log1p` in `f32`, and `exp`, `expm1`, `log`, `log1p` in `f64`.
//!
//! All are branch-free (selects only) so that elementwise loops vectorize.

use super::common::{fma, fma64, poly32, poly64, pow2i, pow2i64, round64_i32, round_i32};

const LOG2E: f32 = std::f32::consts::LOG2_E;
/// `ln 2` split so that `n * LN2_HI` is exact for `|n| < 2^15`.
const LN2_HI: f32 = 0.693_359_4; // 0x3f318000
const LN2_LO: f32 = -2.121_944_4e-4;

/// Max error of [`exp_f32`] in ULP (tested).
pub const EXP_F32_MAX_ULP: f64 = 1.0;
/// Max error of [`exp2_f32`] in ULP (tested).
pub const EXP2_F32_MAX_ULP: f64 = 1.5;
/// Max error of [`expm1_f32`] in ULP (tested).
pub const EXPM1_F32_MAX_ULP: f64 = 1.5;
/// Max error of [`log_f32`] in ULP (tested).
pub const LOG_F32_MAX_ULP: f64 = 1.0;
/// Max error of [`log2_f32`] in ULP (tested).
pub const LOG2_F32_MAX_ULP: f64 = 1.0;
/// Max error of [`log10_f32`] in ULP (tested).
pub const LOG10_F32_MAX_ULP: f64 = 1.0;
/// Max error of [`log1p_f32`] in ULP (tested).
pub const LOG1P_F32_MAX_ULP: f64 = 1.0;
/// Max error of [`exp_f64`] in ULP, relative to the correctly rounded result
/// as approximated by `f64::exp` from std (tested).
pub const EXP_F64_MAX_ULP: f64 = 1.0;
/// Max error of [`expm1_f64`] in ULP vs `f64::exp_m1` (tested).
pub const EXPM1_F64_MAX_ULP: f64 = 2.0;
/// Max error of [`log_f64`] in ULP vs `f64::ln` (tested).
pub const LOG_F64_MAX_ULP: f64 = 1.0;
/// Max error of [`log1p_f64`] in ULP vs `f64::ln_1p` (tested).
pub const LOG1P_F64_MAX_ULP: f64 = 2.0;

/// `e^(r + c)` for `|r| <= ln2/2 (+tiny)`, `|c| <= ulp(r)`: about 2^-28
/// relative error before the final rounding.
#[inline(always)]
fn exp_poly(r: f32, c: f32) -> f32 {
    let p =
        poly32!(r; 4.999_999_4e-1, 1.666_652_1e-1, 4.166_838_9e-2, 8.368_714_7e-3, 1.381_461_5e-3);
    1.0 + (r + fma(r * r, p, c))
}

/// Reduce `x` (already clamped so that `|x * log2 e| < 2^22`) to
/// `x = n ln2 + r + c`, `|r| <= ln2/2`, with `c` the rounding error of `r`.
/// Returns `(n, r, c)`.
#[inline(always)]
fn exp_reduce(x: f32) -> (i32, f32, f32) {
    let (nf, n) = round_i32(x * LOG2E);
    let hi = fma(nf, -LN2_HI, x); // exact
    let lo = nf * LN2_LO;
    let r = hi - lo;
    (n, r, (hi - r) - lo)
}

/// Multiply `p` by `2^n` for `-300 < n < 300`, with one rounding at the end
/// (so subnormal results are correctly rounded from `p`), overflowing to inf.
#[inline(always)]
fn scale2(p: f32, n: i32) -> f32 {
    let n1 = n >> 1;
    let n2 = n.wrapping_sub(n1);
    p * pow2i(n1) * pow2i(n2)
}

/// `e^x` for `-87 < x < 88` (NaN propagates; no overflow or subnormal
/// handling): one scaling multiply. Same accuracy as [`exp_f32`].
#[inline(always)]
pub(crate) fn exp_core(x: f32) -> f32 {
    let (n, r, c) = exp_reduce(x);
    exp_poly(r, c) * pow2i(n)
}

/// `e^x`. Max error 1 ULP over all `f32` (tested). Subnormal results are
/// produced (not flushed); overflow gives `+inf`, `exp(-inf) = 0`.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    // Clamp without touching NaN (comparisons with NaN are false).
    let xc = if x > 89.0 { 89.0 } else { x };
    let xc = if xc < -104.0 { -104.0 } else { xc };
    let (n, r, c) = exp_reduce(xc);
    scale2(exp_poly(r, c), n)
}

/// `2^x`. Max error 1.5 ULP over all `f32` (tested); exact for integer `x`.
#[inline(always)]
pub fn exp2_f32(x: f32) -> f32 {
    let xc = if x > 129.0 { 129.0 } else { x };
    let xc = if xc < -151.0 { -151.0 } else { xc };
    let (nf, n) = round_i32(xc);
    let r = xc - nf; // exact
    let q = poly32!(r; 6.931_471_8e-1, 2.402_264_8e-1, 5.550_332_4e-2, 9.618_437_8e-3, 1.339_888_3e-3, 1.535_336_9e-4);
    scale2(1.0 + r * q, n)
}

/// `e^r - 1` for `|r| <= 0.56`, about 2^-31 relative error.
#[inline(always)]
fn expm1_poly(r: f32) -> f32 {
    let p = poly32!(r; 1.666_666_9e-1, 4.166_666e-2, 8.333_045e-3, 1.388_929_4e-3, 2.000_459_2e-4, 2.481_895_7e-5);
    let r2 = r * r;
    r + (0.5 * r2 + r2 * r * p)
}

/// `e^x - 1`, accurate near 0. Max error 1.5 ULP over all `f32` (tested).
/// `expm1(-0) = -0`, `expm1(-inf) = -1`.
#[inline(always)]
pub fn expm1_f32(x: f32) -> f32 {
    let xc = if x > 89.0 { 89.0 } else { x };
    let xc = if xc < -30.0 { -30.0 } else { xc };
    let (nf, n) = round_i32(xc * LOG2E);
    // No reduction for |x| < 0.55: avoids the 2 (e^r - 1) + 1 error
    // amplification of n = 1 near ln2/2.
    let direct = xc.abs() < 0.55;
    let nf = if direct { 0.0 } else { nf };
    let n = if direct { 0 } else { n };
    let r = fma(nf, -LN2_LO, fma(nf, -LN2_HI, xc));
    let em = expm1_poly(r);
    // 2^n * (e^r - 1) + (2^n - 1), with n <= 126 so that 2^n is finite.
    let nc = if n > 126 { 126 } else { n };
    let t = pow2i(nc);
    let small = fma(t, em, t - 1.0);
    // For n >= 127: (e^r) * 2^(n-1) * 2 (the -1 is far below an ULP).
    let big = (em + 1.0) * pow2i(n.wrapping_sub(1)) * 2.0;
    let res = if n > 126 { big } else { small };
    if xc == 0.0 {
        x
    } else {
        res
    }
}

/// Reduce a positive normal `x` to `x = 2^e * m`, `m` in `[sqrt(1/2), sqrt(2))`.
/// Returns `(e, m - 1)`; the subtraction is exact.
#[inline(always)]
fn log_reduce(x: f32) -> (i32, f32) {
    let ix = (x.to_bits() as i32).wrapping_sub(0x3f35_04f3);
    let e = ix >> 23;
    let m = f32::from_bits(((ix & 0x007f_ffff).wrapping_add(0x3f35_04f3)) as u32);
    (e, m - 1.0)
}

/// `log(1 + f) - f + f^2/2` pieces for `f` in `[sqrt(1/2) - 1, sqrt(2) - 1]`:
/// returns `(hfsq, s * (hfsq + R))` so that
/// `log(1 + f) = f - hfsq + s * (hfsq + R)`.
#[inline(always)]
fn log1p_kernel(f: f32) -> (f32, f32) {
    let s = f / (2.0 + f);
    let z = s * s;
    let r = z * poly32!(z; 6.666_677_6e-1, 3.997_757e-1, 2.987_103e-1);
    let hfsq = 0.5 * f * f;
    (hfsq, s * (hfsq + r))
}

/// Scale a subnormal (or zero) `x` into the normal range; returns the
/// scaled value and the exponent adjustment.
#[inline(always)]
fn normalize(x: f32) -> (f32, i32) {
    let sub = x < f32::MIN_POSITIVE;
    let xs = if sub { x * 8_388_608.0 } else { x };
    (xs, if sub { -23 } else { 0 })
}

/// Special values shared by the logarithms: `log(0) = -inf`,
/// `log(x < 0) = NaN`, `log(inf) = inf`, NaN propagates.
#[inline(always)]
fn log_specials(x: f32, res: f32) -> f32 {
    let res = if x == f32::INFINITY { x } else { res };
    let res = if x == 0.0 { f32::NEG_INFINITY } else { res };
    if x >= 0.0 {
        res
    } else {
        f32::NAN
    }
}

/// Natural logarithm. Max error 1 ULP over all `f32` (tested).
#[inline(always)]
pub fn log_f32(x: f32) -> f32 {
    let (xs, eadj) = normalize(x);
    let (e, f) = log_reduce(xs);
    let dk = e.wrapping_add(eadj) as f32;
    let (hfsq, sr) = log1p_kernel(f);
    let res = fma(dk, LN2_HI, -((hfsq - fma(dk, LN2_LO, sr)) - f));
    log_specials(x, res)
}

/// Split `log(1 + f) = hi + lo` with `hi` having at most 12 significant bits
/// (so products with 12-bit constants are exact).
#[inline(always)]
fn log_hi_lo(f: f32) -> (f32, f32) {
    let (hfsq, sr) = log1p_kernel(f);
    let hi = f - hfsq;
    let hi = f32::from_bits(hi.to_bits() & 0xffff_f000);
    let lo = (f - hi) - hfsq + sr;
    (hi, lo)
}

/// Base-2 logarithm. Max error 1 ULP over all `f32` (tested); exact for
/// powers of two.
#[inline(always)]
pub fn log2_f32(x: f32) -> f32 {
    const IVLN2_HI: f32 = 1.442_382_8; // 12 bits
    const IVLN2_LO: f32 = 3.122_284e-4;
    let (xs, eadj) = normalize(x);
    let (e, f) = log_reduce(xs);
    let dk = e.wrapping_add(eadj) as f32;
    let (hi, lo) = log_hi_lo(f);
    let val_hi = hi * IVLN2_HI; // exact
    let val_lo = fma(lo + hi, IVLN2_LO, lo * IVLN2_HI);
    // Fast two-sum of dk + val_hi (|dk| >= |val_hi| unless dk == 0).
    let w = dk + val_hi;
    let val_lo = val_lo + ((dk - w) + val_hi);
    log_specials(x, val_lo + w)
}

/// Base-10 logarithm. Max error 1 ULP over all `f32` (tested).
#[inline(always)]
pub fn log10_f32(x: f32) -> f32 {
    const IVLN10_HI: f32 = 0.434_204_1; // 12 bits
    const IVLN10_LO: f32 = 9.038_034e-5;
    const LOG10_2_HI: f32 = 0.301_025_4; // 12 bits
    const LOG10_2_LO: f32 = 4.605_039e-6;
    let (xs, eadj) = normalize(x);
    let (e, f) = log_reduce(xs);
    let dk = e.wrapping_add(eadj) as f32;
    let (hi, lo) = log_hi_lo(f);
    let y_hi = dk * LOG10_2_HI; // exact
    let val_hi = hi * IVLN10_HI; // exact
    let val_lo = fma(dk, LOG10_2_LO, fma(lo + hi, IVLN10_LO, lo * IVLN10_HI));
    let w = y_hi + val_hi;
    // Fast two-sum needs |y_hi| >= |val_hi| or y_hi == 0: |val_hi| <= 0.16,
    // and |y_hi| >= 0.3 when dk != 0.
    let val_lo = val_lo + ((y_hi - w) + val_hi);
    log_specials(x, val_lo + w)
}

/// `ln(1 + x)`, accurate near 0. Max error 1 ULP over all `f32` (tested).
/// `log1p(-1) = -inf`, `log1p(x < -1) = NaN`, `log1p(-0) = -0`.
#[inline(always)]
pub fn log1p_f32(x: f32) -> f32 {
    let u = 1.0 + x;
    let (e, f) = log_reduce(u);
    // When e == 0, 1 + x lies in [sqrt(1/2), sqrt(2)) and f = x exactly.
    let e0 = e == 0;
    let f = if e0 { x } else { f };
    // Rounding error of u = 1 + x: 1 + x = u + c (exact for the chosen form).
    let c = if u >= 2.0 {
        1.0 - (u - x)
    } else {
        x - (u - 1.0)
    };
    // log(u + c) ~ log(u) + c/u; c/u = c * 2^-e / m with 1/m ~ 1 - f + f^2
    // (only a few correct bits are needed: |c/u| < 2^-23 |result|).
    let ec = if e > 126 { 126 } else { e };
    let corr = c * pow2i(ec.wrapping_neg()) * fma(f, f - 1.0, 1.0);
    let corr = if e0 { 0.0 } else { corr };
    let dk = e as f32;
    let (hfsq, sr) = log1p_kernel(f);
    let res = fma(dk, LN2_HI, -((hfsq - (sr + fma(dk, LN2_LO, corr))) - f));
    let res = if x == 0.0 { x } else { res };
    log_specials(u, res)
}

// ---------------------------------------------------------------------------
// f64
// ---------------------------------------------------------------------------

const LOG2E64: f64 = std::f64::consts::LOG2_E;
/// fdlibm's split of ln 2: `n * LN2_HI64` is exact for `|n| < 2^20`.
const LN2_HI64: f64 = 6.931_471_803_691_238_164_90e-1;
const LN2_LO64: f64 = 1.908_214_929_270_587_700_02e-10;

/// `e^r - 1 - r` for `|r| <= ln2/2`, about 2^-64 relative to `e^r`.
#[inline(always)]
fn exp64_tail(r: f64) -> f64 {
    let p = poly64!(r;
        5.000_000_000_000_000_00e-1,
        1.666_666_666_666_668_24e-1,
        4.166_666_666_666_609_54e-2,
        8.333_333_333_317_042_43e-3,
        1.388_888_888_911_549_85e-3,
        1.984_126_989_636_115_42e-4,
        2.480_158_692_679_849_21e-5,
        2.755_723_488_529_433_93e-6,
        2.755_758_176_695_700_72e-7,
        2.511_202_846_952_731_57e-8,
        2.082_663_661_814_577_52e-9);
    r * r * p
}

/// `x = n ln2 + (r + rc)` with `r` rounded and `rc` its rounding error.
#[inline(always)]
fn exp64_reduce(x: f64) -> (i32, f64, f64) {
    let (nf, n) = round64_i32(x * LOG2E64);
    let hi = fma64(nf, -LN2_HI64, x); // exact
    let lo = nf * LN2_LO64;
    let r = hi - lo;
    let rc = (hi - r) - lo;
    (n, r, rc)
}

/// `e^x` in `f64`. Max error 1 ULP (tested against std on ~1e6 random
/// inputs and special values; typically < 0.52 ULP). Subnormal results are
/// produced; overflow gives inf.
#[inline(always)]
pub fn exp_f64(x: f64) -> f64 {
    let xc = if x > 710.0 { 710.0 } else { x };
    let xc = if xc < -746.0 { -746.0 } else { xc };
    let (n, r, rc) = exp64_reduce(xc);
    // e^(r+rc) = 1 + r + rc + tail(r) (rc * r is below 2^-60).
    let p = 1.0 + (r + (rc + exp64_tail(r)));
    let n1 = n >> 1;
    let n2 = n.wrapping_sub(n1);
    p * pow2i64(n1) * pow2i64(n2)
}

/// `e^r - 1` for `|r| <= 0.56`, about 2^-64 relative error.
#[inline(always)]
fn expm1_64_poly(r: f64) -> f64 {
    let p = poly64!(r;
        1.666_666_666_666_666_57e-1,
        4.166_666_666_666_667_13e-2,
        8.333_333_333_333_674_96e-3,
        1.388_888_888_888_656_06e-3,
        1.984_126_984_053_911_88e-4,
        2.480_158_730_432_422_43e-5,
        2.755_731_993_272_944_56e-6,
        2.755_731_783_413_128_39e-7,
        2.505_176_320_222_561_44e-8,
        2.087_703_216_326_734_10e-9,
        1.614_138_143_409_336_11e-10,
        1.147_238_642_610_017_33e-11);
    let r2 = r * r;
    r + (0.5 * r2 + r2 * r * p)
}

/// `e^x - 1` in `f64`. Max error 2 ULP vs std (tested). `expm1(-0) = -0`.
#[inline(always)]
pub fn expm1_f64(x: f64) -> f64 {
    let xc = if x > 710.0 { 710.0 } else { x };
    let xc = if xc < -40.0 { -40.0 } else { xc };
    let (n, r, rc) = exp64_reduce(xc);
    // No reduction for |x| < 0.55 (see `expm1_f32`).
    let direct = xc.abs() < 0.55;
    let n = if direct { 0 } else { n };
    let r = if direct { xc } else { r };
    let rc = if direct { 0.0 } else { rc };
    let em = expm1_64_poly(r);
    // d/dr (e^r - 1) = e^r = 1 + em.
    let em = em + fma64(rc, em, rc);
    let nc = if n > 1022 { 1022 } else { n };
    let t = pow2i64(nc);
    let small = fma64(t, em, t - 1.0);
    let big = (em + 1.0) * pow2i64(n.wrapping_sub(1)) * 2.0;
    let res = if n > 1022 { big } else { small };
    if xc == 0.0 {
        x
    } else {
        res
    }
}

/// `(e, m - 1)` with `x = 2^e m`, `m` in `[sqrt(1/2), sqrt(2))`, for positive
/// normal `x` (any other input gives unspecified finite values).
#[inline(always)]
fn log64_reduce(x: f64) -> (i32, f64) {
    const OFF: u64 = 0x3fe6_a09e_667f_3bcd;
    let ix = x.to_bits().wrapping_add(0x3ff0_0000_0000_0000 - OFF);
    let e = ((ix >> 52) as i32).wrapping_sub(0x3ff);
    let m = f64::from_bits((ix & 0x000f_ffff_ffff_ffff).wrapping_add(OFF));
    (e, m - 1.0)
}

/// `(hfsq, s * (hfsq + R))` with `log(1 + f) = f - hfsq + s * (hfsq + R)`.
#[inline(always)]
fn log1p64_kernel(f: f64) -> (f64, f64) {
    let s = f / (2.0 + f);
    let z = s * s;
    let r = z * poly64!(z;
        6.666_666_666_666_734_02e-1,
        3.999_999_999_941_630_80e-1,
        2.857_142_874_203_270_07e-1,
        2.222_219_860_873_475_01e-1,
        1.818_356_252_523_966_32e-1,
        1.531_409_543_737_785_32e-1,
        1.479_551_222_620_365_81e-1);
    let hfsq = 0.5 * f * f;
    (hfsq, s * (hfsq + r))
}

#[inline(always)]
fn log64_specials(x: f64, res: f64) -> f64 {
    let res = if x == f64::INFINITY { x } else { res };
    let res = if x == 0.0 { f64::NEG_INFINITY } else { res };
    if x >= 0.0 {
        res
    } else {
        f64::NAN
    }
}

/// Natural logarithm in `f64`. Max error 1 ULP vs std (tested).
#[inline(always)]
pub fn log_f64(x: f64) -> f64 {
    let sub = x < f64::MIN_POSITIVE;
    let xs = if sub { x * 18_014_398_509_481_984.0 } else { x }; // 2^54
    let (e, f) = log64_reduce(xs);
    let dk = (e.wrapping_add(if sub { -54 } else { 0 })) as f64;
    let (hfsq, sr) = log1p64_kernel(f);
    let res = fma64(dk, LN2_HI64, -((hfsq - fma64(dk, LN2_LO64, sr)) - f));
    log64_specials(x, res)
}

/// `ln(1 + x)` in `f64`. Max error 2 ULP vs std (tested).
/// `log1p(-1) = -inf`, `log1p(x < -1) = NaN`, `log1p(-0) = -0`.
#[inline(always)]
pub fn log1p_f64(x: f64) -> f64 {
    let u = 1.0 + x;
    let (e, f) = log64_reduce(u);
    let e0 = e == 0;
    let f = if e0 { x } else { f };
    let c = if u >= 2.0 {
        1.0 - (u - x)
    } else {
        x - (u - 1.0)
    };
    let ec = if e > 1022 { 1022 } else { e };
    let corr = c * pow2i64(ec.wrapping_neg()) * fma64(f, f - 1.0, 1.0);
    let corr = if e0 { 0.0 } else { corr };
    let dk = e as f64;
    let (hfsq, sr) = log1p64_kernel(f);
    let res = fma64(
        dk,
        LN2_HI64,
        -((hfsq - (sr + fma64(dk, LN2_LO64, corr))) - f),
    );
    let res = if x == 0.0 { x } else { res };
    log64_specials(u, res)
}

/// `e^x` in `f64` with about 2^-34 relative error (for `f32` results).
/// Any `x` (NaN propagates); results are clamped to `[e^-700, e^700]`
/// before the final rounding to `f32` by the caller.
#[inline(always)]
pub(crate) fn exp_lite64(x: f64) -> f64 {
    let xc = if x > 700.0 { 700.0 } else { x };
    let xc = if xc < -700.0 { -700.0 } else { xc };
    let (nf, n) = round64_i32(xc * LOG2E64);
    let r = fma64(nf, -LN2_LO64, fma64(nf, -LN2_HI64, xc));
    let p = poly64!(r;
        5.000_000_067_671_376_28e-1,
        1.666_666_586_926_489_34e-1,
        4.166_629_499_506_344_79e-2,
        8.333_497_004_623_652_63e-3,
        1.394_465_565_958_975_11e-3,
        1.979_037_377_183_021_15e-4);
    (1.0 + (r + r * r * p)) * pow2i64(n)
}
