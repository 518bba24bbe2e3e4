//! `eig`: eigendecomposition of general square `(..., n, n)` matrices,
//! like `jax.lax.linalg.eig`: complex eigenvalues `w`, then left and right
//! eigenvectors as asked. Differentiable in the eigenvalues only.

use super::util::py_bool;
use super::util::{cast, diagonal, matmul, mh};
use super::{aval, batch_leading, matrix_operand};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::linalg::eig as kernel;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::fmt_tuple;
use crate::core::trace::bind;
use crate::lax::ad_util::{not_linear, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::batching::BatchResult;
use crate::lax::{self, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// General eigendecomposition: `a vr[:, j] = w[j] vr[:, j]` and
/// `vl[:, j]ᴴ a = w[j] vl[:, j]ᴴ`, every output complex; each eigenvector
/// has unit norm and a real largest component (LAPACK's `geev` convention).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Eig {
    /// Whether left eigenvectors are returned.
    pub compute_left_eigenvectors: bool,
    /// Whether right eigenvectors are returned.
    pub compute_right_eigenvectors: bool,
}

impl PrimitiveRules for Eig {
    fn name(&self) -> &'static str {
        "eig"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "compute_left_eigenvectors",
                py_bool(self.compute_left_eigenvectors),
            ),
            (
                "compute_right_eigenvectors",
                py_bool(self.compute_right_eigenvectors),
            ),
            ("enable_eigvec_derivs", "False".into()),
            ("implementation", "None".into()),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        let (batch, m, n) = matrix_operand("eig", 0, inputs[0]);
        if m != n {
            panic!(
                "ValueError: The input to eig must be a square matrix. Got shape {}.",
                fmt_tuple(&[m, n])
            );
        }
        let c = inputs[0].dtype.complex_dtype();
        let mut out: Avals = smallvec![aval(&batch, &[n], c)];
        let count =
            self.compute_left_eigenvectors as usize + self.compute_right_eigenvectors as usize;
        for _ in 0..count {
            out.push(aval(&batch, &[n, n], c));
        }
        out
    }
    fn impl_cpu(
        &self,
        inputs: &[&ShapedArray],
        bufs: &[&Buffer],
        _outs: &[ShapedArray],
    ) -> Buffers {
        let (batch, _, n) = matrix_operand("eig", 0, inputs[0]);
        let count = batch.iter().product();
        let (l, r) = (
            self.compute_left_eigenvectors,
            self.compute_right_eigenvectors,
        );
        kernel::run(inputs[0].dtype, bufs[0], count, n, l, r)
            .into_iter()
            .collect()
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    /// JAX's `eig_jvp_rule` for the eigenvalues, `dw = diag(vr⁻¹ da vr)`,
    /// with `vr⁻¹`'s rows from the left eigenvectors:
    /// `dw_j = vl_jᴴ da vr_j / (vl_jᴴ vr_j)`. Eigenvector derivatives are
    /// JAX's NotImplementedError (they need `enable_eigvec_derivs`).
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        if self.compute_left_eigenvectors || self.compute_right_eigenvectors {
            panic!(
                "NotImplementedError: Derivatives of non-symmetric eigenvectors are only valid \
                 under assumptions on the input that JAX cannot check (see the \
                 enable_eigvec_derivs argument to jax.lax.linalg.eig). jaxide differentiates \
                 only the eigenvalues: use compute_left_eigenvectors=False, \
                 compute_right_eigenvectors=False. See \
                 https://github.com/jax-ml/jax/issues/2748 for discussion."
            );
        }
        let a = primals[0];
        let da = tangents[0].expect("eig jvp needs a tangent");
        let full = Eig {
            compute_left_eigenvectors: true,
            compute_right_eigenvectors: true,
        };
        let outs = bind(&full.into(), &[a]);
        let (w, vl, vr) = (&outs[0], &outs[1], &outs[2]);
        let da = cast(da, vr.dtype());
        let vlh = mh(vl);
        let num = diagonal(&matmul(&matmul(&vlh, &da), vr));
        let den = diagonal(&matmul(&vlh, vr));
        (smallvec![w.clone()], smallvec![Some(lax::div(&num, &den))])
    }
    fn transpose(&self, _cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        not_linear("eig")
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Nonlinear
    }
    fn batch(&self, args: &[&Array], dims: &[Option<usize>], size: usize) -> BatchResult {
        batch_leading(self.clone().into(), args, dims, size)
    }
}

/// The eigendecomposition of general `(..., n, n)` matrices
/// (`jax.lax.linalg.eig`): `[w]`, then `vl` and `vr` as asked.
pub fn eig(
    x: &Array,
    compute_left_eigenvectors: bool,
    compute_right_eigenvectors: bool,
) -> Vec<Array> {
    let prim = Eig {
        compute_left_eigenvectors,
        compute_right_eigenvectors,
    };
    bind(&prim.into(), &[x]).into_iter().collect()
}
