//! Data-movement kernels. Transpose, broadcast, slice, reverse and dynamic
//! slice are all one strided copy: each output axis reads the input with
//! some (possibly zero or negative) stride from some start offset.

use crate::backend::cpu::buffer::Buffer;
use crate::core::dtype::DType;
use crate::core::element::Pod;

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

/// Typed strided copy.
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
    let nd = out_shape.len();
    if nd == 0 {
        out[0] = src[view.offset as usize];
        return;
    }
    let inner = out_shape[nd - 1];
    let inner_stride = view.strides[nd - 1];
    let mut idx = vec![0usize; nd.saturating_sub(1)];
    let mut base = view.offset;
    let mut pos = 0;
    while pos < n {
        let row = &mut out[pos..pos + inner];
        // All positions are in bounds by check_view; indices stay non-negative.
        if inner_stride == 1 {
            let b = base as usize;
            row.copy_from_slice(&src[b..b + inner]);
        } else if inner_stride == 0 {
            row.fill(src[base as usize]);
        } else {
            let mut p = base;
            for o in row.iter_mut() {
                *o = src[p as usize];
                p += inner_stride;
            }
        }
        pos += inner;
        // Advance the odometer over the outer axes.
        let mut k = nd - 1;
        while k > 0 {
            k -= 1;
            idx[k] += 1;
            base += view.strides[k];
            if idx[k] < out_shape[k] {
                break;
            }
            base -= view.strides[k] * out_shape[k] as isize;
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
