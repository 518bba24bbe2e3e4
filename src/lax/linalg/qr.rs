//! `qr`: Householder QR decomposition `x = q @ r` of `(..., m, n)`
//! matrices, like `jax.lax.linalg.qr` (no pivoting).

use super::util::{cast, eye, matmul, mh, py_bool, real, tril, upper_triangular_inverse};
use super::{aval, batch_leading, matrix_operand};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::linalg::qr as kernel;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::trace::bind;
use crate::lax::ad_util::{not_linear, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::batching::BatchResult;
use crate::lax::{self, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// QR decomposition: `q` is `(..., m, k)` with orthonormal columns and `r`
/// is `(..., k, n)` upper triangular, `k = m` with `full_matrices`, else
/// `min(m, n)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Qr {
    /// Whether `q` is square (`m×m`) and `r` is `m×n`.
    pub full_matrices: bool,
}

impl PrimitiveRules for Qr {
    fn name(&self) -> &'static str {
        "qr"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("full_matrices", py_bool(self.full_matrices)),
            ("pivoting", "False".into()),
            ("use_magma", "None".into()),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        let (batch, m, n) = matrix_operand("qr", 0, inputs[0]);
        let k = if self.full_matrices { m } else { m.min(n) };
        let d = inputs[0].dtype;
        smallvec![aval(&batch, &[m, k], d), aval(&batch, &[k, n], d)]
    }
    fn impl_cpu(
        &self,
        inputs: &[&ShapedArray],
        bufs: &[&Buffer],
        _outs: &[ShapedArray],
    ) -> Buffers {
        let (batch, m, n) = matrix_operand("qr", 0, inputs[0]);
        let count = batch.iter().product();
        kernel::run(inputs[0].dtype, bufs[0], count, m, n, self.full_matrices)
            .into_iter()
            .collect()
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    /// JAX's `qr_jvp_rule`: the thin rule for `m >= n`, the square block
    /// plus `dR2 = dQᴴ X2 + Qᴴ dX2` for wide matrices.
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let x = primals[0];
        let dx = tangents[0].expect("qr jvp needs a tangent");
        let outs = bind(&self.clone().into(), &[x]);
        let (q, r) = (&outs[0], &outs[1]);
        let nd = x.ndim();
        let (m, n) = (x.shape()[nd - 2], x.shape()[nd - 1]);
        let cols = |a: &Array, c0: usize, c1: usize| {
            let mut lo = vec![0; nd];
            let mut hi = a.shape().to_vec();
            lo[nd - 1] = c0;
            hi[nd - 1] = c1;
            lax::slice(a, &lo, &hi)
        };
        let (dq, dr) = if m < n {
            let (x2, dx1, dx2, r1) = (cols(x, m, n), cols(dx, 0, m), cols(dx, m, n), cols(r, 0, m));
            let (dq, dr1) = thin_qr_jvp(q, &r1, &dx1);
            let dr2 = lax::add(&matmul(&mh(&dq), &x2), &matmul(&mh(q), &dx2));
            (dq, lax::concatenate(&[&dr1, &dr2], nd - 1))
        } else if !self.full_matrices || m == n {
            thin_qr_jvp(q, r, dx)
        } else {
            panic!(
                "NotImplementedError: the jvp of qr with full_matrices=True for a tall matrix \
                 (m={m} > n={n}) needs an LU solve that jaxide's qr rule does not use; \
                 differentiate the reduced decomposition (full_matrices=False) instead."
            )
        };
        (outs, smallvec![Some(dq), Some(dr)])
    }
    fn transpose(&self, _cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        not_linear("qr")
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Nonlinear
    }
    fn batch(&self, args: &[&Array], dims: &[Option<usize>], size: usize) -> BatchResult {
        batch_leading(self.clone().into(), args, dims, size)
    }
}

/// JAX's `_thin_qr_jvp` for `(..., m, n)` with `m >= n` (`q` is `m×n`, `r` `n×n`).
fn thin_qr_jvp(q: &Array, r: &Array, dx: &Array) -> (Array, Array) {
    let dx_rinv = matmul(dx, &upper_triangular_inverse(r));
    let qt_dx_rinv = matmul(&mh(q), &dx_rinv);
    let low = tril(&qt_dx_rinv, -1);
    let mut d_o = lax::sub(&low, &mh(&low));
    if qt_dx_rinv.dtype().is_complex() {
        let nd = r.ndim();
        let n = r.shape()[nd - 1];
        let i = eye(qt_dx_rinv.dtype(), &r.shape()[..nd - 2], n);
        let imag = lax::sub(&qt_dx_rinv, &cast(&real(&qt_dx_rinv), qt_dx_rinv.dtype()));
        d_o = lax::add(&d_o, &lax::mul(&i, &imag));
    }
    let dq = lax::add(&matmul(q, &lax::sub(&d_o, &qt_dx_rinv)), &dx_rinv);
    let dr = matmul(&lax::sub(&qt_dx_rinv, &d_o), r);
    (dq, dr)
}

/// The QR decomposition `(q, r)` of `(..., m, n)` matrices
/// (`jax.lax.linalg.qr(x, full_matrices=...)`).
pub fn qr(x: &Array, full_matrices: bool) -> (Array, Array) {
    let mut outs = bind(&Qr { full_matrices }.into(), &[x]);
    let r = outs.pop().unwrap();
    (outs.pop().unwrap(), r)
}
