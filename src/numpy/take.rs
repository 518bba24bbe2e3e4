//! Indexed reads and writes by function: `take`, `take_along_axis`,
//! `put_along_axis`, `choose`, `compress`, `extract`, `place`, `put`.
//! All lower to the indexing of [`crate::numpy::at`] (gathers and
//! scatters), so they work under `jit`, `grad` and `vmap`.
//!
//! NumPy's in-place variants (`put`, `place`, `put_along_axis`) return an
//! updated copy: JAX requires `inplace=False` for them; a Rust port simply
//! drops that argument.

use super::array_like::ArrayLike;
use super::index::{Index, IndexItem};
use super::index_tricks::{indices_sparse, nonzero_with, unravel_index, Nonzero};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::canonicalize_axis as normalize_axis;
use crate::core::shape::fmt_tuple;
use crate::lax::{self, GatherDimensionNumbers, GatherFill, GatherScatterMode};

/// Options of [`take_with`] (`jnp.take`'s keywords).
#[derive(Clone, Debug, Default)]
pub struct Take {
    /// The axis to take along; `None` flattens the array first.
    pub axis: Option<isize>,
    /// `"fill"` (the default: out-of-bounds reads give `fill_value`),
    /// `"clip"` or `"wrap"`.
    pub mode: Option<&'static str>,
    /// The value out-of-bounds reads give in fill mode (default: NaN for
    /// floats, the minimum for signed ints, the maximum for unsigned ones).
    pub fill_value: Option<f64>,
    /// Promise that no index repeats.
    pub unique_indices: bool,
    /// Promise that the indices are sorted.
    pub indices_are_sorted: bool,
}

/// `jnp.take(a, indices)`: elements of the flattened `a` at `indices`
/// (out-of-bounds positions read NaN / the integer minimum, as in JAX).
pub fn take(a: impl ArrayLike, indices: impl ArrayLike) -> Array {
    take_with(a, indices, Take::default())
}

/// `jnp.take` with options: `take_with(&a, &i, Take { axis: Some(1), ..Default::default() })`.
pub fn take_with(a: impl ArrayLike, indices: impl ArrayLike, opts: Take) -> Array {
    let (a, idx) = (a.to_array(), indices.to_array());
    if !idx.dtype().is_int() {
        panic!(
            "TypeError: jnp.take indices must be of integer type, got {}",
            idx.dtype()
        );
    }
    let (a, axis) = match opts.axis {
        None => (lax::reshape(&a, &[a.size()]), 0),
        Some(ax) => {
            let axis = normalize_axis(ax, a.ndim(), "take");
            (a, axis)
        }
    };
    let n = a.shape()[axis];
    let (idx, mode) = match opts.mode.unwrap_or("fill") {
        "fill" => (wrap_negative(&idx, n), GatherScatterMode::FillOrDrop),
        "wrap" => (
            super::remainder(&idx, int_like(n as i64, &idx)),
            GatherScatterMode::PromiseInBounds,
        ),
        "clip" => (idx, GatherScatterMode::Clip),
        "raise" => panic!("NotImplementedError: The 'raise' mode to jnp.take is not supported."),
        m => panic!("ValueError: Invalid mode '{m}' for np.take"),
    };
    let mut out_shape = a.shape()[..axis].to_vec();
    out_shape.extend_from_slice(idx.shape());
    out_shape.extend_from_slice(&a.shape()[axis + 1..]);
    if n == 0 {
        if idx.size() != 0 {
            panic!("IndexError: Cannot do a non-empty jnp.take() from an empty axis.");
        }
        return a;
    }
    if idx.size() == 0 {
        return zeros_of(&a, &out_shape);
    }
    let k = idx.ndim();
    let mut slice_sizes = a.shape().to_vec();
    slice_sizes[axis] = 1;
    let dn = GatherDimensionNumbers {
        offset_dims: (0..axis).chain(axis + k..a.ndim() + k - 1).collect(),
        collapsed_slice_dims: vec![axis],
        start_index_map: vec![axis],
        ..Default::default()
    };
    let fill = match opts.fill_value {
        None => GatherFill::Default,
        Some(v) => fill_of(v, a.dtype()),
    };
    let mut shape = idx.shape().to_vec();
    shape.push(1);
    let idx = lax::reshape(&idx, &shape);
    lax::gather_with_fill(&a, &idx, dn, &slice_sizes, mode, fill)
}

