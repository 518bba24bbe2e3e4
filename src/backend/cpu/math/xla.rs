//! Transcendentals evaluated exactly as XLA:CPU evaluates them, so that
//! jaxide's `log`, `log1p`, `exp`, `erf` and `erf_inv` (and everything built
//! on them, such as `jax.random`'s samplers) give JAX's bits.
//!
//! XLA:CPU inlines its own polynomials for these (not libm), contracts
//! `a * b + c` into fused multiply-adds, treats subnormal inputs as zero and
//! flushes subnormal results to zero. The functions here reproduce each
//! rounding step: every `mul_add` below is an FMA in XLA's code, every
//! other operation rounds separately. The algorithms (Cephes-style
//! polynomials and Giles' `erf_inv`) and their coefficients are documented
//! facts recorded in `docs/notes/jax_random_spec.md` §5; the results are
//! checked bit for bit against JAX in `tests/xla_math.rs`.
//!
//! Branches are written as selects so that loops over these vectorize.
//! `mul_add` is one instruction in the AVX2/AVX-512 kernels and a (correct,
//! slower) libm call on the baseline path.
#![allow(clippy::excessive_precision)]

const fn f(bits: u32) -> f32 {
    f32::from_bits(bits)
}
const fn d(bits: u64) -> f64 {
    f64::from_bits(bits)
}

/// Subnormal inputs read as (signed) zero, as with the CPU's DAZ mode.
#[inline(always)]
fn daz32(x: f32) -> f32 {
    if x.abs() < f32::MIN_POSITIVE {
        x * 0.0
    } else {
        x
    }
}

/// Subnormal results become (signed) zero, as with the CPU's FTZ mode.
#[inline(always)]
fn ftz32(x: f32) -> f32 {
    daz32(x)
}

#[inline(always)]
fn daz64(x: f64) -> f64 {
    if x.abs() < f64::MIN_POSITIVE {
        x * 0.0
    } else {
        x
    }
}

#[inline(always)]
fn ftz64(x: f64) -> f64 {
    daz64(x)
}

/// `c[0]`, then `p = p * w + c[i]` fused, for each following coefficient.
#[inline(always)]
fn horner32(c: &[f32], w: f32) -> f32 {
    let mut p = c[0];
    for &ci in &c[1..] {
        p = p.mul_add(w, ci);
    }
    p
}

#[inline(always)]
fn horner64(c: &[f64], w: f64) -> f64 {
    let mut p = c[0];
    for &ci in &c[1..] {
        p = p.mul_add(w, ci);
    }
    p
}

/// The high part of `ln 2` (0.693359375, exact in a few bits).
const LN2_HI_32: f32 = f(0x3F31_8000);
/// `ln 2 - LN2_HI_32` (negative).
const LN2_LO_32: f32 = f(0xB95E_8083);

/// Natural logarithm (XLA:CPU's f32 kernel).
#[inline(always)]
pub fn log_f32(x: f32) -> f32 {
    let x = daz32(x);
    let xc = if x > f32::MIN_POSITIVE {
        x
    } else {
        f32::MIN_POSITIVE
    };
    let bits = xc.to_bits();
    let exponent = (bits >> 23) as i32 - 127;
    let m = f((bits & 0x807F_FFFF) | 0x3F00_0000);
    let e = exponent as f32 + 1.0;
    let below = m < f(0x3F35_04F3);
    let xm = (m - 1.0) + if below { m } else { 0.0 };
    let e = e - if below { 1.0 } else { 0.0 };
    let x2 = xm * xm;
    let x3 = x2 * xm;
    let ya = xm
        .mul_add(f(0x3D90_21BB), f(0xBDEB_D1B8))
        .mul_add(xm, f(0x3DEF_251A));
    let yb = xm
        .mul_add(f(0xBDFE_5D4F), f(0x3E11_E9BF))
        .mul_add(xm, f(0xBE2A_AE50));
    let yc = xm
        .mul_add(f(0x3E4C_CEAC), f(0xBE7F_FFFC))
        .mul_add(xm, f(0x3EAA_AAAA));
    let y = ya.mul_add(x3, yb);
    let y = y.mul_add(x3, yc);
    let y = y.mul_add(x3, e * LN2_LO_32);
    let r = x2.mul_add(-0.5, xm) + y;
    let r = e.mul_add(LN2_HI_32, r);
    if x == 0.0 {
        f32::NEG_INFINITY
    } else if x == f32::INFINITY {
        f32::INFINITY
    } else if x < 0.0 || x.is_nan() {
        f32::NAN
    } else {
        r
    }
}

