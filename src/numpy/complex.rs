//! Complex-number functions of `jax.numpy`: `real`, `imag`, `conj`,
//! `angle`, `iscomplex`, ... Each takes real input too, as NumPy does.

use super::array_like::ArrayLike;
use crate::core::array::Array;
use crate::lax;

/// The real part (`jnp.real`); a real array is returned as is.
pub fn real(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    if x.dtype().is_complex() {
        lax::real(&x)
    } else {
        x
    }
}

/// The imaginary part (`jnp.imag`); zeros for a real array.
pub fn imag(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    if x.dtype().is_complex() {
        lax::imag(&x)
    } else {
        super::zeros_like(&x)
    }
}

/// The complex conjugate (`jnp.conj`); a real array is returned as is.
pub fn conj(x: impl ArrayLike) -> Array {
    let x = x.to_array();
    if x.dtype().is_complex() {
        lax::conj(&x)
    } else {
        x
    }
}

/// Alias of [`conj`] (`jnp.conjugate`).
pub fn conjugate(x: impl ArrayLike) -> Array {
    conj(x)
}

/// Options of [`angle_with`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Angle {
    /// Degrees instead of radians.
    pub deg: bool,
}

/// The argument of each complex number in radians (`jnp.angle`):
/// `atan2(imag, real)`, in `(-π, π]`. Real and integer input is treated
/// as complex with zero imaginary part, giving `0` or `π` (as a float).
pub fn angle(z: impl ArrayLike) -> Array {
    angle_with(z, Angle::default())
}

/// [`angle`] with options (`jnp.angle(z, deg=True)`).
pub fn angle_with(z: impl ArrayLike, options: Angle) -> Array {
    let z = super::promote::promote_to_inexact(&z.to_array());
    let (re, im) = (real(&z), imag(&z));
    let a = lax::atan2(&im, &re);
    if options.deg {
        super::rad2deg(&a)
    } else {
        a
    }
}

/// Whether the array has a complex dtype (`jnp.iscomplexobj`).
pub fn iscomplexobj(x: impl ArrayLike) -> bool {
    x.to_array().dtype().is_complex()
}

/// Whether the array has a real dtype (`jnp.isrealobj`).
pub fn isrealobj(x: impl ArrayLike) -> bool {
    !iscomplexobj(x)
}

/// Elementwise: whether the imaginary part is nonzero (`jnp.iscomplex`).
pub fn iscomplex(x: impl ArrayLike) -> Array {
    let i = imag(x);
    lax::ne(&i, &super::elementwise::strong_scalar_like(&i, 0.0))
}

/// Elementwise: whether the imaginary part is zero (`jnp.isreal`).
pub fn isreal(x: impl ArrayLike) -> Array {
    let i = imag(x);
    lax::eq(&i, &super::elementwise::strong_scalar_like(&i, 0.0))
}
