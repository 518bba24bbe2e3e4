//! Jacobians and Hessians: `jacfwd` (vmap of jvp over the input basis),
//! `jacrev` (vmap of vjp over the output basis) and `hessian`
//! (`jacfwd(jacrev(f))`), on pytree inputs and outputs, as in JAX.
//!
//! For `f: X -> Y` the Jacobian has `Y`'s structure with an `X`-shaped
//! block at each output leaf; the block for output leaf `o` and input leaf
//! `i` has shape `o.shape + i.shape`.
//!
//! A Hessian-vector product needs no Hessian: take the jvp of the gradient.
//!
//! ```
//! use jaxide::prelude::*;
//! let f = |x: &Array| (x * x * x).sum();
//! let (x, v) = (jnp::array([1.0f32, 2.0]), jnp::array([1.0f32, 0.0]));
//! let (_, hv) = jvp(grad(f), &x, &v); // H v without forming H
//! assert_eq!(hv.to_vec::<f32>(), vec![6.0, 0.0]);
//! assert_eq!(hessian(f)(&x).to_vec::<f32>(), vec![6.0, 0.0, 0.0, 12.0]);
//! ```

use super::forward::flat_fn;
use super::grad::check_inexact_inputs;
use crate::core::array::Array;
use crate::interpreters::ad::{jvp_flat, vjp_flat};
use crate::interpreters::batching::batch_flat;
use crate::lax;
use crate::lax::ad_util;
use crate::lax::batching::batch_first;
use crate::numpy as jnp;
use crate::tree::{tree_flatten, tree_unflatten, PyTree};
use std::cell::RefCell;

/// An output type whose Jacobian with respect to inputs `X` can be built:
/// each array leaf becomes an `X`-shaped block.
pub trait JacobianOut<X>: PyTree {
    /// The Jacobian's type: `Self`'s structure with `X` at each leaf.
    type Jac;
    /// Builds the Jacobian from one block per output leaf, in leaf order.
    fn assemble(&self, blocks: &mut std::vec::IntoIter<X>) -> Self::Jac;
}

impl<X> JacobianOut<X> for Array {
    type Jac = X;
    fn assemble(&self, blocks: &mut std::vec::IntoIter<X>) -> X {
        blocks.next().expect("one Jacobian block per output leaf")
    }
}

impl<X, T: JacobianOut<X>> JacobianOut<X> for Vec<T> {
    type Jac = Vec<T::Jac>;
    fn assemble(&self, blocks: &mut std::vec::IntoIter<X>) -> Vec<T::Jac> {
        self.iter().map(|t| t.assemble(blocks)).collect()
    }
}

macro_rules! jac_tuple {
    ($($T:ident $i:tt),+) => {
        impl<X, $($T: JacobianOut<X>),+> JacobianOut<X> for ($($T,)+) {
            type Jac = ($($T::Jac,)+);
            fn assemble(&self, blocks: &mut std::vec::IntoIter<X>) -> Self::Jac {
                ($(self.$i.assemble(blocks),)+)
            }
        }
    };
}
jac_tuple!(A 0);
jac_tuple!(A 0, B 1);
jac_tuple!(A 0, B 1, C 2);
jac_tuple!(A 0, B 1, C 2, D 3);

/// For each leaf, `n` rows of the identity: leaf `k` gets columns
/// `offset_k..offset_k + size_k`, shaped `[n, *shape_k]`, in its dtype.
fn basis(leaves: &[Array]) -> Vec<Array> {
    let n: usize = leaves.iter().map(|x| x.size()).sum();
    let mut off = 0;
    leaves
        .iter()
        .map(|x| {
            let eye = jnp::eye_dtype(n, Some(x.size()), -(off as i64), x.dtype());
            off += x.size();
            let mut shape = vec![n];
            shape.extend_from_slice(x.shape());
            lax::reshape(&eye, &shape)
        })
        .collect()
}

/// Rows `start..start + rows` of a `[n, ...]` array.
fn rows(x: &Array, start: usize, rows: usize) -> Array {
    let mut lo = vec![0; x.ndim()];
    let mut hi = x.shape().to_vec();
    lo[0] = start;
    hi[0] = start + rows;
    lax::slice(x, &lo, &hi)
}

