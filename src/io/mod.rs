//! Files in and out: NumPy's `.npy` (also memory-mapped) and `.npz`, and
//! safetensors.

pub mod npy;
pub mod npz;
pub mod safetensors;

pub use self::safetensors::{
    from_safetensors_bytes, load_safetensors, save_safetensors, to_safetensors_bytes,
    SafetensorsError,
};
pub use npy::{from_npy_bytes, load, save, to_npy_bytes, NpyError};
pub use npz::{
    from_npz_bytes, load_npz, savez, savez_compressed, to_npz_bytes, to_npz_bytes_compressed,
    NpzArrays, NpzError, NpzFile,
};
