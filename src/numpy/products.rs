//! Products: `dot`, `matmul`, `vdot`, `inner`, `outer`, `tensordot`.

use super::array_like::ArrayLike;
use super::promote::{broadcast_to_shape, promote_dtypes, try_broadcast_shapes};
use crate::core::array::Array;
use crate::core::shape::fmt_tuple;
use crate::lax;

fn promoted(a: &Array, b: &Array) -> (Array, Array) {
    let v = promote_dtypes(&[a, b]);
    (v[0].clone(), v[1].clone())
}

/// NumPy's `dot`: scalars multiply, 1-d·1-d is the inner product, otherwise
/// contracts the last axis of `a` with the second-to-last of `b`.
pub fn dot(a: impl ArrayLike, b: impl ArrayLike) -> Array {
    let (a, b) = promoted(&a.to_array(), &b.to_array());
    if a.ndim() == 0 || b.ndim() == 0 {
        return super::elementwise::multiply(&a, &b);
    }
    let ca = a.ndim() - 1;
    let cb = if b.ndim() == 1 { 0 } else { b.ndim() - 2 };
    lax::dot_general(&a, &b, (&[ca], &[cb]), (&[], &[]), Some(a.dtype()))
}

/// Matrix product with NumPy's `matmul` rules: batch axes broadcast; 1-d
/// operands are promoted to matrices and the added axis removed.
pub fn matmul(a: impl ArrayLike, b: impl ArrayLike) -> Array {
    let (a, b) = promoted(&a.to_array(), &b.to_array());
    for (i, x) in [&a, &b].iter().enumerate() {
        if x.ndim() == 0 {
            panic!(
                "ValueError: matmul input operand {i} must have ndim at least 1, but it has ndim 0"
            );
        }
    }
    let a2 = if a.ndim() == 1 {
        lax::reshape(&a, &[1, a.shape()[0]])
    } else {
        a.clone()
    };
    let b2 = if b.ndim() == 1 {
        lax::reshape(&b, &[b.shape()[0], 1])
    } else {
        b.clone()
    };
    let (ka, kb) = (a2.shape()[a2.ndim() - 1], b2.shape()[b2.ndim() - 2]);
    if ka != kb {
        panic!(
            "TypeError: dot_general requires contracting dimensions to have the same shape, \
             got ({ka},) and ({kb},)."
        );
    }
    let (ba, bb) = (&a2.shape()[..a2.ndim() - 2], &b2.shape()[..b2.ndim() - 2]);
    let batch = try_broadcast_shapes(&[ba, bb]).unwrap_or_else(|| {
        panic!(
            "ValueError: Incompatible types for matmul arguments: {} and {}",
            a.aval().long(),
            b.aval().long()
        )
    });
    let nb = batch.len();
    let mut sa = batch.to_vec();
    sa.extend_from_slice(&a2.shape()[a2.ndim() - 2..]);
    let mut sb = batch.to_vec();
    sb.extend_from_slice(&b2.shape()[b2.ndim() - 2..]);
    let a3 = broadcast_to_shape(&a2, &sa);
    let b3 = broadcast_to_shape(&b2, &sb);
    let bd: Vec<usize> = (0..nb).collect();
    let out = lax::dot_general(&a3, &b3, (&[nb + 1], &[nb]), (&bd, &bd), Some(a3.dtype()));
    // Remove the axes added for 1-d operands.
    let mut shape = out.shape().to_vec();
    let n = shape.len();
    match (a.ndim() == 1, b.ndim() == 1) {
        (true, true) => shape.truncate(n - 2),
        (true, false) => {
            shape.remove(n - 2);
        }
        (false, true) => {
            shape.remove(n - 1);
        }
        (false, false) => {}
    }
    lax::reshape(&out, &shape)
}

/// Dot product of the flattened inputs.
pub fn vdot(a: impl ArrayLike, b: impl ArrayLike) -> Array {
    let (a, b) = (a.to_array(), b.to_array());
    dot(super::shape_ops::ravel(&a), super::shape_ops::ravel(&b))
}

/// Inner product over the last axes of both inputs.
pub fn inner(a: impl ArrayLike, b: impl ArrayLike) -> Array {
    let (a, b) = promoted(&a.to_array(), &b.to_array());
    if a.ndim() == 0 || b.ndim() == 0 {
        return super::elementwise::multiply(&a, &b);
    }
    lax::dot_general(
        &a,
        &b,
        (&[a.ndim() - 1], &[b.ndim() - 1]),
        (&[], &[]),
        Some(a.dtype()),
    )
}

/// Outer product of the flattened inputs.
pub fn outer(a: impl ArrayLike, b: impl ArrayLike) -> Array {
    let (a, b) = promoted(&a.to_array(), &b.to_array());
    let a = lax::reshape(&a, &[a.size(), 1]);
    let b = lax::reshape(&b, &[1, b.size()]);
    super::elementwise::multiply(&a, &b)
}

/// Contracts the last `axes` axes of `a` with the first `axes` axes of `b`.
pub fn tensordot(a: impl ArrayLike, b: impl ArrayLike, axes: usize) -> Array {
    let (a, b) = promoted(&a.to_array(), &b.to_array());
    if axes > a.ndim() || axes > b.ndim() {
        panic!(
            "TypeError: tensordot: axes={axes} exceeds the rank of the operands, shapes {} and {}.",
            fmt_tuple(a.shape()),
            fmt_tuple(b.shape())
        );
    }
    let ca: Vec<usize> = (a.ndim() - axes..a.ndim()).collect();
    let cb: Vec<usize> = (0..axes).collect();
    lax::dot_general(&a, &b, (&ca, &cb), (&[], &[]), Some(a.dtype()))
}

/// Contracts the listed axes of `a` with the listed axes of `b`.
pub fn tensordot_axes(
    a: impl ArrayLike,
    b: impl ArrayLike,
    a_axes: &[isize],
    b_axes: &[isize],
) -> Array {
    let (a, b) = promoted(&a.to_array(), &b.to_array());
    let ca: Vec<usize> = a_axes
        .iter()
        .map(|&x| crate::core::shape::canonicalize_axis(x, a.ndim(), "tensordot"))
        .collect();
    let cb: Vec<usize> = b_axes
        .iter()
        .map(|&x| crate::core::shape::canonicalize_axis(x, b.ndim(), "tensordot"))
        .collect();
    lax::dot_general(&a, &b, (&ca, &cb), (&[], &[]), Some(a.dtype()))
}
