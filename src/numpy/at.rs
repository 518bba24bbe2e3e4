//! Functional updates: `x.at(i).set(v)`, `.add`, `.mul`, `.min`, `.max`, `.get`.
//!
//! Arrays are immutable, so each update returns a new array and leaves the
//! original unchanged (under `jit` the update happens in place when the
//! operand is dead). Indices are integers (negative counts from the end),
//! ranges, or tuples of those, one per leading axis.
//!
//! Out-of-range semantics follow JAX's defaults: `get` clamps an index into
//! range (after wrapping negative ones); updates at an out-of-range integer
//! index are dropped, leaving the array unchanged. Ranges are clipped to the
//! axis like Python slices.
//!
//! ```
//! use jaxide::numpy as jnp;
//! let y = jnp::array([1, 2, 3]);
//! assert_eq!(y.at(0).set(123).to_vec::<i32>(), vec![123, 2, 3]);
//! assert_eq!(y.at(-1).add(10).to_vec::<i32>(), vec![1, 2, 13]);
//! assert_eq!(y.at(1..).mul(2).to_vec::<i32>(), vec![1, 4, 6]);
//! assert_eq!(y.at(10).get().item::<i32>(), 3); // clamped
//! ```

use super::array_like::{weak_int, ArrayLike};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::lax;
use std::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

/// One index component: an integer, a range, or a scalar integer array
/// (which may be a traced value, e.g. a `fori_loop` counter).
#[derive(Clone, Debug)]
pub enum IndexItem {
    /// A single position (negative counts from the end).
    Int(i64),
    /// `start..end` (each optional, negative counts from the end).
    Range(Option<i64>, Option<i64>),
    /// A single position held in a rank-0 integer array.
    Dynamic(Array),
}

impl PartialEq for IndexItem {
    fn eq(&self, other: &IndexItem) -> bool {
        match (self, other) {
            (IndexItem::Int(a), IndexItem::Int(b)) => a == b,
            (IndexItem::Range(a, b), IndexItem::Range(c, d)) => a == c && b == d,
            (IndexItem::Dynamic(a), IndexItem::Dynamic(b)) => a.ptr_id() == b.ptr_id(),
            _ => false,
        }
    }
}

/// An index: components for the leading axes.
#[derive(Clone, Debug, PartialEq)]
pub struct Index(pub Vec<IndexItem>);

impl From<&Array> for IndexItem {
    fn from(i: &Array) -> IndexItem {
        if i.ndim() != 0 || !(i.dtype().is_int()) {
            panic!(
                "IndexError: an array index must be a scalar integer, got {}. Use an integer \
                 array of shape () (for example a fori_loop counter).",
                i.aval().short()
            );
        }
        if i.is_tracer() {
            IndexItem::Dynamic(i.clone())
        } else {
            IndexItem::Int(i.astype(DType::I64).item::<i64>())
        }
    }
}

impl From<&Array> for Index {
    fn from(i: &Array) -> Index {
        Index(vec![i.into()])
    }
}

macro_rules! index_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for IndexItem { fn from(i: $t) -> IndexItem { IndexItem::Int(i as i64) } }
        impl From<$t> for Index { fn from(i: $t) -> Index { Index(vec![IndexItem::Int(i as i64)]) } }
        impl From<Range<$t>> for IndexItem { fn from(r: Range<$t>) -> IndexItem { IndexItem::Range(Some(r.start as i64), Some(r.end as i64)) } }
        impl From<RangeFrom<$t>> for IndexItem { fn from(r: RangeFrom<$t>) -> IndexItem { IndexItem::Range(Some(r.start as i64), None) } }
        impl From<RangeTo<$t>> for IndexItem { fn from(r: RangeTo<$t>) -> IndexItem { IndexItem::Range(None, Some(r.end as i64)) } }
        impl From<RangeInclusive<$t>> for IndexItem {
            fn from(r: RangeInclusive<$t>) -> IndexItem {
                let end = *r.end() as i64 + 1;
                IndexItem::Range(Some(*r.start() as i64), if end == 0 { None } else { Some(end) })
            }
        }
        impl From<RangeToInclusive<$t>> for IndexItem {
            fn from(r: RangeToInclusive<$t>) -> IndexItem {
                let end = r.end as i64 + 1;
                IndexItem::Range(None, if end == 0 { None } else { Some(end) })
            }
        }
        impl From<Range<$t>> for Index { fn from(r: Range<$t>) -> Index { Index(vec![r.into()]) } }
        impl From<RangeFrom<$t>> for Index { fn from(r: RangeFrom<$t>) -> Index { Index(vec![r.into()]) } }
        impl From<RangeTo<$t>> for Index { fn from(r: RangeTo<$t>) -> Index { Index(vec![r.into()]) } }
        impl From<RangeInclusive<$t>> for Index { fn from(r: RangeInclusive<$t>) -> Index { Index(vec![r.into()]) } }
        impl From<RangeToInclusive<$t>> for Index { fn from(r: RangeToInclusive<$t>) -> Index { Index(vec![r.into()]) } }
    )*};
}
index_from_int!(i32, i64, isize, usize);

