//! More shape manipulation: `roll`, `rot90`, `array_split` and the
//! directional splits and stacks, `insert`/`delete`/`append`, `resize`,
//! `trim_zeros`, `unstack`, `diff`, and the array-API spellings (`concat`,
//! `permute_dims`, `matrix_transpose`).

use super::array_like::ArrayLike;
use super::shape_ops::{self as so, AsArray, SplitSpec};
use crate::core::array::Array;
use crate::core::shape::{canonicalize_axis, fmt_tuple};
use crate::lax;

/// Rolls the flattened array by `shift` (`jnp.roll(a, shift)`), elements
/// leaving one end re-entering at the other.
pub fn roll(a: &Array, shift: isize) -> Array {
    let flat = so::ravel(a);
    lax::reshape(&roll_axes(&flat, &[shift], &[0]), a.shape())
}

/// Rolls along each of `axes` by the matching `shift` (`jnp.roll(a, shift,
/// axis)`); one shift applies to every axis.
pub fn roll_axes(a: &Array, shifts: &[isize], axes: &[isize]) -> Array {
    let n = shifts.len().max(axes.len());
    if !(shifts.len() == n || shifts.len() == 1) || !(axes.len() == n || axes.len() == 1) {
        panic!(
            "ValueError: shift and axis must have the same number of elements (or one), got \
             {} and {}.",
            shifts.len(),
            axes.len()
        );
    }
    let mut out = a.clone();
    for i in 0..n {
        let s = shifts[if shifts.len() == 1 { 0 } else { i }];
        let ax = canonicalize_axis(axes[if axes.len() == 1 { 0 } else { i }], a.ndim(), "roll");
        let len = out.shape()[ax];
        if len == 0 {
            continue;
        }
        let k = s.rem_euclid(len as isize) as usize;
        if k == 0 {
            continue;
        }
        let head = lax::slice_in_dim(&out, len - k, len, 1, ax);
        let tail = lax::slice_in_dim(&out, 0, len - k, 1, ax);
        out = lax::concatenate(&[&head, &tail], ax);
    }
    out
}

/// Moves `axis` to sit before `start` (`jnp.rollaxis`).
pub fn rollaxis(a: &Array, axis: isize, start: isize) -> Array {
    let nd = a.ndim() as isize;
    let ax = canonicalize_axis(axis, a.ndim(), "rollaxis") as isize;
    let st = if start < 0 { start + nd } else { start };
    if !(0..=nd).contains(&st) {
        panic!(
            "ValueError: start={start} must satisfy {}<=start<{}",
            -nd,
            nd + 1
        );
    }
    let st = if st > ax { st - 1 } else { st };
    so::moveaxis(a, ax, st)
}

/// Rotates by 90° `k` times in the plane of `axes` (`jnp.rot90`).
pub fn rot90(m: &Array, k: i64, axes: (isize, isize)) -> Array {
    if m.ndim() < 2 {
        panic!(
            "ValueError: rot90 requires its first argument to have ndim at least two, but got \
             first argument of shape {}, which has ndim {}",
            fmt_tuple(m.shape()),
            m.ndim()
        );
    }
    let a1 = canonicalize_axis(axes.0, m.ndim(), "rot90");
    let a2 = canonicalize_axis(axes.1, m.ndim(), "rot90");
    if a1 == a2 {
        panic!("ValueError: Axes must be different");
    }
    let mut perm: Vec<usize> = (0..m.ndim()).collect();
    perm.swap(a1, a2);
    match k.rem_euclid(4) {
        0 => m.clone(),
        2 => lax::rev(m, &[a1, a2]),
        1 => lax::transpose(&lax::rev(m, &[a2]), &perm),
        _ => lax::rev(&lax::transpose(m, &perm), &[a2]),
    }
}

/// Reverses axis 1 (`jnp.fliplr`).
pub fn fliplr(m: &Array) -> Array {
    if m.ndim() < 2 {
        panic!("ValueError: Input must be >= 2-d.");
    }
    lax::rev(m, &[1])
}

