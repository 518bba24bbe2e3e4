//! Elementwise functions (NumPy's ufuncs), built on lax primitives with
//! jnp's dtype promotion and broadcasting.

use super::array_like::{weak_float, weak_int, ArrayLike};
use super::promote::{promote_and_broadcast, promote_to_inexact};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::lax;

fn binop(
    name: &str,
    x: impl ArrayLike,
    y: impl ArrayLike,
    f: fn(&Array, &Array) -> Array,
) -> Array {
    let (x, y) = (x.to_array(), y.to_array());
    let v = promote_and_broadcast(name, &[&x, &y]);
    f(&v[0], &v[1])
}

fn inexact_binop(
    name: &str,
    x: impl ArrayLike,
    y: impl ArrayLike,
    f: fn(&Array, &Array) -> Array,
) -> Array {
    let (x, y) = (x.to_array(), y.to_array());
    let v = promote_and_broadcast(name, &[&x, &y]);
    f(&promote_to_inexact(&v[0]), &promote_to_inexact(&v[1]))
}

/// A constant like `x` (same dtype, weak flag kept), rank 0.
pub(crate) fn scalar_like(x: &Array, v: f64) -> Array {
    let s = if x.dtype().is_float() {
        weak_float(v)
    } else if x.dtype().is_bool() {
        super::array_like::bool_scalar(v != 0.0)
    } else {
        weak_int(v as i128)
    };
    lax::convert_element_type_weak(&s, x.dtype(), x.weak_type())
}

/// A strong-typed rank-0 constant of `x`'s dtype (JAX's `_constant_like`).
pub(crate) fn strong_scalar_like(x: &Array, v: f64) -> Array {
    lax::convert_element_type(&scalar_like(x, v), x.dtype())
}

