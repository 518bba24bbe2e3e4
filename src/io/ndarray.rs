//! Conversions between [`Array`] and the `ndarray` crate's arrays (cargo
//! feature `ndarray`).
//!
//! - `Array::from(nd)` for an owned `ndarray::Array<T, D>` (any dimension,
//!   `ArrayD` included), a view `ArrayView<T, D>`, or `&ArrayBase<S, D>`,
//!   for every element type jaxide has: `bool`, `i8`..`i64`, `u8`..`u64`,
//!   `half::f16`, `half::bf16`, `f32`, `f64`, [`Complex32`], [`Complex64`].
//!   Like `jnp.asarray`, 64-bit element types become 32-bit dtypes
//!   without x64.
//! - `ndarray::ArrayD::<T>::try_from(&x)` (or any fixed `Array<T, D>`;
//!   also from an owned `Array`). `T` must match the dtype exactly, as
//!   for [`Array::to_vec`]; otherwise it is an [`NdarrayError`].
//!
//! Copies: jaxide's buffers are 64-byte aligned and owned by its
//! allocator, so going into jaxide copies once; a transposed, sliced or
//! otherwise non-standard ndarray layout is gathered into C order in that
//! same pass. Coming out copies once into the `Vec` ndarray takes over
//! (a transposed jaxide view is materialized first, as `to_vec` does).
//!
//! ```
//! use jaxide::prelude::*;
//! let nd = ndarray::arr2(&[[1.0f32, 2.0], [3.0, 4.0]]);
//! let x = Array::from(nd.t());              // a transposed view
//! assert_eq!(x.to_vec::<f32>(), vec![1.0, 3.0, 2.0, 4.0]);
//! let back = ndarray::Array2::<f32>::try_from(&(x * 2.0f32)).unwrap();
//! assert_eq!(back, ndarray::arr2(&[[2.0f32, 6.0], [4.0, 8.0]]));
//! ```
//!
//! [`Complex32`]: crate::core::element::Complex32
//! [`Complex64`]: crate::core::element::Complex64

use crate::backend::cpu::buffer::Buffer;
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::element::Element;
use crate::core::shape::Shape;
use ndarray::{ArrayBase, ArrayView, Data, Dimension, IxDyn, OwnedRepr};

/// Why an [`Array`] could not become an `ndarray` array.
#[derive(Debug, thiserror::Error)]
pub enum NdarrayError {
    /// The requested element type is not the array's dtype.
    #[error(
        "cannot convert an array of dtype {found} to an ndarray of {requested} \
         (dtype {expected}); convert first with .astype(DType::{expected:?}){hint}"
    )]
    DType {
        /// The array's dtype.
        found: DType,
        /// The dtype of the requested element type.
        expected: DType,
        /// The requested Rust element type.
        requested: &'static str,
        /// A note on x64 where it applies.
        hint: &'static str,
    },
    /// The array's rank does not fit the requested dimension type.
    #[error("cannot convert an array of shape {shape:?} to an ndarray of {ndim} dimensions")]
    Rank {
        /// The array's shape.
        shape: Vec<usize>,
        /// The requested number of dimensions.
        ndim: usize,
    },
    /// The array is a tracer (inside `jit`, `grad`, `vmap`): it has no
    /// values to copy.
    #[error(
        "cannot convert a traced array to an ndarray: its values are not known while \
         tracing (convert outside the transformed function)"
    )]
    Tracer,
    /// The array's asynchronous computation failed, or the copy could not
    /// be allocated.
    #[error("{0}")]
    Async(#[from] crate::runtime::AsyncError),
}

/// Copies the elements of any ndarray (in logical, C order) into a new
/// jaxide array, canonicalizing 64-bit dtypes without x64.
fn from_ndarray<T, S, D>(a: &ArrayBase<S, D>) -> Array
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let mut buf = Buffer::for_elements::<T::Storage>(a.len());
    {
        let out = buf.as_mut_slice::<T::Storage>();
        match a.as_slice() {
            Some(src) => out
                .iter_mut()
                .zip(src)
                .for_each(|(o, v)| *o = v.to_storage()),
            // Transposed, sliced, negatively strided...: ndarray's iterator
            // walks the elements in logical order.
            None => out
                .iter_mut()
                .zip(a.iter())
                .for_each(|(o, v)| *o = v.to_storage()),
        }
    }
    let x = Array::from_storage(buf, Shape::from(a.shape().to_vec()), T::DTYPE, false);
    let canonical = crate::core::promotion::canonicalize(T::DTYPE, crate::config::enable_x64());
    if canonical == T::DTYPE {
        x
    } else {
        crate::lax::convert_element_type(&x, canonical)
    }
}

impl<T: Element, D: Dimension> From<ndarray::Array<T, D>> for Array {
    /// Copies an owned ndarray (any dimension) into an array.
    fn from(a: ndarray::Array<T, D>) -> Array {
        from_ndarray(&a)
    }
}

impl<T: Element, D: Dimension> From<ArrayView<'_, T, D>> for Array {
    /// Copies an ndarray view (transposed, sliced, ... any layout) into an
    /// array in C order.
    fn from(a: ArrayView<'_, T, D>) -> Array {
        from_ndarray(&a)
    }
}

impl<T, S, D> From<&ArrayBase<S, D>> for Array
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    /// Copies any ndarray (owned, view, shared) into an array in C order.
    fn from(a: &ArrayBase<S, D>) -> Array {
        from_ndarray(a)
    }
}

impl<T: Element, D: Dimension> TryFrom<&Array> for ArrayBase<OwnedRepr<T>, D> {
    type Error = NdarrayError;
    /// Copies the array's elements into an owned ndarray of the same shape
    /// (standard layout). `T` must be the array's element type; `D` must
    /// be `IxDyn` or have the array's rank.
    fn try_from(x: &Array) -> Result<Self, NdarrayError> {
        if x.is_tracer() {
            return Err(NdarrayError::Tracer);
        }
        if x.dtype() != T::DTYPE {
            let hint = if T::DTYPE.size_of() == 8 && !crate::config::enable_x64() {
                " (64-bit dtypes need x64: jaxide::config::set_enable_x64(true))"
            } else {
                ""
            };
            return Err(NdarrayError::DType {
                found: x.dtype(),
                expected: T::DTYPE,
                requested: std::any::type_name::<T>(),
                hint,
            });
        }
        if let Some(n) = D::NDIM {
            if n != x.ndim() {
                return Err(NdarrayError::Rank {
                    shape: x.shape().to_vec(),
                    ndim: n,
                });
            }
        }
        let data = x.try_to_vec::<T>()?;
        let nd = ndarray::ArrayD::from_shape_vec(IxDyn(x.shape()), data)
            .expect("the element count matches the shape");
        Ok(nd.into_dimensionality::<D>().expect("the rank was checked"))
    }
}

impl<T: Element, D: Dimension> TryFrom<Array> for ArrayBase<OwnedRepr<T>, D> {
    type Error = NdarrayError;
    /// Like the conversion from `&Array`.
    fn try_from(x: Array) -> Result<Self, NdarrayError> {
        Self::try_from(&x)
    }
}
