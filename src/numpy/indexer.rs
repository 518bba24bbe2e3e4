//! Lowers a NumPy [`Index`] on an array to lax, as `jnp` does: a read is a
//! static slice, a dynamic slice or a gather (the first that applies); an
//! update is a `dynamic_update_slice` for basic indices (so it runs in place
//! under `jit`) and a scatter otherwise.
//!
//! The gather form follows NumPy's advanced-indexing rule: the integer
//! arrays (and integers mixed with them) broadcast together, and their
//! result dims replace the indexed axes when those are adjacent in the
//! index, or go first when they are not.

use super::index::{Index, IndexItem, Slice};
use super::promote::{broadcast_to_shape, result_weak_dtype, try_broadcast_shapes};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::lax::{self, GatherDimensionNumbers, GatherFill, GatherScatterMode, ScatterOp};

/// Options of `.at[...]` (JAX's keyword arguments).
#[derive(Clone, Debug, Default)]
pub(crate) struct IndexOptions {
    /// `None` is JAX's default: clamp for reads, drop for updates.
    pub mode: Option<GatherScatterMode>,
    /// What out-of-bounds reads give in fill mode (a concrete scalar).
    pub fill_value: Option<Array>,
    pub unique_indices: bool,
    pub indices_are_sorted: bool,
    /// `false` makes negative indices out of bounds.
    pub no_wrap_negative: bool,
}

/// A parsed index component, with bool masks expanded.
#[derive(Clone, Debug)]
enum Item {
    Int(i64),
    Slice(Slice),
    NewAxis,
    /// An integer array of any rank.
    Ints(Array),
    /// A rank-0 boolean index (a new axis of length 1 or 0).
    ScalarBool(bool),
}

/// The index parsed against a shape: components after expanding bool
/// masks and `...`, plus whether the advanced ones are adjacent.
struct Parsed {
    items: Vec<Item>,
    advanced_contiguous: bool,
}

fn index_error(msg: String) -> ! {
    panic!("IndexError: {msg}")
}

fn non_concrete_bool(mask: &Array) -> ! {
    panic!(
        "NonConcreteBooleanIndexError: Array boolean indices must be concrete; got {}\n\n\
         See https://docs.jax.dev/en/latest/errors.html#jax.errors.NonConcreteBooleanIndexError\n\
         A boolean mask selects a data-dependent number of elements, which has no static \
         shape under jit. Use jnp::where_(mask, x, fill) to keep the shape, or \
         jnp::nonzero_with(mask, Nonzero {{ size: Some(n), .. }}) for a fixed-size index.",
        mask.aval().long()
    )
}

/// The flat positions of the `true` entries of a concrete mask (int32, or
/// int64 under x64).
pub(crate) fn concrete_flatnonzero(mask: &Array) -> Array {
    if mask.is_tracer() {
        non_concrete_bool(mask);
    }
    mask.flat_true_positions()
}

/// The positions of the `true` entries of a concrete mask, one index array
/// per mask dim, as `np.nonzero` gives.
pub(crate) fn concrete_nonzero(mask: &Array) -> Vec<Array> {
    let flat = concrete_flatnonzero(mask);
    if mask.ndim() == 1 {
        return vec![flat];
    }
    let shape = mask.shape().to_vec();
    let dt = flat.dtype();
    let mut rest = flat;
    let mut out = vec![];
    for d in (0..shape.len()).rev() {
        let n = int_scalar(shape[d] as i64, dt);
        out.push(lax::rem(&rest, &n));
        rest = lax::div(&rest, &n);
    }
    out.reverse();
    out
}

