//! `lax::associative_scan`: an inclusive scan with any associative function
//! of pytrees, in O(log n) rounds of vectorized calls (the odd/even
//! recursion of Blelloch's scan, as JAX computes it), so the result and the
//! order of `fn`'s arguments are JAX's.

use crate::core::array::Array;
use crate::core::shape::canonicalize_axis;
use crate::lax;
use crate::tree::{tree_flatten, tree_unflatten, PyTree, TreeDef};

/// Options of [`associative_scan_with`].
#[derive(Clone, Copy, Debug, Default)]
pub struct AssociativeScanOptions {
    /// Scan from the end: `out[i] = fn(... fn(x[n-1], x[n-2]) ..., x[i])`.
    pub reverse: bool,
    /// The axis to scan along (negative counts from the end).
    pub axis: isize,
}

/// The inclusive scan of `elems` along axis 0 with the associative `f`
/// (`jax.lax.associative_scan(fn, elems)`): `out[i] = f(... f(x[0], x[1])
/// ..., x[i])`. `f` takes and returns pytrees shaped like `elems`, applied
/// to whole slices at once (it must work elementwise along the axis).
///
/// ```
/// use jaxide::prelude::*;
/// let s = lax::associative_scan(|a: &Array, b: &Array| a + b, &(jnp::arange(8) + 1));
/// assert_eq!(s.to_vec::<i32>(), vec![1, 3, 6, 10, 15, 21, 28, 36]);
/// ```
pub fn associative_scan<T: PyTree>(f: impl Fn(&T, &T) -> T, elems: &T) -> T {
    associative_scan_with(f, elems, AssociativeScanOptions::default())
}

/// [`associative_scan`] with `reverse` and `axis`.
pub fn associative_scan_with<T: PyTree>(
    f: impl Fn(&T, &T) -> T,
    elems: &T,
    options: AssociativeScanOptions,
) -> T {
    let (leaves, def) = tree_flatten(elems);
    let Some(first) = leaves.first() else {
        return tree_unflatten(&def, leaves);
    };
    let axis = canonicalize_scan_axis(options.axis, first.ndim());
    for x in &leaves {
        if x.ndim() <= axis {
            canonicalize_scan_axis(options.axis, x.ndim());
        }
    }
    let n = first.shape()[axis];
    if leaves.iter().any(|x| x.shape()[axis] != n) {
        let shapes: Vec<String> = leaves
            .iter()
            .map(|x| crate::core::shape::fmt_tuple(x.shape()))
            .collect();
        panic!(
            "ValueError: Array inputs to associative_scan must have the same first dimension. \
             (saw: [{}])",
            shapes.join(", ")
        );
    }
    let flip = |xs: Vec<Array>| -> Vec<Array> {
        if options.reverse {
            xs.iter().map(|x| lax::rev(x, &[axis])).collect()
        } else {
            xs
        }
    };
    let combine = |a: &[Array], b: &[Array]| -> Vec<Array> {
        let at: T = tree_unflatten(&def, a.iter().cloned());
        let bt: T = tree_unflatten(&def, b.iter().cloned());
        let (out, out_def) = tree_flatten(&f(&at, &bt));
        check_structure(&def, &out_def);
        out
    };
    let scanned = scan_rec(&combine, flip(leaves), axis);
    tree_unflatten(&def, flip(scanned))
}

fn canonicalize_scan_axis(axis: isize, ndim: usize) -> usize {
    let n = ndim as isize;
    if axis < -n || axis >= n {
        panic!("ValueError: axis {axis} is out of bounds for array of dimension {ndim}");
    }
    canonicalize_axis(axis, ndim, "associative_scan")
}

fn check_structure(want: &TreeDef, got: &TreeDef) {
    if want != got {
        panic!(
            "ValueError: associative_scan: fn must return the structure of its inputs, {want}, \
             but returned {got}."
        );
    }
}

/// `fn` on flat leaf lists.
type Combine<'a> = &'a dyn Fn(&[Array], &[Array]) -> Vec<Array>;

/// The recursion: combine neighbours pairwise, scan those (the odd
/// outputs), then fill in the even outputs from them.
fn scan_rec(combine: Combine<'_>, elems: Vec<Array>, axis: usize) -> Vec<Array> {
    let n = elems[0].shape()[axis];
    if n < 2 {
        return elems;
    }
    let lefts: Vec<Array> = elems
        .iter()
        .map(|e| lax::slice_in_dim(e, 0, n - 1, 2, axis))
        .collect();
    let rights: Vec<Array> = elems
        .iter()
        .map(|e| lax::slice_in_dim(e, 1, n, 2, axis))
        .collect();
    let odd = scan_rec(combine, combine(&lefts, &rights), axis);
    let later: Vec<Array> = elems
        .iter()
        .map(|e| lax::slice_in_dim(e, 2, n, 2, axis))
        .collect();
    let even_rest = if n.is_multiple_of(2) {
        let m = odd[0].shape()[axis];
        let trimmed: Vec<Array> = odd
            .iter()
            .map(|o| lax::slice_in_dim(o, 0, m - 1, 1, axis))
            .collect();
        combine(&trimmed, &later)
    } else {
        combine(&odd, &later)
    };
    elems
        .iter()
        .zip(&even_rest)
        .zip(&odd)
        .map(|((e, rest), o)| {
            let head = lax::slice_in_dim(e, 0, 1, 1, axis);
            let even = lax::concatenate(&[&head, rest], axis);
            interleave(&even, o, axis)
        })
        .collect()
}

/// `a[0], b[0], a[1], b[1], ...` along `axis` (`a` has as many elements as
/// `b` or one more): both padded with interior zeros and added (or-ed).
fn interleave(a: &Array, b: &Array, axis: usize) -> Array {
    let (na, nb) = (a.shape()[axis], b.shape()[axis]);
    let zero = lax::ad_util::scalar_like(a, 0.0);
    let mut pa = vec![(0i64, 0i64, 0i64); a.ndim()];
    let mut pb = pa.clone();
    pa[axis] = (0, i64::from(na == nb), 1);
    pb[axis] = (1, i64::from(na != nb), 1);
    let (xa, xb) = (lax::pad(a, &zero, &pa), lax::pad(b, &zero, &pb));
    if a.dtype().is_bool() {
        lax::binary(crate::ir::BinaryOp::Or, &xa, &xb)
    } else {
        lax::add(&xa, &xb)
    }
}
