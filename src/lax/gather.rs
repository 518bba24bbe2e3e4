//! `gather` and `scatter` / `scatter-add`: XLA's general indexed reads and
//! writes, with JAX's dimension numbers (including operand batching
//! dimensions, which `vmap` uses). Their rules live here; kernels are in
//! `backend/cpu/kernels/gather.rs`.

use super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::batching::{batch_first, move_axis, BatchResult};
use super::{Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::gather::{self as kernel, Addressing, Combine, IndexMode};
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::core::trace::bind1;
use smallvec::smallvec;

/// How `gather`/`scatter` treat windows that do not fit in the operand.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum GatherScatterMode {
    /// Clamp the start so the window fits.
    Clip,
    /// Gather reads the fill value; scatter drops the update.
    FillOrDrop,
    /// The caller promises the indices are in bounds; out-of-bounds gathers
    /// clamp and out-of-bounds scatters are dropped (as on XLA).
    PromiseInBounds,
}

impl GatherScatterMode {
    /// Parses JAX's spelling: `"clip"`, `"fill"`/`"drop"` or `"promise_in_bounds"`.
    pub fn from_name(s: &str) -> GatherScatterMode {
        match s {
            "clip" => GatherScatterMode::Clip,
            "fill" | "drop" => GatherScatterMode::FillOrDrop,
            "promise_in_bounds" => GatherScatterMode::PromiseInBounds,
            _ => panic!(
                "ValueError: Unknown gather mode \"{s}\". Use \"clip\", \"fill\", \"drop\" or \
                 \"promise_in_bounds\"."
            ),
        }
    }
}

impl From<&str> for GatherScatterMode {
    fn from(s: &str) -> GatherScatterMode {
        GatherScatterMode::from_name(s)
    }
}

impl std::fmt::Display for GatherScatterMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GatherScatterMode::Clip => "GatherScatterMode.CLIP",
            GatherScatterMode::FillOrDrop => "GatherScatterMode.FILL_OR_DROP",
            GatherScatterMode::PromiseInBounds => "GatherScatterMode.PROMISE_IN_BOUNDS",
        })
    }
}

/// What a `FillOrDrop` gather reads outside the operand.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum GatherFill {
    /// JAX's default: NaN for floats, the minimum for signed integers, the
    /// maximum for unsigned ones, `true` for bool.
    Default,
    /// Zero (used by transposes).
    Zero,
    /// A given value: the bits of one element of the operand's dtype
    /// (little-endian, zero-extended to 64 bits).
    Bits(u64),
}

/// `lax.GatherDimensionNumbers`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct GatherDimensionNumbers {
    /// Output dims that walk the window (in operand-dim order).
    pub offset_dims: Vec<usize>,
    /// Operand dims whose window (of size 1) is dropped from the output.
    pub collapsed_slice_dims: Vec<usize>,
    /// The operand dim each entry of the index vector starts.
    pub start_index_map: Vec<usize>,
    /// Operand dims indexed by a batch dim of the indices.
    pub operand_batching_dims: Vec<usize>,
    /// The indices' dims paired with `operand_batching_dims`.
    pub start_indices_batching_dims: Vec<usize>,
}

/// `gather(operand, start_indices)`: windows of `slice_sizes` read at the
/// index vectors (the last dimension of `start_indices`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Gather {
    /// Dimension numbers.
    pub dimension_numbers: GatherDimensionNumbers,
    /// The window size in every operand dim.
    pub slice_sizes: Vec<usize>,
    /// Out-of-bounds handling.
    pub mode: GatherScatterMode,
    /// The value out-of-bounds windows read in `FillOrDrop` mode.
    pub fill: GatherFill,
    /// Compiler-internal: negative indices count from the end of their
    /// operand dim. The simplifier sets it when it folds jnp's
    /// `select_n(i < 0, i, i + n)` into the op (as XLA fuses it); staged
    /// programs never have it, and it prints only when set.
    pub wrap_negative: bool,
}

