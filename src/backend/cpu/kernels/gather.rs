//! `gather` and `scatter` kernels (XLA's semantics, with operand batching
//! dimensions). The index vector is the last dimension of `indices`.
//!
//! Both kernels first resolve every index vector to the operand offset of
//! its window (one pass over `indices`, in parallel), then move whole
//! windows: a gather whose window dims are the trailing output dims copies
//! each window into a contiguous run of the output (in parallel); other
//! layouts go through precomputed offset tables. Scatter applies updates in
//! order (the last write to an element wins, as on XLA:CPU).

use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::elem::{fmax_nan, fmin_nan};
use crate::core::dtype::DType;
use crate::core::element::Pod;
use rayon::prelude::*;

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
    /// Negative index entries count from the end of their operand dim
    /// (`i + n`) before `mode` applies.
    pub wrap_negative: bool,
}

/// Marks a window that does not fit (dropped or filled).
const OUTSIDE: usize = usize::MAX;
/// Batch positions per parallel task.
const CHUNK: usize = 1 << 14;

/// Reads index entries of any integer dtype as `i64`.
trait IndexElem: Pod {
    fn to_i64(self) -> i64;
}
macro_rules! index_elem {
    ($($t:ty),*) => {$(
        impl IndexElem for $t {
            #[inline(always)]
            fn to_i64(self) -> i64 { self as i64 }
        }
    )*};
}
index_elem!(i8, i16, i32, i64, u8, u16, u32);
impl IndexElem for u64 {
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self.min(i64::MAX as u64) as i64
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

impl Addressing<'_> {
    /// The number of index vectors (batch positions of `indices`).
    fn batch_count(&self) -> usize {
        self.indices_shape[..self.indices_shape.len() - 1]
            .iter()
            .product()
    }

    /// The operand offset of every batch position's window start, or
    /// `OUTSIDE` when the window does not fit and the mode drops it.
    fn window_bases(&self) -> Vec<usize> {
        let n = self.batch_count();
        let mut bases = vec![0usize; n];
        if n >= 2 * CHUNK {
            bases
                .par_chunks_mut(CHUNK)
                .enumerate()
                .for_each(|(c, chunk)| self.bases_into(chunk, c * CHUNK));
        } else {
            self.bases_into(&mut bases, 0);
        }
        bases
    }

    /// Window bases of batch positions `first..first + out.len()`.
    fn bases_into(&self, out: &mut [usize], first: usize) {
        match self.index_dtype {
            DType::I8 => self.bases_typed::<i8>(out, first),
            DType::I16 => self.bases_typed::<i16>(out, first),
            DType::I32 => self.bases_typed::<i32>(out, first),
            DType::I64 => self.bases_typed::<i64>(out, first),
            DType::U8 => self.bases_typed::<u8>(out, first),
            DType::U16 => self.bases_typed::<u16>(out, first),
            DType::U32 => self.bases_typed::<u32>(out, first),
            DType::U64 => self.bases_typed::<u64>(out, first),
            d => unreachable!("gather indices of dtype {d}"),
        }
    }

