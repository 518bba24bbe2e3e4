//! Branch-free, auto-vectorizable transcendental functions for the CPU
//! backend's elementwise kernels.
//!
//! Every function is `#[inline(always)] pub fn name_f32(x: f32) -> f32` (or
//! `f64`), written without data-dependent branches, libm calls or table
//! gathers, so that a loop such as
//!
//! ```text
//! #[target_feature(enable = "avx2,fma")]
//! unsafe fn exp_avx2(x: &[f32], out: &mut [f32]) {
//!     for (o, &v) in out.iter_mut().zip(x) { *o = math::exp_f32(v); }
//! }
//! ```
//!
//! vectorizes (AVX2, AVX-512, or the SSE2 baseline). Special cases are
//! handled with selects. Results are identical on every code path because
//! multiply-adds are evaluated unfused (see [`common::USE_FMA`]).
//!
//! Accuracy: max error in `f32` ULP over the whole domain, measured against
//! the `f64` std function of the widened input (ULP taken in the reference's
//! binade). Each bound is a `pub const` next to its function and is asserted
//! by `tests.rs`; "measured" is the largest error seen (exhaustive over all
//! 2^32 inputs where marked, otherwise every 5th bit pattern).
//!
//! | function | bound | measured | evaluated in |
//! |---|---|---|---|
//! | `exp` | 1 | 0.895 (exhaustive) | f32 |
//! | `exp2` | 1.5 | 1.227 (exhaustive) | f32 |
//! | `expm1` | 1.5 | 1.390 (exhaustive) | f32 |
//! | `log`, `log2`, `log10` | 1 | 0.840, 0.828, 0.735 (exhaustive) | f32 |
//! | `log1p` | 1 | 0.873 (exhaustive) | f32 |
//! | `tanh` | 1.5 | 1.324 (exhaustive) | f32 |
//! | `erf` | 1.5 | 1.263 (exhaustive) | f32 |
//! | `logistic` | 2 | 1.967 (exhaustive) | f32 |
//! | `sin`, `cos`, `tan` | 1 | 0.500 for `\|x\| < 5.27e7` | f64 (bounded, inaccurate beyond) |
//! | `sin_full`, `cos_full`, `tan_full` | 1 | 0.500, every finite input | f64 + Payne–Hanek |
//! | `asin`, `acos`, `atan`, `atan2` | 1 | 0.507 | f64 |
//! | `sinh`, `cosh`, `asinh`, `acosh`, `atanh` | 1 | 0.501 | f64 |
//! | `cbrt`, `pow` | 1 | 0.502, 0.501 | f64 |
//!
//! `f64` functions: [`exp_f64`], [`expm1_f64`], [`log_f64`], [`log1p_f64`],
//! [`tanh_f64`] and [`erf_f64`] are branch-free implementations here (bounds
//! in `f64` ULP against std / a double-double reference: 1, 2, 1, 2, 3, 2).
//! No other `f64` transcendentals are provided: callers use `std`
//! (`f64::sin` etc.), which is correct but not vectorized.
//!
//! [`xla`] holds the XLA:CPU-exact versions (f32 `log`, `log1p`, `exp`,
//! `erf`, `erf_inv`, `rsqrt`; f64 `log1p`, `exp`, `erf_inv`, `erf`), which
//! are what the kernels run for those ops so that results match JAX bit for
//! bit; the accurate functions above remain the building blocks of the
//! others (`tanh`, `expm1`, `log2`, ...).
#![allow(clippy::excessive_precision, clippy::approx_constant)]

pub mod bessel;
pub mod common;
pub mod erfc;
pub mod exp_log;
pub mod hyperbolic;
pub mod misc;
pub mod trig;
pub mod xla;

#[cfg(test)]
mod tests;

pub use exp_log::{
    exp2_f32, exp_f32, exp_f64, expm1_f32, expm1_f64, log10_f32, log1p_f32, log1p_f64, log2_f32,
    log_f32, log_f64,
};
pub use hyperbolic::{acosh_f32, asinh_f32, atanh_f32, cosh_f32, sinh_f32, tanh_f32, tanh_f64};
pub use misc::{cbrt_f32, erf_f32, erf_f64, logistic_f32, pow_f32};
pub use trig::{
    acos_f32, asin_f32, atan2_f32, atan_f32, cos_f32, cos_full_f32, sin_f32, sin_full_f32, tan_f32,
    tan_full_f32,
};
