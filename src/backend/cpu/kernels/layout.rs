//! Data-movement kernels. Transpose, broadcast, slice, reverse and dynamic
//! slice are all one strided copy: each output axis reads the input with
//! some (possibly zero or negative) stride from some start offset.

use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::threads;
use crate::core::dtype::DType;
use crate::core::element::Pod;
use rayon::prelude::*;

/// A strided view of an input buffer: element `(i0, i1, ...)` of the output
/// reads input element `offset + Σ ik * strides[k]`.
#[derive(Clone, Debug)]
pub struct StridedView {
    /// Element offset of output index (0, 0, ...).
    pub offset: isize,
    /// Input element stride for each output axis.
    pub strides: Vec<isize>,
}

/// Copies the strided view `view` of `src` into `out`, whose shape is `out_shape`.
/// Every position the view reaches must be inside `src` (checked).
pub fn strided_copy(
    dtype: DType,
    src: &Buffer,
    view: &StridedView,
    out_shape: &[usize],
    out: &mut Buffer,
) {
    crate::with_storage_type!(dtype, T => strided_copy_typed::<T>(
        src.as_slice(), view, out_shape, out.as_mut_slice()))
}

/// Bounds check: the lowest and highest input positions the view touches.
fn check_view(src_len: usize, view: &StridedView, out_shape: &[usize]) {
    if out_shape.contains(&0) {
        return;
    }
    let mut lo = view.offset;
    let mut hi = view.offset;
    for (&d, &s) in out_shape.iter().zip(&view.strides) {
        let span = (d as isize - 1) * s;
        if span < 0 {
            lo += span;
        } else {
            hi += span;
        }
    }
    assert!(
        lo >= 0 && (hi as usize) < src_len,
        "internal error: strided view {view:?} of shape {out_shape:?} reads outside a \
         buffer of {src_len} elements"
    );
}

/// Typed strided copy. Size-1 axes are dropped and axes that stay
/// contiguous in both orders merged; a view whose last axis is strided but
/// whose next-to-last is contiguous (a transpose: NCHW ↔ NHWC, `x.T`) is
/// copied in square tiles so reads and writes both stay in cache; large
/// copies split their outermost axis over the worker threads.
pub fn strided_copy_typed<T: Pod>(
    src: &[T],
    view: &StridedView,
    out_shape: &[usize],
    out: &mut [T],
) {
    check_view(src.len(), view, out_shape);
    let n = out.len();
    if n == 0 {
        return;
    }
    let (shape, strides) = simplify_view(out_shape, &view.strides);
    if shape.is_empty() {
        out[0] = src[view.offset as usize];
        return;
    }
    let outer = shape[0];
    if n >= threads::PAR_MIN_ELEMENTS && outer >= 2 && threads::num_threads() > 1 {
        threads::init();
        let per = n / outer;
        let rows = outer.div_ceil(threads::num_threads() * 4);
        out.par_chunks_mut(rows * per)
            .enumerate()
            .for_each(|(i, chunk)| {
                let mut sub = shape.clone();
                sub[0] = chunk.len() / per;
                let offset = view.offset + (i * rows) as isize * strides[0];
                copy_serial(src, offset, &sub, &strides, chunk);
            });
        return;
    }
    copy_serial(src, view.offset, &shape, &strides, out);
}

/// `shape`/`strides` without size-1 axes, with each axis merged into its
/// predecessor where the pair reads as one axis (`stride[k] = stride[k+1]
/// * shape[k+1]`). The copy is the same; it just has fewer, longer rows.
fn simplify_view(shape: &[usize], strides: &[isize]) -> (Vec<usize>, Vec<isize>) {
    let (mut sh, mut st): (Vec<usize>, Vec<isize>) = (Vec::new(), Vec::new());
    for (&d, &s) in shape.iter().zip(strides) {
        if d == 1 {
            continue;
        }
        match (sh.last_mut(), st.last_mut()) {
            (Some(pd), Some(ps)) if *ps == s * d as isize => {
                *pd *= d;
                *ps = s;
            }
            _ => {
                sh.push(d);
                st.push(s);
            }
        }
    }
    (sh, st)
}

/// Tile edge of the blocked transpose.
const TILE: usize = 16;