    fn bases_typed<T: IndexElem>(&self, chunk: &mut [usize], first: usize) {
        let idx = self.indices.as_slice::<T>();
        let k = *self.indices_shape.last().unwrap();
        let op_strides = strides(self.operand_shape);
        let batch_shape = &self.indices_shape[..self.indices_shape.len() - 1];
        if k == 1 && self.operand_batching_dims.is_empty() {
            // One index per window: the common `take`/`x[idx]` case.
            let d = self.start_index_map[0];
            let (stride, max) = (
                op_strides[d],
                self.operand_shape[d] as i64 - self.window[d] as i64,
            );
            let src = &idx[first..first + chunk.len()];
            let n = self.operand_shape[d] as i64;
            if self.wrap_negative {
                return self.bases_wrapped(chunk, src, stride, max, n);
            }
            match self.mode {
                _ if max < 0 => chunk.fill(OUTSIDE),
                IndexMode::Clip => {
                    for (o, &s) in chunk.iter_mut().zip(src) {
                        *o = s.to_i64().clamp(0, max) as usize * stride;
                    }
                }
                IndexMode::FillOrDrop => {
                    for (o, &s) in chunk.iter_mut().zip(src) {
                        let s = s.to_i64();
                        *o = if (0..=max).contains(&s) {
                            s as usize * stride
                        } else {
                            OUTSIDE
                        };
                    }
                }
            }
            return;
        }
        // Per index-vector entry: (operand stride, largest valid start).
        let dims: Vec<(usize, i64)> = self
            .start_index_map
            .iter()
            .map(|&d| {
                (
                    op_strides[d],
                    self.operand_shape[d] as i64 - self.window[d] as i64,
                )
            })
            .collect();
        let batching: Vec<(usize, usize)> = self
            .operand_batching_dims
            .iter()
            .zip(self.indices_batching_dims)
            .map(|(&o, &i)| (op_strides[o], i))
            .collect();
        let mut g = vec![0usize; batch_shape.len()];
        for (j, out) in chunk.iter_mut().enumerate() {
            let pos = first + j;
            let mut at = 0usize;
            let mut inside = true;
            for (e, &(stride, max)) in dims.iter().enumerate() {
                if max < 0 {
                    inside = false; // the window cannot fit at all
                    break;
                }
                let s = idx[pos * k + e].to_i64();
                let s = if self.wrap_negative && s < 0 {
                    s + self.operand_shape[self.start_index_map[e]] as i64
                } else {
                    s
                };
                let s = match self.mode {
                    IndexMode::Clip => s.clamp(0, max),
                    IndexMode::FillOrDrop if (0..=max).contains(&s) => s,
                    IndexMode::FillOrDrop => {
                        inside = false;
                        break;
                    }
                };
                at += s as usize * stride;
            }
            if inside && !batching.is_empty() {
                unravel(pos, batch_shape, &mut g);
                for &(stride, b) in &batching {
                    at += g[b] * stride;
                }
            }
            *out = if inside { at } else { OUTSIDE };
        }
    }

    /// The `k == 1` bases with negative indices wrapped by `n` first.
    fn bases_wrapped<T: IndexElem>(
        &self,
        out: &mut [usize],
        src: &[T],
        stride: usize,
        max: i64,
        n: i64,
    ) {
        let wrap = |s: i64| if s < 0 { s + n } else { s };
        match self.mode {
            _ if max < 0 => out.fill(OUTSIDE),
            IndexMode::Clip => {
                for (o, &s) in out.iter_mut().zip(src) {
                    *o = wrap(s.to_i64()).clamp(0, max) as usize * stride;
                }
            }
            IndexMode::FillOrDrop => {
                for (o, &s) in out.iter_mut().zip(src) {
                    let s = wrap(s.to_i64());
                    *o = if (s as u64) <= max as u64 {
                        s as usize * stride
                    } else {
                        OUTSIDE
                    };
                }
            }
        }
    }

    /// Point scatter with one index per update and no batching dims (the
    /// `x.at[idx].add(v)` case): resolves each index and applies `f` in one
    /// pass, with no buffer of bases. Returns false for other layouts.
    fn scatter_points_1d<T: Pod>(&self, o: &mut [T], u: &[T], f: &impl Fn(T, T) -> T) -> bool {
        if *self.indices_shape.last().unwrap() != 1 || !self.operand_batching_dims.is_empty() {
            return false;
        }
        match self.index_dtype {
            DType::I32 => self.points_typed::<T, i32>(o, u, f),
            DType::I64 => self.points_typed::<T, i64>(o, u, f),
            DType::U32 => self.points_typed::<T, u32>(o, u, f),
            _ => return false,
        }
        true
    }

