//! The complementary error function `erfc` (`lax.erfc`), evaluated as JAX's
//! CHLO decomposition does on XLA:CPU: for `|x| < 1`, `1 - x T(x²)` (Cephes'
//! single-precision `erf` polynomial); for `|x| ≥ 1`,
//! `exp(-x²) / |x| · P(1/x²)` on `[1, 2)` and `R(1/x²)` beyond, reflected as
//! `2 - erfc(|x|)` for negative `x`, and 0 once `-x²` passes `-maxlog`. The
//! Horner steps are contracted into fused multiply-adds, as XLA:CPU does.
//! float64 calls the system libm (glibc's `erfc`, within 1 ulp of exact);
//! f16 and bf16 are computed in f32.

use super::xla::exp_f32;

const ERF_T: [f32; 7] = [
    7.853861353153693E-5,
    -8.010193625184903E-4,
    5.188327685732524E-3,
    -2.685381193529856E-2,
    1.128358514861418E-1,
    -3.761262582423300E-1,
    1.128379165726710E+0,
];

const ERFC_P: [f32; 9] = [
    2.326819970068386E-2,
    -1.387039388740657E-1,
    3.687424674597105E-1,
    -5.824733027278666E-1,
    6.210004621745983E-1,
    -4.944515323274145E-1,
    3.404879937665872E-1,
    -2.741127028184656E-1,
    5.638259427386472E-1,
];

const ERFC_R: [f32; 8] = [
    -1.047766399936249E+1,
    1.297719955372516E+1,
    -7.495518717768503E+0,
    2.921019019210786E+0,
    -1.015265279202700E+0,
    4.218463358204948E-1,
    -2.820767439740514E-1,
    5.641895067754075E-1,
];

#[inline(always)]
fn horner(c: &[f32], x: f32) -> f32 {
    let mut p = c[0];
    for &ci in &c[1..] {
        p = p.mul_add(x, ci);
    }
    p
}

/// `erfc(x)` in f32, as JAX computes it on CPU.
#[inline(always)]
pub fn erfc_f32(x: f32) -> f32 {
    let ax = x.abs();
    if ax < 1.0 {
        return 1.0 - x * horner(&ERF_T, x * x);
    }
    let x2 = x * x;
    let z = -x2;
    let r2 = 1.0 / x2;
    let e = exp_f32(z) * (1.0 / ax);
    let poly = if ax < 2.0 {
        horner(&ERFC_P, r2)
    } else {
        horner(&ERFC_R, r2)
    };
    let y = if (z as f64) < -88.72283905206835 {
        0.0
    } else {
        e * poly
    };
    if x < 0.0 {
        2.0 - y
    } else {
        y
    }
}

mod libm {
    extern "C" {
        pub fn erfc(x: f64) -> f64;
    }
}

/// `erfc(x)` in f64: the system libm's `erfc`.
#[inline]
pub fn erfc_f64(x: f64) -> f64 {
    // SAFETY: `erfc` is a pure C99 libm function of one double (no memory
    // access); std links libm on every supported platform. Tested against
    // JAX's float64 erfc in `tests/special_x64.rs`.
    unsafe { libm::erfc(x) }
}
