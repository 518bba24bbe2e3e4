//! `lu`: LU decomposition with partial pivoting, `a[perm] = L U`, of a
//! batch of `m × n` matrices, with JAX's three outputs: the packed factors
//! (unit-diagonal `L` below the diagonal, `U` on and above it), the int32
//! row swaps `pivots` (`min(m, n)`) and the int32 `permutation` (`m`).

use super::matrix_operand;
use super::util::{batch_size, eye, matmul, permute_rows, tril, triu};
use super::{triangular_solve_with, TriangularSolveOptions};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::linalg::lu as kernel;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::shape::Shape;
use crate::core::trace::bind;
use crate::lax::ad_util::{Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::batching::{batch_first, BatchResult};
use crate::lax::{self, expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// The LU primitive (`lu_p`); no parameters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Lu;

impl PrimitiveRules for Lu {
    fn name(&self) -> &'static str {
        "lu"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 1);
        let x = inputs[0];
        let (batch, _, _) = matrix_operand(self.name(), 0, x);
        let nd = x.shape.len();
        let (m, n) = (x.shape[nd - 2], x.shape[nd - 1]);
        let with = |last: usize| {
            let mut s = batch.to_vec();
            s.push(last);
            ShapedArray::new(Shape::from(s), DType::I32)
        };
        smallvec![x.clone(), with(m.min(n)), with(m)]
    }
    fn impl_cpu(
        &self,
        inputs: &[&ShapedArray],
        bufs: &[&Buffer],
        _outs: &[ShapedArray],
    ) -> Buffers {
        let x = inputs[0];
        let nd = x.shape.len();
        let (m, n) = (x.shape[nd - 2], x.shape[nd - 1]);
        let (lu, pivots, perm) = kernel::lu(bufs[0], x.dtype, batch_size(&x.shape, 2), m, n);
        smallvec![lu, pivots, perm]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    /// JAX's rule (de Hoog, Anderssen and Lukas): with `X = L⁻¹ P ȧ U⁻¹`,
    /// `L̇ = L tril(X, -1)` and `U̇ = triu(X) U`, packed like the factors.
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let outs = bind(&self.clone().into(), primals);
        let a_dot = tangents[0].expect("lu jvp: a tangent");
        let (lu, perm) = (&outs[0], &outs[2]);
        let nd = lu.ndim();
        let (m, n) = (lu.shape()[nd - 2], lu.shape()[nd - 1]);
        let k = m.min(n);
        let dtype = lu.dtype();
        let zero = lax::ad_util::constant(0.0, dtype, false);
        let mut cfg = vec![(0i64, 0i64, 0i64); nd];
        let mut lo = vec![0; nd];
        let mut hi = lu.shape().to_vec();
        // L: the strict lower part of the first k columns, padded to m × m, plus I.
        hi[nd - 1] = k;
        cfg[nd - 1] = (0, (m - k) as i64, 0);
        let l = lax::pad(&tril(&lax::slice(lu, &lo, &hi), -1), &zero, &cfg);
        let l = lax::add(&l, &eye(dtype, &lu.shape()[..nd - 2], m));
        // U: the upper part of the first k rows, padded to n × n with I below.
        hi[nd - 1] = n;
        hi[nd - 2] = k;
        lo[nd - 2] = 0;
        cfg[nd - 1] = (0, 0, 0);
        cfg[nd - 2] = (0, (n - k) as i64, 0);
        let u = lax::pad(&triu(&lax::slice(lu, &lo, &hi), 0), &zero, &cfg);
        let corner = lax::pad(
            &eye(dtype, &[], n - k),
            &zero,
            &[(k as i64, 0, 0), (k as i64, 0, 0)],
        );
        let corner = lax::broadcast_in_dim(&corner, u.shape(), &[nd - 2, nd - 1]);
        let u = lax::add(&u, &corner);
        let pa_dot = matmul(&permutation_matrix(perm, dtype), a_dot);
        let la = triangular_solve_with(
            &l,
            &pa_dot,
            TriangularSolveOptions {
                left_side: true,
                lower: true,
                unit_diagonal: true,
                ..Default::default()
            },
        );
        let lau = triangular_solve_with(&u, &la, TriangularSolveOptions::default());
        let l_dot = matmul(&l, &tril(&lau, -1));
        let u_dot = matmul(&triu(&lau, 0), &u);
        let lu_dot = lax::add(&l_dot, &u_dot);
        (outs, smallvec![Some(lu_dot), None, None])
    }
    fn transpose(&self, _cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        crate::lax::ad_util::not_linear(self.name())
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Nonlinear
    }
    fn batch(&self, args: &[&Array], dims: &[Option<usize>], size: usize) -> BatchResult {
        let x = batch_first(args[0], dims[0], size);
        (bind(&self.clone().into(), &[&x]), smallvec![Some(0); 3])
    }
}

