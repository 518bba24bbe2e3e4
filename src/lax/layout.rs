//! Layout primitives: reshape, broadcast_in_dim, transpose, squeeze, rev,
//! slice, pad and concatenate.

use super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::layout::{self as k, StridedView};
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::{contiguous_strides, fmt_tuple, Dims, Shape};
use crate::core::trace::bind1;
use smallvec::smallvec;

fn fmt_list<T: std::fmt::Display>(xs: &[T]) -> String {
    match xs {
        [x] => format!("({x},)"),
        _ => format!(
            "({})",
            xs.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn out_buffer(aval: &ShapedArray) -> Buffer {
    Buffer::for_dtype(aval.size(), aval.dtype)
}

fn strided(input: &ShapedArray, buf: &Buffer, view: StridedView, out: &ShapedArray) -> Buffers {
    let mut o = out_buffer(out);
    k::strided_copy(input.dtype, buf, &view, &out.shape, &mut o);
    smallvec![o]
}

/// `reshape`: same elements, new dimension sizes (row-major order).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reshape {
    /// The new dimension sizes.
    pub new_sizes: Dims,
}

impl PrimitiveRules for Reshape {
    fn name(&self) -> &'static str {
        "reshape"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("dimensions", "None".into()),
            ("new_sizes", fmt_list(&self.new_sizes)),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("reshape", inputs, 1);
        let x = inputs[0];
        let size = crate::core::shape::size_u128(&self.new_sizes);
        if size != x.size() as u128 {
            panic!(
                "TypeError: cannot reshape array of shape {} (size {}) into shape {} (size {}).",
                fmt_tuple(&x.shape),
                x.size(),
                fmt_tuple(&self.new_sizes),
                size
            );
        }
        smallvec![ShapedArray::with_weak(
            Shape(self.new_sizes.clone()),
            x.dtype,
            x.weak_type
        )]
    }
    fn impl_cpu(&self, _: &[&ShapedArray], bufs: &[&Buffer], _: &[ShapedArray]) -> Buffers {
        smallvec![Buffer::from_slice(bufs[0].bytes())]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Layout
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, 1)
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        smallvec![Some(reshape(&cts[0], &args[0].aval().shape))]
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
        let p = Reshape {
            new_sizes: std::iter::once(size)
                .chain(self.new_sizes.iter().copied())
                .collect(),
        };
        crate::lax::batching::on_batch_first(p.into(), args[0], dims[0], size)
    }
}

/// `broadcast_in_dim`: operand axis `i` becomes output axis
/// `broadcast_dimensions[i]` (size 1 or equal); other output axes are new.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BroadcastInDim {
    /// Output shape.
    pub shape: Dims,
    /// For each operand axis, the output axis it maps to (strictly increasing).
    pub broadcast_dimensions: Dims,
}

