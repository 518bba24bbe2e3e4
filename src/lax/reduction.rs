//! Reduction primitives: `reduce_sum/prod/max/min/and/or`, `argmax/argmin`,
//! and the cumulative ops.

use super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::{cumulative, reduce};
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::shape::{fmt_tuple, Dims, Shape};
use crate::core::trace::bind1;
use crate::ir::{CumulativeOp, ReduceOp};
use smallvec::smallvec;

fn check_axes(name: &str, x: &ShapedArray, axes: &[usize]) {
    for (i, &a) in axes.iter().enumerate() {
        if a >= x.ndim() || axes[..i].contains(&a) {
            panic!(
                "ValueError: {name}: invalid axes {axes:?} for operand shape {} (each axis \
                 must be distinct and below {}).",
                fmt_tuple(&x.shape),
                x.ndim()
            );
        }
    }
}

/// A reduction over `axes` with a monoid (`sum`, `prod`, `max`, `min`, `and`, `or`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reduce {
    /// Which reduction (not the arg-reductions).
    pub op: ReduceOp,
    /// Axes to reduce (sorted, distinct).
    pub axes: Dims,
}

impl PrimitiveRules for Reduce {
    fn name(&self) -> &'static str {
        self.op.name()
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        let list: Vec<String> = self.axes.iter().map(|a| a.to_string()).collect();
        let axes = if list.len() == 1 {
            format!("({},)", list[0])
        } else {
            format!("({})", list.join(", "))
        };
        vec![("axes", axes), ("out_sharding", "None".into())]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 1);
        let x = inputs[0];
        check_axes(self.name(), x, &self.axes);
        let ok = match self.op {
            ReduceOp::Sum | ReduceOp::Prod => !x.dtype.is_bool(),
            ReduceOp::Max | ReduceOp::Min => true,
            ReduceOp::And | ReduceOp::Or => x.dtype.is_bool(),
            ReduceOp::ArgMax | ReduceOp::ArgMin => false,
        };
        if !ok {
            panic!(
                "TypeError: {} does not accept dtype {}.",
                self.name(),
                x.dtype
            );
        }
        let shape: Dims = (0..x.ndim())
            .filter(|d| !self.axes.contains(d))
            .map(|d| x.shape[d])
            .collect();
        smallvec![ShapedArray::with_weak(Shape(shape), x.dtype, x.weak_type)]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut o = Buffer::for_dtype(outs[0].size(), outs[0].dtype);
        reduce::run(
            self.op,
            inputs[0].dtype,
            bufs[0],
            &inputs[0].shape,
            &self.axes,
            &mut o,
        );
        smallvec![o]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Reduction
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let x = primals[0];
        let out = reduce(x, self.op, &self.axes);
        let t = match tangents[0] {
            Some(t) if x.dtype().is_inexact() => match self.op {
                ReduceOp::Sum => Some(reduce(t, ReduceOp::Sum, &self.axes)),
                ReduceOp::Max | ReduceOp::Min => Some(chooser_tangent(x, &out, t, &self.axes)),
                ReduceOp::Prod => Some(prod_tangent(x, t, &self.axes)),
                _ => None,
            },
            _ => None,
        };
        (smallvec![out], smallvec![t])
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        if self.op != ReduceOp::Sum {
            ad_util::not_linear(self.name());
        }
        let x = args[0].aval();
        let kept: Vec<usize> = (0..x.ndim()).filter(|d| !self.axes.contains(d)).collect();
        smallvec![Some(super::broadcast_in_dim(&cts[0], &x.shape, &kept))]
    }
    fn differentiability(&self) -> Differentiability {
        match self.op {
            ReduceOp::Sum => Differentiability::Linear,
            ReduceOp::Max | ReduceOp::Min | ReduceOp::Prod => Differentiability::Nonlinear,
            _ => Differentiability::NonDifferentiable("boolean or index output"),
        }
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        size: usize,
    ) -> crate::lax::batching::BatchResult {
        let p = Reduce {
            op: self.op,
            axes: crate::lax::batching::shifted(&self.axes),
        };
        crate::lax::batching::on_batch_first(p.into(), args[0], dims[0], size)
    }
}

/// `argmax`/`argmin` along one axis: the first index of the extreme value
/// (NaN counts as extreme, as in NumPy).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ArgReduce {
    /// `ReduceOp::ArgMax` or `ReduceOp::ArgMin`.
    pub op: ReduceOp,
    /// The axis to reduce.
    pub axis: usize,
    /// Integer dtype of the indices.
    pub index_dtype: DType,
}

