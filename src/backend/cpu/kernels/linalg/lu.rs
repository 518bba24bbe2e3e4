//! `lu` kernel: LU decomposition with partial pivoting, `P a = L U`, of each
//! `m × n` matrix of a batch, with LAPACK's outputs (`getrf`): the packed
//! factors, the row swaps (`pivots`, 0-based) and the permutation.
//!
//! faer's blocked factorization does the work. It divides by a zero pivot,
//! where LAPACK leaves that column unscaled, so a matrix with an exactly
//! zero pivot is refactored by a plain LAPACK-style loop: singular input
//! gives LAPACK's (finite) factors, like JAX.

use super::{par_for, LinalgScalar};
use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::lu::partial_pivoting::factor::{lu_in_place, lu_in_place_scratch};
use faer::Mat;

/// Factors `batch` row-major `m × n` matrices of `dtype`; returns the
/// factors, the int32 pivots (`min(m, n)` per matrix) and the int32
/// permutation (`m` per matrix).
pub fn lu(x: &Buffer, dtype: DType, batch: usize, m: usize, n: usize) -> (Buffer, Buffer, Buffer) {
    with_linalg_type!(dtype, T => factor_all::<T>(x, batch, m, n))
}

fn factor_all<T: LinalgScalar>(
    x: &Buffer,
    batch: usize,
    m: usize,
    n: usize,
) -> (Buffer, Buffer, Buffer) {
    let k = m.min(n);
    let src = x.as_slice::<T>();
    let mut out = Buffer::for_elements::<T>(batch * m * n);
    let mut pivots = Buffer::for_elements::<i32>(batch * k);
    let mut perms = Buffer::for_elements::<i32>(batch * m);
    let dst = out.as_mut_slice::<T>();
    let piv = pivots.as_mut_slice::<i32>();
    let prm = perms.as_mut_slice::<i32>();
    let par = par_for(k);
    let mut mem = MemBuffer::new(lu_in_place_scratch::<usize, T>(
        m,
        n,
        par,
        Default::default(),
    ));
    let mut a = Mat::<T>::zeros(m, n);
    let (mut perm, mut perm_inv) = (vec![0usize; m], vec![0usize; m]);
    for b in 0..batch {
        let s = &src[b * m * n..(b + 1) * m * n];
        let d = &mut dst[b * m * n..(b + 1) * m * n];
        let p = &mut piv[b * k..(b + 1) * k];
        let q = &mut prm[b * m..(b + 1) * m];
        a.copy_from(faer::MatRef::from_row_major_slice(s, m, n));
        lu_in_place(
            a.as_mut(),
            &mut perm,
            &mut perm_inv,
            par,
            MemStack::new(&mut mem),
            Default::default(),
        );
        if (0..k).any(|i| a[(i, i)] == T::ZERO) {
            d.copy_from_slice(s);
            lapack_style(d, m, n, p);
            permutation_from_pivots(p, q);
            continue;
        }
        faer::MatMut::from_row_major_slice_mut(d, m, n).copy_from(a.as_ref());
        pivots_from_permutation(&perm, p);
        for (qi, &r) in q.iter_mut().zip(&perm) {
            *qi = r as i32;
        }
    }
    (out, pivots, perms)
}

/// The row swaps that build `perm` (row `i` of `P a` is row `perm[i]` of
/// `a`): at step `i`, the row wanted at `i` is swapped in from where it is.
fn pivots_from_permutation(perm: &[usize], pivots: &mut [i32]) {
    let m = perm.len();
    let mut row_at: Vec<usize> = (0..m).collect();
    let mut pos: Vec<usize> = (0..m).collect();
    for (i, p) in pivots.iter_mut().enumerate() {
        let j = pos[perm[i]];
        *p = j as i32;
        row_at.swap(i, j);
        pos[row_at[i]] = i;
        pos[row_at[j]] = j;
    }
}

/// The permutation produced by applying the row swaps `pivots` in order.
fn permutation_from_pivots(pivots: &[i32], perm: &mut [i32]) {
    for (i, p) in perm.iter_mut().enumerate() {
        *p = i as i32;
    }
    for (i, &j) in pivots.iter().enumerate() {
        perm.swap(i, j as usize);
    }
}

/// Unblocked right-looking LU in place on a row-major `m × n` matrix, as
/// LAPACK's `getf2`: the first entry of largest `|re| + |im|` pivots; a zero
/// pivot column is left unscaled.
fn lapack_style<T: LinalgScalar>(a: &mut [T], m: usize, n: usize, pivots: &mut [i32]) {
    for (j, pj) in pivots.iter_mut().enumerate() {
        let mut p = j;
        let mut best = a[j * n + j].abs1();
        for i in j + 1..m {
            let v = a[i * n + j].abs1();
            if v > best {
                best = v;
                p = i;
            }
        }
        *pj = p as i32;
        if p != j {
            for c in 0..n {
                a.swap(j * n + c, p * n + c);
            }
        }
        let pivot = a[j * n + j];
        if pivot == T::ZERO {
            continue;
        }
        for i in j + 1..m {
            let l = a[i * n + j] / pivot;
            a[i * n + j] = l;
            for c in j + 1..n {
                a[i * n + c] -= l * a[j * n + c];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pivots_and_permutations_round_trip() {
        let perm = [2usize, 0, 3, 1];
        let mut piv = [0i32; 4];
        pivots_from_permutation(&perm, &mut piv);
        let mut back = [0i32; 4];
        permutation_from_pivots(&piv, &mut back);
        assert_eq!(back, [2, 0, 3, 1]);
    }

    #[test]
    fn a_zero_column_is_left_unscaled() {
        // Rank 1: the second pivot is exactly zero; LAPACK leaves zeros, no NaN.
        let mut a = vec![1.0f64, 2.0, 3.0, 2.0, 4.0, 6.0, 3.0, 6.0, 9.0];
        let mut piv = [0i32; 3];
        lapack_style(&mut a, 3, 3, &mut piv);
        assert!(a.iter().all(|v| v.is_finite()), "{a:?}");
        assert_eq!(piv, [2, 1, 2]);
    }
}