impl PrimitiveRules for BroadcastInDim {
    fn name(&self) -> &'static str {
        "broadcast_in_dim"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        // As JAX prints it: the shape is implied by the result's type, and
        // empty broadcast_dimensions are not shown.
        if self.broadcast_dimensions.is_empty() {
            vec![]
        } else {
            vec![("broadcast_dimensions", fmt_list(&self.broadcast_dimensions))]
        }
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("broadcast_in_dim", inputs, 1);
        let x = inputs[0];
        let bd = &self.broadcast_dimensions;
        let ok_rank = bd.len() == x.ndim();
        let ok_increasing = bd.windows(2).all(|w| w[0] < w[1]);
        let ok_range = bd.iter().all(|&d| d < self.shape.len());
        let ok_sizes = ok_rank
            && ok_range
            && x.shape
                .iter()
                .zip(bd.iter())
                .all(|(&s, &d)| s == 1 || s == self.shape[d]);
        if !(ok_rank && ok_increasing && ok_range && ok_sizes) {
            panic!(
                "TypeError: broadcast_in_dim operand dimension sizes must either be 1, or be \
                 equal to their corresponding dimensions in the target broadcast shape; got \
                 operand of shape {}, target broadcast shape {}, broadcast_dimensions {}",
                fmt_tuple(&x.shape),
                fmt_tuple(&self.shape),
                fmt_list(bd)
            );
        }
        smallvec![ShapedArray::with_weak(
            Shape(self.shape.clone()),
            x.dtype,
            x.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let x = inputs[0];
        let in_strides = contiguous_strides(&x.shape);
        let mut strides = vec![0isize; self.shape.len()];
        for (i, &d) in self.broadcast_dimensions.iter().enumerate() {
            if x.shape[i] != 1 {
                strides[d] = in_strides[i] as isize;
            }
        }
        strided(x, bufs[0], StridedView { offset: 0, strides }, &outs[0])
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Layout
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, 1)
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let x = args[0].aval();
        // Sum over the new axes and over the operand's size-1 axes that were expanded.
        let summed: Vec<usize> = (0..self.shape.len())
            .filter(
                |&d| match self.broadcast_dimensions.iter().position(|&b| b == d) {
                    None => true,
                    Some(i) => x.shape[i] == 1 && self.shape[d] != 1,
                },
            )
            .collect();
        let s = super::reduce(&cts[0], crate::ir::ReduceOp::Sum, &summed);
        smallvec![Some(reshape(&s, &x.shape))]
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
        let p = BroadcastInDim {
            shape: std::iter::once(size)
                .chain(self.shape.iter().copied())
                .collect(),
            broadcast_dimensions: std::iter::once(0)
                .chain(self.broadcast_dimensions.iter().map(|d| d + 1))
                .collect(),
        };
        crate::lax::batching::on_batch_first(p.into(), args[0], dims[0], size)
    }
}

/// `transpose`: output axis `i` is operand axis `permutation[i]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Transpose {
    /// A permutation of the operand's axes.
    pub permutation: Dims,
}

impl PrimitiveRules for Transpose {
    fn name(&self) -> &'static str {
        "transpose"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![("permutation", fmt_list(&self.permutation))]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("transpose", inputs, 1);
        let x = inputs[0];
        let mut seen = vec![false; x.ndim()];
        let valid = self.permutation.len() == x.ndim()
            && self
                .permutation
                .iter()
                .all(|&p| p < x.ndim() && !std::mem::replace(&mut seen[p], true));
        if !valid {
            panic!(
                "TypeError: transpose permutation isn't a permutation of operand dimensions, \
                 got permutation {} for operand shape {}.",
                fmt_list(&self.permutation),
                fmt_tuple(&x.shape)
            );
        }
        let shape: Dims = self.permutation.iter().map(|&p| x.shape[p]).collect();
        smallvec![ShapedArray::with_weak(Shape(shape), x.dtype, x.weak_type)]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let x = inputs[0];
        let st = contiguous_strides(&x.shape);
        let strides = self.permutation.iter().map(|&p| st[p] as isize).collect();
        strided(x, bufs[0], StridedView { offset: 0, strides }, &outs[0])
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Layout
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, 1)
    }
    fn transpose(&self, cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        let mut inverse = vec![0; self.permutation.len()];
        for (i, &p) in self.permutation.iter().enumerate() {
            inverse[p] = i;
        }
        smallvec![Some(transpose(&cts[0], &inverse))]
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
        let p = Transpose {
            permutation: std::iter::once(0)
                .chain(self.permutation.iter().map(|d| d + 1))
                .collect(),
        };
        crate::lax::batching::on_batch_first(p.into(), args[0], dims[0], size)
    }
}

/// `squeeze`: removes the listed axes, which must have size 1.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Squeeze {
    /// Axes to remove (sorted, non-negative).
    pub dimensions: Dims,
}

