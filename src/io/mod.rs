//! Files in and out: NumPy's `.npy` (also memory-mapped) and `.npz`,
//! safetensors, and pytree checkpoints (`checkpoint`).

pub mod checkpoint;
#[cfg(feature = "ndarray")]
pub mod ndarray;
pub mod npy;
pub mod npz;
pub mod safetensors;

#[cfg(feature = "ndarray")]
pub use self::ndarray::NdarrayError;
pub use self::safetensors::{
    from_safetensors_bytes, load_safetensors, save_safetensors, to_safetensors_bytes,
    SafetensorsError,
};
pub use checkpoint::CheckpointError;
pub use npy::{from_npy_bytes, load, load_mmap, save, to_npy_bytes, NpyError};
pub use npz::{
    from_npz_bytes, load_npz, savez, savez_compressed, to_npz_bytes, to_npz_bytes_compressed,
    NpzArrays, NpzError, NpzFile,
};
