//! core: dtypes and promotion, shapes, abstract values, the `Array` handle,
//! the trace stack with `bind`, and jaxprs.

pub mod array;
mod array_format;
pub mod aval;
pub mod dtype;
pub mod element;
pub mod jaxpr;
pub mod promotion;
pub mod shape;
pub mod trace;