impl PrimitiveRules for Squeeze {
    fn name(&self) -> &'static str {
        "squeeze"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![("dimensions", fmt_list(&self.dimensions))]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("squeeze", inputs, 1);
        let x = inputs[0];
        if self
            .dimensions
            .iter()
            .any(|&d| d >= x.ndim() || x.shape[d] != 1)
        {
            panic!(
                "ValueError: cannot select an axis to squeeze out which has size not equal to \
                 one, got shape={} and dimensions={}",
                fmt_tuple(&x.shape),
                fmt_list(&self.dimensions)
            );
        }
        let shape: Dims = (0..x.ndim())
            .filter(|d| !self.dimensions.contains(d))
            .map(|d| x.shape[d])
            .collect();
        smallvec![ShapedArray::with_weak(Shape(shape), x.dtype, x.weak_type)]
    }
    fn impl_cpu(&self, _: &[&ShapedArray], bufs: &[&Buffer], _: &[ShapedArray]) -> Buffers {
        smallvec![Buffer::from_slice(bufs[0].bytes())]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Layout
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, 1)
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        smallvec![Some(reshape(&cts[0], &args[0].aval().shape))]
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
        let p = Squeeze {
            dimensions: crate::lax::batching::shifted(&self.dimensions),
        };
        crate::lax::batching::on_batch_first(p.into(), args[0], dims[0], size)
    }
}

/// `rev`: reverses the order of elements along the listed axes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rev {
    /// Axes to reverse.
    pub dimensions: Dims,
}

impl PrimitiveRules for Rev {
    fn name(&self) -> &'static str {
        "rev"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![("dimensions", fmt_list(&self.dimensions))]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("rev", inputs, 1);
        let x = inputs[0];
        if self.dimensions.iter().any(|&d| d >= x.ndim()) {
            panic!(
                "ValueError: rev dimensions {} out of range for operand shape {}.",
                fmt_list(&self.dimensions),
                fmt_tuple(&x.shape)
            );
        }
        smallvec![x.clone()]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let x = inputs[0];
        let st = contiguous_strides(&x.shape);
        let mut offset = 0isize;
        let strides = (0..x.ndim())
            .map(|d| {
                if self.dimensions.contains(&d) && x.shape[d] > 0 {
                    offset += ((x.shape[d] - 1) * st[d]) as isize;
                    -(st[d] as isize)
                } else {
                    st[d] as isize
                }
            })
            .collect();
        strided(x, bufs[0], StridedView { offset, strides }, &outs[0])
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Layout
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, 1)
    }
    fn transpose(&self, cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        smallvec![Some(rev(&cts[0], &self.dimensions))]
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
        let p = Rev {
            dimensions: crate::lax::batching::shifted(&self.dimensions),
        };
        crate::lax::batching::on_batch_first(p.into(), args[0], dims[0], size)
    }
}

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
        let total = |x: &Array| super::reduce(x, crate::ir::ReduceOp::Sum, &all_axes);
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

/// `concatenate`: joins operands along `dimension`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Concatenate {
    /// The axis to join along.
    pub dimension: usize,
}