/// Reverses axis 0 (`jnp.flipud`).
pub fn flipud(m: &Array) -> Array {
    if m.ndim() < 1 {
        panic!("ValueError: Input must be >= 1-d.");
    }
    lax::rev(m, &[0])
}

/// Splits along `axis` into `k` nearly equal sections (the first `n % k`
/// one longer) or at indices (`jnp.array_split`).
pub fn array_split(x: &Array, spec: impl Into<SplitSpec>, axis: isize) -> Vec<Array> {
    match spec.into() {
        SplitSpec::Sections(k) => {
            let a = canonicalize_axis(axis, x.ndim(), "array_split");
            if k == 0 {
                panic!("ValueError: number sections must be larger than 0.");
            }
            let n = x.shape()[a];
            let (q, r) = (n / k, n % k);
            let mut cuts = Vec::with_capacity(k - 1);
            let mut at = 0;
            for i in 0..k - 1 {
                at += q + usize::from(i < r);
                cuts.push(at as isize);
            }
            so::split(x, SplitSpec::Indices(cuts), axis)
        }
        idx => so::split(x, idx, axis),
    }
}

fn directional_split(
    name: &str,
    x: &Array,
    spec: SplitSpec,
    min_nd: usize,
    axis: isize,
) -> Vec<Array> {
    if x.ndim() < min_nd {
        panic!("ValueError: {name} only works on arrays of {min_nd} or more dimensions");
    }
    so::split(x, spec, axis)
}

/// Splits along axis 1 (axis 0 for 1-d input) (`jnp.hsplit`).
pub fn hsplit(x: &Array, spec: impl Into<SplitSpec>) -> Vec<Array> {
    let axis = if x.ndim() == 1 { 0 } else { 1 };
    directional_split("hsplit", x, spec.into(), 1, axis)
}

/// Splits along axis 0 of an array of 2+ dimensions (`jnp.vsplit`).
pub fn vsplit(x: &Array, spec: impl Into<SplitSpec>) -> Vec<Array> {
    directional_split("vsplit", x, spec.into(), 2, 0)
}

/// Splits along axis 2 of an array of 3+ dimensions (`jnp.dsplit`).
pub fn dsplit(x: &Array, spec: impl Into<SplitSpec>) -> Vec<Array> {
    directional_split("dsplit", x, spec.into(), 3, 2)
}

/// Views with at least three dimensions: `(n,)` becomes `(1, n, 1)` and
/// `(m, n)` becomes `(m, n, 1)` (`jnp.atleast_3d`).
pub fn atleast_3d(x: &Array) -> Array {
    match x.ndim() {
        0 => lax::reshape(x, &[1, 1, 1]),
        1 => lax::reshape(x, &[1, x.shape()[0], 1]),
        2 => lax::reshape(x, &[x.shape()[0], x.shape()[1], 1]),
        _ => x.clone(),
    }
}

fn collect<I>(xs: I) -> Vec<Array>
where
    I: IntoIterator,
    I::Item: AsArray,
{
    xs.into_iter().map(|x| x.as_array().clone()).collect()
}

/// Stacks 1-d arrays as columns, 2-d arrays as they are (`jnp.column_stack`).
pub fn column_stack<I>(xs: I) -> Array
where
    I: IntoIterator,
    I::Item: AsArray,
{
    let v: Vec<Array> = collect(xs)
        .iter()
        .map(|x| {
            if x.ndim() < 2 {
                lax::reshape(x, &[x.size(), 1])
            } else {
                x.clone()
            }
        })
        .collect();
    so::concatenate(&v.iter().collect::<Vec<_>>(), 1)
}

/// Stacks along a third axis (`jnp.dstack`).
pub fn dstack<I>(xs: I) -> Array
where
    I: IntoIterator,
    I::Item: AsArray,
{
    let v: Vec<Array> = collect(xs).iter().map(atleast_3d).collect();
    so::concatenate(&v.iter().collect::<Vec<_>>(), 2)
}

