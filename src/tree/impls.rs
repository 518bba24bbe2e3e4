//! [`PyTree`] for `Array` and standard containers, mirroring JAX's builtin
//! pytree nodes: tuples, lists (`Vec`, `[T; N]`), `None` (`Option`) and
//! dicts (string-keyed maps, children in sorted key order).

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use super::treedef::{Kind, TreeDef};
use super::PyTree;
use crate::Array;

/// An array is a leaf.
impl PyTree for Array {
    fn flatten_into(&self, leaves: &mut Vec<Array>) -> TreeDef {
        leaves.push(self.clone());
        TreeDef::leaf()
    }

    fn unflatten_from(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        if !def.is_leaf() {
            def.unflatten_mismatch::<Self>("a leaf");
        }
        leaves.next().unwrap_or_else(|| {
            panic!("PyTree::unflatten_from: ran out of leaves while unflattening {def}")
        })
    }
}

/// `()` is the empty tuple: no leaves.
impl PyTree for () {
    fn flatten_into(&self, _leaves: &mut Vec<Array>) -> TreeDef {
        TreeDef::tuple(Vec::new())
    }

    fn unflatten_from(def: &TreeDef, _leaves: &mut dyn Iterator<Item = Array>) -> Self {
        def.expect_children::<Self>(&Kind::Tuple, Some(0));
    }
}

macro_rules! tuple_impls {
    ($( ($($name:ident $idx:tt),+) )+) => {$(
        /// A tuple node: children left to right.
        impl<$($name: PyTree),+> PyTree for ($($name,)+) {
            fn flatten_into(&self, leaves: &mut Vec<Array>) -> TreeDef {
                TreeDef::tuple(vec![$(self.$idx.flatten_into(leaves)),+])
            }

            fn unflatten_from(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Self {
                let arity = [$($idx),+].len();
                let children = def.expect_children::<Self>(&Kind::Tuple, Some(arity));
                ($($name::unflatten_from(&children[$idx], leaves),)+)
            }
        }
    )+};
}

tuple_impls! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11)
}

/// A list node.
impl<T: PyTree> PyTree for Vec<T> {
    fn flatten_into(&self, leaves: &mut Vec<Array>) -> TreeDef {
        TreeDef::list(self.iter().map(|x| x.flatten_into(leaves)).collect())
    }

    fn unflatten_from(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        let children = def.expect_children::<Self>(&Kind::List, None);
        children
            .iter()
            .map(|c| T::unflatten_from(c, leaves))
            .collect()
    }
}

/// A list node of `N` children (the same structure as a `Vec` of length `N`).
impl<T: PyTree, const N: usize> PyTree for [T; N] {
    fn flatten_into(&self, leaves: &mut Vec<Array>) -> TreeDef {
        TreeDef::list(self.iter().map(|x| x.flatten_into(leaves)).collect())
    }

    fn unflatten_from(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        let children = def.expect_children::<Self>(&Kind::List, Some(N));
        let items: Vec<T> = children
            .iter()
            .map(|c| T::unflatten_from(c, leaves))
            .collect();
        match items.try_into() {
            Ok(array) => array,
            Err(_) => unreachable!("expect_children checked the length"),
        }
    }
}

/// `None` is a node with no leaves (JAX's `None`); `Some(x)` is `x`'s tree.
///
/// So a def whose root is `None` always unflattens to `None`, even for
/// `Option<Option<T>>` built from `Some(None)`.
impl<T: PyTree> PyTree for Option<T> {
    fn flatten_into(&self, leaves: &mut Vec<Array>) -> TreeDef {
        match self {
            Some(x) => x.flatten_into(leaves),
            None => TreeDef::none(),
        }
    }

    fn unflatten_from(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        match def.node().kind {
            Kind::None => None,
            _ => Some(T::unflatten_from(def, leaves)),
        }
    }
}

/// Transparent: a box has its contents' tree.
impl<T: PyTree> PyTree for Box<T> {
    fn flatten_into(&self, leaves: &mut Vec<Array>) -> TreeDef {
        (**self).flatten_into(leaves)
    }

    fn unflatten_from(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        Box::new(T::unflatten_from(def, leaves))
    }
}

/// A dict node; keys are already sorted.
impl<T: PyTree> PyTree for BTreeMap<String, T> {
    fn flatten_into(&self, leaves: &mut Vec<Array>) -> TreeDef {
        let keys = self.keys().cloned().collect();
        TreeDef::dict(
            keys,
            self.values().map(|v| v.flatten_into(leaves)).collect(),
        )
    }

    fn unflatten_from(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        let (keys, children) = dict_parts::<Self>(def);
        keys.iter()
            .zip(children)
            .map(|(k, c)| (k.clone(), T::unflatten_from(c, leaves)))
            .collect()
    }
}

/// A dict node; children in sorted key order.
impl<T: PyTree, S: BuildHasher + Default> PyTree for HashMap<String, T, S> {
    fn flatten_into(&self, leaves: &mut Vec<Array>) -> TreeDef {
        let mut entries: Vec<(&String, &T)> = self.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let keys = entries.iter().map(|(k, _)| (*k).clone()).collect();
        let children = entries
            .iter()
            .map(|(_, v)| v.flatten_into(leaves))
            .collect();
        TreeDef::dict(keys, children)
    }

    fn unflatten_from(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        let (keys, children) = dict_parts::<Self>(def);
        keys.iter()
            .zip(children)
            .map(|(k, c)| (k.clone(), T::unflatten_from(c, leaves)))
            .collect()
    }
}

/// The keys and children of a dict def; panics naming `M` otherwise.
fn dict_parts<M>(def: &TreeDef) -> (&[String], &[TreeDef]) {
    match &def.node().kind {
        Kind::Dict(keys) => (keys, def.children()),
        _ => def.unflatten_mismatch::<M>("a dict"),
    }
}
