//! Key paths and the `jax.tree` utilities built on them:
//! `tree_flatten_with_path`, `tree_leaves_with_path`, `tree_map_with_path`,
//! `keystr`, plus `tree_reduce`, `tree_all` and `tree_transpose`.

use super::treedef::{Kind, TreeDef};
use super::{tree_flatten, PyTree};
use crate::Array;
use std::fmt;

/// One step of a key path (JAX's `DictKey`, `SequenceKey`, `GetAttrKey`,
/// `FlattenedIndexKey`). `Display` is the step as `keystr` writes it
/// (`['a']`, `[0]`, `.w`); `Debug` is JAX's repr (`DictKey(key='a')`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum KeyEntry {
    /// A dict entry: `['key']`.
    Dict(String),
    /// A tuple or list element: `[i]`.
    Sequence(usize),
    /// A named field of a user type: `.name`.
    GetAttr(&'static str),
    /// A child of a user type without field names: `[<flat index i>]`.
    FlattenedIndex(usize),
}

impl KeyEntry {
    /// The bare key, as `keystr(simple=True)` writes it: `a`, `0`, `w`.
    pub fn simple(&self) -> String {
        match self {
            KeyEntry::Dict(k) => k.clone(),
            KeyEntry::Sequence(i) | KeyEntry::FlattenedIndex(i) => i.to_string(),
            KeyEntry::GetAttr(n) => n.to_string(),
        }
    }
}

impl fmt::Display for KeyEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyEntry::Dict(k) => write!(f, "[{}]", super::treedef::py_str_repr(k)),
            KeyEntry::Sequence(i) => write!(f, "[{i}]"),
            KeyEntry::GetAttr(n) => write!(f, ".{n}"),
            KeyEntry::FlattenedIndex(i) => write!(f, "[<flat index {i}>]"),
        }
    }
}

impl fmt::Debug for KeyEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyEntry::Dict(k) => write!(f, "DictKey(key={})", super::treedef::py_str_repr(k)),
            KeyEntry::Sequence(i) => write!(f, "SequenceKey(idx={i})"),
            KeyEntry::GetAttr(n) => write!(f, "GetAttrKey(name='{n}')"),
            KeyEntry::FlattenedIndex(i) => write!(f, "FlattenedIndexKey(key={i})"),
        }
    }
}

/// The path from a tree's root to one of its leaves (JAX's `KeyPath`, a
/// tuple of keys). `Display` is `keystr(path)`, e.g. `['b'][1]['c']`;
/// `Debug` is the tuple, e.g. `(DictKey(key='b'), SequenceKey(idx=1))`.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct KeyPath(pub Vec<KeyEntry>);

impl KeyPath {
    /// The steps, root first.
    pub fn entries(&self) -> &[KeyEntry] {
        &self.0
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|k| write!(f, "{k}"))
    }
}

impl fmt::Debug for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, k) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{k:?}")?;
        }
        f.write_str(if self.0.len() == 1 { ",)" } else { ")" })
    }
}

/// The path as a string (`jax.tree_util.keystr`): `['a'][0].w`.
pub fn keystr(path: &KeyPath) -> String {
    path.to_string()
}

/// `keystr(path, simple=True, separator=sep)`: the bare keys joined by
/// `separator`, e.g. `a/0/w`.
pub fn keystr_simple(path: &KeyPath, separator: &str) -> String {
    path.0
        .iter()
        .map(KeyEntry::simple)
        .collect::<Vec<_>>()
        .join(separator)
}

/// The key paths of `def`'s leaves, in leaf order.
pub fn leaf_paths(def: &TreeDef) -> Vec<KeyPath> {
    fn walk(def: &TreeDef, prefix: &mut Vec<KeyEntry>, out: &mut Vec<KeyPath>) {
        let node = def.node();
        let children = def.children();
        match &node.kind {
            Kind::Leaf => out.push(KeyPath(prefix.clone())),
            Kind::None => {}
            Kind::Tuple | Kind::List => {
                for (i, c) in children.iter().enumerate() {
                    prefix.push(KeyEntry::Sequence(i));
                    walk(c, prefix, out);
                    prefix.pop();
                }
            }
            Kind::Dict(keys) => {
                for (k, c) in keys.iter().zip(children) {
                    prefix.push(KeyEntry::Dict(k.clone()));
                    walk(c, prefix, out);
                    prefix.pop();
                }
            }
            Kind::Custom(node) => {
                for (i, c) in children.iter().enumerate() {
                    let key = match node.fields.get(i) {
                        Some(name) if name.parse::<usize>().is_err() => KeyEntry::GetAttr(name),
                        _ => KeyEntry::FlattenedIndex(i),
                    };
                    prefix.push(key);
                    walk(c, prefix, out);
                    prefix.pop();
                }
            }
        }
    }
    let mut out = Vec::with_capacity(def.num_leaves());
    walk(def, &mut Vec::new(), &mut out);
    out
}

/// Each leaf with its key path, and the structure
/// (`jax.tree_util.tree_flatten_with_path`).
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::tree::{keystr, tree_flatten_with_path};
/// let t = (jnp::array([1.0f32]), vec![jnp::array([2.0f32]), jnp::array([3.0f32])]);
/// let (leaves, def) = tree_flatten_with_path(&t);
/// assert_eq!(keystr(&leaves[2].0), "[1][1]");
/// assert_eq!(format!("{:?}", leaves[0].0), "(SequenceKey(idx=0),)");
/// assert_eq!(def.to_string(), "PyTreeDef((*, [*, *]))");
/// ```
pub fn tree_flatten_with_path<T: PyTree>(tree: &T) -> (Vec<(KeyPath, Array)>, TreeDef) {
    let (leaves, def) = tree_flatten(tree);
    (leaf_paths(&def).into_iter().zip(leaves).collect(), def)
}

