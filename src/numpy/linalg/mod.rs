//! `jnp.linalg`: matrix products, norms, solves and decompositions.
//!
//! The decompositions are lax primitives (`src/lax/linalg/`) with their own
//! jvp, transpose and batching rules; everything here is built on them and
//! on the other lax primitives, so `grad`, `jit` and `vmap` work through it.

pub use super::products::{matmul, outer, tensordot, tensordot_axes};

mod decomp;
mod norm;
mod pinv;
pub use decomp::*;
pub use norm::*;
pub use pinv::*;
