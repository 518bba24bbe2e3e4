//! `lax::map`: a function over the leading axis of a pytree, as a `scan`
//! (one slice at a time) or, with `batch_size`, a scan over vmapped batches
//! plus one vmapped call for the remainder, as JAX does.

use super::api::scan;
use crate::core::array::Array;
use crate::interpreters::batching::batch_flat;
use crate::lax::batching::batch_first;
use crate::tree::{tree_flatten, tree_unflatten, PyTree, TreeDef};
use std::cell::RefCell;

/// Options of [`map_with`].
#[derive(Clone, Copy, Debug, Default)]
pub struct MapOptions {
    /// Map this many slices at a time with `vmap` (`None`: one at a time;
    /// `Some(0)`: all at once).
    pub batch_size: Option<usize>,
}

/// `f` applied to each slice of `xs` along its leading axis, results
/// stacked (`jax.lax.map`): a `scan` with no carry, so `f` is traced once.
///
/// ```
/// use jaxide::prelude::*;
/// let ys = lax::map(|x: &Array| x * 10.0f32, &jnp::arange_dtype(4, DType::F32));
/// assert_eq!(ys.to_vec::<f32>(), vec![0.0, 10.0, 20.0, 30.0]);
/// ```
pub fn map<X: PyTree, Y: PyTree>(f: impl Fn(&X) -> Y, xs: &X) -> Y {
    map_with(f, xs, MapOptions::default())
}

/// [`map`] with options: `batch_size` maps that many slices per step with
/// `vmap` (JAX's `lax.map(f, xs, batch_size=...)`). The leftover slices
/// (when the length is not a multiple) go through one more vmapped call.
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::lax::MapOptions;
/// let xs = jnp::arange_dtype(7, DType::F32);
/// let ys = lax::map_with(|x: &Array| x * 10.0f32, &xs, MapOptions { batch_size: Some(3) });
/// assert_eq!(ys.to_vec::<f32>(), vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0]);
/// ```
pub fn map_with<X: PyTree, Y: PyTree>(f: impl Fn(&X) -> Y, xs: &X, options: MapOptions) -> Y {
    let Some(b) = options.batch_size else {
        return scan(|_: &(), x: &X| ((), f(x)), &(), xs).1;
    };
    let (leaves, def) = tree_flatten(xs);
    let Some(first) = leaves.first() else {
        return scan(|_: &(), x: &X| ((), f(x)), &(), xs).1;
    };
    if first.ndim() == 0 {
        panic!(
            "IndexError: lax.map got a scalar {} to map over; every leaf of xs needs a leading \
             axis.",
            first.aval().short()
        );
    }
    let n = first.shape()[0];
    if let Some(bad) = leaves.iter().find(|x| x.ndim() == 0 || x.shape()[0] != n) {
        panic!(
            "ValueError: lax.map got values with different leading axis sizes: {}, {}.",
            n,
            bad.shape()
                .first()
                .map_or("none".to_string(), |d| d.to_string())
        );
    }
    let num_batches = n.checked_div(b).unwrap_or(0);
    let main_len = num_batches * b;
    let mut parts: Vec<Vec<Array>> = Vec::new();
    let mut out_def: Option<TreeDef> = None;
    if num_batches > 0 {
        let batched: Vec<Array> = leaves
            .iter()
            .map(|x| {
                let head = crate::lax::slice_in_dim(x, 0, main_len, 1, 0);
                let mut shape = vec![num_batches, b];
                shape.extend_from_slice(&x.shape()[1..]);
                crate::lax::reshape(&head, &shape)
            })
            .collect();
        let batched: X = tree_unflatten(&def, batched);
        let ys_def = RefCell::new(None);
        let ys = scan(
            |_: &(), chunk: &X| {
                let (outs, d) = vmapped(&f, chunk, b);
                *ys_def.borrow_mut() = Some(d);
                ((), outs)
            },
            &(),
            &batched,
        )
        .1;
        let merged = ys
            .iter()
            .map(|y| {
                let mut shape = vec![main_len];
                shape.extend_from_slice(&y.shape()[2..]);
                crate::lax::reshape(y, &shape)
            })
            .collect();
        parts.push(merged);
        out_def = ys_def.into_inner();
    }
    if main_len < n || num_batches == 0 {
        let tail: Vec<Array> = leaves
            .iter()
            .map(|x| crate::lax::slice_in_dim(x, main_len, n, 1, 0))
            .collect();
        let (outs, d) = vmapped(&f, &tree_unflatten::<X>(&def, tail), n - main_len);
        parts.push(outs);
        out_def = Some(d);
    }
    let out_def = out_def.expect("at least one part was mapped");
    let outs: Vec<Array> = if parts.len() == 1 {
        parts.pop().unwrap()
    } else {
        (0..parts[0].len())
            .map(|i| crate::lax::concatenate(&[&parts[0][i], &parts[1][i]], 0))
            .collect()
    };
    tree_unflatten(&out_def, outs)
}

/// `vmap(f)(xs)` over the leading axis (of length `size`), outputs batched
/// first, flattened.
fn vmapped<X: PyTree, Y: PyTree>(
    f: &impl Fn(&X) -> Y,
    xs: &X,
    size: usize,
) -> (Vec<Array>, TreeDef) {
    let (leaves, def) = tree_flatten(xs);
    let out_def = RefCell::new(None);
    let flat = |a: &[Array]| -> Vec<Array> {
        let x: X = tree_unflatten(&def, a.iter().cloned());
        let (outs, d) = tree_flatten(&f(&x));
        *out_def.borrow_mut() = Some(d);
        outs
    };
    let dims = vec![Some(0); leaves.len()];
    let outs = batch_flat(&flat, &leaves, &dims, size)
        .into_iter()
        .map(|(y, d)| batch_first(&y, d, size))
        .collect();
    (outs, out_def.into_inner().expect("traced"))
}