/// Each leaf with its key path (`jax.tree_util.tree_leaves_with_path`).
pub fn tree_leaves_with_path<T: PyTree>(tree: &T) -> Vec<(KeyPath, Array)> {
    tree_flatten_with_path(tree).0
}

/// Applies `f(path, leaf)` to every leaf, keeping the structure
/// (`jax.tree_util.tree_map_with_path`).
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::tree::tree_map_with_path;
/// let t = (jnp::array([1.0f32]), jnp::array([2.0f32]));
/// // Scale all but the first leaf.
/// let out = tree_map_with_path(|p, x| if p.to_string() == "[0]" { x.clone() } else { x * 10.0 }, &t);
/// assert_eq!(out.1.to_vec::<f32>(), vec![20.0]);
/// ```
pub fn tree_map_with_path<T: PyTree>(mut f: impl FnMut(&KeyPath, &Array) -> Array, tree: &T) -> T {
    let (leaves, def) = tree_flatten(tree);
    let paths = leaf_paths(&def);
    T::unflatten_from(&def, &mut paths.iter().zip(&leaves).map(|(p, x)| f(p, x)))
}

/// Folds `f` over the leaves from the left, starting at `initializer`
/// (`jax.tree_util.tree_reduce(f, tree, initializer)`).
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::tree::tree_reduce;
/// let t = vec![jnp::array([1.0f32, 2.0]), jnp::array([3.0f32])];
/// let total = tree_reduce(|acc: f32, x| acc + x.sum().item::<f32>(), &t, 0.0);
/// assert_eq!(total, 6.0);
/// ```
pub fn tree_reduce<T: PyTree, A>(f: impl FnMut(A, &Array) -> A, tree: &T, initializer: A) -> A {
    tree_flatten(tree).0.iter().fold(initializer, f)
}

/// Folds `f` over the leaves from the left, starting with the first leaf
/// (`jax.tree_util.tree_reduce(f, tree)` without an initializer). Panics
/// with Python's message for a tree without leaves.
pub fn tree_reduce_leaves<T: PyTree>(f: impl FnMut(Array, &Array) -> Array, tree: &T) -> Array {
    let leaves = tree_flatten(tree).0;
    let mut it = leaves.iter();
    let Some(first) = it.next() else {
        panic!("TypeError: reduce() of empty iterable with no initial value");
    };
    it.fold(first.clone(), f)
}

/// Whether every leaf is true (`jax.tree_util.tree_all`); `true` for a tree
/// without leaves. Each leaf must have one element (Python's `bool` of an
/// array); a larger leaf panics with NumPy's message.
pub fn tree_all<T: PyTree>(tree: &T) -> bool {
    tree_flatten(tree).0.iter().all(|x| {
        if x.size() != 1 {
            panic!(
                "ValueError: The truth value of an array with more than one element is \
                 ambiguous. Use a.any() or a.all()"
            );
        }
        crate::numpy::astype(x, crate::DType::Bool).to_vec::<bool>()[0]
    })
}

impl TreeDef {
    /// This structure with every leaf replaced by `inner`
    /// (`PyTreeDef.compose`).
    pub fn compose(&self, inner: &TreeDef) -> TreeDef {
        if self.is_leaf() {
            return inner.clone();
        }
        let children = self.children().iter().map(|c| c.compose(inner)).collect();
        self.with_children(children)
    }
}

/// The subtree of `full` at the position of `outer`'s first leaf.
fn first_inner(outer: &TreeDef, full: &TreeDef) -> Option<TreeDef> {
    if outer.is_leaf() {
        return Some(full.clone());
    }
    outer
        .children()
        .iter()
        .zip(full.children())
        .find(|(o, _)| o.num_leaves() > 0)
        .and_then(|(o, f)| first_inner(o, f))
}

/// Turns a tree of structure `outer ∘ inner` into one of structure
/// `inner ∘ outer` (`jax.tree_util.tree_transpose`). With `inner = None`,
/// it is read from the first subtree at an `outer` leaf. As in JAX, only
/// the leaf count is checked (`TypeError: Mismatch ...` otherwise).
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::tree::tree_transpose;
/// let pairs = vec![(jnp::array([1.0f32]), jnp::array([2.0f32])), (jnp::array([3.0f32]), jnp::array([4.0f32]))];
/// let outer = tree_structure(&vec![jnp::array([0.0f32]); 2]);
/// let (firsts, seconds): (Vec<Array>, Vec<Array>) = tree_transpose(&outer, None, &pairs);
/// assert_eq!(seconds[1].to_vec::<f32>(), vec![4.0]);
/// ```
pub fn tree_transpose<T: PyTree, U: PyTree>(
    outer: &TreeDef,
    inner: Option<&TreeDef>,
    tree: &T,
) -> U {
    let (leaves, def) = tree_flatten(tree);
    let inner = match inner {
        Some(i) => i.clone(),
        None => first_inner(outer, &def).unwrap_or_else(|| {
            panic!("TypeError: tree_transpose: cannot infer the inner structure of {def} from the outer structure {outer}; pass it explicitly.")
        }),
    };
    let (no, ni) = (outer.num_leaves(), inner.num_leaves());
    if leaves.len() != no * ni {
        panic!(
            "TypeError: Mismatch\n{def}\n != \n{}",
            outer.compose(&inner)
        );
    }
    let transposed = (0..ni).flat_map(|j| (0..no).map(move |i| i * ni + j));
    let out: Vec<Array> = transposed.map(|k| leaves[k].clone()).collect();
    super::tree_unflatten(&inner.compose(outer), out)
}