macro_rules! inexact_unary {
    ($($(#[$m:meta])* $name:ident => $lax:ident),* $(,)?) => {$(
        $(#[$m])*
        pub fn $name(x: impl ArrayLike) -> Array {
            lax::$lax(&promote_to_inexact(&x.to_array()))
        }
    )*};
}
inexact_unary! {
    /// Square root (integers promote to float).
    sqrt => sqrt,
    /// Cube root.
    cbrt => cbrt,
    /// `e ** x`.
    exp => exp,
    /// `2 ** x`.
    exp2 => exp2,
    /// `exp(x) - 1`, accurate near 0.
    expm1 => expm1,
    /// Natural logarithm.
    log => log,
    /// `log(1 + x)`, accurate near 0.
    log1p => log1p,
    /// Sine.
    sin => sin,
    /// Cosine.
    cos => cos,
    /// Tangent.
    tan => tan,
    /// Inverse sine.
    arcsin => asin,
    /// Inverse cosine.
    arccos => acos,
    /// Inverse tangent.
    arctan => atan,
    /// Hyperbolic sine.
    sinh => sinh,
    /// Hyperbolic cosine.
    cosh => cosh,
    /// Hyperbolic tangent.
    tanh => tanh,
    /// Inverse hyperbolic sine.
    arcsinh => asinh,
    /// Inverse hyperbolic cosine.
    arccosh => acosh,
    /// Inverse hyperbolic tangent.
    arctanh => atanh,
}

/// Base-2 logarithm (`log(x) / log(2)`, as JAX computes it).
pub fn log2(x: impl ArrayLike) -> Array {
    let x = promote_to_inexact(&x.to_array());
    lax::div(&lax::log(&x), &lax::log(&strong_scalar_like(&x, 2.0)))
}

/// Base-10 logarithm (`log(x) / log(10)`).
pub fn log10(x: impl ArrayLike) -> Array {
    let x = promote_to_inexact(&x.to_array());
    lax::div(&lax::log(&x), &lax::log(&strong_scalar_like(&x, 10.0)))
}

/// Absolute value (wraps for the most negative integer; bool and unsigned unchanged).
pub fn abs(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    if x.dtype().is_bool() || x.dtype().is_unsigned() {
        return x;
    }
    lax::abs(&x)
}

/// Alias of [`abs`].
pub fn absolute(x: impl ArrayLike) -> Array {
    abs(x)
}

/// `-x` (wrapping for integers; bool is rejected as in JAX).
pub fn negative(x: impl ArrayLike) -> Array {
    lax::neg(&x.to_array())
}

/// `+x`: returns the input.
pub fn positive(x: impl ArrayLike) -> Array {
    x.to_array()
}

/// Sign: -1, 0 or 1 (NaN stays NaN, -0. stays -0.).
pub fn sign(x: impl ArrayLike) -> Array {
    lax::sign(&x.to_array())
}

/// `x * x` (bool becomes int32).
pub fn square(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    let x = if x.dtype().is_bool() {
        lax::convert_element_type_weak(&x, super::promote::default_int(), x.weak_type())
    } else {
        x
    };
    lax::square(&x)
}

/// `1 / x` (integers promote to float).
pub fn reciprocal(x: impl ArrayLike) -> Array {
    lax::integer_pow(&promote_to_inexact(&x.to_array()), -1)
}

/// Round down (integers and bools unchanged).
pub fn floor(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    if x.dtype().is_int() || x.dtype().is_bool() {
        x
    } else {
        lax::floor(&x)
    }
}

/// Round up (integers and bools unchanged).
pub fn ceil(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    if x.dtype().is_int() || x.dtype().is_bool() {
        x
    } else {
        lax::ceil(&x)
    }
}

/// Round toward zero (integers and bools unchanged).
pub fn trunc(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    if x.dtype().is_int() || x.dtype().is_bool() {
        return x;
    }
    lax::select(
        &lax::lt(&x, &scalar_like(&x, 0.0)),
        &lax::ceil(&x),
        &lax::floor(&x),
    )
}

/// Round half to even (integers unchanged; bool rejected).
pub fn round(x: impl ArrayLike) -> Array {
    round_decimals(x, 0)
}

/// Round half to even at `decimals` digits (`round(x * 10**d) / 10**d`).
pub fn round_decimals(x: impl ArrayLike, decimals: i32) -> Array {
    let x = x.to_array();
    if x.dtype().is_bool() {
        panic!("ValueError: round: data type bool not inexact. Convert to a numeric dtype first.");
    }
    if x.dtype().is_complex() {
        // Real and imaginary parts are rounded separately, as in JAX.
        let part = |p: Array| round_decimals(p, decimals);
        return lax::complex(&part(lax::real(&x)), &part(lax::imag(&x)));
    }
    if !x.dtype().is_float() {
        if decimals < 0 {
            panic!("NotImplementedError: integer round not implemented for decimals < 0");
        }
        return x;
    }
    if decimals == 0 {
        return lax::round(&x);
    }
    let f = scalar_like(&x, 10f64.powi(decimals));
    lax::div(&lax::round(&lax::mul(&x, &f)), &f)
}

/// Round half to even; integers and bools become float, as `jnp.rint`.
pub fn rint(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    if x.dtype().is_complex() {
        return round_decimals(x, 0);
    }
    if !x.dtype().is_float() {
        return lax::convert_element_type(&x, super::promote::default_float());
    }
    lax::round(&x)
}

/// Clamps to `[min, max]` (`jnp.clip(x, min, max)`); either bound may be
/// `None` (`None::<f32>`). Computed as `minimum(max, maximum(min, x))`, so
/// `min > max` gives `max` everywhere.
///
/// ```
/// use jaxide::prelude::*;
/// let x = jnp::arange(8);
/// assert_eq!(jnp::clip(&x, 2, 5).to_vec::<i32>(), vec![2, 2, 2, 3, 4, 5, 5, 5]);
/// assert_eq!(jnp::clip(&x, None::<i32>, 1).to_vec::<i32>()[7], 1);
/// ```
pub fn clip(x: impl ArrayLike, min: impl ClipBound, max: impl ClipBound) -> Array {
    let mut x = x.to_array();
    if let Some(lo) = min.into_bound() {
        x = maximum(lo, &x);
    }
    if let Some(hi) = max.into_bound() {
        x = minimum(hi, &x);
    }
    x
}

/// A bound of [`clip`]: any array-like value, or an `Option` of one.
pub trait ClipBound {
    /// The bound, or `None` for no bound.
    fn into_bound(self) -> Option<Array>;
}

impl<T: ArrayLike> ClipBound for T {
    fn into_bound(self) -> Option<Array> {
        Some(self.to_array())
    }
}

impl<T: ArrayLike> ClipBound for Option<T> {
    fn into_bound(self) -> Option<Array> {
        self.map(|b| b.to_array())
    }
}

impl ArrayLike for dyn ArrayLikeDyn + '_ {
    fn to_array(&self) -> Array {
        self.to_array_dyn()
    }
}

/// Object-safe form of [`ArrayLike`], for optional arguments such as [`clip`]'s bounds.
pub trait ArrayLikeDyn {
    /// Converts to an array.
    fn to_array_dyn(&self) -> Array;
}
impl<T: ArrayLike> ArrayLikeDyn for T {
    fn to_array_dyn(&self) -> Array {
        self.to_array()
    }
}

/// Elementwise maximum; NaN propagates.
pub fn maximum(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binop("max", x, y, lax::max)
}

/// Elementwise minimum; NaN propagates.
pub fn minimum(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binop("min", x, y, lax::min)
}

/// Elementwise maximum ignoring NaN (NaN only if both are NaN).
pub fn fmax(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let v = promote_and_broadcast("max", &[&x.to_array(), &y.to_array()]);
    let (a, b) = (&v[0], &v[1]);
    let pick_a = logical_or(lax::gt(a, b), isnan(b));
    select3(&pick_a, a, b)
}

/// Elementwise minimum ignoring NaN.
pub fn fmin(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let v = promote_and_broadcast("min", &[&x.to_array(), &y.to_array()]);
    let (a, b) = (&v[0], &v[1]);
    let pick_a = logical_or(lax::lt(a, b), isnan(b));
    select3(&pick_a, a, b)
}

/// `jnp.where(condition, x, y)`: `x` where `condition` holds, else `y`, with
/// promotion and broadcasting (`where` is a Rust keyword, hence the `_`).
///
/// Under `grad`, both branches are differentiated: a NaN or infinite
/// derivative in the branch not taken still poisons the gradient (0 * NaN).
/// Make the input of the dangerous branch safe first ("double where"):
/// `let safe = where_(&ok, x, &ones_like(x)); where_(&ok, &log(&safe), &zeros)`.
///
/// The same function as `r#where` (`jnp.where`), spelled without a raw
/// identifier.
pub fn where_(condition: impl ArrayLike, x: impl ArrayLike, y: impl ArrayLike) -> Array {
    r#where(condition, x, y)
}

/// Elementwise select on aligned operands (all broadcast to one shape).
fn select3(c: &Array, t: &Array, f: &Array) -> Array {
    let shape = super::promote::broadcast_shapes("select_n", &[c.shape(), t.shape(), f.shape()]);
    let t = super::promote::broadcast_to_shape(t, &shape);
    let f = super::promote::broadcast_to_shape(f, &shape);
    let c = if c.ndim() == 0 {
        c.clone()
    } else {
        super::promote::broadcast_to_shape(c, &shape)
    };
    lax::select(&c, &t, &f)
}

/// `x ** y`. A rank-0 weak integer exponent (a Rust integer) uses exact
/// repeated multiplication (`integer_pow`), as JAX does for Python ints.
pub fn power(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let (x, y) = (x.to_array(), y.to_array());
    if y.ndim() == 0 && y.weak_type() && y.dtype().is_int() && !y.is_tracer() {
        let e = crate::numpy::read_scalar_i64(&y);
        let x = super::promote::promote_dtypes(&[&x, &y]).remove(0);
        if x.dtype().is_bool() {
            return lax::integer_pow(
                &lax::convert_element_type(&x, super::promote::default_int()),
                e as i32,
            );
        }
        if x.dtype().is_int() && e < 0 {
            panic!(
                "TypeError: Integers cannot be raised to negative powers, got \
                 integer_pow({}, {e})",
                x.aval().long()
            );
        }
        return lax::integer_pow(&x, e as i32);
    }
    let v = promote_and_broadcast("pow", &[&x, &y]);
    let (a, b) = (&v[0], &v[1]);
    if a.dtype().is_inexact() {
        return lax::pow(a, b);
    }
    let (a, b) = if a.dtype().is_bool() {
        let d = super::promote::default_int();
        (
            lax::convert_element_type(a, d),
            lax::convert_element_type(b, d),
        )
    } else {
        (a.clone(), b.clone())
    };
    int_power(&a, &b)
}

/// Integer `a ** b` by binary exponentiation over the low 6 bits of `b`
/// (JAX's behaviour for array exponents).
fn int_power(a: &Array, b: &Array) -> Array {
    let shape = super::promote::broadcast_shapes("pow", &[a.shape(), b.shape()]);
    let a = super::promote::broadcast_to_shape(a, &shape);
    let b = super::promote::broadcast_to_shape(b, &shape);
    let one = scalar_like(&a, 1.0);
    let mut acc = lax::broadcast_in_dim(&one, &shape, &[]);
    let mut base = a;
    let mut e = b;
    for _ in 0..6 {
        let bit = lax::ne(
            &lax::bitwise_and(&e, &scalar_like(&e, 1.0)),
            &scalar_like(&e, 0.0),
        );
        acc = lax::select(&bit, &lax::mul(&acc, &base), &acc);
        base = lax::mul(&base, &base);
        e = lax::shift_right_logical(&e, &scalar_like(&e, 1.0));
    }
    acc
}

/// Moves a C-style remainder `t` (sign of the dividend) to the sign of the
/// divisor `b`, as Python's `%` does.
fn remainder_with_divisor_sign(b: &Array, t: &Array) -> Array {
    let zero = scalar_like(t, 0.0);
    let flip = logical_and(
        lax::ne(&lax::lt(t, &zero), &lax::lt(b, &scalar_like(b, 0.0))),
        lax::ne(t, &zero),
    );
    select3(&flip, &lax::add(t, b), t)
}

/// Remainder with the sign of the divisor (Python's `%`). Integer division
/// by zero gives 0; float gives NaN.
pub fn remainder(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let v = promote_and_broadcast("rem", &[&x.to_array(), &y.to_array()]);
    let (a, b) = (&v[0], &v[1]);
    let (a, b) = bool_to_int(a, b);
    let b = if b.dtype().is_int() {
        nonzero_divisor(&b)
    } else {
        b
    };
    let t = lax::rem(&a, &b);
    if a.dtype().is_unsigned() {
        return t;
    }
    remainder_with_divisor_sign(&b, &t)
}

/// Alias of [`remainder`].
pub fn r#mod(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    remainder(x, y)
}

