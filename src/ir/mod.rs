//! The backend-neutral kernel vocabulary: the elementwise and reduction
//! operations that primitives name and that every backend implements.
//!
//! It holds no CPU-only assumptions, so a GPU renderer can consume it too.

pub mod kernel;
pub mod ops;

pub use ops::{BinaryOp, CompareOp, CumulativeOp, ReduceOp, UnaryOp};
