//! Function-application helpers: `select`, `piecewise`,
//! `apply_along_axis`, `apply_over_axes`, `fromfunction`, and the
//! comparisons `array_equal`/`array_equiv`; plus `packbits`/`unpackbits`.

use super::array_like::ArrayLike;
use super::elementwise as ew;
use super::promote::{broadcast_shapes, broadcast_to_shape, promote_dtypes};
use super::shape_ops as so;
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::canonicalize_axis;
use crate::lax;
use crate::transforms::vmap::{vmap_with, InAxes, OutAxes, VmapOptions};

/// The choice of the first true condition, elementwise; `default` where
/// none holds (`jnp.select`).
pub fn select(condlist: &[&Array], choicelist: &[&Array], default: impl ArrayLike) -> Array {
    if condlist.len() != choicelist.len() {
        panic!(
            "ValueError: condlist must have length equal to choicelist ({} vs {})",
            condlist.len(),
            choicelist.len()
        );
    }
    if condlist.is_empty() {
        panic!("ValueError: condlist must be non-empty");
    }
    let default = default.to_array();
    let mut all: Vec<&Array> = vec![&default];
    all.extend(choicelist.iter().copied());
    let choices = promote_dtypes(&all);
    let mut shapes: Vec<&[usize]> = condlist.iter().map(|c| c.shape()).collect();
    shapes.extend(choices.iter().map(|c| c.shape()));
    let shape = broadcast_shapes("select", &shapes);
    // Later conditions first, so the first true one wins.
    let mut out = broadcast_to_shape(&choices[0], &shape);
    for (c, v) in condlist.iter().zip(&choices[1..]).rev() {
        let c = broadcast_to_shape(&ew::not_equal(*c, false), &shape);
        out = lax::select(&c, &broadcast_to_shape(v, &shape), &out);
    }
    out
}

/// One branch of [`piecewise`]: a constant or a function of the selected
/// elements.
pub enum Piece<'a> {
    /// A constant value.
    Value(f64),
    /// A function applied to `x` (its result is used where the condition holds).
    Func(&'a dyn Fn(&Array) -> Array),
}

/// `jnp.piecewise(x, condlist, funclist)`: where `condlist[i]` holds (the
/// last true wins, as in NumPy), `funclist[i]`; with one extra function,
/// it applies where no condition holds, otherwise 0.
pub fn piecewise(x: &Array, condlist: &[&Array], funclist: &[Piece]) -> Array {
    let (nc, nf) = (condlist.len(), funclist.len());
    if nf != nc && nf != nc + 1 {
        panic!(
            "ValueError: with {nc} condition(s), either {nc} or {} functions are expected; got {nf}",
            nc + 1
        );
    }
    let eval = |p: &Piece| -> Array {
        match p {
            Piece::Value(v) => {
                let c = lax::convert_element_type(&ew::strong_scalar_like(x, *v), x.dtype());
                lax::broadcast_in_dim(&c, x.shape(), &[])
            }
            Piece::Func(f) => {
                let y = lax::convert_element_type(&f(x), x.dtype());
                broadcast_to_shape(&y, x.shape())
            }
        }
    };
    let mut out = if nf == nc + 1 {
        eval(&funclist[nc])
    } else {
        super::creation::zeros_like(x)
    };
    for (c, p) in condlist.iter().zip(funclist) {
        let c = broadcast_to_shape(&ew::not_equal(*c, false), x.shape());
        out = lax::select(&c, &eval(p), &out);
    }
    out
}

/// Applies a function of 1-d slices along `axis` (`jnp.apply_along_axis`),
/// vectorized with `vmap`.
pub fn apply_along_axis(
    func1d: impl Fn(&Array) -> Array + Sync + Send,
    axis: isize,
    arr: &Array,
) -> Array {
    let nd = arr.ndim();
    let ax = canonicalize_axis(axis, nd, "apply_along_axis");
    // Move the axis last, flatten the rest into one batch, vmap, restore.
    let moved = so::moveaxis(arr, ax as isize, -1);
    let n = moved.shape()[nd - 1];
    let lead: Vec<usize> = moved.shape()[..nd - 1].to_vec();
    let batch: usize = lead.iter().product();
    let flat = lax::reshape(&moved, &[batch, n]);
    let out = vmap_with(
        |r: &Array| func1d(r),
        VmapOptions {
            in_axes: InAxes::from(0),
            out_axes: OutAxes::from(0),
            ..Default::default()
        },
    )(&flat);
    // out: (batch, *res); the result's axes replace `axis`.
    let res: Vec<usize> = out.shape()[1..].to_vec();
    let mut shape = lead.clone();
    shape.extend(&res);
    let out = lax::reshape(&out, &shape);
    // Move the result axes from the end to position `ax`.
    let k = res.len();
    let mut perm: Vec<usize> = (0..ax).collect();
    perm.extend(lead.len()..lead.len() + k);
    perm.extend(ax..lead.len());
    lax::transpose(&out, &perm)
}

/// Applies `func(a, axis)` repeatedly over `axes`, keeping dimensions
/// (`jnp.apply_over_axes`).
pub fn apply_over_axes(func: impl Fn(&Array, isize) -> Array, a: &Array, axes: &[isize]) -> Array {
    let mut out = a.clone();
    for &ax in axes {
        let r = func(&out, ax);
        out = if r.ndim() == out.ndim() {
            r
        } else if r.ndim() + 1 == out.ndim() {
            so::expand_dims(&r, ax)
        } else {
            panic!("ValueError: function is not returning an array of the correct shape");
        };
    }
    out
}

