//! Accuracy sweeps and special values.
//!
//! Unary `f32` functions are checked on every `STRIDE`-th bit pattern of the
//! whole `f32` range (both signs, NaNs and infinities included), plus special
//! values and hard cases; the error is measured against the `f64` std
//! function of the widened input, in `f32` ULP at the reference. Set
//! `JAXIDE_MATH_STRIDE=1` for an exhaustive run.

use super::common::USE_FMA;
use super::*;

/// Bit-pattern stride of the sweeps: about 2.1M inputs per function when
/// optimized, about 260k with debug assertions (the project's test profile).
fn stride() -> u64 {
    if let Ok(s) = std::env::var("JAXIDE_MATH_STRIDE") {
        return s.parse().expect("JAXIDE_MATH_STRIDE");
    }
    if cfg!(debug_assertions) {
        16_411
    } else {
        2039
    }
}

/// ULP of `f32` at the magnitude of `r` (in `r`'s binade; `2^-149` below
/// the normal range).
fn ulp32(r: f64) -> f64 {
    let a = r.abs();
    if a < f32::MIN_POSITIVE as f64 {
        return 2f64.powi(-149);
    }
    let e = ((a.to_bits() >> 52) as i32) - 1023;
    2f64.powi(e.min(127) - 23)
}

/// Error of `got` against the reference `r` in `f32` ULP (`inf` for a
/// NaN mismatch).
fn err32(got: f32, r: f64) -> f64 {
    if r.is_nan() || got.is_nan() {
        return if r.is_nan() && got.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    let rf = r as f32;
    if got == rf {
        return 0.0;
    }
    if rf.is_infinite() || got.is_infinite() {
        // Treat inf as 2^128 so that rounding at the overflow edge is fair.
        let g = if got.is_infinite() {
            2f64.powi(128).copysign(got as f64)
        } else {
            got as f64
        };
        let rr = r.clamp(-(2f64.powi(128)), 2f64.powi(128));
        return (g - rr).abs() / ulp32(rr);
    }
    if got == 0.0 && r == 0.0 && got.is_sign_negative() != r.is_sign_negative() {
        return f64::INFINITY; // wrong sign of zero
    }
    (got as f64 - r).abs() / ulp32(r)
}

struct Worst {
    err: f64,
    x: f32,
    y: f32,
    got: f32,
    want: f64,
}

impl Worst {
    fn new() -> Self {
        Worst {
            err: 0.0,
            x: 0.0,
            y: 0.0,
            got: 0.0,
            want: 0.0,
        }
    }
    fn add(&mut self, x: f32, y: f32, got: f32, want: f64) {
        let e = err32(got, want);
        if e > self.err || (e.is_nan() && !self.err.is_nan()) {
            *self = Worst {
                err: e,
                x,
                y,
                got,
                want,
            };
        }
    }
    fn check(&self, name: &str, bound: f64) {
        eprintln!(
            "{name:>10}: max {:.3} ULP (bound {bound}) at x={:e} ({:#010x}) y={:e}: got {:e} want {:e}",
            self.err,
            self.x,
            self.x.to_bits(),
            self.y,
            self.got,
            self.want
        );
        assert!(
            self.err <= bound,
            "{name}: {:.3} ULP > {bound} at x={:e} ({:#010x}) y={:e}: got {:e} want {:e}",
            self.err,
            self.x,
            self.x.to_bits(),
            self.y,
            self.got,
            self.want
        );
    }
}

fn specials32() -> Vec<f32> {
    let mut v = vec![
        0.0,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        -f32::NAN,
        f32::MIN_POSITIVE,
        f32::MAX,
        f32::EPSILON,
        1.0,
        -1.0,
        0.5,
        2.0,
        1e-45,
        1e-40,
        f32::from_bits(1),
        f32::from_bits(0x007f_ffff),
        std::f32::consts::PI,
        std::f32::consts::FRAC_PI_2,
        std::f32::consts::FRAC_PI_4,
        88.72283,
        88.72284,
        -87.33654,
        -103.97208,
        -103.97209,
        -104.0,
        89.41599,
        9.010913,
        0.625,
        3.92,
        0.55,
        16_777_216.0,
        33_554_432.0,
        1e5,
        1e6,
        1e7,
        1e10,
        1e20,
        1e30,
        f32::MAX / 2.0,
    ];
    // Near multiples of pi/2 (hard cases for the reduction).
    for k in 1..2000 {
        let t = (k as f64) * std::f64::consts::FRAC_PI_2;
        let f = t as f32;
        v.extend([
            f,
            f32::from_bits(f.to_bits() + 1),
            f32::from_bits(f.to_bits() - 1),
        ]);
    }
    // Known hard f32 arguments for sin/cos reduction.
    v.extend([
        f32::from_bits(0x5922_aa80), // 2.8E+15, extremely close to a multiple of pi/2
        f32::from_bits(0x6a1d_9a7d),
        f32::from_bits(0x4b09_cc5b),
        f32::from_bits(0x7e41_3c5a),
        f32::from_bits(0x4ec6_8be0),
        f32::from_bits(0x6a93_3d27),
    ]);
    // Small integers and halves (pow, exp2).
    for k in -300..300 {
        v.push(k as f32 * 0.5);
    }
    let n = v.len();
    for i in 0..n {
        v.push(-v[i]);
    }
    v
}

/// Sweep `f` over the strided `f32` bit patterns and the special values.
fn sweep(name: &str, bound: f64, f: impl Fn(f32) -> f32, r: impl Fn(f64) -> f64) {
    let s = stride();
    let mut w = Worst::new();
    let mut b = 0u64;
    while b < (1u64 << 32) {
        let x = f32::from_bits(b as u32);
        w.add(x, 0.0, f(x), r(x as f64));
        b += s;
    }
    for x in specials32() {
        w.add(x, 0.0, f(x), r(x as f64));
    }
    w.check(name, bound);
}

/// Like [`sweep`] but also densely over `[lo, hi]` (every `n`-th pattern).
fn sweep_range(
    name: &str,
    bound: f64,
    lo: f32,
    hi: f32,
    f: impl Fn(f32) -> f32,
    r: impl Fn(f64) -> f64,
) {
    let mut w = Worst::new();
    let n = (stride() / 64).max(1) as u32;
    for (a, c) in [(lo, hi), (-hi, -lo)] {
        let (mut ba, bb) = if a >= 0.0 {
            (a.to_bits(), c.to_bits())
        } else {
            (c.to_bits() | 0x8000_0000, a.to_bits())
        };
        // Walk the bit patterns; for negatives magnitude increases with bits.
        while ba <= bb {
            let x = f32::from_bits(ba);
            w.add(x, 0.0, f(x), r(x as f64));
            ba = match ba.checked_add(n) {
                Some(v) => v,
                None => break,
            };
        }
    }
    w.check(&format!("{name}[range]"), bound);
}

fn logistic_ref(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `erf` in `f64` arithmetic, accurate to ~2^-47 (enough for `f32` tests).
fn erf_ref(x: f64) -> f64 {
    let a = x.abs();
    let r = if a.is_nan() {
        return x;
    } else if a < 2.0 {
        // Taylor series.
        let z = a * a;
        let mut term = a;
        let mut sum = a;
        let mut n = 0.0;
        loop {
            n += 1.0;
            term *= -z / n;
            let t = term / (2.0 * n + 1.0);
            sum += t;
            if t.abs() <= 1e-18 * sum.abs() {
                break;
            }
        }
        sum * std::f64::consts::FRAC_2_SQRT_PI
    } else if a < 6.5 {
        1.0 - erfc_cf(a)
    } else {
        1.0
    };
    r.copysign(x)
}

/// `erfc(a)` for `a >= 2` by its continued fraction.
fn erfc_cf(a: f64) -> f64 {
    let mut t = a;
    for k in (1..=160).rev() {
        t = a + (k as f64 * 0.5) / t;
    }
    (-a * a).exp() / (t * std::f64::consts::PI.sqrt())
}

#[test]
fn exp_family() {
    sweep("exp", exp_log::EXP_F32_MAX_ULP, exp_f32, f64::exp);
    sweep("exp2", exp_log::EXP2_F32_MAX_ULP, exp2_f32, f64::exp2);
    sweep("expm1", exp_log::EXPM1_F32_MAX_ULP, expm1_f32, f64::exp_m1);
    sweep_range(
        "exp",
        exp_log::EXP_F32_MAX_ULP,
        1e-3,
        104.0,
        exp_f32,
        f64::exp,
    );
    sweep_range(
        "expm1",
        exp_log::EXPM1_F32_MAX_ULP,
        1e-3,
        89.0,
        expm1_f32,
        f64::exp_m1,
    );
}

#[test]
fn log_family() {
    sweep("log", exp_log::LOG_F32_MAX_ULP, log_f32, f64::ln);
    sweep("log2", exp_log::LOG2_F32_MAX_ULP, log2_f32, f64::log2);
    sweep("log10", exp_log::LOG10_F32_MAX_ULP, log10_f32, f64::log10);
    sweep("log1p", exp_log::LOG1P_F32_MAX_ULP, log1p_f32, f64::ln_1p);
    sweep_range("log", exp_log::LOG_F32_MAX_ULP, 0.5, 2.0, log_f32, f64::ln);
    sweep_range(
        "log1p",
        exp_log::LOG1P_F32_MAX_ULP,
        1e-3,
        4.0,
        log1p_f32,
        f64::ln_1p,
    );
}

/// Restrict a reference to the accurate range of the fast trig functions;
/// beyond it only boundedness is required (checked separately).
fn in_trig_range(f: fn(f64) -> f64) -> impl Fn(f64) -> f64 {
    move |x: f64| {
        if x.abs() < trig::TRIG_F32_ACCURATE_MAX as f64 || !x.is_finite() {
            f(x)
        } else {
            f64::NAN
        }
    }
}

/// Skip (map to NaN) arguments beyond the accurate range.
fn nan_beyond(f: fn(f32) -> f32) -> impl Fn(f32) -> f32 {
    move |x: f32| {
        if x.abs() < trig::TRIG_F32_ACCURATE_MAX || !x.is_finite() {
            f(x)
        } else {
            f32::NAN
        }
    }
}

#[test]
fn trig() {
    let b = trig::SINCOS_F32_MAX_ULP;
    sweep("sin", b, nan_beyond(sin_f32), in_trig_range(f64::sin));
    sweep("cos", b, nan_beyond(cos_f32), in_trig_range(f64::cos));
    sweep(
        "tan",
        trig::TAN_F32_MAX_ULP,
        nan_beyond(tan_f32),
        in_trig_range(f64::tan),
    );
    sweep("sin_full", b, sin_full_f32, f64::sin);
    sweep("cos_full", b, cos_full_f32, f64::cos);
    sweep("tan_full", trig::TAN_F32_MAX_ULP, tan_full_f32, f64::tan);
    // Beyond the accurate range the fast variants stay finite and bounded.
    let mut bits = trig::TRIG_F32_ACCURATE_MAX.to_bits();
    while bits < f32::INFINITY.to_bits() {
        for x in [f32::from_bits(bits), -f32::from_bits(bits)] {
            assert!(sin_f32(x).abs() <= 1.0 && cos_f32(x).abs() <= 1.0, "{x:e}");
            assert!(!tan_f32(x).is_nan(), "{x:e}");
        }
        bits += 997;
    }
    sweep_range("sin", trig::SINCOS_F32_MAX_ULP, 0.5, 1e6, sin_f32, f64::sin);
    sweep_range("cos", trig::SINCOS_F32_MAX_ULP, 0.5, 1e6, cos_f32, f64::cos);
}

#[test]
fn inverse_trig() {
    sweep("asin", trig::ASIN_ACOS_F32_MAX_ULP, asin_f32, f64::asin);
    sweep("acos", trig::ASIN_ACOS_F32_MAX_ULP, acos_f32, f64::acos);
    sweep("atan", trig::ATAN_F32_MAX_ULP, atan_f32, f64::atan);
}

#[test]
fn hyperbolic() {
    sweep("tanh", hyperbolic::TANH_F32_MAX_ULP, tanh_f32, f64::tanh);
    sweep_range(
        "tanh",
        hyperbolic::TANH_F32_MAX_ULP,
        1e-3,
        10.0,
        tanh_f32,
        f64::tanh,
    );
    sweep(
        "sinh",
        hyperbolic::SINH_COSH_F32_MAX_ULP,
        sinh_f32,
        f64::sinh,
    );
    sweep(
        "cosh",
        hyperbolic::SINH_COSH_F32_MAX_ULP,
        cosh_f32,
        f64::cosh,
    );
    let b = hyperbolic::ASINH_ACOSH_ATANH_F32_MAX_ULP;
    sweep("asinh", b, asinh_f32, f64::asinh);
    sweep("acosh", b, acosh_f32, f64::acosh);
    sweep("atanh", b, atanh_f32, f64::atanh);
}

#[test]
fn misc_unary() {
    sweep("cbrt", misc::CBRT_F32_MAX_ULP, cbrt_f32, f64::cbrt);
    sweep("erf", misc::ERF_F32_MAX_ULP, erf_f32, erf_ref);
    sweep_range("erf", misc::ERF_F32_MAX_ULP, 1e-3, 4.0, erf_f32, erf_ref);
    sweep(
        "logistic",
        misc::LOGISTIC_F32_MAX_ULP,
        logistic_f32,
        logistic_ref,
    );
}

/// A few hundred interesting values for two-argument sweeps.
fn grid(n: u32) -> Vec<f32> {
    let mut v: Vec<f32> = (0..n)
        .map(|i| f32::from_bits((i as u64 * (1u64 << 32) / n as u64) as u32))
        .collect();
    v.extend(specials32().into_iter().step_by(7));
    v.extend([
        0.0,
        -0.0,
        1.0,
        -1.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        0.5,
        -0.5,
        2.0,
        -2.0,
        3.0,
        -3.0,
    ]);
    v
}

#[test]
fn atan2_all() {
    let xs = grid(if cfg!(debug_assertions) { 400 } else { 1000 });
    let mut w = Worst::new();
    for &y in &xs {
        for &x in &xs {
            w.add(y, x, atan2_f32(y, x), (y as f64).atan2(x as f64));
        }
    }
    w.check("atan2", trig::ATAN_F32_MAX_ULP);
}

#[test]
fn pow_all() {
    let mut w = Worst::new();
    let xs = grid(if cfg!(debug_assertions) { 400 } else { 1000 });
    for &x in &xs {
        for &y in &xs {
            w.add(x, y, pow_f32(x, y), (x as f64).powf(y as f64));
        }
    }
    // Bases near 1 and moderate exponents (results spanning the range).
    let n = if cfg!(debug_assertions) { 300 } else { 1000 };
    for i in 0..n {
        let x = 0.5 + 1.5 * (i as f32) / (n as f32);
        let x = f32::from_bits(x.to_bits() ^ (i & 7));
        for j in 0..n {
            let y = -300.0 + 600.0 * (j as f32) / (n as f32);
            w.add(x, y, pow_f32(x, y), (x as f64).powf(y as f64));
            w.add(
                -x,
                y.round(),
                pow_f32(-x, y.round()),
                (-x as f64).powf(y.round() as f64),
            );
        }
    }
    w.check("pow", misc::POW_F32_MAX_ULP);
}

/// C99 Annex F special cases of pow, exactly.
#[test]
fn pow_specials() {
    let inf = f32::INFINITY;
    let nan = f32::NAN;
    let cases: &[(f32, f32, f32)] = &[
        (nan, 0.0, 1.0),
        (nan, -0.0, 1.0),
        (1.0, nan, 1.0),
        (1.0, inf, 1.0),
        (-1.0, inf, 1.0),
        (-1.0, -inf, 1.0),
        (0.0, -3.0, inf),
        (-0.0, -3.0, -inf),
        (-0.0, -2.0, inf),
        (-0.0, -0.5, inf),
        (0.0, 3.0, 0.0),
        (-0.0, 3.0, -0.0),
        (-0.0, 2.0, 0.0),
        (-0.0, 0.5, 0.0),
        (-2.0, 0.5, nan),
        (-2.0, 3.0, -8.0),
        (-2.0, 2.0, 4.0),
        (-2.0, -1.0, -0.5),
        (0.5, -inf, inf),
        (2.0, -inf, 0.0),
        (0.5, inf, 0.0),
        (2.0, inf, inf),
        (-inf, -3.0, -0.0),
        (-inf, -2.0, 0.0),
        (-inf, 3.0, -inf),
        (-inf, 2.0, inf),
        (-inf, 0.5, inf),
        (inf, -1.0, 0.0),
        (inf, 1.0, inf),
        (nan, 1.0, nan),
        (2.0, nan, nan),
        (3.0, 2.0, 9.0),
        (10.0, 3.0, 1000.0),
        (2.0, 127.0, 1.701_411_8e38),
        (2.0, 128.0, inf),
        (2.0, -149.0, 1e-45),
        (2.0, -151.0, 0.0),
        (-8.0, 1.0 / 3.0, nan),
        (-3.0, 8_388_609.0, -inf),
        (-3.0, 16_777_216.0, inf),
        (-1.0, 16_777_217.0, 1.0),
        (-1.0, 8_388_609.0, -1.0),
    ];
    for &(x, y, want) in cases {
        let got = pow_f32(x, y);
        let ok = if want.is_nan() {
            got.is_nan()
        } else {
            got == want && got.is_sign_negative() == want.is_sign_negative()
        };
        assert!(ok, "pow({x:e}, {y:e}) = {got:e}, want {want:e}");
    }
}

/// Exact special values and signs that NumPy / C require.
#[test]
fn special_values() {
    let inf = f32::INFINITY;
    let same = |a: f32, b: f32| {
        (a.is_nan() && b.is_nan()) || (a == b && a.is_sign_negative() == b.is_sign_negative())
    };
    type Case = (&'static str, fn(f32) -> f32, f32, f32);
    let cases: &[Case] = &[
        ("exp", exp_f32, -inf, 0.0),
        ("exp", exp_f32, inf, inf),
        ("exp", exp_f32, 0.0, 1.0),
        ("exp", exp_f32, -0.0, 1.0),
        ("exp", exp_f32, 100.0, inf),
        ("exp", exp_f32, -200.0, 0.0),
        ("exp2", exp2_f32, 10.0, 1024.0),
        ("exp2", exp2_f32, -149.0, 1e-45),
        ("exp2", exp2_f32, 128.0, inf),
        ("expm1", expm1_f32, -0.0, -0.0),
        ("expm1", expm1_f32, 0.0, 0.0),
        ("expm1", expm1_f32, -inf, -1.0),
        ("expm1", expm1_f32, inf, inf),
        ("log", log_f32, 0.0, -inf),
        ("log", log_f32, -0.0, -inf),
        ("log", log_f32, -1.0, f32::NAN),
        ("log", log_f32, inf, inf),
        ("log", log_f32, 1.0, 0.0),
        ("log2", log2_f32, 8.0, 3.0),
        ("log2", log2_f32, 1e-45, -149.0),
        ("log10", log10_f32, 0.0, -inf),
        ("log10", log10_f32, 1000.0, 3.0),
        ("log1p", log1p_f32, -1.0, -inf),
        ("log1p", log1p_f32, -2.0, f32::NAN),
        ("log1p", log1p_f32, -0.0, -0.0),
        ("log1p", log1p_f32, inf, inf),
        ("sin", sin_f32, -0.0, -0.0),
        ("sin_full", sin_full_f32, -0.0, -0.0),
        ("cos_full", cos_full_f32, inf, f32::NAN),
        ("tan_full", tan_full_f32, -0.0, -0.0),
        ("sin", sin_f32, inf, f32::NAN),
        ("cos", cos_f32, -inf, f32::NAN),
        ("cos", cos_f32, 0.0, 1.0),
        ("tan", tan_f32, -0.0, -0.0),
        ("asin", asin_f32, -0.0, -0.0),
        ("asin", asin_f32, 1.5, f32::NAN),
        ("acos", acos_f32, 1.0, 0.0),
        ("acos", acos_f32, -1.5, f32::NAN),
        ("atan", atan_f32, -0.0, -0.0),
        ("atan", atan_f32, inf, std::f32::consts::FRAC_PI_2),
        ("atan", atan_f32, -inf, -std::f32::consts::FRAC_PI_2),
        ("sinh", sinh_f32, -0.0, -0.0),
        ("sinh", sinh_f32, -inf, -inf),
        ("sinh", sinh_f32, 100.0, inf),
        ("cosh", cosh_f32, -inf, inf),
        ("cosh", cosh_f32, 0.0, 1.0),
        ("tanh", tanh_f32, -0.0, -0.0),
        ("tanh", tanh_f32, inf, 1.0),
        ("tanh", tanh_f32, -inf, -1.0),
        ("tanh", tanh_f32, -50.0, -1.0),
        ("asinh", asinh_f32, -0.0, -0.0),
        ("asinh", asinh_f32, -inf, -inf),
        ("acosh", acosh_f32, 1.0, 0.0),
        ("acosh", acosh_f32, 0.5, f32::NAN),
        ("acosh", acosh_f32, inf, inf),
        ("atanh", atanh_f32, 1.0, inf),
        ("atanh", atanh_f32, -1.0, -inf),
        ("atanh", atanh_f32, -0.0, -0.0),
        ("atanh", atanh_f32, 2.0, f32::NAN),
        ("cbrt", cbrt_f32, -0.0, -0.0),
        ("cbrt", cbrt_f32, -inf, -inf),
        ("cbrt", cbrt_f32, -27.0, -3.0),
        ("cbrt", cbrt_f32, 0.125, 0.5),
        ("erf", erf_f32, -0.0, -0.0),
        ("erf", erf_f32, inf, 1.0),
        ("erf", erf_f32, -inf, -1.0),
        ("logistic", logistic_f32, 0.0, 0.5),
        ("logistic", logistic_f32, inf, 1.0),
        ("logistic", logistic_f32, -inf, 0.0),
    ];
    for &(name, f, x, want) in cases {
        let got = f(x);
        assert!(same(got, want), "{name}({x:e}) = {got:e}, want {want:e}");
    }
    // NaN in -> NaN out for every unary function.
    let all: &[fn(f32) -> f32] = &[
        exp_f32,
        exp2_f32,
        expm1_f32,
        log_f32,
        log2_f32,
        log10_f32,
        log1p_f32,
        sin_f32,
        cos_f32,
        tan_f32,
        asin_f32,
        acos_f32,
        atan_f32,
        sinh_f32,
        cosh_f32,
        tanh_f32,
        asinh_f32,
        acosh_f32,
        atanh_f32,
        cbrt_f32,
        erf_f32,
        logistic_f32,
    ];
    for f in all {
        assert!(f(f32::NAN).is_nan() && f(-f32::NAN).is_nan());
    }
    // atan2 quadrants / zeros / infinities, exactly as C.
    let pi = std::f32::consts::PI;
    let h = std::f32::consts::FRAC_PI_2;
    let q = std::f32::consts::FRAC_PI_4;
    let a2: &[(f32, f32, f32)] = &[
        (0.0, 0.0, 0.0),
        (-0.0, 0.0, -0.0),
        (0.0, -0.0, pi),
        (-0.0, -0.0, -pi),
        (0.0, -1.0, pi),
        (-0.0, -1.0, -pi),
        (0.0, 1.0, 0.0),
        (-0.0, 1.0, -0.0),
        (1.0, 0.0, h),
        (1.0, -0.0, h),
        (-1.0, 0.0, -h),
        (inf, inf, q),
        (-inf, inf, -q),
        (inf, -inf, 3.0 * q),
        (-inf, -inf, -3.0 * q),
        (1.0, inf, 0.0),
        (-1.0, inf, -0.0),
        (1.0, -inf, pi),
        (-1.0, -inf, -pi),
        (inf, 1.0, h),
        (-inf, -1.0, -h),
        (f32::NAN, 1.0, f32::NAN),
        (1.0, f32::NAN, f32::NAN),
    ];
    for &(y, x, want) in a2 {
        let got = atan2_f32(y, x);
        assert!(
            same(got, want),
            "atan2({y:e}, {x:e}) = {got:e}, want {want:e}"
        );
    }
}

// ---------------------------------------------------------------------------
// f64
// ---------------------------------------------------------------------------

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }
}

fn err64(got: f64, want: f64) -> f64 {
    if want.is_nan() || got.is_nan() {
        return if want.is_nan() && got.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if got == want {
        return if got == 0.0 && got.is_sign_negative() != want.is_sign_negative() {
            f64::INFINITY
        } else {
            0.0
        };
    }
    if got.is_infinite() || want.is_infinite() {
        return f64::INFINITY;
    }
    let a = want.abs();
    let ulp = if a < f64::MIN_POSITIVE {
        f64::from_bits(1)
    } else {
        f64::from_bits(a.to_bits() + 1) - a
    };
    (got - want).abs() / ulp
}

fn sweep64(
    name: &str,
    bound: f64,
    f: impl Fn(f64) -> f64,
    r: impl Fn(f64) -> f64,
    ranges: &[(f64, f64)],
) {
    let n = if cfg!(debug_assertions) {
        20_000
    } else {
        300_000
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut worst = (0.0, 0.0, 0.0, 0.0);
    let mut check = |x: f64| {
        let (g, w) = (f(x), r(x));
        let e = err64(g, w);
        if e > worst.0 {
            worst = (e, x, g, w);
        }
    };
    for _ in 0..n {
        check(f64::from_bits(rng.next()));
    }
    for &(lo, hi) in ranges {
        for _ in 0..n {
            check(rng.uniform(lo, hi));
        }
    }
    for x in [
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MIN_POSITIVE,
        f64::from_bits(1),
        f64::MAX,
        1.0,
        -1.0,
        709.78,
        709.79,
        -708.4,
        -745.1,
        -745.2,
        1e-300,
        0.5,
        -0.5,
    ] {
        check(x);
        check(-x);
    }
    eprintln!(
        "{name:>10}: max {:.3} ULP (bound {bound}) at x={:e}: got {:e} want {:e}",
        worst.0, worst.1, worst.2, worst.3
    );
    assert!(
        worst.0 <= bound,
        "{name}: {:.3} ULP at x={:e}",
        worst.0,
        worst.1
    );
}

#[test]
fn f64_functions() {
    sweep64(
        "exp64",
        exp_log::EXP_F64_MAX_ULP,
        exp_f64,
        f64::exp,
        &[(-750.0, 710.0), (-1.0, 1.0)],
    );
    sweep64(
        "expm1_64",
        exp_log::EXPM1_F64_MAX_ULP,
        expm1_f64,
        f64::exp_m1,
        &[(-40.0, 710.0), (-2.0, 2.0)],
    );
    sweep64(
        "log64",
        exp_log::LOG_F64_MAX_ULP,
        log_f64,
        f64::ln,
        &[(0.0, 4.0), (0.5, 2.0)],
    );
    sweep64(
        "log1p_64",
        exp_log::LOG1P_F64_MAX_ULP,
        log1p_f64,
        f64::ln_1p,
        &[(-1.0, 4.0), (-0.5, 0.5)],
    );
    sweep64(
        "tanh64",
        hyperbolic::TANH_F64_MAX_ULP,
        tanh_f64,
        f64::tanh,
        &[(-20.0, 20.0), (-1.0, 1.0)],
    );
}

#[test]
fn f64_specials() {
    let inf = f64::INFINITY;
    assert_eq!(exp_f64(-inf), 0.0);
    assert_eq!(exp_f64(inf), inf);
    assert_eq!(exp_f64(1000.0), inf);
    assert_eq!(exp_f64(-1000.0), 0.0);
    assert!(expm1_f64(-0.0).is_sign_negative());
    assert_eq!(expm1_f64(-inf), -1.0);
    assert_eq!(log_f64(0.0), -inf);
    assert!(log_f64(-1.0).is_nan());
    assert_eq!(log_f64(inf), inf);
    assert_eq!(log1p_f64(-1.0), -inf);
    assert!(log1p_f64(-0.0).is_sign_negative());
    assert!(log1p_f64(-2.0).is_nan());
    assert_eq!(tanh_f64(inf), 1.0);
    assert_eq!(tanh_f64(-inf), -1.0);
    assert!(tanh_f64(-0.0).is_sign_negative());
    assert_eq!(erf_f64(inf), 1.0);
    assert_eq!(erf_f64(-inf), -1.0);
    assert!(erf_f64(-0.0).is_sign_negative());
    for f in [exp_f64, expm1_f64, log_f64, log1p_f64, tanh_f64, erf_f64] {
        assert!(f(f64::NAN).is_nan());
    }
}

#[test]
fn erf64_accuracy() {
    // Reference: double-double Taylor series below 3, continued fraction for
    // erfc above (where erfc < 2.3e-5 so f64 suffices).
    let n = if cfg!(debug_assertions) {
        5_000
    } else {
        100_000
    };
    let mut rng = Rng(12345);
    let mut worst = (0.0, 0.0);
    for i in 0..n {
        let x = if i % 2 == 0 {
            rng.uniform(-6.5, 6.5)
        } else {
            f64::from_bits(rng.next() >> 2) // positive, wide exponent range
        };
        let e = err64(erf_f64(x), erf_ref_dd(x));
        if e > worst.0 {
            worst = (e, x);
        }
    }
    eprintln!("     erf64: max {:.3} ULP at x={:e}", worst.0, worst.1);
    assert!(
        worst.0 <= misc::ERF_F64_MAX_ULP,
        "erf64: {:.3} ULP at {:e}",
        worst.0,
        worst.1
    );
}

/// Double-double helpers for the `erf_f64` reference.
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}
fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
}
fn dd_add(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let (s, e) = two_sum(a.0, b.0);
    let e = e + a.1 + b.1;
    two_sum(s, e)
}
fn dd_mul(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let (p, e) = two_prod(a.0, b.0);
    let e = e + (a.0 * b.1 + a.1 * b.0);
    two_sum(p, e)
}
fn dd_div_f(a: (f64, f64), b: f64) -> (f64, f64) {
    let q = a.0 / b;
    let (p, e) = two_prod(q, b);
    let r = ((a.0 - p) - e + a.1) / b;
    two_sum(q, r)
}

fn erf_ref_dd(x: f64) -> f64 {
    let a = x.abs();
    if a.is_nan() {
        return x;
    }
    let r = if a < 3.0 {
        let z = two_prod(a, a);
        let mut term = (a, 0.0);
        let mut sum = (a, 0.0);
        let mut n = 0.0;
        loop {
            n += 1.0;
            term = dd_div_f(dd_mul(term, (-z.0, -z.1)), n);
            let t = dd_div_f(term, 2.0 * n + 1.0);
            sum = dd_add(sum, t);
            if t.0.abs() <= 1e-34 * sum.0.abs() {
                break;
            }
        }
        // 2/sqrt(pi) as a double-double.
        let c = (1.128_379_167_095_512_6, 1.533_545_961_316_588e-17);
        let p = dd_mul(sum, c);
        p.0 + p.1
    } else if a < 7.0 {
        1.0 - erfc_cf(a)
    } else {
        1.0
    };
    r.copysign(x)
}

#[test]
fn fma_switch_is_off() {
    // The bounds above were measured with unfused multiply-adds.
    const { assert!(!USE_FMA) };
}