impl PrimitiveRules for ArgReduce {
    fn name(&self) -> &'static str {
        self.op.name()
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("axes", format!("({},)", self.axis)),
            ("index_dtype", self.index_dtype.name().into()),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 1);
        let x = inputs[0];
        check_axes(self.name(), x, &[self.axis]);
        assert!(
            matches!(self.op, ReduceOp::ArgMax | ReduceOp::ArgMin) && self.index_dtype.is_int(),
            "internal error: ArgReduce needs ArgMax/ArgMin and an integer index dtype"
        );
        if x.dtype.is_complex() {
            // JAX's argmax compares with `gt`, which rejects complex.
            panic!(
                "TypeError: gt does not accept dtype {} at position 0. Accepted dtypes at \
                 position 0 are subtypes of integer, floating, bool.",
                x.dtype
            );
        }
        if x.shape[self.axis] == 0 {
            panic!(
                "ValueError: attempt to get {} of an empty sequence",
                self.name()
            );
        }
        let shape: Dims = (0..x.ndim())
            .filter(|&d| d != self.axis)
            .map(|d| x.shape[d])
            .collect();
        smallvec![ShapedArray::new(Shape(shape), self.index_dtype)]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut o = Buffer::for_dtype(outs[0].size(), outs[0].dtype);
        reduce::arg(
            self.op,
            inputs[0].dtype,
            bufs[0],
            &inputs[0].shape,
            self.axis,
            self.index_dtype,
            &mut o,
        );
        smallvec![o]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Reduction
    }
    fn jvp(&self, primals: &[&Array], _tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::zero_jvp(self.clone().into(), primals)
    }
    fn transpose(&self, _cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        ad_util::not_linear(self.name())
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::NonDifferentiable("integer index output")
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        size: usize,
    ) -> crate::lax::batching::BatchResult {
        let p = ArgReduce {
            axis: self.axis + 1,
            ..self.clone()
        };
        crate::lax::batching::on_batch_first(p.into(), args[0], dims[0], size)
    }
}

/// Cumulative sum/prod/max/min along `axis`, optionally from the end.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cumulative {
    /// Which accumulation.
    pub op: CumulativeOp,
    /// The axis to scan.
    pub axis: usize,
    /// Scan from the last element backwards.
    pub reverse: bool,
}

impl PrimitiveRules for Cumulative {
    fn name(&self) -> &'static str {
        self.op.name()
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("axis", self.axis.to_string()),
            (
                "reverse",
                if self.reverse { "True" } else { "False" }.into(),
            ),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 1);
        let x = inputs[0];
        check_axes(self.name(), x, &[self.axis]);
        if x.dtype.is_bool() {
            panic!(
                "TypeError: {} does not accept dtype bool; convert to an integer dtype first.",
                self.name()
            );
        }
        smallvec![x.clone()]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut o = Buffer::for_dtype(outs[0].size(), outs[0].dtype);
        cumulative::run(
            self.op,
            inputs[0].dtype,
            bufs[0],
            &inputs[0].shape,
            self.axis,
            self.reverse,
            &mut o,
        );
        smallvec![o]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let x = primals[0];
        let out = cumulative(x, self.op, self.axis, self.reverse);
        let t = match tangents[0] {
            Some(t) if x.dtype().is_inexact() => Some(match self.op {
                CumulativeOp::Sum => cumulative(t, CumulativeOp::Sum, self.axis, self.reverse),
                op => {
                    // Differentiate a composition of primitives that computes the
                    // same scan, as JAX does with its associative scan.
                    let (axis, reverse) = (self.axis, self.reverse);
                    let scan =
                        move |xs: &[Array]| vec![cumulative_by_doubling(op, &xs[0], axis, reverse)];
                    let (_, ts) = crate::interpreters::ad::jvp_flat(
                        &scan,
                        std::slice::from_ref(x),
                        std::slice::from_ref(t),
                    );
                    ts.into_iter()
                        .next()
                        .flatten()
                        .unwrap_or_else(|| ad_util::zeros(x.aval()))
                }
            }),
            _ => None,
        };
        (smallvec![out], smallvec![t])
    }
    fn transpose(&self, cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        if self.op != CumulativeOp::Sum {
            ad_util::not_linear(self.name());
        }
        smallvec![Some(cumulative(
            &cts[0],
            CumulativeOp::Sum,
            self.axis,
            !self.reverse
        ))]
    }
    fn differentiability(&self) -> Differentiability {
        match self.op {
            CumulativeOp::Sum => Differentiability::Linear,
            _ => Differentiability::Nonlinear,
        }
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        size: usize,
    ) -> crate::lax::batching::BatchResult {
        let p = Cumulative {
            axis: self.axis + 1,
            ..self.clone()
        };
        crate::lax::batching::on_batch_first(p.into(), args[0], dims[0], size)
    }
}

