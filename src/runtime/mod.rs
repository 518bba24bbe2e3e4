//! Asynchronous dispatch: device arrays whose buffers may still be computing,
//! the stream that computes them in order, and the eager dispatch of a
//! primitive onto it.

pub mod device_array;
pub mod dispatch;
pub mod stream;

pub use device_array::{AsyncError, AsyncErrorKind, DeviceArray};
