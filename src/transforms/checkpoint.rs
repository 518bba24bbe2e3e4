//! `checkpoint` / `remat`: reverse mode stores only what a policy allows
//! (by default just the inputs) and recomputes the rest in the backward
//! pass, trading compute for memory as `jax.checkpoint` does.
//!
//! How: under reverse mode the function is traced once to a jaxpr, run
//! forward while keeping the inputs and the values the policy saves, and
//! the backward pass replays the jaxpr from those residuals under `vjp`.
//! A saved value is not recomputed on replay: it enters as a constant whose
//! tangent is still computed (from the recomputed inputs of its bilinear
//! primitive), so gradients are exact. Forward mode differentiates the
//! function directly, and without differentiation it simply runs.

use crate::core::array::Array;
use crate::core::jaxpr::{Atom, ClosedJaxpr, JaxprEqn};
use crate::core::trace::{bind, bind1, bind_custom_vjp, CustomVjpCall};
use crate::interpreters::ad::vjp_flat;
use crate::interpreters::staging::trace_to_jaxpr;
use crate::lax::Primitive;
use crate::tree::{tree_flatten, tree_unflatten, PyTree, TreeDef};
use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

/// Which intermediate values reverse mode may keep (`jax.checkpoint_policies`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CheckpointPolicy {
    /// Keep nothing but the inputs; recompute everything (the default,
    /// `nothing_saveable`).
    #[default]
    NothingSaveable,
    /// Keep everything, as without `checkpoint` (`everything_saveable`).
    EverythingSaveable,
    /// Keep the results of matrix products (`dots_saveable`, also
    /// `checkpoint_dots`).
    DotsSaveable,
    /// Keep the results of matrix products without batch dimensions
    /// (`dots_with_no_batch_dims_saveable`).
    DotsWithNoBatchDimsSaveable,
    /// Keep only values tagged by [`checkpoint_name`](crate::lax::checkpoint_name)
    /// with one of these names (`save_only_these_names`).
    SaveOnlyTheseNames(Vec<String>),
    /// Keep every tagged value except those with these names
    /// (`save_any_names_but_these`).
    SaveAnyNamesButThese(Vec<String>),
    /// Keep everything except values tagged with these names
    /// (`save_anything_except_these_names`). As in JAX, the untagged input
    /// of a tagged value is still saveable.
    SaveAnythingExceptTheseNames(Vec<String>),
    /// Keep what either policy keeps (`save_from_both_policies`).
    SaveFromBothPolicies(Box<CheckpointPolicy>, Box<CheckpointPolicy>),
    /// Offload matrix products without batch dimensions from `src` to `dst`
    /// memory (`offload_dot_with_no_batch_dims`). The CPU has one memory
    /// space, so offloading is saving: this keeps what
    /// [`CheckpointPolicy::DotsWithNoBatchDimsSaveable`] keeps.
    OffloadDotWithNoBatchDims {
        /// The memory kind the value lives in (`"device"`).
        src: String,
        /// The memory kind it is offloaded to (`"pinned_host"`).
        dst: String,
    },
    /// Save the values tagged with `saved` names and offload those tagged
    /// with `offloaded` names (`save_and_offload_only_these_names`); on the
    /// CPU both are kept in memory. The two lists must not overlap.
    SaveAndOffloadOnlyTheseNames {
        /// Names whose values are saved.
        saved: Vec<String>,
        /// Names whose values are offloaded from `src` to `dst`.
        offloaded: Vec<String>,
        /// The memory kind the values live in (`"device"`).
        src: String,
        /// The memory kind they are offloaded to (`"pinned_host"`).
        dst: String,
    },
}

impl CheckpointPolicy {
    /// Whether this policy keeps every value (then `checkpoint` is a no-op).
    fn saves_everything(&self) -> bool {
        match self {
            CheckpointPolicy::EverythingSaveable => true,
            CheckpointPolicy::SaveFromBothPolicies(a, b) => {
                a.saves_everything() || b.saves_everything()
            }
            _ => false,
        }
    }

