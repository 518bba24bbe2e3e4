//! Loops for the XLA-exact transcendentals (`math::xla`), one per function,
//! each compiled per ISA. They are separate from the generic `par_map1`
//! path because these functions rely on fused multiply-adds: called
//! directly inside a `target_feature(fma)` loop they inline and vectorize,
//! whereas through a generic closure they may be compiled outside it and
//! fall back to a libm `fma` call per step (measured 5x slower).

use crate::backend::cpu::math::{bessel, erfc, xla};
use crate::backend::cpu::simd::multiversion;
use crate::ir::UnaryOp;

macro_rules! loops {
    ($($name:ident: $t:ty => $f:path;)*) => {$(
        multiversion! {
            fn $name<>(x: &[$t], out: &mut [$t]) {
                for (o, &v) in out.iter_mut().zip(x) {
                    *o = $f(v);
                }
            }
        }
    )*};
}

loops! {
    log_f32: f32 => xla::log_f32;
    log1p_f32: f32 => xla::log1p_f32;
    exp_f32: f32 => xla::exp_f32;
    erf_f32: f32 => xla::erf_f32;
    erf_inv_f32: f32 => xla::erf_inv_f32;
    bessel_i0e_f32: f32 => bessel::bessel_i0e_f32;
    erfc_f32: f32 => erfc::erfc_f32;
    logistic_f32: f32 => xla::logistic_f32;
    tanh_f32: f32 => xla::tanh_f32;
    bessel_i1e_f32: f32 => bessel::bessel_i1e_f32;
    rsqrt_f32: f32 => xla::rsqrt_f32;
    log1p_f64: f64 => xla::log1p_f64;
    exp_f64: f64 => xla::exp_f64;
    erf_inv_f64: f64 => xla::erf_inv_f64;
    bessel_i0e_f64: f64 => bessel::bessel_i0e_f64;
    bessel_i1e_f64: f64 => bessel::bessel_i1e_f64;
}

/// A loop `out[i] = f(x[i])`.
pub type Loop<T> = fn(&[T], &mut [T]);

/// The dedicated f32 loop for `op`, if it has one.
pub fn f32_loop(op: UnaryOp) -> Option<Loop<f32>> {
    Some(match op {
        UnaryOp::Log => log_f32,
        UnaryOp::Log1p => log1p_f32,
        UnaryOp::Exp => exp_f32,
        UnaryOp::Erf => erf_f32,
        UnaryOp::ErfInv => erf_inv_f32,
        UnaryOp::BesselI0e => bessel_i0e_f32,
        UnaryOp::Erfc => erfc_f32,
        UnaryOp::Logistic => logistic_f32,
        UnaryOp::Tanh => tanh_f32,
        UnaryOp::BesselI1e => bessel_i1e_f32,
        UnaryOp::Rsqrt => rsqrt_f32,
        _ => return None,
    })
}

/// The dedicated f64 loop for `op`, if it has one.
pub fn f64_loop(op: UnaryOp) -> Option<Loop<f64>> {
    Some(match op {
        UnaryOp::Log1p => log1p_f64,
        UnaryOp::Exp => exp_f64,
        UnaryOp::ErfInv => erf_inv_f64,
        UnaryOp::BesselI0e => bessel_i0e_f64,
        UnaryOp::BesselI1e => bessel_i1e_f64,
        _ => return None,
    })
}

multiversion! {
    /// `out[i] = fma(x[i], s, t)` in f32.
    pub fn fma_f32_scalars<>(x: &[f32], s: f32, t: f32, out: &mut [f32]) {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = v.mul_add(s, t);
        }
    }
}

multiversion! {
    /// `out[i] = fma(x[i], s, t)` in f64.
    pub fn fma_f64_scalars<>(x: &[f64], s: f64, t: f64, out: &mut [f64]) {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = v.mul_add(s, t);
        }
    }
}
