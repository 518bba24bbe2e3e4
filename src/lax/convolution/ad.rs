//! The transpose rules of `conv_general_dilated` (JAX's
//! `_conv_general_dilated_transpose_lhs/_rhs`). Ignoring space, with batch
//! `m`, input features `j` and output features `k`, a convolution contracts
//! `[m, j] [j, k] -> [m, k]`; its lhs transpose is `[m, k] [k, j] -> [m, j]`
//! (the kernel flipped in space, its feature axes swapped) and its rhs
//! transpose `[j, m] [m, k] -> [j, k]` (batch and feature roles swapped).
//! Feature groups of the forward become feature groups of the lhs transpose
//! and batch groups of the rhs transpose, and the other way round; strides
//! become input dilation and vice versa.

use super::batching::{reshape_axis_into, reshape_axis_out_of};
use super::dimension_numbers::ConvDimensionNumbers;
use super::primitive::{dilate_dim, ConvGeneralDilated};
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::lax;

fn take(shape: &[usize], axes: &[usize]) -> Vec<i64> {
    axes.iter().map(|&a| shape[a] as i64).collect()
}

fn dilated(shape: &[i64], dilation: &[usize]) -> Vec<i64> {
    shape
        .iter()
        .zip(dilation)
        .map(|(&d, &r)| dilate_dim(d, r as i64))
        .collect()
}

/// `_conv_general_vjp_lhs_padding`.
fn vjp_lhs_padding(
    p: &ConvGeneralDilated,
    in_sp: &[i64],
    k_sp: &[i64],
    out_sp: &[i64],
) -> Vec<(i64, i64)> {
    let lhs_d = dilated(in_sp, &p.lhs_dilation);
    let rhs_d = dilated(k_sp, &p.rhs_dilation);
    let out_d = dilated(out_sp, &p.window_strides);
    (0..in_sp.len())
        .map(|i| {
            let before = rhs_d[i] - p.padding[i].0 - 1;
            let after = lhs_d[i] + rhs_d[i] - 1 - out_d[i] - before;
            (before, after)
        })
        .collect()
}

/// `_conv_general_vjp_rhs_padding`.
fn vjp_rhs_padding(
    p: &ConvGeneralDilated,
    in_sp: &[i64],
    k_sp: &[i64],
    out_sp: &[i64],
) -> Vec<(i64, i64)> {
    let lhs_d = dilated(in_sp, &p.lhs_dilation);
    let rhs_d = dilated(k_sp, &p.rhs_dilation);
    let out_d = dilated(out_sp, &p.window_strides);
    (0..in_sp.len())
        .map(|i| {
            let lo = p.padding[i].0;
            let hi = (out_d[i] - lhs_d[i]) + (rhs_d[i] - lo - 1);
            (lo, hi)
        })
        .collect()
}

/// The cotangent of the lhs (abstract value `lhs`) given the output
/// cotangent `g` and the known kernel `rhs`.
pub(super) fn transpose_lhs(
    p: &ConvGeneralDilated,
    g: &Array,
    lhs: &ShapedArray,
    rhs: &Array,
) -> Array {
    let dn = &p.dimension_numbers;
    let [lhs_sd, rhs_sd, out_sd] = p.sdims();
    let (fgc, bgc) = (p.feature_group_count, p.batch_group_count);
    let mut rhs_t = rhs.clone();
    let groups = fgc.max(bgc);
    if groups > 1 {
        // Move the group axis from the kernel's output features into its input features.
        rhs_t = reshape_axis_out_of(dn.rhs_spec[0], groups, &rhs_t);
        rhs_t = reshape_axis_into(dn.rhs_spec[0], dn.rhs_spec[1], &rhs_t);
    }
    let padding = vjp_lhs_padding(
        p,
        &take(&lhs.shape, &lhs_sd),
        &take(rhs.shape(), &rhs_sd),
        &take(g.shape(), &out_sd),
    );
    let mut revd = lax::rev(&rhs_t, &rhs_sd);
    if revd.dtype() != g.dtype() {
        revd = lax::convert_element_type(&revd, g.dtype());
    }
    let t = ConvGeneralDilated {
        window_strides: p.lhs_dilation.clone(),
        padding,
        lhs_dilation: p.window_strides.clone(),
        rhs_dilation: p.rhs_dilation.clone(),
        dimension_numbers: ConvDimensionNumbers {
            lhs_spec: dn.out_spec.clone(),
            rhs_spec: ConvDimensionNumbers::swap_first_two(&dn.rhs_spec),
            out_spec: dn.lhs_spec.clone(),
        },
        feature_group_count: groups,
        batch_group_count: 1,
        preferred_element_type: p.preferred_element_type,
    };
    let mut out = t.apply(g, &revd);
    if out.dtype() != lhs.dtype {
        out = lax::convert_element_type_weak(&out, lhs.dtype, lhs.weak_type);
    }
    if bgc > 1 {
        out = reshape_axis_out_of(dn.lhs_spec[1], bgc, &out);
        out = reshape_axis_into(dn.lhs_spec[1], dn.lhs_spec[0], &out);
    }
    out
}

/// The cotangent of the rhs (abstract value `rhs`) given the output
/// cotangent `g` and the known input `lhs`; `None` (zero) when `g` is empty.
pub(super) fn transpose_rhs(
    p: &ConvGeneralDilated,
    g: &Array,
    lhs: &Array,
    rhs: &ShapedArray,
) -> Option<Array> {
    if g.size() == 0 {
        return None;
    }
    let dn = &p.dimension_numbers;
    let [lhs_sd, rhs_sd, out_sd] = p.sdims();
    let (mut fgc, mut bgc) = (p.feature_group_count, p.batch_group_count);
    if bgc > 1 {
        fgc = bgc;
        bgc = 1;
    } else if fgc > 1 {
        bgc = fgc;
        fgc = 1;
    }
    let padding = vjp_rhs_padding(
        p,
        &take(lhs.shape(), &lhs_sd),
        &take(&rhs.shape, &rhs_sd),
        &take(g.shape(), &out_sd),
    );
    let lhs = if lhs.dtype() != g.dtype() {
        lax::convert_element_type(lhs, g.dtype())
    } else {
        lhs.clone()
    };
    let swap = ConvDimensionNumbers::swap_first_two;
    let t = ConvGeneralDilated {
        window_strides: p.rhs_dilation.clone(),
        padding,
        lhs_dilation: p.lhs_dilation.clone(),
        rhs_dilation: p.window_strides.clone(),
        dimension_numbers: ConvDimensionNumbers {
            lhs_spec: swap(&dn.lhs_spec),
            rhs_spec: swap(&dn.out_spec),
            out_spec: swap(&dn.rhs_spec),
        },
        feature_group_count: fgc,
        batch_group_count: bgc,
        preferred_element_type: p.preferred_element_type,
    };
    let mut out = t.apply(&lhs, g);
    if out.dtype() != rhs.dtype {
        out = lax::convert_element_type_weak(&out, rhs.dtype, rhs.weak_type);
    }
    debug_assert_eq!(out.shape(), &rhs.shape[..]);
    Some(out)
}