    /// Panics, with JAX's message, on a policy JAX rejects when it is made.
    fn validate(&self) {
        match self {
            CheckpointPolicy::SaveAndOffloadOnlyTheseNames {
                saved, offloaded, ..
            } if saved.iter().any(|n| offloaded.contains(n)) => {
                let set = |v: &[String]| {
                    let items: Vec<String> = v.iter().map(|n| format!("'{n}'")).collect();
                    format!("{{{}}}", items.join(", "))
                };
                panic!(
                    "ValueError: The names should be exclusive and should not intersect in \
                     `names_which_can_be_saved` and `names_which_can_be_offloaded`. Got \
                     names_which_can_be_saved={} and names_which_can_be_offloaded={}",
                    set(saved),
                    set(offloaded)
                );
            }
            CheckpointPolicy::SaveFromBothPolicies(a, b) => {
                a.validate();
                b.validate();
            }
            _ => {}
        }
    }

    /// Whether this policy keeps the outputs of `eqn`.
    fn saves(&self, eqn: &JaxprEqn) -> bool {
        match (self, &eqn.primitive) {
            (CheckpointPolicy::DotsSaveable, Primitive::DotGeneral(_)) => true,
            (CheckpointPolicy::DotsWithNoBatchDimsSaveable, Primitive::DotGeneral(d)) => {
                d.lhs_batch.is_empty()
            }
            (CheckpointPolicy::SaveOnlyTheseNames(names), Primitive::Name(n)) => {
                names.iter().any(|k| **k == *n.name)
            }
            (CheckpointPolicy::SaveAnyNamesButThese(names), Primitive::Name(n)) => {
                !names.iter().any(|k| **k == *n.name)
            }
            (CheckpointPolicy::SaveAnythingExceptTheseNames(names), Primitive::Name(n)) => {
                !names.iter().any(|k| **k == *n.name)
            }
            (CheckpointPolicy::SaveAnythingExceptTheseNames(_), _) => true,
            (CheckpointPolicy::OffloadDotWithNoBatchDims { .. }, Primitive::DotGeneral(d)) => {
                d.lhs_batch.is_empty()
            }
            (
                CheckpointPolicy::SaveAndOffloadOnlyTheseNames {
                    saved, offloaded, ..
                },
                Primitive::Name(n),
            ) => saved.iter().chain(offloaded).any(|k| **k == *n.name),
            (CheckpointPolicy::SaveFromBothPolicies(a, b), _) => a.saves(eqn) || b.saves(eqn),
            _ => false,
        }
    }
}

/// The options of [`checkpoint_with`]: the policy (`prevent_cse` has no
/// counterpart: jaxide's simplifier never merges the recomputation with the
/// forward pass, which live in different programs).
#[derive(Clone, Debug, Default)]
pub struct Checkpoint {
    /// What reverse mode may keep.
    pub policy: CheckpointPolicy,
}

/// `f` with rematerialization (`jax.checkpoint(f)`, alias [`remat`]):
/// values are the same, gradients are the same, but reverse mode keeps only
/// `f`'s inputs and recomputes its intermediates during the backward pass.
/// `f` must take what it differentiates as arguments (values it closes over
/// are constants).
///
/// ```
/// use jaxide::prelude::*;
/// let g = checkpoint(|x: &Array| jnp::sin(&jnp::sin(x)));
/// let (v, d) = value_and_grad(|x: &Array| g(x))(&Array::scalar(2.0f32));
/// let want = (2.0f32.sin().cos()) * 2.0f32.cos();
/// assert!((d.item::<f32>() - want).abs() < 1e-6);
/// # let _ = v;
/// ```
pub fn checkpoint<X: PyTree, Y: PyTree>(f: impl Fn(&X) -> Y) -> impl Fn(&X) -> Y {
    checkpoint_with(f, Checkpoint::default())
}

