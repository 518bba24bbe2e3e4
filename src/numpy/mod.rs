//! `jaxide::numpy` (`jnp`): NumPy's API on jaxide arrays, built only from
//! lax primitives.
//!
//! Optional NumPy arguments become separate functions or `Option`s:
//! `sum(&x)` reduces everything, `sum_axis(&x, 1, keepdims)` one axis;
//! `zeros(shape)` is float32 and `zeros_dtype(shape, dtype)` takes a dtype.

pub mod array_like;
pub mod at;
pub mod axes;
pub mod calculus;
pub mod closeness;
pub mod complex;
pub mod creation;
pub mod dtype_info;
pub mod einsum;
mod einsum_path;
pub mod elementwise;
pub mod functional;
pub mod index;
pub mod index_tricks;
mod indexer;
pub mod linalg;
pub mod manipulation;
pub mod matrices;
mod methods;
pub mod nan_reductions;
mod operators;
pub mod pad;
pub mod polynomial;
pub mod products;
pub mod promote;
pub mod quantiles;
pub mod reductions;
pub mod sets;
pub mod shape_ops;
pub mod sorting;
pub mod statistics;
pub mod take;
pub mod ufuncs_more;

pub use crate::io::npy::{load, save};
pub use crate::io::npz::{load_npz, savez, savez_compressed};
pub use array_like::{ArrayLike, Scalar};
pub use at::At;
pub use axes::Axes;
pub use calculus::*;
pub use closeness::*;
pub use complex::*;
pub use creation::*;
pub use dtype_info::*;
pub use einsum::*;
pub use elementwise::*;
pub use functional::*;
pub use index::{Ellipsis, Index, IndexItem, NewAxis, Slice, ELLIPSIS, NEWAXIS};
pub use index_tricks::*;
pub use manipulation::*;
pub use matrices::*;
pub use nan_reductions::*;
pub use pad::*;
pub use polynomial::*;
pub use products::*;
pub use quantiles::*;
pub use reductions::*;
pub use sets::*;
pub use shape_ops::*;
pub use sorting::*;
pub use statistics::*;
pub use take::*;
pub use ufuncs_more::*;

use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::promotion::WeakDType;

/// `jnp.promote_types`: the dtype two dtypes promote to, on the lattice of
/// the current x64 setting (`promote_types(uint32, int32)` is int32 with
/// x64 off, int64 with it on). Like JAX, the result is not canonicalized:
/// 64-bit inputs can give 64-bit results.
pub fn promote_types(a: DType, b: DType) -> DType {
    use crate::core::promotion::{try_promote_types, PromotionMode};
    try_promote_types(a, b, PromotionMode::Standard, crate::config::enable_x64())
        .unwrap_or_else(|e| panic!("TypeError: {e}"))
}

/// `jnp.result_type` of arrays and scalars, canonicalized for the current
/// x64 setting.
pub fn result_type(xs: &[&dyn elementwise::ArrayLikeDyn]) -> DType {
    let ops: Vec<WeakDType> = xs
        .iter()
        .map(|x| {
            let a = x.to_array_dyn();
            WeakDType {
                dtype: a.dtype(),
                weak: a.weak_type(),
            }
        })
        .collect();
    crate::core::promotion::result_type(&ops, crate::config::enable_x64()).dtype
}

/// Reads a concrete rank-0 integer array as i64.
pub(crate) fn read_scalar_i64(x: &Array) -> i64 {
    let d = x.concrete("reading an integer scalar");
    crate::with_storage_type!(x.dtype(), T => {
        let v: T = d.buffer().as_slice::<T>()[0];
        crate::core::element::CastInto::<f64>::cast(v) as i64
    })
}
