//! Benchmark support for jaxide: shared cases and the timing method.

pub mod cases;
pub mod loop_cases;
pub mod timing;
pub mod train_cases;