impl From<RangeFull> for IndexItem {
    fn from(_: RangeFull) -> IndexItem {
        IndexItem::Range(None, None)
    }
}
impl From<RangeFull> for Index {
    fn from(_: RangeFull) -> Index {
        Index(vec![IndexItem::Range(None, None)])
    }
}

macro_rules! index_from_tuple {
    ($($n:ident),*) => {
        impl<$($n: Into<IndexItem>),*> From<($($n,)*)> for Index {
            #[allow(non_snake_case)]
            fn from(t: ($($n,)*)) -> Index {
                let ($($n,)*) = t;
                Index(vec![$($n.into()),*])
            }
        }
    };
}
index_from_tuple!(A);
index_from_tuple!(A, B);
index_from_tuple!(A, B, C);
index_from_tuple!(A, B, C, D);

/// A pending functional update of `array` at `index`; see the module docs.
pub struct At<'a> {
    array: &'a Array,
    index: Index,
}

/// The resolved window of an index.
struct Window {
    start: Vec<usize>,
    limit: Vec<usize>,
    /// Axes indexed by an integer (removed from the result of `get`).
    int_axes: Vec<usize>,
    /// Whether an integer index was out of range (updates are dropped).
    out_of_range: bool,
    /// Traced positions, by axis.
    dynamic: Vec<(usize, Array)>,
}

