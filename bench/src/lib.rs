//! Benchmark support for jaxide: shared cases and the timing method.

#[cfg(feature = "candle")]
pub mod candle_cases;
pub mod cases;
pub mod loop_cases;
pub mod timing;
pub mod train_cases;
