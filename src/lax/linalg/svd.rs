//! `svd`: singular value decomposition `a = u diag(s) vt` of `(..., m, n)`
//! matrices, like `jax.lax.linalg.svd`: `s` real and descending.

use super::util::py_bool;
use super::util::{cast, diag_embed, diagonal, expand, eye, matmul, mh, mt, real, scalar};
use super::{aval, batch_leading, matrix_operand};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::linalg::svd as kernel;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::trace::bind;
use crate::lax::ad_util::{not_linear, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::batching::BatchResult;
use crate::lax::{self, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// Singular value decomposition. Outputs `s` (`(..., k)`, `k = min(m, n)`)
/// and, with `compute_uv`, `u` (`(..., m, m)` or `(..., m, k)`) and `vt`
/// (`(..., n, n)` or `(..., k, n)`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Svd {
    /// Whether `u` and `vt` are square.
    pub full_matrices: bool,
    /// Whether `u` and `vt` are computed (else only `s`).
    pub compute_uv: bool,
}

impl PrimitiveRules for Svd {
    fn name(&self) -> &'static str {
        "svd"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("algorithm", "None".into()),
            ("compute_uv", py_bool(self.compute_uv)),
            ("full_matrices", py_bool(self.full_matrices)),
            ("subset_by_index", "None".into()),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        let (batch, m, n) = matrix_operand("svd", 0, inputs[0]);
        let k = m.min(n);
        let d = inputs[0].dtype;
        let s = aval(&batch, &[k], d.real_dtype());
        if !self.compute_uv {
            return smallvec![s];
        }
        let (uc, vr) = if self.full_matrices { (m, n) } else { (k, k) };
        smallvec![s, aval(&batch, &[m, uc], d), aval(&batch, &[vr, n], d)]
    }
    fn impl_cpu(
        &self,
        inputs: &[&ShapedArray],
        bufs: &[&Buffer],
        _outs: &[ShapedArray],
    ) -> Buffers {
        let (batch, m, n) = matrix_operand("svd", 0, inputs[0]);
        let count = batch.iter().product();
        let (full, uv) = (self.full_matrices, self.compute_uv);
        kernel::run(inputs[0].dtype, bufs[0], count, (m, n), full, uv)
            .into_iter()
            .collect()
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    /// JAX's `_svd_jvp_rule`, on the reduced decomposition.
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let a = primals[0];
        let da = tangents[0].expect("svd jvp needs a tangent");
        let nd = a.ndim();
        let (m, n) = (a.shape()[nd - 2], a.shape()[nd - 1]);
        if self.compute_uv && self.full_matrices && m != n {
            panic!("NotImplementedError: Singular value decomposition JVP not implemented for full matrices");
        }
        let thin = Svd {
            full_matrices: false,
            compute_uv: true,
        };
        let outs = bind(&thin.into(), &[a]);
        let (s, u, vt) = (&outs[0], &outs[1], &outs[2]);
        let (ut, v) = (mh(u), mh(vt));
        let dt = a.dtype();
        let ds_mat = matmul(&matmul(&ut, da), &v);
        let ds = diagonal(&real(&ds_mat));
        if !self.compute_uv {
            return (smallvec![s.clone()], smallvec![Some(ds)]);
        }
        let k = s.shape()[s.ndim() - 1];
        let sd = s.ndim();
        let s_dim = expand(s, sd - 1, k); // [i, j] = s_j
        let s_col = mt(&s_dim); // [i, j] = s_i
        let s_diffs = lax::mul(&lax::add(&s_dim, &s_col), &lax::sub(&s_dim, &s_col));
        let i_real = eye(s.dtype(), &s.shape()[..sd - 1], k);
        let one = scalar(1.0, s.dtype());
        let f = lax::sub(&lax::div(&one, &lax::add(&s_diffs, &i_real)), &i_real);
        let f = cast(&f, dt);
        let dss = lax::mul(&cast(&s_dim, dt), &ds_mat);
        let sds = lax::mul(&cast(&s_col, dt), &ds_mat);
        let s_zeros = lax::convert_element_type(&lax::eq(s, &scalar(0.0, s.dtype())), s.dtype());
        let s_inv = lax::sub(&lax::div(&one, &lax::add(s, &s_zeros)), &s_zeros);
        let half = scalar(0.5, dt);
        let dudv_diag = lax::mul(
            &lax::mul(&half, &lax::sub(&ds_mat, &mh(&ds_mat))),
            &cast(&diag_embed(&s_inv), dt),
        );
        let mut du = matmul(
            u,
            &lax::add(&lax::mul(&f, &lax::add(&dss, &mh(&dss))), &dudv_diag),
        );
        let mut dv = matmul(&v, &lax::mul(&f, &lax::add(&sds, &mh(&sds))));
        if m > n {
            let dav = matmul(da, &v);
            let rest = lax::sub(&dav, &matmul(u, &matmul(&ut, &dav)));
            let s_rows = lax::broadcast_in_dim(&cast(s, dt), rest.shape(), &row_dims(nd));
            du = lax::add(&du, &lax::div(&rest, &s_rows));
        }
        if n > m {
            let dahu = matmul(&mh(da), u);
            let rest = lax::sub(&dahu, &matmul(&v, &matmul(vt, &dahu)));
            let s_rows = lax::broadcast_in_dim(&cast(s, dt), rest.shape(), &row_dims(nd));
            dv = lax::add(&dv, &lax::div(&rest, &s_rows));
        }
        let dvt = mh(&dv);
        (outs, smallvec![Some(ds), Some(du), Some(dvt)])
    }
    fn transpose(&self, _cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        not_linear("svd")
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Nonlinear
    }
    fn batch(&self, args: &[&Array], dims: &[Option<usize>], size: usize) -> BatchResult {
        batch_leading(self.clone().into(), args, dims, size)
    }
}

/// Broadcast dimensions placing a `(..., k)` vector along the last axis of
/// a rank-`nd` `(..., r, k)` array (`s[..., None, :]`).
fn row_dims(nd: usize) -> Vec<usize> {
    (0..nd - 2).chain([nd - 1]).collect()
}

/// The singular value decomposition of `(..., m, n)` matrices
/// (`jax.lax.linalg.svd`): `[s, u, vt]` with `compute_uv`, else `[s]`.
pub fn svd(x: &Array, full_matrices: bool, compute_uv: bool) -> Vec<Array> {
    let prim = Svd {
        full_matrices,
        compute_uv,
    };
    bind(&prim.into(), &[x]).into_iter().collect()
}
