//! `jnp.linalg.matrix_power`.

use crate::core::array::Array;
use crate::lax;
use crate::numpy::products::matmul;

/// `jnp.linalg.matrix_power`: `a` (`(..., m, m)`) raised to the integer
/// power `n` by repeated squaring; `n = 0` gives the identity (in `a`'s
/// dtype) and negative powers invert first.
///
/// ```
/// use jaxide::prelude::*;
/// let a = jnp::array([[1.0f32, 1.0], [0.0, 1.0]]);
/// assert_eq!(jnp::linalg::matrix_power(&a, 3).to_vec::<f32>(), vec![1.0, 3.0, 0.0, 1.0]);
/// ```
pub fn matrix_power(a: &Array, n: i64) -> Array {
    let nd = a.ndim();
    if nd < 2 {
        panic!("TypeError: {nd}-dimensional array given. Array must be at least two-dimensional");
    }
    if a.shape()[nd - 2] != a.shape()[nd - 1] {
        panic!("TypeError: Last 2 dimensions of the array must be square");
    }
    if n == 0 {
        return lax::linalg::util::eye(a.dtype(), &a.shape()[..nd - 2], a.shape()[nd - 1]);
    }
    let base = if n < 0 { super::inv(a) } else { a.clone() };
    let mut n = n.unsigned_abs();
    match n {
        1 => return base,
        2 => return matmul(&base, &base),
        3 => return matmul(matmul(&base, &base), &base),
        _ => {}
    }
    let mut z: Option<Array> = None;
    let mut result: Option<Array> = None;
    while n > 0 {
        let next = match &z {
            None => base.clone(),
            Some(z) => matmul(z, z),
        };
        if n % 2 == 1 {
            result = Some(match result {
                None => next.clone(),
                Some(r) => matmul(&r, &next),
            });
        }
        z = Some(next);
        n /= 2;
    }
    result.expect("n > 0")
}
