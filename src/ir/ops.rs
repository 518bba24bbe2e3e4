//! Elementwise and reduction operation names shared by primitives and backends.

/// One-input elementwise operations.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnaryOp {
    Neg,
    Abs,
    Sign,
    Floor,
    Ceil,
    /// Round half to even (`jnp.round`, `jnp.rint`).
    Round,
    IsFinite,
    Exp,
    Exp2,
    Expm1,
    Log,
    Log1p,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Sqrt,
    Rsqrt,
    Cbrt,
    Logistic,
    Erf,
    /// The complementary error function `1 - erf(x)` (`lax.erfc`).
    Erfc,
    /// Inverse error function (`lax.erf_inv`).
    ErfInv,
    /// Exponentially scaled modified Bessel function of order 0 (`lax.bessel_i0e`).
    BesselI0e,
    /// Exponentially scaled modified Bessel function of order 1 (`lax.bessel_i1e`).
    BesselI1e,
    Square,
    /// Logical not for bool, bitwise not for integers.
    Not,
}

impl UnaryOp {
    /// Every unary op (for exhaustive tests).
    pub const ALL: [UnaryOp; 35] = [
        UnaryOp::Neg,
        UnaryOp::Abs,
        UnaryOp::Sign,
        UnaryOp::Floor,
        UnaryOp::Ceil,
        UnaryOp::Round,
        UnaryOp::IsFinite,
        UnaryOp::Exp,
        UnaryOp::Exp2,
        UnaryOp::Expm1,
        UnaryOp::Log,
        UnaryOp::Log1p,
        UnaryOp::Sin,
        UnaryOp::Cos,
        UnaryOp::Tan,
        UnaryOp::Asin,
        UnaryOp::Acos,
        UnaryOp::Atan,
        UnaryOp::Sinh,
        UnaryOp::Cosh,
        UnaryOp::Tanh,
        UnaryOp::Asinh,
        UnaryOp::Acosh,
        UnaryOp::Atanh,
        UnaryOp::Sqrt,
        UnaryOp::Rsqrt,
        UnaryOp::Cbrt,
        UnaryOp::Logistic,
        UnaryOp::Erf,
        UnaryOp::Erfc,
        UnaryOp::ErfInv,
        UnaryOp::BesselI0e,
        UnaryOp::BesselI1e,
        UnaryOp::Square,
        UnaryOp::Not,
    ];

    /// JAX's primitive name, as printed in jaxprs.
    pub const fn name(self) -> &'static str {
        use UnaryOp::*;
        match self {
            Neg => "neg",
            Abs => "abs",
            Sign => "sign",
            Floor => "floor",
            Ceil => "ceil",
            Round => "round",
            IsFinite => "is_finite",
            Exp => "exp",
            Exp2 => "exp2",
            Expm1 => "expm1",
            Log => "log",
            Log1p => "log1p",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Asin => "asin",
            Acos => "acos",
            Atan => "atan",
            Sinh => "sinh",
            Cosh => "cosh",
            Tanh => "tanh",
            Asinh => "asinh",
            Acosh => "acosh",
            Atanh => "atanh",
            Sqrt => "sqrt",
            Rsqrt => "rsqrt",
            Cbrt => "cbrt",
            Logistic => "logistic",
            Erf => "erf",
            Erfc => "erfc",
            ErfInv => "erf_inv",
            BesselI0e => "bessel_i0e",
            BesselI1e => "bessel_i1e",
            Square => "square",
            Not => "not",
        }
    }

    /// Which input dtypes the op accepts.
    pub const fn domain(self) -> OpDomain {
        use UnaryOp::*;
        match self {
            Neg | Abs | Sign | Square => OpDomain::Numeric,
            Not => OpDomain::IntOrBool,
            Floor | Ceil | Round | IsFinite | Cbrt | Erf | Erfc | ErfInv | BesselI0e
            | BesselI1e => OpDomain::Float,
            Exp | Exp2 | Expm1 | Log | Log1p | Sin | Cos | Tan | Asin | Acos | Atan | Sinh
            | Cosh | Tanh | Asinh | Acosh | Atanh | Sqrt | Rsqrt | Logistic => OpDomain::Inexact,
        }
    }
}

/// Two-input elementwise operations.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    /// Division; truncating for integers (C semantics), as `lax.div`.
    Div,
    /// Remainder with the sign of the dividend (C `fmod`), as `lax.rem`.
    Rem,
    Pow,
    Max,
    Min,
    Atan2,
    And,
    Or,
    Xor,
    ShiftLeft,
    ShiftRightArithmetic,
    ShiftRightLogical,
}

impl BinaryOp {
    /// Every binary op.
    pub const ALL: [BinaryOp; 15] = [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Rem,
        BinaryOp::Pow,
        BinaryOp::Max,
        BinaryOp::Min,
        BinaryOp::Atan2,
        BinaryOp::And,
        BinaryOp::Or,
        BinaryOp::Xor,
        BinaryOp::ShiftLeft,
        BinaryOp::ShiftRightArithmetic,
        BinaryOp::ShiftRightLogical,
    ];

