//! `DeviceArray`: a concrete array value whose buffer may still be pending.

use crate::backend::cpu::buffer::Buffer;
use crate::core::aval::ShapedArray;
use std::sync::{Arc, OnceLock};

/// The failure of an asynchronous computation, reported at the next sync point.
#[derive(Clone, Debug)]
pub struct AsyncError {
    /// The primitive whose execution failed.
    pub op: String,
    /// What went wrong.
    pub message: Arc<str>,
    /// The kind of failure.
    pub kind: AsyncErrorKind,
}

/// What kind of failure an [`AsyncError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsyncErrorKind {
    /// A buffer could not be allocated (JAX's `RESOURCE_EXHAUSTED`).
    ResourceExhausted,
    /// The kernel failed for another reason.
    Failed,
}

impl AsyncError {
    /// An error from a failure message, classified by its JAX status prefix.
    pub(crate) fn new(op: &str, message: String) -> AsyncError {
        let kind = if message.starts_with("RESOURCE_EXHAUSTED:") {
            AsyncErrorKind::ResourceExhausted
        } else {
            AsyncErrorKind::Failed
        };
        AsyncError {
            op: op.to_string(),
            message: message.into(),
            kind,
        }
    }

    /// Whether this is an out-of-memory failure.
    pub fn is_resource_exhausted(&self) -> bool {
        self.kind == AsyncErrorKind::ResourceExhausted
    }
}

impl std::fmt::Display for AsyncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            // JAX's status line first, as its JaxRuntimeError prints it.
            AsyncErrorKind::ResourceExhausted => write!(
                f,
                "{} (raised by the asynchronous computation of `{}`)",
                self.message, self.op
            ),
            AsyncErrorKind::Failed => write!(
                f,
                "asynchronous computation of `{}` failed: {}",
                self.op, self.message
            ),
        }
    }
}

impl std::error::Error for AsyncError {}

/// A concrete array: its abstract value plus a buffer that is ready now or
/// will be filled by the stream.
pub struct DeviceArray {
    aval: ShapedArray,
    cell: OnceLock<Result<Buffer, AsyncError>>,
}

impl DeviceArray {
    /// An array whose buffer is ready. Panics if the buffer's length does
    /// not match the shape and dtype (checked in release builds too: a short
    /// buffer would let reads run past its end).
    pub fn ready(aval: ShapedArray, buffer: Buffer) -> Arc<DeviceArray> {
        let want = aval.size() as u128 * aval.dtype.size_of() as u128;
        assert!(
            buffer.len_bytes() as u128 == want,
            "DeviceArray::ready: a buffer of {} bytes cannot hold {} ({want} bytes).",
            buffer.len_bytes(),
            aval.long()
        );
        let cell = OnceLock::new();
        let _ = cell.set(Ok(buffer));
        Arc::new(DeviceArray { aval, cell })
    }

    /// An array whose buffer will be supplied later by [`DeviceArray::fulfill`].
    /// Crate-private: only the stream, which always fulfills, creates these.
    pub(crate) fn pending(aval: ShapedArray) -> Arc<DeviceArray> {
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
    pub(crate) fn fulfill(&self, result: Result<Buffer, AsyncError>) {
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
