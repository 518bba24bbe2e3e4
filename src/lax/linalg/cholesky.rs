//! `cholesky`: the lower Cholesky factor `L` (`a = L Lᴴ`) of a batch of
//! Hermitian positive-definite matrices, reading only their lower triangle.
//! Not positive definite: NaNs in the lower triangle, like JAX on CPU.

use super::util::{batch_size, matmul, mh, tril};
use super::TriangularSolveOptions;
use super::{matrix_operand, triangular_solve_with};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::linalg::cholesky as kernel;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::fmt_tuple;
use crate::core::trace::bind1;
use crate::lax::ad_util::{Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::batching::{batch_first, BatchResult};
use crate::lax::{self, expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// The Cholesky factorization primitive (`cholesky_p`); no parameters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cholesky;

impl PrimitiveRules for Cholesky {
    fn name(&self) -> &'static str {
        "cholesky"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 1);
        let x = inputs[0];
        matrix_operand(self.name(), 0, x);
        let nd = x.shape.len();
        if x.shape[nd - 1] != x.shape[nd - 2] {
            panic!(
                "ValueError: The input to cholesky must be a square matrix. Got shape {}.",
                fmt_tuple(&x.shape[nd - 2..])
            );
        }
        smallvec![x.clone()]
    }
    fn impl_cpu(
        &self,
        inputs: &[&ShapedArray],
        bufs: &[&Buffer],
        _outs: &[ShapedArray],
    ) -> Buffers {
        let x = inputs[0];
        let n = x.shape[x.shape.len() - 1];
        smallvec![kernel::cholesky(
            bufs[0],
            x.dtype,
            batch_size(&x.shape, 2),
            n
        )]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    /// JAX's rule (Murray 2016, arXiv:1602.07527): `L̇ = L Φ(L⁻¹ Ȧ L⁻ᴴ)`,
    /// where `Φ` takes the lower triangle and halves the diagonal.
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let l = bind1(&self.clone().into(), primals);
        let a_dot = tangents[0].expect("cholesky jvp: a tangent");
        let right = TriangularSolveOptions {
            left_side: false,
            lower: true,
            transpose_a: true,
            conjugate_a: true,
            unit_diagonal: false,
        };
        let tmp = triangular_solve_with(&l, a_dot, right);
        let left = TriangularSolveOptions {
            left_side: true,
            lower: true,
            ..Default::default()
        };
        let inner = triangular_solve_with(&l, &tmp, left);
        let n = l.shape()[l.ndim() - 1];
        let scale = lax::add(
            &lax::ad_util::constant(1.0, l.dtype(), false),
            &super::util::eye(l.dtype(), &[], n),
        );
        let nd = l.ndim();
        let scale = lax::broadcast_in_dim(&scale, l.shape(), &[nd - 2, nd - 1]);
        let phi = lax::div(&tril(&inner, 0), &scale);
        let l_dot = matmul(&l, &phi);
        (smallvec![l], smallvec![Some(l_dot)])
    }
    fn transpose(&self, _cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        crate::lax::ad_util::not_linear(self.name())
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Nonlinear
    }
    fn batch(&self, args: &[&Array], dims: &[Option<usize>], size: usize) -> BatchResult {
        let x = batch_first(args[0], dims[0], size);
        (
            smallvec![bind1(&self.clone().into(), &[&x])],
            smallvec![Some(0)],
        )
    }
}

/// `lax.linalg.cholesky`: the lower Cholesky factor of each matrix of `x`
/// (`(..., n, n)`, float or complex). With `symmetrize_input`, factors
/// `(x + xᴴ)/2`; otherwise reads only the lower triangle. A matrix that is
/// not positive definite gives NaNs.
pub fn cholesky(x: &Array, symmetrize_input: bool) -> Array {
    let x = if symmetrize_input {
        symmetrize(x)
    } else {
        x.clone()
    };
    bind1(&Cholesky.into(), &[&x])
}

/// `(x + xᴴ) / 2` over the last two axes (`lax.linalg.symmetrize`).
pub fn symmetrize(x: &Array) -> Array {
    let nd = x.ndim();
    if nd < 2 || !x.dtype().is_inexact() || x.shape()[nd - 1] != x.shape()[nd - 2] {
        // Let the primitive report the rank, dtype or shape error.
        return x.clone();
    }
    let xh = mh(x);
    let half = lax::ad_util::constant(0.5, x.dtype(), false);
    lax::mul(&lax::add(x, &xh), &half)
}
