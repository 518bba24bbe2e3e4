//! `cbrt`, `pow`, `erf` and the logistic sigmoid.

use super::common::{fma, fma64, poly32, poly64, pow2i};
use super::exp_log::{exp_core, exp_f32, exp_f64, exp_lite64, log_f64};

/// Max error of [`cbrt_f32`] in ULP (tested).
pub const CBRT_F32_MAX_ULP: f64 = 1.0;
/// Max error of [`pow_f32`] in ULP (tested).
pub const POW_F32_MAX_ULP: f64 = 1.0;
/// Max error of [`erf_f32`] in ULP (tested).
pub const ERF_F32_MAX_ULP: f64 = 1.5;
/// Max error of [`logistic_f32`] in ULP (tested).
pub const LOGISTIC_F32_MAX_ULP: f64 = 2.0;
/// Max error of [`erf_f64`] in ULP (tested against a series reference).
pub const ERF_F64_MAX_ULP: f64 = 2.0;

/// Cube root. Max error 1 ULP over all `f32` (tested; computed in `f64`).
/// `cbrt(-x) = -cbrt(x)`, `+-0`, `+-inf` and NaN are returned unchanged.
#[inline(always)]
pub fn cbrt_f32(x: f32) -> f32 {
    let ax = x.abs();
    let sub = ax < f32::MIN_POSITIVE;
    let xs = if sub { ax * 16_777_216.0 } else { ax }; // 2^24 = (2^8)^3
    let bits = xs.to_bits() as i32;
    let e = (bits >> 23).wrapping_sub(127); // -126..=127
                                            // q = floor(e / 3) via a multiply (exact for 0 <= e + 129 < 2^15).
    let q = ((e.wrapping_add(129)).wrapping_mul(21_846) >> 16).wrapping_sub(43);
    let rem = e.wrapping_sub(q.wrapping_mul(3)); // 0, 1 or 2
    let m = f32::from_bits(((bits & 0x007f_ffff) | 0x3f80_0000) as u32) as f64; // [1, 2)
                                                                                // y ~ m^(-1/3): quadratic start (2^-9) and two Newton steps (2^-33).
    let y = poly64!(m; 1.388_160_895_346_236_10, -4.833_255_522_991_288_80e-1, 9.339_818_112_334_881_41e-2);
    let y = y * (4.0 - m * (y * y * y)) * (1.0 / 3.0);
    let y = y * (4.0 - m * (y * y * y)) * (1.0 / 3.0);
    let cm = m * (y * y); // cbrt(m)
    let scale = if rem == 0 {
        1.0
    } else if rem == 1 {
        1.259_921_049_894_873_2
    } else {
        1.587_401_051_968_199_7
    };
    let q = if sub { q.wrapping_sub(8) } else { q };
    let r = ((cm * scale) as f32) * pow2i(q);
    let r = r.copysign(x);
    if ax == 0.0 || !ax.is_finite() {
        x
    } else {
        r
    }
}

/// `x^y` with C99 / NumPy semantics: `pow(x, +-0) = 1` (even for NaN `x`),
/// `pow(1, y) = 1` (even for NaN `y`), `pow(-1, +-inf) = 1`, negative finite
/// `x` with non-integer `y` gives NaN, negative `x` with odd integer `y`
/// gives a negative result, signed zeros and infinities as in C.
/// Max error 1 ULP (tested; computed as `exp(y * ln|x|)` in `f64`).
#[inline(always)]
pub fn pow_f32(x: f32, y: f32) -> f32 {
    let l = log_f64((x as f64).abs()); // -inf for 0, inf for inf
    let mag = exp_lite64((y as f64) * l) as f32;
    // Integer-ness and parity of y (all |y| >= 2^23 are integers, those
    // >= 2^24 even).
    let ay = y.abs();
    let t = ay + 8_388_608.0; // 2^23: rounds ay to an integer when ay < 2^23
    let y_int = if ay < 8_388_608.0 {
        t - 8_388_608.0 == ay
    } else {
        ay >= 8_388_608.0
    };
    let pbits = if ay < 8_388_608.0 {
        t.to_bits()
    } else if ay < 16_777_216.0 {
        ay.to_bits()
    } else {
        0
    };
    let y_odd = y_int && (pbits & 1) != 0;
    let r = if x.is_sign_negative() && y_odd {
        -mag
    } else {
        mag
    };
    let r = if x < 0.0 && x > f32::NEG_INFINITY && !y_int {
        f32::NAN
    } else {
        r
    };
    let r = if x == -1.0 && ay == f32::INFINITY {
        1.0
    } else {
        r
    };
    if x == 1.0 || y == 0.0 {
        1.0
    } else {
        r
    }
}

