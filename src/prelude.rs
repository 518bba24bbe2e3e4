//! The common imports: `use jaxide::prelude::*;`.

pub use crate::core::array::Array;
pub use crate::core::dtype::DType;
pub use crate::numpy as jnp;
pub use crate::numpy::{ArrayLike, Axes};
