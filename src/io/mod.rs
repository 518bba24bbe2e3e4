//! Files in and out: NumPy's `.npy` and safetensors (more formats follow in
//! issue 13).

pub mod npy;
pub mod safetensors;

pub use self::safetensors::{
    from_safetensors_bytes, load_safetensors, save_safetensors, to_safetensors_bytes,
    SafetensorsError,
};
pub use npy::{from_npy_bytes, load, save, to_npy_bytes, NpyError};
