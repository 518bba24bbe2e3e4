//! Asynchronous dispatch: device arrays whose buffers may still be computing,
//! and the stream that computes them in order.

pub mod device_array;
pub mod stream;

pub use device_array::{AsyncError, AsyncErrorKind, DeviceArray};