/// `jax.remat`, the same function as [`checkpoint`].
pub fn remat<X: PyTree, Y: PyTree>(f: impl Fn(&X) -> Y) -> impl Fn(&X) -> Y {
    checkpoint(f)
}

/// [`checkpoint`] with a policy (`jax.checkpoint(f, policy=...)`).
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::transforms::{Checkpoint, CheckpointPolicy};
/// let opts = Checkpoint { policy: CheckpointPolicy::DotsSaveable };
/// let layer = checkpoint_with(|(w, x): &(Array, Array)| jnp::tanh(&jnp::matmul(w, x)), opts);
/// let w = jnp::ones([3, 3]);
/// let g = grad(|w: &Array| layer(&(w.clone(), jnp::ones([3]))).sum())(&w);
/// assert_eq!(g.shape(), &[3, 3]);
/// ```
pub fn checkpoint_with<X: PyTree, Y: PyTree>(
    f: impl Fn(&X) -> Y,
    options: Checkpoint,
) -> impl Fn(&X) -> Y {
    options.policy.validate();
    move |x: &X| {
        let options = &options;
        if options.policy.saves_everything() {
            return f(x);
        }
        let (leaves, in_def) = tree_flatten(x);
        let out_def: RefCell<Option<TreeDef>> = RefCell::new(None);
        let flat_f = |xs: &[Array]| -> Vec<Array> {
            let (l, d) = tree_flatten(&f(&tree_unflatten(&in_def, xs.iter().cloned())));
            *out_def.borrow_mut() = Some(d);
            l
        };
        // The traced program, shared by the forward run and the backward replay.
        let program: Arc<OnceLock<Remat>> = Arc::new(OnceLock::new());
        let flat_fwd = |xs: &[Array]| -> (Vec<Array>, Vec<Array>) {
            let avals: Vec<_> = xs.iter().map(|a| a.aval().clone()).collect();
            let jaxpr = trace_to_jaxpr("checkpoint", &flat_f, &avals);
            let saved_eqns: Vec<usize> = (0..jaxpr.jaxpr.eqns.len())
                .filter(|&i| options.policy.saves(&jaxpr.jaxpr.eqns[i]))
                .collect();
            let remat = Remat {
                jaxpr,
                saved_eqns,
                num_inputs: xs.len(),
            };
            let (outs, saved) = remat.run(xs, None);
            let residuals = xs.iter().cloned().chain(saved).collect();
            let _ = program.set(remat);
            (outs, residuals)
        };
        let bwd = {
            let program = program.clone();
            move |res: &[Array], cts: &[Array]| -> Vec<Array> {
                let remat = program
                    .get()
                    .expect("checkpoint: the forward pass ran first");
                let (inputs, saved) = res.split_at(remat.num_inputs);
                let replay = |xs: &[Array]| remat.run(xs, Some(saved)).0;
                let (_, lin) = vjp_flat(&replay, inputs);
                lin.transpose(cts)
            }
        };
        let call = CustomVjpCall {
            f: &flat_f,
            fwd: &flat_fwd,
            bwd: Arc::new(bwd),
            jvp_through_f: true,
        };
        let outs = bind_custom_vjp(&call, &leaves);
        let def = out_def.into_inner().expect("the function was traced");
        tree_unflatten(&def, outs)
    }
}

/// A checkpointed function's program and which equations' outputs it keeps.
struct Remat {
    jaxpr: ClosedJaxpr,
    saved_eqns: Vec<usize>,
    num_inputs: usize,
}

