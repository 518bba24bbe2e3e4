//! Sorting beyond `sort`/`argsort` (`lexsort`, `searchsorted`,
//! `partition`/`argpartition`, `sort_complex`) and the set routines
//! (`unique` and its array-API forms, `isin`, `intersect1d`, `union1d`,
//! `setdiff1d`, `setxor1d`).
//!
//! The set routines have data-dependent output shapes: like JAX's, they
//! need concrete input unless a static `size` is given.

use super::array_like::ArrayLike;
use super::elementwise as ew;
use super::index_tricks::{nonzero_with, Nonzero};
use super::promote::{default_int, promote_dtypes};
use super::shape_ops as so;
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::canonicalize_axis;
use crate::lax;

/// Indices that sort by the last key, then the one before, ... (`jnp.lexsort`).
pub fn lexsort(keys: &[&Array], axis: isize) -> Array {
    if keys.is_empty() {
        panic!("TypeError: need sequence of keys with len > 0 in lexsort");
    }
    if keys.iter().any(|k| k.shape() != keys[0].shape()) {
        panic!("ValueError: all keys need to be the same shape");
    }
    if keys[0].ndim() == 0 {
        return lax::convert_element_type(&Array::scalar(0i32), default_int());
    }
    let ax = canonicalize_axis(axis, keys[0].ndim(), "lexsort");
    let iota = lax::broadcasted_iota(default_int(), keys[0].shape(), ax);
    let mut ops: Vec<&Array> = keys.iter().rev().copied().collect();
    ops.push(&iota);
    lax::sort(&ops, ax, true, keys.len()).pop().unwrap()
}

/// Which insertion point [`searchsorted`] reports for equal values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Side {
    /// The first suitable index (`side='left'`).
    #[default]
    Left,
    /// The last suitable index (`side='right'`).
    Right,
}

/// `x < y` in sort order: NaN after every number.
fn sort_lt(x: &Array, y: &Array) -> Array {
    if x.dtype().is_float() {
        let ny = ew::isnan(y);
        let nx = ew::isnan(x);
        ew::logical_or(lax::lt(x, y), ew::logical_and(&ny, ew::logical_not(&nx)))
    } else {
        lax::lt(x, y)
    }
}

/// Where `v` would be inserted into the sorted 1-d `a` to keep it sorted
/// (`jnp.searchsorted(a, v, side)`), as default-int indices of `v`'s shape.
pub fn searchsorted(a: &Array, v: impl ArrayLike, side: Side) -> Array {
    if a.ndim() != 1 {
        panic!(
            "ValueError: a should be 1-dimensional, got shape {:?}",
            a.shape()
        );
    }
    let v = v.to_array();
    let p = promote_dtypes(&[a, &v]);
    let (a, v) = (&p[0], &p[1]);
    let n = a.shape()[0];
    let mut shape = v.shape().to_vec();
    shape.push(n);
    let vb = lax::broadcast_in_dim(v, &shape, &(0..v.ndim()).collect::<Vec<_>>());
    let ab = lax::broadcast_in_dim(a, &shape, &[v.ndim()]);
    let before = match side {
        Side::Left => sort_lt(&ab, &vb),
        Side::Right => ew::logical_not(sort_lt(&vb, &ab)),
    };
    let count = lax::convert_element_type(&before, default_int());
    super::reductions::sum_axis(&count, -1, false)
}

/// Stable sort of `x` along its last axis with ties by ascending index:
/// the sorted values and their indices; `descending` reverses the value
/// order but keeps ties by ascending index (XLA's `top_k` order).
fn ordered(x: &Array, descending: bool) -> (Array, Array) {
    let last = x.ndim() - 1;
    let iota = lax::broadcasted_iota(DType::I32, x.shape(), last);
    if !descending {
        let mut r = lax::sort(&[x, &iota], last, true, 2);
        let i = r.pop().unwrap();
        return (r.pop().unwrap(), i);
    }
    let neg = lax::neg(&iota);
    let r = lax::sort(&[x, &neg, &iota], last, true, 2);
    (lax::rev(&r[0], &[last]), lax::rev(&r[2], &[last]))
}

fn partition_parts(a: &Array, kth: isize, axis: isize, name: &str) -> (Array, usize, usize) {
    if a.dtype().is_complex() {
        panic!("NotImplementedError: jnp.{name} for complex dtype is not implemented.");
    }
    let ax = canonicalize_axis(axis, a.ndim(), name);
    let k = canonicalize_axis(kth, a.shape()[ax], name);
    (so::swapaxes(a, ax as isize, -1), ax, k)
}

/// `a` rearranged along `axis` so position `kth` holds the value a full sort
/// would put there, smaller values before it and larger after
/// (`jnp.partition`; JAX's order: the low part ascending, the rest
/// descending).
pub fn partition(a: &Array, kth: isize, axis: isize) -> Array {
    let (x, ax, k) = partition_parts(a, kth, axis, "partition");
    let last = x.ndim() - 1;
    let n = x.shape()[last];
    let low = lax::slice_in_dim(&ordered(&x, false).0, 0, k + 1, 1, last);
    let high = lax::slice_in_dim(&ordered(&x, true).0, 0, n - k - 1, 1, last);
    so::swapaxes(&lax::concatenate(&[&low, &high], last), -1, ax as isize)
}

