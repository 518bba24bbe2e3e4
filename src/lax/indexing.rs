//! Indexing primitives: `dynamic_slice` and `dynamic_update_slice`.
//!
//! Start indices are rank-0 integer operands. As in XLA, they are clamped so
//! the whole window fits inside the operand.

use super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::{Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::layout::{self as k, StridedView};
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::shape::{contiguous_strides, fmt_tuple, Dims, Shape};
use crate::core::trace::bind1;
use smallvec::smallvec;

/// Reads a rank-0 integer index buffer as i64.
fn read_index(dtype: DType, buf: &Buffer) -> i64 {
    crate::with_storage_type!(dtype, T => {
        let v: T = buf.as_slice::<T>()[0];
        crate::core::element::CastInto::<f64>::cast(v) as i64
    })
}

fn clamped_starts(
    shape: &[usize],
    window: &[usize],
    dtypes: &[&ShapedArray],
    bufs: &[&Buffer],
) -> Vec<usize> {
    (0..shape.len())
        .map(|d| {
            let i = read_index(dtypes[d].dtype, bufs[d]);
            i.clamp(0, (shape[d] - window[d]) as i64) as usize
        })
        .collect()
}

fn check_indices(name: &str, x: &ShapedArray, idx: &[&ShapedArray]) {
    if idx.len() != x.ndim() || idx.iter().any(|i| i.ndim() != 0 || !i.dtype.is_int()) {
        panic!(
            "TypeError: {name} needs one rank-0 integer start index per operand axis ({} for \
             shape {}), got {}.",
            x.ndim(),
            fmt_tuple(&x.shape),
            idx.iter().map(|i| i.short()).collect::<Vec<_>>().join(", ")
        );
    }
}

/// Runs `dynamic_update_slice` into the operand's own buffer (when the
/// operand is dead afterwards): `rest` holds the update and index buffers,
/// `inputs` the avals of all operands. Costs O(update), not O(operand).
pub fn dynamic_update_slice_in_place(
    inputs: &[&ShapedArray],
    operand: &mut Buffer,
    rest: &[&Buffer],
) {
    let (x, u) = (inputs[0], inputs[1]);
    let starts = clamped_starts(&x.shape, &u.shape, &inputs[2..], &rest[1..]);
    k::write_block(x.dtype, rest[0], &u.shape, operand, &x.shape, &starts);
}

/// `dynamic_slice(operand, *start_indices)`: a window of `slice_sizes`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DynamicSlice {
    /// Window size per axis.
    pub slice_sizes: Dims,
}

impl PrimitiveRules for DynamicSlice {
    fn name(&self) -> &'static str {
        "dynamic_slice"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![(
            "slice_sizes",
            format!("{:?}", Shape(self.slice_sizes.clone())),
        )]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        let x = inputs[0];
        check_indices("dynamic_slice", x, &inputs[1..]);
        if self.slice_sizes.len() != x.ndim()
            || self
                .slice_sizes
                .iter()
                .zip(x.shape.iter())
                .any(|(s, d)| s > d)
        {
            panic!(
                "TypeError: dynamic_slice slice_sizes {:?} must have one entry per axis and \
                 fit inside operand shape {}.",
                Shape(self.slice_sizes.clone()),
                fmt_tuple(&x.shape)
            );
        }
        smallvec![ShapedArray::with_weak(
            Shape(self.slice_sizes.clone()),
            x.dtype,
            x.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let x = inputs[0];
        let starts = clamped_starts(&x.shape, &self.slice_sizes, &inputs[1..], &bufs[1..]);
        let st = contiguous_strides(&x.shape);
        let offset = starts
            .iter()
            .zip(st.iter())
            .map(|(a, b)| (a * b) as isize)
            .sum();
        let view = StridedView {
            offset,
            strides: st.iter().map(|&s| s as isize).collect(),
        };
        let mut o = Buffer::for_dtype(outs[0].size(), x.dtype);
        k::strided_copy(x.dtype, bufs[0], &view, &outs[0].shape, &mut o);
        smallvec![o]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, 1)
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let zeros = ad_util::zeros(args[0].aval());
        let idx: Vec<&Array> = args[1..].iter().map(|a| a.known("dynamic_slice")).collect();
        let mut out: Cotangents = smallvec![Some(dynamic_update_slice(&zeros, &cts[0], &idx))];
        out.extend(idx.iter().map(|_| None));
        out
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
        if dims[1..].iter().any(Option::is_some) {
            // Per-example starts: a gather of one window per example.
            let r = self.slice_sizes.len();
            let idx = stacked_starts(&args[1..], &dims[1..], size);
            let window: Vec<usize> = (1..=r).collect();
            let (x, dnums, sizes) = match dims[0] {
                Some(d) => (
                    crate::lax::batching::move_axis(args[0], d, 0),
                    super::GatherDimensionNumbers {
                        offset_dims: window.clone(),
                        start_index_map: window,
                        operand_batching_dims: vec![0],
                        start_indices_batching_dims: vec![0],
                        ..Default::default()
                    },
                    // A batch of size 0 slices 0 rows of the batching dim.
                    std::iter::once(size.min(1))
                        .chain(self.slice_sizes.iter().copied())
                        .collect::<Vec<_>>(),
                ),
                None => (
                    args[0].clone(),
                    super::GatherDimensionNumbers {
                        offset_dims: window,
                        start_index_map: (0..r).collect(),
                        ..Default::default()
                    },
                    self.slice_sizes.to_vec(),
                ),
            };
            let out = super::gather(&x, &idx, dnums, &sizes, super::GatherScatterMode::Clip);
            return (smallvec![out], smallvec![Some(0)]);
        }
        // The batch axis first, sliced whole.
        let x = crate::lax::batching::batch_first(args[0], dims[0], size);
        let zero = crate::lax::ad_util::constant(
            0.0,
            args.get(1)
                .map_or(crate::core::dtype::DType::I32, |a| a.dtype()),
            false,
        );
        let mut inputs = vec![x, zero];
        inputs.extend(args[1..].iter().map(|a| (*a).clone()));
        let p = DynamicSlice {
            slice_sizes: std::iter::once(size)
                .chain(self.slice_sizes.iter().copied())
                .collect(),
        };
        (
            crate::lax::batching::bind_all(p.into(), &inputs),
            smallvec![Some(0)],
        )
    }
}

