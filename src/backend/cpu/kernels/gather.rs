//! `gather` and `scatter` kernels (XLA's semantics, with operand batching
//! dimensions). The index vector is the last dimension of `indices`. Both
//! walk their output (gather) or updates (scatter) element by element.

use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;

/// How out-of-bounds start indices are handled.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum IndexMode {
    /// Clamp starts so the whole window fits (`dynamic_slice` semantics).
    Clip,
    /// Gather: a window that does not fit reads the fill value.
    /// Scatter: a window that does not fit is dropped.
    FillOrDrop,
}

/// The index arrays of a gather or scatter: operand shape, `indices` data
/// and shape (index vector last), and the dimension mappings.
pub struct Addressing<'a> {
    /// The operand's shape.
    pub operand_shape: &'a [usize],
    /// Start indices (any integer dtype), shape `batch + (k,)`.
    pub indices: &'a Buffer,
    /// Dtype of `indices`.
    pub index_dtype: DType,
    /// Shape of `indices`.
    pub indices_shape: &'a [usize],
    /// Operand dim for each entry of the index vector.
    pub start_index_map: &'a [usize],
    /// Operand dims indexed by a batch position of `indices` instead.
    pub operand_batching_dims: &'a [usize],
    /// The `indices` dims paired with `operand_batching_dims`.
    pub indices_batching_dims: &'a [usize],
    /// Operand dims with a window (in order), and the window's size per operand dim.
    pub window_dims: Vec<usize>,
    /// Window size for every operand dim (1 for collapsed/batching dims).
    pub window: Vec<usize>,
    /// How out-of-bounds windows are handled.
    pub mode: IndexMode,
}

impl Addressing<'_> {
    fn index_at(&self, i: usize) -> i64 {
        let b = self.indices;
        match self.index_dtype {
            DType::I8 => b.as_slice::<i8>()[i] as i64,
            DType::I16 => b.as_slice::<i16>()[i] as i64,
            DType::I32 => b.as_slice::<i32>()[i] as i64,
            DType::I64 => b.as_slice::<i64>()[i],
            DType::U8 => b.as_slice::<u8>()[i] as i64,
            DType::U16 => b.as_slice::<u16>()[i] as i64,
            DType::U32 => b.as_slice::<u32>()[i] as i64,
            DType::U64 => b.as_slice::<u64>()[i].min(i64::MAX as u64) as i64,
            d => unreachable!("gather indices of dtype {d}"),
        }
    }

    /// The operand start of the window for batch position `g` (a
    /// multi-index over `indices`' batch dims), or `None` when it does not
    /// fit and the mode drops it.
    fn window_start(&self, g: &[usize]) -> Option<Vec<usize>> {
        let k = *self.indices_shape.last().unwrap();
        let flat: usize = g
            .iter()
            .zip(self.indices_shape)
            .fold(0, |acc, (&i, &n)| acc * n + i);
        let mut start = vec![0usize; self.operand_shape.len()];
        for (j, &d) in self.start_index_map.iter().enumerate() {
            let s = self.index_at(flat * k + j);
            let max = self.operand_shape[d] as i64 - self.window[d] as i64;
            if max < 0 {
                return None; // the window cannot fit at all (a zero-size dim)
            }
            start[d] = match self.mode {
                IndexMode::Clip => s.clamp(0, max) as usize,
                IndexMode::FillOrDrop if (0..=max).contains(&s) => s as usize,
                IndexMode::FillOrDrop => return None,
            };
        }
        for (&d, &b) in self
            .operand_batching_dims
            .iter()
            .zip(self.indices_batching_dims)
        {
            start[d] = g[b];
        }
        Some(start)
    }
}

fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// Row-major multi-index of flat position `i` in `shape`.
fn unravel(mut i: usize, shape: &[usize], out: &mut [usize]) {
    for d in (0..shape.len()).rev() {
        out[d] = i % shape[d].max(1);
        i /= shape[d].max(1);
    }
}

