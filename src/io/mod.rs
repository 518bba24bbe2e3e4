//! Files in and out: NumPy's `.npy` (more formats follow in issue 13).

pub mod npy;

pub use npy::{from_npy_bytes, load, save, to_npy_bytes, NpyError};