/// `dynamic_update_slice(operand, update, *start_indices)`: `operand` with a
/// window overwritten by `update`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DynamicUpdateSlice;

impl PrimitiveRules for DynamicUpdateSlice {
    fn name(&self) -> &'static str {
        "dynamic_update_slice"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        let (x, u) = (inputs[0], inputs[1]);
        check_indices("dynamic_update_slice", x, &inputs[2..]);
        if u.dtype != x.dtype
            || u.ndim() != x.ndim()
            || u.shape.iter().zip(x.shape.iter()).any(|(a, b)| a > b)
        {
            panic!(
                "TypeError: dynamic_update_slice update {} must match the operand's dtype and \
                 rank and fit inside operand {}.",
                u.short(),
                x.short()
            );
        }
        smallvec![x.clone()]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], _: &[ShapedArray]) -> Buffers {
        let (x, u) = (inputs[0], inputs[1]);
        let starts = clamped_starts(&x.shape, &u.shape, &inputs[2..], &bufs[2..]);
        let mut o = Buffer::from_slice(bufs[0].bytes());
        k::write_block(x.dtype, bufs[1], &u.shape, &mut o, &x.shape, &starts);
        smallvec![o]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, 2)
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let ct = &cts[0];
        let upd = args[1].aval();
        let idx: Vec<&Array> = args[2..]
            .iter()
            .map(|a| a.known("dynamic_update_slice"))
            .collect();
        let t_operand = args[0]
            .is_linear()
            .then(|| dynamic_update_slice(ct, &ad_util::zeros(upd), &idx));
        let t_update = args[1]
            .is_linear()
            .then(|| dynamic_slice(ct, &idx, &upd.shape));
        let mut out: Cotangents = smallvec![t_operand, t_update];
        out.extend(idx.iter().map(|_| None));
        out
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
        if dims[2..].iter().any(Option::is_some) {
            // Per-example starts: a scatter of one window per example.
            let x = crate::lax::batching::batch_first(args[0], dims[0], size);
            let u = crate::lax::batching::batch_first(args[1], dims[1], size);
            let idx = stacked_starts(&args[2..], &dims[2..], size);
            let window: Vec<usize> = (1..x.ndim()).collect();
            let dnums = super::ScatterDimensionNumbers {
                update_window_dims: window.clone(),
                scatter_dims_to_operand_dims: window,
                operand_batching_dims: vec![0],
                scatter_indices_batching_dims: vec![0],
                ..Default::default()
            };
            let out = super::scatter(&x, &idx, &u, dnums, super::GatherScatterMode::Clip);
            return (smallvec![out], smallvec![Some(0)]);
        }
        let x = crate::lax::batching::batch_first(args[0], dims[0], size);
        let u = crate::lax::batching::batch_first(args[1], dims[1], size);
        let zero = crate::lax::ad_util::constant(
            0.0,
            args.get(2)
                .map_or(crate::core::dtype::DType::I32, |a| a.dtype()),
            false,
        );
        let mut inputs = vec![x, u, zero];
        inputs.extend(args[2..].iter().map(|a| (*a).clone()));
        (
            crate::lax::batching::bind_all(DynamicUpdateSlice.into(), &inputs),
            smallvec![Some(0)],
        )
    }
}

/// Per-example scalar start indices as one `(size, r)` index array (int32,
/// or int64 when any index is 64-bit or uint32, so no start wraps),
/// unbatched ones broadcast.
fn stacked_starts(starts: &[&Array], dims: &[Option<usize>], size: usize) -> Array {
    use crate::core::dtype::DType;
    let wide = |d: DType| matches!(d, DType::I64 | DType::U32 | DType::U64);
    let dtype = if starts.iter().any(|a| wide(a.dtype())) {
        DType::I64
    } else {
        DType::I32
    };
    let cols: Vec<Array> = starts
        .iter()
        .zip(dims)
        .map(|(a, &d)| {
            let col = crate::lax::batching::batch_first(a, d, size);
            crate::lax::convert_element_type(&crate::lax::reshape(&col, &[size, 1]), dtype)
        })
        .collect();
    crate::lax::concatenate(&cols.iter().collect::<Vec<_>>(), 1)
}

/// A window of `slice_sizes` starting at `start_indices` (clamped to fit).
pub fn dynamic_slice(x: &Array, start_indices: &[&Array], slice_sizes: &[usize]) -> Array {
    let mut ins: Vec<&Array> = vec![x];
    ins.extend_from_slice(start_indices);
    bind1(
        &DynamicSlice {
            slice_sizes: Dims::from_slice(slice_sizes),
        }
        .into(),
        &ins,
    )
}

/// `x` with `update` written at `start_indices` (clamped to fit).
pub fn dynamic_update_slice(x: &Array, update: &Array, start_indices: &[&Array]) -> Array {
    let mut ins: Vec<&Array> = vec![x, update];
    ins.extend_from_slice(start_indices);
    bind1(&DynamicUpdateSlice.into(), &ins)
}
