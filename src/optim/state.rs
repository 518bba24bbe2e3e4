//! [`OptState`]: the state of a gradient transformation, a pytree whose
//! nodes mirror optax's `NamedTuple` states.

use std::fmt;

use super::any_tree::AnyTree;
use crate::tree::{leaf_paths, PyTree, TreeDef};
use crate::Array;

/// The state of a [`GradientTransformation`](super::GradientTransformation).
///
/// A pytree whose nodes mirror optax's states: named records such as
/// `ScaleByAdamState(count, mu, nu)` or `EmptyState()` are custom nodes
/// with those field names, `chain`'s state is a tuple, counts are int32
/// scalars, and moments have the params' structure. So
/// `tree_flatten_with_path(&state)` gives key paths like `[0].mu['w']`, the
/// whole state passes through `jit`, and `Debug` prints it as optax's repr
/// (`(ScaleByAdamState(count=Array(0, dtype=int32), mu={...}, ...), EmptyState())`).
///
/// It is stored flat (a [`TreeDef`] and the leaves), so cloning copies
/// array handles only.
#[derive(Clone)]
pub struct OptState {
    def: TreeDef,
    leaves: Vec<Array>,
}

impl OptState {
    /// optax's `EmptyState()`: a record without fields.
    pub fn empty() -> OptState {
        OptState::named("EmptyState", &[], Vec::new())
    }

    /// A named record (optax's `NamedTuple` states) with one state per field.
    pub fn named(
        name: &'static str,
        fields: &'static [&'static str],
        values: Vec<OptState>,
    ) -> OptState {
        assert_eq!(
            fields.len(),
            values.len(),
            "OptState::named({name}): one value per field"
        );
        let (defs, leaves) = split_parts(values);
        OptState {
            def: TreeDef::custom::<OptState>(name, fields, Vec::new(), defs),
            leaves,
        }
    }

    /// A tuple of states (`chain`'s state).
    pub fn tuple(states: Vec<OptState>) -> OptState {
        let (defs, leaves) = split_parts(states);
        OptState {
            def: TreeDef::tuple(defs),
            leaves,
        }
    }

    /// A single array (a step count, a flag).
    pub fn array(x: Array) -> OptState {
        OptState {
            def: TreeDef::leaf(),
            leaves: vec![x],
        }
    }

    /// Arrays in some tree structure (moments shaped like the params).
    pub fn tree(tree: AnyTree) -> OptState {
        OptState {
            def: tree.def().clone(),
            leaves: tree.into_leaves(),
        }
    }

    /// The structure.
    pub fn def(&self) -> &TreeDef {
        &self.def
    }

    /// The leaves, in order.
    pub fn leaves(&self) -> &[Array] {
        &self.leaves
    }

    /// This state as a type-erased tree.
    pub fn to_tree(&self) -> AnyTree {
        AnyTree::new(self.def.clone(), self.leaves.clone())
    }

    /// The record name (`"ScaleByAdamState"`) of a named state; `None` for
    /// a tuple or arrays.
    pub fn name(&self) -> Option<&'static str> {
        self.def.custom_name::<OptState>().map(|(n, _)| n)
    }

    /// The field names of a named state (empty otherwise).
    pub fn fields(&self) -> &'static [&'static str] {
        self.def.custom_name::<OptState>().map_or(&[], |(_, f)| f)
    }

    /// The direct sub-states: a record's fields or a tuple's elements, in order.
    pub fn children(&self) -> Vec<OptState> {
        let mut rest = self.leaves.as_slice();
        self.def
            .children()
            .iter()
            .map(|d| {
                let (now, later) = rest.split_at(d.num_leaves());
                rest = later;
                OptState {
                    def: d.clone(),
                    leaves: now.to_vec(),
                }
            })
            .collect()
    }

    /// The field `name` of a named state (optax's `state.mu`); panics if
    /// there is none.
    pub fn field(&self, name: &str) -> OptState {
        match self.fields().iter().position(|f| *f == name) {
            Some(i) => self.children().swap_remove(i),
            None => panic!(
                "AttributeError: optimizer state {} has no field '{name}'",
                self.def
            ),
        }
    }

    /// Element `i` of a tuple state (optax's `state[i]`); panics if out of range.
    pub fn get(&self, i: usize) -> OptState {
        let mut c = self.children();
        if i >= c.len() {
            panic!(
                "IndexError: tuple index {i} out of range for optimizer state {}",
                self.def
            );
        }
        c.swap_remove(i)
    }

    /// The array of a single-leaf state (a count); panics otherwise.
    pub fn item(&self) -> &Array {
        match (self.def.is_leaf(), self.leaves.first()) {
            (true, Some(x)) => x,
            _ => panic!("OptState::item: {} is not a single array", self.def),
        }
    }
}