/// Array-API name of `concatenate` (`jnp.concat`).
pub fn concat<I>(xs: I, axis: isize) -> Array
where
    I: IntoIterator,
    I::Item: AsArray,
{
    so::concatenate(xs, axis)
}

/// Array-API name of `transpose` with axes (`jnp.permute_dims`).
pub fn permute_dims(x: &Array, axes: &[isize]) -> Array {
    so::transpose_axes(x, axes)
}

/// Swaps the last two axes (`jnp.matrix_transpose`).
pub fn matrix_transpose(x: &Array) -> Array {
    if x.ndim() < 2 {
        panic!(
            "ValueError: x must be at least two-dimensional for matrix_transpose; got ndim={}",
            x.ndim()
        );
    }
    so::swapaxes(x, -1, -2)
}

/// The slices along `axis`, as a list (`jnp.unstack`).
pub fn unstack(x: &Array, axis: isize) -> Vec<Array> {
    if x.ndim() == 0 {
        panic!(
            "ValueError: Unstack requires arrays with rank > 0, however a scalar array was passed."
        );
    }
    let a = canonicalize_axis(axis, x.ndim(), "unstack");
    (0..x.shape()[a])
        .map(|i| lax::squeeze(&lax::slice_in_dim(x, i, i + 1, 1, a), &[a]))
        .collect()
}

/// A copy (arrays are immutable, so the same values) (`jnp.copy`).
pub fn copy(x: &Array) -> Array {
    x.clone()
}

/// Zeros of `x`'s shape and dtype (`jnp.empty_like`: jaxide, like JAX,
/// always initializes).
pub fn empty_like(x: &Array) -> Array {
    super::creation::zeros_like(x)
}

/// `jnp.broadcast_shapes`: the shape the given shapes broadcast to.
pub fn broadcast_shapes(shapes: &[&[usize]]) -> Vec<usize> {
    super::promote::broadcast_shapes("broadcast_shapes", shapes).to_vec()
}

/// Values appended along `axis` (flattening both when `None`) (`jnp.append`).
pub fn append(arr: impl ArrayLike, values: impl ArrayLike, axis: Option<isize>) -> Array {
    let (a, v) = (arr.to_array(), values.to_array());
    match axis {
        None => so::concatenate([&so::ravel(&a), &so::ravel(&v)], 0),
        Some(ax) => so::concatenate([&a, &v], ax),
    }
}

fn flat_or_axis(a: &Array, axis: Option<isize>, name: &str) -> (Array, usize) {
    match axis {
        None => (so::ravel(a), 0),
        Some(ax) => (a.clone(), canonicalize_axis(ax, a.ndim(), name)),
    }
}

fn take_static(a: &Array, idx: &[usize], axis: usize) -> Array {
    let ind = Array::from_vec(
        idx.iter().map(|&i| i as i32).collect::<Vec<i32>>(),
        vec![idx.len()],
    );
    super::take::take_with(
        a,
        &ind,
        super::take::Take {
            axis: Some(axis as isize),
            ..Default::default()
        },
    )
}

/// Removes the entries at `indices` along `axis` (flattened when `None`)
/// (`jnp.delete`); negative indices count from the end, and an index out of
/// range panics (IndexError), as in JAX.
pub fn delete(arr: &Array, indices: &[isize], axis: Option<isize>) -> Array {
    let (a, ax) = flat_or_axis(arr, axis, "delete");
    let n = a.shape()[ax] as isize;
    let mut drop = vec![false; n as usize];
    for &i in indices {
        let j = if i < 0 { i + n } else { i };
        if !(0..n).contains(&j) {
            panic!("IndexError: index {i} is out of bounds for axis {ax} with size {n}");
        }
        drop[j as usize] = true;
    }
    let keep: Vec<usize> = (0..n as usize).filter(|&i| !drop[i]).collect();
    take_static(&a, &keep, ax)
}

