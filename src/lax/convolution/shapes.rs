//! Output-shape helpers of the convolution API (`lax.conv_shape_tuple`,
//! `conv_general_shape_tuple`, `conv_transpose_shape_tuple`).

use super::api::transpose_padding;
use super::dimension_numbers::ConvDimensionNumbers;
use crate::core::shape::fmt_tuple;
use crate::lax::padding::{padtype_to_pads, Padding};

/// `lax.conv_shape_tuple`: the output shape of a convolution of operands in
/// canonical order (`NC...` input, `OI...` kernel), output `NC...`. String
/// padding uses the undilated kernel size, as JAX's helper does.
pub fn conv_shape_tuple(
    lhs_shape: &[usize],
    rhs_shape: &[usize],
    strides: &[usize],
    padding: impl Into<Padding>,
    batch_group_count: usize,
) -> Vec<usize> {
    let nsp = lhs_shape.len().saturating_sub(2);
    let pads = match padding.into() {
        Padding::Explicit(p) => p,
        named => padtype_to_pads(&lhs_shape[2..], &rhs_shape[2..], strides, named),
    };
    if pads.len() != nsp {
        panic!(
            "TypeError: Wrong number of explicit pads for convolution: expected {nsp}, got {}.",
            pads.len()
        );
    }
    let padded: Vec<i64> = (0..nsp)
        .map(|i| lhs_shape[2 + i] as i64 + pads[i].0 + pads[i].1)
        .collect();
    if padded.iter().any(|&p| p < 0) {
        let pads_str: Vec<String> = pads.iter().map(|(a, b)| format!("({a}, {b})")).collect();
        panic!(
            "ValueError: Negative padding is larger than the size of the corresponding \
             dimension: got padding=({}) for lhs_shape[2:]={}",
            pads_str.join(", "),
            fmt_tuple(&lhs_shape[2..])
        );
    }
    let batch = if batch_group_count > 1 {
        lhs_shape[0] / batch_group_count
    } else {
        lhs_shape[0]
    };
    let mut out = vec![batch, rhs_shape[0]];
    for i in 0..nsp {
        let o = (padded[i] - rhs_shape[2 + i] as i64).div_euclid(strides[i] as i64) + 1;
        out.push(o.max(0) as usize);
    }
    out
}

fn take(shape: &[usize], perm: &[usize]) -> Vec<usize> {
    perm.iter().map(|&a| shape[a]).collect()
}

fn untake(canon: &[usize], perm: &[usize]) -> Vec<usize> {
    let mut out = vec![0; canon.len()];
    for (k, &a) in perm.iter().enumerate() {
        out[a] = canon[k];
    }
    out
}

/// `lax.conv_general_shape_tuple`: the output shape of a convolution with
/// `dimension_numbers` (e.g. `("NHWC", "HWIO", "NHWC").into()`).
pub fn conv_general_shape_tuple(
    lhs_shape: &[usize],
    rhs_shape: &[usize],
    window_strides: &[usize],
    padding: impl Into<Padding>,
    dimension_numbers: &ConvDimensionNumbers,
) -> Vec<usize> {
    let dn = dimension_numbers;
    let out = conv_shape_tuple(
        &take(lhs_shape, &dn.lhs_spec),
        &take(rhs_shape, &dn.rhs_spec),
        window_strides,
        padding,
        1,
    );
    untake(&out, &dn.out_spec)
}

/// `lax.conv_transpose_shape_tuple`: the output shape of
/// [`conv_transpose`](super::conv_transpose) with `dimension_numbers`.
pub fn conv_transpose_shape_tuple(
    lhs_shape: &[usize],
    rhs_shape: &[usize],
    window_strides: &[usize],
    padding: impl Into<Padding>,
    dimension_numbers: &ConvDimensionNumbers,
) -> Vec<usize> {
    let dn = dimension_numbers;
    let (l, r) = (take(lhs_shape, &dn.lhs_spec), take(rhs_shape, &dn.rhs_spec));
    let padding = padding.into();
    let mut out = vec![l[0], r[0]];
    for i in 0..l.len() - 2 {
        let (k, s) = (r[2 + i] as i64, window_strides[i] as i64);
        let pad = match &padding {
            Padding::Explicit(p) => p[i].0 + p[i].1,
            named => {
                let (a, b) = transpose_padding(k, s, named, i);
                a + b
            }
        };
        out.push(((l[2 + i] as i64 - 1) * s - k + 2 + pad).max(0) as usize);
    }
    untake(&out, &dn.out_spec)
}
