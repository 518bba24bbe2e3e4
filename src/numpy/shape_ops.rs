//! Shape manipulation: `reshape`, `transpose`, `concatenate`, `stack`,
//! `split`, `tile`, `repeat`, `flip`, ... (`pad` lives in `pad.rs`)

use super::axes::Axes;
use super::promote::{broadcast_shapes, broadcast_to_shape, promote_dtypes};
use crate::core::array::Array;
use crate::core::shape::{canonicalize_axis, fmt_tuple};
use crate::lax;

/// Reshapes to `shape`, where one entry may be -1 (inferred).
pub fn reshape(x: &Array, shape: &[isize]) -> Array {
    let size = x.size();
    let unknown: Vec<usize> = (0..shape.len()).filter(|&i| shape[i] == -1).collect();
    let tuple = || {
        format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
                + if shape.len() == 1 { "," } else { "" }
        )
    };
    if unknown.len() > 1 {
        panic!(
            "TypeError: can only specify one unknown axis size with a `-1` value, got {}",
            tuple()
        );
    }
    if shape.iter().any(|&d| d < -1) {
        panic!(
            "TypeError: cannot reshape array of shape {} (size {size}) into shape {}: negative \
             sizes other than -1 are not allowed.",
            fmt_tuple(x.shape()),
            tuple()
        );
    }
    let known_dims: Vec<usize> = shape
        .iter()
        .filter(|&&d| d >= 0)
        .map(|&d| d as usize)
        .collect();
    // In 128 bits: a product that overflows usize must not wrap to a match.
    let known_exact = crate::core::shape::size_u128(&known_dims);
    let mut dims: Vec<usize> = shape.iter().map(|&d| d.max(0) as usize).collect();
    if let Some(&u) = unknown.first() {
        let known = usize::try_from(known_exact).unwrap_or(0);
        if known == 0 || !size.is_multiple_of(known) {
            panic!(
                "TypeError: cannot reshape array of shape {} (size {size}) into shape {} \
                 because the product of specified axis sizes ({known_exact}) does not evenly divide \
                 {size}",
                fmt_tuple(x.shape()),
                tuple()
            );
        }
        dims[u] = size / known;
    } else if known_exact != size as u128 {
        panic!(
            "TypeError: cannot reshape array of shape {} (size {size}) into shape {} (size \
             {known_exact})",
            fmt_tuple(x.shape()),
            tuple()
        );
    }
    lax::reshape(x, &dims)
}

/// Flattens to 1-d.
pub fn ravel(x: &Array) -> Array {
    lax::reshape(x, &[x.size()])
}

/// Reverses the axes (`x.T`).
pub fn transpose(x: &Array) -> Array {
    let perm: Vec<usize> = (0..x.ndim()).rev().collect();
    lax::transpose(x, &perm)
}

/// Permutes axes: output axis `i` is input axis `axes[i]` (negative allowed).
pub fn transpose_axes(x: &Array, axes: &[isize]) -> Array {
    let perm: Vec<usize> = axes
        .iter()
        .map(|&a| canonicalize_axis(a, x.ndim(), "transpose"))
        .collect();
    lax::transpose(x, &perm)
}

/// Swaps two axes.
pub fn swapaxes(x: &Array, a: isize, b: isize) -> Array {
    let (a, b) = (
        canonicalize_axis(a, x.ndim(), "swapaxes"),
        canonicalize_axis(b, x.ndim(), "swapaxes"),
    );
    let mut perm: Vec<usize> = (0..x.ndim()).collect();
    perm.swap(a, b);
    lax::transpose(x, &perm)
}

/// Moves axis `source` to position `destination`.
pub fn moveaxis(x: &Array, source: isize, destination: isize) -> Array {
    let s = canonicalize_axis(source, x.ndim(), "moveaxis");
    let d = canonicalize_axis(destination, x.ndim(), "moveaxis");
    let mut perm: Vec<usize> = (0..x.ndim()).filter(|&a| a != s).collect();
    perm.insert(d, s);
    lax::transpose(x, &perm)
}

/// Inserts size-1 axes at `axes` (positions in the output).
pub fn expand_dims(x: &Array, axes: impl Into<Axes>) -> Array {
    let axes = axes.into();
    let n = match &axes {
        Axes::All => 0,
        Axes::Some(v) => v.len(),
    };
    let out_nd = x.ndim() + n;
    let ax = match &axes {
        Axes::Some(v) => {
            let resolved: Vec<usize> = v
                .iter()
                .map(|&a| canonicalize_axis(a, out_nd, "expand_dims"))
                .collect();
            let mut sorted = resolved.clone();
            sorted.sort_unstable();
            sorted.dedup();
            if sorted.len() != resolved.len() {
                let listed: Vec<String> = v.iter().map(|a| a.to_string()).collect();
                panic!(
                    "ValueError: repeated axis in lax.expand_dims: ({})",
                    listed.join(", ")
                );
            }
            sorted
        }
        Axes::All => vec![],
    };
    let mut shape = Vec::with_capacity(out_nd);
    let mut it = x.shape().iter();
    for i in 0..out_nd {
        if ax.contains(&i) {
            shape.push(1);
        } else {
            shape.push(*it.next().unwrap());
        }
    }
    lax::reshape(x, &shape)
}