/// [`strided_copy_typed`] on one thread, for a simplified view.
fn copy_serial<T: Pod>(
    src: &[T],
    offset: isize,
    shape: &[usize],
    strides: &[isize],
    out: &mut [T],
) {
    let nd = shape.len();
    let n = out.len();
    // A 2-d transpose in the last two axes: out[r][c] = src[base + r + c·s].
    let tiled = nd >= 2 && strides[nd - 2] == 1 && strides[nd - 1] != 1 && shape[nd - 1] >= 2;
    let (block, lead) = if tiled { (2, nd - 2) } else { (1, nd - 1) };
    let per: usize = shape[lead..].iter().product();
    let mut idx = vec![0usize; lead];
    let mut base = offset;
    let mut pos = 0;
    while pos < n {
        let dst = &mut out[pos..pos + per];
        // All positions are in bounds by check_view; indices stay non-negative.
        if block == 2 {
            let (rows, cols, cs) = (shape[nd - 2], shape[nd - 1], strides[nd - 1]);
            for r0 in (0..rows).step_by(TILE) {
                for c0 in (0..cols).step_by(TILE) {
                    for r in r0..(r0 + TILE).min(rows) {
                        let row = &mut dst[r * cols..(r + 1) * cols];
                        let mut p = base + r as isize + c0 as isize * cs;
                        for o in &mut row[c0..(c0 + TILE).min(cols)] {
                            *o = src[p as usize];
                            p += cs;
                        }
                    }
                }
            }
        } else {
            let inner_stride = strides[nd - 1];
            if inner_stride == 1 {
                let b = base as usize;
                dst.copy_from_slice(&src[b..b + per]);
            } else if inner_stride == 0 {
                dst.fill(src[base as usize]);
            } else {
                let mut p = base;
                for o in dst.iter_mut() {
                    *o = src[p as usize];
                    p += inner_stride;
                }
            }
        }
        pos += per;
        // Advance the odometer over the outer axes.
        let mut k = lead;
        while k > 0 {
            k -= 1;
            idx[k] += 1;
            base += strides[k];
            if idx[k] < shape[k] {
                break;
            }
            base -= strides[k] * shape[k] as isize;
            idx[k] = 0;
        }
    }
}

/// Writes `update` (of `upd_shape`) into `out` (of `out_shape`) at `start`.
/// The caller has clamped `start` so the update fits.
pub fn write_block(
    dtype: DType,
    update: &Buffer,
    upd_shape: &[usize],
    out: &mut Buffer,
    out_shape: &[usize],
    start: &[usize],
) {
    crate::with_storage_type!(dtype, T => write_block_typed::<T>(
        update.as_slice(), upd_shape, out.as_mut_slice(), out_shape, start))
}

