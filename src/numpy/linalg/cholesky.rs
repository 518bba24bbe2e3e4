//! `jnp.linalg.cholesky`.

use super::util::inexact;
use crate::core::array::Array;
use crate::lax;

/// Options of [`cholesky_with`] (`jnp.linalg.cholesky`'s keywords).
#[derive(Copy, Clone, Debug)]
pub struct Cholesky {
    /// Return the upper factor `U = Lᴴ` (`a = Uᴴ U`) instead of `L`.
    pub upper: bool,
    /// Factor `(a + aᴴ)/2` (default) rather than reading only one triangle.
    pub symmetrize_input: bool,
}

impl Default for Cholesky {
    fn default() -> Self {
        Cholesky {
            upper: false,
            symmetrize_input: true,
        }
    }
}

/// `jnp.linalg.cholesky`: the lower Cholesky factor `L` (`a = L Lᴴ`) of each
/// Hermitian positive-definite matrix of `a` (`(..., n, n)`); integer input
/// is promoted to float. A matrix that is not positive definite gives NaNs.
///
/// ```
/// use jaxide::prelude::*;
/// let a = jnp::array([[4.0f32, 2.0], [2.0, 3.0]]);
/// let l = jnp::linalg::cholesky(&a);
/// assert_eq!(l.to_vec::<f32>(), vec![2.0, 0.0, 1.0, 2.0f32.sqrt()]);
/// ```
pub fn cholesky(a: &Array) -> Array {
    cholesky_with(a, Cholesky::default())
}

/// [`cholesky`] with options (`upper`, `symmetrize_input`).
pub fn cholesky_with(a: &Array, options: Cholesky) -> Array {
    let l = lax::linalg::cholesky(&inexact(a), options.symmetrize_input);
    if options.upper {
        lax::linalg::util::mh(&l)
    } else {
        l
    }
}
