//! TEMPORARY: std-based math until the vectorized module lands.
#![allow(missing_docs)]
macro_rules! f32s { ($($n:ident => $e:expr),*) => { $( #[inline(always)] pub fn $n(x: f32) -> f32 { let f: fn(f32) -> f32 = $e; f(x) } )* } }
f32s!(exp_f32 => f32::exp, exp2_f32 => f32::exp2, expm1_f32 => f32::exp_m1, log_f32 => f32::ln, log1p_f32 => f32::ln_1p,
  sin_f32 => f32::sin, cos_f32 => f32::cos, tan_f32 => f32::tan, asin_f32 => f32::asin, acos_f32 => f32::acos, atan_f32 => f32::atan,
  sinh_f32 => f32::sinh, cosh_f32 => f32::cosh, tanh_f32 => f32::tanh, asinh_f32 => f32::asinh, acosh_f32 => f32::acosh, atanh_f32 => f32::atanh,
  cbrt_f32 => f32::cbrt, erf_f32 => |x| erf64(x as f64) as f32, logistic_f32 => |x| 1.0 / (1.0 + (-x).exp()));
pub fn pow_f32(x: f32, y: f32) -> f32 { x.powf(y) }
pub fn atan2_f32(y: f32, x: f32) -> f32 { y.atan2(x) }
pub fn exp_f64(x: f64) -> f64 { x.exp() }
pub fn expm1_f64(x: f64) -> f64 { x.exp_m1() }
pub fn log_f64(x: f64) -> f64 { x.ln() }
pub fn log1p_f64(x: f64) -> f64 { x.ln_1p() }
pub fn tanh_f64(x: f64) -> f64 { x.tanh() }
pub fn erf_f64(x: f64) -> f64 { erf64(x) }
fn erf64(x: f64) -> f64 { let t = 1.0 / (1.0 + 0.5 * x.abs()); let y = 1.0 - t * (-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))).exp(); if x >= 0.0 { y } else { -y } }
