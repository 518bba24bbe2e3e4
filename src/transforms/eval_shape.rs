//! `eval_shape`: the shapes and dtypes a function would return, found by
//! tracing it with abstract values; nothing is computed or allocated.

use super::args::TreeFn;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::shape::{fmt_tuple, Shape};
use crate::interpreters::staging::trace_to_jaxpr;
use crate::random::Key;
use crate::tree::{tree_flatten, tree_unflatten, PyTree, TreeDef};
use std::fmt;

/// An array's shape and dtype without its data (`jax.ShapeDtypeStruct`).
/// Prints as JAX does: `ShapeDtypeStruct(shape=(2, 3), dtype=float32)`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ShapeDtypeStruct {
    /// The dimension sizes.
    pub shape: Shape,
    /// The element type (not canonicalized, as in JAX).
    pub dtype: DType,
    /// Whether the value is weakly typed (a Rust-scalar-like value).
    pub weak_type: bool,
}

impl ShapeDtypeStruct {
    /// A strongly typed `shape` and `dtype`. Panics if the shape's size
    /// overflows.
    pub fn new(shape: impl Into<Shape>, dtype: DType) -> ShapeDtypeStruct {
        let shape = shape.into();
        crate::core::shape::check_shape(shape.dims());
        ShapeDtypeStruct {
            shape,
            dtype,
            weak_type: false,
        }
    }

    /// The same with the weak-type flag set (`weak_type=True`).
    pub fn weak(mut self) -> ShapeDtypeStruct {
        self.weak_type = true;
        self
    }

    /// The dimension sizes.
    pub fn shape(&self) -> &[usize] {
        self.shape.dims()
    }

    /// The number of elements.
    pub fn size(&self) -> usize {
        self.shape.size()
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.dims().len()
    }

    fn from_aval(a: &ShapedArray) -> ShapeDtypeStruct {
        ShapeDtypeStruct {
            shape: a.shape.clone(),
            dtype: a.dtype,
            weak_type: a.weak_type,
        }
    }

    fn aval(&self) -> ShapedArray {
        ShapedArray::with_weak(self.shape.clone(), self.dtype, self.weak_type)
    }
}

impl fmt::Display for ShapeDtypeStruct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ShapeDtypeStruct(shape={}, dtype={}",
            fmt_tuple(self.shape.dims()),
            self.dtype
        )?;
        if self.weak_type {
            f.write_str(", weak_type=True")?;
        }
        f.write_str(")")
    }
}

impl fmt::Debug for ShapeDtypeStruct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Arguments given to [`eval_shape`] by shape: a pytree whose leaves are
/// [`ShapeDtypeStruct`]s or arrays (whose values are ignored).
pub trait ShapeSpec {
    /// Appends the abstract value of each leaf and returns the structure.
    fn spec_into(&self, avals: &mut Vec<ShapedArray>) -> TreeDef;
}

impl ShapeSpec for ShapeDtypeStruct {
    fn spec_into(&self, avals: &mut Vec<ShapedArray>) -> TreeDef {
        avals.push(self.aval());
        TreeDef::leaf()
    }
}

impl ShapeSpec for Array {
    fn spec_into(&self, avals: &mut Vec<ShapedArray>) -> TreeDef {
        avals.push(self.aval().clone());
        TreeDef::leaf()
    }
}

impl ShapeSpec for Key {
    fn spec_into(&self, avals: &mut Vec<ShapedArray>) -> TreeDef {
        let (leaves, def) = tree_flatten(self);
        avals.extend(leaves.iter().map(|x| x.aval().clone()));
        def
    }
}

impl<T: ShapeSpec + ?Sized> ShapeSpec for &T {
    fn spec_into(&self, avals: &mut Vec<ShapedArray>) -> TreeDef {
        (**self).spec_into(avals)
    }
}

impl<T: ShapeSpec> ShapeSpec for Vec<T> {
    fn spec_into(&self, avals: &mut Vec<ShapedArray>) -> TreeDef {
        TreeDef::list(self.iter().map(|x| x.spec_into(avals)).collect())
    }
}

impl<T: ShapeSpec, const N: usize> ShapeSpec for [T; N] {
    fn spec_into(&self, avals: &mut Vec<ShapedArray>) -> TreeDef {
        TreeDef::list(self.iter().map(|x| x.spec_into(avals)).collect())
    }
}