fn split_parts(states: Vec<OptState>) -> (Vec<TreeDef>, Vec<Array>) {
    let mut defs = Vec::with_capacity(states.len());
    let mut leaves = Vec::new();
    for s in states {
        defs.push(s.def);
        leaves.extend(s.leaves);
    }
    (defs, leaves)
}

impl PyTree for OptState {
    fn flatten_into(&self, leaves: &mut Vec<Array>) -> TreeDef {
        leaves.extend(self.leaves.iter().cloned());
        self.def.clone()
    }

    fn unflatten_from(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        let tree = AnyTree::unflatten_from(def, leaves);
        OptState::tree(tree)
    }
}

/// optax's repr: `(ScaleByAdamState(count=Array(1, dtype=int32), mu={...}), EmptyState())`.
impl fmt::Debug for OptState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_tree(), f)
    }
}

// ---- checks used by the transformations -------------------------------

/// The fields of `state`, which must be the record `name`; otherwise panics
/// naming the transformation `who`.
pub(crate) fn expect_record(state: &OptState, who: &str, name: &str) -> Vec<OptState> {
    if state.name() != Some(name) {
        panic!(
            "{who}: expected its optimizer state {name}, got {}. Pass the state that this \
             transformation's `init` (or its previous `update`) returned.",
            state.def
        );
    }
    state.children()
}

/// The count of a record field: an int32 scalar.
pub(crate) fn expect_count(field: &OptState, who: &str, name: &str) -> Array {
    let ok = field.def.is_leaf() && field.leaves[0].ndim() == 0;
    if !ok {
        panic!(
            "{who}: the optimizer state field `{name}` must be a scalar count, got {:?}",
            field
        );
    }
    field.leaves[0].clone()
}

/// The leaves of a state field that has the updates' structure, checking
/// structure and shapes; panics naming the first mismatching leaf.
pub(crate) fn expect_like(
    field: &OptState,
    updates: &AnyTree,
    who: &str,
    name: &str,
) -> Vec<Array> {
    if field.def != *updates.def() {
        let sp = leaf_paths(&field.def);
        let up = updates.paths();
        let first = sp
            .iter()
            .zip(&up)
            .position(|(a, b)| a != b)
            .unwrap_or(sp.len().min(up.len()));
        let describe = |paths: &[crate::tree::KeyPath], i: usize| {
            paths
                .get(i)
                .map_or("no leaf".to_string(), |p| format!("leaf `{p}`"))
        };
        panic!(
            "{who}: the optimizer state does not match the updates: the first mismatching leaf \
             is #{first}: the state's `{name}` has {} where the updates have {}.\n  \
             state `{name}`: {}\n  updates:{} {}\n\
             Re-create the state with `init` on the current parameters.",
            describe(&sp, first),
            describe(&up, first),
            field.def,
            " ".repeat(name.len() + 2),
            updates.def()
        );
    }
    for (i, (s, u)) in field.leaves.iter().zip(updates.leaves()).enumerate() {
        if s.shape() != u.shape() {
            let path = &updates.paths()[i];
            panic!(
                "{who}: the optimizer state does not match the updates: the first mismatching \
                 leaf is `{name}{path}`, of shape {} where the update `{path}` has shape {}. \
                 Re-create the state with `init` on the current parameters.",
                s.aval().short(),
                u.aval().short()
            );
        }
    }
    field.leaves.clone()
}