/// Gathers `out_shape` elements of `elem` bytes; output dims `offset_dims`
/// walk the window, the others walk `indices`' batch dims. Windows that do
/// not fit in `FillOrDrop` mode read `fill` (one element's bytes).
pub fn gather(
    operand: &Buffer,
    elem: usize,
    a: &Addressing,
    out_shape: &[usize],
    offset_dims: &[usize],
    fill: &[u8],
) -> Buffer {
    let total: usize = out_shape.iter().product();
    let mut out = Buffer::new(total * elem);
    let (src, dst) = (operand.as_slice::<u8>(), out.as_mut_slice::<u8>());
    let op_strides = strides(a.operand_shape);
    let mut idx = vec![0usize; out_shape.len()];
    let mut g = Vec::with_capacity(out_shape.len());
    for pos in 0..total {
        unravel(pos, out_shape, &mut idx);
        g.clear();
        g.extend(
            (0..out_shape.len())
                .filter(|d| !offset_dims.contains(d))
                .map(|d| idx[d]),
        );
        let bytes = &mut dst[pos * elem..(pos + 1) * elem];
        match a.window_start(&g) {
            Some(start) => {
                let mut at = 0;
                for (d, s) in start.iter().enumerate() {
                    at += s * op_strides[d];
                }
                for (k, &d) in a.window_dims.iter().enumerate() {
                    at += idx[offset_dims[k]] * op_strides[d];
                }
                bytes.copy_from_slice(&src[at * elem..(at + 1) * elem]);
            }
            None => bytes.copy_from_slice(fill),
        }
    }
    out
}

/// How scatter combines an update with the operand's element.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Combine {
    /// Overwrite (the last update to an element wins).
    Replace,
    /// Add.
    Add,
}

/// Scatters `updates` into a copy of `operand`; updates dims
/// `update_window_dims` walk the window, the others walk `indices`' batch dims.
pub fn scatter(
    operand: &Buffer,
    dtype: DType,
    a: &Addressing,
    updates: &Buffer,
    updates_shape: &[usize],
    update_window_dims: &[usize],
    combine: Combine,
) -> Buffer {
    let mut out = Buffer::from_slice(operand.bytes());
    let op_strides = strides(a.operand_shape);
    let total: usize = updates_shape.iter().product();
    let mut idx = vec![0usize; updates_shape.len()];
    let mut g = Vec::with_capacity(updates_shape.len());
    let mut targets = Vec::with_capacity(total);
    for pos in 0..total {
        unravel(pos, updates_shape, &mut idx);
        g.clear();
        g.extend(
            (0..updates_shape.len())
                .filter(|d| !update_window_dims.contains(d))
                .map(|d| idx[d]),
        );
        if let Some(start) = a.window_start(&g) {
            let mut at = 0;
            for (d, s) in start.iter().enumerate() {
                at += s * op_strides[d];
            }
            for (k, &d) in a.window_dims.iter().enumerate() {
                at += idx[update_window_dims[k]] * op_strides[d];
            }
            targets.push((pos, at));
        }
    }
    macro_rules! apply {
        ($t:ty, $add:expr) => {{
            let (o, u) = (out.as_mut_slice::<$t>(), updates.as_slice::<$t>());
            for &(pos, at) in &targets {
                o[at] = match combine {
                    Combine::Replace => u[pos],
                    Combine::Add => $add(o[at], u[pos]),
                };
            }
        }};
    }
    use half::{bf16, f16};
    match dtype {
        DType::F32 => apply!(f32, |a: f32, b: f32| a + b),
        DType::F64 => apply!(f64, |a: f64, b: f64| a + b),
        DType::F16 => apply!(f16, |a: f16, b: f16| f16::from_f32(a.to_f32() + b.to_f32())),
        DType::BF16 => apply!(bf16, |a: bf16, b: bf16| bf16::from_f32(
            a.to_f32() + b.to_f32()
        )),
        DType::Bool => apply!(u8, |a: u8, b: u8| a | b),
        DType::I8 => apply!(i8, i8::wrapping_add),
        DType::I16 => apply!(i16, i16::wrapping_add),
        DType::I32 => apply!(i32, i32::wrapping_add),
        DType::I64 => apply!(i64, i64::wrapping_add),
        DType::U8 => apply!(u8, u8::wrapping_add),
        DType::U16 => apply!(u16, u16::wrapping_add),
        DType::U32 => apply!(u32, u32::wrapping_add),
        DType::U64 => apply!(u64, u64::wrapping_add),
    }
    out
}