/// The indices [`partition`] takes its values from (`jnp.argpartition`).
pub fn argpartition(a: &Array, kth: isize, axis: isize) -> Array {
    let (x, ax, k) = partition_parts(a, kth, axis, "argpartition");
    let last = x.ndim() - 1;
    let n = x.shape()[last];
    let (_, idx) = ordered(&x, false);
    let low = lax::slice_in_dim(&idx, 0, k + 1, 1, last);
    // The rest in ascending index order.
    let rest = lax::slice_in_dim(&idx, k + 1, n, 1, last);
    let rest = lax::sort(&[&rest], last, true, 1).remove(0);
    let out = lax::concatenate(&[&low, &rest], last);
    let out = lax::convert_element_type(&out, default_int());
    so::swapaxes(&out, -1, ax as isize)
}

/// Sorted along the last axis and converted to complex (`jnp.sort_complex`).
pub fn sort_complex(a: &Array) -> Array {
    let sorted = if a.ndim() == 0 {
        a.clone()
    } else {
        lax::sort(&[a], a.ndim() - 1, true, 1).remove(0)
    };
    let c = match a.dtype() {
        DType::F64 | DType::C128 | DType::I64 | DType::U64 if crate::config::enable_x64() => {
            DType::C128
        }
        DType::C128 => DType::C128,
        _ => DType::C64,
    };
    lax::convert_element_type(&sorted, c)
}

/// Options of [`unique_with`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Unique {
    /// A static result length (works under `jit`): the first `size` unique
    /// values, padded with `fill_value` (default: the smallest value).
    pub size: Option<usize>,
    /// What pads the values up to `size`.
    pub fill_value: Option<f64>,
    /// Treat all NaNs as one value (default true in JAX).
    pub equal_nan: Option<bool>,
}

/// The pieces of `unique_all`: values, first indices, inverse, counts.
pub struct UniqueAll {
    /// The sorted unique values.
    pub values: Array,
    /// Index of each value's first occurrence in the flattened input.
    pub indices: Array,
    /// For each input element, the index of its value (input's shape).
    pub inverse_indices: Array,
    /// How often each value occurs.
    pub counts: Array,
}

fn unique_core(x: &Array, opts: Unique) -> UniqueAll {
    let flat = so::ravel(x);
    let n = flat.size();
    let idt = default_int();
    if n == 0 {
        let e = lax::convert_element_type(&flat, idt);
        return UniqueAll {
            values: flat,
            indices: e.clone(),
            inverse_indices: lax::reshape(&e, x.shape()),
            counts: e,
        };
    }
    let (sorted, perm) = ordered(&flat, false);
    let prev = lax::slice_in_dim(&sorted, 0, n - 1, 1, 0);
    let cur = lax::slice_in_dim(&sorted, 1, n, 1, 0);
    let mut differs = lax::ne(&cur, &prev);
    if opts.equal_nan.unwrap_or(true) && flat.dtype().is_inexact() {
        let both_nan = ew::logical_and(ew::isnan(&cur), ew::isnan(&prev));
        differs = ew::logical_and(&differs, ew::logical_not(&both_nan));
    }
    let mask = lax::concatenate(&[&Array::from_vec(vec![true], vec![1]), &differs], 0);
    let starts = nonzero_with(
        &mask,
        Nonzero {
            size: opts.size,
            fill_value: None,
        },
    )
    .remove(0);
    let k = starts.shape()[0];
    let take = |a: &Array, i: &Array| {
        super::take::take_with(
            a,
            i,
            super::take::Take {
                axis: Some(0),
                mode: Some("clip"),
                ..Default::default()
            },
        )
    };
    let mut values = take(&sorted, &starts);
    let mut indices = lax::convert_element_type(&take(&perm, &starts), idt);
    // Group ids in sorted order, scattered back to input order.
    let group = lax::sub(
        &super::reductions::cumsum(&lax::convert_element_type(&mask, idt)),
        &lax::convert_element_type(&Array::scalar(1i32), idt),
    );
    // perm is a permutation: its inverse is its argsort.
    let iota = lax::iota(DType::I32, n);
    let unperm = lax::sort_key_val(&perm, &iota, 0, true).1;
    let inverse = take(&group, &unperm);
    let inverse = lax::reshape(&inverse, x.shape());
    // counts[g] = next start - start
    let ends = lax::concatenate(
        &[
            &lax::slice_in_dim(&starts, 1.min(k), k, 1, 0),
            &lax::convert_element_type(&Array::from_vec(vec![n as i32], vec![1]), starts.dtype()),
        ],
        0,
    );
    let mut counts = lax::convert_element_type(&lax::sub(&ends, &starts), idt);
    if let Some(size) = opts.size {
        // Slots past the number of unique values: fill, and zero counts.
        let real = super::reductions::sum(&lax::convert_element_type(&mask, idt));
        let slot = lax::iota(idt, size);
        let pad = lax::ge(&slot, &real);
        let fill = match opts.fill_value {
            Some(v) => ew::strong_scalar_like(&values, v),
            None => super::reductions::min(&flat),
        };
        values = ew::r#where(&pad, &fill, &values);
        counts = ew::r#where(&pad, ew::strong_scalar_like(&counts, 0.0), &counts);
        // The last real group's count runs to n; others are fine.
        indices = ew::r#where(&pad, ew::strong_scalar_like(&indices, 0.0), &indices);
    }
    UniqueAll {
        values,
        indices,
        inverse_indices: inverse,
        counts,
    }
}