fn gather_kernel_mode(m: GatherScatterMode) -> IndexMode {
    match m {
        GatherScatterMode::Clip | GatherScatterMode::PromiseInBounds => IndexMode::Clip,
        GatherScatterMode::FillOrDrop => IndexMode::FillOrDrop,
    }
}

fn scatter_kernel_mode(m: GatherScatterMode) -> IndexMode {
    match m {
        GatherScatterMode::Clip => IndexMode::Clip,
        GatherScatterMode::FillOrDrop | GatherScatterMode::PromiseInBounds => IndexMode::FillOrDrop,
    }
}

fn shifted(v: &[usize]) -> Vec<usize> {
    v.iter().map(|d| d + 1).collect()
}

/// Operand batching dims and the indices' batch dims they pair with: equal
/// counts, in range (never the index-vector dim), equal sizes.
fn batching_dims_pair(
    shape: &[usize],
    operand: &[usize],
    idx: &ShapedArray,
    indices: &[usize],
) -> bool {
    operand.len() == indices.len()
        && operand
            .iter()
            .zip(indices)
            .all(|(&o, &i)| o < shape.len() && i + 1 < idx.ndim() && shape[o] == idx.shape[i])
}

fn check_indices(name: &str, indices: &ShapedArray, k: usize) {
    if !indices.dtype.is_int() || indices.ndim() == 0 {
        panic!(
            "TypeError: {name} indices must be an integer array of rank >= 1 (the index vector \
             last), got {}.",
            indices.short()
        );
    }
    if indices.shape[indices.ndim() - 1] != k {
        panic!(
            "TypeError: {name} index vectors have length {} but the dimension map has {k} entries.",
            indices.shape[indices.ndim() - 1]
        );
    }
}

impl Gather {
    fn window_dims(&self, rank: usize) -> Vec<usize> {
        let dn = &self.dimension_numbers;
        (0..rank)
            .filter(|d| {
                !dn.collapsed_slice_dims.contains(d) && !dn.operand_batching_dims.contains(d)
            })
            .collect()
    }
}