/// Inserts `values` before index `index` along `axis` (flattened when
/// `None`) (`jnp.insert(arr, index, values, axis)` with a scalar index).
/// `values` broadcasts to the inserted block; a 1-d `values` lies along
/// `axis`.
pub fn insert(arr: &Array, index: isize, values: impl ArrayLike, axis: Option<isize>) -> Array {
    let (a, ax) = flat_or_axis(arr, axis, "insert");
    let mut v = lax::convert_element_type(&values.to_array(), a.dtype());
    while v.ndim() < a.ndim() {
        let mut s = vec![1];
        s.extend_from_slice(v.shape());
        v = lax::reshape(&v, &s);
    }
    let v = so::moveaxis(&v, 0, ax as isize);
    let mut block = a.shape().to_vec();
    block[ax] = v.shape()[ax];
    let v = so::broadcast_to(&v, &block);
    let n = a.shape()[ax] as isize;
    let at = (if index < 0 { index + n } else { index }).clamp(0, n) as usize;
    let head = lax::slice_in_dim(&a, 0, at, 1, ax);
    let tail = lax::slice_in_dim(&a, at, n as usize, 1, ax);
    lax::concatenate(&[&head, &v, &tail], ax)
}

/// Inserts one entry of `values` before each of `indices` along `axis`
/// (`jnp.insert(arr, [i, j, ...], values, axis)`); `values` broadcasts to
/// one slice per index.
pub fn insert_indices(
    arr: &Array,
    indices: &[isize],
    values: impl ArrayLike,
    axis: Option<isize>,
) -> Array {
    let (a, ax) = flat_or_axis(arr, axis, "insert");
    let n = a.shape()[ax] as isize;
    let k = indices.len();
    let mut v = lax::convert_element_type(&values.to_array(), a.dtype());
    while v.ndim() < a.ndim() {
        let mut s = vec![1];
        s.extend_from_slice(v.shape());
        v = lax::reshape(&v, &s);
    }
    let mut block = a.shape().to_vec();
    block[ax] = k;
    let v = so::broadcast_to(&v, &block);
    // Where each inserted value lands: stable order of the target index.
    let pos: Vec<usize> = indices
        .iter()
        .map(|&i| (if i < 0 { i + n } else { i }).clamp(0, n) as usize)
        .collect();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by_key(|&j| pos[j]);
    let mut values_at = vec![0usize; k];
    for (rank, &j) in order.iter().enumerate() {
        values_at[j] = pos[j] + rank;
    }
    let total = n as usize + k;
    let mut src = vec![usize::MAX; total];
    for (j, &o) in values_at.iter().enumerate() {
        src[o] = n as usize + j;
    }
    let mut next = 0;
    for s in src.iter_mut() {
        if *s == usize::MAX {
            *s = next;
            next += 1;
        }
    }
    let both = lax::concatenate(&[&a, &v], ax);
    take_static(&both, &src, ax)
}

/// Repeats the flattened data cyclically to fill `new_shape` (`jnp.resize`).
pub fn resize(a: &Array, new_shape: &[usize]) -> Array {
    let flat = so::ravel(a);
    let new_size: usize = new_shape.iter().product();
    if flat.size() == 0 || new_size == 0 {
        return super::creation::zeros_dtype(new_shape.to_vec(), a.dtype());
    }
    let reps = new_size.div_ceil(flat.size());
    let tiled = so::tile(&flat, &[reps]);
    lax::reshape(&lax::slice_in_dim(&tiled, 0, new_size, 1, 0), new_shape)
}

/// Drops leading (`'f'`), trailing (`'b'`) or both (`"fb"`) zeros of a 1-d
/// array (`jnp.trim_zeros`). The input must be concrete.
pub fn trim_zeros(filt: &Array, trim: &str) -> Array {
    if filt.ndim() != 1 {
        panic!(
            "ValueError: trim_zeros requires a 1-d array, got shape {}",
            fmt_tuple(filt.shape())
        );
    }
    let nz = super::elementwise::not_equal(filt, 0);
    let mask = lax::convert_element_type(&nz, crate::core::dtype::DType::I32);
    let m: Vec<i32> = mask.to_vec::<i32>();
    let t = trim.to_lowercase();
    let n = m.len();
    let (mut s, mut e) = (0, n);
    if !m.contains(&1) {
        return lax::slice_in_dim(filt, 0, 0, 1, 0);
    }
    if t.contains('f') {
        s = m.iter().position(|&v| v != 0).unwrap();
    }
    if t.contains('b') {
        e = n - m.iter().rev().position(|&v| v != 0).unwrap();
    }
    lax::slice_in_dim(filt, s, e, 1, 0)
}

