//! The vmap rule of `conv_general_dilated` (JAX's
//! `_conv_general_dilated_batch_rule`): the vmapped axis is folded into the
//! batch dimension (lhs batched), the output features (rhs batched), or
//! feature / batch groups (both batched), so a vmapped convolution is one
//! bigger convolution.

use super::primitive::ConvGeneralDilated;
use crate::core::array::Array;
use crate::lax::batching::BatchResult;
use crate::lax::{self, ad_util};
use smallvec::smallvec;

/// Merges axis `src` of `x` into axis `dst` (numbered after `src` is
/// removed) as its major part (JAX's `_reshape_axis_into`).
pub(crate) fn reshape_axis_into(src: usize, dst: usize, x: &Array) -> Array {
    let mut perm: Vec<usize> = (0..x.ndim()).filter(|&a| a != src).collect();
    perm.insert(dst, src);
    let mut shape: Vec<usize> = x.shape().to_vec();
    let n = shape.remove(src);
    shape[dst] *= n;
    lax::reshape(&lax::transpose(x, &perm), &shape)
}

/// Splits axis `src` of `x` into `(size1, rest)` (JAX's `_reshape_axis_out_of`).
pub(crate) fn reshape_axis_out_of(src: usize, size1: usize, x: &Array) -> Array {
    let mut shape: Vec<usize> = x.shape().to_vec();
    assert_eq!(shape[src] % size1, 0, "internal error: ragged axis split");
    let rest = shape[src] / size1;
    shape.splice(src..=src, [size1, rest]);
    lax::reshape(x, &shape)
}

pub(super) fn batch_rule(
    p: &ConvGeneralDilated,
    args: &[&Array],
    dims: &[Option<usize>],
    _size: usize,
) -> BatchResult {
    let (lhs, rhs) = (args[0], args[1]);
    let dn = &p.dimension_numbers;
    let (lhs_spec, rhs_spec, out_spec) = (&dn.lhs_spec, &dn.rhs_spec, &dn.out_spec);
    let (fgc, bgc) = (p.feature_group_count, p.batch_group_count);
    // A zero-size vmapped axis: the per-example shape, with a leading 0.
    let empty = |d: Option<usize>, x: &Array| d.is_some_and(|d| x.shape()[d] == 0);
    if empty(dims[0], lhs) || empty(dims[1], rhs) {
        let unbatched = |d: Option<usize>, x: &Array| {
            let mut s = x.shape().to_vec();
            if let Some(d) = d {
                s.remove(d);
            }
            crate::core::aval::ShapedArray::new(s.into(), x.dtype())
        };
        let (la, ra) = (unbatched(dims[0], lhs), unbatched(dims[1], rhs));
        let out = crate::lax::PrimitiveRules::abstract_eval(p, &[&la, &ra]).remove(0);
        let mut shape = vec![0];
        shape.extend_from_slice(&out.shape);
        let z = ad_util::zeros(&crate::core::aval::ShapedArray::new(
            shape.into(),
            out.dtype,
        ));
        return (smallvec![z], smallvec![Some(0)]);
    }
    let with_groups = |f: usize, b: usize| ConvGeneralDilated {
        feature_group_count: f,
        batch_group_count: b,
        ..p.clone()
    };
    let (out, bdim) = match (dims[0], dims[1]) {
        (Some(ld), Some(rd)) => {
            let b = lhs.shape()[ld];
            let (new_lhs, q) = if bgc > 1 {
                (
                    reshape_axis_into(ld, lhs_spec[0], lhs),
                    with_groups(fgc, bgc * b),
                )
            } else {
                (
                    reshape_axis_into(ld, lhs_spec[1], lhs),
                    with_groups(fgc * b, bgc),
                )
            };
            let new_rhs = reshape_axis_into(rd, rhs_spec[0], rhs);
            let out = q.apply(&new_lhs, &new_rhs);
            (reshape_axis_out_of(out_spec[1], b, &out), out_spec[1])
        }
        (Some(ld), None) => {
            let b = lhs.shape()[ld];
            let new_lhs = if bgc == 1 {
                reshape_axis_into(ld, lhs_spec[0], lhs)
            } else {
                // Keep the batch groups outermost: split them out of the
                // batch axis, fold the vmapped axis in after them.
                let x = reshape_axis_out_of(lhs_spec[0] + usize::from(ld <= lhs_spec[0]), bgc, lhs);
                let x = reshape_axis_into(ld + usize::from(lhs_spec[0] < ld), lhs_spec[0] + 1, &x);
                reshape_axis_into(lhs_spec[0], lhs_spec[0], &x)
            };
            let out = p.apply(&new_lhs, rhs);
            (reshape_axis_out_of(out_spec[0], b, &out), out_spec[0])
        }
        (None, Some(rd)) => {
            let b = rhs.shape()[rd];
            if fgc == 1 && bgc == 1 {
                let new_rhs = reshape_axis_into(rd, rhs_spec[0], rhs);
                let out = p.apply(lhs, &new_rhs);
                (reshape_axis_out_of(out_spec[1], b, &out), out_spec[1])
            } else {
                // Groups stay outermost in the kernel's output features and
                // in the output's features.
                let g = fgc.max(bgc);
                let x = reshape_axis_out_of(rhs_spec[0] + usize::from(rd <= rhs_spec[0]), g, rhs);
                let x = reshape_axis_into(rd + usize::from(rhs_spec[0] < rd), rhs_spec[0] + 1, &x);
                let new_rhs = reshape_axis_into(rhs_spec[0], rhs_spec[0], &x);
                let out = p.apply(lhs, &new_rhs);
                let out = reshape_axis_out_of(out_spec[1], g, &out);
                let out = reshape_axis_out_of(out_spec[1] + 1, b, &out);
                (
                    reshape_axis_into(out_spec[1], out_spec[1] + 1, &out),
                    out_spec[1],
                )
            }
        }
        (None, None) => unreachable!("a batching rule has a batched operand"),
    };
    (smallvec![out], smallvec![Some(bdim)])
}
