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
//! Accuracy (max error in `f32` ULP over the whole domain, measured against
//! the `f64` std function of the widened input; each bound is a `pub const`
//! next to its function and is asserted by the tests):
//!
//! | function | max ULP | how |
//! |---|---|---|
//! | `exp`, `exp2` | 1 | f32 |
//! | `expm1` | 1.5 | f32 |
//! | `log`, `log2`, `log10` | 1 | f32 |
//! | `log1p` | 1.5 | f32 |
//! | `sin`, `cos`, `tan` | 1 | f64 inside; `\|x\| < 5.27e7` (bounded beyond); `*_full_f32`: every finite input |
//! | `asin`, `acos`, `atan`, `atan2` | 1 | f64 inside |
//! | `sinh`, `cosh`, `asinh`, `acosh`, `atanh` | 1 | f64 inside |
//! | `tanh` | 2 | f32 |
//! | `cbrt`, `pow` | 1 | f64 inside |
//! | `erf`, `logistic` | 2 | f32 |
//!
//! `f64` functions: [`exp_f64`], [`expm1_f64`], [`log_f64`], [`log1p_f64`],
//! [`tanh_f64`] and [`erf_f64`] are branch-free implementations here (bounds
//! in ULP of `f64` next to each). Other `f64` transcendentals are not
//! provided; callers use `std` (`f64::sin` etc.), which is not vectorized.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

pub mod common;
pub mod exp_log;
pub mod hyperbolic;
pub mod misc;
pub mod trig;

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
