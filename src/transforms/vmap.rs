//! `vmap`: vectorizing a function over a batch axis of its arguments
//! (`jax.vmap`), with `in_axes`, `out_axes` and `axis_size`.
//!
//! ```
//! use jaxide::prelude::*;
//! let x = jnp::arange_dtype(6, DType::F32).reshape(&[2, 3]);
//! let row_sums = vmap(|r: &Array| r.sum())(&x);
//! assert_eq!(row_sums.to_vec::<f32>(), vec![3.0, 12.0]);
//! ```

use super::args::{Curry, TreeFn};
use crate::core::array::Array;
use crate::interpreters::batching::batch_flat;
use crate::lax;
use crate::lax::batching::move_axis;
use crate::tree::{tree_flatten, tree_unflatten, PyTree, TreeDef};
use std::cell::RefCell;

/// How one positional argument is mapped (`in_axes` entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InAxis {
    /// Every leaf along this axis (negative counts from the end).
    Axis(isize),
    /// Not mapped: the same value for every batch element.
    None,
    /// One entry per leaf of the argument, in flattening order.
    Leaves(Vec<Option<isize>>),
    /// A tree prefix: one spec per child of the argument's top node (tuple
    /// elements, list items, dict values by sorted key, struct fields), each
    /// itself any `InAxis` — JAX's nested `in_axes` containers.
    Tree(Vec<InAxis>),
}

/// `vmap`'s `in_axes`: one spec for every argument, or one per argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InAxes {
    /// Every leaf of every argument along this axis (`None`: unmapped).
    All(Option<isize>),
    /// One entry per positional argument.
    PerArg(Vec<InAxis>),
}

/// `vmap`'s `out_axes`: where each output leaf gets the batch axis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutAxes {
    /// Every output leaf (`None`: the output must not be batched).
    All(Option<isize>),
    /// One entry per output leaf, in flattening order.
    Leaves(Vec<Option<isize>>),
}

impl From<isize> for InAxes {
    fn from(a: isize) -> InAxes {
        InAxes::All(Some(a))
    }
}
impl From<Option<isize>> for InAxes {
    fn from(a: Option<isize>) -> InAxes {
        InAxes::All(a)
    }
}
impl<const N: usize> From<[InAxis; N]> for InAxes {
    fn from(a: [InAxis; N]) -> InAxes {
        InAxes::PerArg(a.to_vec())
    }
}
impl From<isize> for OutAxes {
    fn from(a: isize) -> OutAxes {
        OutAxes::All(Some(a))
    }
}
impl From<Option<isize>> for OutAxes {
    fn from(a: Option<isize>) -> OutAxes {
        OutAxes::All(a)
    }
}

/// Anything that reads as one `in_axes` entry: an axis (`0`, `-1`), `None`
/// (unmapped), `Some(axis)`, an [`InAxis`], or a tuple of these (a tree
/// prefix for a tuple or struct argument). Used by [`in_axes!`](crate::in_axes).
pub trait IntoInAxis {
    /// The entry as an [`InAxis`].
    fn into_in_axis(self) -> InAxis;
}

impl IntoInAxis for InAxis {
    fn into_in_axis(self) -> InAxis {
        self
    }
}

macro_rules! int_in_axis {
    ($($t:ty),*) => {$(
        impl IntoInAxis for $t {
            fn into_in_axis(self) -> InAxis {
                InAxis::Axis(self as isize)
            }
        }
    )*};
}
int_in_axis!(i32, i64, isize, usize);

/// `None` is unmapped, `Some(a)` maps axis `a`.
impl IntoInAxis for Option<isize> {
    fn into_in_axis(self) -> InAxis {
        self.map_or(InAxis::None, InAxis::Axis)
    }
}

macro_rules! tuple_in_axis {
    ($($T:ident $i:tt),+) => {
        impl<$($T: IntoInAxis),+> IntoInAxis for ($($T,)+) {
            fn into_in_axis(self) -> InAxis {
                InAxis::Tree(vec![$(self.$i.into_in_axis()),+])
            }
        }
    };
}
tuple_in_axis!(A 0);
tuple_in_axis!(A 0, B 1);
tuple_in_axis!(A 0, B 1, C 2);
tuple_in_axis!(A 0, B 1, C 2, D 3);