    fn points_typed<T: Pod, I: IndexElem>(&self, o: &mut [T], u: &[T], f: &impl Fn(T, T) -> T) {
        let idx = self.indices.as_slice::<I>();
        let d = self.start_index_map[0];
        let stride = strides(self.operand_shape)[d];
        let max = self.operand_shape[d] as i64 - self.window[d] as i64;
        if max < 0 {
            return; // no window fits: every update is dropped (or clipped into nothing)
        }
        // Wrapping adds n to negative indices; 0 leaves them to the bounds check.
        let n = if self.wrap_negative {
            self.operand_shape[d] as i64
        } else {
            0
        };
        let wrap = move |s: i64| if s < 0 { s + n } else { s };
        match self.mode {
            IndexMode::FillOrDrop => {
                for (&s, &v) in idx.iter().zip(u) {
                    let s = wrap(s.to_i64());
                    // One unsigned compare rejects negatives and s > max.
                    if (s as u64) <= max as u64 {
                        let at = s as usize * stride;
                        o[at] = f(o[at], v);
                    }
                }
            }
            IndexMode::Clip => {
                for (&s, &v) in idx.iter().zip(u) {
                    let at = wrap(s.to_i64()).clamp(0, max) as usize * stride;
                    o[at] = f(o[at], v);
                }
            }
        }
    }

    /// Window elements in row-major order over the window dims: each one's
    /// operand offset relative to the window start.
    fn window_offsets(&self) -> Vec<usize> {
        let op_strides = strides(self.operand_shape);
        let sizes: Vec<usize> = self.window_dims.iter().map(|&d| self.window[d]).collect();
        let total: usize = sizes.iter().product();
        let mut out = Vec::with_capacity(total);
        let mut m = vec![0usize; sizes.len()];
        for w in 0..total {
            unravel(w, &sizes, &mut m);
            out.push(
                m.iter()
                    .zip(&self.window_dims)
                    .map(|(&i, &d)| i * op_strides[d])
                    .sum(),
            );
        }
        out
    }

    /// Whether the window is one contiguous run of the operand.
    fn window_contiguous(&self, offsets: &[usize]) -> bool {
        offsets.iter().enumerate().all(|(i, &o)| o == i)
    }
}

/// Offsets into an array of `shape` whose `window_dims` walk a window:
/// per batch position (the other dims, in order) and per window element.
fn split_offsets(shape: &[usize], window_dims: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let st = strides(shape);
    let table = |dims: &[usize]| {
        let sizes: Vec<usize> = dims.iter().map(|&d| shape[d]).collect();
        let total: usize = sizes.iter().product();
        let mut m = vec![0usize; sizes.len()];
        (0..total)
            .map(|p| {
                unravel(p, &sizes, &mut m);
                m.iter().zip(dims).map(|(&i, &d)| i * st[d]).sum()
            })
            .collect::<Vec<usize>>()
    };
    let batch_dims: Vec<usize> = (0..shape.len())
        .filter(|d| !window_dims.contains(d))
        .collect();
    (table(&batch_dims), table(window_dims))
}

/// Whether `window_dims` are exactly the trailing dims of a rank-`rank` array.
fn trailing(window_dims: &[usize], rank: usize) -> bool {
    let n = window_dims.len();
    window_dims
        .iter()
        .enumerate()
        .all(|(i, &d)| d == rank - n + i)
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
    let mut out = Buffer::for_items(total, elem);
    if total == 0 {
        return out;
    }
    macro_rules! typed {
        ($t:ty) => {{
            let fill: $t = Buffer::from_slice(fill).as_slice::<$t>()[0];
            gather_typed::<$t>(
                operand.as_slice::<$t>(),
                a,
                out.as_mut_slice::<$t>(),
                out_shape,
                offset_dims,
                fill,
            )
        }};
    }
    match elem {
        1 => typed!(u8),
        2 => typed!(u16),
        4 => typed!(u32),
        8 => typed!(u64),
        n => unreachable!("gather of {n}-byte elements"),
    }
    out
}

