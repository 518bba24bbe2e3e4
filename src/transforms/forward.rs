//! `jvp`, `linearize` and `vjp` on pytrees. Functions of several arguments
//! take them as one tuple: `jvp(f, &(x, y), &(tx, ty))`.

use crate::core::array::Array;
use crate::interpreters::ad::{jvp_flat, linearize_flat, vjp_flat, LinearFn};
use crate::lax::ad_util;
use crate::tree::{tree_flatten, tree_unflatten, PyTree, TreeDef};
use std::cell::RefCell;

/// Flattens `f: X -> Y` into a function of leaves, recording `Y`'s structure.
pub(crate) fn flat_fn<'a, X: PyTree, Y: PyTree>(
    f: &'a dyn Fn(&X) -> Y,
    in_def: &'a TreeDef,
    out_def: &'a RefCell<Option<TreeDef>>,
) -> impl Fn(&[Array]) -> Vec<Array> + 'a {
    move |xs: &[Array]| {
        let x: X = tree_unflatten(in_def, xs.iter().cloned());
        let (leaves, def) = tree_flatten(&f(&x));
        *out_def.borrow_mut() = Some(def);
        leaves
    }
}

fn check_tangents_match(primals: &[Array], tangents: &[Array], pdef: &TreeDef, tdef: &TreeDef) {
    if pdef != tdef {
        panic!(
            "TypeError: primal and tangent arguments to jvp must have the same tree structure; \
             primals have tree structure {pdef} whereas tangents have tree structure {tdef}."
        );
    }
    for (p, t) in primals.iter().zip(tangents) {
        if p.shape() != t.shape() || (p.dtype().is_inexact() && p.dtype() != t.dtype()) {
            panic!(
                "ValueError: jvp called with different primal and tangent types; primal {} \
                 has type {} and tangent has type {}. Tangents must match their primals in \
                 shape and dtype.",
                p.aval().short(),
                p.aval().short(),
                t.aval().short()
            );
        }
    }
}

/// Forward-mode: `(f(primals), df(primals)·tangents)` (`jax.jvp`).
///
/// ```
/// use jaxide::prelude::*;
/// let x = jnp::array([1.0f32, 2.]);
/// let (y, t) = jvp(|x: &Array| x * x, &x, &jnp::ones_like(&x));
/// assert_eq!(t.to_vec::<f32>(), vec![2., 4.]);
/// ```
pub fn jvp<X: PyTree, Y: PyTree>(f: impl Fn(&X) -> Y, primals: &X, tangents: &X) -> (Y, Y) {
    let (p, pdef) = tree_flatten(primals);
    let (t, tdef) = tree_flatten(tangents);
    check_tangents_match(&p, &t, &pdef, &tdef);
    let out_def = RefCell::new(None);
    let flat = flat_fn(&f, &pdef, &out_def);
    let (outs, touts) = jvp_flat(&flat, &p, &t);
    let touts: Vec<Array> = outs
        .iter()
        .zip(touts)
        .map(|(o, t)| t.unwrap_or_else(|| ad_util::zeros(o.aval())))
        .collect();
    drop(flat);
    let def = out_def.into_inner().expect("the function was traced");
    (tree_unflatten(&def, outs), tree_unflatten(&def, touts))
}

/// The linear map of a [`linearize`]d or [`vjp`]'d function on pytrees.
pub struct Linearized<X, Y> {
    lin: LinearFn,
    in_def: TreeDef,
    out_def: TreeDef,
    _types: std::marker::PhantomData<fn(X) -> Y>,
}

impl<X: PyTree, Y: PyTree> Linearized<X, Y> {
    /// Applies the derivative to input tangents (forward).
    pub fn jvp(&self, tangents: &X) -> Y {
        let (t, tdef) = tree_flatten(tangents);
        assert_eq!(
            tdef, self.in_def,
            "linearized function called with tangents of a different tree structure"
        );
        tree_unflatten(&self.out_def, self.lin.jvp(&t))
    }

    /// Pulls output cotangents back to input cotangents (reverse).
    pub fn vjp(&self, cotangents: &Y) -> X {
        let (c, cdef) = tree_flatten(cotangents);
        if cdef != self.out_def {
            panic!(
                "TypeError: Tree structure of cotangent input {cdef}, does not match structure \
                 of primal output {}.",
                self.out_def
            );
        }
        tree_unflatten(&self.in_def, self.lin.transpose(&c))
    }

    /// The staged linear program (for inspection: `println!("{}", l.jaxpr())`).
    pub fn jaxpr(&self) -> &crate::core::jaxpr::ClosedJaxpr {
        &self.lin.jaxpr
    }
}

fn linearized<X: PyTree, Y: PyTree>(
    f: &dyn Fn(&X) -> Y,
    primals: &X,
    reverse: bool,
) -> (Y, Linearized<X, Y>) {
    let (p, in_def) = tree_flatten(primals);
    let out_def = RefCell::new(None);
    let flat = flat_fn(f, &in_def, &out_def);
    let (outs, lin) = if reverse {
        vjp_flat(&flat, &p)
    } else {
        linearize_flat(&flat, &p)
    };
    drop(flat);
    let out_def = out_def.into_inner().expect("the function was traced");
    let y = tree_unflatten(&out_def, outs);
    let l = Linearized {
        lin,
        in_def,
        out_def,
        _types: std::marker::PhantomData,
    };
    (y, l)
}

/// `f(primals)` and its linearization at `primals` (`jax.linearize`); call
/// `.jvp(&tangents)` on the second result.
pub fn linearize<X: PyTree, Y: PyTree>(f: impl Fn(&X) -> Y, primals: &X) -> (Y, Linearized<X, Y>) {
    linearized(&f, primals, false)
}

/// `f(primals)` and its pullback (`jax.vjp`); call `.vjp(&cotangents)` on the
/// second result to get input cotangents.
///
/// ```
/// use jaxide::prelude::*;
/// let x = jnp::array([1.0f32, 2.]);
/// let (y, pullback) = vjp(|x: &Array| jnp::sin(x), &x);
/// let ct = pullback.vjp(&jnp::ones_like(&y));
/// assert_eq!(ct.to_vec::<f32>(), jnp::cos(&x).to_vec::<f32>());
/// ```
pub fn vjp<X: PyTree, Y: PyTree>(f: impl Fn(&X) -> Y, primals: &X) -> (Y, Linearized<X, Y>) {
    linearized(&f, primals, true)
}
