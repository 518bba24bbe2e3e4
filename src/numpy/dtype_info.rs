//! Dtype queries: `finfo`, `iinfo`, `can_cast`, `issubdtype`, `isdtype`.

use crate::core::dtype::DType;

/// Machine limits of a float dtype (`jnp.finfo`). Values are exact in f64.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Finfo {
    /// The dtype described.
    pub dtype: DType,
    /// Storage bits.
    pub bits: u32,
    /// Explicit mantissa bits.
    pub nmant: u32,
    /// Exponent bits.
    pub nexp: u32,
    /// Smallest (most negative) power of two with a normal value.
    pub minexp: i32,
    /// First power of two that overflows.
    pub maxexp: i32,
    /// `2 ** -nmant`: the gap between 1 and the next value.
    pub eps: f64,
    /// `2 ** -(nmant + 1)`: the gap between 1 and the previous value.
    pub epsneg: f64,
    /// The largest finite value.
    pub max: f64,
    /// The most negative finite value (`-max`).
    pub min: f64,
    /// The smallest positive normal value (also `smallest_normal`).
    pub tiny: f64,
    /// The smallest positive normal value.
    pub smallest_normal: f64,
    /// The smallest positive subnormal value.
    pub smallest_subnormal: f64,
    /// Approximate decimal digits of precision.
    pub precision: u32,
    /// `10 ** -precision`.
    pub resolution: f64,
}

/// `jnp.finfo(dtype)`: limits of a float (or complex: of its parts) dtype.
pub fn finfo(dtype: DType) -> Finfo {
    let (bits, nmant, nexp, precision) = match dtype {
        DType::F16 => (16, 10, 5, 3),
        DType::BF16 => (16, 7, 8, 2),
        DType::F32 | DType::C64 => (32, 23, 8, 6),
        DType::F64 | DType::C128 => (64, 52, 11, 15),
        d => panic!("ValueError: data type {d} not inexact"),
    };
    let maxexp = 1i32 << (nexp - 1);
    let minexp = 2 - maxexp;
    let eps = 2f64.powi(-(nmant as i32));
    let max = (2.0 - eps) * 2f64.powi(maxexp - 1);
    let tiny = 2f64.powi(minexp);
    Finfo {
        dtype,
        bits,
        nmant,
        nexp,
        minexp,
        maxexp,
        eps,
        epsneg: eps / 2.0,
        max,
        min: -max,
        tiny,
        smallest_normal: tiny,
        smallest_subnormal: tiny * eps,
        precision,
        resolution: 10f64.powi(-(precision as i32)),
    }
}

/// Limits of an integer dtype (`jnp.iinfo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Iinfo {
    /// The dtype described.
    pub dtype: DType,
    /// Storage bits.
    pub bits: u32,
    /// The smallest value.
    pub min: i128,
    /// The largest value.
    pub max: i128,
}

/// `jnp.iinfo(dtype)`: limits of an integer (or bool) dtype.
pub fn iinfo(dtype: DType) -> Iinfo {
    let (bits, signed) = match dtype {
        DType::Bool => (8, false),
        DType::I8 => (8, true),
        DType::I16 => (16, true),
        DType::I32 => (32, true),
        DType::I64 => (64, true),
        DType::U8 => (8, false),
        DType::U16 => (16, false),
        DType::U32 => (32, false),
        DType::U64 => (64, false),
        d => panic!("ValueError: Invalid integer data type '{d}'."),
    };
    let (min, max) = if dtype == DType::Bool {
        (0, 1)
    } else if signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    };
    Iinfo {
        dtype,
        bits,
        min,
        max,
    }
}

/// NumPy's abstract dtype categories, for [`issubdtype`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DTypeCategory {
    /// Every numeric dtype and bool (`np.generic`).
    Generic,
    /// Numbers (`np.number`): everything but bool.
    Number,
    /// Integers, signed or not (`np.integer`).
    Integer,
    /// Signed integers (`np.signedinteger`).
    SignedInteger,
    /// Unsigned integers (`np.unsignedinteger`).
    UnsignedInteger,
    /// Floats and complex (`np.inexact`).
    Inexact,
    /// Real floats (`np.floating`).
    Floating,
    /// Complex floats (`np.complexfloating`).
    ComplexFloating,
}

/// Something [`issubdtype`] can test against: a concrete dtype or a category.
pub trait DTypeLike {
    /// Whether `d` belongs.
    fn contains(&self, d: DType) -> bool;
}

