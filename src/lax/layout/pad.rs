//! The `pad` primitive: its rules and its `lax` function.

use super::{broadcast_in_dim, out_buffer, slice_with_strides};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::layout as k;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::{fmt_tuple, Dims, Shape};
use crate::core::trace::bind1;
use crate::lax::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// `pad(operand, padding_value)`: `low`/`high` edge padding (negative crops)
/// and `interior` padding between elements, per axis.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pad {
    /// Padding before each axis.
    pub low: smallvec::SmallVec<[i64; 4]>,
    /// Padding after each axis.
    pub high: smallvec::SmallVec<[i64; 4]>,
    /// Padding between elements on each axis (≥ 0).
    pub interior: smallvec::SmallVec<[i64; 4]>,
}

impl Pad {
    /// The `(low, high, interior)` triple per axis.
    pub fn config(&self) -> Vec<(i64, i64, i64)> {
        (0..self.low.len())
            .map(|d| (self.low[d], self.high[d], self.interior[d]))
            .collect()
    }
}

impl PrimitiveRules for Pad {
    fn name(&self) -> &'static str {
        "pad"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        let cfg: Vec<String> = (0..self.low.len())
            .map(|d| format!("({}, {}, {})", self.low[d], self.high[d], self.interior[d]))
            .collect();
        vec![("padding_config", format!("({})", cfg.join(", ")))]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("pad", inputs, 2);
        let (x, v) = (inputs[0], inputs[1]);
        if v.ndim() != 0 || v.dtype != x.dtype {
            panic!(
                "TypeError: pad padding_value must be a scalar of the operand's dtype {}, got {}.",
                x.dtype,
                v.short()
            );
        }
        let n = x.ndim();
        if self.low.len() != n || self.high.len() != n || self.interior.len() != n {
            panic!(
                "ValueError: pad needs one (low, high, interior) triple per axis of operand \
                 shape {}.",
                fmt_tuple(&x.shape)
            );
        }
        let shape: Dims = (0..n)
            .map(|d| {
                let s = x.shape[d] as i64;
                let interior = self.interior[d];
                assert!(
                    interior >= 0,
                    "ValueError: pad interior padding must be >= 0, got {interior}."
                );
                let full = self.low[d] + self.high[d] + s + (s - 1).max(0) * interior;
                if full < 0 {
                    panic!(
                        "ValueError: Dimension size after padding is not at least 0, got {full} \
                         for axis {d} of operand shape {}.",
                        fmt_tuple(&x.shape)
                    );
                }
                full as usize
            })
            .collect();
        smallvec![ShapedArray::with_weak(Shape(shape), x.dtype, x.weak_type)]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut o = out_buffer(&outs[0]);
        k::pad(
            inputs[0].dtype,
            bufs[0],
            &inputs[0].shape,
            bufs[1],
            &self.low,
            &self.interior,
            &mut o,
            &outs[0].shape,
        );
        smallvec![o]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Layout
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, 2)
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let ct = &cts[0];
        let all_axes: Vec<usize> = (0..ct.ndim()).collect();
        let total = |x: &Array| crate::lax::reduce(x, crate::ir::ReduceOp::Sum, &all_axes);
        let t_operand = args[0].is_linear().then(|| {
            let unpad: Vec<(i64, i64, i64)> = (0..ct.ndim())
                .map(|d| (-self.low[d], -self.high[d], 0))
                .collect();
            let zero = ad_util::constant(0.0, ct.dtype(), false);
            let unpadded = pad(ct, &zero, &unpad);
            let strides: Vec<usize> = self.interior.iter().map(|&i| i as usize + 1).collect();
            let start = vec![0; ct.ndim()];
            slice_with_strides(&unpadded, &start, unpadded.shape(), &strides)
        });
        let t_padv = args[1].is_linear().then(|| match &t_operand {
            Some(t) => crate::lax::sub(&total(ct), &total(t)),
            None => {
                // The operand is known: its positions do not feed the padding value.
                let x = args[0].known("pad");
                let mask = pad(
                    &ad_util::zeros(x.aval()),
                    &ad_util::constant(1.0, ct.dtype(), false),
                    &self.config(),
                );
                total(&crate::lax::mul(ct, &mask))
            }
        });
        let t_padv = t_padv.map(|t| ad_util::unbroadcast(&t, args[1].aval()));
        smallvec![t_operand, t_padv]
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Linear
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        size: usize,
    ) -> crate::lax::batching::BatchResult {
        let x = crate::lax::batching::batch_first(args[0], dims[0], size);
        let p = Pad {
            low: std::iter::once(0).chain(self.low.iter().copied()).collect(),
            high: std::iter::once(0)
                .chain(self.high.iter().copied())
                .collect(),
            interior: std::iter::once(0)
                .chain(self.interior.iter().copied())
                .collect(),
        };
        let Some(d) = dims[1] else {
            return (
                crate::lax::batching::bind_all(p.into(), &[x, args[1].clone()]),
                smallvec![Some(0)],
            );
        };
        // A per-element padding value: pad with zeros, then take the values
        // at the padding positions (a padded mask) from the broadcast values.
        let zero = crate::lax::ad_util::constant(0.0, x.dtype(), false);
        let padded =
            crate::lax::batching::bind_all(p.clone().into(), &[x.clone(), zero]).swap_remove(0);
        let ones = broadcast_in_dim(&Array::scalar(true), x.shape(), &[]);
        let inside =
            crate::lax::batching::bind_all(p.into(), &[ones, Array::scalar(false)]).swap_remove(0);
        let values = broadcast_in_dim(
            &crate::lax::batching::move_axis(args[1], d, 0),
            padded.shape(),
            &[0],
        );
        (
            smallvec![crate::lax::select(&inside, &padded, &values)],
            smallvec![Some(0)],
        )
    }
}

/// Pads with `(low, high, interior)` per axis.
pub fn pad(x: &Array, padding_value: &Array, config: &[(i64, i64, i64)]) -> Array {
    bind1(
        &Pad {
            low: config.iter().map(|c| c.0).collect(),
            high: config.iter().map(|c| c.1).collect(),
            interior: config.iter().map(|c| c.2).collect(),
        }
        .into(),
        &[x, padding_value],
    )
}
