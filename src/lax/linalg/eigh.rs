//! `eigh`: eigendecomposition of symmetric/Hermitian `(..., n, n)`
//! matrices, like `jax.lax.linalg.eigh`: outputs `v` (eigenvectors as
//! columns) and `w` (real eigenvalues, ascending).

use super::util::py_bool;
use super::util::{cast, diagonal, expand, eye, matmul, mh, real, scalar};
use super::{aval, batch_leading, matrix_operand};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::linalg::eigh as kernel;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::fmt_tuple;
use crate::core::trace::bind;
use crate::lax::ad_util::{not_linear, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::batching::BatchResult;
use crate::lax::{self, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// Symmetric (Hermitian) eigendecomposition `a = v diag(w) vᴴ`, reading
/// one triangle of `a`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Eigh {
    /// Whether the lower triangle (else the upper) is read.
    pub lower: bool,
    /// Whether eigenvalues are sorted ascending (the CPU kernel always sorts, as JAX's does).
    pub sort_eigenvalues: bool,
}

impl PrimitiveRules for Eigh {
    fn name(&self) -> &'static str {
        "eigh"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("algorithm", "None".into()),
            ("lower", py_bool(self.lower)),
            ("sort_eigenvalues", py_bool(self.sort_eigenvalues)),
            ("subset_by_index", "None".into()),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        let (batch, m, n) = matrix_operand("eigh", 0, inputs[0]);
        if m != n {
            panic!(
                "ValueError: Argument to symmetric eigendecomposition must have shape [..., n, n], \
                 got shape {}",
                fmt_tuple(&[m, n])
            );
        }
        let d = inputs[0].dtype;
        smallvec![aval(&batch, &[n, n], d), aval(&batch, &[n], d.real_dtype())]
    }
    fn impl_cpu(
        &self,
        inputs: &[&ShapedArray],
        bufs: &[&Buffer],
        _outs: &[ShapedArray],
    ) -> Buffers {
        let (batch, _, n) = matrix_operand("eigh", 0, inputs[0]);
        let count = batch.iter().product();
        kernel::run(inputs[0].dtype, bufs[0], count, n, self.lower)
            .into_iter()
            .collect()
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    /// JAX's `_eigh_jvp_rule` (nondegenerate perturbation theory):
    /// `dv = v (F ∘ vᴴ da v)`, `dw = Re diag(vᴴ da v)`, `F_ij = 1/(w_j - w_i)`
    /// off the diagonal and 0 on it. The primal is the decomposition of
    /// the symmetrized input.
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let a = primals[0];
        let da = tangents[0].expect("eigh jvp needs a tangent");
        let sym = lax::mul(&lax::add(a, &mh(a)), &scalar(0.5, a.dtype()));
        let outs = bind(&self.clone().into(), &[&sym]);
        let (v, w_real) = (&outs[0], &outs[1]);
        let nd = a.ndim();
        let n = a.shape()[nd - 1];
        let w = cast(w_real, a.dtype());
        let i = eye(a.dtype(), &a.shape()[..nd - 2], n);
        let wd = w.ndim();
        let diff = lax::sub(&expand(&w, wd - 1, n), &expand(&w, wd, n));
        let fmat = lax::sub(&lax::integer_pow(&lax::add(&i, &diff), -1), &i);
        let vdag_adot_v = matmul(&matmul(&mh(v), da), v);
        let dv = matmul(v, &lax::mul(&fmat, &vdag_adot_v));
        let dw = diagonal(&real(&vdag_adot_v));
        (outs.clone(), smallvec![Some(dv), Some(dw)])
    }
    fn transpose(&self, _cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        not_linear("eigh")
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Nonlinear
    }
    fn batch(&self, args: &[&Array], dims: &[Option<usize>], size: usize) -> BatchResult {
        batch_leading(self.clone().into(), args, dims, size)
    }
}

/// Eigenvectors `v` and ascending eigenvalues `w` of symmetric/Hermitian
/// `(..., n, n)` matrices (`jax.lax.linalg.eigh`): with `symmetrize_input`
/// the input is first replaced by `(x + xᴴ) / 2`; otherwise only the
/// `lower` (or upper) triangle is read.
pub fn eigh(
    x: &Array,
    lower: bool,
    symmetrize_input: bool,
    sort_eigenvalues: bool,
) -> (Array, Array) {
    let prim = Eigh {
        lower,
        sort_eigenvalues,
    };
    prim.abstract_eval(&[x.aval()]);
    let x = if symmetrize_input {
        lax::mul(&lax::add(x, &mh(x)), &scalar(0.5, x.dtype()))
    } else {
        x.clone()
    };
    let mut outs = bind(&prim.into(), &[&x]);
    let w = outs.pop().unwrap();
    (outs.pop().unwrap(), w)
}
