//! Linear-algebra primitives (`cholesky`, `triangular_solve`, `lu`, `qr`,
//! `eigh`, `svd`, `eig`): each file holds one primitive's params, abstract
//! eval, CPU impl, jvp, transpose and batching rule. Kernels live in
//! `src/backend/cpu/kernels/linalg/`.

mod cholesky;
mod eig;
mod eigh;
mod lu;
mod qr;
mod svd;
mod triangular_solve;
pub mod util;

pub use cholesky::*;
pub use eig::*;
pub use eigh::*;
pub use lu::*;
pub use qr::*;
pub use svd::*;
pub use triangular_solve::*;

use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::shape::{fmt_tuple, Shape};
use crate::core::trace::bind;
use crate::lax::batching::{batch_first, BatchResult};
use crate::lax::Primitive;
use smallvec::smallvec;

/// The batch shape and trailing matrix dims `(m, n)` of a linalg operand,
/// checked as JAX's `linalg_shape_rule` and dtype rule check them: rank at
/// least 2, and a float or complex dtype the CPU kernels support.
pub(crate) fn matrix_operand(name: &str, i: usize, x: &ShapedArray) -> (Vec<usize>, usize, usize) {
    let s = &x.shape;
    if s.len() < 2 {
        panic!(
            "TypeError: Input {i} to {name} must have rank at least 2, but got shape={}",
            fmt_tuple(s)
        );
    }
    match x.dtype {
        DType::F32 | DType::F64 | DType::C64 | DType::C128 => {}
        DType::F16 | DType::BF16 => panic!(
            "TypeError: {name} does not support dtype {} on the CPU backend (LAPACK has no \
             half-precision routines); convert to float32 first.",
            x.dtype
        ),
        d => panic!(
            "TypeError: {name} does not accept dtype {d} at position {i}. Accepted dtypes at \
             position {i} are subtypes of floating, complexfloating."
        ),
    }
    let nd = s.len();
    (s[..nd - 2].to_vec(), s[nd - 2], s[nd - 1])
}

/// An abstract value `batch + dims` of `dtype`.
pub(crate) fn aval(batch: &[usize], dims: &[usize], dtype: DType) -> ShapedArray {
    let mut shape = batch.to_vec();
    shape.extend_from_slice(dims);
    ShapedArray::new(Shape::from(shape), dtype)
}

/// The batching rule shared by the decompositions: the batch axis moves
/// first (they accept leading batch axes) and every output is batched at 0.
pub(crate) fn batch_leading(
    prim: Primitive,
    args: &[&Array],
    dims: &[Option<usize>],
    size: usize,
) -> BatchResult {
    let x = batch_first(args[0], dims[0], size);
    let outs = bind(&prim, &[&x]);
    let n = outs.len();
    (outs, smallvec![Some(0); n])
}
