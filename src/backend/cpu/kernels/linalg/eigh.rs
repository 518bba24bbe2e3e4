//! `eigh` kernel: symmetric/Hermitian eigendecomposition (faer's
//! tridiagonalization plus divide and conquer), eigenvalues ascending.

use super::{buffer, bytes_of, nan_mat, per_matrix, row_major_bytes, with_linalg_type};
use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;
use faer::traits::ComplexField;
use faer::Side;

/// Eigenvectors `v` (`n×n`, columns) and eigenvalues `w` (real, ascending)
/// of each of `batch` row-major `n×n` matrices, reading only the lower
/// (`lower`) or upper triangle. A failure gives NaNs, as JAX reports one.
pub fn run(dtype: DType, a: &Buffer, batch: usize, n: usize, lower: bool) -> [Buffer; 2] {
    with_linalg_type!(dtype, T => {
        type R = <T as ComplexField>::Real;
        let side = if lower { Side::Lower } else { Side::Upper };
        let [v, w] = per_matrix::<T, _, 2>(a, batch, n, n, |x| match x.self_adjoint_eigen(side) {
            Ok(e) => {
                let w: Vec<R> = (0..n).map(|i| T::real_part_impl(&e.S()[i])).collect();
                [row_major_bytes(e.U()), bytes_of(&w)]
            }
            Err(_) => {
                let w = vec![R::nan_impl(); n];
                [row_major_bytes(nan_mat::<T>(n, n).as_ref()), bytes_of(&w)]
            }
        });
        [buffer(&v), buffer(&w)]
    })
}
