//! The common imports: `use jaxide::prelude::*;`.

pub use crate::core::array::Array;
pub use crate::core::dtype::DType;
pub use crate::core::element::{Complex32, Complex64};
pub use crate::lax;
pub use crate::numpy as jnp;
pub use crate::numpy::{ArrayLike, Axes, Index, ELLIPSIS, NEWAXIS};
pub use crate::transforms::vmap::{InAxes, InAxis, OutAxes, VmapOptions};
pub use crate::transforms::{
    checkpoint, checkpoint_with, clear_caches, custom_jvp, custom_jvp_rec, custom_vjp, eval_shape,
    grad, grad_argnums, grad_argnums_has_aux, grad_has_aux, grad_has_aux_with, grad_with, hessian,
    jacfwd, jacrev, jit, jit_donate, jvp, linearize, lower, make_jaxpr, remat, stop_gradient,
    value_and_grad, value_and_grad_argnums, value_and_grad_argnums_has_aux, value_and_grad_has_aux,
    value_and_grad_has_aux_with, value_and_grad_with, vjp, vmap, vmap_with, Arg0, Arg1, Arg2, Arg3,
    Arg4, Arg5, GradOptions, ShapeDtypeStruct,
};
pub use crate::tree::{
    keystr, tree_all, tree_flatten, tree_flatten_with_path, tree_leaves, tree_leaves_with_path,
    tree_map, tree_map2, tree_map3, tree_map_with_path, tree_reduce, tree_structure,
    tree_transpose, tree_unflatten, KeyPath, PyTree, Static, TreeDef,
};
pub use crate::{in_axes, s};