fn gather_typed<T: Pod>(
    src: &[T],
    a: &Addressing,
    dst: &mut [T],
    out_shape: &[usize],
    offset_dims: &[usize],
    fill: T,
) {
    let win = a.window_offsets();
    let w = win.len();
    if w == 0 {
        return;
    }
    if w == 1 && trailing(offset_dims, out_shape.len()) {
        // Point gathers: resolve a block of indices, then load it (the
        // loads are independent, so the core overlaps their cache misses).
        const BLOCK: usize = 1024;
        let run = |(c, out): (usize, &mut [T])| {
            let mut bases = [0usize; BLOCK];
            let bases = &mut bases[..out.len()];
            a.bases_into(bases, c * BLOCK);
            for (o, &b) in out.iter_mut().zip(bases.iter()) {
                *o = if b == OUTSIDE { fill } else { src[b] };
            }
        };
        if dst.len() >= 2 * CHUNK {
            dst.par_chunks_mut(BLOCK)
                .with_min_len(CHUNK / BLOCK)
                .enumerate()
                .for_each(run);
        } else {
            dst.chunks_mut(BLOCK).enumerate().for_each(run);
        }
        return;
    }
    let bases = a.window_bases();
    if trailing(offset_dims, out_shape.len()) {
        // Output = [batch..., window...]: window g is dst[g*w..(g+1)*w].
        let contiguous = a.window_contiguous(&win);
        let copy = |(g, run): (usize, &mut [T])| {
            let b = bases[g];
            if b == OUTSIDE {
                run.fill(fill);
            } else if contiguous {
                run.copy_from_slice(&src[b..b + w]);
            } else {
                for (o, &off) in run.iter_mut().zip(&win) {
                    *o = src[b + off];
                }
            }
        };
        if dst.len() >= 2 * CHUNK {
            dst.par_chunks_mut(w)
                .with_min_len((CHUNK / w).max(1))
                .enumerate()
                .for_each(copy);
        } else {
            dst.chunks_mut(w).enumerate().for_each(copy);
        }
        return;
    }
    let (out_batch, out_win) = split_offsets(out_shape, offset_dims);
    for (g, &ob) in out_batch.iter().enumerate() {
        let b = bases[g];
        for (k, &ow) in out_win.iter().enumerate() {
            dst[ob + ow] = if b == OUTSIDE { fill } else { src[b + win[k]] };
        }
    }
}

