//! `cholesky` kernel: the lower Cholesky factor of each matrix of a batch,
//! reading only its lower triangle. A matrix that is not positive definite
//! gives NaNs in the lower triangle (JAX's NaN matrix, then `tril`).

use super::{par_for, LinalgScalar};
use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::factor::{cholesky_in_place, cholesky_in_place_scratch};
use faer::Mat;

/// Factors `batch` row-major `n × n` matrices of `dtype`.
pub fn cholesky(x: &Buffer, dtype: DType, batch: usize, n: usize) -> Buffer {
    with_linalg_type!(dtype, T => factor_all::<T>(x, batch, n))
}

fn factor_all<T: LinalgScalar>(x: &Buffer, batch: usize, n: usize) -> Buffer {
    let src = x.as_slice::<T>();
    let mut out = Buffer::for_elements::<T>(batch * n * n);
    let dst = out.as_mut_slice::<T>();
    let par = par_for(n);
    let mut mem = MemBuffer::new(cholesky_in_place_scratch::<T>(n, par, Default::default()));
    let mut m = Mat::<T>::zeros(n, n);
    for b in 0..batch {
        let s = &src[b * n * n..(b + 1) * n * n];
        for j in 0..n {
            for i in j..n {
                m[(i, j)] = s[i * n + j];
            }
        }
        let ok = cholesky_in_place(
            m.as_mut(),
            Default::default(),
            par,
            MemStack::new(&mut mem),
            Default::default(),
        )
        .is_ok();
        let d = &mut dst[b * n * n..(b + 1) * n * n];
        for i in 0..n {
            for j in 0..n {
                d[i * n + j] = match (ok, j <= i) {
                    (_, false) => T::ZERO,
                    (false, true) => T::NAN,
                    (true, true) => m[(i, j)],
                };
            }
        }
    }
    out
}
