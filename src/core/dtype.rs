//! Element types (`DType`) and their static properties.
//!
//! Names follow NumPy/JAX (`float32`, `int32`, `bfloat16`, ...). Promotion
//! between dtypes lives in [`crate::core::promotion`].

use std::fmt;

/// An array element type.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F16,
    BF16,
    F32,
    F64,
    /// `complex64`: two `float32`s (real, imaginary).
    C64,
    /// `complex128`: two `float64`s; canonicalized to `complex64` without x64.
    C128,
    /// JAX's `float0`: the zero-size tangent type of integer and bool values
    /// (what `grad(f, allow_int=True)` returns for them). Holds no data and
    /// takes part in no operation; it is not in [`DType::ALL`].
    Float0,
}

/// The broad kind of a dtype, used by promotion and by op validation.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum DTypeKind {
    Bool,
    SignedInt,
    UnsignedInt,
    Float,
    Complex,
    /// `float0` (no values).
    Float0,
}

impl DType {
    /// Every dtype, in a fixed order (useful for exhaustive tests).
    pub const ALL: [DType; 15] = [
        DType::Bool,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::U16,
        DType::U32,
        DType::U64,
        DType::F16,
        DType::BF16,
        DType::F32,
        DType::F64,
        DType::C64,
        DType::C128,
    ];

    /// NumPy's name for the dtype, e.g. `"float32"`.
    pub const fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::U8 => "uint8",
            DType::U16 => "uint16",
            DType::U32 => "uint32",
            DType::U64 => "uint64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::C64 => "complex64",
            DType::C128 => "complex128",
            DType::Float0 => "float0",
        }
    }

    /// Parses NumPy's name for a dtype.
    pub fn from_name(name: &str) -> Option<DType> {
        if name == "float0" {
            return Some(DType::Float0);
        }
        DType::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Size of one element in bytes (`bool` is one byte).
    pub const fn size_of(self) -> usize {
        match self {
            DType::Bool | DType::I8 | DType::U8 => 1,
            DType::I16 | DType::U16 | DType::F16 | DType::BF16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 | DType::C64 => 8,
            DType::C128 => 16,
            DType::Float0 => 0,
        }
    }

    /// The broad kind of this dtype.
    pub const fn kind(self) -> DTypeKind {
        match self {
            DType::Bool => DTypeKind::Bool,
            DType::I8 | DType::I16 | DType::I32 | DType::I64 => DTypeKind::SignedInt,
            DType::U8 | DType::U16 | DType::U32 | DType::U64 => DTypeKind::UnsignedInt,
            DType::F16 | DType::BF16 | DType::F32 | DType::F64 => DTypeKind::Float,
            DType::C64 | DType::C128 => DTypeKind::Complex,
            DType::Float0 => DTypeKind::Float0,
        }
    }

    /// True for real floating-point dtypes (NumPy's `floating`).
    pub const fn is_float(self) -> bool {
        matches!(self.kind(), DTypeKind::Float)
    }

    /// True for complex dtypes (NumPy's `complexfloating`).
    pub const fn is_complex(self) -> bool {
        matches!(self.kind(), DTypeKind::Complex)
    }

    /// True for real or complex floating-point dtypes (NumPy's `inexact`).
    pub const fn is_inexact(self) -> bool {
        matches!(self.kind(), DTypeKind::Float | DTypeKind::Complex)
    }

    /// The real dtype of the same width: `complex64` → `float32`,
    /// `complex128` → `float64`; other dtypes are returned unchanged.
    pub const fn real_dtype(self) -> DType {
        match self {
            DType::C64 => DType::F32,
            DType::C128 => DType::F64,
            d => d,
        }
    }

    /// The complex dtype with this real part: `float64` → `complex128`, any
    /// other dtype → `complex64` (NumPy's and JAX's `dtypes.to_complex_dtype`).
    pub const fn complex_dtype(self) -> DType {
        match self {
            DType::F64 | DType::C128 => DType::C128,
            _ => DType::C64,
        }
    }

    /// True for signed or unsigned integer dtypes (not bool).
    pub const fn is_int(self) -> bool {
        matches!(self.kind(), DTypeKind::SignedInt | DTypeKind::UnsignedInt)
    }

    /// True for unsigned integer dtypes.
    pub const fn is_unsigned(self) -> bool {
        matches!(self.kind(), DTypeKind::UnsignedInt)
    }

    /// True for signed integer dtypes.
    pub const fn is_signed_int(self) -> bool {
        matches!(self.kind(), DTypeKind::SignedInt)
    }

    /// True for `bool`.
    pub const fn is_bool(self) -> bool {
        matches!(self, DType::Bool)
    }

    /// True for 64-bit dtypes, which are canonicalized away when x64 is off.
    pub const fn is_64bit(self) -> bool {
        matches!(self, DType::I64 | DType::U64 | DType::F64 | DType::C128)
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for d in DType::ALL {
            assert_eq!(DType::from_name(d.name()), Some(d));
        }
        assert_eq!(DType::from_name("complex64"), Some(DType::C64));
        assert_eq!(DType::from_name("complex32"), None);
    }

    #[test]
    fn kinds_partition_the_dtypes() {
        let floats = DType::ALL.iter().filter(|d| d.is_float()).count();
        let ints = DType::ALL.iter().filter(|d| d.is_int()).count();
        let complexes = DType::ALL.iter().filter(|d| d.is_complex()).count();
        assert_eq!((floats, ints, complexes), (4, 8, 2));
        assert_eq!(DType::C128.size_of(), 16);
        assert_eq!(DType::C64.real_dtype(), DType::F32);
        assert_eq!(DType::BF16.size_of(), 2);
    }
}
