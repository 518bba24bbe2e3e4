//! Elementwise primitives: unary math, binary arithmetic, comparisons,
//! select, dtype conversion and integer powers.
//!
//! Operands of binary ops must have equal shapes and dtypes, except that a
//! rank-0 operand broadcasts against the other (jnp inserts every other
//! broadcast explicitly). Outputs are weak-typed only when every input is.

use super::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::core::trace::bind1;
use crate::ir::{BinaryOp, CompareOp, UnaryOp};
use smallvec::smallvec;

/// A one-input elementwise math primitive (`exp`, `neg`, `sqrt`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Unary {
    /// Which operation.
    pub op: UnaryOp,
}

impl PrimitiveRules for Unary {
    fn name(&self) -> &'static str {
        self.op.name()
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        if self.op == UnaryOp::Round {
            vec![("rounding_method", "1".into())]
        } else {
            vec![]
        }
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 1);
        let x = inputs[0];
        let domain = self.op.domain();
        if !domain.accepts(x.dtype) {
            panic!(
                "TypeError: {} does not accept dtype {}. Accepted dtypes are subtypes of {}.{}",
                self.name(),
                x.dtype,
                domain.describe(),
                if x.dtype.is_int() || x.dtype.is_bool() {
                    " Convert the operand first, e.g. x.astype(DType::F32)."
                } else {
                    ""
                }
            );
        }
        let dtype = if self.op == UnaryOp::IsFinite {
            DType::Bool
        } else {
            x.dtype
        };
        smallvec![ShapedArray::with_weak(x.shape.clone(), dtype, x.weak_type)]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut out = Buffer::new(outs[0].size() * outs[0].dtype.size_of());
        kernels::unary::run(self.op, inputs[0].dtype, bufs[0], &mut out);
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Elementwise
    }
}

/// A two-input elementwise primitive (`add`, `mul`, `max`, `and`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Binary {
    /// Which operation.
    pub op: BinaryOp,
}

/// The output shape of a binary elementwise op: equal shapes, or a rank-0 side.
fn binary_shape(name: &str, a: &ShapedArray, b: &ShapedArray) -> crate::core::shape::Shape {
    if a.shape == b.shape || b.ndim() == 0 {
        a.shape.clone()
    } else if a.ndim() == 0 {
        b.shape.clone()
    } else {
        panic!(
            "TypeError: {name} got incompatible shapes for broadcasting: {}, {}. \
             lax ops need equal shapes; jnp functions broadcast automatically \
             (or use jnp::broadcast_to).",
            fmt_tuple(&a.shape),
            fmt_tuple(&b.shape)
        )
    }
}

fn same_dtypes(name: &str, a: &ShapedArray, b: &ShapedArray) {
    if a.dtype != b.dtype {
        panic!(
            "TypeError: lax.{name} requires arguments to have the same dtypes, got {}, {}. \
             (Tip: jnp::{name} is a similar function that does automatic type promotion \
             on inputs).",
            a.dtype, b.dtype
        );
    }
}

impl PrimitiveRules for Binary {
    fn name(&self) -> &'static str {
        self.op.name()
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 2);
        let (a, b) = (inputs[0], inputs[1]);
        same_dtypes(self.name(), a, b);
        let domain = self.op.domain();
        let bool_ok = !a.dtype.is_bool()
            || matches!(
                self.op,
                BinaryOp::Add
                    | BinaryOp::Mul
                    | BinaryOp::Max
                    | BinaryOp::Min
                    | BinaryOp::And
                    | BinaryOp::Or
                    | BinaryOp::Xor
            );
        if !domain.accepts(a.dtype) || !bool_ok {
            panic!(
                "TypeError: {} does not accept dtype {} at position 0. Accepted dtypes at \
                 position 0 are subtypes of {}.",
                self.name(),
                a.dtype,
                if bool_ok {
                    domain.describe()
                } else {
                    "integer, floating"
                }
            );
        }
        let shape = binary_shape(self.name(), a, b);
        smallvec![ShapedArray::with_weak(
            shape,
            a.dtype,
            a.weak_type && b.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut out = Buffer::new(outs[0].size() * outs[0].dtype.size_of());
        kernels::binary::run(
            self.op,
            inputs[0].dtype,
            kernels::Operand::new(bufs[0], inputs[0].size(), outs[0].size()),
            kernels::Operand::new(bufs[1], inputs[1].size(), outs[0].size()),
            &mut out,
        );
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Elementwise
    }
}

