//! `triangular_solve` kernel: solves `op(a) x = b` or `x op(a) = b` for
//! triangular `a`, batched, reading only the named triangle of `a`.

use super::{par_for, LinalgScalar};
use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;
use faer::linalg::triangular_solve as ts;
use faer::Mat;

/// The options of a triangular solve (JAX's `lax.linalg.triangular_solve`).
#[derive(Copy, Clone, Debug)]
pub struct TriangularSolveSpec {
    /// Solve `op(a) x = b` (true) or `x op(a) = b` (false).
    pub left_side: bool,
    /// Whether `a` is lower triangular.
    pub lower: bool,
    /// Whether `op` transposes `a`.
    pub transpose_a: bool,
    /// Whether `op` conjugates `a`.
    pub conjugate_a: bool,
    /// Whether the diagonal of `a` is taken as ones (and not read).
    pub unit_diagonal: bool,
}

/// Solves a batch: `a` holds `batch` row-major `m × m` matrices and `b`
/// holds `batch` row-major `rows × cols` matrices (`rows == m` on the left
/// side, `cols == m` on the right).
pub fn triangular_solve(
    a: &Buffer,
    b: &Buffer,
    dtype: DType,
    batch: usize,
    m: usize,
    (rows, cols): (usize, usize),
    spec: TriangularSolveSpec,
) -> Buffer {
    with_linalg_type!(dtype, T => solve_all::<T>(a, b, batch, m, rows, cols, spec))
}

fn solve_all<T: LinalgScalar>(
    a: &Buffer,
    b: &Buffer,
    batch: usize,
    m: usize,
    rows: usize,
    cols: usize,
    spec: TriangularSolveSpec,
) -> Buffer {
    let (av, bv) = (a.as_slice::<T>(), b.as_slice::<T>());
    let mut out = Buffer::for_elements::<T>(batch * rows * cols);
    let dst = out.as_mut_slice::<T>();
    // Everything becomes a left-side solve `E X = R`: on the right side,
    // `x op(a) = b` is `op(a)ᵀ xᵀ = bᵀ`.
    let transposed = spec.transpose_a ^ !spec.left_side;
    let e_lower = spec.lower ^ transposed;
    let k = if spec.left_side { cols } else { rows };
    let mut e = Mat::<T>::zeros(
        if spec.conjugate_a { m } else { 0 },
        if spec.conjugate_a { m } else { 0 },
    );
    let mut r = Mat::<T>::zeros(m, k);
    let par = par_for(m.max(k));
    for bi in 0..batch {
        let s = &av[bi * m * m..(bi + 1) * m * m];
        // Without conjugation faer reads the triangle in place: a
        // row-major view (transposed as needed) needs no copy of `a`.
        let view = faer::MatRef::from_row_major_slice(s, m, m);
        let view = if transposed { view.transpose() } else { view };
        let direct = !spec.conjugate_a;
        for i in 0..if direct { 0 } else { m } {
            for j in 0..m {
                if (spec.lower && j <= i) || (!spec.lower && j >= i) {
                    let v = if spec.conjugate_a {
                        s[i * m + j].conjugate()
                    } else {
                        s[i * m + j]
                    };
                    if transposed {
                        e[(j, i)] = v;
                    } else {
                        e[(i, j)] = v;
                    }
                }
            }
        }
        let sb = &bv[bi * rows * cols..(bi + 1) * rows * cols];
        for i in 0..rows {
            for j in 0..cols {
                if spec.left_side {
                    r[(i, j)] = sb[i * cols + j];
                } else {
                    r[(j, i)] = sb[i * cols + j];
                }
            }
        }
        let e_ref = if direct { view } else { e.as_ref() };
        match (e_lower, spec.unit_diagonal) {
            (true, false) => ts::solve_lower_triangular_in_place(e_ref, r.as_mut(), par),
            (true, true) => ts::solve_unit_lower_triangular_in_place(e_ref, r.as_mut(), par),
            (false, false) => ts::solve_upper_triangular_in_place(e_ref, r.as_mut(), par),
            (false, true) => ts::solve_unit_upper_triangular_in_place(e_ref, r.as_mut(), par),
        }
        let d = &mut dst[bi * rows * cols..(bi + 1) * rows * cols];
        for i in 0..rows {
            for j in 0..cols {
                d[i * cols + j] = if spec.left_side { r[(i, j)] } else { r[(j, i)] };
            }
        }
    }
    out
}
