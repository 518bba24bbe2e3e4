//! `eig` kernel: eigendecomposition of general square matrices (faer's
//! Hessenberg–Schur algorithm), complex results as LAPACK's `geev` gives them.

use super::{buffer, bytes_of, per_matrix, row_major_bytes, with_linalg_type};
use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;
use faer::linalg::solvers::DenseSolveCore;
use faer::traits::ComplexField;
use faer::Mat;
use num_complex::Complex;

/// Eigenvalues `w` (`n`) then, as asked, left eigenvectors `vl` (`n×n`,
/// `vl[:, j]^H a = w[j] vl[:, j]^H`) and right eigenvectors `vr`
/// (`a vr[:, j] = w[j] vr[:, j]`) of each of `batch` row-major `n×n`
/// matrices, all complex. Each eigenvector has unit 2-norm and a real
/// largest-magnitude component (LAPACK's normalization). A failure gives NaNs.
pub fn run(
    dtype: DType,
    a: &Buffer,
    batch: usize,
    n: usize,
    left: bool,
    right: bool,
) -> Vec<Buffer> {
    with_linalg_type!(dtype, T => {
        type R = <T as ComplexField>::Real;
        let [w, vl, vr] = per_matrix::<T, _, 3>(a, batch, n, n, |x| {
            let nan = Complex::new(R::nan_impl(), R::nan_impl());
            let (w, v): (Vec<Complex<R>>, Mat<Complex<R>>) = match x.eigen() {
                Ok(e) => ((0..n).map(|i| e.S()[i]).collect(), e.U().to_owned()),
                Err(_) => (vec![nan; n], Mat::from_fn(n, n, |_, _| nan)),
            };
            let vl = if left {
                // Rows of v⁻¹ are the left eigenvectors (conjugated).
                let inv = v.partial_piv_lu().inverse();
                let mut u = inv.adjoint().to_owned();
                normalize_columns(&mut u);
                row_major_bytes(u.as_ref())
            } else {
                vec![]
            };
            let vr = if right {
                let mut v = v;
                normalize_columns(&mut v);
                row_major_bytes(v.as_ref())
            } else {
                vec![]
            };
            [bytes_of(&w), vl, vr]
        });
        let mut out = vec![buffer(&w)];
        if left {
            out.push(buffer(&vl));
        }
        if right {
            out.push(buffer(&vr));
        }
        out
    })
}

/// Scales each column to unit 2-norm with its largest-magnitude entry real
/// and positive.
fn normalize_columns<R: num_traits::Float>(v: &mut Mat<Complex<R>>) {
    for j in 0..v.ncols() {
        let mut norm2 = R::zero();
        let mut big = Complex::new(R::zero(), R::zero());
        for i in 0..v.nrows() {
            let z = v[(i, j)];
            norm2 = norm2 + z.norm_sqr();
            if z.norm_sqr() > big.norm_sqr() {
                big = z;
            }
        }
        if norm2 == R::zero() {
            continue;
        }
        // conj(big)/|big| rotates the largest entry onto the positive reals.
        let scale = big.conj() / (big.norm() * norm2.sqrt());
        for i in 0..v.nrows() {
            v[(i, j)] = v[(i, j)] * scale;
        }
    }
}
