//! The rest of NumPy's ufuncs: the array-API aliases (`acos`, `pow`, ...),
//! float decomposition (`frexp`, `ldexp`, `modf`, `nextafter`, `spacing`),
//! `divmod`, `gcd`/`lcm`, `heaviside`, `float_power`, `logaddexp2`,
//! `nan_to_num`, `isposinf`/`isneginf` and `bitwise_count`.

use super::array_like::ArrayLike;
use super::dtype_info::finfo;
use super::elementwise::{self as ew, scalar_like, strong_scalar_like};
use super::promote::{promote_and_broadcast, promote_to_inexact};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::lax;

macro_rules! alias_unary {
    ($($(#[$m:meta])* $name:ident => $target:path),* $(,)?) => {$(
        $(#[$m])*
        pub fn $name(x: impl ArrayLike) -> Array {
            $target(x)
        }
    )*};
}
alias_unary! {
    /// Alias of `arccos` (array API spelling).
    acos => ew::arccos,
    /// Alias of `arccosh`.
    acosh => ew::arccosh,
    /// Alias of `arcsin`.
    asin => ew::arcsin,
    /// Alias of `arcsinh`.
    asinh => ew::arcsinh,
    /// Alias of `arctan`.
    atan => ew::arctan,
    /// Alias of `arctanh`.
    atanh => ew::arctanh,
    /// Alias of `round` (`jnp.around`).
    around => ew::round,
    /// Alias of `invert`.
    bitwise_invert => ew::invert,
    /// Alias of `invert`.
    bitwise_not => ew::invert,
    /// Alias of `rad2deg`.
    degrees => ew::rad2deg,
    /// Alias of `deg2rad`.
    radians => ew::deg2rad,
}

macro_rules! alias_binary {
    ($($(#[$m:meta])* $name:ident => $target:path),* $(,)?) => {$(
        $(#[$m])*
        pub fn $name(x: impl ArrayLike, y: impl ArrayLike) -> Array {
            $target(x, y)
        }
    )*};
}
alias_binary! {
    /// Alias of `arctan2` (array API spelling).
    atan2 => ew::arctan2,
    /// Alias of `left_shift`.
    bitwise_left_shift => ew::left_shift,
    /// Alias of `right_shift`.
    bitwise_right_shift => ew::right_shift,
    /// Alias of `power` (array API spelling).
    pow => ew::power,
}

fn reject_complex(x: &Array, msg: &str) {
    if x.dtype().is_complex() {
        panic!("TypeError: {msg}");
    }
}

/// Absolute value as a float (`jnp.fabs`; integers promote, complex rejected).
pub fn fabs(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    reject_complex(&x, "ufunc 'fabs' does not support complex dtypes");
    lax::abs(&promote_to_inexact(&x))
}

fn inexact_pair(name: &str, x: impl ArrayLike, y: impl ArrayLike) -> (Array, Array) {
    let (x, y) = (x.to_array(), y.to_array());
    let v = promote_and_broadcast(name, &[&x, &y]);
    (promote_to_inexact(&v[0]), promote_to_inexact(&v[1]))
}

/// `x ** y` computed in floating point (`jnp.float_power`).
pub fn float_power(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let (x, y) = inexact_pair("float_power", x, y);
    lax::pow(&x, &y)
}

/// The Heaviside step: 0 for `x1 < 0`, `x2` at 0, 1 for `x1 > 0`; NaN stays NaN.
pub fn heaviside(x1: impl ArrayLike, x2: impl ArrayLike) -> Array {
    let (x1, x2) = inexact_pair("heaviside", x1, x2);
    let zero = strong_scalar_like(&x1, 0.0);
    let one = strong_scalar_like(&x1, 1.0);
    let at_zero = ew::r#where(ew::isnan(&x1), &x1, &x2);
    let pos = ew::r#where(lax::gt(&x1, &zero), &one, &at_zero);
    ew::r#where(lax::lt(&x1, &zero), &zero, &pos)
}

/// `log2(2**x1 + 2**x2)` without overflow (`jnp.logaddexp2`).
pub fn logaddexp2(x1: impl ArrayLike, x2: impl ArrayLike) -> Array {
    let (x1, x2) = inexact_pair("logaddexp2", x1, x2);
    let amax = lax::max(&x1, &x2);
    let delta = lax::sub(&x1, &x2);
    let ln2 = strong_scalar_like(&x1, std::f64::consts::LN_2);
    let neg_abs = lax::neg(&lax::abs(&delta));
    let tail = lax::div(&lax::log1p(&lax::exp2(&neg_abs)), &ln2);
    ew::r#where(
        ew::isnan(&delta),
        lax::add(&x1, &x2),
        lax::add(&amax, &tail),
    )
}

fn isposneginf(x: impl ArrayLike, inf: f64) -> Array {
    let x = x.to_array();
    if x.dtype().is_complex() {
        panic!("ValueError: isposinf/isneginf are not well defined for complex types");
    }
    if x.dtype().is_float() {
        lax::eq(&x, &strong_scalar_like(&x, inf))
    } else {
        lax::broadcast_in_dim(&Array::scalar(false), x.shape(), &[])
    }
}

/// Whether each element is `+inf`.
pub fn isposinf(x: impl ArrayLike) -> Array {
    isposneginf(x, f64::INFINITY)
}

/// Whether each element is `-inf`.
pub fn isneginf(x: impl ArrayLike) -> Array {
    isposneginf(x, f64::NEG_INFINITY)
}

/// The signed integer dtype as wide as float dtype `d`.
fn int_of_width(d: DType) -> DType {
    match d.size_of() {
        2 => DType::I16,
        4 => DType::I32,
        8 => DType::I64,
        _ => unreachable!("float widths are 2, 4 or 8 bytes"),
    }
}

/// Exact integer constant of integer dtype `d` (two's-complement wrap).
fn iconst(d: DType, v: i64) -> Array {
    match d {
        DType::I8 => Array::scalar(v as i8),
        DType::I16 => Array::scalar(v as i16),
        DType::I32 => Array::scalar(v as i32),
        DType::I64 => Array::scalar(v),
        DType::U8 => Array::scalar(v as u8),
        DType::U16 => Array::scalar(v as u16),
        DType::U32 => Array::scalar(v as u32),
        DType::U64 => Array::scalar(v as u64),
        _ => unreachable!("iconst of non-integer dtype {d}"),
    }
}

/// Mantissa in `[0.5, 1)` and exponent (int32) with `x == m * 2**e`
/// (`jnp.frexp`); zeros, infinities and NaN give `(x, 0)`.
pub fn frexp(x: impl ArrayLike) -> (Array, Array) {
    let x = promote_to_inexact(&x.to_array());
    reject_complex(&x, "frexp does not support complex-valued inputs");
    let info = finfo(x.dtype());
    let it = int_of_width(x.dtype());
    let (nmant, nexp) = (info.nmant as i64, info.nexp as i64);
    let mask = (1i64 << nexp) - 1;
    let bias = 1 - info.minexp as i64;
    // Subnormals are scaled into the normal range first.
    let sub = lax::lt(&lax::abs(&x), &strong_scalar_like(&x, info.tiny));
    let scaled = ew::r#where(
        &sub,
        lax::mul(&x, &strong_scalar_like(&x, 2f64.powi(nmant as i32))),
        &x,
    );
    let e0 = ew::r#where(&sub, iconst(it, -nmant), iconst(it, 0));
    let bits = lax::bitcast_convert_type(&scaled, it);
    let field = lax::bitwise_and(
        &lax::shift_right_logical(&bits, &iconst(it, nmant)),
        &iconst(it, mask),
    );
    let e = lax::add(&e0, &lax::sub(&field, &iconst(it, bias - 1)));
    let cleared = lax::bitwise_and(&bits, &lax::not(&iconst(it, mask << nmant)));
    let m_bits = lax::bitwise_or(&cleared, &iconst(it, (bias - 1) << nmant));
    let m = lax::bitcast_convert_type(&m_bits, x.dtype());
    let special = ew::logical_or(
        ew::logical_or(ew::isinf(&x), ew::isnan(&x)),
        lax::eq(&x, &strong_scalar_like(&x, 0.0)),
    );
    let e = ew::r#where(&special, iconst(it, 0), &e);
    (
        ew::r#where(&special, &x, &m),
        lax::convert_element_type(&e, DType::I32),
    )
}

/// `x1 * 2**x2` for an integer `x2` (`jnp.ldexp`), exact across the
/// subnormal range.
pub fn ldexp(x1: impl ArrayLike, x2: impl ArrayLike) -> Array {
    let (x1, x2) = (x1.to_array(), x2.to_array());
    if x1.dtype().is_complex() || x2.dtype().is_inexact() {
        panic!(
            "ValueError: ldexp not supported for input types (dtype('{}'), dtype('{}'))",
            x1.dtype(),
            x2.dtype()
        );
    }
    let x1 = promote_to_inexact(&x1);
    let x2 = lax::convert_element_type(&x2, x1.dtype());
    let (m, e) = frexp(&x1);
    let e = lax::convert_element_type(
        &lax::add(&lax::convert_element_type(&e, x2.dtype()), &x2),
        x1.dtype(),
    );
    let zero = strong_scalar_like(&e, 0.0);
    let pos = lax::gt(&e, &zero);
    let m = ew::r#where(&pos, lax::mul(&m, &strong_scalar_like(&m, 2.0)), &m);
    let e = ew::r#where(&pos, lax::sub(&e, &strong_scalar_like(&e, 1.0)), &e);
    let two = strong_scalar_like(&m, 2.0);
    let x = ew::multiply(&m, ew::power(&two, &e));
    let keep = ew::logical_or(ew::isinf(&x1), lax::eq(&x1, &strong_scalar_like(&x1, 0.0)));
    ew::r#where(&keep, &x1, &x)
}

/// Fractional and integral parts, both with the sign of `x` (`jnp.modf`).
pub fn modf(x: impl ArrayLike) -> (Array, Array) {
    let x = promote_to_inexact(&x.to_array());
    let zero = scalar_like(&x, 0.0);
    let whole = ew::r#where(lax::ge(&x, &zero), lax::floor(&x), lax::ceil(&x));
    (lax::sub(&x, &whole), whole)
}

/// `(floor_divide(x1, x2), remainder(x1, x2))` (`jnp.divmod`).
pub fn divmod(x1: impl ArrayLike, x2: impl ArrayLike) -> (Array, Array) {
    let (x1, x2) = (x1.to_array(), x2.to_array());
    let v = promote_and_broadcast("divmod", &[&x1, &x2]);
    let (x1, x2) = (&v[0], &v[1]);
    if !x1.dtype().is_inexact() {
        return (ew::floor_divide(x1, x2), ew::remainder(x1, x2));
    }
    // CPython's float divmod.
    let zero = scalar_like(x1, 0.0);
    let md = lax::rem(x1, x2);
    let corrected = ew::r#where(lax::eq(x2, &zero), x1, lax::sub(x1, &md));
    let div = lax::div(&corrected, x2);
    let fix = ew::logical_and(
        lax::ne(&md, &zero),
        lax::ne(&lax::sign(x2), &lax::sign(&md)),
    );
    let md = ew::r#where(&fix, lax::add(&md, x2), &md);
    let div = ew::r#where(&fix, lax::sub(&div, &scalar_like(&div, 1.0)), &div);
    (lax::round(&div), md)
}

/// The next representable float after `x` toward `y` (`jnp.nextafter`).
pub fn nextafter(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let (x, y) = inexact_pair("nextafter", x, y);
    let shape = x.shape().to_vec();
    let y = super::promote::broadcast_to_shape(&y, &shape);
    let x = super::promote::broadcast_to_shape(&x, &shape);
    let it = int_of_width(x.dtype());
    let bits = lax::bitcast_convert_type(&x, it);
    let ybits = lax::bitcast_convert_type(&y, it);
    let sign_mask = iconst(it, i64::MIN >> (64 - 8 * x.dtype().size_of() as i64));
    let zero = strong_scalar_like(&x, 0.0);
    // Magnitude grows when moving away from zero.
    let away = lax::eq(&lax::gt(&y, &x), &lax::gt(&x, &zero));
    let one = iconst(it, 1);
    let stepped = ew::r#where(&away, lax::add(&bits, &one), lax::sub(&bits, &one));
    let from_zero = lax::bitwise_or(&lax::bitwise_and(&ybits, &sign_mask), &one);
    let out = ew::r#where(lax::eq(&x, &zero), &from_zero, &stepped);
    let out = lax::bitcast_convert_type(&out, x.dtype());
    let out = ew::r#where(lax::eq(&x, &y), &y, &out);
    let nan = ew::logical_or(ew::isnan(&x), ew::isnan(&y));
    ew::r#where(&nan, lax::add(&x, &y), &out)
}

/// The gap from `x` to the next float away from zero (`jnp.spacing`).
pub fn spacing(x: impl ArrayLike) -> Array {
    let x = promote_to_inexact(&x.to_array());
    if x.dtype().is_complex() {
        panic!("ValueError: jnp.spacing is not defined for complex inputs.");
    }
    let inf = strong_scalar_like(&x, f64::INFINITY);
    if x.dtype() == DType::F16 {
        return lax::sub(&nextafter(&x, &inf), &x);
    }
    let toward = ew::copysign(&inf, &x);
    let r = lax::sub(&nextafter(&x, &toward), &x);
    let tiny = ew::copysign(
        strong_scalar_like(&x, finfo(x.dtype()).smallest_subnormal),
        &x,
    );
    ew::r#where(lax::eq(&r, &strong_scalar_like(&r, 0.0)), &tiny, &r)
}

fn integer_pair(name: &str, x1: impl ArrayLike, x2: impl ArrayLike) -> (Array, Array) {
    let (x1, x2) = (x1.to_array(), x2.to_array());
    let v = promote_and_broadcast(name, &[&x1, &x2]);
    if !v[0].dtype().is_int() {
        panic!("ValueError: Arguments to jax.numpy.{name} must be integers.");
    }
    let shape = super::promote::broadcast_shapes(name, &[v[0].shape(), v[1].shape()]);
    (
        super::promote::broadcast_to_shape(&v[0], &shape),
        super::promote::broadcast_to_shape(&v[1], &shape),
    )
}

fn gcd_of(a: &Array, b: &Array) -> Array {
    let (g, _) = lax::while_loop(
        |(_, b): &(Array, Array)| super::reductions::any(&lax::ne(b, &strong_scalar_like(b, 0.0))),
        |(a, b): &(Array, Array)| {
            let zero = strong_scalar_like(b, 0.0);
            let nz = lax::ne(b, &zero);
            let safe = ew::r#where(&nz, b, strong_scalar_like(b, 1.0));
            let (a2, b2) = (
                ew::r#where(&nz, b, a),
                ew::r#where(&nz, lax::rem(a, &safe), &zero),
            );
            let swap = lax::lt(&a2, &b2);
            (ew::r#where(&swap, &b2, &a2), ew::r#where(&swap, &a2, &b2))
        },
        &(ew::abs(a), ew::abs(b)),
    );
    g
}

/// Greatest common divisor of integers, elementwise (`jnp.gcd`).
pub fn gcd(x1: impl ArrayLike, x2: impl ArrayLike) -> Array {
    let (a, b) = integer_pair("gcd", x1, x2);
    gcd_of(&a, &b)
}

/// Least common multiple of integers, elementwise (`jnp.lcm`).
pub fn lcm(x1: impl ArrayLike, x2: impl ArrayLike) -> Array {
    let (a, b) = integer_pair("lcm", x1, x2);
    let (a, b) = (ew::abs(&a), ew::abs(&b));
    let d = gcd_of(&a, &b);
    let zero = strong_scalar_like(&d, 0.0);
    let dz = lax::eq(&d, &zero);
    let safe = ew::r#where(&dz, strong_scalar_like(&d, 1.0), &d);
    ew::r#where(&dz, &zero, ew::multiply(&a, ew::floor_divide(&b, &safe)))
}

/// Options of [`nan_to_num_with`]: the values NaN, `+inf` and `-inf` become
/// (`None`: the dtype's largest / most negative finite value).
#[derive(Clone, Copy, Debug)]
pub struct NanToNum {
    /// Replacement for NaN (default 0).
    pub nan: f64,
    /// Replacement for `+inf` (default: `finfo.max`).
    pub posinf: Option<f64>,
    /// Replacement for `-inf` (default: `finfo.min`).
    pub neginf: Option<f64>,
}

impl Default for NanToNum {
    fn default() -> Self {
        NanToNum {
            nan: 0.0,
            posinf: None,
            neginf: None,
        }
    }
}

/// NaN to 0 and infinities to the largest finite values (`jnp.nan_to_num`).
pub fn nan_to_num(x: impl ArrayLike) -> Array {
    nan_to_num_with(x, NanToNum::default())
}

/// [`nan_to_num`] with chosen replacements.
pub fn nan_to_num_with(x: impl ArrayLike, opts: NanToNum) -> Array {
    let x = x.to_array();
    if !x.dtype().is_inexact() {
        return x;
    }
    if x.dtype().is_complex() {
        return lax::complex(
            &nan_to_num_with(lax::real(&x), opts),
            &nan_to_num_with(lax::imag(&x), opts),
        );
    }
    let info = finfo(x.dtype());
    let c = |v: f64| strong_scalar_like(&x, v);
    let out = ew::r#where(ew::isnan(&x), c(opts.nan), &x);
    let out = ew::r#where(isposinf(&out), c(opts.posinf.unwrap_or(info.max)), &out);
    ew::r#where(isneginf(&out), c(opts.neginf.unwrap_or(info.min)), &out)
}

/// Number of 1 bits in `|x|`, as uint8 (`jnp.bitwise_count`).
pub fn bitwise_count(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    if !(x.dtype().is_int() || x.dtype().is_bool()) {
        panic!(
            "TypeError: population_count does not accept dtype {}. Accepted dtypes are \
             subtypes of integer.",
            x.dtype()
        );
    }
    let x = if x.dtype().is_bool() {
        lax::convert_element_type(&x, DType::I32)
    } else {
        lax::convert_element_type(&x, x.dtype())
    };
    let a = ew::abs(&x);
    // SWAR popcount on the unsigned bit pattern of the same width.
    let ut = match a.dtype().size_of() {
        1 => DType::U8,
        2 => DType::U16,
        4 => DType::U32,
        _ => DType::U64,
    };
    let u = lax::bitcast_convert_type(&a, ut);
    let k = |v: u64| iconst(ut, v as i64);
    let bits = ut.size_of() as u32 * 8;
    let m1 = k(0x5555_5555_5555_5555u64 >> (64 - bits));
    let m2 = k(0x3333_3333_3333_3333u64 >> (64 - bits));
    let m4 = k(0x0f0f_0f0f_0f0f_0f0fu64 >> (64 - bits));
    let u = lax::sub(
        &u,
        &lax::bitwise_and(&lax::shift_right_logical(&u, &k(1)), &m1),
    );
    let u = lax::add(
        &lax::bitwise_and(&u, &m2),
        &lax::bitwise_and(&lax::shift_right_logical(&u, &k(2)), &m2),
    );
    let mut u = lax::bitwise_and(&lax::add(&u, &lax::shift_right_logical(&u, &k(4))), &m4);
    let mut shift = 8;
    while shift < bits {
        u = lax::add(&u, &lax::shift_right_logical(&u, &k(shift as u64)));
        shift *= 2;
    }
    let u = lax::bitwise_and(&u, &k(0xff));
    lax::convert_element_type(&u, DType::U8)
}

/// The modified Bessel function of the first kind, order 0 (`jnp.i0`):
/// `exp(|x|) * lax.bessel_i0e(|x|)`, with a zero derivative at 0 as in JAX.
/// Integer inputs promote to the default float; complex inputs are
/// rejected.
pub fn i0(x: impl ArrayLike) -> Array {
    let x = promote_to_inexact(&x.to_array());
    if !x.dtype().is_float() {
        panic!(
            "ValueError: Unsupported input type to jax.numpy.i0: {}",
            x.dtype()
        );
    }
    let f = crate::transforms::custom::custom_jvp(
        |x: &Array| i0_unguarded(x),
        |x: &Array, t: &Array| {
            let (y, ty) = crate::transforms::jvp(i0_unguarded, x, t);
            let at_zero = lax::eq(x, &scalar_like(x, 0.0));
            let zero = lax::broadcast_in_dim(&scalar_like(&ty, 0.0), ty.shape(), &[]);
            (y, lax::select(&at_zero, &zero, &ty))
        },
    );
    f(&x)
}

fn i0_unguarded(x: &Array) -> Array {
    let a = lax::abs(x);
    lax::mul(&lax::exp(&a), &lax::bessel_i0e(&a))
}