fn fill_of(v: f64, dtype: DType) -> GatherFill {
    super::indexer::fill_bits(&lax::ad_util::constant(v, dtype, false), dtype)
}

fn int_like(v: i64, like: &Array) -> Array {
    lax::ad_util::constant(v as f64, like.dtype(), false)
}

/// Negative (signed) indices counted from the end of an axis of `n`.
fn wrap_negative(i: &Array, n: usize) -> Array {
    if !i.dtype().is_signed_int() {
        return i.clone();
    }
    let zero = int_like(0, i);
    lax::select(&lax::lt(i, &zero), &lax::add(i, &int_like(n as i64, i)), i)
}

fn zeros_of(a: &Array, shape: &[usize]) -> Array {
    lax::broadcast_in_dim(
        &lax::ad_util::constant(0.0, a.dtype(), a.weak_type()),
        shape,
        &[],
    )
}

/// The open-mesh index that `take_along_axis` / `put_along_axis` use:
/// `indices` on `axis`, aranges elsewhere.
fn along_axis_index(shape: &[usize], indices: &Array, axis: usize, fun: &str) -> Index {
    if !indices.dtype().is_int() {
        panic!(
            "TypeError: {fun} indices must be of integer type, got {}",
            indices.dtype()
        );
    }
    if indices.ndim() != shape.len() {
        panic!(
            "ValueError: indices and arr must have the same number of dimensions; {} vs. {}",
            indices.ndim(),
            shape.len()
        );
    }
    let mut items: Vec<IndexItem> = indices_sparse(shape)
        .into_iter()
        .map(IndexItem::Array)
        .collect();
    items[axis] = IndexItem::Array(indices.clone());
    Index(items)
}

/// `jnp.take_along_axis(arr, indices, axis)`: `arr` indexed by `indices`
/// along `axis` (`None`: the flattened array, with 1-D indices);
/// out-of-bounds positions read the fill value, as in JAX.
pub fn take_along_axis(arr: &Array, indices: &Array, axis: Option<isize>) -> Array {
    let (a, axis) = match axis {
        None => {
            if indices.ndim() != 1 {
                panic!(
                    "ValueError: take_along_axis indices must be 1D if axis=None, got shape {}",
                    fmt_tuple(indices.shape())
                );
            }
            (lax::reshape(arr, &[arr.size()]), 0)
        }
        Some(ax) => (
            arr.clone(),
            normalize_axis(ax, arr.ndim(), "take_along_axis"),
        ),
    };
    if a.shape()[axis] == 0 {
        let mut arr_shape = a.shape().to_vec();
        arr_shape[axis] = 1;
        let shape =
            super::promote::broadcast_shapes("take_along_axis", &[indices.shape(), &arr_shape]);
        return zeros_of(&a, &shape);
    }
    let index = along_axis_index(a.shape(), indices, axis, "take_along_axis");
    a.at(index).mode("fill").get()
}

/// `jnp.put_along_axis(arr, indices, values, axis, inplace=False)`: a copy
/// of `arr` with `values` written at `indices` along `axis`.
pub fn put_along_axis(
    arr: &Array,
    indices: &Array,
    values: impl ArrayLike,
    axis: Option<isize>,
) -> Array {
    let (a, axis, shape): (Array, usize, Option<Vec<usize>>) = match axis {
        None => (
            lax::reshape(arr, &[arr.size()]),
            0,
            Some(arr.shape().to_vec()),
        ),
        Some(ax) => (
            arr.clone(),
            normalize_axis(ax, arr.ndim(), "put_along_axis"),
            None,
        ),
    };
    let index = along_axis_index(a.shape(), indices, axis, "put_along_axis");
    let out = a.at(index).set(values);
    match shape {
        Some(s) => lax::reshape(&out, s.as_slice()),
        None => out,
    }
}

