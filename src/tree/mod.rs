//! Pytrees: nested containers of arrays (JAX's `jax.tree_util`).
//!
//! A pytree is a value built from [`Array`] leaves and container nodes:
//! tuples, `Vec`s and fixed arrays (lists), `Option` (`None` has no
//! leaves), string-keyed maps (dicts, children in sorted key order),
//! `Box`, and structs with `#[derive(PyTree)]`. Flattening gives the leaves
//! depth-first, left to right, as JAX does, and a [`TreeDef`] describing the
//! rest; unflattening rebuilds the value.
//!
//! ```
//! use jaxide::numpy as jnp;
//! use jaxide::tree::{tree_map, tree_structure, PyTree};
//!
//! #[derive(PyTree, Clone)]
//! struct Linear {
//!     w: jaxide::Array,
//!     b: jaxide::Array,
//!     #[pytree(static)]
//!     name: String,
//! }
//!
//! let p = Linear { w: jnp::array([1.0f32, 2.0]), b: jnp::array([0.5f32]), name: "lin".into() };
//! let doubled = tree_map(|x| x * 2.0, &p);
//! assert_eq!(doubled.w.to_vec::<f32>(), vec![2.0, 4.0]);
//! assert_eq!(doubled.name, "lin");
//! assert_eq!(
//!     tree_structure(&p).to_string(),
//!     r#"PyTreeDef(CustomNode(Linear[("lin",)], [*, *]))"#
//! );
//! ```

mod impls;
mod mismatch;
mod ops;
mod paths;
mod static_arg;
mod static_value;
mod treedef;

pub use jaxide_derive::PyTree;
pub use ops::{
    tree_flatten, tree_leaves, tree_map, tree_map2, tree_map3, tree_structure, tree_unflatten,
};
pub use paths::{
    keystr, keystr_simple, leaf_paths, tree_all, tree_flatten_with_path, tree_leaves_with_path,
    tree_map_with_path, tree_reduce, tree_reduce_leaves, tree_transpose, KeyEntry, KeyPath,
};
pub use static_arg::Static;
pub use static_value::{static_field, static_value, StaticValue};
pub use treedef::TreeDef;

use crate::Array;

/// A value that flattens to a list of [`Array`] leaves plus a [`TreeDef`].
///
/// Implemented for `Array` (a leaf), `()`, tuples up to arity 12, `[T; N]`,
/// `Vec<T>`, `Option<T>`, `Box<T>`, `BTreeMap<String, T>` and
/// `HashMap<String, T>`; derive it for structs with `#[derive(PyTree)]`.
pub trait PyTree: Sized {
    /// Appends this tree's leaves (in JAX's order) to `leaves` and returns its structure.
    fn flatten_into(&self, leaves: &mut Vec<Array>) -> TreeDef;

    /// Rebuilds a tree of this type from `def`, taking leaves in order from `leaves`.
    /// Panics with a clear message if `def` does not describe this type or leaves run out.
    fn unflatten_from(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Self;
}

#[cfg(test)]
mod tests {
    use super::{tree_map, tree_structure, PyTree};
    use crate::Array;

    /// The derive also works inside this crate (`extern crate self as jaxide`).
    #[derive(PyTree)]
    struct State {
        x: Array,
        #[pytree(static)]
        step: u32,
    }

    #[test]
    fn derive_inside_the_crate() {
        let s = State {
            x: Array::from_vec(vec![1.0f32], [1]),
            step: 3,
        };
        assert_eq!(
            tree_structure(&s).to_string(),
            "PyTreeDef(CustomNode(State[(3,)], [*]))"
        );
        let t = tree_map(|x| x * 2.0, &s);
        assert_eq!((t.x.to_vec::<f32>(), t.step), (vec![2.0], 3));
    }
}