const LOG1P_NUM_32: [f32; 7] = [
    f(0x383D_E04B),
    f(0x3EFF_40C5),
    f(0x40D2_84FA),
    f(0x41EF_4B9C),
    f(0x4273_CC76),
    f(0x4264_73AD),
    f(0x41A0_5101),
];
const LOG1P_DEN_32: [f32; 7] = [
    1.0,
    f(0x4171_01AD),
    f(0x42A6_185B),
    f(0x435D_C32D),
    f(0x439A_8CA3),
    f(0x4358_6D8A),
    f(0x4270_7982),
];

/// `ln(1 + x)` (XLA:CPU's f32 kernel: a rational approximation near 0,
/// [`log_f32`] of `1 + x` elsewhere).
#[inline(always)]
pub fn log1p_f32(x: f32) -> f32 {
    let x = daz32(x);
    let z = x * x;
    let ratio = horner32(&LOG1P_NUM_32, x) / horner32(&LOG1P_DEN_32, x);
    let small = x + ((z * -0.5) + ((x * z) * ratio));
    let large = log_f32(x + 1.0);
    ftz32(if x.abs() < f(0x3ED4_13CD) {
        small
    } else {
        large
    })
}

/// `e^x` (XLA:CPU's f32 kernel). Results below `2^-126` flush to zero.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    let x = daz32(x);
    let xc = x.clamp(-87.8, 88.8); // NaN stays NaN
    let n = xc.mul_add(f(0x3FB8_AA3B), 0.5).floor().clamp(-127.0, 127.0);
    let r = (-LN2_HI_32).mul_add(n, xc);
    let r = (-LN2_LO_32).mul_add(n, r);
    let mut p = r.mul_add(f(0x3950_6967), f(0x3AB7_43CE));
    for c in [f(0x3C08_8908), f(0x3D2A_A9C1), f(0x3E2A_AAAA), 0.5] {
        p = p.mul_add(r, c);
    }
    let p = p.mul_add(r * r, r) + 1.0;
    let scale = f((((n as i32) + 127) as u32) << 23);
    ftz32(p * scale)
}

const TANH_NUM: [f32; 7] = [
    f(0xA59F_25C0),
    f(0x2A61_337E),
    f(0xAEBD_37FF),
    f(0x335C_0041),
    f(0x3779_434A),
    f(0x3A27_0DED),
    f(0x3BA0_59DC),
];
const TANH_DEN: [f32; 4] = [
    f(0x35A0_D3D8),
    f(0x38F8_95D6),
    f(0x3B14_AA05),
    f(0x3BA0_59DD),
];

/// `tanh` as XLA:CPU emits it: a 13/6 rational approximation of the input
/// clamped to ±7.998811721801758 (where it reaches ±1), Horner steps
/// contracted into FMAs, and `x` itself below `|x| < 0.0004`. Within 4.4
/// ulp of the exact value; bit-identical to JAX on CPU.
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    let x = daz32(x);
    let clamp = f(0x40FF_F644); // 7.998811721801758
    let xc = x.clamp(-clamp, clamp);
    let x2 = xc * xc;
    let mut n = TANH_NUM[0];
    for &c in &TANH_NUM[1..] {
        n = x2.mul_add(n, c);
    }
    let n = xc * n;
    let mut d = TANH_DEN[0];
    for &c in &TANH_DEN[1..] {
        d = x2.mul_add(d, c);
    }
    if x.abs() < 0.0004 {
        x
    } else {
        ftz32(n / d)
    }
}

/// The logistic sigmoid as XLA:CPU expands `logistic`: `1 / (1 + exp(-x))`
/// with XLA's `exp` (so it is 0 once `exp(-x)` overflows, as in JAX).
#[inline(always)]
pub fn logistic_f32(x: f32) -> f32 {
    ftz32(1.0 / (1.0 + exp_f32(-x)))
}