impl DTypeLike for DType {
    fn contains(&self, d: DType) -> bool {
        *self == d
    }
}

impl DTypeLike for DTypeCategory {
    fn contains(&self, d: DType) -> bool {
        use DTypeCategory::*;
        match self {
            Generic => d != DType::Float0,
            Number => d != DType::Bool && d != DType::Float0,
            Integer => d.is_int(),
            SignedInteger => d.is_int() && !d.is_unsigned(),
            UnsignedInteger => d.is_int() && d.is_unsigned(),
            Inexact => d.is_inexact(),
            Floating => d.is_float(),
            ComplexFloating => d.is_complex(),
        }
    }
}

/// `jnp.issubdtype(arg1, arg2)`: whether dtype `arg1` is `arg2` or lies in
/// category `arg2`.
pub fn issubdtype(arg1: DType, arg2: impl DTypeLike) -> bool {
    arg2.contains(arg1)
}

/// A kind name of the array API's `isdtype` (`"bool"`, `"signed integer"`,
/// `"unsigned integer"`, `"integral"`, `"real floating"`,
/// `"complex floating"`, `"numeric"`), or a dtype.
pub enum IsDTypeKind<'a> {
    /// A kind string.
    Kind(&'a str),
    /// One dtype.
    DType(DType),
}

impl<'a> From<&'a str> for IsDTypeKind<'a> {
    fn from(s: &'a str) -> Self {
        IsDTypeKind::Kind(s)
    }
}

impl From<DType> for IsDTypeKind<'_> {
    fn from(d: DType) -> Self {
        IsDTypeKind::DType(d)
    }
}

/// `jnp.isdtype(dtype, kind)`: the array API's dtype-kind test; `kinds` is
/// one kind or several (any matches).
pub fn isdtype<'a, K: Into<IsDTypeKind<'a>>>(
    dtype: DType,
    kinds: impl IntoIterator<Item = K>,
) -> bool {
    kinds.into_iter().any(|k| match k.into() {
        IsDTypeKind::DType(d) => d == dtype,
        IsDTypeKind::Kind(s) => match s {
            "bool" => dtype == DType::Bool,
            "signed integer" => dtype.is_int() && !dtype.is_unsigned(),
            "unsigned integer" => dtype.is_int() && dtype.is_unsigned(),
            "integral" => dtype.is_int(),
            "real floating" => dtype.is_float(),
            "complex floating" => dtype.is_complex(),
            "numeric" => dtype != DType::Bool && dtype != DType::Float0,
            other => panic!(
                "ValueError: Unrecognized data type kind: '{other}'. Expected one of 'bool', \
                 'signed integer', 'unsigned integer', 'integral', 'real floating', 'complex \
                 floating', 'numeric'."
            ),
        },
    })
}

/// `jnp.can_cast(from, to, casting="safe")`: whether NumPy casts `from` to
/// `to` without losing information.
pub fn can_cast(from: DType, to: DType) -> bool {
    use DType::*;
    if from == to || from == Bool {
        return to != Float0;
    }
    let int_bits = |d: DType| match d {
        I8 | U8 => 8,
        I16 | U16 => 16,
        I32 | U32 => 32,
        I64 | U64 => 64,
        _ => 0,
    };
    // Mantissa bits (with the implicit one) a float can hold exactly.
    let float_mant = |d: DType| match d {
        F16 => 11,
        BF16 => 8,
        F32 | C64 => 24,
        F64 | C128 => 53,
        _ => 0,
    };
    match (from, to) {
        (_, Bool) | (_, Float0) | (Float0, _) => false,
        (f, t) if f.is_int() && t.is_int() => {
            let (fb, tb) = (int_bits(f), int_bits(t));
            match (f.is_unsigned(), t.is_unsigned()) {
                (true, true) | (false, false) => fb <= tb,
                (true, false) => fb < tb,
                (false, true) => false,
            }
        }
        (f, t) if f.is_int() && t.is_inexact() => {
            // NumPy (and ml_dtypes for bfloat16): 8-bit ints -> any float;
            // 16-bit -> float32 and up; wider -> float64 and up.
            let need = match int_bits(f) {
                8 => 8,
                16 => 24,
                _ => 53,
            };
            float_mant(t) >= need
        }
        (BF16, t) => matches!(t, F32 | F64 | C64 | C128),
        (F16, t) => matches!(t, F32 | F64 | C64 | C128),
        (F32, t) => matches!(t, F64 | C64 | C128),
        (F64, t) => t == C128,
        (C64, t) => t == C128,
        _ => false,
    }
}
