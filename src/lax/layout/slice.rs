//! The `slice` primitive: its rules and its `lax` functions.

use super::{fmt_list, pad, strided};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::layout::StridedView;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::{contiguous_strides, fmt_tuple, Dims, Shape};
use crate::core::trace::bind1;
use crate::lax::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// `slice`: a static strided window `start..limit` with `strides` per axis.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Slice {
    /// First index per axis.
    pub start_indices: Dims,
    /// One past the last index per axis.
    pub limit_indices: Dims,
    /// Step per axis (all ≥ 1).
    pub strides: Dims,
}

impl PrimitiveRules for Slice {
    fn name(&self) -> &'static str {
        "slice"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("limit_indices", fmt_list(&self.limit_indices)),
            ("start_indices", fmt_list(&self.start_indices)),
            (
                "strides",
                if self.strides.iter().all(|&s| s == 1) {
                    "None".into()
                } else {
                    fmt_list(&self.strides)
                },
            ),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("slice", inputs, 1);
        let x = inputs[0];
        let n = x.ndim();
        let ok = self.start_indices.len() == n
            && self.limit_indices.len() == n
            && self.strides.len() == n
            && (0..n).all(|d| {
                self.start_indices[d] <= self.limit_indices[d]
                    && self.limit_indices[d] <= x.shape[d]
                    && self.strides[d] >= 1
            });
        if !ok {
            panic!(
                "TypeError: slice start_indices {} / limit_indices {} / strides {} are invalid \
                 for operand shape {}: need 0 <= start <= limit <= size and stride >= 1 on \
                 every axis.",
                fmt_list(&self.start_indices),
                fmt_list(&self.limit_indices),
                fmt_list(&self.strides),
                fmt_tuple(&x.shape)
            );
        }
        let shape: Dims = (0..n)
            .map(|d| (self.limit_indices[d] - self.start_indices[d]).div_ceil(self.strides[d]))
            .collect();
        smallvec![ShapedArray::with_weak(Shape(shape), x.dtype, x.weak_type)]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let x = inputs[0];
        let st = contiguous_strides(&x.shape);
        let offset = (0..x.ndim())
            .map(|d| (self.start_indices[d] * st[d]) as isize)
            .sum();
        let strides = (0..x.ndim())
            .map(|d| (self.strides[d] * st[d]) as isize)
            .collect();
        strided(x, bufs[0], StridedView { offset, strides }, &outs[0])
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Layout
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, 1)
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let x = args[0].aval();
        let ct = &cts[0];
        let config: Vec<(i64, i64, i64)> = (0..x.ndim())
            .map(|d| {
                let (start, stride, n) = (self.start_indices[d], self.strides[d], ct.shape()[d]);
                let real_limit = if n == 0 {
                    start
                } else {
                    start + (n - 1) * stride + 1
                };
                let interior = if n == 0 { 0 } else { stride as i64 - 1 };
                (start as i64, (x.shape[d] - real_limit) as i64, interior)
            })
            .collect();
        let zero = ad_util::constant(0.0, ct.dtype(), false);
        smallvec![Some(pad(ct, &zero, &config))]
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
        let p = Slice {
            start_indices: std::iter::once(0)
                .chain(self.start_indices.iter().copied())
                .collect(),
            limit_indices: std::iter::once(size)
                .chain(self.limit_indices.iter().copied())
                .collect(),
            strides: if self.strides.is_empty() {
                Dims::new()
            } else {
                std::iter::once(1)
                    .chain(self.strides.iter().copied())
                    .collect()
            },
        };
        crate::lax::batching::on_batch_first(p.into(), args[0], dims[0], size)
    }
}

/// Static slice with unit strides.
pub fn slice(x: &Array, start: &[usize], limit: &[usize]) -> Array {
    slice_with_strides(x, start, limit, &vec![1; start.len()])
}

/// Elements `start, start + stride, ...` below `limit` along `axis`, the
/// other axes whole (`jax.lax.slice_in_dim`).
pub fn slice_in_dim(x: &Array, start: usize, limit: usize, stride: usize, axis: usize) -> Array {
    let mut lo = vec![0; x.ndim()];
    let mut hi = x.shape().to_vec();
    let mut st = vec![1; x.ndim()];
    lo[axis] = start.min(limit);
    hi[axis] = limit;
    st[axis] = stride;
    slice_with_strides(x, &lo, &hi, &st)
}

/// Static strided slice.
pub fn slice_with_strides(x: &Array, start: &[usize], limit: &[usize], strides: &[usize]) -> Array {
    if start.iter().all(|&s| s == 0) && limit == x.shape() && strides.iter().all(|&s| s == 1) {
        return x.clone();
    }
    bind1(
        &Slice {
            start_indices: Dims::from_slice(start),
            limit_indices: Dims::from_slice(limit),
            strides: Dims::from_slice(strides),
        }
        .into(),
        &[x],
    )
}
