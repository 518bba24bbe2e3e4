//! `masked`: apply a transformation to some leaves only (optax's
//! `transforms/_masking.py`).

use std::fmt;
use std::sync::Arc;

use super::any_tree::AnyTree;
use super::base::GradientTransformation;
use super::state::{expect_record, OptState};
use crate::tree::{tree_flatten, KeyPath, PyTree, TreeDef};
use crate::Array;

/// A per-leaf mask function: `f(key_path, leaf) -> keep`.
pub type MaskFn = dyn Fn(&KeyPath, &Array) -> bool + Send + Sync;

/// Which leaves a [`masked`] transformation applies to: a pytree of bools
/// with the params' structure, or a function of each leaf's key path and
/// value (optax's mask pytree or mask callable).
///
/// ```
/// use jaxide::optim::Mask;
/// // Decay only matrices, not biases.
/// let mask = Mask::from_fn(|_path, p| p.ndim() > 1);
/// # let _ = mask;
/// ```
#[derive(Clone)]
pub enum Mask {
    /// One bool per leaf of a tree of this structure.
    Tree(TreeDef, Vec<bool>),
    /// Decides per leaf from its key path and value (called on the updates).
    Fn(Arc<MaskFn>),
}

impl Mask {
    /// A mask from a pytree with the params' structure whose leaves are
    /// concrete boolean scalars (`jnp::array(true)`).
    pub fn tree<P: PyTree>(mask: &P) -> Mask {
        let (leaves, def) = tree_flatten(mask);
        let values = leaves
            .iter()
            .map(|x| {
                if x.dtype() != crate::DType::Bool || x.size() != 1 {
                    panic!(
                        "Mask::tree: mask leaves must be boolean scalars, got {}",
                        x.aval().short()
                    );
                }
                x.reshape(&[]).item::<bool>()
            })
            .collect();
        Mask::Tree(def, values)
    }

    /// A mask from flags in the params' flattened leaf order.
    pub fn leaves(def: TreeDef, values: Vec<bool>) -> Mask {
        assert_eq!(
            def.num_leaves(),
            values.len(),
            "Mask::leaves: one flag per leaf"
        );
        Mask::Tree(def, values)
    }

    /// A mask computed per leaf by `f(path, leaf)`.
    pub fn from_fn(f: impl Fn(&KeyPath, &Array) -> bool + Send + Sync + 'static) -> Mask {
        Mask::Fn(Arc::new(f))
    }

    /// The flags for `tree`'s leaves.
    fn resolve(&self, tree: &AnyTree, who: &str) -> Vec<bool> {
        match self {
            Mask::Tree(def, values) => {
                if def != tree.def() {
                    panic!(
                        "{who}: the mask's structure does not match the tree it masks:\n  \
                         mask: {def}\n  tree: {}",
                        tree.def()
                    );
                }
                values.clone()
            }
            Mask::Fn(f) => tree
                .paths()
                .iter()
                .zip(tree.leaves())
                .map(|(p, x)| f(p, x))
                .collect(),
        }
    }
}

impl fmt::Debug for Mask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mask::Tree(def, v) => write!(f, "Mask::Tree({def}, {v:?})"),
            Mask::Fn(_) => f.write_str("Mask::Fn(..)"),
        }
    }
}

/// optax's `MaskedNode()`: a leaf left out by a mask (a node without leaves).
fn masked_node() -> TreeDef {
    TreeDef::custom::<OptState>("MaskedNode", &[], Vec::new(), Vec::new())
}

/// `def` with the leaves whose flag is false replaced by `MaskedNode()`.
fn mask_def(def: &TreeDef, flags: &mut std::slice::Iter<'_, bool>) -> TreeDef {
    if def.is_leaf() {
        return if *flags.next().expect("one flag per leaf") {
            def.clone()
        } else {
            masked_node()
        };
    }
    if def.num_leaves() == 0 {
        return def.clone();
    }
    let children = def.children().iter().map(|c| mask_def(c, flags)).collect();
    def.with_children(children)
}

/// The tree with masked-out leaves replaced by `MaskedNode()`.
fn mask_tree(tree: &AnyTree, flags: &[bool]) -> AnyTree {
    let def = mask_def(tree.def(), &mut flags.iter());
    let leaves = tree
        .leaves()
        .iter()
        .zip(flags)
        .filter(|(_, &m)| m)
        .map(|(x, _)| x.clone())
        .collect();
    AnyTree::new(def, leaves)
}

/// Applies `inner` only to the leaves selected by `mask`; the others pass
/// through unchanged (optax's `masked`). `inner` sees a tree in which the
/// masked-out leaves are `MaskedNode()`s, so its state holds only the
/// selected leaves; the state is `MaskedState(inner_state)`.
pub fn masked(inner: GradientTransformation, mask: Mask) -> GradientTransformation {
    const WHO: &str = "masked";
    const FIELDS: &[&str] = &["inner_state"];
    let init_inner = inner.clone();
    let init_mask = mask.clone();
    GradientTransformation::new(
        WHO,
        move |p| {
            let flags = init_mask.resolve(p, WHO);
            let inner_state = init_inner.init_any(&mask_tree(p, &flags));
            OptState::named("MaskedState", FIELDS, vec![inner_state])
        },
        move |u, state, p| {
            let f = expect_record(&state, WHO, "MaskedState");
            let flags = mask.resolve(&u, WHO);
            let mu = mask_tree(&u, &flags);
            let mp = p.map(|p| mask_tree(p, &flags));
            let (new_mu, inner_state) = inner.update_any(mu, f[0].clone(), mp.as_ref());
            let mut new_it = new_mu.into_leaves().into_iter();
            let out: Vec<Array> = u
                .leaves()
                .iter()
                .zip(&flags)
                .map(|(old, &m)| {
                    if m {
                        new_it.next().expect("inner returned too few leaves")
                    } else {
                        old.clone()
                    }
                })
                .collect();
            let state = OptState::named("MaskedState", FIELDS, vec![inner_state]);
            (u.with_leaves(out), state)
        },
    )
}