impl PrimitiveRules for Gather {
    fn name(&self) -> &'static str {
        "gather"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        let dn = &self.dimension_numbers;
        vec![
            (
                "dimension_numbers",
                format!(
                    "GatherDimensionNumbers(offset_dims={}, collapsed_slice_dims={}, \
                     start_index_map={}, operand_batching_dims={}, start_indices_batching_dims={})",
                    fmt_tuple(&dn.offset_dims),
                    fmt_tuple(&dn.collapsed_slice_dims),
                    fmt_tuple(&dn.start_index_map),
                    fmt_tuple(&dn.operand_batching_dims),
                    fmt_tuple(&dn.start_indices_batching_dims)
                ),
            ),
            ("slice_sizes", fmt_tuple(&self.slice_sizes)),
            ("mode", self.mode.to_string()),
        ]
        .into_iter()
        .chain(
            self.wrap_negative
                .then(|| ("wrap_negative", "True".to_string())),
        )
        .collect()
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        super::expect_arity("gather", inputs, 2);
        let (x, idx) = (inputs[0], inputs[1]);
        let dn = &self.dimension_numbers;
        check_indices("gather", idx, dn.start_index_map.len());
        let window = self.window_dims(x.ndim());
        let bad_sizes = self.slice_sizes.len() != x.ndim()
            || self
                .slice_sizes
                .iter()
                .zip(x.shape.iter())
                .any(|(s, n)| s > n)
            || dn
                .collapsed_slice_dims
                .iter()
                .any(|&d| d >= x.ndim() || self.slice_sizes[d] != 1)
            // Batching dims take one row (zero when the batch is empty).
            || dn
                .operand_batching_dims
                .iter()
                .any(|&d| d >= x.ndim() || self.slice_sizes[d] != x.shape[d].min(1))
            || dn.start_index_map.iter().any(|&d| d >= x.ndim())
            || window.len() != dn.offset_dims.len()
            || !batching_dims_pair(
                &x.shape,
                &dn.operand_batching_dims,
                idx,
                &dn.start_indices_batching_dims,
            );
        if bad_sizes {
            panic!(
                "TypeError: gather slice_sizes {} and dimension numbers {:?} do not fit operand {}.",
                fmt_tuple(&self.slice_sizes),
                dn,
                x.short()
            );
        }
        let out_rank = idx.ndim() - 1 + dn.offset_dims.len();
        if dn.offset_dims.windows(2).any(|w| w[0] >= w[1])
            || dn.offset_dims.iter().any(|&d| d >= out_rank)
        {
            panic!(
                "TypeError: gather offset_dims {} must be sorted and below the output rank {out_rank}.",
                fmt_tuple(&dn.offset_dims)
            );
        }
        let mut batch = idx.shape[..idx.ndim() - 1].iter();
        let mut win = window.iter();
        let shape: Vec<usize> = (0..out_rank)
            .map(|d| {
                if dn.offset_dims.contains(&d) {
                    self.slice_sizes[*win.next().unwrap()]
                } else {
                    *batch.next().unwrap()
                }
            })
            .collect();
        smallvec![ShapedArray::with_weak(shape.into(), x.dtype, x.weak_type)]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let (x, idx) = (inputs[0], inputs[1]);
        let dn = &self.dimension_numbers;
        let a = Addressing {
            operand_shape: &x.shape,
            indices: bufs[1],
            index_dtype: idx.dtype,
            indices_shape: &idx.shape,
            start_index_map: &dn.start_index_map,
            operand_batching_dims: &dn.operand_batching_dims,
            indices_batching_dims: &dn.start_indices_batching_dims,
            window_dims: self.window_dims(x.ndim()),
            window: self.slice_sizes.clone(),
            mode: gather_kernel_mode(self.mode),
            wrap_negative: self.wrap_negative,
        };
        let fill = fill_bytes(x.dtype, self.fill);
        smallvec![kernel::gather(
            bufs[0],
            x.dtype.size_of(),
            &a,
            &outs[0].shape,
            &dn.offset_dims,
            &fill
        )]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, 1)
    }
    /// Scatter-adds the cotangent into zeros (windows dropped by the
    /// forward gather get no cotangent).
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let idx = args[1].known("gather");
        let dn = &self.dimension_numbers;
        let zeros = ad_util::zeros(args[0].aval());
        let sdn = ScatterDimensionNumbers {
            update_window_dims: dn.offset_dims.clone(),
            inserted_window_dims: dn.collapsed_slice_dims.clone(),
            scatter_dims_to_operand_dims: dn.start_index_map.clone(),
            operand_batching_dims: dn.operand_batching_dims.clone(),
            scatter_indices_batching_dims: dn.start_indices_batching_dims.clone(),
        };
        smallvec![
            Some(scatter_add(&zeros, idx, &cts[0], sdn, self.mode)),
            None
        ]
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Linear
    }
    fn batch(&self, args: &[&Array], dims: &[Option<usize>], size: usize) -> BatchResult {
        let dn = &self.dimension_numbers;
        let mut g = self.clone();
        let (x, idx) = match (dims[0], dims[1]) {
            (Some(dx), None) => {
                g.dimension_numbers = GatherDimensionNumbers {
                    offset_dims: std::iter::once(0).chain(shifted(&dn.offset_dims)).collect(),
                    collapsed_slice_dims: shifted(&dn.collapsed_slice_dims),
                    start_index_map: shifted(&dn.start_index_map),
                    operand_batching_dims: shifted(&dn.operand_batching_dims),
                    start_indices_batching_dims: dn.start_indices_batching_dims.clone(),
                };
                g.slice_sizes.insert(0, size);
                (move_axis(args[0], dx, 0), args[1].clone())
            }
            (None, Some(di)) => {
                g.dimension_numbers = GatherDimensionNumbers {
                    offset_dims: shifted(&dn.offset_dims),
                    start_indices_batching_dims: shifted(&dn.start_indices_batching_dims),
                    ..dn.clone()
                };
                (args[0].clone(), move_axis(args[1], di, 0))
            }
            _ => {
                g.dimension_numbers = GatherDimensionNumbers {
                    offset_dims: shifted(&dn.offset_dims),
                    collapsed_slice_dims: shifted(&dn.collapsed_slice_dims),
                    start_index_map: shifted(&dn.start_index_map),
                    operand_batching_dims: std::iter::once(0)
                        .chain(shifted(&dn.operand_batching_dims))
                        .collect(),
                    start_indices_batching_dims: std::iter::once(0)
                        .chain(shifted(&dn.start_indices_batching_dims))
                        .collect(),
                };
                g.slice_sizes.insert(0, 1);
                (
                    batch_first(args[0], dims[0], size),
                    batch_first(args[1], dims[1], size),
                )
            }
        };
        (smallvec![bind1(&g.into(), &[&x, &idx])], smallvec![Some(0)])
    }
}

