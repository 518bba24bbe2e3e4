//! Indexing (`x.idx(...)` = `x[...]`) and functional updates
//! (`x.at(i).set(v)`, `.add`, `.subtract`, `.multiply`, `.divide`, `.power`,
//! `.min`, `.max`, `.apply`, `.get`), over NumPy's whole index grammar
//! (see [`crate::numpy::index`] and the [`s!`](crate::s) macro).
//!
//! Arrays are immutable, so each update returns a new array and leaves the
//! original unchanged (under `jit` the update happens in place when the
//! operand is dead). Repeated indices accumulate (`add`, `multiply`, ...)
//! or the last write wins (`set`), as in JAX.
//!
//! Out-of-bounds semantics follow JAX's defaults: reads clamp an index into
//! range (after wrapping negative ones); updates at an out-of-range index
//! are dropped. `.mode(...)` picks `"clip"`, `"drop"`, `"fill"` (with
//! `.fill_value(v)` for reads) or `"promise_in_bounds"`.
//!
//! ```
//! use jaxide::numpy as jnp;
//! use jaxide::prelude::*;
//! let y = jnp::array([1, 2, 3]);
//! assert_eq!(y.at(0).set(123).to_vec::<i32>(), vec![123, 2, 3]);
//! assert_eq!(y.at(-1).add(10).to_vec::<i32>(), vec![1, 2, 13]);
//! assert_eq!(y.at(1..).multiply(2).to_vec::<i32>(), vec![1, 4, 6]);
//! assert_eq!(y.at([0, 0]).add(5).to_vec::<i32>(), vec![11, 2, 3]); // repeated: accumulates
//! assert_eq!(y.at(10).get().item::<i32>(), 3); // clamped
//! assert_eq!(y.at(10).mode("fill").fill_value(-1).get().item::<i32>(), -1);
//! assert_eq!(y.idx(s![..;-1]).to_vec::<i32>(), vec![3, 2, 1]);
//! ```

use super::array_like::ArrayLike;
use super::index::Index;
use super::indexer::{rewriting_take, scatter_update, IndexOptions};
use crate::core::array::Array;
use crate::lax::{self, GatherScatterMode, ScatterOp};

/// A pending read or functional update of `array` at `index`, with JAX's
/// keyword options as builder methods; see the module docs.
#[derive(Clone)]
pub struct At<'a> {
    array: &'a Array,
    index: Index,
    opts: IndexOptions,
}

impl<'a> At<'a> {
    pub(crate) fn new(array: &'a Array, index: Index) -> At<'a> {
        At {
            array,
            index,
            opts: IndexOptions::default(),
        }
    }

    /// Out-of-bounds handling: `"clip"`, `"drop"`, `"fill"`,
    /// `"promise_in_bounds"` (or a [`GatherScatterMode`]).
    pub fn mode(mut self, mode: impl Into<GatherScatterMode>) -> At<'a> {
        self.opts.mode = Some(mode.into());
        self
    }

