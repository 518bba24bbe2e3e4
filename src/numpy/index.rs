//! NumPy's index grammar as Rust values: [`Index`], [`IndexItem`], and the
//! [`s!`](crate::s) macro that spells them as briefly as NumPy does.
//!
//! | NumPy | jaxide |
//! |---|---|
//! | `x[1]`, `x[-1]` | `x.idx(1)`, `x.idx(-1)` |
//! | `x[1:3]`, `x[1:]`, `x[:]` | `x.idx(1..3)`, `x.idx(1..)`, `x.idx(..)` |
//! | `x[::-1]`, `x[1:-1:2]` | `x.idx(s![..;-1])`, `x.idx(s![1..-1;2])` |
//! | `x[None]`, `x[..., 0]` | `x.idx(NEWAXIS)`, `x.idx(s![ELLIPSIS, 0])` |
//! | `x[rows, cols]`, `x[:, [0, 2]]` | `x.idx(s![&rows, &cols])`, `x.idx(s![.., [0, 2]])` |
//! | `x[x > 0]` | `x.idx(&x.gt(0))` |
//!
//! The same indices drive updates: `x.at(s![.., [0, 2]]).add(1)`.

use crate::core::array::Array;
use std::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

/// A Python slice `start:stop:step`; `None` parts take NumPy's defaults.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Slice {
    /// First position (negative counts from the end).
    pub start: Option<i64>,
    /// One past the last position (negative counts from the end).
    pub stop: Option<i64>,
    /// Stride; negative walks backwards. `None` is 1.
    pub step: Option<i64>,
}