/// `in_axes` written as in JAX, one entry per positional argument:
/// `in_axes![0, None]`, `in_axes![1, (0, None)]`. Pass it straight to
/// [`vmap_with`], or add `out_axes` with [`InAxes::out_axes`].
///
/// ```
/// use jaxide::prelude::*;
/// let (m, v) = (jnp::ones([4, 3]), jnp::arange_dtype(4, DType::F32));
/// let y = vmap_with(|c: &Array, v: &Array| c * v, in_axes![1, None])(&m, &v);
/// assert_eq!(y.shape(), &[3, 4]);
/// ```
#[macro_export]
macro_rules! in_axes {
    ($($a:expr),* $(,)?) => {
        $crate::transforms::vmap::InAxes::PerArg(vec![
            $($crate::transforms::vmap::IntoInAxis::into_in_axis($a)),*
        ])
    };
}

impl InAxes {
    /// These `in_axes` with `out_axes` (`jax.vmap(f, in_axes, out_axes)`).
    pub fn out_axes(self, out_axes: impl Into<OutAxes>) -> VmapOptions {
        VmapOptions {
            in_axes: self,
            out_axes: out_axes.into(),
            axis_size: None,
        }
    }
}

impl From<InAxes> for VmapOptions {
    fn from(in_axes: InAxes) -> VmapOptions {
        VmapOptions {
            in_axes,
            ..VmapOptions::default()
        }
    }
}

impl VmapOptions {
    /// These options with `out_axes`.
    pub fn out_axes(mut self, out_axes: impl Into<OutAxes>) -> VmapOptions {
        self.out_axes = out_axes.into();
        self
    }

    /// These options with `axis_size` (needed when no argument is mapped).
    pub fn axis_size(mut self, n: usize) -> VmapOptions {
        self.axis_size = Some(n);
        self
    }
}

/// The options of [`vmap_with`].
#[derive(Clone, Debug)]
pub struct VmapOptions {
    /// Which axis of each argument is mapped.
    pub in_axes: InAxes,
    /// Where the batch axis goes in each output.
    pub out_axes: OutAxes,
    /// The batch size, required when no argument is mapped.
    pub axis_size: Option<usize>,
}

impl Default for VmapOptions {
    fn default() -> VmapOptions {
        VmapOptions {
            in_axes: InAxes::All(Some(0)),
            out_axes: OutAxes::All(Some(0)),
            axis_size: None,
        }
    }
}

/// Vectorizes `f` over axis 0 of every argument (`jax.vmap(f)`): the
/// result maps `f` over the batch, computed as one batched program (every
/// primitive has a batching rule; nothing loops over the batch). Not yet
/// supported: `dynamic_slice`/`dynamic_update_slice` whose start indices
/// are batched (they need gather/scatter), which panic with
/// `NotImplementedError`.
pub fn vmap<'f, F, M, Args, R>(f: F) -> <Args as Curry<'f, R>>::Callable
where
    F: TreeFn<Args, R, M> + Send + Sync + 'f,
    R: PyTree + 'f,
    Args: Curry<'f, R> + PyTree + Clone,
{
    vmap_with(f, VmapOptions::default())
}

/// [`vmap`] with `in_axes`, `out_axes` and `axis_size`.
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::transforms::vmap::{InAxis, VmapOptions};
/// let (m, v) = (jnp::ones([4, 3]), jnp::arange_dtype(4, DType::F32));
/// // Map the columns of `m` (axis 1) against the same `v`.
/// let opts = VmapOptions { in_axes: [InAxis::Axis(1), InAxis::None].into(), ..Default::default() };
/// let y = vmap_with(|c: &Array, v: &Array| c * v, opts)(&m, &v);
/// assert_eq!(y.shape(), &[3, 4]);
/// ```
pub fn vmap_with<'f, F, M, Args, R>(
    f: F,
    opts: impl Into<VmapOptions>,
) -> <Args as Curry<'f, R>>::Callable
where
    F: TreeFn<Args, R, M> + Send + Sync + 'f,
    R: PyTree + 'f,
    Args: Curry<'f, R> + PyTree + Clone,
{
    let opts = opts.into();
    Args::curry(move |args: Args| apply(&f, &opts, args))
}