/// `erfc(x) * e^(x^2)` on `[1, 3.95]`, in powers of `x - 2.5`.
#[inline(always)]
fn erfcx_poly(x: f32) -> f32 {
    let t = x - 2.5;
    poly32!(t; 2.108_076_1e-1, -7.434_218_4e-2, 2.491_461_9e-2, -8.132_269_6e-3,
        2.302_497_4e-3, -6.610_896e-4, 5.433_655e-4, 2.250_875_6e-4, 1.068_480_7e-4)
}

/// Error function. Max error 1.5 ULP over all `f32` (tested).
/// `erf(+-0) = +-0`, `erf(+-inf) = +-1`.
#[inline(always)]
pub fn erf_f32(x: f32) -> f32 {
    let a = x.abs();
    // |x| < 1: erf(x) = x + x * (2/sqrt(pi) - 1 + z P(z)).
    let z = a * a;
    let p = poly32!(z; -3.761_262_9e-1, 1.128_361_7e-1, -2.685_491_6e-2, 5.190_160_6e-3,
        -8.024_799e-4, 7.898_623e-5);
    let small = fma(a, fma(z, p, 0.128_379_17), a);
    // 1 <= |x| < 3.95: 1 - e^(-x^2) * erfcx(x); erf rounds to 1 above ~3.92.
    let ac = if a > 3.95 { 3.95 } else { a };
    let big = 1.0 - exp_core(-(ac * ac)) * erfcx_poly(ac);
    let r = if a < 1.0 { small } else { big };
    r.copysign(x)
}

/// Logistic sigmoid `1 / (1 + e^-x)`. Max error 2 ULP over all `f32`
/// (tested); tiny results for very negative `x` are computed as
/// `e^x / (1 + e^x)`, so they keep full relative accuracy down to the
/// subnormal range.
#[inline(always)]
pub fn logistic_f32(x: f32) -> f32 {
    let e = exp_f32(-x.abs());
    let s = 1.0 + e;
    let err = (1.0 - s) + e; // 1 + e = s + err exactly
    let neg = x < 0.0;
    let q = (if neg { e } else { 1.0 }) / s;
    // num / (s + err) ~ q (1 - err / s), and 1/s is q (x >= 0) or 1 - q.
    let inv_s = if neg { 1.0 - q } else { q };
    fma(-q * err, inv_s, q)
}

