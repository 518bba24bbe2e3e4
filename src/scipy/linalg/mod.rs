//! `jax.scipy.linalg`: triangular and LU/Cholesky solves, `expm`,
//! `block_diag` and the special matrices, on the primitives of
//! `src/lax/linalg/`.

mod eigh;
mod qr;
mod svd;
pub use eigh::{eigh, eigh_eigvals_only};
pub use qr::qr;
pub use svd::{polar, svd};
mod cholesky;
mod expm;
mod lu;
mod solve;
mod special;
mod triangular;
mod util;
pub use cholesky::{cho_factor, cho_solve, cholesky};
pub use expm::{expm, expm_frechet, expm_with, Expm};
pub use lu::{lu, lu_factor, lu_permute_l, lu_solve};
pub use solve::{det, inv, solve, solve_with, Solve};
pub use special::{
    block_diag, circulant, companion, convolution_matrix, dft, fiedler, fiedler_companion,
    hadamard, hankel, helmert, hilbert, leslie, toeplitz,
};
pub use triangular::{solve_triangular, solve_triangular_with, SolveTriangular};