impl Slice {
    /// `slice(start, stop, step)`.
    pub fn new(start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Slice {
        Slice { start, stop, step }
    }

    /// Python's `slice.indices(n)` reduced to `(start, step, length)`.
    /// Panics on a zero step, as Python does.
    pub fn canonicalize(&self, n: usize) -> (i64, i64, usize) {
        let n = n as i64;
        let step = self.step.unwrap_or(1);
        if step == 0 {
            panic!("ValueError: slice step cannot be zero");
        }
        let clamp = |v: i64, lo: i64, hi: i64| v.clamp(lo, hi);
        let (lo, hi) = if step > 0 { (0, n) } else { (-1, n - 1) };
        let norm = |v: Option<i64>, default: i64| match v {
            None => default,
            Some(v) if v < 0 => clamp(v + n, lo, hi),
            Some(v) => clamp(v, lo, hi),
        };
        let start = norm(self.start, if step > 0 { 0 } else { n - 1 });
        let stop = norm(self.stop, if step > 0 { n } else { -1 });
        let len = if step > 0 {
            if stop > start {
                (stop - start + step - 1) / step
            } else {
                0
            }
        } else if start > stop {
            (start - stop + (-step) - 1) / (-step)
        } else {
            0
        };
        (start, step, len as usize)
    }
}

/// `None`/`np.newaxis`: inserts an axis of length 1.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct NewAxis;

/// `...`: as many full slices as the other indices leave.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Ellipsis;

/// `np.newaxis` / `None` in an index.
pub const NEWAXIS: NewAxis = NewAxis;
/// `...` in an index.
pub const ELLIPSIS: Ellipsis = Ellipsis;

/// One component of an index.
#[derive(Clone, Debug)]
pub enum IndexItem {
    /// A single position (negative counts from the end).
    Int(i64),
    /// A slice with optional start, stop and step.
    Slice(Slice),
    /// `None`/`np.newaxis`.
    NewAxis,
    /// `...`.
    Ellipsis,
    /// An integer array (any rank; a traced scalar is a dynamic position)
    /// or a boolean mask.
    Array(Array),
}

impl IndexItem {
    /// `start..stop` with a step: what `s![a..b;step]` builds. Panics if
    /// `item` is not a range.
    pub fn stepped(item: impl Into<IndexItem>, step: i64) -> IndexItem {
        match item.into() {
            IndexItem::Slice(s) => IndexItem::Slice(Slice {
                step: Some(step),
                ..s
            }),
            other => panic!(
                "IndexError: a step (`;{step}`) only applies to a range, got {}",
                other.describe()
            ),
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            IndexItem::Int(i) => i.to_string(),
            IndexItem::Slice(s) => {
                let p = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
                match s.step {
                    None => format!("slice({}:{})", p(s.start), p(s.stop)),
                    Some(st) => format!("slice({}:{}:{st})", p(s.start), p(s.stop)),
                }
            }
            IndexItem::NewAxis => "None".into(),
            IndexItem::Ellipsis => "Ellipsis".into(),
            IndexItem::Array(a) => a.aval().short(),
        }
    }
}

impl PartialEq for IndexItem {
    fn eq(&self, other: &IndexItem) -> bool {
        match (self, other) {
            (IndexItem::Int(a), IndexItem::Int(b)) => a == b,
            (IndexItem::Slice(a), IndexItem::Slice(b)) => a == b,
            (IndexItem::NewAxis, IndexItem::NewAxis) => true,
            (IndexItem::Ellipsis, IndexItem::Ellipsis) => true,
            (IndexItem::Array(a), IndexItem::Array(b)) => a.ptr_id() == b.ptr_id(),
            _ => false,
        }
    }
}

/// An index: one component per indexed axis (fewer leave trailing axes whole).
#[derive(Clone, Debug, PartialEq)]
pub struct Index(pub Vec<IndexItem>);

impl From<&Array> for IndexItem {
    /// Integer arrays index positions (concrete scalars become plain
    /// integers); boolean arrays are masks.
    fn from(i: &Array) -> IndexItem {
        if i.ndim() == 0 && i.dtype().is_int() && !i.is_tracer() {
            return IndexItem::Int(super::read_scalar_i64(i));
        }
        IndexItem::Array(i.clone())
    }
}
impl From<Array> for IndexItem {
    fn from(i: Array) -> IndexItem {
        IndexItem::from(&i)
    }
}
impl From<Slice> for IndexItem {
    fn from(s: Slice) -> IndexItem {
        IndexItem::Slice(s)
    }
}
impl From<NewAxis> for IndexItem {
    fn from(_: NewAxis) -> IndexItem {
        IndexItem::NewAxis
    }
}
impl From<Ellipsis> for IndexItem {
    fn from(_: Ellipsis) -> IndexItem {
        IndexItem::Ellipsis
    }
}
impl From<bool> for IndexItem {
    fn from(b: bool) -> IndexItem {
        IndexItem::Array(super::array_like::bool_scalar(b))
    }
}
impl From<RangeFull> for IndexItem {
    fn from(_: RangeFull) -> IndexItem {
        IndexItem::Slice(Slice::default())
    }
}

fn range(start: Option<i64>, stop: Option<i64>) -> IndexItem {
    IndexItem::Slice(Slice::new(start, stop, None))
}

/// `..=end` as an exclusive stop (`..=-1` is "to the end").
fn inclusive_stop(end: i64) -> Option<i64> {
    let e = end + 1;
    if e == 0 {
        None
    } else {
        Some(e)
    }
}

macro_rules! index_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for IndexItem { fn from(i: $t) -> IndexItem { IndexItem::Int(i as i64) } }
        impl From<Range<$t>> for IndexItem {
            fn from(r: Range<$t>) -> IndexItem { range(Some(r.start as i64), Some(r.end as i64)) }
        }
        impl From<RangeFrom<$t>> for IndexItem {
            fn from(r: RangeFrom<$t>) -> IndexItem { range(Some(r.start as i64), None) }
        }
        impl From<RangeTo<$t>> for IndexItem {
            fn from(r: RangeTo<$t>) -> IndexItem { range(None, Some(r.end as i64)) }
        }
        impl From<RangeInclusive<$t>> for IndexItem {
            fn from(r: RangeInclusive<$t>) -> IndexItem {
                range(Some(*r.start() as i64), inclusive_stop(*r.end() as i64))
            }
        }
        impl From<RangeToInclusive<$t>> for IndexItem {
            fn from(r: RangeToInclusive<$t>) -> IndexItem { range(None, inclusive_stop(r.end as i64)) }
        }
        impl<const N: usize> From<[$t; N]> for IndexItem {
            fn from(v: [$t; N]) -> IndexItem { IndexItem::Array(int_array(v.iter().map(|&i| i as i64))) }
        }
        impl From<Vec<$t>> for IndexItem {
            fn from(v: Vec<$t>) -> IndexItem { IndexItem::Array(int_array(v.iter().map(|&i| i as i64))) }
        }
        impl From<&[$t]> for IndexItem {
            fn from(v: &[$t]) -> IndexItem { IndexItem::Array(int_array(v.iter().map(|&i| i as i64))) }
        }
    )*};
}
index_from_int!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