/// Error function in `f64`, branch-free. Max error 2 ULP (tested against a
/// double-double series). `erf(+-0) = +-0`, `erf(+-inf) = +-1`.
///
/// For `1 <= |x| < 6` the coefficients come from a 5-row table indexed by
/// `floor(|x|)`, which vectorizes with gathers (AVX2/AVX-512) or scalar
/// loads (SSE2); `f64` erf is not on a hot path.
#[inline(always)]
pub fn erf_f64(x: f64) -> f64 {
    let a = x.abs();
    let z = a * a;
    let s = &ERF64_SMALL;
    let p = poly64!(z; s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11]);
    // |x| < 1: x * (2/sqrt(pi) + z P(z)), written as x + x (2/sqrt(pi) - 1 + z P).
    let small = fma64(a, fma64(z, p, 0.128_379_167_095_512_57), a);
    // 1 <= |x| < 6: 1 - e^(-x^2) * erfcx(x); erf rounds to 1 above ~5.92.
    let ac = if a > 5.99 { 5.99 } else { a };
    let ac = if ac < 1.0 { 1.0 } else { ac };
    let i = ((ac as i32).wrapping_sub(1) as usize).min(4);
    let c = &ERFCX64[i];
    let t = ac - (i as f64 + 1.5);
    let q = poly64!(t; c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11],
        c[12], c[13], c[14], c[15]);
    let big = 1.0 - exp_f64(-(ac * ac)) * q;
    let r = if a < 1.0 { small } else { big };
    let r = if a >= 5.99 { 1.0 } else { r };
    // NaN propagates (the selects above would turn it into 1).
    let r = if a.is_nan() { a } else { r };
    r.copysign(x)
}

/// `erfc(x) e^(x^2)` on `[i+1, i+2]` in powers of `x - (i + 1.5)`.
const ERFCX64: [[f64; 16]; 5] = [
    [
        3.21585416454317485e-01,
        -1.63622917732559880e-01,
        7.61510398554777757e-02,
        -3.29309052995965593e-02,
        1.33773409529909168e-02,
        -5.14595754634410325e-03,
        1.88613488072702606e-03,
        -6.61930100888031571e-04,
        2.23309868367636301e-04,
        -7.26585523748596871e-05,
        2.28650960160670509e-05,
        -6.97713096756665389e-06,
        2.06270616298828064e-06,
        -5.89569627975270005e-07,
        1.79193520725333863e-07,
        -5.49983168147366285e-08,
    ],
    [
        2.10806364061143586e-01,
        -7.43473467897946272e-02,
        2.49379970866575318e-02,
        -8.00156938210630844e-03,
        2.46703681564345700e-03,
        -7.33590937021884565e-04,
        2.11019826087101075e-04,
        -5.88689651642514987e-05,
        1.59618280015508734e-05,
        -4.21430876611627758e-06,
        1.08539681457812826e-06,
        -2.72797217368829615e-07,
        6.65455796680782854e-08,
        -1.68052755781529415e-08,
        4.66343858174754773e-09,
        0.0,
    ],
    [
        1.55293655608894743e-01,
        -4.13235778332547571e-02,
        1.06611331923536553e-02,
        -2.67307444005718698e-03,
        6.52686333491039232e-04,
        -1.55468892463303857e-04,
        3.61816299327296002e-05,
        -8.23838370012851049e-06,
        1.83734639017976253e-06,
        -3.99482942161101596e-07,
        8.73337354291050229e-08,
        -2.26056574525278423e-08,
        0.0,
        0.0,
        0.0,
        0.0,
    ],
    [
        1.22484804273838788e-01,
        -2.60159286305273463e-02,
        5.41312543878434433e-03,
        -1.10457612658066882e-03,
        2.21266270926707926e-04,
        -4.35511206307283375e-05,
        8.43080622673666472e-06,
        -1.60088545982581252e-06,
        2.99779439552461442e-07,
        -6.99949771387118443e-08,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
    ],
    [
        1.00962218397830095e-01,
        -1.77947647423743749e-02,
        3.09101243117919887e-03,
        -5.29462214554627503e-04,
        8.94903285137056578e-05,
        -1.49181063140014512e-05,
        2.41756999859687633e-06,
        -5.07973146104091500e-07,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
    ],
];

const ERF64_SMALL: [f64; 12] = [
    -3.76126389031837483e-01,
    1.12837916709549083e-01,
    -2.68661706450801438e-02,
    5.22397762483879820e-03,
    -8.54832698159810269e-04,
    1.20553311287956467e-04,
    -1.49255954936693055e-05,
    1.64610019057353538e-06,
    -1.63503097718894266e-07,
    1.46596609798686355e-08,
    -1.13721169984671409e-09,
    5.95554424139910152e-11,
];