/// The error function (XLA:CPU's f32 rational approximation).
#[inline(always)]
pub fn erf_f32(x: f32) -> f32 {
    let x = daz32(x);
    let x2 = x * x;
    let mut p = x2.mul_add(f(0x3970_2D51), f(0x3B5F_5DA2));
    for c in [f(0x3D50_B6EB), f(0x3E3D_A740), f(0x3F90_6EBA)] {
        p = x2.mul_add(p, c);
    }
    let mut q = x2.mul_add(f(0xB3FD_3906), f(0x37C5_88DF));
    for c in [
        f(0x3A85_6D28),
        f(0x3C66_87D4),
        f(0x3DE3_4C21),
        f(0x3EFE_B44A),
        1.0,
    ] {
        q = x2.mul_add(q, c);
    }
    let r = ftz32((x * p) / q);
    if x.abs() >= f(0x4075_47CB) {
        1.0f32.copysign(x)
    } else {
        r
    }
}

const ERF_INV_32_CENTRAL: [f32; 9] = [
    f(0x32F1_6588),
    f(0x34B8_4B36),
    f(0xB66C_7357),
    f(0xB693_5AC1),
    f(0x3965_32DB),
    f(0xBAA4_5408),
    f(0xBB88_E4EF),
    f(0x3E7C_8F63),
    f(0x3FC0_2E2F),
];
const ERF_INV_32_TAIL: [f32; 9] = [
    f(0xB951_F09B),
    f(0x38D3_B56B),
    f(0x3AB0_DC72),
    f(0xBB70_BDE7),
    f(0x3BBC_127B),
    f(0xBBF9_C5D7),
    f(0x3C1A_A57E),
    f(0x3F80_36DB),
    f(0x4035_4F7E),
];

/// The inverse error function (Giles' single-precision approximation, as
/// XLA expands `erf_inv`). `erf_inv(±1) = ±inf`; NaN outside `[-1, 1]`.
#[inline(always)]
pub fn erf_inv_f32(x: f32) -> f32 {
    let x = daz32(x);
    let w = -log1p_f32(x * -x);
    let central = horner32(&ERF_INV_32_CENTRAL, w - 2.5);
    let tail = horner32(&ERF_INV_32_TAIL, w.sqrt() - 3.0);
    let p = if w < 5.0 { central } else { tail };
    if x.abs() == 1.0 {
        x * f32::INFINITY
    } else {
        ftz32(p * x)
    }
}

/// `1/sqrt(x)` as XLA:CPU computes it: the hardware estimate (`rsqrtss`)
/// refined by Newton steps, one on AMD CPUs and two elsewhere (XLA's
/// `Rsqrt` intrinsic; AMD's estimate is the more accurate). Subnormal,
/// zero, negative and infinite inputs return the bare estimate, as XLA's do.
/// The estimate is not specified exactly by the architecture, so like JAX
/// the last bit can differ between CPU vendors. Off x86-64 this is
/// `1 / sqrt(x)`.
#[inline(always)]
pub fn rsqrt_f32(x: f32) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_cvtss_f32, _mm_rsqrt_ss, _mm_set_ss};
        // SAFETY: these SSE intrinsics only need SSE, which every x86-64 CPU
        // has (it is part of the x86-64 baseline); they touch no memory.
        // Tested by `tests/xla_math.rs` (rsqrt accuracy).
        let y0 = unsafe { _mm_cvtss_f32(_mm_rsqrt_ss(_mm_set_ss(x))) };
        if !(f32::MIN_POSITIVE..f32::INFINITY).contains(&x) {
            return y0;
        }
        let step = |y: f32| {
            let t = x * y;
            let h = y * -0.5;
            h.mul_add(t.mul_add(y, -1.0), y)
        };
        let y1 = step(y0);
        if rsqrt_newton_steps() == 1 {
            y1
        } else {
            step(y1)
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        1.0 / x.sqrt()
    }
}

/// How many Newton steps XLA:CPU refines `rsqrtss` with on this CPU: one on
/// AMD, two on every other vendor (0 off x86-64, where rsqrt is exact
/// division). Detected once.
#[cfg(not(target_arch = "x86_64"))]
pub fn rsqrt_newton_steps() -> u8 {
    0
}

/// How many Newton steps XLA:CPU refines `rsqrtss` with on this CPU: one on
/// AMD, two on every other vendor. Detected once.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn rsqrt_newton_steps() -> u8 {
    use std::sync::atomic::{AtomicU8, Ordering};
    static STEPS: AtomicU8 = AtomicU8::new(0);
    match STEPS.load(Ordering::Relaxed) {
        0 => {
            let steps = if cpu_is_amd() { 1 } else { 2 };
            STEPS.store(steps, Ordering::Relaxed);
            steps
        }
        steps => steps,
    }
}

