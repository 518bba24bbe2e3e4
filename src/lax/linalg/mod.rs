//! Linear-algebra primitives (`cholesky`, `triangular_solve`, `lu`, `qr`,
//! `eigh`, `svd`, `eig`): each file holds one primitive's params, abstract
//! eval, CPU impl, jvp, transpose and batching rule. Kernels live in
//! `src/backend/cpu/kernels/linalg/`.
//!
//! Every operand is a batch of matrices: the last two axes are the matrix,
//! the leading ones the batch (the kernels loop over it), which is also
//! how the batching rules work: they move the vmapped axis first.

mod cholesky;
mod lu;
mod triangular_solve;
pub use cholesky::*;
pub use lu::*;
pub use triangular_solve::*;

mod util;
pub(crate) use util::*;