macro_rules! spec_tuple {
    ($($T:ident $i:tt),*) => {
        impl<$($T: ShapeSpec),*> ShapeSpec for ($($T,)*) {
            #[allow(unused_variables)]
            fn spec_into(&self, avals: &mut Vec<ShapedArray>) -> TreeDef {
                TreeDef::tuple(vec![$(self.$i.spec_into(avals)),*])
            }
        }
    };
}
spec_tuple!();
spec_tuple!(A 0);
spec_tuple!(A 0, B 1);
spec_tuple!(A 0, B 1, C 2);
spec_tuple!(A 0, B 1, C 2, D 3);
spec_tuple!(A 0, B 1, C 2, D 3, E 4);
spec_tuple!(A 0, B 1, C 2, D 3, E 4, G 5);

/// The shapes and dtypes of a function's outputs, in the output's pytree
/// structure (what `jax.eval_shape` returns). Prints as JAX prints the
/// tree: `(ShapeDtypeStruct(shape=(3,), dtype=float32), ...)`.
#[derive(Clone)]
pub struct ShapeTree {
    leaves: Vec<ShapeDtypeStruct>,
    treedef: TreeDef,
}

impl ShapeTree {
    /// The leaves in pytree order.
    pub fn leaves(&self) -> &[ShapeDtypeStruct] {
        &self.leaves
    }

    /// The output's structure.
    pub fn treedef(&self) -> &TreeDef {
        &self.treedef
    }

    /// The single leaf of a function that returns one array. Panics if
    /// the output is not a single array.
    pub fn single(&self) -> &ShapeDtypeStruct {
        if !self.treedef.is_leaf() {
            panic!(
                "ShapeTree::single: the output is {}, not a single array; use leaves().",
                self.treedef
            );
        }
        &self.leaves[0]
    }
}

impl std::ops::Index<usize> for ShapeTree {
    type Output = ShapeDtypeStruct;
    fn index(&self, i: usize) -> &ShapeDtypeStruct {
        &self.leaves[i]
    }
}

impl fmt::Display for ShapeTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut it = self.leaves.iter();
        self.treedef.fmt_with_leaves(f, &mut |f| match it.next() {
            Some(s) => write!(f, "{s}"),
            None => Ok(()),
        })
    }
}

impl fmt::Debug for ShapeTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The output shapes and dtypes of `f` at `args` (`jax.eval_shape`): `f` is
/// traced with abstract values, so nothing runs and nothing is allocated,
/// whatever the sizes. `args` mirrors `f`'s argument tuple, with each array
/// given as a [`ShapeDtypeStruct`] (or an array, whose value is unused).
///
/// ```
/// use jaxide::prelude::*;
/// let out = eval_shape(
///     |x: &Array, y: &Array| (jnp::matmul(x, y), x.sum()),
///     &(ShapeDtypeStruct::new([1 << 20, 3], DType::F32), ShapeDtypeStruct::new([3, 2], DType::F32)),
/// );
/// assert_eq!(
///     out.to_string(),
///     "(ShapeDtypeStruct(shape=(1048576, 2), dtype=float32), ShapeDtypeStruct(shape=(), dtype=float32))"
/// );
/// ```
pub fn eval_shape<F, M, Args, R, S>(f: F, args: &S) -> ShapeTree
where
    F: TreeFn<Args, R, M>,
    Args: PyTree,
    R: PyTree,
    S: ShapeSpec,
{
    let mut avals = Vec::new();
    let def = args.spec_into(&mut avals);
    let out_def = std::cell::RefCell::new(None);
    let flat = |xs: &[Array]| -> Vec<Array> {
        let a: Args = tree_unflatten(&def, xs.iter().cloned());
        let (outs, d) = tree_flatten(&f.call_args(&a));
        *out_def.borrow_mut() = Some(d);
        outs
    };
    let jaxpr = trace_to_jaxpr("eval_shape", &flat, &avals);
    ShapeTree {
        leaves: jaxpr
            .jaxpr
            .outvars
            .iter()
            .map(|a| ShapeDtypeStruct::from_aval(a.aval()))
            .collect(),
        treedef: out_def.into_inner().expect("the function was traced"),
    }
}
