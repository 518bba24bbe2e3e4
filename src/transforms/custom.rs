//! `custom_jvp` and `custom_vjp`: functions with user-supplied derivative
//! rules, written as Rust closures. Arguments and results are pytrees; use
//! a tuple for several arguments.

use crate::core::array::Array;
use crate::core::trace::{bind_custom_jvp, bind_custom_vjp, CustomJvpCall, CustomVjpCall};
use crate::tree::{tree_flatten, tree_unflatten, PyTree, TreeDef};
use std::cell::RefCell;
use std::sync::{Arc, Mutex};

/// A function `f` whose forward-mode derivative is given by `jvp(primals,
/// tangents) -> (outputs, output tangents)` (`jax.custom_jvp`). Reverse mode
/// works too: it transposes the (linear) tangent computation of the rule.
///
/// ```
/// use jaxide::prelude::*;
/// // log(1 + exp(x)) with a rule that stays finite for large x.
/// let softplus = custom_jvp(
///     |x: &Array| jnp::log1p(&jnp::exp(x)),
///     |x: &Array, t: &Array| (jnp::log1p(&jnp::exp(x)), t * jaxide::lax::logistic(x)),
/// );
/// let g = grad(|x: &Array| softplus(x).sum())(&jnp::array([100.0f32]));
/// assert_eq!(g.to_vec::<f32>(), vec![1.0]);
/// ```
pub fn custom_jvp<X, Y>(f: impl Fn(&X) -> Y, jvp: impl Fn(&X, &X) -> (Y, Y)) -> impl Fn(&X) -> Y
where
    X: PyTree,
    Y: PyTree,
{
    custom_jvp_rec(f, move |_: &dyn Fn(&X) -> Y, p: &X, t: &X| jvp(p, t))
}

/// [`custom_jvp`] whose rule receives the function being defined, so the
/// rule can call it, as a JAX rule calls the decorated function: `jvp(g,
/// primals, tangents)` where `g` is the custom-rule function itself (its
/// own derivative inside the rule is again the rule, which makes higher
/// derivatives work).
///
/// ```
/// use jaxide::prelude::*;
/// // f(x) = exp(x), with f' = f computed by calling f itself.
/// let f = custom_jvp_rec(
///     |x: &Array| jnp::exp(x),
///     |f: &dyn Fn(&Array) -> Array, x: &Array, t: &Array| {
///         let y = f(x);
///         (y.clone(), t * &y)
///     },
/// );
/// let g2 = grad(grad(|x: &Array| f(x)))(&Array::scalar(0.0f32));
/// assert_eq!(g2.item::<f32>(), 1.0);
/// ```
pub fn custom_jvp_rec<X, Y>(
    f: impl Fn(&X) -> Y,
    jvp: impl Fn(&dyn Fn(&X) -> Y, &X, &X) -> (Y, Y),
) -> impl Fn(&X) -> Y
where
    X: PyTree,
    Y: PyTree,
{
    move |x: &X| apply_custom_jvp(&f, &jvp, x)
}

/// The rule of a [`custom_jvp_rec`] function.
type JvpRule<'a, X, Y> = &'a dyn Fn(&dyn Fn(&X) -> Y, &X, &X) -> (Y, Y);

/// One call of a custom-rule function: binds `f` with its rule.
fn apply_custom_jvp<X: PyTree, Y: PyTree>(f: &dyn Fn(&X) -> Y, jvp: JvpRule<'_, X, Y>, x: &X) -> Y {
    let (leaves, in_def) = tree_flatten(x);
    let out_def: RefCell<Option<TreeDef>> = RefCell::new(None);
    let record = |y: &Y| {
        let (l, d) = tree_flatten(y);
        *out_def.borrow_mut() = Some(d);
        l
    };
    let flat_f = |xs: &[Array]| record(&f(&tree_unflatten(&in_def, xs.iter().cloned())));
    let itself = |x: &X| apply_custom_jvp(f, jvp, x);
    let flat_jvp = |ps: &[Array], ts: &[Array]| {
        let p: X = tree_unflatten(&in_def, ps.iter().cloned());
        let t: X = tree_unflatten(&in_def, ts.iter().cloned());
        let (y, ty) = jvp(&itself, &p, &t);
        let (tl, tdef) = tree_flatten(&ty);
        let yl = record(&y);
        if Some(&tdef) != out_def.borrow().as_ref() {
            panic!(
                "TypeError: custom_jvp rule must produce primal and tangent outputs with \
                 equal container (pytree) structures, but got {} and {tdef}.",
                out_def.borrow().as_ref().expect("recorded")
            );
        }
        (yl, tl)
    };
    let call = CustomJvpCall {
        f: &flat_f,
        jvp: &flat_jvp,
    };
    let outs = bind_custom_jvp(&call, &leaves);
    let def = out_def.into_inner().expect("the function was traced");
    tree_unflatten(&def, outs)
}

