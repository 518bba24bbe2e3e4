//! `make_jaxpr`: the staged program of a function, printed like JAX's.

use super::args::{Curry, TreeFn};
use crate::core::array::Array;
use crate::core::jaxpr::ClosedJaxpr;
use crate::interpreters::staging::trace_to_jaxpr;
use crate::tree::{tree_flatten, tree_unflatten, PyTree};

/// The jaxpr of `f` at the shapes and dtypes of the given arguments
/// (`jax.make_jaxpr`). Arguments and results may be any pytrees.
///
/// ```
/// use jaxide::prelude::*;
/// let jaxpr = make_jaxpr(|x: &Array| jnp::exp(x).sum())(&jnp::ones(3));
/// assert_eq!(
///     jaxpr.to_string(),
///     "{ lambda ; a:f32[3]. let\n    b:f32[3] = exp a\n    \
///      c:f32[] = reduce_sum[axes=(0,) out_sharding=None] b\n  in (c,) }"
/// );
/// ```
pub fn make_jaxpr<'f, F, M, Args, R>(f: F) -> <Args as Curry<'f, ClosedJaxpr>>::Callable
where
    F: TreeFn<Args, R, M> + Send + Sync + 'f,
    R: PyTree,
    Args: Curry<'f, ClosedJaxpr> + PyTree + Clone,
{
    Args::curry(move |args: Args| {
        let (leaves, def) = tree_flatten(&args);
        let avals: Vec<_> = leaves.iter().map(|x| x.aval().clone()).collect();
        let flat = |xs: &[Array]| -> Vec<Array> {
            let a: Args = tree_unflatten(&def, xs.iter().cloned());
            tree_flatten(&f.call_args(&a)).0
        };
        trace_to_jaxpr("make_jaxpr", &flat, &avals)
    })
}
