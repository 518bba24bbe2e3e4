//! Rust element types that map to dtypes, and conversions between them.
//!
//! [`Element`] is implemented for `bool`, the integer types, `half::f16`,
//! `half::bf16`, `f32`, `f64`, and [`Complex32`]/[`Complex64`]
//! (`num_complex`'s `#[repr(C)]` pair of real and imaginary parts). In buffers a `bool` is stored as one byte
//! holding 0 or 1; kernels see it as `u8` ([`Element::Storage`]).

use super::dtype::DType;
use half::{bf16, f16};
pub use num_complex::{Complex32, Complex64};

/// A Rust type that can be an array element.
pub trait Element: Copy + Send + Sync + std::fmt::Debug + PartialEq + 'static {
    /// The dtype this type maps to.
    const DTYPE: DType;
    /// How the value is stored in a buffer (`u8` for `bool`, `Self` otherwise).
    type Storage: Pod;
    /// Converts to the stored form.
    fn to_storage(self) -> Self::Storage;
    /// Converts from the stored form.
    fn from_storage(s: Self::Storage) -> Self;
    /// Value as f64 (exact for all but large 64-bit integers; the real
    /// part of a complex value).
    fn to_f64(self) -> f64;
    /// Value as complex128 (imaginary part 0 for real types).
    fn to_c128(self) -> Complex64 {
        Complex64::new(self.to_f64(), 0.0)
    }
}

/// Plain-old-data storage types: any bit pattern written by a kernel is valid.
///
/// Implemented only for the numeric primitive types and `half` floats.
pub trait Pod: Copy + Send + Sync + Default + PartialEq + std::fmt::Debug + 'static {
    /// The dtype whose storage this is (bool reports `uint8`).
    const STORAGE_DTYPE: DType;
}

macro_rules! impl_element {
    ($($t:ty => $d:ident),*) => {$(
        impl Pod for $t { const STORAGE_DTYPE: DType = DType::$d; }
        impl Element for $t {
            const DTYPE: DType = DType::$d;
            type Storage = $t;
            #[inline(always)]
            fn to_storage(self) -> $t { self }
            #[inline(always)]
            fn from_storage(s: $t) -> $t { s }
            #[inline(always)]
            fn to_f64(self) -> f64 { CastInto::<f64>::cast(self) }
            #[inline(always)]
            fn to_c128(self) -> Complex64 { CastInto::<Complex64>::cast(self) }
        }
    )*};
}
impl_element!(i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16,
    u32 => U32, u64 => U64, f16 => F16, bf16 => BF16, f32 => F32, f64 => F64,
    Complex32 => C64, Complex64 => C128);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    type Storage = u8;
    #[inline(always)]
    fn to_storage(self) -> u8 {
        self as u8
    }
    #[inline(always)]
    fn from_storage(s: u8) -> bool {
        s != 0
    }
    fn to_f64(self) -> f64 {
        self as u8 as f64
    }
}

/// Numeric conversion with `as` semantics (floats to ints saturate, NaN → 0),
/// going through `f32` for the half-precision types.
pub trait CastInto<T>: Copy {
    /// Converts `self` to `T`.
    fn cast(self) -> T;
}

macro_rules! impl_cast_prim {
    ($($a:ty),*) => { impl_cast_prim!(@outer [$($a),*] [$($a),*]); };
    (@outer [$($a:ty),*] $bs:tt) => { $( impl_cast_prim!(@inner $a $bs); )* };
    (@inner $a:ty [$($b:ty),*]) => { $(
        impl CastInto<$b> for $a {
            #[inline(always)]
            fn cast(self) -> $b { self as $b }
        }
    )* };
}
impl_cast_prim!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

macro_rules! impl_cast_half {
    ($h:ty; $($b:ty),*) => { $(
        impl CastInto<$b> for $h {
            #[inline(always)]
            fn cast(self) -> $b { self.to_f32() as $b }
        }
        impl CastInto<$h> for $b {
            #[inline(always)]
            fn cast(self) -> $h { <$h>::from_f32(self as f32) }
        }
    )* };
}
impl_cast_half!(f16; i8, i16, i32, i64, u8, u16, u32, u64, f32);
impl_cast_half!(bf16; i8, i16, i32, i64, u8, u16, u32, u64, f32);

impl CastInto<f64> for f16 {
    #[inline(always)]
    fn cast(self) -> f64 {
        self.to_f64()
    }
}
impl CastInto<f16> for f64 {
    /// One rounding, as for bfloat16 below.
    #[inline(always)]
    fn cast(self) -> f16 {
        f16::from_f32(f64_to_f32_round_to_odd(self))
    }
}
impl CastInto<f64> for bf16 {
    #[inline(always)]
    fn cast(self) -> f64 {
        self.to_f64()
    }
}
impl CastInto<bf16> for f64 {
    /// One rounding (to nearest even), as XLA and ml_dtypes convert:
    /// through float32 rounded to odd, which cannot round twice.
    #[inline(always)]
    fn cast(self) -> bf16 {
        bf16::from_f32(f64_to_f32_round_to_odd(self))
    }
}