/// The one-hot matrices `P[..., i, j] = (perm[..., i] == j)` of `dtype`,
/// so that `P @ a == a[perm]`.
pub(crate) fn permutation_matrix(perm: &Array, dtype: DType) -> Array {
    let nd = perm.ndim();
    let m = perm.shape()[nd - 1];
    let mut shape = perm.shape().to_vec();
    shape.push(m);
    let dims: Vec<usize> = (0..nd).collect();
    let rows = lax::broadcast_in_dim(perm, &shape, &dims);
    let cols = lax::broadcasted_iota(perm.dtype(), &shape, nd);
    lax::convert_element_type(&lax::eq(&rows, &cols), dtype)
}

/// `lax.linalg.lu`: `(lu, pivots, permutation)` of `x` (`(..., m, n)`,
/// float or complex) with `x[permutation] = L U`; `pivots[i]` is the row
/// swapped with row `i` at step `i`. Singular matrices factor without error
/// (a zero on the diagonal of `U`), as with LAPACK.
pub fn lu(x: &Array) -> (Array, Array, Array) {
    let mut outs = bind(&Lu.into(), &[x]).into_iter();
    let lu = outs.next().unwrap();
    let pivots = outs.next().unwrap();
    (lu, pivots, outs.next().unwrap())
}

/// `lax.linalg.lu_solve`: solves `a x = b` (`trans` 0), `aᵀ x = b` (1) or
/// `aᴴ x = b` (2) from `lu(a)`'s factors and permutation. `b` is `(..., m,
/// k)`, or `(..., m)` (a vector) when it has one axis fewer than `lu`;
/// leading dims broadcast.
pub fn lu_solve(lu: &Array, permutation: &Array, b: &Array, trans: u8) -> Array {
    use crate::core::shape::fmt_tuple;
    if lu.ndim() < 2 || lu.shape()[lu.ndim() - 1] != lu.shape()[lu.ndim() - 2] {
        panic!(
            "ValueError: last two dimensions of LU decomposition must be equal, got shape {}",
            fmt_tuple(lu.shape())
        );
    }
    if b.ndim() < 1 {
        panic!(
            "ValueError: b matrix must have rank >= 1, got shape {}",
            fmt_tuple(b.shape())
        );
    }
    if trans > 2 {
        panic!("ValueError: 'trans' value must be 0, 1, or 2, got {trans}");
    }
    let m = lu.shape()[lu.ndim() - 1];
    let vector = lu.ndim() == b.ndim() + 1;
    let b = if vector {
        if b.shape()[b.ndim() - 1] != m {
            panic!(
                "ValueError: When LU decomposition matrix and b have the same number of \
                 dimensions, last axis of LU decomposition matrix (shape {}) and b array \
                 (shape {}) must match",
                fmt_tuple(lu.shape()),
                fmt_tuple(b.shape())
            );
        }
        let mut s = b.shape().to_vec();
        s.push(1);
        lax::reshape(b, &s)
    } else {
        if b.ndim() < 2 || b.shape()[b.ndim() - 2] != m {
            panic!(
                "ValueError: When LU decomposition matrix and b different numbers of \
                 dimensions, last axis of LU decomposition matrix (shape {}) and second to \
                 last axis of b array (shape {}) must match",
                fmt_tuple(lu.shape()),
                fmt_tuple(b.shape())
            );
        }
        b.clone()
    };
    let batch = broadcast_batch(&[
        &lu.shape()[..lu.ndim() - 2],
        &permutation.shape()[..permutation.ndim() - 1],
        &b.shape()[..b.ndim() - 2],
    ]);
    let to = |x: &Array, tail: usize| {
        let mut s = batch.clone();
        s.extend_from_slice(&x.shape()[x.ndim() - tail..]);
        broadcast_leading(x, &s)
    };
    let (lu, perm, b) = (to(lu, 2), to(permutation, 1), to(&b, 2));
    let opts = |lower: bool, unit_diagonal: bool| TriangularSolveOptions {
        left_side: true,
        lower,
        unit_diagonal,
        transpose_a: trans > 0,
        conjugate_a: trans == 2,
    };
    let x = if trans == 0 {
        let x = permute_rows(&b, &perm);
        let x = triangular_solve_with(&lu, &x, opts(true, true));
        triangular_solve_with(&lu, &x, opts(false, false))
    } else {
        let x = triangular_solve_with(&lu, &b, opts(false, false));
        let x = triangular_solve_with(&lu, &x, opts(true, true));
        let iota = lax::broadcasted_iota(DType::I32, perm.shape(), perm.ndim() - 1);
        let perm = lax::convert_element_type(&perm, DType::I32);
        let (_, inverse) = lax::sort_key_val(&perm, &iota, perm.ndim() - 1, true);
        permute_rows(&x, &inverse)
    };
    if vector {
        lax::squeeze(&x, &[x.ndim() - 1])
    } else {
        x
    }
}