// ---------------------------------------------------------- derivative helpers

/// JAX's tangent for `reduce_max`/`reduce_min`: the tangent averaged over the
/// positions that attain the extremum (ties share it equally).
fn chooser_tangent(x: &Array, out: &Array, t: &Array, axes: &[usize]) -> Array {
    let kept: Vec<usize> = (0..x.ndim()).filter(|d| !axes.contains(d)).collect();
    let ans = super::broadcast_in_dim(out, x.shape(), &kept);
    let hits = super::convert_element_type(&super::eq(x, &ans), t.dtype());
    let counts = reduce(&hits, ReduceOp::Sum, axes);
    super::div(&reduce(&super::mul(t, &hits), ReduceOp::Sum, axes), &counts)
}

/// The tangent of `reduce_prod`: `sum_i t_i * prod_{j != i} x_j`, with the
/// products of the others from exclusive prefix and suffix products, so zeros
/// in `x` are handled exactly.
fn prod_tangent(x: &Array, t: &Array, axes: &[usize]) -> Array {
    let rest: Vec<usize> = (0..x.ndim()).filter(|d| !axes.contains(d)).collect();
    let perm: Vec<usize> = axes.iter().chain(rest.iter()).copied().collect();
    let n: usize = axes.iter().map(|&a| x.shape()[a]).product();
    let out_shape: Vec<usize> = rest.iter().map(|&a| x.shape()[a]).collect();
    let m: usize = out_shape.iter().product();
    let flat = |a: &Array| super::reshape(&super::transpose(a, &perm), &[n, m]);
    let (xf, tf) = (flat(x), flat(t));
    let one = ad_util::scalar_like(x, 1.0);
    let before = super::pad(
        &cumulative(&xf, CumulativeOp::Prod, 0, false),
        &one,
        &[(1, -1, 0), (0, 0, 0)],
    );
    let after = super::pad(
        &cumulative(&xf, CumulativeOp::Prod, 0, true),
        &one,
        &[(-1, 1, 0), (0, 0, 0)],
    );
    let others = super::mul(&before, &after);
    let s = reduce(&super::mul(&tf, &others), ReduceOp::Sum, &[0]);
    super::reshape(&s, &out_shape)
}

/// An inclusive scan along `axis` built from slices, pads and the binary op
/// (Hillis–Steele), used to differentiate cumulative products and extrema.
/// [`associative_scan`](crate::lax::associative_scan) takes any function.
pub fn cumulative_by_doubling(op: CumulativeOp, x: &Array, axis: usize, reverse: bool) -> Array {
    let (bop, identity) = match op {
        CumulativeOp::Sum => (crate::ir::BinaryOp::Add, 0.0),
        CumulativeOp::Prod => (crate::ir::BinaryOp::Mul, 1.0),
        CumulativeOp::Max => (crate::ir::BinaryOp::Max, f64::NEG_INFINITY),
        CumulativeOp::Min => (crate::ir::BinaryOp::Min, f64::INFINITY),
    };
    let n = x.shape()[axis];
    let id = ad_util::scalar_like(x, identity);
    let mut y = x.clone();
    let mut shift = 1;
    while shift < n {
        let mut start = vec![0; x.ndim()];
        let mut limit = x.shape().to_vec();
        let mut cfg = vec![(0i64, 0i64, 0i64); x.ndim()];
        if reverse {
            start[axis] = shift;
            cfg[axis] = (0, shift as i64, 0);
        } else {
            limit[axis] = n - shift;
            cfg[axis] = (shift as i64, 0, 0);
        }
        let shifted = super::pad(&super::slice(&y, &start, &limit), &id, &cfg);
        y = super::binary(bop, &y, &shifted);
        shift *= 2;
    }
    y
}

// ---------------------------------------------------------------- wrappers

/// Reduces `x` over `axes` (distinct, in range) with `op`.
pub fn reduce(x: &Array, op: ReduceOp, axes: &[usize]) -> Array {
    if axes.is_empty() {
        return x.clone();
    }
    let mut a = Dims::from_slice(axes);
    a.sort_unstable();
    bind1(&Reduce { op, axes: a }.into(), &[x])
}

/// Index of the max (`ReduceOp::ArgMax`) or min along `axis`.
pub fn arg_reduce(x: &Array, op: ReduceOp, axis: usize, index_dtype: DType) -> Array {
    bind1(
        &ArgReduce {
            op,
            axis,
            index_dtype,
        }
        .into(),
        &[x],
    )
}

/// Cumulative reduction along `axis`.
pub fn cumulative(x: &Array, op: CumulativeOp, axis: usize, reverse: bool) -> Array {
    bind1(&Cumulative { op, axis, reverse }.into(), &[x])
}