/// Whether the CPU's vendor string is AMD's.
#[cfg(target_arch = "x86_64")]
#[cold]
fn cpu_is_amd() -> bool {
    // SAFETY: CPUID leaf 0 exists on every x86-64 CPU and only reads
    // identification registers (newer Rust marks `__cpuid` safe).
    #[allow(unused_unsafe)]
    let id = unsafe { std::arch::x86_64::__cpuid(0) };
    let mut vendor = [0u8; 12];
    vendor[..4].copy_from_slice(&id.ebx.to_le_bytes());
    vendor[4..8].copy_from_slice(&id.edx.to_le_bytes());
    vendor[8..].copy_from_slice(&id.ecx.to_le_bytes());
    &vendor == b"AuthenticAMD"
}

const LOG1P_NUM_64: [f64; 7] = [
    d(0x3F07_BC09_62B3_95CA),
    d(0x3FDF_E818_A0FE_1A83),
    d(0x401A_509F_46F4_FA53),
    d(0x403D_E973_8B8C_B9C9),
    d(0x404E_798E_B86C_3351),
    d(0x404C_8E75_9747_9A10),
    d(0x4034_0A20_2D99_830A),
];
const LOG1P_DEN_64: [f64; 7] = [
    1.0,
    d(0x402E_2035_9E90_3E37),
    d(0x4054_C30B_5221_3498),
    d(0x406B_B865_90FC_FB56),
    d(0x4073_5194_5DC9_08A5),
    d(0x406B_0DB1_3E48_E066),
    d(0x404E_0F30_4466_448E),
];

/// `ln(1 + x)` in f64 (XLA:CPU: a rational approximation near 0, the
/// system `log` of `1 + x` elsewhere).
#[inline(always)]
pub fn log1p_f64(x: f64) -> f64 {
    let x = daz64(x);
    if x.abs() < d(0x3FDA_8279_99FC_EF32) {
        let z = x * x;
        let ratio = horner64(&LOG1P_NUM_64, x) / horner64(&LOG1P_DEN_64, x);
        ftz64(x + ((z * -0.5) + ((x * z) * ratio)))
    } else {
        ftz64((x + 1.0).ln())
    }
}

/// `e^x` in f64 (XLA:CPU's Padé-style kernel).
#[inline(always)]
pub fn exp_f64(x: f64) -> f64 {
    const LO: f64 = d(0xC086_232B_DD7A_BCD2);
    const HI: f64 = d(0x4086_2E42_FEFA_39EF);
    let x = daz64(x);
    let xc = x.clamp(LO, HI); // NaN stays NaN
    let n = xc.mul_add(d(0x3FF7_1547_652B_82FE), 0.5).floor();
    let g = (-n).mul_add(d(0x3FE6_2E40_0000_0000), xc);
    let g = (-n).mul_add(d(0x3EB7_F7D1_CF79_ABCA), g);
    let gg = g * g;
    let px = gg
        .mul_add(d(0x3F20_89CD_D5E4_4BE8), d(0x3F9F_06D1_0CCA_2C7E))
        .mul_add(gg, 1.0)
        * g;
    let qx = gg
        .mul_add(d(0x3EC9_2EB6_BC36_5FA0), d(0x3F64_AE39_B508_B6C0))
        .mul_add(gg, d(0x3FCD_1709_9887_E074))
        .mul_add(gg, 2.0);
    let e = (px / (qx - px)).mul_add(2.0, 1.0);
    let ni = (n as i32).clamp(-2099, 2099);
    let b = ni >> 2;
    let pow2 = |k: i32| d(((k as i64) << 52).wrapping_add(0x3FF0_0000_0000_0000) as u64);
    let c = pow2(b);
    let r = ftz64(e * c * c * c * pow2(ni - 3 * b));
    if x < LO {
        0.0
    } else if x > HI {
        f64::INFINITY
    } else {
        r
    }
}