/// The sorted unique values of the flattened array (`jnp.unique`).
pub fn unique(x: impl ArrayLike) -> Array {
    unique_core(&x.to_array(), Unique::default()).values
}

/// [`unique`] with `size`, `fill_value` and `equal_nan`.
pub fn unique_with(x: impl ArrayLike, opts: Unique) -> Array {
    unique_core(&x.to_array(), opts).values
}

/// The array API's options: every NaN is its own value.
const ARRAY_API: Unique = Unique {
    size: None,
    fill_value: None,
    equal_nan: Some(false),
};

/// `jnp.unique_values` (array API): the sorted unique values; NaNs are
/// not merged.
pub fn unique_values(x: impl ArrayLike) -> Array {
    unique_core(&x.to_array(), ARRAY_API).values
}

/// `jnp.unique_counts` (array API, NaNs not merged): the unique values and how often each occurs.
pub fn unique_counts(x: impl ArrayLike) -> (Array, Array) {
    let u = unique_core(&x.to_array(), ARRAY_API);
    (u.values, u.counts)
}

/// `jnp.unique_inverse`: the unique values and, per input element, the
/// index of its value (shaped like the input).
pub fn unique_inverse(x: impl ArrayLike) -> (Array, Array) {
    let u = unique_core(&x.to_array(), ARRAY_API);
    (u.values, u.inverse_indices)
}

/// `jnp.unique_all`: values, first-occurrence indices, inverse and counts.
pub fn unique_all(x: impl ArrayLike) -> UniqueAll {
    unique_core(&x.to_array(), ARRAY_API)
}

/// Whether each element of `element` occurs in `test_elements`
/// (`jnp.isin`), shaped like `element`; `invert` negates.
pub fn isin(element: impl ArrayLike, test_elements: impl ArrayLike, invert: bool) -> Array {
    let (e, t) = (element.to_array(), so::ravel(&test_elements.to_array()));
    let p = promote_dtypes(&[&e, &t]);
    let (e, t) = (&p[0], &p[1]);
    let mut shape = e.shape().to_vec();
    shape.push(t.size());
    let eb = lax::broadcast_in_dim(e, &shape, &(0..e.ndim()).collect::<Vec<_>>());
    let tb = lax::broadcast_in_dim(t, &shape, &[e.ndim()]);
    let hit = super::reductions::any_axis(&lax::eq(&eb, &tb), -1, false);
    if invert {
        ew::logical_not(&hit)
    } else {
        hit
    }
}

fn promoted_flat(a: impl ArrayLike, b: impl ArrayLike) -> (Array, Array) {
    let (a, b) = (so::ravel(&a.to_array()), so::ravel(&b.to_array()));
    let p = promote_dtypes(&[&a, &b]);
    (p[0].clone(), p[1].clone())
}

fn select_where(x: &Array, keep: &Array) -> Array {
    let idx = nonzero_with(keep, Nonzero::default()).remove(0);
    super::take::take_with(
        x,
        &idx,
        super::take::Take {
            axis: Some(0),
            ..Default::default()
        },
    )
}

/// Sorted unique values present in both inputs (`jnp.intersect1d`).
pub fn intersect1d(a1: impl ArrayLike, a2: impl ArrayLike) -> Array {
    let (a, b) = promoted_flat(a1, a2);
    let ua = unique(&a);
    select_where(&ua, &isin(&ua, &b, false))
}

/// Sorted unique values present in either input (`jnp.union1d`).
pub fn union1d(a1: impl ArrayLike, a2: impl ArrayLike) -> Array {
    let (a, b) = promoted_flat(a1, a2);
    unique(so::concatenate([&a, &b], 0))
}

/// Sorted unique values of `a1` not in `a2` (`jnp.setdiff1d`).
pub fn setdiff1d(a1: impl ArrayLike, a2: impl ArrayLike) -> Array {
    let (a, b) = promoted_flat(a1, a2);
    let ua = unique(&a);
    select_where(&ua, &isin(&ua, &b, true))
}

/// Sorted unique values in exactly one of the inputs (`jnp.setxor1d`).
pub fn setxor1d(a1: impl ArrayLike, a2: impl ArrayLike) -> Array {
    let (a, b) = promoted_flat(a1, a2);
    let (ua, ub) = (unique(&a), unique(&b));
    let only_a = select_where(&ua, &isin(&ua, &ub, true));
    let only_b = select_where(&ub, &isin(&ub, &ua, true));
    lax::sort(&[&so::concatenate([&only_a, &only_b], 0)], 0, true, 1).remove(0)
}