/// An elementwise comparison producing bool.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Compare {
    /// Which comparison.
    pub op: CompareOp,
}

impl PrimitiveRules for Compare {
    fn name(&self) -> &'static str {
        self.op.name()
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 2);
        let (a, b) = (inputs[0], inputs[1]);
        same_dtypes(self.name(), a, b);
        let shape = binary_shape(self.name(), a, b);
        smallvec![ShapedArray::with_weak(
            shape,
            DType::Bool,
            a.weak_type && b.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut out = Buffer::new(outs[0].size());
        kernels::compare::run(
            self.op,
            inputs[0].dtype,
            kernels::Operand::new(bufs[0], inputs[0].size(), outs[0].size()),
            kernels::Operand::new(bufs[1], inputs[1].size(), outs[0].size()),
            &mut out,
        );
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Elementwise
    }
}

/// `select_n(pred, on_false, on_true)`: picks `on_true` where `pred` holds.
/// `pred` may be rank-0; the cases must match in shape and dtype.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Select;

impl PrimitiveRules for Select {
    fn name(&self) -> &'static str {
        "select_n"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("select_n", inputs, 3);
        let (p, f, t) = (inputs[0], inputs[1], inputs[2]);
        if p.dtype != DType::Bool {
            panic!(
                "TypeError: select_n requires a boolean predicate, got {}. \
                 Compare first, e.g. x.gt(0).",
                p.dtype
            );
        }
        if f.shape != t.shape || f.dtype != t.dtype {
            panic!(
                "TypeError: select_n cases must have the same shapes and dtypes, got {} and {}.",
                f.short(),
                t.short()
            );
        }
        if p.ndim() != 0 && p.shape != f.shape {
            panic!(
                "TypeError: select_n predicate shape {} must be scalar or equal to the case \
                 shape {}.",
                fmt_tuple(&p.shape),
                fmt_tuple(&f.shape)
            );
        }
        smallvec![ShapedArray::with_weak(
            f.shape.clone(),
            f.dtype,
            f.weak_type && t.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let n = outs[0].size();
        let mut out = Buffer::new(n * outs[0].dtype.size_of());
        kernels::select::run(
            outs[0].dtype,
            kernels::Operand::new(bufs[0], inputs[0].size(), n),
            bufs[1],
            bufs[2],
            &mut out,
        );
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Elementwise
    }
}

/// Converts elements to another dtype (`as` semantics: floats to ints truncate
/// toward zero and saturate, NaN becomes 0; anything nonzero becomes `true`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConvertElementType {
    /// Target dtype.
    pub new_dtype: DType,
    /// Whether the result is weak-typed.
    pub weak_type: bool,
}

impl PrimitiveRules for ConvertElementType {
    fn name(&self) -> &'static str {
        "convert_element_type"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("new_dtype", self.new_dtype.name().to_string()),
            (
                "weak_type",
                if self.weak_type { "True" } else { "False" }.into(),
            ),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 1);
        smallvec![ShapedArray::with_weak(
            inputs[0].shape.clone(),
            self.new_dtype,
            self.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut out = Buffer::new(outs[0].size() * self.new_dtype.size_of());
        kernels::convert::run(inputs[0].dtype, self.new_dtype, bufs[0], &mut out);
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Elementwise
    }
}

/// `x ** y` for a static integer exponent `y`, by repeated multiplication.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IntegerPow {
    /// The exponent.
    pub y: i32,
}

impl PrimitiveRules for IntegerPow {
    fn name(&self) -> &'static str {
        "integer_pow"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![("y", self.y.to_string())]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 1);
        let x = inputs[0];
        if x.dtype.is_bool() {
            panic!("TypeError: integer_pow does not accept dtype bool.");
        }
        if self.y < 0 && x.dtype.is_int() {
            panic!(
                "ValueError: Integers cannot be raised to negative powers (integer_pow with \
                 y={} on {}). Convert to a float dtype first.",
                self.y, x.dtype
            );
        }
        smallvec![x.clone()]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut out = Buffer::new(outs[0].size() * outs[0].dtype.size_of());
        kernels::unary::integer_pow(self.y, inputs[0].dtype, bufs[0], &mut out);
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Elementwise
    }
}

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
    bind1(
        &ConvertElementType {
            new_dtype,
            weak_type,
        }
        .into(),
        &[x],
    )
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
    logistic => Logistic, erf => Erf, square => Square, not => Not);

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
