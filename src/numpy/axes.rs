//! `Axes`: the axis argument of reductions and shape functions.

use crate::core::shape::{canonicalize_axis, Dims};
use smallvec::SmallVec;

/// Which axes an operation applies to: all of them, or a list (negative
/// values count from the end). Converts from an integer, an array/slice/Vec
/// of integers, or `Axes::All`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Axes {
    /// Every axis (NumPy's `axis=None`).
    All,
    /// The listed axes.
    Some(SmallVec<[isize; 4]>),
}

impl Default for Axes {
    /// NumPy's `axis=None`: every axis.
    fn default() -> Axes {
        Axes::All
    }
}

impl Axes {
    /// Resolves to sorted, distinct, non-negative axes for an array of `ndim`
    /// dimensions. Duplicates panic like NumPy (`duplicate value in 'axis'`).
    pub fn resolve(&self, ndim: usize, op: &str) -> Dims {
        match self {
            Axes::All => (0..ndim).collect(),
            Axes::Some(list) => {
                let mut out: Dims = list
                    .iter()
                    .map(|&a| canonicalize_axis(a, ndim, op))
                    .collect();
                out.sort_unstable();
                if out.windows(2).any(|w| w[0] == w[1]) {
                    panic!(
                        "ValueError: duplicate value in 'axis': ({})",
                        list.iter()
                            .map(|a| a.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
                out
            }
        }
    }
}

macro_rules! axes_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Axes {
            fn from(a: $t) -> Axes { Axes::Some(smallvec::smallvec![a as isize]) }
        }
        impl<const N: usize> From<[$t; N]> for Axes {
            fn from(a: [$t; N]) -> Axes { Axes::Some(a.iter().map(|&x| x as isize).collect()) }
        }
        impl From<&[$t]> for Axes {
            fn from(a: &[$t]) -> Axes { Axes::Some(a.iter().map(|&x| x as isize).collect()) }
        }
        impl From<Vec<$t>> for Axes {
            fn from(a: Vec<$t>) -> Axes { Axes::Some(a.iter().map(|&x| x as isize).collect()) }
        }
        impl From<Option<$t>> for Axes {
            fn from(a: Option<$t>) -> Axes { a.map(Axes::from).unwrap_or(Axes::All) }
        }
    )*};
}
axes_from_int!(i32, i64, isize, usize);