/// `jnp.choose(a, choices)` (mode `"raise"`: `a` must be concrete and in
/// range); see [`choose_with`] for `"wrap"` and `"clip"`.
pub fn choose(a: &Array, choices: &[&Array]) -> Array {
    choose_with(a, choices, "raise")
}

/// `jnp.choose(a, choices, mode=...)`: for each position, the element of
/// `choices[a]`, all broadcast together.
pub fn choose_with(a: &Array, choices: &[&Array], mode: &str) -> Array {
    if !a.dtype().is_int() {
        panic!("ValueError: `a` array must be integer typed");
    }
    let n = choices.len() as i64;
    let arr = match mode {
        "raise" => {
            if a.is_tracer() {
                a.concrete(
                    "jnp.choose with mode='raise' (the error occurred because jnp.choose was \
                     jit-compiled with mode='raise'; use mode='wrap' or mode='clip' instead)",
                );
            }
            let bad = super::any(&super::logical_or(a.lt(0), a.ge(n)));
            if bad.item::<bool>() {
                panic!("ValueError: invalid entry in choice array");
            }
            a.clone()
        }
        "wrap" => super::remainder(a, int_like(n, a)),
        "clip" => super::clip(a, 0, n - 1),
        m => panic!("ValueError: mode='{m}' not understood. Must be 'raise', 'wrap', or 'clip'"),
    };
    let mut all: Vec<&Array> = vec![&arr];
    all.extend_from_slice(choices);
    let b = super::broadcast_arrays(&all);
    let stacked = super::stack(&b[1..].iter().collect::<Vec<_>>(), 0);
    let mut items = vec![IndexItem::Array(b[0].clone())];
    items.extend(
        indices_sparse(b[0].shape())
            .into_iter()
            .map(IndexItem::Array),
    );
    stacked.idx(Index(items))
}

/// Options of [`compress_with`] and [`extract_with`].
#[derive(Clone, Debug, Default)]
pub struct Compress {
    /// The axis to select along; `None` flattens the array first.
    pub axis: Option<isize>,
    /// A static result length (for `jit`): the selected slices, then `fill_value`.
    pub size: Option<usize>,
    /// What pads the result up to `size` (default 0).
    pub fill_value: f64,
}

/// `jnp.compress(condition, a)`: the elements of the flattened `a` where
/// the 1-D `condition` is true.
pub fn compress(condition: &Array, a: &Array) -> Array {
    compress_with(condition, a, Compress::default())
}

/// `jnp.compress` with `axis`, `size` and `fill_value`.
pub fn compress_with(condition: &Array, a: &Array, opts: Compress) -> Array {
    let c = super::astype(condition, DType::Bool);
    if c.ndim() != 1 {
        panic!("ValueError: condition must be a 1D array");
    }
    let (arr, axis) = match opts.axis {
        None => (lax::reshape(a, &[a.size()]), 0),
        Some(ax) => {
            let axis = normalize_axis(ax, a.ndim(), "compress");
            (super::moveaxis(a, axis as isize, 0), axis)
        }
    };
    let n = arr.shape()[0];
    let (c, extra) = if c.shape()[0] > n {
        (c.idx(..n), Some(c.idx(n..)))
    } else {
        (c.clone(), None)
    };
    let arr = arr.idx(..c.shape()[0]);
    let result = match opts.size {
        None => {
            if let Some(e) = extra {
                if super::any(&e).item::<bool>() {
                    panic!("ValueError: condition contains entries that are out of bounds");
                }
            }
            arr.idx(&c)
        }
        Some(size) if size > arr.shape()[0] => panic!(
            "ValueError: size must be positive and not greater than the size of the array \
             axis; got size={size} for a.shape[axis]={}",
            arr.shape()[0]
        ),
        Some(size) => {
            let dims: Vec<usize> = (1..arr.ndim()).collect();
            let mask = super::expand_dims(&c, dims.as_slice());
            let fill = lax::ad_util::constant(opts.fill_value, arr.dtype(), false);
            let arr = super::where_(&mask, &arr, &fill);
            // Selected rows first, in order (a stable sort of !c).
            let order = super::argsort(&super::logical_not(&c));
            arr.idx(&order).idx(..size)
        }
    };
    super::moveaxis(&result, 0, axis as isize)
}

