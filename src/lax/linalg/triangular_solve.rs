//! `triangular_solve`: solves `op(a) x = b` (left side) or `x op(a) = b`
//! for a batch of triangular `a`, where `op` may transpose and/or conjugate.
//! Linear in `b`; nonlinear in `a`.

use super::matrix_operand;
use super::util::{batch_size, conj, matmul, mt, py_bool};
use super::util::{tril, triu};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::linalg::triangular::{self as kernel, TriangularSolveSpec};
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::fmt_tuple;
use crate::core::trace::bind1;
use crate::lax::ad_util::{add_any, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::batching::{all_batch_first, BatchResult};
use crate::lax::{self, expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// The options of [`triangular_solve_with`], as JAX's keyword arguments.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TriangularSolveOptions {
    /// Solve `op(a) x = b` (true) or `x op(a) = b` (false, JAX's default).
    pub left_side: bool,
    /// Whether `a` is lower triangular; the other triangle is not read.
    pub lower: bool,
    /// Whether `op` transposes `a`.
    pub transpose_a: bool,
    /// Whether `op` conjugates `a` (no effect on real `a`).
    pub conjugate_a: bool,
    /// Whether the diagonal of `a` is taken as ones (and not read).
    pub unit_diagonal: bool,
}

/// The triangular-solve primitive (`triangular_solve_p`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TriangularSolve {
    /// Its options.
    pub options: TriangularSolveOptions,
}

impl TriangularSolve {
    fn with(&self, f: impl FnOnce(&mut TriangularSolveOptions)) -> TriangularSolve {
        let mut options = self.options;
        f(&mut options);
        TriangularSolve { options }
    }
    fn solve(&self, a: &Array, b: &Array) -> Array {
        bind1(&self.clone().into(), &[a, b])
    }
    /// The tangent from `ȧ` (JAX's `_triangular_solve_jvp_rule_a`): `-op(a)⁻¹
    /// op(ȧ) x` on the left, `-x op(ȧ) op(a)⁻¹` on the right, with `ȧ`
    /// restricted to the triangle that is read.
    fn jvp_a(&self, g_a: &Array, ans: &Array, a: &Array) -> Array {
        let o = self.options;
        let k = i64::from(o.unit_diagonal);
        let g = if o.lower { tril(g_a, -k) } else { triu(g_a, k) };
        let g = lax::neg(&g);
        let g = if o.transpose_a { mt(&g) } else { g };
        let g = if o.conjugate_a { conj(&g) } else { g };
        let nd = ans.ndim();
        let (m, n) = (ans.shape()[nd - 2], ans.shape()[nd - 1]);
        if o.left_side {
            if m > n {
                self.solve(a, &matmul(&g, ans))
            } else {
                matmul(&self.solve(a, &g), ans)
            }
        } else if m < n {
            self.solve(a, &matmul(ans, &g))
        } else {
            matmul(ans, &self.solve(a, &g))
        }
    }
}

