//! Shape checks shared by the samplers, with JAX's messages.

use crate::core::shape::fmt_tuple;
use crate::numpy::promote::broadcast_shapes;

/// Checks that the parameter shapes broadcast to exactly `shape`
/// (`jax.random`'s `_check_shape`).
pub(crate) fn check_shape(name: &str, shape: &[usize], params: &[&[usize]]) {
    let mut all = vec![shape];
    all.extend_from_slice(params);
    let result = broadcast_shapes("broadcast_arrays", &all);
    if result.as_slice() != shape {
        panic!(
            "ValueError: {name} parameter shapes must be broadcast-compatible with shape \
             argument, and the result of broadcasting the shapes must equal the shape argument, \
             but got result {} for shape argument {}.",
            fmt_tuple(&result),
            fmt_tuple(shape)
        );
    }
}

/// The requested shape, or the parameters' broadcast shape when none is given.
pub(crate) fn shape_or_broadcast(
    name: &str,
    shape: Option<&[usize]>,
    params: &[&[usize]],
) -> Vec<usize> {
    match shape {
        Some(s) => {
            check_shape(name, s, params);
            s.to_vec()
        }
        None => broadcast_shapes("broadcast_arrays", params).to_vec(),
    }
}