/// Removes size-1 axes: all of them (`Axes::All`) or the listed ones.
pub fn squeeze(x: &Array, axes: impl Into<Axes>) -> Array {
    let dims: Vec<usize> = match axes.into() {
        Axes::All => (0..x.ndim()).filter(|&d| x.shape()[d] == 1).collect(),
        a @ Axes::Some(_) => a.resolve(x.ndim(), "squeeze").to_vec(),
    };
    lax::squeeze(x, &dims)
}

/// Broadcasts to `shape` (NumPy rules).
pub fn broadcast_to(x: &Array, shape: &[usize]) -> Array {
    let ok = x.ndim() <= shape.len()
        && x.shape()
            .iter()
            .rev()
            .zip(shape.iter().rev())
            .all(|(&a, &b)| a == 1 || a == b);
    if !ok {
        panic!(
            "ValueError: Incompatible types for broadcasting: input type={} and requested \
             type={}[{}]",
            x.aval().long(),
            x.dtype().name(),
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
    }
    broadcast_to_shape(x, shape)
}

/// Broadcasts all arrays to their common shape.
pub fn broadcast_arrays(xs: &[&Array]) -> Vec<Array> {
    let shapes: Vec<&[usize]> = xs.iter().map(|x| x.shape()).collect();
    let shape = broadcast_shapes("broadcast_arrays", &shapes);
    xs.iter().map(|x| broadcast_to_shape(x, &shape)).collect()
}

/// A borrowed array, whatever the layers of references: what the joining
/// functions ([`concatenate`], [`stack`], ...) take from their iterators, so
/// `&[&a, &b]`, `[a, b]`, `&vec` and `iter.map(..)` all work.
pub trait AsArray {
    /// The array.
    fn as_array(&self) -> &Array;
}

impl AsArray for Array {
    fn as_array(&self) -> &Array {
        self
    }
}

impl<T: AsArray + ?Sized> AsArray for &T {
    fn as_array(&self) -> &Array {
        (**self).as_array()
    }
}

/// The arrays of an iterator (cheap handle clones).
fn gather_arrays<I>(xs: I) -> Vec<Array>
where
    I: IntoIterator,
    I::Item: AsArray,
{
    xs.into_iter().map(|x| x.as_array().clone()).collect()
}

/// Joins arrays along an existing axis (dtypes promoted).
///
/// ```
/// use jaxide::prelude::*;
/// let parts = vec![jnp::zeros([2]), jnp::ones([1])];
/// assert_eq!(jnp::concatenate(&parts, 0).shape(), &[3]);
/// ```
pub fn concatenate<I>(xs: I, axis: isize) -> Array
where
    I: IntoIterator,
    I::Item: AsArray,
{
    let owned = gather_arrays(xs);
    let xs: Vec<&Array> = owned.iter().collect();
    if xs.is_empty() {
        panic!("ValueError: Need at least one array to concatenate.");
    }
    if xs[0].ndim() == 0 {
        panic!("ValueError: Zero-dimensional arrays cannot be concatenated.");
    }
    let a = canonicalize_axis(axis, xs[0].ndim(), "concatenate");
    let v = promote_dtypes(&xs);
    let refs: Vec<&Array> = v.iter().collect();
    lax::concatenate(&refs, a)
}

/// Joins arrays along a new axis (`jnp.stack`): any iterator of arrays or
/// references to them.
///
/// ```
/// use jaxide::prelude::*;
/// let rows: Vec<Array> = (0..3).map(|i| jnp::full([2], i)).collect();
/// assert_eq!(jnp::stack(&rows, 0).shape(), &[3, 2]);
/// assert_eq!(jnp::stack(rows.iter().map(|r| r * 2), 1).shape(), &[2, 3]);
/// ```
pub fn stack<I>(xs: I, axis: isize) -> Array
where
    I: IntoIterator,
    I::Item: AsArray,
{
    let owned = gather_arrays(xs);
    let xs: Vec<&Array> = owned.iter().collect();
    if xs.is_empty() {
        panic!("ValueError: Need at least one array to stack.");
    }
    let shape = xs[0].shape();
    if xs.iter().any(|x| x.shape() != shape) {
        panic!(
            "ValueError: All input arrays must have the same shape, got {}.",
            xs.iter()
                .map(|x| fmt_tuple(x.shape()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let a = canonicalize_axis(axis, xs[0].ndim() + 1, "stack");
    let expanded: Vec<Array> = xs.iter().map(|x| expand_dims(x, a as isize)).collect();
    let refs: Vec<&Array> = expanded.iter().collect();
    concatenate(&refs, a as isize)
}

/// Stacks horizontally (axis 1, or 0 for 1-d inputs).
pub fn hstack<I>(xs: I) -> Array
where
    I: IntoIterator,
    I::Item: AsArray,
{
    let v: Vec<Array> = gather_arrays(xs).iter().map(atleast_1d).collect();
    let refs: Vec<&Array> = v.iter().collect();
    concatenate(&refs, if v[0].ndim() == 1 { 0 } else { 1 })
}

/// Stacks vertically (rows), promoting 1-d inputs to rows.
pub fn vstack<I>(xs: I) -> Array
where
    I: IntoIterator,
    I::Item: AsArray,
{
    let v: Vec<Array> = gather_arrays(xs).iter().map(atleast_2d).collect();
    let refs: Vec<&Array> = v.iter().collect();
    concatenate(&refs, 0)
}

/// How [`split`] divides an axis.
pub enum SplitSpec {
    /// This many equal sections (must divide the axis).
    Sections(usize),
    /// Split before each of these indices.
    Indices(Vec<isize>),
}

impl From<usize> for SplitSpec {
    fn from(n: usize) -> SplitSpec {
        SplitSpec::Sections(n)
    }
}

impl From<i32> for SplitSpec {
    fn from(n: i32) -> SplitSpec {
        SplitSpec::Sections(n as usize)
    }
}

impl<const N: usize> From<[isize; N]> for SplitSpec {
    fn from(v: [isize; N]) -> SplitSpec {
        SplitSpec::Indices(v.to_vec())
    }
}

impl From<Vec<isize>> for SplitSpec {
    fn from(v: Vec<isize>) -> SplitSpec {
        SplitSpec::Indices(v)
    }
}

/// Splits along `axis` into equal sections or at indices.
pub fn split(x: &Array, spec: impl Into<SplitSpec>, axis: isize) -> Vec<Array> {
    let a = canonicalize_axis(axis, x.ndim(), "split");
    let n = x.shape()[a];
    let cuts: Vec<usize> = match spec.into() {
        SplitSpec::Sections(k) => {
            if k == 0 || !n.is_multiple_of(k) {
                panic!(
                    "ValueError: array split does not result in an equal division: axis of \
                     size {n} into {k} sections."
                );
            }
            (1..k).map(|i| i * n / k).collect()
        }
        SplitSpec::Indices(v) => v
            .iter()
            .map(|&i| {
                if i < 0 {
                    (n as isize + i).max(0) as usize
                } else {
                    (i as usize).min(n)
                }
            })
            .collect(),
    };
    let mut bounds = vec![0];
    bounds.extend(cuts);
    bounds.push(n);
    bounds
        .windows(2)
        .map(|w| {
            let (s, e) = (w[0], w[1].max(w[0]));
            let mut start = vec![0; x.ndim()];
            let mut limit = x.shape().to_vec();
            start[a] = s;
            limit[a] = e;
            lax::slice(x, &start, &limit)
        })
        .collect()
}

/// Repeats the whole array `reps` times per axis.
pub fn tile(x: &Array, reps: &[usize]) -> Array {
    let nd = x.ndim().max(reps.len());
    let mut xs = vec![1; nd - x.ndim()];
    xs.extend_from_slice(x.shape());
    let mut rs = vec![1; nd - reps.len()];
    rs.extend_from_slice(reps);
    // Broadcast to (r0, s0, r1, s1, ...) and merge pairs.
    let mut bshape = Vec::with_capacity(2 * nd);
    let mut dims = Vec::with_capacity(nd);
    for i in 0..nd {
        bshape.push(rs[i]);
        bshape.push(xs[i]);
        dims.push(2 * i + 1);
    }
    let xr = lax::reshape(x, &xs);
    let b = lax::broadcast_in_dim(&xr, &bshape, &dims);
    let out: Vec<usize> = (0..nd).map(|i| rs[i] * xs[i]).collect();
    lax::reshape(&b, &out)
}

/// Repeats each element `repeats` times along `axis` (flattening when `None`).
pub fn repeat(x: &Array, repeats: usize, axis: Option<isize>) -> Array {
    let (x, a) = match axis {
        None => (ravel(x), 0),
        Some(a) => (x.clone(), canonicalize_axis(a, x.ndim(), "repeat")),
    };
    let mut bshape = x.shape().to_vec();
    bshape.insert(a + 1, repeats);
    let dims: Vec<usize> = (0..x.ndim())
        .map(|d| if d <= a { d } else { d + 1 })
        .collect();
    let b = lax::broadcast_in_dim(&x, &bshape, &dims);
    let mut out = x.shape().to_vec();
    out[a] *= repeats;
    lax::reshape(&b, &out)
}

/// Reverses along `axes` (all axes for `Axes::All`).
pub fn flip(x: &Array, axes: impl Into<Axes>) -> Array {
    let ax = axes.into().resolve(x.ndim(), "flip");
    lax::rev(x, &ax)
}

/// Views inputs with at least one dimension.
pub fn atleast_1d(x: &Array) -> Array {
    if x.ndim() >= 1 {
        x.clone()
    } else {
        lax::reshape(x, &[1])
    }
}

/// Views inputs with at least two dimensions (1-d `(n,)` becomes `(1, n)`).
pub fn atleast_2d(x: &Array) -> Array {
    match x.ndim() {
        0 => lax::reshape(x, &[1, 1]),
        1 => lax::reshape(x, &[1, x.shape()[0]]),
        _ => x.clone(),
    }
}