/// C-style remainder (sign of the dividend); integer division by zero gives 0.
pub fn fmod(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let v = promote_and_broadcast("rem", &[&x.to_array(), &y.to_array()]);
    // JAX replaces zero divisors for integer inputs only (not bool).
    let was_int = v[0].dtype().is_int();
    let (a, b) = bool_to_int(&v[0], &v[1]);
    let b = if was_int { nonzero_divisor(&b) } else { b };
    lax::rem(&a, &b)
}

fn bool_to_int(a: &Array, b: &Array) -> (Array, Array) {
    if a.dtype().is_bool() {
        let d = super::promote::default_int();
        (
            lax::convert_element_type(a, d),
            lax::convert_element_type(b, d),
        )
    } else {
        (a.clone(), b.clone())
    }
}

fn nonzero_divisor(b: &Array) -> Array {
    let zero = scalar_like(b, 0.0);
    let one = scalar_like(b, 1.0);
    select3(&lax::eq(b, &zero), &one, b)
}

/// Floor division (`//`). Integer division by zero follows JAX (no error).
pub fn floor_divide(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let (x, y) = (x.to_array(), y.to_array());
    // JAX's float path calls lax.rem first, so its shape errors name `rem`.
    let name = if super::promote::result_weak_dtype(&[&x, &y])
        .dtype
        .is_float()
    {
        "rem"
    } else {
        "div"
    };
    let v = promote_and_broadcast(name, &[&x, &y]);
    let (a, b) = bool_to_int(&v[0], &v[1]);
    if a.dtype().is_unsigned() {
        return lax::div(&a, &b);
    }
    if a.dtype().is_int() {
        let q = lax::div(&a, &b);
        let adjust = logical_and(
            lax::ne(&lax::sign(&a), &lax::sign(&b)),
            lax::ne(&lax::rem(&a, &b), &scalar_like(&a, 0.0)),
        );
        return select3(&adjust, &lax::sub(&q, &scalar_like(&q, 1.0)), &q);
    }
    // Floats: CPython's float_divmod.
    let m = lax::rem(&a, &b);
    let num = select3(&lax::eq(&b, &scalar_like(&b, 0.0)), &a, &lax::sub(&a, &m));
    let d = lax::div(&num, &b);
    let ind = logical_and(
        lax::ne(&m, &scalar_like(&m, 0.0)),
        lax::ne(&lax::sign(&b), &lax::sign(&m)),
    );
    let d = select3(&ind, &lax::sub(&d, &scalar_like(&d, 1.0)), &d);
    lax::round(&d)
}