/// `jnp.extract(condition, arr)`: the elements of `arr` where `condition`
/// is true (both flattened).
pub fn extract(condition: &Array, arr: &Array) -> Array {
    extract_with(condition, arr, Compress::default())
}

/// `jnp.extract` with `size` and `fill_value` (`axis` is ignored).
pub fn extract_with(condition: &Array, arr: &Array, opts: Compress) -> Array {
    let c = lax::reshape(condition, &[condition.size()]);
    let a = lax::reshape(arr, &[arr.size()]);
    compress_with(&c, &a, Compress { axis: None, ..opts })
}

/// `vals` repeated cyclically to length `n`.
fn tile_to_size(vals: &Array, n: usize) -> Array {
    let k = vals.size();
    let reps = n.div_ceil(k);
    let tiled = if reps > 1 {
        super::tile(vals, &[reps])
    } else {
        vals.clone()
    };
    tiled.idx(..n)
}

/// `jnp.place(arr, mask, vals, inplace=False)`: a copy of `arr` with the
/// masked positions set to `vals`, repeated as needed (`mask` must be
/// concrete, or use it under `jit` with a static shape: it is).
pub fn place(arr: &Array, mask: &Array, vals: impl ArrayLike) -> Array {
    let v = vals.to_array();
    let v = lax::reshape(&v, &[v.size()]);
    if arr.size() != mask.size() {
        panic!("ValueError: place: arr and mask must be the same size");
    }
    if v.size() == 0 {
        panic!("ValueError: Cannot place values from an empty array");
    }
    if arr.size() == 0 {
        return arr.clone();
    }
    let n = mask.size();
    let flat_mask = lax::reshape(&super::astype(mask, DType::Bool), &[n]);
    let idx = nonzero_with(
        &flat_mask,
        Nonzero {
            size: Some(n),
            fill_value: Some(n as i64),
        },
    )
    .remove(0);
    let v = tile_to_size(&v, n);
    let flat = lax::reshape(arr, &[arr.size()]);
    let out = flat.at(&idx).mode("drop").set(&v);
    lax::reshape(&out, arr.shape())
}

/// `jnp.put(a, ind, v, inplace=False)`: a copy of `a` with the flat
/// positions `ind` set to `v` (repeated as needed). Out-of-bounds positions
/// are clamped, as JAX's `unravel_index` does.
pub fn put(a: &Array, ind: &Array, v: impl ArrayLike) -> Array {
    put_with(a, ind, v, None)
}

/// `jnp.put` with `mode` `"clip"` or `"wrap"`.
pub fn put_with(a: &Array, ind: &Array, v: impl ArrayLike, mode: Option<&str>) -> Array {
    let ind = lax::reshape(ind, &[ind.size()]);
    let v = v.to_array();
    let v = lax::reshape(&v, &[v.size()]);
    if a.size() == 0 || ind.size() == 0 || v.size() == 0 {
        return a.clone();
    }
    let v = tile_to_size(&v, ind.size());
    let n = a.size() as i64;
    let (ind, scatter_mode) = match mode {
        None => (ind, "drop"),
        Some("clip") => (super::clip(&ind, 0, n - 1), "promise_in_bounds"),
        Some("wrap") => (
            super::remainder(&ind, int_like(n, &ind)),
            "promise_in_bounds",
        ),
        Some("raise") => {
            panic!("NotImplementedError: The 'raise' mode to jnp.put is not supported.")
        }
        Some(m) => panic!("ValueError: mode should be one of 'wrap' or 'clip'; got mode='{m}'"),
    };
    let coords = unravel_index(&ind, a.shape());
    let index = Index(coords.into_iter().map(IndexItem::Array).collect());
    a.at(index).mode(scatter_mode).set(&v)
}
