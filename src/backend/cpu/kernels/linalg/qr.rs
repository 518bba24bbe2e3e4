//! `qr` kernel: Householder QR of each matrix (faer's blocked algorithm).

use super::{buffer, per_matrix, row_major_bytes, with_linalg_type};
use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;
use faer::traits::ComplexField;
use faer::Mat;

/// `q` (`m×k`) and `r` (`k×n`) of each of `batch` row-major `m×n`
/// matrices, `k = m` when `full_matrices`, else `min(m, n)`.
pub fn run(dtype: DType, a: &Buffer, batch: usize, m: usize, n: usize, full: bool) -> [Buffer; 2] {
    with_linalg_type!(dtype, T => {
        let [q, r] = per_matrix::<T, _, 2>(a, batch, m, n, |x| {
            let f = x.qr();
            let k = if full { m } else { m.min(n) };
            let q = if full { f.compute_Q() } else { f.compute_thin_Q() };
            // faer's R has min(m, n) rows; the complete R is zero below them.
            let thin = f.thin_R();
            let r = Mat::from_fn(k, n, |i, j| {
                if i < thin.nrows() {
                    thin[(i, j)]
                } else {
                    T::zero_impl()
                }
            });
            [row_major_bytes(q.as_ref()), row_major_bytes(r.as_ref())]
        });
        [buffer(&q), buffer(&r)]
    })
}
