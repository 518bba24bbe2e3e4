//! `svd` kernel: singular value decomposition (faer's bidiagonalization
//! plus divide and conquer), singular values descending.

use super::{buffer, bytes_of, nan_mat, per_matrix, row_major_bytes, with_linalg_type};
use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;
use faer::traits::ComplexField;

/// Singular values `s` (real, descending) and, with `compute_uv`, `u`
/// (`m×m` or `m×k`) and `vt` (`n×n` or `k×n`), `k = min(m, n)`, of each of
/// `batch` row-major `m×n` matrices. A failure gives NaNs, as JAX reports one.
pub fn run(
    dtype: DType,
    a: &Buffer,
    batch: usize,
    (m, n): (usize, usize),
    full: bool,
    compute_uv: bool,
) -> Vec<Buffer> {
    let k = m.min(n);
    with_linalg_type!(dtype, T => {
        type R = <T as ComplexField>::Real;
        let nan_s = || bytes_of(&vec![R::nan_impl(); k]);
        if !compute_uv {
            let [s] = per_matrix::<T, _, 1>(a, batch, m, n, |x| match x.singular_values() {
                Ok(s) => [bytes_of(&s)],
                Err(_) => [nan_s()],
            });
            return vec![buffer(&s)];
        }
        let (ur, vr) = if full { (m, n) } else { (k, k) };
        let [s, u, vt] = per_matrix::<T, _, 3>(a, batch, m, n, |x| {
            match if full { x.svd() } else { x.thin_svd() } {
                Ok(d) => {
                    let s: Vec<R> = (0..k).map(|i| T::real_part_impl(&d.S()[i])).collect();
                    let vt = d.V().adjoint().to_owned();
                    [bytes_of(&s), row_major_bytes(d.U()), row_major_bytes(vt.as_ref())]
                }
                Err(_) => [
                    nan_s(),
                    row_major_bytes(nan_mat::<T>(m, ur).as_ref()),
                    row_major_bytes(nan_mat::<T>(vr, n).as_ref()),
                ],
            }
        });
        vec![buffer(&s), buffer(&u), buffer(&vt)]
    })
}