/// `n`-th discrete difference along `axis` (`jnp.diff(a, n, axis)`); bool
/// differences are `!=`.
pub fn diff(a: &Array, n: usize, axis: isize) -> Array {
    if a.ndim() == 0 {
        panic!(
            "ValueError: diff requires input that is at least one dimensional; got {}",
            fmt_tuple(a.shape())
        );
    }
    let ax = canonicalize_axis(axis, a.ndim(), "diff");
    let mut out = a.clone();
    for _ in 0..n {
        let len = out.shape()[ax];
        if len == 0 {
            break;
        }
        let hi = lax::slice_in_dim(&out, 1, len, 1, ax);
        let lo = lax::slice_in_dim(&out, 0, len - 1, 1, ax);
        out = if out.dtype().is_bool() {
            lax::ne(&hi, &lo)
        } else {
            lax::sub(&hi, &lo)
        };
    }
    out
}

/// Differences of the flattened array, with optional values before and
/// after (`jnp.ediff1d`).
pub fn ediff1d(a: &Array, to_end: Option<&Array>, to_begin: Option<&Array>) -> Array {
    let flat = so::ravel(a);
    let mut parts: Vec<Array> = Vec::new();
    if let Some(b) = to_begin {
        parts.push(lax::convert_element_type(&so::ravel(b), flat.dtype()));
    }
    parts.push(diff(&flat, 1, 0));
    if let Some(e) = to_end {
        parts.push(lax::convert_element_type(&so::ravel(e), flat.dtype()));
    }
    lax::concatenate(&parts.iter().collect::<Vec<_>>(), 0)
}

/// A nested list of arrays for [`block`].
#[derive(Clone, Debug)]
pub enum Block {
    /// An array.
    Array(Array),
    /// A list of blocks, joined along one axis.
    List(Vec<Block>),
}

impl From<&Array> for Block {
    fn from(a: &Array) -> Block {
        Block::Array(a.clone())
    }
}

impl<T: Into<Block>> From<Vec<T>> for Block {
    fn from(v: Vec<T>) -> Block {
        Block::List(v.into_iter().map(Into::into).collect())
    }
}

fn block_depth(b: &Block, name: &str) -> (usize, usize) {
    match b {
        Block::Array(a) => (0, a.ndim()),
        Block::List(v) => {
            if v.is_empty() {
                panic!("ValueError: List at {name} cannot be empty");
            }
            let ds: Vec<(usize, usize)> = v.iter().map(|x| block_depth(x, name)).collect();
            if ds.iter().any(|d| d.0 != ds[0].0) {
                panic!("ValueError: List depths are mismatched in {name}.");
            }
            (ds[0].0 + 1, ds.iter().map(|d| d.1).max().unwrap())
        }
    }
}

fn block_join(b: &Block, depth: usize, nd: usize) -> Array {
    match b {
        Block::Array(a) => {
            let mut s = vec![1; nd - a.ndim()];
            s.extend_from_slice(a.shape());
            lax::reshape(a, &s)
        }
        Block::List(v) => {
            let parts: Vec<Array> = v.iter().map(|x| block_join(x, depth - 1, nd)).collect();
            let axis = -(depth as isize);
            so::concatenate(&parts.iter().collect::<Vec<_>>(), axis)
        }
    }
}

/// Assembles an array from nested lists of blocks (`jnp.block`): the
/// innermost lists join along the last axis, the next along the one before.
pub fn block(arrays: impl Into<Block>) -> Array {
    let b = arrays.into();
    let (depth, max_nd) = block_depth(&b, "arrays");
    let nd = depth.max(max_nd);
    block_join(&b, depth, nd)
}
