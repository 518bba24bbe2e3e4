//! Linear-algebra primitives (`cholesky`, `triangular_solve`, `lu`, `qr`,
//! `eigh`, `svd`, `eig`): each file holds one primitive's params, abstract
//! eval, CPU impl, jvp, transpose and batching rule. Kernels live in
//! `src/backend/cpu/kernels/linalg/`.