/// True division: integers promote to float.
pub fn true_divide(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    inexact_binop("div", x, y, lax::div)
}

/// Alias of [`true_divide`].
pub fn divide(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    true_divide(x, y)
}

/// `x + y` with promotion and broadcasting.
pub fn add(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binop("add", x, y, lax::add)
}

/// `x - y`.
pub fn subtract(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binop("sub", x, y, lax::sub)
}

/// `x * y`.
pub fn multiply(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binop("mul", x, y, lax::mul)
}

/// Inverse tangent of `y / x` using both signs for the quadrant.
pub fn arctan2(y: impl ArrayLike, x: impl ArrayLike) -> Array {
    inexact_binop("atan2", y, x, lax::atan2)
}

/// Whether each element is NaN (always false for integers).
pub fn isnan(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    if !x.dtype().is_float() {
        return lax::ne(&x, &x);
    }
    lax::ne(&x, &x)
}

/// Whether each element is ±inf.
pub fn isinf(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    if !x.dtype().is_float() {
        return strong(&lax::ne(&x, &x));
    }
    lax::eq(&lax::abs(&x), &strong_scalar_like(&x, f64::INFINITY))
}

/// Drops the weak-type flag.
fn strong(x: &Array) -> Array {
    lax::convert_element_type(x, x.dtype())
}