/// How scatter combines an update with the operand's element.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Combine {
    /// Overwrite (the last update to an element wins).
    Replace,
    /// Add.
    Add,
    /// Subtract the update.
    Sub,
    /// Multiply.
    Mul,
    /// NaN-propagating minimum.
    Min,
    /// NaN-propagating maximum.
    Max,
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
    let mut out = operand.clone();
    let total: usize = updates_shape.iter().product();
    if total == 0 {
        return out;
    }
    let win = a.window_offsets();
    let is_trailing = trailing(update_window_dims, updates_shape.len());
    let points = win.len() == 1 && is_trailing;
    let bases = if points { vec![] } else { a.window_bases() };
    let (upd_batch, upd_win) = if points {
        (vec![], vec![])
    } else if is_trailing {
        let w = win.len();
        ((0..bases.len()).map(|g| g * w).collect(), (0..w).collect())
    } else {
        split_offsets(updates_shape, update_window_dims)
    };
    let walk = Walk {
        points: points.then_some(a),
        bases: &bases,
        win: &win,
        upd_batch: &upd_batch,
        upd_win: &upd_win,
    };
    use half::{bf16, f16};
    // The combine is matched once, outside the loop, so each loop is a
    // straight read-modify-write.
    macro_rules! float {
        ($t:ty) => {
            match combine {
                Combine::Replace => walk.apply::<$t>(&mut out, updates, |_, u| u),
                Combine::Add => walk.apply::<$t>(&mut out, updates, |o, u| o + u),
                Combine::Sub => walk.apply::<$t>(&mut out, updates, |o, u| o - u),
                Combine::Mul => walk.apply::<$t>(&mut out, updates, |o, u| o * u),
                Combine::Min => walk.apply::<$t>(&mut out, updates, fmin_nan),
                Combine::Max => walk.apply::<$t>(&mut out, updates, fmax_nan),
            }
        };
    }
    macro_rules! half {
        ($t:ty) => {
            walk.apply::<$t>(&mut out, updates, |o, u| {
                let (a, b) = (o.to_f32(), u.to_f32());
                <$t>::from_f32(match combine {
                    Combine::Replace => b,
                    Combine::Add => a + b,
                    Combine::Sub => a - b,
                    Combine::Mul => a * b,
                    Combine::Min => fmin_nan(a, b),
                    Combine::Max => fmax_nan(a, b),
                })
            })
        };
    }
    macro_rules! complex {
        ($t:ty) => {
            walk.apply::<$t>(&mut out, updates, |o, u| {
                // Lexicographic on (real, imaginary) for min/max, as lax.max.
                let gt = |a: $t, b: $t| a.re > b.re || (a.re == b.re && a.im > b.im);
                match combine {
                    Combine::Replace => u,
                    Combine::Add => o + u,
                    Combine::Sub => o - u,
                    Combine::Mul => o * u,
                    Combine::Min => {
                        if gt(o, u) {
                            u
                        } else {
                            o
                        }
                    }
                    Combine::Max => {
                        if gt(u, o) {
                            u
                        } else {
                            o
                        }
                    }
                }
            })
        };
    }
    macro_rules! int {
        ($t:ty) => {
            walk.apply::<$t>(&mut out, updates, |o, u| match combine {
                Combine::Replace => u,
                Combine::Add => o.wrapping_add(u),
                Combine::Sub => o.wrapping_sub(u),
                Combine::Mul => o.wrapping_mul(u),
                Combine::Min => o.min(u),
                Combine::Max => o.max(u),
            })
        };
    }
    match dtype {
        DType::F32 => float!(f32),
        DType::F64 => float!(f64),
        DType::F16 => half!(f16),
        DType::BF16 => half!(bf16),
        DType::Bool => walk.apply::<u8>(&mut out, updates, |o, u| match combine {
            Combine::Replace => u,
            Combine::Add | Combine::Max => o | u,
            Combine::Sub => o & !u,
            Combine::Mul | Combine::Min => o & u,
        }),
        DType::I8 => int!(i8),
        DType::I16 => int!(i16),
        DType::I32 => int!(i32),
        DType::I64 => int!(i64),
        DType::U8 => int!(u8),
        DType::U16 => int!(u16),
        DType::U32 => int!(u32),
        DType::U64 => int!(u64),
        DType::C64 => complex!(num_complex::Complex32),
        DType::C128 => complex!(num_complex::Complex64),
        DType::Float0 => unreachable!("float0 never reaches a kernel: bind rejects it"),
    }
    out
}

/// The resolved addresses of a scatter: operand window bases and offsets,
/// and where each batch position's updates live.
struct Walk<'a> {
    /// Point updates (one element per index vector): bases are resolved
    /// block by block instead of all up front.
    points: Option<&'a Addressing<'a>>,
    bases: &'a [usize],
    win: &'a [usize],
    upd_batch: &'a [usize],
    upd_win: &'a [usize],
}

impl Walk<'_> {
    /// Applies every update in order with `f(old, update)`.
    fn apply<T: Pod>(&self, out: &mut Buffer, updates: &Buffer, f: impl Fn(T, T) -> T) {
        let (o, u) = (out.as_mut_slice::<T>(), updates.as_slice::<T>());
        if let Some(a) = self.points {
            if a.scatter_points_1d(o, u, &f) {
                return;
            }
            const BLOCK: usize = 1024;
            let mut bases = [0usize; BLOCK];
            for (c, us) in u.chunks(BLOCK).enumerate() {
                let bases = &mut bases[..us.len()];
                a.bases_into(bases, c * BLOCK);
                for (&b, &v) in bases.iter().zip(us) {
                    if b != OUTSIDE {
                        o[b] = f(o[b], v);
                    }
                }
            }
            return;
        }
        for (g, &b) in self.bases.iter().enumerate() {
            if b == OUTSIDE {
                continue;
            }
            let ub = self.upd_batch[g];
            for (&off, &uw) in self.win.iter().zip(self.upd_win) {
                let at = b + off;
                o[at] = f(o[at], u[ub + uw]);
            }
        }
    }
}