/// One element of the fill value as bytes.
fn fill_bytes(dtype: DType, fill: GatherFill) -> Vec<u8> {
    let one = |v: Buffer| v.bytes().to_vec();
    match fill {
        GatherFill::Zero => return vec![0; dtype.size_of()],
        GatherFill::Bits(b) => return b.to_le_bytes()[..dtype.size_of()].to_vec(),
        GatherFill::Default => {}
    }
    match dtype {
        DType::F32 => one(Buffer::from_slice(&[f32::NAN])),
        DType::F64 => one(Buffer::from_slice(&[f64::NAN])),
        DType::F16 => one(Buffer::from_slice(&[half::f16::NAN])),
        DType::BF16 => one(Buffer::from_slice(&[half::bf16::NAN])),
        DType::Bool => vec![1],
        DType::I8 => one(Buffer::from_slice(&[i8::MIN])),
        DType::I16 => one(Buffer::from_slice(&[i16::MIN])),
        DType::I32 => one(Buffer::from_slice(&[i32::MIN])),
        DType::I64 => one(Buffer::from_slice(&[i64::MIN])),
        _ => vec![0xFF; dtype.size_of()],
    }
}

/// `lax.ScatterDimensionNumbers`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ScatterDimensionNumbers {
    /// Updates dims that walk the window.
    pub update_window_dims: Vec<usize>,
    /// Operand dims with a window of size 1 that updates do not have.
    pub inserted_window_dims: Vec<usize>,
    /// The operand dim each entry of the index vector starts.
    pub scatter_dims_to_operand_dims: Vec<usize>,
    /// Operand dims indexed by a batch dim of the indices.
    pub operand_batching_dims: Vec<usize>,
    /// The indices' dims paired with `operand_batching_dims`.
    pub scatter_indices_batching_dims: Vec<usize>,
}

/// How a scatter combines each update with the operand's element.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ScatterOp {
    /// `scatter`: overwrite (the last update to an element wins).
    Replace,
    /// `scatter-add`.
    Add,
    /// `scatter-sub`.
    Sub,
    /// `scatter-mul`.
    Mul,
    /// `scatter-min` (NaN-propagating, as `lax.min`).
    Min,
    /// `scatter-max` (NaN-propagating, as `lax.max`).
    Max,
}

impl ScatterOp {
    /// Every scatter op, for tests.
    pub const ALL: [ScatterOp; 6] = [
        ScatterOp::Replace,
        ScatterOp::Add,
        ScatterOp::Sub,
        ScatterOp::Mul,
        ScatterOp::Min,
        ScatterOp::Max,
    ];

    /// JAX's primitive name.
    pub fn name(self) -> &'static str {
        match self {
            ScatterOp::Replace => "scatter",
            ScatterOp::Add => "scatter-add",
            ScatterOp::Sub => "scatter-sub",
            ScatterOp::Mul => "scatter-mul",
            ScatterOp::Min => "scatter-min",
            ScatterOp::Max => "scatter-max",
        }
    }
}

/// `scatter(operand, indices, updates)` and its combining variants
/// (`scatter-add`, `-sub`, `-mul`, `-min`, `-max`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scatter {
    /// Dimension numbers.
    pub dimension_numbers: ScatterDimensionNumbers,
    /// Out-of-bounds handling.
    pub mode: GatherScatterMode,
    /// How updates combine with the operand.
    pub op: ScatterOp,
    /// The caller promises no two updates hit the same element.
    pub unique_indices: bool,
    /// The caller promises the indices are sorted (a hint only).
    pub indices_are_sorted: bool,
    /// Compiler-internal: negative indices count from the end of their
    /// operand dim. The simplifier sets it when it folds jnp's
    /// `select_n(i < 0, i, i + n)` into the op (as XLA fuses it); staged
    /// programs never have it, and it prints only when set.
    pub wrap_negative: bool,
}

