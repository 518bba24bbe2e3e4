//! `jax.scipy.linalg`: triangular and LU/Cholesky solves, `expm`,
//! `block_diag` and the special matrices, on the primitives of
//! `src/lax/linalg/`.
