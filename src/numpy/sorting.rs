//! Sorting: `sort` and `argsort` (stable, ascending, NaNs last), built on
//! the `sort` primitive.

use super::axes::Axes;
use super::promote::default_int;
use crate::core::array::Array;
use crate::lax;

fn axis_of(x: &Array, axis: isize, op: &str) -> usize {
    if x.ndim() == 0 {
        panic!("ValueError: {op} requires an array of at least 1 dimension, got a scalar.");
    }
    Axes::from(axis).resolve(x.ndim(), op)[0]
}

/// Sorted copy of the flattened array (`jnp.sort(x, axis=None)`).
pub fn sort(x: &Array) -> Array {
    sort_axis(&lax::reshape(x, &[x.size()]), -1)
}

/// Sorted along `axis` (`jnp.sort(x, axis)`).
pub fn sort_axis(x: &Array, axis: isize) -> Array {
    let d = axis_of(x, axis, "sort");
    lax::sort(&[x], d, true, 1).remove(0)
}

/// Indices that sort the flattened array (`jnp.argsort(x, axis=None)`).
pub fn argsort(x: &Array) -> Array {
    argsort_axis(&lax::reshape(x, &[x.size()]), -1)
}

/// Indices that sort along `axis`, stable (`jnp.argsort(x, axis)`).
pub fn argsort_axis(x: &Array, axis: isize) -> Array {
    let d = axis_of(x, axis, "argsort");
    let iota = lax::broadcasted_iota(default_int(), x.shape(), d);
    lax::sort_key_val(x, &iota, d, true).1
}