fn apply<Args: PyTree, R: PyTree, M>(
    f: &dyn TreeFn<Args, R, M>,
    opts: &VmapOptions,
    args: Args,
) -> R {
    let (leaves, def) = tree_flatten(&args);
    let axes = leaf_axes(&opts.in_axes, &def);
    // Canonical batch axes, checked against each leaf's rank.
    let dims: Vec<Option<usize>> = leaves
        .iter()
        .zip(&axes)
        .map(|(x, a)| a.map(|a| canonical_in_axis(a, x)))
        .collect();
    let size = batch_size(&leaves, &axes, &dims, opts.axis_size);
    let out_def: RefCell<Option<TreeDef>> = RefCell::new(None);
    let flat = |xs: &[Array]| -> Vec<Array> {
        let a: Args = tree_unflatten(&def, xs.iter().cloned());
        let (outs, d) = tree_flatten(&f.call_args(&a));
        *out_def.borrow_mut() = Some(d);
        outs
    };
    let outs = batch_flat(&flat, &leaves, &dims, size);
    let out_def = out_def.into_inner().expect("the function was traced");
    let out_axes: Vec<Option<isize>> = match &opts.out_axes {
        OutAxes::All(a) => vec![*a; outs.len()],
        OutAxes::Leaves(v) if v.len() == outs.len() => v.clone(),
        OutAxes::Leaves(v) => panic!(
            "ValueError: vmap out_axes specification must be a tree prefix of the corresponding \
             value; got {} out_axes entries for {} output leaves.",
            v.len(),
            outs.len()
        ),
    };
    let placed = outs
        .into_iter()
        .zip(out_axes)
        .map(|((x, bdim), dst)| place_output(x, bdim, dst, size));
    tree_unflatten(&out_def, placed)
}

/// The in_axes entry of every leaf of the argument tuple.
fn leaf_axes(in_axes: &InAxes, def: &TreeDef) -> Vec<Option<isize>> {
    let args = def.children();
    match in_axes {
        InAxes::All(a) => vec![*a; def.num_leaves()],
        InAxes::PerArg(v) if v.len() != args.len() => panic!(
            "ValueError: vmap in_axes must be an int, None, or a tuple of entries corresponding \
             to the positional arguments passed to the function, but got len(in_axes)={}, \
             len(args)={}",
            v.len(),
            args.len()
        ),
        InAxes::PerArg(v) => v
            .iter()
            .zip(args)
            .enumerate()
            .flat_map(|(i, (spec, arg))| spec_leaves(spec, arg, &format!("in_axes[{i}]")))
            .collect(),
    }
}

/// The per-leaf axes that `spec` gives the tree `def` (at `path`, for messages).
fn spec_leaves(spec: &InAxis, def: &TreeDef, path: &str) -> Vec<Option<isize>> {
    match spec {
        InAxis::Axis(a) => vec![Some(*a); def.num_leaves()],
        InAxis::None => vec![None; def.num_leaves()],
        InAxis::Leaves(l) if l.len() == def.num_leaves() => l.clone(),
        InAxis::Leaves(l) => panic!(
            "ValueError: vmap in_axes specification must be a tree prefix of the corresponding \
             value; vmap {path} has {} leaf entries but the value has {} leaves.",
            l.len(),
            def.num_leaves()
        ),
        InAxis::Tree(children) if !def.is_leaf() && children.len() == def.children().len() => {
            children
                .iter()
                .zip(def.children())
                .enumerate()
                .flat_map(|(k, (c, d))| spec_leaves(c, d, &format!("{path}[{k}]")))
                .collect()
        }
        InAxis::Tree(children) => panic!(
            "ValueError: vmap in_axes specification must be a tree prefix of the corresponding \
             value; vmap {path} is a container of {} entries but the value is {def:?}.",
            children.len()
        ),
    }
}

