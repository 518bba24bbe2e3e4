//! `DeviceArray`: a concrete array value whose buffer may still be pending.

use crate::backend::cpu::buffer::Buffer;
use crate::core::aval::ShapedArray;
use std::sync::{Arc, OnceLock};

/// The failure of an asynchronous computation, reported at the next sync point.
#[derive(Clone, Debug, thiserror::Error)]
#[error("asynchronous computation of `{op}` failed: {message}")]
pub struct AsyncError {
    /// The primitive whose execution failed.
    pub op: String,
    /// What went wrong.
    pub message: Arc<str>,
}

/// A concrete array: its abstract value plus a buffer that is ready now or
/// will be filled by the stream.
pub struct DeviceArray {
    aval: ShapedArray,
    cell: OnceLock<Result<Buffer, AsyncError>>,
}

impl DeviceArray {
    /// An array whose buffer is ready.
    pub fn ready(aval: ShapedArray, buffer: Buffer) -> Arc<DeviceArray> {
        debug_assert_eq!(buffer.len_bytes(), aval.size() * aval.dtype.size_of());
        let cell = OnceLock::new();
        let _ = cell.set(Ok(buffer));
        Arc::new(DeviceArray { aval, cell })
    }

    /// An array whose buffer will be supplied later by [`DeviceArray::fulfill`].
    pub fn pending(aval: ShapedArray) -> Arc<DeviceArray> {
        Arc::new(DeviceArray {
            aval,
            cell: OnceLock::new(),
        })
    }

    /// The abstract value.
    pub fn aval(&self) -> &ShapedArray {
        &self.aval
    }

    /// Whether the buffer (or an error) is available without waiting.
    pub fn is_ready(&self) -> bool {
        self.cell.get().is_some()
    }

    /// Supplies the result of the pending computation. Later calls are ignored.
    pub fn fulfill(&self, result: Result<Buffer, AsyncError>) {
        let _ = self.cell.set(result);
    }

    /// Waits for the buffer, returning the asynchronous error if it failed.
    pub fn try_buffer(&self) -> Result<&Buffer, AsyncError> {
        match self.cell.wait() {
            Ok(b) => Ok(b),
            Err(e) => Err(e.clone()),
        }
    }

    /// Waits for the buffer; panics with the asynchronous error if it failed.
    pub fn buffer(&self) -> &Buffer {
        match self.cell.wait() {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        }
    }

    /// Takes the buffer out if this is the only reference and it is ready,
    /// so an op can reuse it in place.
    pub fn take_buffer_if_unique(this: &mut Arc<DeviceArray>) -> Option<Buffer> {
        let me = Arc::get_mut(this)?;
        match me.cell.take()? {
            Ok(b) => Some(b),
            Err(e) => {
                let _ = me.cell.set(Err(e));
                None
            }
        }
    }
}

impl std::fmt::Debug for DeviceArray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceArray({:?}, ready={})", self.aval, self.is_ready())
    }
}