impl Scatter {
    fn window_dims(&self, rank: usize) -> Vec<usize> {
        let dn = &self.dimension_numbers;
        (0..rank)
            .filter(|d| {
                !dn.inserted_window_dims.contains(d) && !dn.operand_batching_dims.contains(d)
            })
            .collect()
    }
    /// The window size in every operand dim.
    fn window(&self, rank: usize, updates: &[usize]) -> Vec<usize> {
        let mut w = vec![1; rank];
        for (k, &d) in self.window_dims(rank).iter().enumerate() {
            w[d] = updates[self.dimension_numbers.update_window_dims[k]];
        }
        w
    }
    fn as_gather(&self, window: Vec<usize>) -> Gather {
        let dn = &self.dimension_numbers;
        Gather {
            dimension_numbers: GatherDimensionNumbers {
                offset_dims: dn.update_window_dims.clone(),
                collapsed_slice_dims: dn.inserted_window_dims.clone(),
                start_index_map: dn.scatter_dims_to_operand_dims.clone(),
                operand_batching_dims: dn.operand_batching_dims.clone(),
                start_indices_batching_dims: dn.scatter_indices_batching_dims.clone(),
            },
            slice_sizes: window,
            mode: self.mode,
            fill: GatherFill::Zero,
            wrap_negative: self.wrap_negative,
        }
    }
}

