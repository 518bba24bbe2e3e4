//! Samplers that transform one uniform draw per element: `exponential`,
//! `laplace`, `logistic`, `gumbel` and `cauchy`, each computed as JAX
//! does (same uniform bounds, same formula, XLA's `log`/`log1p`).

use super::key::KeyLike;
use super::normal::next_after;
use super::uniform::{cst, default_float, float_dtype, uniform_in, unit_interval};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::lax;

/// Defines `name(key, shape)` (default float dtype) and
/// `name_with(key, shape, dtype)` from a body over `(key, shape, dtype)`.
macro_rules! sampler {
    ($(#[$doc:meta])* $name:ident, $with:ident, |$k:ident, $shape:ident, $dt:ident| $body:block) => {
        $(#[$doc])*
        pub fn $name(key: &impl KeyLike, shape: &[usize]) -> Array {
            $with(key, shape, default_float())
        }

        #[doc = concat!("[`", stringify!($name), "`] with an explicit float `dtype`.")]
        pub fn $with(key: &impl KeyLike, shape: &[usize], dtype: DType) -> Array {
            let $k = key.single_key(stringify!($name));
            let $dt = float_dtype(stringify!($name), dtype);
            let $shape = shape;
            $body
        }
    };
}

sampler!(
    /// Exponential samples with rate 1 (`jax.random.exponential`): `-log1p(-u)`.
    exponential, exponential_with, |k, shape, dt| {
        let u = unit_interval(&k, shape, dt);
        lax::neg(&lax::log1p(&lax::neg(&u)))
    }
);

sampler!(
    /// Laplace samples with scale 1 (`jax.random.laplace`):
    /// `sign(u) * log1p(-|u|)` for `u` uniform in `(-1, 1)`.
    laplace, laplace_with, |k, shape, dt| {
        let lo = next_after(&cst(-1.0, dt), true);
        let u = uniform_in(&k, shape, dt, &lo, &cst(1.0, dt));
        lax::mul(&lax::sign(&u), &lax::log1p(&lax::neg(&lax::abs(&u))))
    }
);

sampler!(
    /// Standard logistic samples (`jax.random.logistic`): `log(u) - log1p(-u)`.
    logistic, logistic_with, |k, shape, dt| {
        let u = uniform_in(&k, shape, dt, &cst(tiny(dt), dt), &cst(1.0, dt));
        lax::sub(&lax::log(&u), &lax::log1p(&lax::neg(&u)))
    }
);

sampler!(
    /// Standard Gumbel samples (`jax.random.gumbel`, JAX's default "low"
    /// mode): `-log(-log(u))`.
    gumbel, gumbel_with, |k, shape, dt| {
        let u = uniform_in(&k, shape, dt, &cst(tiny(dt), dt), &cst(1.0, dt));
        lax::neg(&lax::log(&lax::neg(&lax::log(&u))))
    }
);

sampler!(
    /// Standard Cauchy samples (`jax.random.cauchy`): `tan(pi * (u - 1/2))`.
    cauchy, cauchy_with, |k, shape, dt| {
        let eps = if dt == DType::F32 { f32::EPSILON as f64 } else { f64::EPSILON };
        let u = uniform_in(&k, shape, dt, &cst(eps, dt), &cst(1.0, dt));
        lax::tan(&lax::mul(&cst(std::f64::consts::PI, dt), &lax::sub(&u, &cst(0.5, dt))))
    }
);

/// The smallest positive normal float of `dtype`.
pub(crate) fn tiny(dtype: DType) -> f64 {
    if dtype == DType::F32 {
        f32::MIN_POSITIVE as f64
    } else {
        f64::MIN_POSITIVE
    }
}