fn write_block_typed<T: Pod>(
    upd: &[T],
    upd_shape: &[usize],
    out: &mut [T],
    out_shape: &[usize],
    start: &[usize],
) {
    if upd.is_empty() {
        return;
    }
    for k in 0..out_shape.len() {
        assert!(
            start[k] + upd_shape[k] <= out_shape[k],
            "internal error: block out of range"
        );
    }
    let nd = out_shape.len();
    if nd == 0 {
        out[0] = upd[0];
        return;
    }
    let strides = crate::core::shape::contiguous_strides(out_shape);
    let inner = upd_shape[nd - 1];
    let rows = upd.len() / inner;
    let mut idx = vec![0usize; nd];
    for r in 0..rows {
        let mut o = 0;
        for k in 0..nd {
            o += (start[k] + idx[k]) * strides[k];
        }
        out[o..o + inner].copy_from_slice(&upd[r * inner..(r + 1) * inner]);
        let mut k = nd - 1;
        while k > 0 {
            k -= 1;
            idx[k] += 1;
            if idx[k] < upd_shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
}

/// Concatenates `inputs` along `axis` into `out` (shape `out_shape`).
pub fn concatenate(
    dtype: DType,
    inputs: &[(&Buffer, &[usize])],
    axis: usize,
    out: &mut Buffer,
    out_shape: &[usize],
) {
    let es = dtype.size_of();
    let outer: usize = out_shape[..axis].iter().product();
    let inner: usize = out_shape[axis + 1..].iter().product::<usize>() * es;
    let o = out.as_mut_slice::<u8>();
    let row = out_shape[axis] * inner;
    let mut col = 0;
    for (buf, shape) in inputs {
        let w = shape[axis] * inner;
        let src = buf.as_slice::<u8>();
        for i in 0..outer {
            o[i * row + col..i * row + col + w].copy_from_slice(&src[i * w..(i + 1) * w]);
        }
        col += w;
    }
}

/// `lax.pad`: fills `out` with `pad_value` and places `x` with `low` leading,
/// `high` trailing (either may be negative, cropping) and `interior` padding.
#[allow(clippy::too_many_arguments)]
pub fn pad(
    dtype: DType,
    x: &Buffer,
    shape: &[usize],
    pad_value: &Buffer,
    low: &[i64],
    interior: &[i64],
    out: &mut Buffer,
    out_shape: &[usize],
) {
    crate::with_storage_type!(dtype, T => pad_typed::<T>(
        x.as_slice(), shape, pad_value.as_slice::<T>()[0], low, interior, out.as_mut_slice(), out_shape))
}

fn pad_typed<T: Pod>(
    x: &[T],
    shape: &[usize],
    v: T,
    low: &[i64],
    interior: &[i64],
    out: &mut [T],
    out_shape: &[usize],
) {
    out.fill(v);
    if x.is_empty() {
        return;
    }
    let nd = shape.len();
    let ostr = crate::core::shape::contiguous_strides(out_shape);
    let mut idx = vec![0usize; nd];
    for &val in x {
        let mut o = 0i64;
        let mut inside = true;
        for k in 0..nd {
            let p = low[k] + idx[k] as i64 * (interior[k] + 1);
            if p < 0 || p >= out_shape[k] as i64 {
                inside = false;
                break;
            }
            o += p * ostr[k] as i64;
        }
        if inside {
            out[o as usize] = val;
        }
        let mut k = nd;
        while k > 0 {
            k -= 1;
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strided_copy_transposes_and_reverses() {
        let src: Vec<i32> = (0..6).collect(); // shape (2, 3)
        let mut out = vec![0; 6];
        let t = StridedView {
            offset: 0,
            strides: vec![1, 3],
        };
        strided_copy_typed(&src, &t, &[3, 2], &mut out);
        assert_eq!(out, vec![0, 3, 1, 4, 2, 5]);
        let rev = StridedView {
            offset: 5,
            strides: vec![-3, -1],
        };
        strided_copy_typed(&src, &rev, &[2, 3], &mut out);
        assert_eq!(out, vec![5, 4, 3, 2, 1, 0]);
        let bcast = StridedView {
            offset: 0,
            strides: vec![0, 1],
        };
        let mut out2 = vec![0; 9];
        strided_copy_typed(&src[..3], &bcast, &[3, 3], &mut out2);
        assert_eq!(out2, vec![0, 1, 2, 0, 1, 2, 0, 1, 2]);
    }

    /// Element-by-element reference for a view.
    fn naive(src: &[i32], view: &StridedView, shape: &[usize]) -> Vec<i32> {
        let n: usize = shape.iter().product();
        (0..n)
            .map(|mut i| {
                let mut p = view.offset;
                for (k, &d) in shape.iter().enumerate().rev() {
                    p += (i % d) as isize * view.strides[k];
                    i /= d;
                }
                src[p as usize]
            })
            .collect()
    }

    /// Every permutation of a 4-d array (with a size-1 axis), reversed and
    /// broadcast axes, small and large enough to split over threads: the
    /// tiled, merged and parallel paths all match the reference.
    #[test]
    fn strided_copy_matches_element_by_element_reference() {
        for dims in [[3usize, 1, 5, 4], [9, 40, 1, 300]] {
            let n: usize = dims.iter().product();
            let src: Vec<i32> = (0..n as i32).collect();
            let st = crate::core::shape::contiguous_strides(&dims);
            let mut perms = vec![vec![0usize, 1, 2, 3]];
            for k in 0..4 {
                for p in perms.clone() {
                    for i in 0..k {
                        let mut q = p.clone();
                        q.swap(i, k);
                        if !perms.contains(&q) {
                            perms.push(q);
                        }
                    }
                }
            }
            assert_eq!(perms.len(), 24);
            for perm in &perms {
                let shape: Vec<usize> = perm.iter().map(|&a| dims[a]).collect();
                let view = StridedView {
                    offset: 0,
                    strides: perm.iter().map(|&a| st[a] as isize).collect(),
                };
                let mut out = vec![-1; n];
                strided_copy_typed(&src, &view, &shape, &mut out);
                assert_eq!(out, naive(&src, &view, &shape), "perm {perm:?} of {dims:?}");
                // Reversed along the permuted last axis.
                let mut rev = view.clone();
                let last = shape.len() - 1;
                rev.offset = (shape[last] as isize - 1) * rev.strides[last];
                rev.strides[last] = -rev.strides[last];
                strided_copy_typed(&src, &rev, &shape, &mut out);
                assert_eq!(out, naive(&src, &rev, &shape), "reversed perm {perm:?}");
            }
            // A broadcast leading axis over a transpose of the rest.
            let shape = [2, dims[3], dims[1], dims[0] * dims[2]];
            let view = StridedView {
                offset: 0,
                strides: vec![0, 1, dims[3] as isize, (dims[1] * dims[3]) as isize],
            };
            let mut out = vec![-1; shape.iter().product()];
            strided_copy_typed(&src, &view, &shape, &mut out);
            assert_eq!(out, naive(&src, &view, &shape));
        }
    }

    #[test]
    #[should_panic(expected = "reads outside")]
    fn strided_copy_rejects_out_of_bounds_views() {
        let src = vec![0i32; 4];
        let mut out = vec![0; 5];
        strided_copy_typed(
            &src,
            &StridedView {
                offset: 0,
                strides: vec![1],
            },
            &[5],
            &mut out,
        );
    }

    #[test]
    fn pad_handles_interior_and_negative() {
        let mut out = vec![0i32; 7];
        pad_typed(&[1, 2, 3], &[3], 9, &[1], &[1], &mut out, &[7]);
        assert_eq!(out, vec![9, 1, 9, 2, 9, 3, 9]);
        let mut out = vec![0i32; 2];
        pad_typed(&[1, 2, 3], &[3], 9, &[-1], &[0], &mut out, &[2]);
        assert_eq!(out, vec![2, 3]);
    }
}