/// Whether each element is finite (always true for integers).
pub fn isfinite(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    if x.dtype().is_complex() {
        return lax::bitwise_and(
            &lax::is_finite(&lax::real(&x)),
            &lax::is_finite(&lax::imag(&x)),
        );
    }
    if !x.dtype().is_float() {
        return strong(&lax::eq(&x, &x));
    }
    lax::is_finite(&x)
}

fn to_bool(x: &Array) -> Array {
    if x.dtype().is_bool() {
        x.clone()
    } else {
        lax::ne(x, &scalar_like(x, 0.0))
    }
}

/// Logical and of truth values.
pub fn logical_and(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let (x, y) = (to_bool(&x.to_array()), to_bool(&y.to_array()));
    binop("and", &x, &y, lax::bitwise_and)
}

/// Logical or of truth values.
pub fn logical_or(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let (x, y) = (to_bool(&x.to_array()), to_bool(&y.to_array()));
    binop("or", &x, &y, lax::bitwise_or)
}

/// Logical xor of truth values.
pub fn logical_xor(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let (x, y) = (to_bool(&x.to_array()), to_bool(&y.to_array()));
    binop("xor", &x, &y, lax::bitwise_xor)
}

/// Logical not of truth values.
pub fn logical_not(x: impl ArrayLike) -> Array {
    lax::not(&to_bool(&x.to_array()))
}