    /// What out-of-bounds reads give in `"fill"` mode (default: NaN for
    /// floats, the minimum for signed and the maximum for unsigned ints).
    pub fn fill_value(mut self, v: impl ArrayLike) -> At<'a> {
        self.opts.fill_value = Some(v.to_array());
        self
    }

    /// Promises that no index repeats (enables `multiply`'s gradient).
    pub fn unique_indices(mut self, yes: bool) -> At<'a> {
        self.opts.unique_indices = yes;
        self
    }

    /// Promises that the indices are sorted (a performance hint).
    pub fn indices_are_sorted(mut self, yes: bool) -> At<'a> {
        self.opts.indices_are_sorted = yes;
        self
    }

    /// `false` makes negative indices out of bounds instead of counting
    /// from the end.
    pub fn wrap_negative_indices(mut self, yes: bool) -> At<'a> {
        self.opts.no_wrap_negative = !yes;
        self
    }

    /// `x[idx]`, with this update's options.
    pub fn get(&self) -> Array {
        rewriting_take(self.array, &self.index, &self.opts)
    }

    fn update(&self, value: impl ArrayLike, op: ScatterOp) -> Array {
        scatter_update(self.array, &self.index, &value.to_array(), op, &self.opts)
    }

    /// `x[idx] = value` (broadcast, cast to the array's dtype).
    pub fn set(&self, value: impl ArrayLike) -> Array {
        self.update(value, ScatterOp::Replace)
    }

    /// `x[idx] += value`.
    pub fn add(&self, value: impl ArrayLike) -> Array {
        self.update(value, ScatterOp::Add)
    }

    /// `x[idx] -= value`.
    pub fn subtract(&self, value: impl ArrayLike) -> Array {
        self.update(value, ScatterOp::Sub)
    }

    /// Alias of [`At::subtract`].
    pub fn sub(&self, value: impl ArrayLike) -> Array {
        self.subtract(value)
    }

    /// `x[idx] *= value`.
    pub fn multiply(&self, value: impl ArrayLike) -> Array {
        self.update(value, ScatterOp::Mul)
    }

    /// Alias of [`At::multiply`].
    pub fn mul(&self, value: impl ArrayLike) -> Array {
        self.multiply(value)
    }

    /// `x[idx] /= value`: `x / ones.at[idx].multiply(value)`, so the result
    /// has `jnp.divide`'s dtype (integers become floats), as in JAX.
    pub fn divide(&self, value: impl ArrayLike) -> Array {
        let ones = super::ones_like(self.array);
        let d = At {
            array: &ones,
            index: self.index.clone(),
            opts: self.opts.clone(),
        }
        .multiply(value);
        super::divide(self.array, &d)
    }

    /// Alias of [`At::divide`].
    pub fn div(&self, value: impl ArrayLike) -> Array {
        self.divide(value)
    }

    /// `x[idx] **= value`: `x ** ones.at[idx].multiply(value)`, as in JAX.
    pub fn power(&self, value: impl ArrayLike) -> Array {
        let ones = super::ones_like(self.array);
        let e = At {
            array: &ones,
            index: self.index.clone(),
            opts: self.opts.clone(),
        }
        .multiply(value);
        super::power(self.array, &e)
    }

    /// Alias of [`At::power`].
    pub fn pow(&self, value: impl ArrayLike) -> Array {
        self.power(value)
    }

    /// `x[idx] = minimum(x[idx], value)`.
    pub fn min(&self, value: impl ArrayLike) -> Array {
        self.update(value, ScatterOp::Min)
    }

    /// `x[idx] = maximum(x[idx], value)`.
    pub fn max(&self, value: impl ArrayLike) -> Array {
        self.update(value, ScatterOp::Max)
    }

    /// Applies the elementwise `f` at the indexed positions; a position
    /// indexed k times gets `f` applied k times (JAX's `scatter_apply`).
    pub fn apply(&self, f: impl Fn(&Array) -> Array) -> Array {
        let x = self.array;
        let zeros = super::zeros_dtype(x.shape(), crate::core::dtype::DType::I32);
        let counts = At {
            array: &zeros,
            index: self.index.clone(),
            opts: self.opts.clone(),
        }
        .add(1);
        let rounds = lax::reduce(
            &counts,
            crate::ir::ReduceOp::Max,
            &(0..x.ndim()).collect::<Vec<_>>(),
        );
        let step = |x: &Array, i: &Array| {
            let y = f(x);
            if y.shape() != x.shape() || y.dtype() != x.dtype() {
                panic!(
                    "TypeError: .at[].apply() needs an elementwise function that keeps the \
                     shape and dtype: {} became {}.",
                    x.aval().short(),
                    y.aval().short()
                );
            }
            lax::select(&lax::gt(&counts, i), &y, x)
        };
        let (_, out) = lax::while_loop(
            |(i, _): &(Array, Array)| lax::lt(i, &rounds),
            |(i, x): &(Array, Array)| (lax::add(i, &Array::scalar(1i32)), step(x, i)),
            &(Array::scalar(0i32), x.clone()),
        );
        out
    }
}

impl Array {
    /// Starts a functional update or read at `index`: `x.at(0).set(1)`,
    /// `x.at(s![.., [0, 2]]).add(v)`, `x.at(-1).get()`. See
    /// [`crate::numpy::at`].
    pub fn at(&self, index: impl Into<Index>) -> At<'_> {
        At::new(self, index.into())
    }

    /// NumPy's `x[index]`: integers, ranges, `s![a..b;step]`, `NEWAXIS`,
    /// `ELLIPSIS`, integer arrays and boolean masks (eagerly).
    ///
    /// ```
    /// use jaxide::numpy as jnp;
    /// use jaxide::prelude::*;
    /// let x = jnp::arange(12).reshape(&[3, 4]);
    /// assert_eq!(x.idx(s![1..;-1, NEWAXIS, 0]).shape(), &[2, 1]);
    /// assert_eq!(x.idx(x.gt(9)).to_vec::<i32>(), vec![10, 11]);
    /// ```
    pub fn idx(&self, index: impl Into<Index>) -> Array {
        rewriting_take(self, &index.into(), &IndexOptions::default())
    }
}
