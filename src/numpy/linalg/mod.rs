//! `jnp.linalg`: matrix products, norms, solves and decompositions.
//!
//! The decompositions are lax primitives (`src/lax/linalg/`) with their own
//! jvp, transpose and batching rules; everything here is built on them and
//! on the other lax primitives, so `grad`, `jit` and `vmap` work through it.

pub use super::products::{matmul, tensordot, tensordot_axes};

mod array_api;
pub use array_api::{cross, diagonal, outer, trace, vecdot};

mod decomp;
mod norm;
mod pinv;
pub use decomp::*;
pub use norm::*;
pub use pinv::*;
mod cholesky;
mod det;
mod matrix_power;
mod multi_dot;
mod solve;
mod tensor;
pub(crate) mod util;
pub use cholesky::{cholesky, cholesky_with, Cholesky};
pub use det::{det, slogdet};
pub use matrix_power::matrix_power;
pub use multi_dot::multi_dot;
pub use solve::{inv, solve};
pub use tensor::{tensorinv, tensorsolve};