/// An array whose element at index `(i, j, ...)` is `f(i, j, ...)`, with
/// the coordinates as arrays of `dtype` (`jnp.fromfunction`).
pub fn fromfunction(f: impl Fn(&[Array]) -> Array, shape: &[usize], dtype: DType) -> Array {
    let coords: Vec<Array> = (0..shape.len())
        .map(|k| lax::broadcasted_iota(dtype, shape, k))
        .collect();
    f(&coords)
}

/// Whether two arrays have the same shape and elements (`jnp.array_equal`);
/// `equal_nan` counts NaNs as equal.
pub fn array_equal(a1: impl ArrayLike, a2: impl ArrayLike, equal_nan: bool) -> Array {
    let (a, b) = (a1.to_array(), a2.to_array());
    if a.shape() != b.shape() {
        return Array::scalar(false);
    }
    let eq = ew::equal(&a, &b);
    let eq = if equal_nan && (a.dtype().is_inexact() || b.dtype().is_inexact()) {
        ew::logical_or(eq, ew::logical_and(ew::isnan(&a), ew::isnan(&b)))
    } else {
        eq
    };
    super::reductions::all(&eq)
}

/// Whether two arrays are equal after broadcasting (`jnp.array_equiv`);
/// shapes that do not broadcast panic, as in JAX.
pub fn array_equiv(a1: impl ArrayLike, a2: impl ArrayLike) -> Array {
    let (a, b) = (a1.to_array(), a2.to_array());
    super::reductions::all(&ew::equal(&a, &b))
}

/// Packs truthiness into uint8 bits along `axis` (flattened when `None`)
/// (`jnp.packbits`); `little` puts the first element in the lowest bit.
pub fn packbits(a: &Array, axis: Option<isize>, little: bool) -> Array {
    if !(a.dtype().is_int() || a.dtype().is_bool()) {
        panic!("TypeError: Expected an input array of integer or boolean data type");
    }
    let bitsv: Vec<u8> = if little {
        (0..8).collect()
    } else {
        (0..8).rev().collect()
    };
    let (arr, ax) = match axis {
        None => (so::ravel(a), 0isize),
        Some(x) => (a.clone(), x),
    };
    let arr = lax::convert_element_type(&ew::not_equal(&arr, 0), DType::U8);
    let arr = so::swapaxes(&arr, ax, -1);
    let nd = arr.ndim();
    let len = arr.shape()[nd - 1];
    let rem = len % 8;
    let arr = if rem != 0 {
        let mut cfg = vec![(0i64, 0i64, 0i64); nd];
        cfg[nd - 1] = (0, (8 - rem) as i64, 0);
        lax::pad(&arr, &Array::scalar(0u8), &cfg)
    } else {
        arr
    };
    let mut shape = arr.shape()[..nd - 1].to_vec();
    shape.push(arr.shape()[nd - 1] / 8);
    shape.push(8);
    let arr = lax::reshape(&arr, &shape);
    let bits = Array::from_vec(bitsv, vec![8]);
    let bits = lax::broadcast_in_dim(&bits, &shape, &[nd]);
    let shifted = lax::shift_left(&arr, &bits);
    let packed = lax::reduce(&shifted, crate::ir::ReduceOp::Sum, &[nd]);
    so::swapaxes(&packed, -1, ax)
}

/// Unpacks uint8 bytes into bits along `axis` (flattened when `None`);
/// `count` keeps (or zero-pads to) that many bits (`jnp.unpackbits`).
pub fn unpackbits(a: &Array, axis: Option<isize>, count: Option<usize>, little: bool) -> Array {
    if a.dtype() != DType::U8 {
        panic!("TypeError: Expected an input array of unsigned byte data type");
    }
    let bitsv: Vec<u8> = if little {
        (0..8).map(|i| 1u8 << i).collect()
    } else {
        (0..8).rev().map(|i| 1u8 << i).collect()
    };
    let (arr, ax) = match axis {
        None => (so::ravel(a), 0isize),
        Some(x) => (a.clone(), x),
    };
    let arr = so::swapaxes(&arr, ax, -1);
    let nd = arr.ndim();
    let mut shape = arr.shape().to_vec();
    shape.push(8);
    let e = lax::broadcast_in_dim(&arr, &shape, &(0..nd).collect::<Vec<_>>());
    let bits = lax::broadcast_in_dim(&Array::from_vec(bitsv, vec![8]), &shape, &[nd]);
    let on = lax::gt(&lax::bitwise_and(&e, &bits), &Array::scalar(0u8));
    let u = lax::convert_element_type(&on, DType::U8);
    let mut flat = arr.shape()[..nd - 1].to_vec();
    flat.push(arr.shape()[nd - 1] * 8);
    let mut u = lax::reshape(&u, &flat);
    if let Some(c) = count {
        let have = u.shape()[nd - 1];
        u = if c > have {
            let mut cfg = vec![(0i64, 0i64, 0i64); nd];
            cfg[nd - 1] = (0, (c - have) as i64, 0);
            lax::pad(&u, &Array::scalar(0u8), &cfg)
        } else {
            lax::slice_in_dim(&u, 0, c, 1, nd - 1)
        };
    }
    so::swapaxes(&u, -1, ax)
}