const ERF_INV_64_A: [f64; 23] = [
    d(0xBBB1_35D2_E746_E627),
    d(0xBC08_DDF9_3324_D327),
    d(0x3C37_B83E_EF0B_7C9F),
    d(0x3C69_BA72_CD58_9B91),
    d(0xBCA3_3689_090A_6B96),
    d(0x3C78_2E11_8981_32E0),
    d(0x3CFD_E4AC_FD9E_26BA),
    d(0xBD26_D33E_ED66_C487),
    d(0xBD36_F216_7040_D8E2),
    d(0x3D87_2A22_C2D7_7E20),
    d(0xBDAC_8859_C4E5_C0AF),
    d(0xBDCD_C583_D118_A561),
    d(0x3E12_0F47_CCF4_6B3C),
    d(0xBE31_A9E3_8DC8_4D60),
    d(0xBE5F_36CD_6D3D_46A9),
    d(0x3E9C_6B4F_5D03_B787),
    d(0xBEB6_E8A5_434A_E8A2),
    d(0xBEED_1D1F_7B87_36F6),
    d(0x3F28_79C2_A212_F024),
    d(0xBF48_4576_9484_FCA8),
    d(0xBF78_B6C3_3114_F909),
    d(0x3FCE_BD80_D9B1_3E28),
    d(0x3FFA_755E_7C99_AE86),
];
const ERF_INV_64_B: [f64; 19] = [
    d(0x3E23_040F_87DB_D932),
    d(0x3E78_5CBE_5287_8635),
    d(0xBE92_7774_53DD_3955),
    d(0x3E53_95AB_CD55_4C6C),
    d(0x3EB9_3638_8A37_90AD),
    d(0xBED0_D5DB_812B_5083),
    d(0x3EC8_860C_D5D6_52F6),
    d(0x3EEA_29A0_CACD_FB23),
    d(0xBF08_CEF1_F802_81F2),
    d(0x3F11_E684_D0B9_188A),
    d(0x3EF9_32CD_54C8_A222),
    d(0xBF37_448A_89EF_8AA3),
    d(0x3F4F_3CC5_5AD4_0C25),
    d(0xBF5B_A924_132F_38B1),
    d(0x3F64_68EE_CA53_3CF8),
    d(0xBF6E_BADA_BB89_1BBD),
    d(0x3F75_FFCF_E5B7_6AFC),
    d(0x3FF0_158A_6D64_1D39),
    d(0x4008_ABCC_380D_5A48),
];
const ERF_INV_64_C: [f64; 17] = [
    d(0xBDBD_CEC3_A778_5389),
    d(0xBDF1_8FEE_C0E3_8727),
    d(0x3E19_E6BF_2DDA_45E3),
    d(0xBE30_468F_B24E_2F5F),
    d(0x3E40_5AC6_A8FB_A182),
    d(0xBE50_102E_495F_B9C0),
    d(0x3E5F_4C20_E133_4AF8),
    d(0xBE72_2D22_0FDF_9C3E),
    d(0x3E8E_BC8B_B824_CB54),
    d(0xBEB0_A8D4_0EA3_72CC),
    d(0x3ED2_FBD2_9D09_3D2B),
    d(0xBEF4_A349_7E1E_0FAC),
    d(0x3F13_EBF4_EB00_938F),
    d(0xBF2C_2F36_A8FC_5D53),
    d(0xBF22_2EA5_DF04_047C),
    d(0x3FF0_2A30_D1FB_A0DC),
    d(0x4013_664D_DD1A_D7FB),
];

/// The inverse error function in f64 (Giles' double-precision
/// approximation, three ranges, as XLA expands `erf_inv`).
#[inline(always)]
pub fn erf_inv_f64(x: f64) -> f64 {
    let x = daz64(x);
    let w = -log1p_f64(x * -x);
    let p = if w < 6.25 {
        horner64(&ERF_INV_64_A, w - 3.125)
    } else if w < 16.0 {
        horner64(&ERF_INV_64_B, w.sqrt() - 3.25)
    } else {
        horner64(&ERF_INV_64_C, w.sqrt() - 5.0)
    };
    if x.abs() == 1.0 {
        x * f64::INFINITY
    } else {
        ftz64(p * x)
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod libm {
    extern "C" {
        pub fn erf(x: f64) -> f64;
    }
}

/// The error function in f64: the system libm's `erf`, as XLA:CPU calls it
/// (glibc on Linux); elsewhere jaxide's own [`super::erf_f64`].
#[inline]
pub fn erf_f64(x: f64) -> f64 {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: glibc's `erf` is a pure function of one double (no memory
        // access, no errno dependence of the result), linked with std on
        // linux-gnu. Tested against JAX by `tests/random_x64.rs`
        // (float64 truncated_normal).
        unsafe { libm::erf(x) }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        super::erf_f64(x)
    }
}
