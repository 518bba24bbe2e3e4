//! The backend-neutral kernel vocabulary: the elementwise and reduction
//! operations that primitives name and that every backend implements.
//!
//! | piece | file |
//! |---|---|
//! | operation names (`UnaryOp`, `BinaryOp`, ...) | `ops.rs` |
//! | blockwise fused kernels (float32 registers) | `kernel.rs` |
//! | typed scalar programs: loops over every real dtype | `typed.rs` |
//!
//! It holds no CPU-only assumptions, so a GPU renderer can consume it too.

pub mod kernel;
pub mod ops;
pub mod typed;

pub use ops::{BinaryOp, CompareOp, CumulativeOp, ReduceOp, UnaryOp};