impl Remat {
    /// Evaluates the program on `args`. Forward (`saved = None`): returns
    /// the outputs and the kept values. Replay (`saved = Some(values)`):
    /// the kept equations take their saved values instead of recomputing.
    fn run(&self, args: &[Array], saved: Option<&[Array]>) -> (Vec<Array>, Vec<Array>) {
        let j = &self.jaxpr.jaxpr;
        let mut env: Vec<Option<Array>> = vec![None; j.num_vars()];
        for (v, x) in j
            .constvars
            .iter()
            .zip(&self.jaxpr.consts)
            .chain(j.invars.iter().zip(args))
        {
            env[v.id] = Some(x.clone());
        }
        let read = |env: &[Option<Array>], a: &Atom| -> Array {
            match a {
                Atom::Var(v) => env[v.id]
                    .clone()
                    .expect("checkpoint: variable read before set"),
                Atom::Literal(x) => x.clone(),
            }
        };
        let mut kept = Vec::new();
        let mut next_saved = 0;
        for (i, eqn) in j.eqns.iter().enumerate() {
            let inputs: Vec<Array> = eqn.inputs.iter().map(|a| read(&env, a)).collect();
            let refs: Vec<&Array> = inputs.iter().collect();
            let is_saved = self.saved_eqns.binary_search(&i).is_ok();
            let outs: Vec<Array> = match saved {
                Some(values) if is_saved => {
                    let n = eqn.outvars.len();
                    let vals = &values[next_saved..next_saved + n];
                    next_saved += n;
                    saved_with_tangent(eqn, &inputs, vals)
                }
                _ => bind(&eqn.primitive, &refs).into_vec(),
            };
            if saved.is_none() && is_saved {
                kept.extend(outs.iter().cloned());
            }
            for (v, x) in eqn.outvars.iter().zip(outs) {
                env[v.id] = Some(x);
            }
        }
        (j.outvars.iter().map(|a| read(&env, a)).collect(), kept)
    }
}

/// A saved equation's values with their tangents. A product's tangent comes
/// from its bilinear form `d(a·b) = da·b + a·db` at the replayed inputs, so
/// the value itself is not recomputed.
fn saved_with_tangent(eqn: &JaxprEqn, inputs: &[Array], values: &[Array]) -> Vec<Array> {
    if let Primitive::Name(_) = eqn.primitive {
        // An identity: the tangent passes through.
        let (value, primal) = (values[0].clone(), values[0].clone());
        let tagged = crate::transforms::custom::custom_jvp(
            move |_: &Array| value.clone(),
            move |_: &Array, t: &Array| (primal.clone(), t.clone()),
        );
        return vec![tagged(&inputs[0])];
    }
    if let Primitive::DotGeneral(_) = eqn.primitive {
        let prim = eqn.primitive.clone();
        let (value, primal) = (values[0].clone(), values[0].clone());
        let product = crate::transforms::custom::custom_jvp(
            move |_: &(Array, Array)| value.clone(),
            move |p: &(Array, Array), t: &(Array, Array)| {
                let da_b = bind1(&prim, &[&t.0, &p.1]);
                let a_db = bind1(&prim, &[&p.0, &t.1]);
                (primal.clone(), crate::lax::add(&da_b, &a_db))
            },
        );
        return vec![product(&(inputs[0].clone(), inputs[1].clone()))];
    }
    // Any other saved equation (`save_anything_except_these_names`): the
    // saved values are the primal outputs; tangents come from the
    // primitive's own jvp rule at the replayed inputs.
    let prim = eqn.primitive.clone();
    let vals: Vec<Array> = values[..eqn.outvars.len()].to_vec();
    let primal = vals.clone();
    let tagged = crate::transforms::custom::custom_jvp(
        move |_: &Vec<Array>| vals.clone(),
        move |p: &Vec<Array>, t: &Vec<Array>| {
            let prefs: Vec<&Array> = p.iter().collect();
            let trefs: Vec<Option<&Array>> = p
                .iter()
                .zip(t)
                .map(|(x, t)| crate::lax::ad_util::is_differentiable_dtype(x.dtype()).then_some(t))
                .collect();
            let (_, touts) = prim.rules().jvp(&prefs, &trefs);
            let touts = touts
                .into_iter()
                .zip(&primal)
                .map(|(t, v)| t.unwrap_or_else(|| crate::lax::ad_util::zeros(v.aval())))
                .collect();
            (primal.clone(), touts)
        },
    );
    tagged(&inputs.to_vec())
}
