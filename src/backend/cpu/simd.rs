//! Runtime CPU-feature dispatch for vectorizable loops.
//!
//! A shipped library cannot assume `target-cpu=native`, so each hot loop is
//! compiled three times: for AVX-512, for AVX2+FMA and for the baseline, and
//! [`isa`] picks one at run time. The loop bodies are ordinary Rust written
//! so LLVM vectorizes them (no branches or calls inside); element functions
//! are `#[inline(always)]`, so they inherit the loop's target features.

use std::sync::atomic::{AtomicU8, Ordering};

/// The instruction-set level kernels run at.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Isa {
    /// Baseline x86-64 (SSE2) or non-x86 targets.
    Scalar = 1,
    /// AVX2 with FMA.
    Avx2 = 2,
    /// AVX-512 F/BW/DQ/VL.
    Avx512 = 3,
}

static ISA: AtomicU8 = AtomicU8::new(0);

/// The best ISA this CPU supports (detected once). `JAXIDE_ISA=scalar|avx2|avx512`
/// caps it, for testing the fallbacks; any other value is ignored with a warning.
pub fn isa() -> Isa {
    match ISA.load(Ordering::Relaxed) {
        1 => Isa::Scalar,
        2 => Isa::Avx2,
        3 => Isa::Avx512,
        _ => {
            let detected = detect().min(cap_from_env());
            ISA.store(detected as u8, Ordering::Relaxed);
            detected
        }
    }
}

fn cap_from_env() -> Isa {
    let Ok(v) = std::env::var("JAXIDE_ISA") else {
        return Isa::Avx512;
    };
    parse_isa(&v).unwrap_or_else(|| {
        crate::config::warn_bad_env("JAXIDE_ISA", &v, "one of scalar, avx2, avx512");
        Isa::Avx512
    })
}

/// Parses a `JAXIDE_ISA` value (case-insensitive).
fn parse_isa(v: &str) -> Option<Isa> {
    match v.trim().to_ascii_lowercase().as_str() {
        "scalar" => Some(Isa::Scalar),
        "avx2" => Some(Isa::Avx2),
        "avx512" => Some(Isa::Avx512),
        _ => None,
    }
}

#[cfg(target_arch = "x86_64")]
fn detect() -> Isa {
    if is_x86_feature_detected!("avx512f")
        && is_x86_feature_detected!("avx512bw")
        && is_x86_feature_detected!("avx512dq")
        && is_x86_feature_detected!("avx512vl")
        && is_x86_feature_detected!("avx2")
        && is_x86_feature_detected!("fma")
    {
        Isa::Avx512
    } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
        Isa::Avx2
    } else {
        Isa::Scalar
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn detect() -> Isa {
    Isa::Scalar
}

/// Defines a function `$name` that runs `$body` compiled for the best ISA.
/// The body is an ordinary block using the function's parameters.
macro_rules! multiversion {
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident<$($g:ident $(: $bound:path)?),*>($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?
        $body:block
    ) => {
        $(#[$meta])*
        #[inline]
        $vis fn $name<$($g $(: $bound)?),*>($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn body<$($g $(: $bound)?),*>($($arg: $ty),*) $(-> $ret)? $body

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,bmi2")]
            fn v4<$($g $(: $bound)?),*>($($arg: $ty),*) $(-> $ret)? { body($($arg),*) }

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma,bmi2")]
            fn v3<$($g $(: $bound)?),*>($($arg: $ty),*) $(-> $ret)? { body($($arg),*) }

            match $crate::backend::cpu::simd::isa() {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: isa() verified at run time that the CPU has these features.
                $crate::backend::cpu::simd::Isa::Avx512 => unsafe { v4($($arg),*) },
                #[cfg(target_arch = "x86_64")]
                // SAFETY: as above.
                $crate::backend::cpu::simd::Isa::Avx2 => unsafe { v3($($arg),*) },
                _ => body($($arg),*),
            }
        }
    };
}
pub(crate) use multiversion;

multiversion! {
    /// `out[i] = f(x[i])`, vectorized.
    pub fn map1<A: Copy, O: Copy, F: Fn(A) -> O>(x: &[A], out: &mut [O], f: F) {
        let n = out.len().min(x.len());
        let (x, out) = (&x[..n], &mut out[..n]);
        for i in 0..n {
            out[i] = f(x[i]);
        }
    }
}

multiversion! {
    /// `out[i] = f(a[i], b[i])`, vectorized.
    pub fn map2<A: Copy, B: Copy, O: Copy, F: Fn(A, B) -> O>(a: &[A], b: &[B], out: &mut [O], f: F) {
        let n = out.len().min(a.len()).min(b.len());
        let (a, b, out) = (&a[..n], &b[..n], &mut out[..n]);
        for i in 0..n {
            out[i] = f(a[i], b[i]);
        }
    }
}

multiversion! {
    /// `out[i] = f(a[i], b[i], c[i])`, vectorized.
    pub fn map3<A: Copy, B: Copy, C: Copy, O: Copy, F: Fn(A, B, C) -> O>(a: &[A], b: &[B], c: &[C], out: &mut [O], f: F) {
        let n = out.len().min(a.len()).min(b.len()).min(c.len());
        let (a, b, c, out) = (&a[..n], &b[..n], &c[..n], &mut out[..n]);
        for i in 0..n {
            out[i] = f(a[i], b[i], c[i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_functions_match_scalar_loops() {
        let x: Vec<f32> = (0..1003).map(|i| i as f32 * 0.5).collect();
        let mut out = vec![0.0f32; x.len()];
        map1(&x, &mut out, |v| v * 2.0 + 1.0);
        assert!(out.iter().zip(&x).all(|(o, v)| *o == v * 2.0 + 1.0));
        let mut out2 = vec![0u8; x.len()];
        map2(&x, &out, &mut out2, |a, b| (a < b) as u8);
        assert!(out2.iter().all(|&v| v == 1));
        assert!(isa() >= Isa::Scalar);
    }
}
