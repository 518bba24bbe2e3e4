//! Reduction primitives: `reduce_sum/prod/max/min/and/or`, `argmax/argmin`,
//! and the cumulative ops.

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
        let mut o = Buffer::new(outs[0].size() * outs[0].dtype.size_of());
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
        let mut o = Buffer::new(outs[0].size() * outs[0].dtype.size_of());
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
        let mut o = Buffer::new(outs[0].size() * outs[0].dtype.size_of());
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