/// Bitwise and (integers and bool).
pub fn bitwise_and(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binop("and", x, y, lax::bitwise_and)
}

/// Bitwise or.
pub fn bitwise_or(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binop("or", x, y, lax::bitwise_or)
}

/// Bitwise xor.
pub fn bitwise_xor(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binop("xor", x, y, lax::bitwise_xor)
}

/// Bitwise not (logical not for bool).
pub fn invert(x: impl ArrayLike) -> Array {
    lax::not(&x.to_array())
}

/// Promotes for shifts: bool operands become the default integer type.
fn shift_operands(name: &str, x: impl ArrayLike, y: impl ArrayLike) -> Vec<Array> {
    let v = promote_and_broadcast(name, &[&x.to_array(), &y.to_array()]);
    if v[0].dtype().is_bool() {
        let d = super::promote::default_int();
        return v
            .iter()
            .map(|a| lax::convert_element_type_weak(a, d, a.weak_type()))
            .collect();
    }
    v
}

/// `x << y` (bool operands promote to int32).
pub fn left_shift(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let v = shift_operands("shift_left", x, y);
    lax::shift_left(&v[0], &v[1])
}

/// `x >> y` (arithmetic for signed, logical for unsigned).
pub fn right_shift(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let v = shift_operands("shift_right_arithmetic", x, y);
    if v[0].dtype().is_unsigned() {
        lax::shift_right_logical(&v[0], &v[1])
    } else {
        lax::shift_right_arithmetic(&v[0], &v[1])
    }
}

/// `x == y`.
pub fn equal(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binop("eq", x, y, lax::eq)
}
/// `x != y`.
pub fn not_equal(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binop("ne", x, y, lax::ne)
}
/// `x < y`.
pub fn less(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binop("lt", x, y, lax::lt)
}
/// `x <= y`.
pub fn less_equal(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binop("le", x, y, lax::le)
}
/// `x > y`.
pub fn greater(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binop("gt", x, y, lax::gt)
}
/// `x >= y`.
pub fn greater_equal(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binop("ge", x, y, lax::ge)
}

/// `x` where `condition` holds, else `y` (`jnp.where(condition, x, y)`):
/// `x` and `y` promote together (weak Rust scalars as Python scalars), and
/// all three broadcast together, with JAX's message when they cannot.
/// [`where_`] is the same function.
pub fn r#where(condition: impl ArrayLike, x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let c = to_bool(&condition.to_array());
    let v = super::promote::promote_dtypes(&[&x.to_array(), &y.to_array()]);
    select3(&c, &v[0], &v[1])
}

/// `log(exp(x) + exp(y))`, computed stably. Its derivative is JAX's custom
/// jvp, `ẋ exp(x - out) + ẏ exp(y - out)` (with `+inf` read as 0), so
/// `d/dx logaddexp(x, x) = 1/2` rather than max's tie-breaking split.
pub fn logaddexp(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let v = promote_and_broadcast("add", &[&x.to_array(), &y.to_array()]);
    let (a, b) = (promote_to_inexact(&v[0]), promote_to_inexact(&v[1]));
    let f = crate::transforms::custom::custom_jvp(
        |ab: &(Array, Array)| logaddexp_primal(&ab.0, &ab.1),
        |ab: &(Array, Array), t: &(Array, Array)| {
            let out = logaddexp_primal(&ab.0, &ab.1);
            let replace_inf = |v: &Array| {
                let inf = lax::eq(v, &scalar_like(v, f64::INFINITY));
                select3(
                    &inf,
                    &lax::broadcast_in_dim(&scalar_like(v, 0.0), v.shape(), &[]),
                    v,
                )
            };
            let o = replace_inf(&out);
            let wa = lax::exp(&lax::sub(&replace_inf(&ab.0), &o));
            let wb = lax::exp(&lax::sub(&replace_inf(&ab.1), &o));
            let tangent = lax::add(&lax::mul(&t.0, &wa), &lax::mul(&t.1, &wb));
            (out, tangent)
        },
    );
    f(&(a, b))
}

