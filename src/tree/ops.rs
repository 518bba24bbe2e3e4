//! The `jax.tree_util` functions: flatten, unflatten and map over pytrees.

use super::mismatch::assert_same_structure;
use super::{PyTree, TreeDef};
use crate::Array;

/// A tree's leaves in order and its structure (`jax.tree_util.tree_flatten`).
pub fn tree_flatten<T: PyTree>(tree: &T) -> (Vec<Array>, TreeDef) {
    let mut leaves = Vec::new();
    let def = tree.flatten_into(&mut leaves);
    (leaves, def)
}

/// Builds a `T` with structure `def` from `leaves`
/// (`jax.tree_util.tree_unflatten`).
///
/// Panics if the number of leaves is not `def.num_leaves()` or `def` does
/// not describe a `T`.
pub fn tree_unflatten<T: PyTree>(def: &TreeDef, leaves: impl IntoIterator<Item = Array>) -> T {
    let leaves: Vec<Array> = leaves.into_iter().collect();
    let expected = def.num_leaves();
    if leaves.len() != expected {
        let few_many = if leaves.len() < expected {
            "few"
        } else {
            "many"
        };
        panic!(
            "tree_unflatten: too {few_many} leaves for {def}; expected {expected}, got {}",
            leaves.len()
        );
    }
    T::unflatten_from(def, &mut leaves.into_iter())
}

/// A tree's leaves in order (`jax.tree_util.tree_leaves`).
pub fn tree_leaves<T: PyTree>(tree: &T) -> Vec<Array> {
    tree_flatten(tree).0
}

/// A tree's structure (`jax.tree_util.tree_structure`).
pub fn tree_structure<T: PyTree>(tree: &T) -> TreeDef {
    tree_flatten(tree).1
}

/// Applies `f` to every leaf, keeping the structure
/// (`jax.tree_util.tree_map`). Leaves are visited in order.
pub fn tree_map<T: PyTree>(mut f: impl FnMut(&Array) -> Array, tree: &T) -> T {
    let (leaves, def) = tree_flatten(tree);
    T::unflatten_from(&def, &mut leaves.iter().map(&mut f))
}

/// Applies `f` to corresponding leaves of `a` and `b`; the result has `a`'s
/// structure. Panics, naming the first difference, if the structures differ.
pub fn tree_map2<T: PyTree>(mut f: impl FnMut(&Array, &Array) -> Array, a: &T, b: &T) -> T {
    let (la, da) = tree_flatten(a);
    let (lb, db) = tree_flatten(b);
    assert_same_structure("tree_map2", "first tree", &da, "second tree", &db);
    T::unflatten_from(&da, &mut la.iter().zip(&lb).map(|(x, y)| f(x, y)))
}

/// Applies `f` to corresponding leaves of `a`, `b` and `c`; the result has
/// `a`'s structure. Panics, naming the first difference, if the structures
/// differ.
pub fn tree_map3<T: PyTree>(
    mut f: impl FnMut(&Array, &Array, &Array) -> Array,
    a: &T,
    b: &T,
    c: &T,
) -> T {
    let (la, da) = tree_flatten(a);
    let (lb, db) = tree_flatten(b);
    let (lc, dc) = tree_flatten(c);
    assert_same_structure("tree_map3", "first tree", &da, "second tree", &db);
    assert_same_structure("tree_map3", "first tree", &da, "third tree", &dc);
    let mut leaves = la.iter().zip(&lb).zip(&lc).map(|((x, y), z)| f(x, y, z));
    T::unflatten_from(&da, &mut leaves)
}
