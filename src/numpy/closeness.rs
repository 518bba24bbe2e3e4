//! `isclose` and `allclose`: elementwise closeness with JAX's handling of
//! infinities and NaNs.

use super::array_like::ArrayLike;
use super::elementwise::{
    abs, equal, isinf, isnan, less_equal, logical_and, logical_not, logical_or,
};
use crate::core::array::Array;
use crate::lax;

/// Options of [`isclose_with`] and [`allclose_with`] (NumPy's defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IsClose {
    /// Relative tolerance (of `|b|`).
    pub rtol: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Whether two NaNs count as close.
    pub equal_nan: bool,
}

impl Default for IsClose {
    fn default() -> Self {
        IsClose {
            rtol: 1e-5,
            atol: 1e-8,
            equal_nan: false,
        }
    }
}

/// Elementwise `|a - b| <= atol + rtol * |b|` (`jnp.isclose`), with the
/// defaults `rtol=1e-5`, `atol=1e-8`. Equal infinities are close; NaN is
/// close to nothing.
pub fn isclose(a: impl ArrayLike, b: impl ArrayLike) -> Array {
    isclose_with(a, b, IsClose::default())
}

/// [`isclose`] with options (`jnp.isclose(a, b, rtol, atol, equal_nan)`).
pub fn isclose_with(a: impl ArrayLike, b: impl ArrayLike, options: IsClose) -> Array {
    let v = super::promote::promote_and_broadcast("isclose", &[&a.to_array(), &b.to_array()]);
    let (a, b) = (
        super::promote::promote_to_inexact(&v[0]),
        super::promote::promote_to_inexact(&v[1]),
    );
    let real = a.dtype().real_dtype();
    let tol = |t: f64| lax::convert_element_type(&super::array_like::weak_float(t), real);
    let diff = abs(lax::sub(&a, &b));
    let bound = lax::add(&tol(options.atol), &lax::mul(&tol(options.rtol), &abs(&b)));
    let mut out = less_equal(&diff, &bound);
    let (a_inf, b_inf) = (isinf(&a), isinf(&b));
    // Where either side is infinite only the same infinity is close.
    out = logical_and(&out, logical_not(logical_or(&a_inf, &b_inf)));
    let same_inf = logical_and(logical_and(&a_inf, &b_inf), equal(&a, &b));
    out = logical_or(&out, &same_inf);
    let (a_nan, b_nan) = (isnan(&a), isnan(&b));
    out = logical_and(&out, logical_not(logical_or(&a_nan, &b_nan)));
    if options.equal_nan {
        out = logical_or(&out, logical_and(&a_nan, &b_nan));
    }
    out
}

/// Whether every element is close (`jnp.allclose`): a bool scalar array.
pub fn allclose(a: impl ArrayLike, b: impl ArrayLike) -> Array {
    allclose_with(a, b, IsClose::default())
}

/// [`allclose`] with options.
pub fn allclose_with(a: impl ArrayLike, b: impl ArrayLike, options: IsClose) -> Array {
    super::all(&isclose_with(a, b, options))
}