/// `x` as float32, rounded to odd when inexact (truncate toward zero, then
/// set the last bit). A later rounding to a narrower float then equals one
/// direct rounding of `x`.
fn f64_to_f32_round_to_odd(x: f64) -> f32 {
    let r = x as f32;
    if !r.is_finite() || r as f64 == x {
        return r;
    }
    let mut bits = r.to_bits();
    if (r as f64).abs() > x.abs() {
        // Rounded away from zero: step one unit toward zero.
        bits -= 1;
    }
    f32::from_bits(bits | 1)
}
impl CastInto<f16> for f16 {
    #[inline(always)]
    fn cast(self) -> f16 {
        self
    }
}
impl CastInto<bf16> for bf16 {
    #[inline(always)]
    fn cast(self) -> bf16 {
        self
    }
}
impl CastInto<bf16> for f16 {
    #[inline(always)]
    fn cast(self) -> bf16 {
        bf16::from_f32(self.to_f32())
    }
}
impl CastInto<f16> for bf16 {
    #[inline(always)]
    fn cast(self) -> f16 {
        f16::from_f32(self.to_f32())
    }
}

// Complex conversions as NumPy/JAX do them: a real value becomes
// `re + 0j`; a complex value converted to a real dtype keeps its real part.
macro_rules! impl_cast_complex {
    ($($b:ty),*) => { $(
        impl CastInto<$b> for Complex32 {
            #[inline(always)]
            fn cast(self) -> $b { CastInto::<$b>::cast(self.re) }
        }
        impl CastInto<$b> for Complex64 {
            #[inline(always)]
            fn cast(self) -> $b { CastInto::<$b>::cast(self.re) }
        }
        impl CastInto<Complex32> for $b {
            #[inline(always)]
            fn cast(self) -> Complex32 { Complex32::new(CastInto::<f32>::cast(self), 0.0) }
        }
        impl CastInto<Complex64> for $b {
            #[inline(always)]
            fn cast(self) -> Complex64 { Complex64::new(CastInto::<f64>::cast(self), 0.0) }
        }
    )* };
}
impl_cast_complex!(i8, i16, i32, i64, u8, u16, u32, u64, f16, bf16, f32, f64);

impl CastInto<Complex32> for Complex32 {
    #[inline(always)]
    fn cast(self) -> Complex32 {
        self
    }
}
impl CastInto<Complex64> for Complex64 {
    #[inline(always)]
    fn cast(self) -> Complex64 {
        self
    }
}
impl CastInto<Complex64> for Complex32 {
    #[inline(always)]
    fn cast(self) -> Complex64 {
        Complex64::new(self.re as f64, self.im as f64)
    }
}
impl CastInto<Complex32> for Complex64 {
    #[inline(always)]
    fn cast(self) -> Complex32 {
        Complex32::new(self.re as f32, self.im as f32)
    }
}

/// Expands `$body` once with `$t` bound to the storage type of `$dtype`
/// (`u8` for bool). The one place that maps runtime dtypes to Rust types:
/// complex dtypes here, the real ones in [`with_real_storage_type!`].
#[macro_export]
#[doc(hidden)]
macro_rules! with_storage_type {
    ($dtype:expr, $t:ident => $body:expr) => {
        match $dtype {
            $crate::DType::C64 => {
                type $t = $crate::core::element::Complex32;
                $body
            }
            $crate::DType::C128 => {
                type $t = $crate::core::element::Complex64;
                $body
            }
            $crate::DType::Float0 => {
                panic!("TypeError: float0 arrays hold no values (they are the gradients of integer inputs).")
            }
            real => $crate::with_real_storage_type!(real, $t => $body),
        }
    };
}

/// [`with_storage_type!`] for kernels that need ordered (real) elements:
/// complex dtypes panic (abstract eval rejects them before a kernel runs).
#[macro_export]
#[doc(hidden)]
macro_rules! with_real_storage_type {
    ($dtype:expr, $t:ident => $body:expr) => {
        match $dtype {
            $crate::DType::Bool => {
                type $t = u8;
                $body
            }
            $crate::DType::F16 => {
                type $t = half::f16;
                $body
            }
            $crate::DType::BF16 => {
                type $t = half::bf16;
                $body
            }
            $crate::DType::F32 => {
                type $t = f32;
                $body
            }
            $crate::DType::F64 => {
                type $t = f64;
                $body
            }
            d @ ($crate::DType::C64 | $crate::DType::C128 | $crate::DType::Float0) => {
                unreachable!("{d} reached a kernel for real dtypes")
            }
            ints => $crate::with_int_storage_type!(ints, $t => $body),
        }
    };
}

/// [`with_storage_type!`] for the integer dtypes only (`int8` … `uint64`):
/// kernels match their float, bool and complex arms first and hand the
/// rest here. Any other dtype is an internal error.
#[macro_export]
#[doc(hidden)]
macro_rules! with_int_storage_type {
    ($dtype:expr, $t:ident => $body:expr) => {
        match $dtype {
            $crate::DType::I8 => {
                type $t = i8;
                $body
            }
            $crate::DType::I16 => {
                type $t = i16;
                $body
            }
            $crate::DType::I32 => {
                type $t = i32;
                $body
            }
            $crate::DType::I64 => {
                type $t = i64;
                $body
            }
            $crate::DType::U8 => {
                type $t = u8;
                $body
            }
            $crate::DType::U16 => {
                type $t = u16;
                $body
            }
            $crate::DType::U32 => {
                type $t = u32;
                $body
            }
            $crate::DType::U64 => {
                type $t = u64;
                $body
            }
            d => unreachable!("{d} reached an integer kernel"),
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_follow_as_semantics() {
        assert_eq!(CastInto::<i32>::cast(f32::NAN), 0);
        assert_eq!(CastInto::<i8>::cast(300.0f32), 127);
        assert_eq!(CastInto::<f32>::cast(f16::from_f32(1.5)), 1.5);
        assert_eq!(CastInto::<bf16>::cast(3i32), bf16::from_f32(3.0));
        assert!(bool::from_storage(2));
    }
}
