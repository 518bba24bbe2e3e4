//! [`TreeDef`]: the structure of a pytree with its leaves taken out.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use super::static_value::{StaticData, StaticValue};

/// The structure of a pytree: its nodes and static data, without leaves
/// (JAX's `PyTreeDef`). Cheap to clone; prints like JAX, e.g.
/// `PyTreeDef((*, [*, None], {'a': *}))`.
#[derive(Clone)]
pub struct TreeDef(Arc<Node>);

#[derive(PartialEq, Eq, Hash)]
pub(crate) struct Node {
    pub(crate) kind: Kind,
    pub(crate) children: Vec<TreeDef>,
    num_leaves: usize,
    num_nodes: usize,
}

/// What kind of node a [`TreeDef`] is.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// An `Array`: `*`.
    Leaf,
    /// `Option::None`: `None`.
    None,
    /// A tuple (`()` is the empty tuple).
    Tuple,
    /// A `Vec` or fixed-size array, like a Python list.
    List,
    /// A string-keyed map, like a Python dict; keys sorted.
    Dict(Vec<String>),
    /// A user type (`#[derive(PyTree)]`).
    Custom(CustomNode),
}

/// A user type's node data.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct CustomNode {
    /// `std::any::type_name` of the type: its identity.
    pub(crate) type_name: &'static str,
    /// The short name printed in `CustomNode(Name[...], ...)`.
    pub(crate) name: &'static str,
    /// Labels of the children (field names or tuple indices), for key paths.
    pub(crate) fields: &'static [&'static str],
    pub(crate) statics: Vec<StaticData>,
}

impl TreeDef {
    fn new(kind: Kind, children: Vec<TreeDef>) -> TreeDef {
        let own_leaf = usize::from(kind == Kind::Leaf);
        let num_leaves = own_leaf + children.iter().map(TreeDef::num_leaves).sum::<usize>();
        let num_nodes = 1 + children.iter().map(TreeDef::num_nodes).sum::<usize>();
        TreeDef(Arc::new(Node {
            kind,
            children,
            num_leaves,
            num_nodes,
        }))
    }

    /// A node of the same kind (and static data) with other children.
    pub(crate) fn with_children(&self, children: Vec<TreeDef>) -> TreeDef {
        TreeDef::new(self.0.kind.clone(), children)
    }

    /// A single leaf, `*`.
    pub(crate) fn leaf() -> TreeDef {
        static LEAF: OnceLock<TreeDef> = OnceLock::new();
        LEAF.get_or_init(|| TreeDef::new(Kind::Leaf, Vec::new()))
            .clone()
    }

    /// `None`: no leaves.
    pub(crate) fn none() -> TreeDef {
        static NONE: OnceLock<TreeDef> = OnceLock::new();
        NONE.get_or_init(|| TreeDef::new(Kind::None, Vec::new()))
            .clone()
    }

    /// A tuple of `children`.
    pub(crate) fn tuple(children: Vec<TreeDef>) -> TreeDef {
        TreeDef::new(Kind::Tuple, children)
    }

    /// A list of `children`.
    pub(crate) fn list(children: Vec<TreeDef>) -> TreeDef {
        TreeDef::new(Kind::List, children)
    }

    /// A dict; `keys` must be sorted and match `children` one to one.
    pub(crate) fn dict(keys: Vec<String>, children: Vec<TreeDef>) -> TreeDef {
        debug_assert!(keys.windows(2).all(|w| w[0] < w[1]) && keys.len() == children.len());
        TreeDef::new(Kind::Dict(keys), children)
    }