/// A function `f` whose reverse-mode derivative is given by `fwd(x) -> (y,
/// residuals)` and `bwd(residuals, output cotangent) -> input cotangent`
/// (`jax.custom_vjp`). Forward mode (`jvp`) of such a function panics, as in JAX.
///
/// ```
/// use jaxide::prelude::*;
/// // Gradient clipping: identity forward, clipped cotangent backward.
/// let clip_grad = custom_vjp(
///     |x: &Array| x.clone(),
///     |x: &Array| (x.clone(), ()),
///     |_: &(), g: &Array| jnp::clip(g, -1.0f32, 1.0f32),
/// );
/// let g = grad(|x: &Array| (clip_grad(x) * 10.0f32).sum())(&jnp::array([1.0f32]));
/// assert_eq!(g.to_vec::<f32>(), vec![1.0]);
/// ```
pub fn custom_vjp<X, Y, R>(
    f: impl Fn(&X) -> Y,
    fwd: impl Fn(&X) -> (Y, R),
    bwd: impl Fn(&R, &Y) -> X + Send + Sync + 'static,
) -> impl Fn(&X) -> Y
where
    X: PyTree + 'static,
    Y: PyTree + 'static,
    R: PyTree + 'static,
{
    let bwd = Arc::new(bwd);
    move |x: &X| {
        let (leaves, in_def) = tree_flatten(x);
        let out_def: RefCell<Option<TreeDef>> = RefCell::new(None);
        // Structures the backward function needs, known once fwd has run.
        let defs: Arc<Mutex<Option<(TreeDef, TreeDef)>>> = Arc::new(Mutex::new(None));
        let flat_f = |xs: &[Array]| {
            let (l, d) = tree_flatten(&f(&tree_unflatten(&in_def, xs.iter().cloned())));
            *out_def.borrow_mut() = Some(d);
            l
        };
        let flat_fwd = |xs: &[Array]| {
            let (y, r) = fwd(&tree_unflatten(&in_def, xs.iter().cloned()));
            let (yl, yd) = tree_flatten(&y);
            let (rl, rd) = tree_flatten(&r);
            *out_def.borrow_mut() = Some(yd.clone());
            *defs.lock().expect("custom_vjp structures") = Some((rd, yd));
            (yl, rl)
        };
        let flat_bwd = {
            let (bwd, defs, in_def) = (bwd.clone(), defs.clone(), in_def.clone());
            move |res: &[Array], cts: &[Array]| -> Vec<Array> {
                let (rd, yd) = defs
                    .lock()
                    .expect("custom_vjp structures")
                    .clone()
                    .expect("custom_vjp: fwd ran before bwd");
                let r: R = tree_unflatten(&rd, res.iter().cloned());
                let ct: Y = tree_unflatten(&yd, cts.iter().cloned());
                let (out, def) = tree_flatten(&bwd(&r, &ct));
                if def != in_def {
                    panic!(
                        "TypeError: custom_vjp bwd function must produce an output with the same \
                         container (pytree) structure as the args tuple of the primal function; \
                         expected {in_def}, got {def}."
                    );
                }
                out
            }
        };
        let call = CustomVjpCall {
            f: &flat_f,
            fwd: &flat_fwd,
            bwd: Arc::new(flat_bwd),
            jvp_through_f: false,
        };
        let outs = bind_custom_vjp(&call, &leaves);
        let def = out_def.into_inner().expect("the function was traced");
        tree_unflatten(&def, outs)
    }
}
