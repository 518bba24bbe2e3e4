//! `jax.scipy.linalg`: triangular and LU/Cholesky solves, `expm`,
//! `block_diag` and the special matrices, on the primitives of
//! `src/lax/linalg/`.

mod eigh;
mod qr;
mod svd;
pub use eigh::{eigh, eigh_eigvals_only};
pub use qr::qr;
pub use svd::{polar, svd};
