//! Argument promotion and broadcasting for jnp functions, as `jnp` does
//! before calling lax: promote dtypes with JAX's lattice (weak types
//! included), then broadcast shapes NumPy-style.

use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::promotion::{lattice_result_type, WeakDType};
use crate::core::shape::{fmt_tuple, Dims};
use crate::lax;

/// The promoted dtype (and weak flag) of `xs`.
pub fn result_weak_dtype(xs: &[&Array]) -> WeakDType {
    let ops: smallvec::SmallVec<[WeakDType; 4]> = xs
        .iter()
        .map(|x| WeakDType {
            dtype: x.dtype(),
            weak: x.weak_type(),
        })
        .collect();
    lattice_result_type(&ops, crate::config::enable_x64())
}

/// Converts `x` to a promoted dtype.
pub fn cast_to(x: &Array, t: WeakDType) -> Array {
    lax::convert_element_type_weak(x, t.dtype, t.weak)
}

/// NumPy broadcasting of shapes, or `None` when they are incompatible.
pub fn try_broadcast_shapes(shapes: &[&[usize]]) -> Option<Dims> {
    let nd = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out: Dims = smallvec::smallvec![1; nd];
    for s in shapes {
        let off = nd - s.len();
        for (i, &d) in s.iter().enumerate() {
            let o = &mut out[off + i];
            if *o == 1 {
                *o = d;
            } else if d != 1 && d != *o {
                return None;
            }
        }
    }
    Some(out)
}

/// NumPy broadcasting of shapes; `prim` names the op for the error message.
pub fn broadcast_shapes(prim: &str, shapes: &[&[usize]]) -> Dims {
    try_broadcast_shapes(shapes).unwrap_or_else(|| {
        let listed: Vec<String> = shapes.iter().map(|s| fmt_tuple(s)).collect();
        let nd = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
        if shapes.len() == 2 && prim != "broadcast_arrays" && shapes.iter().all(|t| t.len() == nd) {
            panic!(
                "TypeError: {prim} got incompatible shapes for broadcasting: {}.",
                listed.join(", ")
            );
        }
        panic!(
            "ValueError: Incompatible shapes for broadcasting: shapes=[{}]",
            listed.join(", ")
        )
    })
}

/// Broadcasts `x` to `shape` (NumPy rules, leading axes added).
pub fn broadcast_to_shape(x: &Array, shape: &[usize]) -> Array {
    if x.shape() == shape {
        return x.clone();
    }
    let off = shape.len() - x.ndim();
    let dims: Vec<usize> = (0..x.ndim()).map(|i| off + i).collect();
    lax::broadcast_in_dim(x, shape, &dims)
}

/// Promotes and broadcasts operands for an elementwise op. Rank-0 operands
/// stay rank-0 (lax elementwise ops broadcast them for free).
pub fn promote_and_broadcast(prim: &str, xs: &[&Array]) -> Vec<Array> {
    let t = result_weak_dtype(xs);
    let shapes: Vec<&[usize]> = xs.iter().map(|x| x.shape()).collect();
    let shape = broadcast_shapes(prim, &shapes);
    xs.iter()
        .map(|x| {
            let x = cast_to(x, t);
            if x.ndim() == 0 && xs.len() == 2 {
                x
            } else {
                broadcast_to_shape(&x, &shape)
            }
        })
        .collect()
}

/// Promotes only dtypes (no broadcasting).
pub fn promote_dtypes(xs: &[&Array]) -> Vec<Array> {
    let t = result_weak_dtype(xs);
    xs.iter().map(|x| cast_to(x, t)).collect()
}

/// Promotes to an inexact dtype: integer/bool inputs become the default float
/// (weak if the input was weak), as `jnp` does for `sqrt`, `exp`, `/`, ...
pub fn promote_to_inexact(x: &Array) -> Array {
    if x.dtype().is_inexact() {
        return x.clone();
    }
    let f = if crate::config::enable_x64() {
        DType::F64
    } else {
        DType::F32
    };
    lax::convert_element_type_weak(x, f, x.weak_type())
}

/// The default float dtype (float32, or float64 with x64).
pub fn default_float() -> DType {
    if crate::config::enable_x64() {
        DType::F64
    } else {
        DType::F32
    }
}

/// The default int dtype (int32, or int64 with x64).
pub fn default_int() -> DType {
    if crate::config::enable_x64() {
        DType::I64
    } else {
        DType::I32
    }
}