/// A list of Python ints as an index array (int32, as `jnp.asarray` gives).
fn int_array(v: impl Iterator<Item = i64>) -> Array {
    let v: Vec<i64> = v.collect();
    if crate::config::enable_x64() {
        Array::from_vec(v.clone(), vec![v.len()])
    } else {
        let v32: Vec<i32> = v
            .iter()
            .map(|&i| {
                i32::try_from(i).unwrap_or_else(|_| {
                    panic!("OverflowError: index {i} does not fit in int32; enable x64")
                })
            })
            .collect();
        Array::from_vec(v32, vec![v.len()])
    }
}

impl<const N: usize> From<[bool; N]> for IndexItem {
    fn from(v: [bool; N]) -> IndexItem {
        IndexItem::Array(Array::from_vec(v.to_vec(), vec![N]))
    }
}
impl From<Vec<bool>> for IndexItem {
    fn from(v: Vec<bool>) -> IndexItem {
        let n = v.len();
        IndexItem::Array(Array::from_vec(v, vec![n]))
    }
}

impl<T: Into<IndexItem>> From<T> for Index {
    fn from(t: T) -> Index {
        Index(vec![t.into()])
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
index_from_tuple!(A, B);
index_from_tuple!(A, B, C);
index_from_tuple!(A, B, C, D);
index_from_tuple!(A, B, C, D, E);
index_from_tuple!(A, B, C, D, E, F);

impl From<Vec<IndexItem>> for Index {
    fn from(v: Vec<IndexItem>) -> Index {
        Index(v)
    }
}

/// Builds an [`Index`] as briefly as NumPy's subscript:
/// `s![.., 1..;-1, NEWAXIS, ELLIPSIS, &idx, [0, 2]]` is
/// `[:, 1::-1, None, ..., idx, [0, 2]]`. A `;step` follows a range.
///
/// ```
/// use jaxide::numpy as jnp;
/// use jaxide::prelude::*;
/// let x = jnp::arange(6).reshape(&[2, 3]);
/// assert_eq!(x.idx(s![.., ..;-1]).to_vec::<i32>(), vec![2, 1, 0, 5, 4, 3]);
/// assert_eq!(x.idx(s![[1, 0], 2]).to_vec::<i32>(), vec![5, 2]);
/// ```
#[macro_export]
macro_rules! s {
    (@acc [$($done:expr),*]) => { $crate::numpy::Index(vec![$($done),*]) };
    (@acc [$($done:expr),*] $e:expr ; $step:expr , $($rest:tt)*) => {
        $crate::s!(@acc [$($done,)* $crate::numpy::IndexItem::stepped($e, $step)] $($rest)*)
    };
    (@acc [$($done:expr),*] $e:expr ; $step:expr) => {
        $crate::s!(@acc [$($done,)* $crate::numpy::IndexItem::stepped($e, $step)])
    };
    (@acc [$($done:expr),*] $e:expr , $($rest:tt)*) => {
        $crate::s!(@acc [$($done,)* $crate::numpy::IndexItem::from($e)] $($rest)*)
    };
    (@acc [$($done:expr),*] $e:expr) => {
        $crate::s!(@acc [$($done,)* $crate::numpy::IndexItem::from($e)])
    };
    ($($t:tt)*) => { $crate::s!(@acc [] $($t)*) };
}