    /// A custom node for the type `T`, for `#[derive(PyTree)]` and
    /// hand-written [`PyTree`](super::PyTree) impls.
    ///
    /// `name` is printed (`CustomNode(name[statics], [children])`), `fields`
    /// labels the children in key paths (one per child), and `statics` is
    /// static data compared by value. Node identity is
    /// `std::any::type_name::<T>()`.
    pub fn custom<T: ?Sized>(
        name: &'static str,
        fields: &'static [&'static str],
        statics: Vec<Arc<dyn StaticValue>>,
        children: Vec<TreeDef>,
    ) -> TreeDef {
        assert_eq!(
            fields.len(),
            children.len(),
            "TreeDef::custom: one field label per child"
        );
        let node = CustomNode {
            type_name: std::any::type_name::<T>(),
            name,
            fields,
            statics: statics.into_iter().map(StaticData).collect(),
        };
        TreeDef::new(Kind::Custom(node), children)
    }

    /// The children and static data of a custom node built by
    /// [`TreeDef::custom::<T>`](TreeDef::custom).
    ///
    /// Panics, naming `T` and this def, if it is not such a node.
    pub fn custom_parts<T: ?Sized>(&self) -> (&[TreeDef], Vec<Arc<dyn StaticValue>>) {
        match &self.0.kind {
            Kind::Custom(c) if c.type_name == std::any::type_name::<T>() => {
                let statics = c.statics.iter().map(|s| s.0.clone()).collect();
                (&self.0.children, statics)
            }
            _ => self.unflatten_mismatch::<T>("a custom node of this type"),
        }
    }

    /// The name and child labels of a custom node built by
    /// [`TreeDef::custom::<T>`](TreeDef::custom); `None` for any other node.
    pub fn custom_name<T: ?Sized>(&self) -> Option<(&'static str, &'static [&'static str])> {
        match &self.0.kind {
            Kind::Custom(c) if c.type_name == std::any::type_name::<T>() => {
                Some((c.name, c.fields))
            }
            _ => None,
        }
    }

    /// Whether this node is a tuple (`()` included).
    pub fn is_tuple(&self) -> bool {
        self.0.kind == Kind::Tuple
    }

    /// Whether this def is a custom node built by
    /// [`TreeDef::custom::<T>`](TreeDef::custom): lets a hand-written
    /// `PyTree` for an enum pick the variant to unflatten.
    pub fn is_custom<T: ?Sized>(&self) -> bool {
        matches!(&self.0.kind, Kind::Custom(c) if c.type_name == std::any::type_name::<T>())
    }

    /// Panics: this def cannot be unflattened into `T`, which expects `what`.
    pub(crate) fn unflatten_mismatch<T: ?Sized>(&self, what: &str) -> ! {
        panic!(
            "cannot unflatten {self} into `{}`: expected {what}, found {}",
            std::any::type_name::<T>(),
            self.describe()
        )
    }

    /// The children of a node of `kind` with `arity` children (any if
    /// `None`); otherwise panics naming `T`.
    pub(crate) fn expect_children<T: ?Sized>(
        &self,
        kind: &Kind,
        arity: Option<usize>,
    ) -> &[TreeDef] {
        let n = self.0.children.len();
        if self.0.kind == *kind && arity.is_none_or(|a| a == n) {
            return &self.0.children;
        }
        let what = match (kind, arity) {
            (Kind::Tuple, Some(a)) => format!("a tuple of {a} children"),
            (Kind::List, Some(a)) => format!("a list of {a} children"),
            (Kind::List, None) => "a list".to_string(),
            (Kind::Leaf, _) => "a leaf".to_string(),
            (Kind::Dict(_), _) => "a dict".to_string(),
            _ => "a different node".to_string(),
        };
        self.unflatten_mismatch::<T>(&what)
    }

    pub(crate) fn node(&self) -> &Node {
        &self.0
    }

    /// The number of leaves (arrays) in the tree.
    pub fn num_leaves(&self) -> usize {
        self.0.num_leaves
    }

    /// The number of nodes, leaves and `None`s included (JAX's `num_nodes`).
    pub fn num_nodes(&self) -> usize {
        self.0.num_nodes
    }

    /// Whether the tree is a single leaf.
    pub fn is_leaf(&self) -> bool {
        self.0.kind == Kind::Leaf
    }

    /// The direct subtrees (empty for a leaf or `None`).
    pub fn children(&self) -> &[TreeDef] {
        &self.0.children
    }

    /// A short description of this node for error messages, e.g.
    /// "a tuple of 3 children".
    pub(crate) fn describe(&self) -> String {
        let n = self.0.children.len();
        match &self.0.kind {
            Kind::Leaf => "a leaf".to_string(),
            Kind::None => "None".to_string(),
            Kind::Tuple => format!("a tuple of {n} children"),
            Kind::List => format!("a list of {n} children"),
            Kind::Dict(_) => format!("a dict of {n} children"),
            Kind::Custom(c) => format!("a custom node of type `{}`", c.type_name),
        }
    }

    /// Writes the structure without the `PyTreeDef(...)` wrapper.
    pub(crate) fn fmt_inner(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_tree(f, &mut |f| f.write_str("*"), false)
    }

    /// Writes the tree as Python prints the container, with `leaf` writing
    /// each leaf in order: `(a, [b, None], {'k': c})`; a user type prints as
    /// `Name(field=a, ...)`.
    pub fn fmt_with_leaves(
        &self,
        f: &mut fmt::Formatter<'_>,
        leaf: &mut dyn FnMut(&mut fmt::Formatter<'_>) -> fmt::Result,
    ) -> fmt::Result {
        self.fmt_tree(f, leaf, true)
    }

    /// The writer behind [`TreeDef::fmt_inner`] and
    /// [`TreeDef::fmt_with_leaves`]: user types print as values
    /// (`Name(field=..)`) or as JAX's `CustomNode(Name[statics], [..])`.
    fn fmt_tree(
        &self,
        f: &mut fmt::Formatter<'_>,
        leaf: &mut dyn FnMut(&mut fmt::Formatter<'_>) -> fmt::Result,
        custom_as_value: bool,
    ) -> fmt::Result {
        let children = &self.0.children;
        let mut seq =
            |f: &mut fmt::Formatter<'_>, label: &dyn Fn(usize) -> Option<String>| -> fmt::Result {
                for (i, c) in children.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    if let Some(l) = label(i) {
                        f.write_str(&l)?;
                    }
                    c.fmt_tree(f, leaf, custom_as_value)?;
                }
                Ok(())
            };
        match &self.0.kind {
            Kind::Leaf => leaf(f),
            Kind::None => f.write_str("None"),
            Kind::Tuple => {
                f.write_str("(")?;
                seq(f, &|_| None)?;
                f.write_str(if children.len() == 1 { ",)" } else { ")" })
            }
            Kind::List => {
                f.write_str("[")?;
                seq(f, &|_| None)?;
                f.write_str("]")
            }
            Kind::Dict(keys) => {
                f.write_str("{")?;
                seq(f, &|i| Some(format!("{}: ", py_str_repr(&keys[i]))))?;
                f.write_str("}")
            }
            Kind::Custom(c) if custom_as_value => {
                write!(f, "{}(", c.name)?;
                seq(f, &|i| c.fields.get(i).map(|n| format!("{n}=")))?;
                f.write_str(")")
            }
            Kind::Custom(c) => {
                write!(f, "CustomNode({}[{}], [", c.name, StaticsTuple(&c.statics))?;
                seq(f, &|_| None)?;
                f.write_str("])")
            }
        }
    }

    /// The structure without the `PyTreeDef(...)` wrapper, as a string.
    pub(crate) fn inner_string(&self) -> String {
        struct Inner<'a>(&'a TreeDef);
        impl fmt::Display for Inner<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt_inner(f)
            }
        }
        Inner(self).to_string()
    }
}

/// Static data printed as a Python tuple of `Debug` strings: `()`,
/// `("lin",)`, `(1, true)`.
pub(crate) struct StaticsTuple<'a>(pub(crate) &'a [StaticData]);

impl fmt::Display for StaticsTuple<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{s:?}")?;
        }
        f.write_str(if self.0.len() == 1 { ",)" } else { ")" })
    }
}

/// A string as Python's `repr` prints it: single quotes unless the string
/// holds a single quote and no double quote.
pub(crate) fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

impl PartialEq for TreeDef {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl Eq for TreeDef {}

impl Hash for TreeDef {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl fmt::Display for TreeDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PyTreeDef(")?;
        self.fmt_inner(f)?;
        f.write_str(")")
    }
}

impl fmt::Debug for TreeDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
