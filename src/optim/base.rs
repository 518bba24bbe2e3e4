//! [`GradientTransformation`], `chain`, `identity` and `apply_updates`
//! (optax's `base.py`, `combine.py`, `update.py`).

use std::fmt;
use std::sync::Arc;

use super::any_tree::AnyTree;
use super::state::OptState;
use crate::numpy as jnp;
use crate::tree::{tree_flatten, tree_unflatten, PyTree};
use crate::Array;

type InitFn = dyn Fn(&AnyTree) -> OptState + Send + Sync;
type UpdateFn = dyn Fn(AnyTree, OptState, Option<&AnyTree>) -> (AnyTree, OptState) + Send + Sync;

/// A pair of pure functions, `init` and `update` (optax's
/// `GradientTransformation`). Cheap to clone, `Send + Sync`, so it can be
/// captured by a jitted train step.
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::optim;
/// let params = (jnp::array([1.0f32, 2.0]), jnp::array(0.5f32));
/// let tx = optim::adam(0.1);
/// let state = tx.init(&params);
/// let grads = (jnp::array([0.5f32, -0.5]), jnp::array(1.0f32));
/// let (updates, state) = tx.update(&grads, state, Some(&params));
/// let params = optim::apply_updates(&params, &updates);
/// // optax gives the same bits (the f32 bias correction is not exactly 1e-3).
/// assert_eq!(params.0.to_vec::<f32>(), vec![0.9000007, 2.0999994]);
/// assert_eq!(state.get(0).field("count").item().item::<i32>(), 1);
/// ```
#[derive(Clone)]
pub struct GradientTransformation {
    name: &'static str,
    init: Arc<InitFn>,
    update: Arc<UpdateFn>,
}

impl GradientTransformation {
    /// A transformation from its two functions over type-erased trees
    /// (optax's `GradientTransformation(init_fn, update_fn)`). `name` is
    /// shown by `Debug`.
    pub fn new(
        name: &'static str,
        init: impl Fn(&AnyTree) -> OptState + Send + Sync + 'static,
        update: impl Fn(AnyTree, OptState, Option<&AnyTree>) -> (AnyTree, OptState)
            + Send
            + Sync
            + 'static,
    ) -> GradientTransformation {
        GradientTransformation {
            name,
            init: Arc::new(init),
            update: Arc::new(update),
        }
    }

    /// The initial state for `params`.
    pub fn init<P: PyTree>(&self, params: &P) -> OptState {
        (self.init)(&AnyTree::from_tree(params))
    }

    /// Transforms `updates` (usually gradients) given the previous `state`
    /// and, for transformations that need them, the current `params`.
    /// Returns the new updates (same structure) and the new state.
    ///
    /// Panics if `state` was not made by this transformation for params of
    /// this structure and these shapes, naming the first mismatching leaf.
    pub fn update<P: PyTree>(
        &self,
        updates: &P,
        state: OptState,
        params: Option<&P>,
    ) -> (P, OptState) {
        let u = AnyTree::from_tree(updates);
        let p = params.map(AnyTree::from_tree);
        if let Some(p) = &p {
            if p.def() != u.def() {
                panic!(
                    "{}: updates and params have different structures:\n  updates: {}\n  params:  {}",
                    self.name,
                    u.def(),
                    p.def()
                );
            }
        }
        let (new_u, state) = (self.update)(u, state, p.as_ref());
        (new_u.into_tree(), state)
    }

    /// `init` on a type-erased tree (for writing combinators).
    pub fn init_any(&self, params: &AnyTree) -> OptState {
        (self.init)(params)
    }

    /// `update` on type-erased trees (for writing combinators).
    pub fn update_any(
        &self,
        updates: AnyTree,
        state: OptState,
        params: Option<&AnyTree>,
    ) -> (AnyTree, OptState) {
        (self.update)(updates, state, params)
    }

    /// The name given at construction.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl fmt::Debug for GradientTransformation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GradientTransformation({})", self.name)
    }
}

/// The transformation that leaves updates unchanged; state `EmptyState()`
/// (optax's `identity`).
pub fn identity() -> GradientTransformation {
    stateless("identity", |u, _| u)
}

/// A transformation with state `EmptyState()` whose update is `f(updates, params)`.
pub(crate) fn stateless(
    name: &'static str,
    f: impl Fn(AnyTree, Option<&AnyTree>) -> AnyTree + Send + Sync + 'static,
) -> GradientTransformation {
    GradientTransformation::new(
        name,
        |_| OptState::empty(),
        move |u, s, p| {
            super::state::expect_record(&s, name, "EmptyState");
            (f(u, p), s)
        },
    )
}

/// Applies `transforms` in order, threading the updates through them; the
/// state is the tuple of their states (optax's `chain`; see also
/// [`chain!`](crate::chain)).
pub fn chain(transforms: Vec<GradientTransformation>) -> GradientTransformation {
    let inits = transforms.clone();
    GradientTransformation::new(
        "chain",
        move |p| OptState::tuple(inits.iter().map(|t| t.init_any(p)).collect()),
        move |mut u, state, p| {
            let n = transforms.len();
            if !state.def().is_tuple() || state.def().children().len() != n {
                panic!(
                    "ValueError: The number of updates and states has to be the same in chain! \
                     Make sure you have called init first! (a chain of {n} transformations got \
                     the state {})",
                    state.def()
                );
            }
            let mut new_states = Vec::with_capacity(n);
            for (t, s) in transforms.iter().zip(state.children()) {
                let (nu, ns) = t.update_any(u, s, p);
                u = nu;
                new_states.push(ns);
            }
            (u, OptState::tuple(new_states))
        },
    )
}

/// `chain!(a, b, c)` is `chain(vec![a, b, c])`.
#[macro_export]
macro_rules! chain {
    ($($t:expr),* $(,)?) => {
        $crate::optim::chain(vec![$($t),*])
    };
}

/// `params + updates`, each leaf cast back to its param's dtype (optax's
/// `apply_updates`). Panics if the structures differ.
pub fn apply_updates<P: PyTree>(params: &P, updates: &P) -> P {
    let (pl, pd) = tree_flatten(params);
    let (ul, ud) = tree_flatten(updates);
    if pd != ud {
        panic!(
            "apply_updates: params and updates have different structures:\n  params:  {pd}\n  updates: {ud}"
        );
    }
    let out = pl
        .iter()
        .zip(&ul)
        .map(|(p, u)| jnp::astype(&(p + u), p.dtype()));
    tree_unflatten(&pd, out.collect::<Vec<Array>>())
}
