//! Elementwise primitives: unary math, binary arithmetic, comparisons,
//! select, dtype conversion and integer powers.
//!
//! Operands of binary ops must have equal shapes and dtypes, except that a
//! rank-0 operand broadcasts against the other (jnp inserts every other
//! broadcast explicitly). Outputs are weak-typed only when every input is.
//!
//! | primitive | file |
//! |---|---|
//! | unary math (`exp`, `neg`, ...) | `unary.rs` |
//! | binary arithmetic (`add`, `max`, ...) | `binary.rs` |
//! | comparisons | `compare.rs` |
//! | `select_n` | `select.rs` |
//! | `convert_element_type` | `convert.rs` |
//! | `integer_pow` | `integer_pow.rs` |
//! | `bitcast_convert_type` | `bitcast.rs` |
//! | `fma` (fused multiply-add) | `fma.rs` |
//! | `real`, `imag`, `conj`, `complex` | `complex.rs` |

mod binary;
mod bitcast;
mod compare;
mod complex;
mod convert;
mod fma;
mod integer_pow;
mod select;
mod unary;

pub use binary::Binary;
pub use bitcast::{bitcast_convert_type, BitcastConvertType};
pub use compare::Compare;
pub use complex::{complex, conj, imag, real, ComplexPart, Conj, MakeComplex};
pub use convert::ConvertElementType;
pub use fma::{fma, Fma};
pub use integer_pow::IntegerPow;
pub use select::Select;
pub use unary::Unary;

use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::trace::bind1;
use crate::ir::{BinaryOp, CompareOp, UnaryOp};

// ---------------------------------------------------------------- wrappers

/// Applies a unary primitive.
pub fn unary(op: UnaryOp, x: &Array) -> Array {
    bind1(&Unary { op }.into(), &[x])
}

/// Applies a binary primitive (operands need equal dtypes and shapes, or a rank-0 side).
pub fn binary(op: BinaryOp, x: &Array, y: &Array) -> Array {
    bind1(&Binary { op }.into(), &[x, y])
}

/// Applies a comparison primitive.
pub fn compare(op: CompareOp, x: &Array, y: &Array) -> Array {
    bind1(&Compare { op }.into(), &[x, y])
}

/// `select_n(pred, on_false, on_true)`: `on_true` where `pred`, else `on_false`.
pub fn select(pred: &Array, on_true: &Array, on_false: &Array) -> Array {
    bind1(&Select.into(), &[pred, on_false, on_true])
}

/// Converts to `new_dtype` (strong-typed result). A no-op when the dtype already matches.
pub fn convert_element_type(x: &Array, new_dtype: DType) -> Array {
    if x.dtype() == new_dtype && !x.weak_type() {
        return x.clone();
    }
    convert_element_type_weak(x, new_dtype, false)
}

/// Converts to `new_dtype` with an explicit weak-type flag on the result.
pub fn convert_element_type_weak(x: &Array, new_dtype: DType, weak_type: bool) -> Array {
    if x.dtype() == new_dtype && x.weak_type() == weak_type {
        return x.clone();
    }
    let prim = ConvertElementType {
        new_dtype,
        weak_type,
    };
    if !x.is_tracer() && x.ndim() == 0 {
        // A concrete scalar (a Rust literal) is converted now, as JAX converts
        // Python scalars with NumPy, so staged programs show it as a literal.
        return crate::lax::Primitive::from(prim).eval(&[x]).remove(0);
    }
    bind1(&prim.into(), &[x])
}

/// `x ** y` for a static integer `y`.
pub fn integer_pow(x: &Array, y: i32) -> Array {
    bind1(&IntegerPow { y }.into(), &[x])
}

macro_rules! unary_wrappers {
    ($($fname:ident => $op:ident),* $(,)?) => {$(
        #[doc = concat!("Elementwise `", stringify!($fname), "` (the `", stringify!($fname), "` primitive).")]
        pub fn $fname(x: &Array) -> Array { unary(UnaryOp::$op, x) }
    )*};
}
unary_wrappers!(neg => Neg, abs => Abs, sign => Sign, floor => Floor, ceil => Ceil,
    round => Round, is_finite => IsFinite, exp => Exp, exp2 => Exp2, expm1 => Expm1,
    log => Log, log1p => Log1p, sin => Sin, cos => Cos, tan => Tan, asin => Asin,
    acos => Acos, atan => Atan, sinh => Sinh, cosh => Cosh, tanh => Tanh, asinh => Asinh,
    acosh => Acosh, atanh => Atanh, sqrt => Sqrt, rsqrt => Rsqrt, cbrt => Cbrt,
    logistic => Logistic, erf => Erf, erfc => Erfc, erf_inv => ErfInv, bessel_i0e => BesselI0e, bessel_i1e => BesselI1e, square => Square,
    not => Not);

macro_rules! binary_wrappers {
    ($($fname:ident => $op:ident),* $(,)?) => {$(
        #[doc = concat!("Elementwise `", stringify!($fname), "` (equal dtypes; equal shapes or a rank-0 side).")]
        pub fn $fname(x: &Array, y: &Array) -> Array { binary(BinaryOp::$op, x, y) }
    )*};
}
binary_wrappers!(add => Add, sub => Sub, mul => Mul, div => Div, rem => Rem, pow => Pow,
    max => Max, min => Min, atan2 => Atan2, bitwise_and => And, bitwise_or => Or,
    bitwise_xor => Xor, shift_left => ShiftLeft,
    shift_right_arithmetic => ShiftRightArithmetic, shift_right_logical => ShiftRightLogical);

macro_rules! compare_wrappers {
    ($($fname:ident => $op:ident),* $(,)?) => {$(
        #[doc = concat!("Elementwise comparison `", stringify!($fname), "`, producing bool.")]
        pub fn $fname(x: &Array, y: &Array) -> Array { compare(CompareOp::$op, x, y) }
    )*};
}
compare_wrappers!(eq => Eq, ne => Ne, lt => Lt, le => Le, gt => Gt, ge => Ge);