impl PrimitiveRules for Scatter {
    fn name(&self) -> &'static str {
        self.op.name()
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        let dn = &self.dimension_numbers;
        let py = |b: bool| if b { "True" } else { "False" }.to_string();
        vec![
            (
                "dimension_numbers",
                format!(
                    "ScatterDimensionNumbers(update_window_dims={}, inserted_window_dims={}, \
                     scatter_dims_to_operand_dims={}, operand_batching_dims={}, \
                     scatter_indices_batching_dims={})",
                    fmt_tuple(&dn.update_window_dims),
                    fmt_tuple(&dn.inserted_window_dims),
                    fmt_tuple(&dn.scatter_dims_to_operand_dims),
                    fmt_tuple(&dn.operand_batching_dims),
                    fmt_tuple(&dn.scatter_indices_batching_dims)
                ),
            ),
            ("indices_are_sorted", py(self.indices_are_sorted)),
            ("mode", self.mode.to_string()),
            ("unique_indices", py(self.unique_indices)),
        ]
        .into_iter()
        .chain(
            self.wrap_negative
                .then(|| ("wrap_negative", "True".to_string())),
        )
        .collect()
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        super::expect_arity(self.name(), inputs, 3);
        let (x, idx, upd) = (inputs[0], inputs[1], inputs[2]);
        let dn = &self.dimension_numbers;
        check_indices(self.name(), idx, dn.scatter_dims_to_operand_dims.len());
        let window = self.window_dims(x.ndim());
        let fits = upd.dtype == x.dtype
            && upd.ndim() == idx.ndim() - 1 + dn.update_window_dims.len()
            && window.len() == dn.update_window_dims.len()
            && dn.update_window_dims.iter().all(|&d| d < upd.ndim())
            && window
                .iter()
                .zip(&dn.update_window_dims)
                .all(|(&d, &u)| upd.shape[u] <= x.shape[d])
            && batching_dims_pair(
                &x.shape,
                &dn.operand_batching_dims,
                idx,
                &dn.scatter_indices_batching_dims,
            )
            && dn
                .scatter_dims_to_operand_dims
                .iter()
                .chain(&dn.inserted_window_dims)
                .all(|&d| d < x.ndim())
            && {
                // The updates' scatter dims are the indices' batch dims.
                let scatter_dims: Vec<usize> = (0..upd.ndim())
                    .filter(|d| !dn.update_window_dims.contains(d))
                    .map(|d| upd.shape[d])
                    .collect();
                scatter_dims.as_slice() == &idx.shape[..idx.ndim() - 1]
            };
        if !fits {
            panic!(
                "TypeError: {} updates {} and dimension numbers {:?} do not fit operand {} with \
                 indices {}.",
                self.name(),
                upd.short(),
                dn,
                x.short(),
                idx.short()
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
        let (x, idx, upd) = (inputs[0], inputs[1], inputs[2]);
        let dn = &self.dimension_numbers;
        let a = Addressing {
            operand_shape: &x.shape,
            indices: bufs[1],
            index_dtype: idx.dtype,
            indices_shape: &idx.shape,
            start_index_map: &dn.scatter_dims_to_operand_dims,
            operand_batching_dims: &dn.operand_batching_dims,
            indices_batching_dims: &dn.scatter_indices_batching_dims,
            window_dims: self.window_dims(x.ndim()),
            window: self.window(x.ndim(), &upd.shape),
            mode: scatter_kernel_mode(self.mode),
            wrap_negative: self.wrap_negative,
        };
        let combine = match self.op {
            ScatterOp::Replace => Combine::Replace,
            ScatterOp::Add => Combine::Add,
            ScatterOp::Sub => Combine::Sub,
            ScatterOp::Mul => Combine::Mul,
            ScatterOp::Min => Combine::Min,
            ScatterOp::Max => Combine::Max,
        };
        smallvec![kernel::scatter(
            bufs[0],
            x.dtype,
            &a,
            bufs[2],
            &upd.shape,
            &dn.update_window_dims,
            combine
        )]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let out = bind1(&self.clone().into(), primals);
        if tangents[0].is_none() && tangents[2].is_none() {
            return (smallvec![out], smallvec![None]);
        }
        let (x, idx, upd) = (primals[0], primals[1], primals[2]);
        let t = match self.op {
            ScatterOp::Replace | ScatterOp::Add | ScatterOp::Sub => {
                let t_op = ad_util::instantiate(tangents[0], x.aval());
                let t_upd = ad_util::instantiate(tangents[2], upd.aval());
                bind1(&self.clone().into(), &[&t_op, idx, &t_upd])
            }
            ScatterOp::Mul => self.mul_jvp(x, idx, upd, tangents[0], tangents[2]),
            ScatterOp::Min | ScatterOp::Max => {
                self.extremal_jvp(x, idx, upd, &out, tangents[0], tangents[2])
            }
        };
        (smallvec![out], smallvec![Some(t)])
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let ct = &cts[0];
        let idx = args[1].known(self.name());
        if self.op == ScatterOp::Mul {
            // Linear in the operand only (the jvp keeps updates as residuals).
            if args[2].is_linear() {
                ad_util::not_linear("scatter-mul (in its updates)");
            }
            let upd = args[2].known("scatter-mul");
            let t_op = args[0]
                .is_linear()
                .then(|| bind1(&self.clone().into(), &[ct, idx, upd]));
            return smallvec![t_op, None, None];
        }
        if matches!(self.op, ScatterOp::Min | ScatterOp::Max) {
            ad_util::not_linear(self.name());
        }
        let upd = args[2].aval();
        let t_op = args[0].is_linear().then(|| {
            if self.op == ScatterOp::Replace {
                // Overwritten elements get no cotangent.
                bind1(&self.clone().into(), &[ct, idx, &ad_util::zeros(upd)])
            } else {
                ct.clone()
            }
        });
        let t_upd = args[2].is_linear().then(|| {
            let g = self.as_gather(self.window(ct.ndim(), &upd.shape));
            let read = bind1(&g.clone().into(), &[ct, idx]);
            match self.op {
                ScatterOp::Add => return read,
                ScatterOp::Sub => return super::neg(&read),
                _ => {}
            }
            // Only the update that was written last (the one whose id
            // survives in the operand) receives the cotangent.
            let n: usize = upd.shape.iter().product();
            let ids = super::add(
                &super::reshape(&super::iota(DType::I32, n), &upd.shape),
                &Array::scalar(1i32),
            );
            let slots = ad_util::zeros(&ShapedArray::new(ct.shape().to_vec().into(), DType::I32));
            let written = bind1(&self.clone().into(), &[&slots, idx, &ids]);
            let survived = super::eq(&bind1(&g.into(), &[&written, idx]), &ids);
            super::select(&survived, &read, &ad_util::zeros(upd))
        });
        smallvec![t_op, None, t_upd]
    }
    fn differentiability(&self) -> Differentiability {
        match self.op {
            ScatterOp::Replace | ScatterOp::Add | ScatterOp::Sub | ScatterOp::Mul => {
                Differentiability::Linear
            }
            ScatterOp::Min | ScatterOp::Max => Differentiability::Nonlinear,
        }
    }
    /// Everything moves (or is broadcast) to a leading batch dim, which
    /// becomes an operand batching dim.
    fn batch(&self, args: &[&Array], dims: &[Option<usize>], size: usize) -> BatchResult {
        let dn = &self.dimension_numbers;
        let moved: Vec<Array> = args
            .iter()
            .zip(dims)
            .map(|(a, &d)| batch_first(a, d, size))
            .collect();
        let s = Scatter {
            dimension_numbers: ScatterDimensionNumbers {
                update_window_dims: shifted(&dn.update_window_dims),
                inserted_window_dims: shifted(&dn.inserted_window_dims),
                scatter_dims_to_operand_dims: shifted(&dn.scatter_dims_to_operand_dims),
                operand_batching_dims: std::iter::once(0)
                    .chain(shifted(&dn.operand_batching_dims))
                    .collect(),
                scatter_indices_batching_dims: std::iter::once(0)
                    .chain(shifted(&dn.scatter_indices_batching_dims))
                    .collect(),
            },
            ..self.clone()
        };
        (
            smallvec![bind1(&s.into(), &[&moved[0], &moved[1], &moved[2]])],
            smallvec![Some(0)],
        )
    }
}

impl Scatter {
    fn with_op(&self, op: ScatterOp) -> Scatter {
        Scatter { op, ..self.clone() }
    }

