//! [`AnyTree`]: a pytree with its type erased (a [`TreeDef`] plus leaves),
//! the form in which transformations see updates and params.

use std::fmt;

use crate::tree::{leaf_paths, tree_flatten, tree_unflatten, KeyPath, PyTree, TreeDef};
use crate::Array;

/// Any pytree, flattened: its structure and its leaves in order.
///
/// [`GradientTransformation`](super::GradientTransformation)s see updates
/// and params in this form, so one transformation serves every params
/// type; it is itself a [`PyTree`] (flattening gives back the same
/// structure and leaves).
#[derive(Clone)]
pub struct AnyTree {
    def: TreeDef,
    leaves: Vec<Array>,
}

impl AnyTree {
    /// Flattens `tree`.
    pub fn from_tree<P: PyTree>(tree: &P) -> AnyTree {
        let (leaves, def) = tree_flatten(tree);
        AnyTree { def, leaves }
    }

    /// A tree of structure `def` with `leaves`; panics if the counts differ.
    pub fn new(def: TreeDef, leaves: Vec<Array>) -> AnyTree {
        assert_eq!(
            def.num_leaves(),
            leaves.len(),
            "AnyTree::new: {def} has {} leaves, got {}",
            def.num_leaves(),
            leaves.len()
        );
        AnyTree { def, leaves }
    }

    /// Rebuilds the typed tree (panics if `P` does not have this structure).
    pub fn into_tree<P: PyTree>(self) -> P {
        tree_unflatten(&self.def, self.leaves)
    }

    /// The structure.
    pub fn def(&self) -> &TreeDef {
        &self.def
    }

    /// The leaves, in order.
    pub fn leaves(&self) -> &[Array] {
        &self.leaves
    }

    /// The leaves, by value.
    pub fn into_leaves(self) -> Vec<Array> {
        self.leaves
    }

    /// The key paths of the leaves (for messages).
    pub fn paths(&self) -> Vec<KeyPath> {
        leaf_paths(&self.def)
    }

    /// The same structure with other leaves; panics if the counts differ.
    pub fn with_leaves(&self, leaves: Vec<Array>) -> AnyTree {
        AnyTree::new(self.def.clone(), leaves)
    }

    /// `f` applied to every leaf, keeping the structure.
    pub fn map(&self, f: impl FnMut(&Array) -> Array) -> AnyTree {
        AnyTree {
            def: self.def.clone(),
            leaves: self.leaves.iter().map(f).collect(),
        }
    }

    /// `f` applied to corresponding leaves of `self` and `leaves` (which
    /// must have as many), keeping `self`'s structure.
    pub fn zip_map(&self, other: &[Array], mut f: impl FnMut(&Array, &Array) -> Array) -> AnyTree {
        assert_eq!(
            self.leaves.len(),
            other.len(),
            "AnyTree::zip_map: leaf counts differ"
        );
        AnyTree {
            def: self.def.clone(),
            leaves: self
                .leaves
                .iter()
                .zip(other)
                .map(|(a, b)| f(a, b))
                .collect(),
        }
    }
}

impl PyTree for AnyTree {
    fn flatten_into(&self, leaves: &mut Vec<Array>) -> TreeDef {
        leaves.extend(self.leaves.iter().cloned());
        self.def.clone()
    }

    fn unflatten_from(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        let taken: Vec<Array> = leaves.take(def.num_leaves()).collect();
        if taken.len() != def.num_leaves() {
            panic!("PyTree::unflatten_from: ran out of leaves while unflattening {def}");
        }
        AnyTree {
            def: def.clone(),
            leaves: taken,
        }
    }
}

/// Prints as Python prints the container, leaves by their `Debug`.
impl fmt::Debug for AnyTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut it = self.leaves.iter();
        self.def.fmt_with_leaves(f, &mut |f| match it.next() {
            Some(x) => write!(f, "{x:?}"),
            None => f.write_str("?"),
        })
    }
}