fn parse(index: &Index, shape: &[usize]) -> Parsed {
    // 1. Consumed dims per component, and the ellipsis.
    let mut consumed = Vec::with_capacity(index.0.len());
    let mut ellipsis = None;
    for (pos, it) in index.0.iter().enumerate() {
        consumed.push(match it {
            IndexItem::NewAxis => 0,
            IndexItem::Ellipsis => {
                if ellipsis.is_some() {
                    index_error("an index can only have a single ellipsis ('...')".into());
                }
                ellipsis = Some(pos);
                0
            }
            IndexItem::Array(a) if a.dtype() == DType::Bool => a.ndim(),
            IndexItem::Array(a) if !a.dtype().is_int() => panic!(
                "TypeError: Indexer must have integer or boolean type, got indexer with type {}",
                a.dtype()
            ),
            _ => 1,
        });
    }
    let total: usize = consumed.iter().sum();
    if total > shape.len() {
        index_error(format!(
            "Too many indices: array is {}-dimensional, but {total} were indexed",
            shape.len()
        ));
    }
    if let Some(e) = ellipsis {
        consumed[e] = shape.len() - total;
    }
    // 2. Expand bool masks (concrete only) into integer arrays; note the
    //    positions of integer components before expanding `...`.
    let mut items: Vec<(Item, bool)> = Vec::new(); // (item, is the ellipsis)
    let mut axis = 0;
    for (pos, (it, &n)) in index.0.iter().zip(&consumed).enumerate() {
        match it {
            IndexItem::Int(i) => items.push((Item::Int(*i), false)),
            IndexItem::Slice(s) => items.push((Item::Slice(*s), false)),
            IndexItem::NewAxis => items.push((Item::NewAxis, false)),
            IndexItem::Ellipsis => items.push((Item::NewAxis, true)),
            IndexItem::Array(a) if a.dtype() == DType::Bool && a.ndim() == 0 => {
                if a.is_tracer() {
                    non_concrete_bool(a);
                }
                items.push((Item::ScalarBool(a.item::<bool>()), false));
            }
            IndexItem::Array(a) if a.dtype() == DType::Bool => {
                let expected = &shape[axis..axis + n];
                if a.is_tracer() {
                    non_concrete_bool(a);
                }
                if !a
                    .shape()
                    .iter()
                    .zip(expected)
                    .all(|(&s, &e)| s == 0 || s == e)
                {
                    index_error(format!(
                        "boolean index did not match shape of indexed array in index {pos}: \
                         got {}, expected [{}]",
                        fmt_tuple(a.shape()),
                        expected
                            .iter()
                            .map(|d| d.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                for c in concrete_nonzero(a) {
                    items.push((Item::Ints(c), false));
                }
            }
            IndexItem::Array(a) => items.push((Item::Ints(a.clone()), false)),
        }
        axis += n;
    }
    let adv: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, (it, _))| matches!(it, Item::Int(_) | Item::Ints(_)))
        .map(|(p, _)| p)
        .collect();
    let advanced_contiguous = adv.windows(2).all(|w| w[1] == w[0] + 1);
    // 3. Expand `...` and add trailing full slices.
    let mut out = Vec::with_capacity(shape.len());
    for ((it, is_ellipsis), n) in items.into_iter().zip(consumed_expanded(index, &consumed)) {
        if is_ellipsis {
            out.extend((0..n).map(|_| Item::Slice(Slice::default())));
        } else {
            out.push(it);
        }
    }
    let used: usize = out
        .iter()
        .map(|it| match it {
            Item::NewAxis | Item::ScalarBool(_) => 0,
            _ => 1,
        })
        .sum();
    out.extend((used..shape.len()).map(|_| Item::Slice(Slice::default())));
    Parsed {
        items: out,
        advanced_contiguous,
    }
}

/// Consumed dims aligned with the bool-expanded component list (a mask of
/// rank r became r components of one dim each).
fn consumed_expanded(index: &Index, consumed: &[usize]) -> Vec<usize> {
    let mut out = Vec::new();
    for (it, &n) in index.0.iter().zip(consumed) {
        match it {
            IndexItem::Array(a) if a.dtype() == DType::Bool && a.ndim() > 0 => {
                out.extend((0..a.ndim()).map(|_| 1))
            }
            _ => out.push(n),
        }
    }
    out
}

fn is_read_slice_mode(mode: Option<GatherScatterMode>) -> bool {
    matches!(
        mode,
        None | Some(GatherScatterMode::PromiseInBounds) | Some(GatherScatterMode::Clip)
    )
}

fn size_zero_error(axis: usize) -> ! {
    index_error(format!(
        "index is out of bounds for axis {axis} with size 0"
    ))
}

/// The index dtype for an array of `shape`: int32 unless a dim needs more.
fn index_dtype(shape: &[usize]) -> DType {
    if shape.iter().any(|&d| d > i32::MAX as usize) && crate::config::enable_x64() {
        DType::I64
    } else {
        DType::I32
    }
}

/// `lax.expand_dims`: inserts unit axes at `dims` (positions in the result).
pub(crate) fn expand_dims(x: &Array, dims: &[usize]) -> Array {
    if dims.is_empty() {
        return x.clone();
    }
    let mut shape = x.shape().to_vec();
    let mut sorted = dims.to_vec();
    sorted.sort_unstable();
    for d in sorted {
        shape.insert(d, 1);
    }
    lax::reshape(x, &shape)
}

/// A signed index array made non-negative by adding the axis size.
fn normalize_array(i: &Array, n: usize) -> Array {
    if !i.dtype().is_signed_int() {
        return i.clone();
    }
    let zero = lax::ad_util::constant(0.0, i.dtype(), false);
    let size = lax::ad_util::constant(n as f64, i.dtype(), false);
    lax::select(&lax::lt(i, &zero), &lax::add(i, &size), i)
}

fn int_scalar(v: i64, dtype: DType) -> Array {
    lax::ad_util::constant(v as f64, dtype, false)
}

/// Reads `x[index]` (`x.at[index].get(...)`).
pub(crate) fn rewriting_take(x: &Array, index: &Index, opts: &IndexOptions) -> Array {
    if let Some(y) = leading_mask(x, index, opts) {
        return y;
    }
    let p = parse(index, x.shape());
    let wrap = !opts.no_wrap_negative;
    let has_arrays = p
        .items
        .iter()
        .any(|it| matches!(it, Item::Ints(_) | Item::ScalarBool(_)));
    if is_read_slice_mode(opts.mode) {
        if !has_arrays {
            return static_slice(x, &p.items, wrap);
        }
        let dynamic_ok = p.items.iter().all(|it| match it {
            Item::Ints(a) => a.ndim() == 0,
            Item::Slice(s) => matches!(s.step, None | Some(1) | Some(-1)),
            Item::ScalarBool(_) => false,
            _ => true,
        });
        if dynamic_ok {
            return dynamic_slice(x, &p.items, wrap);
        }
    }
    let plan = to_gather(x.shape(), &p, wrap);
    let y = expand_dims(x, &plan.scalar_bool_dims);
    if plan.slice_shape.contains(&0) {
        return lax::broadcast_in_dim(
            &lax::ad_util::constant(0.0, x.dtype(), x.weak_type()),
            &plan.slice_shape,
            &[],
        );
    }
    let mut y = match &plan.indices {
        None => y,
        Some(idx) => {
            let mode = opts.mode.unwrap_or(GatherScatterMode::PromiseInBounds);
            let fill = match &opts.fill_value {
                None => GatherFill::Default,
                Some(v) => fill_bits(v, x.dtype()),
            };
            lax::gather_with_fill(
                &y,
                idx,
                plan.dnums.clone(),
                &plan.gather_slice_shape,
                mode,
                fill,
            )
        }
    };
    if !plan.reversed_y_dims.is_empty() {
        y = lax::rev(&y, &plan.reversed_y_dims);
    }
    expand_dims(&y, &plan.newaxis_dims)
}

/// `x[mask]` with one boolean mask over the leading axes (the common
/// `x[x > 0]`): the same as indexing the flattened leading axes with the
/// mask's flat positions, which is one gather.
fn leading_mask(x: &Array, index: &Index, opts: &IndexOptions) -> Option<Array> {
    let [IndexItem::Array(m)] = index.0.as_slice() else {
        return None;
    };
    if m.dtype() != DType::Bool || m.ndim() == 0 || m.ndim() > x.ndim() || m.is_tracer() {
        return None;
    }
    if m.shape() != &x.shape()[..m.ndim()] || opts.mode.is_some() {
        return None; // the general path gives the errors and the modes
    }
    let lead: usize = m.shape().iter().product();
    let mut shape = vec![lead];
    shape.extend_from_slice(&x.shape()[m.ndim()..]);
    let flat = lax::reshape(x, &shape);
    let pos = concrete_flatnonzero(m);
    Some(rewriting_take(
        &flat,
        &Index(vec![IndexItem::Array(pos)]),
        opts,
    ))
}

/// The bits of a concrete scalar fill value in `dtype`.
pub(crate) fn fill_bits(v: &Array, dtype: DType) -> GatherFill {
    if v.ndim() != 0 {
        panic!("ValueError: fill_value argument to indexed get() must be a scalar");
    }
    if v.is_tracer() {
        v.concrete("the fill_value argument to indexed get()");
    }
    let c = lax::convert_element_type(v, dtype);
    let bytes = c.buffer("fill_value").bytes().to_vec();
    let mut b = [0u8; 8];
    b[..bytes.len()].copy_from_slice(&bytes);
    GatherFill::Bits(u64::from_le_bytes(b))
}

/// Basic indexing with static integers and slices: `lax.slice` (strided),
/// `rev` for negative steps, then squeeze and expand.
fn static_slice(x: &Array, items: &[Item], wrap: bool) -> Array {
    let shape = x.shape();
    let (mut start, mut limit, mut strides) = (vec![], vec![], vec![]);
    let (mut rev_axes, mut squeeze_axes, mut newaxis) = (vec![], vec![], vec![]);
    for it in items {
        let axis = start.len();
        match it {
            Item::NewAxis => newaxis.push(start.len() - squeeze_axes.len() + newaxis.len()),
            Item::Int(i) => {
                let n = shape[axis] as i64;
                if n == 0 {
                    size_zero_error(axis);
                }
                let j = if wrap && *i < 0 { i + n } else { *i }.clamp(0, n - 1) as usize;
                start.push(j);
                limit.push(j + 1);
                strides.push(1);
                squeeze_axes.push(axis);
            }
            Item::Slice(s) => {
                let (st, step, len) = s.canonicalize(shape[axis]);
                if len == 0 {
                    start.push(0);
                    limit.push(0);
                    strides.push(1);
                } else if step > 0 {
                    start.push(st as usize);
                    limit.push((st + (len as i64 - 1) * step + 1) as usize);
                    strides.push(step as usize);
                } else {
                    let lo = st + (len as i64 - 1) * step;
                    start.push(lo as usize);
                    limit.push(st as usize + 1);
                    strides.push((-step) as usize);
                    rev_axes.push(axis);
                }
            }
            Item::Ints(_) | Item::ScalarBool(_) => unreachable!("static slice of an array index"),
        }
    }
    let trivial = strides.iter().all(|&s| s == 1)
        && start.iter().all(|&s| s == 0)
        && limit.iter().zip(shape).all(|(l, n)| l == n);
    let mut y = if trivial {
        x.clone()
    } else if strides.iter().all(|&s| s == 1) {
        lax::slice(x, &start, &limit)
    } else {
        lax::slice_with_strides(x, &start, &limit, &strides)
    };
    if !rev_axes.is_empty() {
        y = lax::rev(&y, &rev_axes);
    }
    if !squeeze_axes.is_empty() {
        y = lax::squeeze(&y, &squeeze_axes);
    }
    expand_dims(&y, &newaxis)
}

/// Basic indexing with traced scalar positions: `lax.dynamic_slice`
/// (which clamps), `rev` for `::-1`, then squeeze and expand.
fn dynamic_slice(x: &Array, items: &[Item], wrap: bool) -> Array {
    let shape = x.shape();
    let dt = index_dtype(shape);
    let (mut starts, mut sizes) = (Vec::<Array>::new(), Vec::new());
    let (mut rev_axes, mut squeeze_axes, mut newaxis) = (vec![], vec![], vec![]);
    for it in items {
        let axis = starts.len();
        match it {
            Item::NewAxis => newaxis.push(starts.len() - squeeze_axes.len() + newaxis.len()),
            Item::Int(_) | Item::Ints(_) => {
                let n = shape[axis];
                if n == 0 {
                    size_zero_error(axis);
                }
                let i = match it {
                    Item::Int(i) => int_scalar(if wrap && *i < 0 { i + n as i64 } else { *i }, dt),
                    Item::Ints(a) => {
                        let a = if wrap {
                            normalize_array(a, n)
                        } else {
                            a.clone()
                        };
                        lax::convert_element_type(&a, dt)
                    }
                    _ => unreachable!(),
                };
                starts.push(i);
                sizes.push(1);
                squeeze_axes.push(axis);
            }
            Item::Slice(s) => {
                let (st, step, len) = s.canonicalize(shape[axis]);
                let lo = if step < 0 && len > 0 {
                    rev_axes.push(axis);
                    st - (len as i64 - 1)
                } else if len > 0 {
                    st
                } else {
                    0
                };
                starts.push(int_scalar(lo, dt));
                sizes.push(len);
            }
            Item::ScalarBool(_) => unreachable!("dynamic slice of a bool index"),
        }
    }
    let refs: Vec<&Array> = starts.iter().collect();
    let mut y = lax::dynamic_slice(x, &refs, &sizes);
    if !rev_axes.is_empty() {
        y = lax::rev(&y, &rev_axes);
    }
    if !squeeze_axes.is_empty() {
        y = lax::squeeze(&y, &squeeze_axes);
    }
    expand_dims(&y, &newaxis)
}

/// A gather equivalent to an index (JAX's `_index_to_gather`).
struct GatherPlan {
    /// The shape of `x[index]`.
    slice_shape: Vec<usize>,
    gather_slice_shape: Vec<usize>,
    /// `None` when nothing needs gathering (only full slices and new axes).
    indices: Option<Array>,
    dnums: GatherDimensionNumbers,
    /// No advanced indices: windows cannot repeat and are sorted.
    unique_and_sorted: bool,
    reversed_y_dims: Vec<usize>,
    newaxis_dims: Vec<usize>,
    /// Axes of `x` to insert for rank-0 boolean indices.
    scalar_bool_dims: Vec<usize>,
}

fn to_gather(x_shape: &[usize], p: &Parsed, wrap: bool) -> GatherPlan {
    // Rank-0 bools become a unit axis of x indexed by arange(b).
    let mut shape = x_shape.to_vec();
    let mut items = Vec::with_capacity(p.items.len());
    let mut scalar_bool_dims = vec![];
    let mut axis = 0;
    for it in &p.items {
        match it {
            Item::ScalarBool(b) => {
                scalar_bool_dims.push(axis);
                shape.insert(axis, 1);
                let r: Vec<i32> = (0..*b as i32).collect();
                let n = r.len();
                items.push(Item::Ints(Array::from_vec(r, vec![n])));
                axis += 1;
            }
            Item::NewAxis => items.push(it.clone()),
            _ => {
                items.push(it.clone());
                axis += 1;
            }
        }
    }
    let dt = index_dtype(&shape);
    // Normalize negative indices.
    let mut x_axis = 0;
    for it in items.iter_mut() {
        match it {
            Item::Int(i) if wrap && *i < 0 => *i += shape[x_axis] as i64,
            Item::Ints(a) if wrap => *a = normalize_array(a, shape[x_axis]),
            _ => {}
        }
        if !matches!(it, Item::NewAxis) {
            x_axis += 1;
        }
    }
    let advanced_mode = items
        .iter()
        .any(|it| matches!(it, Item::Ints(a) if a.ndim() > 0));
    // (position in items, array, x axis) of every advanced index.
    let mut advanced: Vec<(usize, Array, usize)> = vec![];
    if advanced_mode {
        let mut x_axis = 0;
        for (pos, it) in items.iter().enumerate() {
            match it {
                Item::Int(i) => advanced.push((pos, int_scalar(*i, dt), x_axis)),
                Item::Ints(a) => advanced.push((pos, a.clone(), x_axis)),
                _ => {}
            }
            if !matches!(it, Item::NewAxis) {
                x_axis += 1;
            }
        }
    }
    let advanced_pos: Vec<usize> = advanced.iter().map(|a| a.0).collect();
    let mut offset_dims = vec![];
    let mut collapsed = vec![];
    let mut start_index_map = vec![];
    let mut gather_indices: Vec<(Array, usize)> = vec![];
    let mut gather_indices_shape: Vec<usize> = vec![];
    let mut slice_shape = vec![];
    let mut newaxis_dims = vec![];
    let mut reversed_y_dims = vec![];
    let mut gather_slice_shape = vec![];
    let (mut x_axis, mut y_axis, mut collapsed_y_axis) = (0usize, 0usize, 0usize);
    for (pos, it) in items.iter().enumerate() {
        let at_advanced = !advanced.is_empty()
            && ((p.advanced_contiguous && pos == advanced_pos[0])
                || (!p.advanced_contiguous && pos == 0));
        if at_advanced {
            let shapes: Vec<&[usize]> = advanced.iter().map(|a| a.1.shape()).collect();
            let bshape = try_broadcast_shapes(&shapes).unwrap_or_else(|| {
                let listed: Vec<String> = shapes.iter().map(|s| fmt_tuple(s)).collect();
                panic!(
                    "ValueError: Incompatible shapes for broadcasting: shapes=[{}] (the integer \
                     index arrays must broadcast together)",
                    listed.join(", ")
                )
            });
            let start_dim = gather_indices_shape.len();
            for (_, a, xa) in &advanced {
                let a = broadcast_to_shape(&lax::convert_element_type(a, dt), &bshape);
                gather_indices.push((a, start_dim));
                start_index_map.push(*xa);
                collapsed.push(*xa);
            }
            gather_indices_shape.extend_from_slice(&bshape);
            slice_shape.extend_from_slice(&bshape);
            y_axis += bshape.len();
            collapsed_y_axis += bshape.len();
        }
        if advanced_pos.contains(&pos) {
            x_axis += 1;
            gather_slice_shape.push(1);
            continue;
        }
        match it {
            Item::Int(_) | Item::Ints(_) => {
                // A scalar position (no advanced arrays in this index).
                if shape[x_axis] == 0 {
                    size_zero_error(x_axis);
                }
                let i = match it {
                    Item::Int(i) => int_scalar(*i, dt),
                    Item::Ints(a) => lax::convert_element_type(a, dt),
                    _ => unreachable!(),
                };
                gather_indices.push((i, gather_indices_shape.len()));
                collapsed.push(x_axis);
                gather_slice_shape.push(1);
                start_index_map.push(x_axis);
                x_axis += 1;
            }
            Item::NewAxis => {
                slice_shape.push(1);
                newaxis_dims.push(y_axis);
                y_axis += 1;
            }
            Item::Slice(s) => {
                let (start, step, len) = s.canonicalize(shape[x_axis]);
                slice_shape.push(len);
                if step == 1 {
                    if len != shape[x_axis] {
                        gather_indices.push((int_scalar(start, dt), gather_indices_shape.len()));
                        start_index_map.push(x_axis);
                    }
                    gather_slice_shape.push(len);
                    offset_dims.push(collapsed_y_axis);
                } else {
                    let mut idx = lax::add(
                        &int_scalar(start, dt),
                        &lax::mul(&int_scalar(step, dt), &lax::iota(dt, len)),
                    );
                    if step < 0 {
                        reversed_y_dims.push(collapsed_y_axis);
                        idx = lax::rev(&idx, &[0]);
                    }
                    gather_slice_shape.push(1);
                    gather_indices.push((idx, gather_indices_shape.len()));
                    start_index_map.push(x_axis);
                    gather_indices_shape.push(len);
                    collapsed.push(x_axis);
                }
                collapsed_y_axis += 1;
                y_axis += 1;
                x_axis += 1;
            }
            Item::ScalarBool(_) => unreachable!("scalar bools were expanded"),
        }
    }
    let indices = match gather_indices.len() {
        0 => None,
        1 => {
            let (g, _) = &gather_indices[0];
            Some(expand_dims(g, &[g.ndim()]))
        }
        _ => {
            let mut full = gather_indices_shape.clone();
            full.push(1);
            let parts: Vec<Array> = gather_indices
                .iter()
                .map(|(g, i)| {
                    let dims: Vec<usize> = (*i..i + g.ndim()).collect();
                    lax::broadcast_in_dim(g, &full, &dims)
                })
                .collect();
            let refs: Vec<&Array> = parts.iter().collect();
            Some(lax::concatenate(&refs, gather_indices_shape.len()))
        }
    };
    collapsed.sort_unstable();
    GatherPlan {
        slice_shape,
        gather_slice_shape,
        indices,
        dnums: GatherDimensionNumbers {
            offset_dims,
            collapsed_slice_dims: collapsed,
            start_index_map,
            operand_batching_dims: vec![],
            start_indices_batching_dims: vec![],
        },
        unique_and_sorted: advanced.is_empty(),
        reversed_y_dims,
        newaxis_dims,
        scalar_bool_dims,
    }
}

/// The elementwise combination an update op applies.
fn combine(op: ScatterOp, old: &Array, new: &Array) -> Array {
    match op {
        ScatterOp::Replace => new.clone(),
        ScatterOp::Add => lax::add(old, new),
        ScatterOp::Sub => lax::sub(old, new),
        ScatterOp::Mul => lax::mul(old, new),
        ScatterOp::Min => lax::min(old, new),
        ScatterOp::Max => lax::max(old, new),
    }
}

/// `x.at[index].<op>(y)`: JAX's `_scatter_update`.
pub(crate) fn scatter_update(
    x: &Array,
    index: &Index,
    y: &Array,
    op: ScatterOp,
    opts: &IndexOptions,
) -> Array {
    // A weak integer scalar that fits x's integer dtype takes that dtype.
    let y = if y.weak_type() && y.ndim() == 0 && y.dtype().is_int() && x.dtype().is_int() {
        lax::convert_element_type(y, x.dtype())
    } else {
        y.clone()
    };
    let p = parse(index, x.shape());
    let wrap = !opts.no_wrap_negative;
    if opts.mode.is_none() {
        if let Some(out) = update_slice(x, &p.items, &y, op, wrap) {
            return out;
        }
    }
    let plan = to_gather(x.shape(), &p, wrap);
    if plan.slice_shape.contains(&0) {
        return x.clone();
    }
    let t = result_weak_dtype(&[x, &y]);
    let xp = lax::convert_element_type_weak(x, t.dtype, t.weak);
    let yp = lax::convert_element_type_weak(&y, t.dtype, t.weak);
    let yb = super::broadcast_to(&yp, &plan.slice_shape);
    let mut yb = lax::squeeze(&yb, &plan.newaxis_dims);
    if !plan.reversed_y_dims.is_empty() {
        yb = lax::rev(&yb, &plan.reversed_y_dims);
    }
    let xe = expand_dims(&xp, &plan.scalar_bool_dims);
    let dn = &plan.dnums;
    let sdn = lax::ScatterDimensionNumbers {
        update_window_dims: dn.offset_dims.clone(),
        inserted_window_dims: dn.collapsed_slice_dims.clone(),
        scatter_dims_to_operand_dims: dn.start_index_map.clone(),
        operand_batching_dims: vec![],
        scatter_indices_batching_dims: vec![],
    };
    let indices = plan
        .indices
        .clone()
        .unwrap_or_else(|| Array::from_vec(Vec::<i32>::new(), vec![0]));
    let mut out = lax::scatter_with(
        op,
        &xe,
        &indices,
        &yb,
        sdn,
        opts.mode.unwrap_or(GatherScatterMode::FillOrDrop),
        opts.unique_indices || plan.unique_and_sorted,
        opts.indices_are_sorted || plan.unique_and_sorted,
    );
    if !plan.scalar_bool_dims.is_empty() {
        out = lax::squeeze(&out, &plan.scalar_bool_dims);
    }
    lax::convert_element_type_weak(&out, x.dtype(), x.weak_type())
}

/// Basic-index updates (integers, traced scalars, unit-step slices, new
/// axes) as `dynamic_update_slice`, which runs in place under `jit`. Equal
/// to the scatter, since such windows never overlap. `None` when the index
/// needs a scatter.
fn update_slice(x: &Array, items: &[Item], y: &Array, op: ScatterOp, wrap: bool) -> Option<Array> {
    let basic = items.iter().all(|it| match it {
        Item::Ints(a) => a.ndim() == 0,
        Item::Slice(s) => matches!(s.step, None | Some(1)),
        Item::ScalarBool(_) => false,
        _ => true,
    });
    if !basic {
        return None;
    }
    let shape = x.shape();
    let dt = index_dtype(shape);
    let mut starts: Vec<Array> = vec![];
    let mut region = vec![];
    let mut slice_shape = vec![];
    let mut in_bounds: Option<Array> = None;
    for it in items {
        let axis = starts.len();
        match it {
            Item::NewAxis => slice_shape.push(1),
            Item::Int(i) => {
                let n = shape[axis] as i64;
                let j = if wrap && *i < 0 { i + n } else { *i };
                if !(0..n).contains(&j) {
                    // Out of bounds: dropped (JAX's default mode) — but the
                    // value must still broadcast.
                    return Some(x.clone());
                }
                starts.push(int_scalar(j, dt));
                region.push(1);
            }
            Item::Ints(a) => {
                let n = shape[axis];
                let a = if wrap {
                    normalize_array(a, n)
                } else {
                    a.clone()
                };
                let a = lax::convert_element_type(&a, dt);
                let ok = lax::bitwise_and(
                    &lax::ge(&a, &int_scalar(0, dt)),
                    &lax::lt(&a, &int_scalar(n as i64, dt)),
                );
                in_bounds = Some(match in_bounds {
                    None => ok,
                    Some(b) => lax::bitwise_and(&b, &ok),
                });
                starts.push(lax::max(&int_scalar(0, dt), &a));
                region.push(1);
            }
            Item::Slice(s) => {
                let (st, _, len) = s.canonicalize(shape[axis]);
                starts.push(int_scalar(if len > 0 { st } else { 0 }, dt));
                region.push(len);
                slice_shape.push(len);
            }
            Item::ScalarBool(_) => unreachable!(),
        }
    }
    if region.contains(&0) {
        return Some(x.clone());
    }
    let t = result_weak_dtype(&[x, y]);
    let yp = lax::convert_element_type_weak(y, t.dtype, t.weak);
    let yb = lax::reshape(&super::broadcast_to(&yp, &slice_shape), &region);
    let refs: Vec<&Array> = starts.iter().collect();
    let old = (op != ScatterOp::Replace || in_bounds.is_some())
        .then(|| lax::dynamic_slice(x, &refs, &region));
    let new = match &old {
        Some(o) if op != ScatterOp::Replace => {
            combine(op, &lax::convert_element_type_weak(o, t.dtype, t.weak), &yb)
        }
        _ => yb,
    };
    let mut new = lax::convert_element_type_weak(&new, x.dtype(), x.weak_type());
    if let (Some(ok), Some(o)) = (&in_bounds, &old) {
        let keep = lax::broadcast_in_dim(ok, &region, &[]);
        new = lax::select(&keep, &new, o);
    }
    Some(lax::dynamic_update_slice(x, &new, &refs))
}