    /// `scatter-mul`: linear in the operand; the updates' tangent needs
    /// unique indices (JAX's rule).
    fn mul_jvp(
        &self,
        x: &Array,
        idx: &Array,
        upd: &Array,
        t_op: Option<&Array>,
        t_upd: Option<&Array>,
    ) -> Array {
        let from_op = t_op.map(|t| bind1(&self.clone().into(), &[t, idx, upd]));
        let from_upd = t_upd.map(|t| {
            if !self.unique_indices {
                panic!(
                    "NotImplementedError: scatter_mul gradients are only implemented if \
                     `unique_indices=True`. Pass .unique_indices(true) to the update if no \
                     index repeats."
                );
            }
            let spread = bind1(
                &self.with_op(ScatterOp::Add).into(),
                &[&ad_util::zeros(x.aval()), idx, t],
            );
            super::mul(x, &spread)
        });
        match (from_op, from_upd) {
            (Some(a), Some(b)) => super::add(&a, &b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => unreachable!("scatter-mul jvp without tangents"),
        }
    }

    /// `scatter-min`/`-max`: ties between the operand and updates (or
    /// between updates) share the tangent equally, as JAX does.
    fn extremal_jvp(
        &self,
        x: &Array,
        idx: &Array,
        upd: &Array,
        out: &Array,
        t_op: Option<&Array>,
        t_upd: Option<&Array>,
    ) -> Array {
        let t_op = ad_util::instantiate(t_op, x.aval());
        let t_upd = ad_util::instantiate(t_upd, upd.aval());
        let g = self.as_gather(self.window(x.ndim(), upd.shape()));
        let gather = |a: &Array| bind1(&g.clone().into(), &[a, idx]);
        let add = self.with_op(ScatterOp::Add);
        let scatter_add = |into: &Array, u: &Array| bind1(&add.clone().into(), &[into, idx, u]);
        let dt = x.dtype();
        let c = |v: f64| ad_util::constant(v, dt, false);
        let zeros_x = ad_util::zeros(x.aval());
        let ones_u = super::broadcast_in_dim(&c(1.0), upd.shape(), &[]);
        let zeros_u = ad_util::zeros(upd.aval());
        let target = gather(out);
        let successful = super::eq(upd, &target);
        let retained = super::eq(&gather(x), &target);
        let num_updates = gather(&scatter_add(
            &zeros_x,
            &super::select(&successful, &ones_u, &zeros_u),
        ));
        let num_refs = gather(&scatter_add(&zeros_x, &ones_u));
        let one = super::broadcast_in_dim(&c(1.0), upd.shape(), &[]);
        let plus_one = super::div(&one, &super::add(&num_updates, &one));
        let upd_norm = super::select(&retained, &plus_one, &super::div(&one, &num_updates));
        let upd_coef = super::select(&successful, &upd_norm, &zeros_u);
        let op_norm = super::select(&retained, &plus_one, &zeros_u);
        let op_coef = super::div(&super::sub(&op_norm, &one), &num_refs);
        let t_updates = super::add(
            &super::mul(&gather(&t_op), &op_coef),
            &super::mul(&t_upd, &upd_coef),
        );
        scatter_add(&t_op, &t_updates)
    }
}

/// `lax.gather` (fill mode reads JAX's default fill value).
pub fn gather(
    operand: &Array,
    start_indices: &Array,
    dimension_numbers: GatherDimensionNumbers,
    slice_sizes: &[usize],
    mode: GatherScatterMode,
) -> Array {
    let g = Gather {
        dimension_numbers,
        slice_sizes: slice_sizes.to_vec(),
        mode,
        fill: GatherFill::Default,
        wrap_negative: false,
    };
    bind1(&g.into(), &[operand, start_indices])
}

/// `lax.gather` with every option: the fill value read by windows outside
/// the operand in `FillOrDrop` mode.
pub fn gather_with_fill(
    operand: &Array,
    start_indices: &Array,
    dimension_numbers: GatherDimensionNumbers,
    slice_sizes: &[usize],
    mode: GatherScatterMode,
    fill: GatherFill,
) -> Array {
    let g = Gather {
        dimension_numbers,
        slice_sizes: slice_sizes.to_vec(),
        mode,
        fill,
        wrap_negative: false,
    };
    bind1(&g.into(), &[operand, start_indices])
}

/// `lax.scatter_*` with every option: `op` picks `scatter` (replace),
/// `scatter_add`, `scatter_sub`, `scatter_mul`, `scatter_min` or `scatter_max`.
/// The arguments mirror `lax.scatter_*`'s keywords.
#[allow(clippy::too_many_arguments)]
pub fn scatter_with(
    op: ScatterOp,
    operand: &Array,
    indices: &Array,
    updates: &Array,
    dimension_numbers: ScatterDimensionNumbers,
    mode: GatherScatterMode,
    unique_indices: bool,
    indices_are_sorted: bool,
) -> Array {
    let s = Scatter {
        dimension_numbers,
        mode,
        op,
        unique_indices,
        indices_are_sorted,
        wrap_negative: false,
    };
    bind1(&s.into(), &[operand, indices, updates])
}

/// `lax.scatter`: `operand` with the windows at `indices` replaced by `updates`.
pub fn scatter(
    operand: &Array,
    indices: &Array,
    updates: &Array,
    dimension_numbers: ScatterDimensionNumbers,
    mode: GatherScatterMode,
) -> Array {
    scatter_with(
        ScatterOp::Replace,
        operand,
        indices,
        updates,
        dimension_numbers,
        mode,
        false,
        false,
    )
}

/// `lax.scatter_add`: `operand` with `updates` added at the windows at `indices`.
pub fn scatter_add(
    operand: &Array,
    indices: &Array,
    updates: &Array,
    dimension_numbers: ScatterDimensionNumbers,
    mode: GatherScatterMode,
) -> Array {
    scatter_with(
        ScatterOp::Add,
        operand,
        indices,
        updates,
        dimension_numbers,
        mode,
        false,
        false,
    )
}
