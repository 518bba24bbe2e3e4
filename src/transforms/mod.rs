//! The user-facing transformations: the grad family, `jvp`, `vjp`,
//! `linearize`, `stop_gradient`, `custom_jvp`/`custom_vjp`, and the
//! gradient checker, and `vmap`. They take and return pytrees and are built on the
//! interpreters in `crate::interpreters`.

pub mod args;
pub mod checkpoint;
pub mod custom;
pub mod eval_shape;
pub mod forward;
pub mod grad;
pub mod jacobian;
pub mod jit;
pub mod make_jaxpr;
pub mod vmap;

pub use args::{Arg0, Arg1, Arg2, Arg3, Arg4, Arg5, ByRef, ByValue, Curry, Select, TreeFn};
pub use checkpoint::{checkpoint, checkpoint_with, remat, Checkpoint, CheckpointPolicy};
pub use custom::{custom_jvp, custom_jvp_rec, custom_vjp};
pub use eval_shape::{eval_shape, ShapeDtypeStruct, ShapeSpec, ShapeTree};
pub use forward::{jvp, linearize, vjp, Linearized};
pub use grad::{
    grad, grad_argnums, grad_argnums_has_aux, grad_has_aux, grad_has_aux_with, grad_with,
    value_and_grad, value_and_grad_argnums, value_and_grad_argnums_has_aux, value_and_grad_has_aux,
    value_and_grad_has_aux_with, value_and_grad_with, GradOptions,
};
pub use jacobian::{hessian, jacfwd, jacrev, JacobianOut};
pub use jit::{clear_caches, jit, jit_donate, lower, CompiledFn, Lowered};
pub use make_jaxpr::make_jaxpr;
pub use vmap::{vmap, vmap_with, InAxes, InAxis, OutAxes, VmapOptions};

/// Treats every leaf of `x` as a constant for differentiation
/// (`jax.lax.stop_gradient`): the value passes through, the derivative is zero.
pub fn stop_gradient<T: crate::tree::PyTree>(x: &T) -> T {
    crate::tree::tree_map(crate::lax::stop_gradient, x)
}