/// NumPy's broadcast of batch shapes; panics on a mismatch.
fn broadcast_batch(shapes: &[&[usize]]) -> Vec<usize> {
    let rank = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    (0..rank)
        .map(|i| {
            let dims = shapes
                .iter()
                .filter_map(|s| (i + s.len()).checked_sub(rank).map(|j| s[j]));
            dims.fold(1, |acc, d| match (acc, d) {
                (1, d) => d,
                (a, 1) => a,
                (a, d) if a == d => a,
                _ => panic!(
                    "ValueError: Incompatible shapes for broadcasting: {}",
                    shapes
                        .iter()
                        .map(|s| crate::core::shape::fmt_tuple(s))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
        })
        .collect()
}

/// `x` broadcast to `shape` (leading dims added or stretched from 1).
pub(crate) fn broadcast_leading(x: &Array, shape: &[usize]) -> Array {
    if x.shape() == shape {
        return x.clone();
    }
    let off = shape.len() - x.ndim();
    let dims: Vec<usize> = (off..shape.len()).collect();
    lax::broadcast_in_dim(x, shape, &dims)
}

/// `lax.linalg.lu_pivots_to_permutation`: the int32 permutation (`(...,
/// permutation_size)`) made by applying the row swaps `pivots` (`(..., k)`)
/// in order to the identity. Unrolled over the `k` swaps, on lax ops.
pub fn lu_pivots_to_permutation(pivots: &Array, permutation_size: usize) -> Array {
    let nd = pivots.ndim();
    if nd < 1 {
        panic!(
            "ValueError: Argument to lu_pivots_to_permutation must have rank >= 1, got shape ()"
        );
    }
    let k = pivots.shape()[nd - 1];
    if k > permutation_size {
        panic!(
            "ValueError: Output permutation size {permutation_size} has to exceed the trailing \
             dimension of the pivots. Got pivots size {k}"
        );
    }
    let pivots = lax::convert_element_type(pivots, DType::I32);
    let mut shape = pivots.shape()[..nd - 1].to_vec();
    shape.push(permutation_size);
    let iota = lax::broadcasted_iota(DType::I32, &shape, nd - 1);
    let batch: Vec<usize> = (0..nd - 1).collect();
    let pick = |x: &Array, i: usize| {
        let mut lo = vec![0; nd];
        let mut hi = x.shape().to_vec();
        lo[nd - 1] = i;
        hi[nd - 1] = i + 1;
        lax::reshape(&lax::slice(x, &lo, &hi), &x.shape()[..nd - 1])
    };
    let mut perm = iota.clone();
    for i in 0..k {
        let j = lax::broadcast_in_dim(&pick(&pivots, i), &shape, &batch);
        let at_j = lax::eq(&iota, &j);
        // perm[j], read as the sum of the one entry where iota == j.
        let zero = lax::ad_util::zeros(perm.aval());
        let pj = lax::reduce(
            &lax::select(&at_j, &perm, &zero),
            crate::ir::ReduceOp::Sum,
            &[nd - 1],
        );
        let pi = pick(&perm, i);
        let i_const = lax::ad_util::constant(i as f64, DType::I32, false);
        let at_i = lax::eq(&iota, &i_const);
        let pj = lax::broadcast_in_dim(&pj, &shape, &batch);
        let pi = lax::broadcast_in_dim(&pi, &shape, &batch);
        perm = lax::select(&at_i, &pj, &lax::select(&at_j, &pi, &perm));
    }
    perm
}