impl PrimitiveRules for Concatenate {
    fn name(&self) -> &'static str {
        "concatenate"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![("dimension", self.dimension.to_string())]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        if inputs.is_empty() {
            panic!("ValueError: Need at least one array to concatenate.");
        }
        let first = inputs[0];
        let shapes = || {
            inputs
                .iter()
                .map(|x| fmt_tuple(&x.shape))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if inputs.iter().any(|x| x.ndim() != first.ndim()) {
            panic!(
                "TypeError: Cannot concatenate arrays with different numbers of dimensions: \
                 got {}.",
                shapes()
            );
        }
        if self.dimension >= first.ndim() {
            panic!(
                "ValueError: axis {} is out of bounds for array of dimension {}",
                self.dimension,
                first.ndim()
            );
        }
        if inputs.iter().any(|x| x.dtype != first.dtype) {
            panic!(
                "TypeError: Cannot concatenate arrays with different dtypes: {}. Use \
                 jnp::concatenate, which promotes them.",
                inputs
                    .iter()
                    .map(|x| x.dtype.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let d = self.dimension;
        let mut shape = first.shape.0.clone();
        shape[d] = 0;
        for x in inputs {
            for k in 0..shape.len() {
                if k != d && x.shape[k] != first.shape[k] {
                    panic!(
                        "TypeError: Cannot concatenate arrays with shapes that differ in \
                         dimensions other than the one being concatenated: concatenating along \
                         dimension {d} for shapes {}.",
                        shapes()
                    );
                }
            }
            shape[d] += x.shape[d];
        }
        let weak = inputs.iter().all(|x| x.weak_type);
        smallvec![ShapedArray::with_weak(Shape(shape), first.dtype, weak)]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut o = out_buffer(&outs[0]);
        let parts: Vec<(&Buffer, &[usize])> = bufs
            .iter()
            .zip(inputs)
            .map(|(b, a)| (*b, &a.shape[..]))
            .collect();
        k::concatenate(
            outs[0].dtype,
            &parts,
            self.dimension,
            &mut o,
            &outs[0].shape,
        );
        smallvec![o]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Layout
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, primals.len())
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let ct = &cts[0];
        let mut offset = 0;
        args.iter()
            .map(|a| {
                let n = a.aval().shape[self.dimension];
                let mut start = vec![0; ct.ndim()];
                let mut limit = ct.shape().to_vec();
                start[self.dimension] = offset;
                limit[self.dimension] = offset + n;
                offset += n;
                a.is_linear().then(|| slice(ct, &start, &limit))
            })
            .collect()
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
        let xs = crate::lax::batching::all_batch_first(args, dims, size);
        let p = Concatenate {
            dimension: self.dimension + 1,
        };
        (
            crate::lax::batching::bind_all(p.into(), &xs),
            smallvec![Some(0)],
        )
    }
}

// ---------------------------------------------------------------- wrappers

/// Reshapes to `new_sizes` (no -1 inference at this level).
pub fn reshape(x: &Array, new_sizes: &[usize]) -> Array {
    if x.shape() == new_sizes {
        return x.clone();
    }
    bind1(
        &Reshape {
            new_sizes: Dims::from_slice(new_sizes),
        }
        .into(),
        &[x],
    )
}

/// Broadcasts `x` into `shape`, mapping its axes to `broadcast_dimensions`.
pub fn broadcast_in_dim(x: &Array, shape: &[usize], broadcast_dimensions: &[usize]) -> Array {
    if x.shape() == shape
        && broadcast_dimensions
            .iter()
            .enumerate()
            .all(|(i, &d)| i == d)
    {
        return x.clone();
    }
    bind1(
        &BroadcastInDim {
            shape: Dims::from_slice(shape),
            broadcast_dimensions: Dims::from_slice(broadcast_dimensions),
        }
        .into(),
        &[x],
    )
}

/// Permutes axes.
pub fn transpose(x: &Array, permutation: &[usize]) -> Array {
    if permutation.iter().enumerate().all(|(i, &p)| i == p) && permutation.len() == x.ndim() {
        return x.clone();
    }
    bind1(
        &Transpose {
            permutation: Dims::from_slice(permutation),
        }
        .into(),
        &[x],
    )
}

/// Removes size-1 axes.
pub fn squeeze(x: &Array, dimensions: &[usize]) -> Array {
    if dimensions.is_empty() {
        return x.clone();
    }
    let mut d = Dims::from_slice(dimensions);
    d.sort_unstable();
    d.dedup();
    bind1(&Squeeze { dimensions: d }.into(), &[x])
}

/// Reverses along axes.
pub fn rev(x: &Array, dimensions: &[usize]) -> Array {
    if dimensions.is_empty() {
        return x.clone();
    }
    bind1(
        &Rev {
            dimensions: Dims::from_slice(dimensions),
        }
        .into(),
        &[x],
    )
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

/// Concatenates along `dimension` (operands share dtype and other dims).
pub fn concatenate(xs: &[&Array], dimension: usize) -> Array {
    if xs.len() == 1 {
        return xs[0].clone();
    }
    bind1(&Concatenate { dimension }.into(), xs)
}