impl<'a> At<'a> {
    pub(crate) fn new(array: &'a Array, index: Index) -> At<'a> {
        if index.0.len() > array.ndim() {
            panic!(
                "IndexError: Too many indices: array is {}-dimensional, but {} were indexed",
                array.ndim(),
                index.0.len()
            );
        }
        At { array, index }
    }

    fn window(&self, clamp_ints: bool) -> Window {
        let shape = self.array.shape();
        let mut w = Window {
            start: vec![0; shape.len()],
            limit: shape.to_vec(),
            int_axes: vec![],
            out_of_range: false,
            dynamic: vec![],
        };
        for (ax, item) in self.index.0.iter().enumerate() {
            let n = shape[ax] as i64;
            match *item {
                IndexItem::Int(i) => {
                    let j = if i < 0 { i + n } else { i };
                    let j = if j < 0 || j >= n {
                        w.out_of_range = true;
                        if clamp_ints {
                            j.clamp(0, (n - 1).max(0))
                        } else {
                            0
                        }
                    } else {
                        j
                    };
                    if n == 0 {
                        panic!("IndexError: index {i} is out of bounds for axis {ax} with size 0");
                    }
                    w.start[ax] = j as usize;
                    w.limit[ax] = j as usize + 1;
                    w.int_axes.push(ax);
                }
                IndexItem::Dynamic(ref i) => {
                    if n == 0 {
                        panic!("IndexError: index is out of bounds for axis {ax} with size 0");
                    }
                    w.limit[ax] = 1;
                    w.int_axes.push(ax);
                    w.dynamic.push((ax, i.clone()));
                }
                IndexItem::Range(s, e) => {
                    let norm = |v: i64| if v < 0 { (v + n).max(0) } else { v.min(n) };
                    let s = s.map(norm).unwrap_or(0);
                    let e = e.map(norm).unwrap_or(n).max(s);
                    w.start[ax] = s as usize;
                    w.limit[ax] = e as usize;
                }
            }
        }
        w
    }

    /// The indexed values. Out-of-range integer indices are clamped.
    pub fn get(&self) -> Array {
        let w = self.window(true);
        let region = if w.dynamic.is_empty() {
            lax::slice(self.array, &w.start, &w.limit)
        } else {
            let (starts, _) = self.dynamic_starts(&w);
            let refs: Vec<&Array> = starts.iter().collect();
            let sizes: Vec<usize> = w.start.iter().zip(&w.limit).map(|(s, l)| l - s).collect();
            lax::dynamic_slice(self.array, &refs, &sizes)
        };
        let shape: Vec<usize> = (0..self.array.ndim())
            .filter(|d| !w.int_axes.contains(d))
            .map(|d| region.shape()[d])
            .collect();
        lax::reshape(&region, &shape)
    }

    fn update(&self, value: impl ArrayLike, combine: Option<fn(&Array, &Array) -> Array>) -> Array {
        let w = self.window(false);
        if w.out_of_range {
            return self.array.clone();
        }
        let x = self.array;
        let region_shape: Vec<usize> = (0..x.ndim()).map(|d| w.limit[d] - w.start[d]).collect();
        if region_shape.contains(&0) {
            return x.clone();
        }
        // The value broadcasts against the indexed region (int axes removed).
        let squeezed: Vec<usize> = (0..x.ndim())
            .filter(|d| !w.int_axes.contains(d))
            .map(|d| region_shape[d])
            .collect();
        let v = value.to_array();
        let v = lax::convert_element_type_weak(&v, x.dtype(), false);
        let ok = v.ndim() <= squeezed.len()
            && v.shape()
                .iter()
                .rev()
                .zip(squeezed.iter().rev())
                .all(|(&a, &b)| a == 1 || a == b);
        if !ok {
            panic!(
                "ValueError: Incompatible types for broadcasting: the update value of shape {} \
                 does not broadcast to the indexed region of shape {} (array {}).",
                fmt_tuple(v.shape()),
                fmt_tuple(&squeezed),
                x.aval().short()
            );
        }
        let v = super::promote::broadcast_to_shape(&v, &squeezed);
        let v = lax::reshape(&v, &region_shape);
        if !w.dynamic.is_empty() {
            // Traced positions: read the region, combine, and keep the old
            // values where a position is out of range (the update is dropped).
            let (starts, in_bounds) = self.dynamic_starts(&w);
            let refs: Vec<&Array> = starts.iter().collect();
            let old = lax::dynamic_slice(x, &refs, &region_shape);
            let new = match combine {
                None => v,
                Some(f) => f(&old, &v),
            };
            let keep = lax::broadcast_in_dim(&in_bounds, &region_shape, &[]);
            let new = lax::select(&keep, &new, &old);
            return lax::dynamic_update_slice(x, &new, &refs);
        }
        let new_region = match combine {
            None => v,
            Some(f) => f(&lax::slice(x, &w.start, &w.limit), &v),
        };
        let starts: Vec<Array> = w
            .start
            .iter()
            .map(|&s| lax::convert_element_type(&weak_int(s as i128), DType::I32))
            .collect();
        let refs: Vec<&Array> = starts.iter().collect();
        lax::dynamic_update_slice(x, &new_region, &refs)
    }

    /// The window's start positions as `i32` scalars (traced positions
    /// wrapped if negative and clamped), and whether every traced position
    /// was in range.
    fn dynamic_starts(&self, w: &Window) -> (Vec<Array>, Array) {
        let shape = self.array.shape();
        let mut starts: Vec<Array> = w.start.iter().map(|&s| Array::scalar(s as i32)).collect();
        let mut ok = Array::scalar(true);
        for (ax, i) in &w.dynamic {
            let n = Array::scalar(shape[*ax] as i32);
            let i = lax::convert_element_type(i, DType::I32);
            let zero = Array::scalar(0i32);
            let wrapped = lax::select(&lax::lt(&i, &zero), &lax::add(&i, &n), &i);
            let inside = lax::bitwise_and(&lax::ge(&wrapped, &zero), &lax::lt(&wrapped, &n));
            ok = lax::bitwise_and(&ok, &inside);
            let hi = Array::scalar(shape[*ax] as i32 - 1);
            starts[*ax] = lax::max(&zero, &lax::min(&wrapped, &hi));
        }
        (starts, ok)
    }

    /// A copy with the indexed values replaced by `value` (broadcast, cast to the array's dtype).
    pub fn set(&self, value: impl ArrayLike) -> Array {
        self.update(value, None)
    }

    /// A copy with `value` added at the index.
    pub fn add(&self, value: impl ArrayLike) -> Array {
        self.update(value, Some(lax::add))
    }

    /// A copy with the indexed values multiplied by `value`.
    pub fn mul(&self, value: impl ArrayLike) -> Array {
        self.update(value, Some(lax::mul))
    }

    /// A copy with the indexed values replaced by `minimum(x[idx], value)`.
    pub fn min(&self, value: impl ArrayLike) -> Array {
        self.update(value, Some(lax::min))
    }

    /// A copy with the indexed values replaced by `maximum(x[idx], value)`.
    pub fn max(&self, value: impl ArrayLike) -> Array {
        self.update(value, Some(lax::max))
    }
}

impl Array {
    /// Starts a functional update or read at `index`: `x.at(0).set(1)`,
    /// `x.at((1, 2..)).add(v)`, `x.at(-1).get()`. See [`crate::numpy::at`].
    pub fn at(&self, index: impl Into<Index>) -> At<'_> {
        At::new(self, index.into())
    }
}