impl PrimitiveRules for TriangularSolve {
    fn name(&self) -> &'static str {
        "triangular_solve"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        let o = self.options;
        vec![
            ("conjugate_a", py_bool(o.conjugate_a)),
            ("left_side", py_bool(o.left_side)),
            ("lower", py_bool(o.lower)),
            ("transpose_a", py_bool(o.transpose_a)),
            ("unit_diagonal", py_bool(o.unit_diagonal)),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 2);
        let (a, b) = (inputs[0], inputs[1]);
        let (a_batch, _, _) = matrix_operand(self.name(), 0, a);
        let (b_batch, _, _) = matrix_operand(self.name(), 1, b);
        if a.dtype != b.dtype {
            panic!(
                "TypeError: lax.triangular_solve requires arguments to have the same dtypes, \
                 got {}, {}.",
                a.dtype, b.dtype
            );
        }
        if a_batch.len() != b_batch.len() {
            panic!(
                "TypeError: All inputs to triangular_solve must have the same number of batch \
                 dimensions, but got [{}, {}] batch dimensions for the inputs.",
                a_batch.len(),
                b_batch.len()
            );
        }
        let nd = a.shape.len();
        let (am, an) = (a.shape[nd - 2], a.shape[nd - 1]);
        if am != an {
            panic!(
                "ValueError: The first input to triangular_solve must be a square matrix. Got \
                 shape {}.",
                fmt_tuple(&[am, an])
            );
        }
        let common = if self.options.left_side {
            nd - 2
        } else {
            nd - 1
        };
        if an != b.shape[common] || a_batch != b_batch {
            panic!(
                "ValueError: Incompatible shapes for arguments to triangular_solve: {} and {}.",
                fmt_tuple(&a.shape),
                fmt_tuple(&b.shape)
            );
        }
        smallvec![ShapedArray::with_weak(
            b.shape.clone(),
            b.dtype,
            a.weak_type && b.weak_type
        )]
    }
    fn impl_cpu(
        &self,
        inputs: &[&ShapedArray],
        bufs: &[&Buffer],
        _outs: &[ShapedArray],
    ) -> Buffers {
        let (a, b) = (inputs[0], inputs[1]);
        let nd = b.shape.len();
        let o = self.options;
        let spec = TriangularSolveSpec {
            left_side: o.left_side,
            lower: o.lower,
            transpose_a: o.transpose_a,
            conjugate_a: o.conjugate_a,
            unit_diagonal: o.unit_diagonal,
        };
        smallvec![kernel::triangular_solve(
            bufs[0],
            bufs[1],
            a.dtype,
            batch_size(&b.shape, 2),
            a.shape[nd - 1],
            (b.shape[nd - 2], b.shape[nd - 1]),
            spec,
        )]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let (a, b) = (primals[0], primals[1]);
        let ans = self.solve(a, b);
        let from_a = tangents[0].map(|g| self.jvp_a(g, &ans, a));
        let from_b = tangents[1].map(|g| self.solve(a, g));
        (smallvec![ans], smallvec![add_any(from_a, from_b)])
    }
    /// Linear in `b`: the cotangent is a solve with `op(a)` transposed.
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let a = args[0].known("triangular_solve (its matrix a)");
        let flipped = self.with(|o| o.transpose_a = !o.transpose_a);
        smallvec![None, Some(flipped.solve(a, &cts[0]))]
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Linear
    }
    fn batch(&self, args: &[&Array], dims: &[Option<usize>], size: usize) -> BatchResult {
        let moved = all_batch_first(args, dims, size);
        (
            smallvec![self.solve(&moved[0], &moved[1])],
            smallvec![Some(0)],
        )
    }
}

/// `lax.linalg.triangular_solve` with JAX's default options: `x a = b`
/// with upper-triangular `a` (right side). See [`triangular_solve_with`].
pub fn triangular_solve(a: &Array, b: &Array) -> Array {
    triangular_solve_with(a, b, TriangularSolveOptions::default())
}

/// `lax.linalg.triangular_solve`: solves `op(a) x = b` (`left_side`) or
/// `x op(a) = b` for `a` of shape `(..., m, m)` and `b` of shape
/// `(..., m, n)` (left) or `(..., n, m)` (right); a `b` with one axis fewer
/// than `a` is a vector. `conjugate_a` is dropped for real `a`.
pub fn triangular_solve_with(a: &Array, b: &Array, options: TriangularSolveOptions) -> Array {
    let mut options = options;
    options.conjugate_a &= a.dtype().is_complex();
    let vector = a.ndim() >= 2 && b.ndim() + 1 == a.ndim();
    let b = if vector {
        let axis = if options.left_side {
            b.ndim()
        } else {
            b.ndim() - 1
        };
        let mut shape = b.shape().to_vec();
        shape.insert(axis, 1);
        lax::reshape(b, &shape)
    } else {
        b.clone()
    };
    let out = bind1(&TriangularSolve { options }.into(), &[a, &b]);
    if vector {
        let axis = if options.left_side {
            out.ndim() - 1
        } else {
            out.ndim() - 2
        };
        lax::squeeze(&out, &[axis])
    } else {
        out
    }
}
