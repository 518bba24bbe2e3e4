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

/// Dot products of vectors along `axis` of broadcast `x1`, `x2`
/// (`jnp.vecdot`; the first argument is conjugated).
pub fn vecdot(x1: impl ArrayLike, x2: impl ArrayLike, axis: isize) -> Array {
    let (a, b) = promoted(&x1.to_array(), &x2.to_array());
    let sa = crate::core::shape::canonicalize_axis(axis, a.ndim(), "vecdot");
    let sb = crate::core::shape::canonicalize_axis(axis, b.ndim(), "vecdot");
    if a.shape()[sa] != b.shape()[sb] {
        panic!(
            "ValueError: axes must match; got shapes {} and {} with axis={axis}",
            fmt_tuple(a.shape()),
            fmt_tuple(b.shape())
        );
    }
    let a = super::shape_ops::moveaxis(&a, sa as isize, -1);
    let b = super::shape_ops::moveaxis(&b, sb as isize, -1);
    let a = if a.dtype().is_complex() {
        lax::conj(&a)
    } else {
        a
    };
    let prod = super::elementwise::multiply(&a, &b);
    let prod = lax::convert_element_type(&prod, prod.dtype());
    super::reductions::sum_axis(&prod, -1, false)
}

/// Batched matrix-vector products, batch axes broadcasting (`jnp.matvec`).
pub fn matvec(x1: impl ArrayLike, x2: impl ArrayLike) -> Array {
    let (a, b) = (x1.to_array(), x2.to_array());
    if a.ndim() < 2 || b.ndim() < 1 {
        panic!(
            "ValueError: matvec: expected a matrix and a vector (or stacks), got shapes {} and {}",
            fmt_tuple(a.shape()),
            fmt_tuple(b.shape())
        );
    }
    let col = super::shape_ops::expand_dims(&b, -1);
    let out = matmul(&a, &col);
    super::shape_ops::squeeze(&out, -1)
}

/// Batched vector-matrix products (`jnp.vecmat`; the vector is conjugated).
pub fn vecmat(x1: impl ArrayLike, x2: impl ArrayLike) -> Array {
    let (a, b) = (x1.to_array(), x2.to_array());
    if a.ndim() < 1 || b.ndim() < 2 {
        panic!(
            "ValueError: vecmat: expected a vector and a matrix (or stacks), got shapes {} and {}",
            fmt_tuple(a.shape()),
            fmt_tuple(b.shape())
        );
    }
    let a = if a.dtype().is_complex() {
        lax::conj(&a)
    } else {
        a
    };
    let row = super::shape_ops::expand_dims(&a, -2);
    let out = matmul(&row, &b);
    super::shape_ops::squeeze(&out, -2)
}
