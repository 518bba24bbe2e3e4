//! Clipping (optax's `transforms/_clipping.py`) and `global_norm`.

use super::base::{stateless, GradientTransformation};
use crate::numpy as jnp;
use crate::tree::{tree_leaves, PyTree};
use crate::Array;

/// The 2-norm of all leaves together, `sqrt(sum of squares)` (optax's
/// `global_norm` / `optax.tree.norm`).
pub fn global_norm<P: PyTree>(updates: &P) -> Array {
    norm_of(&tree_leaves(updates))
}

fn norm_of(leaves: &[Array]) -> Array {
    // optax: tree_reduce(add, map(sum, squares), initializer=0).
    let mut total = jnp::array(0);
    for x in leaves {
        total = total + jnp::sum(&square_abs(x));
    }
    jnp::sqrt(&total)
}

/// `real(x)**2 + imag(x)**2` (just `x**2` for real leaves).
fn square_abs(x: &Array) -> Array {
    if x.dtype().is_complex() {
        jnp::square(x.real()) + jnp::square(x.imag())
    } else {
        jnp::square(x)
    }
}

/// Clips every element to `[-max_delta, max_delta]` (optax's `clip`);
/// state `EmptyState()`.
pub fn clip(max_delta: f64) -> GradientTransformation {
    stateless("clip", move |u, _| {
        u.map(|g| jnp::clip(g, -max_delta, max_delta))
    })
}

/// Scales all updates by `max_norm / global_norm` when the global norm
/// exceeds `max_norm` (optax's `clip_by_global_norm`); state
/// `EmptyState()`. Branch-free, so it runs under `jit`.
pub fn clip_by_global_norm(max_norm: f64) -> GradientTransformation {
    stateless("clip_by_global_norm", move |u, _| {
        let g_norm = norm_of(u.leaves());
        let trigger = g_norm.lt(max_norm);
        u.map(|t| {
            let clipped = (t / jnp::astype(&g_norm, t.dtype())) * max_norm;
            jnp::where_(&trigger, t, &clipped)
        })
    })
}