/// The Jacobian of `f` by forward mode (`jax.jacfwd`): one batched jvp over
/// the standard basis of the inputs. Best when inputs are smaller than outputs.
pub fn jacfwd<X: PyTree, Y: JacobianOut<X>>(f: impl Fn(&X) -> Y) -> impl Fn(&X) -> Y::Jac {
    move |x: &X| {
        let (xs, xdef) = tree_flatten(x);
        check_inexact_inputs("jacfwd", &xs);
        let n: usize = xs.iter().map(|x| x.size()).sum();
        let out_def = RefCell::new(None);
        let primal_outs = RefCell::new(Vec::new());
        let f_flat = flat_fn(&f, &xdef, &out_def);
        let push = |ts: &[Array]| -> Vec<Array> {
            let (outs, touts) = jvp_flat(&f_flat, &xs, ts);
            let touts = outs
                .iter()
                .zip(touts)
                .map(|(o, t)| t.unwrap_or_else(|| ad_util::zeros(o.aval())))
                .collect();
            *primal_outs.borrow_mut() = outs;
            touts
        };
        let dims = vec![Some(0); xs.len()];
        let tangents = batch_flat(&push, &basis(&xs), &dims, n);
        let outs = primal_outs.take();
        let def = out_def
            .borrow_mut()
            .take()
            .expect("the function was traced");
        // Output leaf o's tangents are [n, *o.shape]: split rows by input leaf.
        let blocks: Vec<X> = tangents
            .into_iter()
            .zip(&outs)
            .map(|((t, bdim), o)| {
                let t = batch_first(&t, bdim, n);
                let mut off = 0;
                let parts = xs.iter().map(|xi| {
                    let r = rows(&t, off, xi.size());
                    off += xi.size();
                    // [*xi.shape, *o.shape] → [*o.shape, *xi.shape]
                    let mut shape = xi.shape().to_vec();
                    shape.extend_from_slice(o.shape());
                    let (ki, ko) = (xi.ndim(), o.ndim());
                    let perm: Vec<usize> = (ki..ki + ko).chain(0..ki).collect();
                    lax::transpose(&lax::reshape(&r, &shape), &perm)
                });
                tree_unflatten(&xdef, parts.collect::<Vec<_>>())
            })
            .collect();
        let y: Y = tree_unflatten(&def, outs);
        y.assemble(&mut blocks.into_iter())
    }
}

/// The Jacobian of `f` by reverse mode (`jax.jacrev`): one batched vjp over
/// the standard basis of the outputs. Best when outputs are smaller than inputs.
pub fn jacrev<X: PyTree, Y: JacobianOut<X>>(f: impl Fn(&X) -> Y) -> impl Fn(&X) -> Y::Jac {
    move |x: &X| {
        let (xs, xdef) = tree_flatten(x);
        check_inexact_inputs("jacrev", &xs);
        let out_def = RefCell::new(None);
        let f_flat = flat_fn(&f, &xdef, &out_def);
        let (outs, lin) = vjp_flat(&f_flat, &xs);
        let def = out_def
            .borrow_mut()
            .take()
            .expect("the function was traced");
        let m: usize = outs.iter().map(|o| o.size()).sum();
        let pull = |cts: &[Array]| lin.transpose(cts);
        let dims = vec![Some(0); outs.len()];
        // Input leaf i's cotangents are [m, *i.shape]: split rows by output leaf.
        let cts: Vec<Array> = batch_flat(&pull, &basis(&outs), &dims, m)
            .into_iter()
            .map(|(c, bdim)| batch_first(&c, bdim, m))
            .collect();
        let mut off = 0;
        let blocks: Vec<X> = outs
            .iter()
            .map(|o| {
                let parts: Vec<Array> = cts
                    .iter()
                    .zip(&xs)
                    .map(|(c, xi)| {
                        let mut shape = o.shape().to_vec();
                        shape.extend_from_slice(xi.shape());
                        lax::reshape(&rows(c, off, o.size()), &shape)
                    })
                    .collect();
                off += o.size();
                tree_unflatten(&xdef, parts)
            })
            .collect();
        let y: Y = tree_unflatten(&def, outs);
        y.assemble(&mut blocks.into_iter())
    }
}

/// The Hessian of a scalar function (`jax.hessian`): `jacfwd(jacrev(f))`.
pub fn hessian<X, Y>(f: impl Fn(&X) -> Y) -> impl Fn(&X) -> <Y::Jac as JacobianOut<X>>::Jac
where
    X: PyTree,
    Y: JacobianOut<X>,
    Y::Jac: JacobianOut<X>,
{
    jacfwd(jacrev(f))
}