fn canonical_in_axis(a: isize, x: &Array) -> usize {
    let nd = x.ndim() as isize;
    if a >= nd || a < -nd {
        panic!(
            "ValueError: vmap was requested to map its argument along axis {a}, which implies \
             that its rank should be at least {}, but is only {} (its shape is {})",
            if a >= 0 { a + 1 } else { -a },
            nd,
            crate::core::shape::fmt_tuple(x.shape())
        );
    }
    (if a < 0 { a + nd } else { a }) as usize
}

/// The common size of the mapped axes, with JAX's message when they differ.
fn batch_size(
    leaves: &[Array],
    axes: &[Option<isize>],
    dims: &[Option<usize>],
    axis_size: Option<usize>,
) -> usize {
    // (size, axis as written, leaf index) of every mapped leaf.
    let mapped: Vec<(usize, isize, usize)> = dims
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.map(|d| (leaves[i].shape()[d], axes[i].unwrap_or(0), i)))
        .collect();
    let Some(&(first, _, _)) = mapped.first() else {
        return axis_size.unwrap_or_else(|| {
            panic!(
                "ValueError: vmap must have at least one non-None value in in_axes, or else \
                 `axis_size` must be given (here every argument is unmapped)."
            )
        });
    };
    let consistent = mapped.iter().all(|m| m.0 == first) && axis_size.is_none_or(|n| n == first);
    if consistent {
        return first;
    }
    // Group by size, most common first (ties in first-seen order).
    let mut groups: Vec<(usize, Vec<(isize, usize)>)> = Vec::new();
    for &(sz, ax, i) in &mapped {
        match groups.iter_mut().find(|g| g.0 == sz) {
            Some(g) => g.1.push((ax, i)),
            None => groups.push((sz, vec![(ax, i)])),
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.1.len()));
    let mut lines: Vec<String> = Vec::new();
    if let Some(n) = axis_size {
        lines.push(format!("  * the `axis_size` argument was {n}"));
    }
    for (k, (sz, members)) in groups.iter().enumerate() {
        let (ax, i) = members[0];
        let x = &leaves[i];
        let what = format!("axis {ax} of args[{i}] of type {}", x.aval().short());
        lines.push(match (members.len(), k) {
            (1, _) => format!("  * one axis had size {sz}: {what}"),
            (n, 0) => format!("  * most axes ({n} of them) had size {sz}, e.g. {what}"),
            (n, _) => format!("  * some axes ({n} of them) had size {sz}, e.g. {what}"),
        });
    }
    panic!(
        "ValueError: vmap got inconsistent sizes for array axes to be mapped:\n{}",
        lines.join(";\n")
    )
}

/// Moves (or, for an unbatched output, broadcasts) the batch axis to `dst`.
fn place_output(x: Array, bdim: Option<usize>, dst: Option<isize>, size: usize) -> Array {
    match (bdim, dst) {
        (None, None) => x,
        (Some(_), None) => panic!(
            "ValueError: vmap has mapped output but out_axes is None. Give out_axes an integer \
             for outputs that depend on the mapped inputs."
        ),
        (b, Some(d)) => {
            let nd = (x.ndim() + usize::from(b.is_none())) as isize;
            if d >= nd || d < -nd {
                panic!("ValueError: axis {d} is out of bounds for array of dimension {nd}");
            }
            let d = (if d < 0 { d + nd } else { d }) as usize;
            match b {
                Some(b) => move_axis(&x, b, d),
                None => {
                    let mut shape = x.shape().to_vec();
                    shape.insert(d, size);
                    let dims: Vec<usize> = (0..x.ndim()).map(|a| a + usize::from(a >= d)).collect();
                    lax::broadcast_in_dim(&x, &shape, &dims)
                }
            }
        }
    }
}