fn logaddexp_primal(a: &Array, b: &Array) -> Array {
    let (a, b) = (a.clone(), b.clone());
    let amax = lax::max(&a, &b);
    let delta = lax::sub(&a, &b);
    let stable = lax::add(&amax, &lax::log1p(&lax::exp(&lax::neg(&lax::abs(&delta)))));
    select3(&isnan(&delta), &lax::add(&a, &b), &stable)
}

/// `sqrt(x² + y²)` without undue overflow.
pub fn hypot(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let v = promote_and_broadcast("hypot", &[&x.to_array(), &y.to_array()]);
    let (a, b) = (
        lax::abs(&promote_to_inexact(&v[0])),
        lax::abs(&promote_to_inexact(&v[1])),
    );
    let any_inf = logical_or(isinf(&a), isinf(&b));
    let hi = lax::max(&a, &b);
    let lo = lax::min(&a, &b);
    let zero = scalar_like(&hi, 0.0);
    let hi_is_zero = lax::eq(&hi, &zero);
    let safe_hi = select3(&hi_is_zero, &scalar_like(&hi, 1.0), &hi);
    let r = lax::div(&lo, &safe_hi);
    let scaled = lax::mul(
        &hi,
        &lax::sqrt(&lax::add(&scalar_like(&r, 1.0), &lax::mul(&r, &r))),
    );
    let out = select3(&hi_is_zero, &hi, &scaled);
    // JAX's final `where` with a strong inf constant makes the result strong.
    let out = lax::convert_element_type(&out, out.dtype());
    select3(&any_inf, &strong_scalar_like(&out, f64::INFINITY), &out)
}

/// Degrees to radians.
pub fn deg2rad(x: impl ArrayLike) -> Array {
    let x = promote_to_inexact(&x.to_array());
    lax::mul(&x, &scalar_like(&x, std::f64::consts::PI / 180.0))
}

/// Radians to degrees.
pub fn rad2deg(x: impl ArrayLike) -> Array {
    let x = promote_to_inexact(&x.to_array());
    lax::mul(&x, &scalar_like(&x, 180.0 / std::f64::consts::PI))
}

/// Whether the sign bit is set (true for -0.).
pub fn signbit(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    if !x.dtype().is_float() {
        return lax::lt(&x, &strong_scalar_like(&x, 0.0));
    }
    let zero = strong_scalar_like(&x, 0.0);
    let neg_zero = logical_and(
        lax::eq(&x, &zero),
        lax::lt(&lax::div(&strong_scalar_like(&x, 1.0), &x), &zero),
    );
    strong(&logical_or(lax::lt(&x, &zero), neg_zero))
}

/// `|x|` with the sign of `y`.
pub fn copysign(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let v = promote_and_broadcast("copysign", &[&x.to_array(), &y.to_array()]);
    let (a, b) = (promote_to_inexact(&v[0]), promote_to_inexact(&v[1]));
    let mag = lax::abs(&a);
    select3(&signbit(&b), &lax::neg(&mag), &mag)
}

/// Normalized sinc: `sin(πx) / (πx)`, with `sinc(0) = 1`.
pub fn sinc(x: impl ArrayLike) -> Array {
    let x = promote_to_inexact(&x.to_array());
    let is_zero = lax::eq(&x, &scalar_like(&x, 0.0));
    let pix = lax::mul(&x, &scalar_like(&x, std::f64::consts::PI));
    let safe = select3(&is_zero, &scalar_like(&x, 1.0), &pix);
    let v = lax::div(&lax::sin(&safe), &safe);
    select3(&is_zero, &scalar_like(&x, 1.0), &v)
}

/// Converts to `dtype` (`x.astype(dtype)`), warning once if a 64-bit dtype is
/// requested with x64 off.
pub fn astype(x: &Array, dtype: DType) -> Array {
    lax::convert_element_type(x, super::array_like::requested_dtype(dtype, "astype"))
}