    /// JAX's primitive name.
    pub const fn name(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Add => "add",
            Sub => "sub",
            Mul => "mul",
            Div => "div",
            Rem => "rem",
            Pow => "pow",
            Max => "max",
            Min => "min",
            Atan2 => "atan2",
            And => "and",
            Or => "or",
            Xor => "xor",
            ShiftLeft => "shift_left",
            ShiftRightArithmetic => "shift_right_arithmetic",
            ShiftRightLogical => "shift_right_logical",
        }
    }

    /// Which input dtypes the op accepts.
    pub const fn domain(self) -> OpDomain {
        use BinaryOp::*;
        match self {
            Add | Sub | Mul | Div | Max | Min => OpDomain::Any,
            Rem => OpDomain::Real,
            Pow | Atan2 => OpDomain::Inexact,
            And | Or | Xor => OpDomain::IntOrBool,
            ShiftLeft | ShiftRightArithmetic | ShiftRightLogical => OpDomain::Int,
        }
    }
}

/// Elementwise comparisons, producing bool.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    /// Every comparison.
    pub const ALL: [CompareOp; 6] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Lt,
        CompareOp::Le,
        CompareOp::Gt,
        CompareOp::Ge,
    ];

    /// JAX's primitive name.
    pub const fn name(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
        }
    }
}

/// Reductions over axes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReduceOp {
    Sum,
    Prod,
    Max,
    Min,
    /// Logical and over bools (`all`).
    And,
    /// Logical or over bools (`any`).
    Or,
    /// Index of the maximum (first on ties; NaN counts as the maximum).
    ArgMax,
    /// Index of the minimum (first on ties; NaN counts as the minimum).
    ArgMin,
}

impl ReduceOp {
    /// Every reduction.
    pub const ALL: [ReduceOp; 8] = [
        ReduceOp::Sum,
        ReduceOp::Prod,
        ReduceOp::Max,
        ReduceOp::Min,
        ReduceOp::And,
        ReduceOp::Or,
        ReduceOp::ArgMax,
        ReduceOp::ArgMin,
    ];

    /// JAX's primitive name.
    pub const fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "reduce_sum",
            ReduceOp::Prod => "reduce_prod",
            ReduceOp::Max => "reduce_max",
            ReduceOp::Min => "reduce_min",
            ReduceOp::And => "reduce_and",
            ReduceOp::Or => "reduce_or",
            ReduceOp::ArgMax => "argmax",
            ReduceOp::ArgMin => "argmin",
        }
    }
}

/// Cumulative (scan-like) reductions along one axis.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CumulativeOp {
    Sum,
    Prod,
    Max,
    Min,
}

impl CumulativeOp {
    /// Every cumulative op.
    pub const ALL: [CumulativeOp; 4] = [
        CumulativeOp::Sum,
        CumulativeOp::Prod,
        CumulativeOp::Max,
        CumulativeOp::Min,
    ];

    /// JAX's primitive name.
    pub const fn name(self) -> &'static str {
        match self {
            CumulativeOp::Sum => "cumsum",
            CumulativeOp::Prod => "cumprod",
            CumulativeOp::Max => "cummax",
            CumulativeOp::Min => "cummin",
        }
    }
}

/// The dtypes an elementwise op accepts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OpDomain {
    /// Every dtype.
    Any,
    /// Integers, floats and complex numbers (not bool).
    Numeric,
    /// Integers and real floats (not bool, not complex).
    Real,
    /// Real floating point only.
    Float,
    /// Real or complex floating point.
    Inexact,
    /// Integers only.
    Int,
    /// Integers and bool.
    IntOrBool,
}

impl OpDomain {
    /// Whether `d` is in the domain.
    pub fn accepts(self, d: crate::core::dtype::DType) -> bool {
        match self {
            OpDomain::Any => true,
            OpDomain::Numeric => !d.is_bool(),
            OpDomain::Real => d.is_int() || d.is_float(),
            OpDomain::Float => d.is_float(),
            OpDomain::Inexact => d.is_inexact(),
            OpDomain::Int => d.is_int(),
            OpDomain::IntOrBool => d.is_int() || d.is_bool(),
        }
    }

    /// JAX's wording of the accepted dtypes, as in "Accepted dtypes are subtypes of integer, bool."
    pub fn describe(self) -> &'static str {
        match self {
            OpDomain::Any => "integer, floating, complexfloating, bool",
            OpDomain::Numeric => "integer, floating, complexfloating",
            OpDomain::Real => "integer, floating",
            OpDomain::Float => "floating",
            OpDomain::Inexact => "floating, complexfloating",
            OpDomain::Int => "integer",
            OpDomain::IntOrBool => "integer, bool",
        }
    }
}
