//! safetensors files: a map of named arrays, compatible with the Python
//! `safetensors` package (through the `safetensors` crate, which validates
//! headers, offsets and sizes before any data is touched).

use crate::backend::cpu::buffer::Buffer;
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::Shape;
use safetensors::tensor::{Dtype, SafeTensors, View};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

/// Why a safetensors file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SafetensorsError {
    /// The file could not be opened, read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The file is not valid safetensors (bad header, offsets or sizes).
    #[error("bad safetensors file: {0}")]
    Format(#[from] safetensors::SafeTensorError),
    /// A dtype with no counterpart on the other side.
    #[error("unsupported safetensors dtype {0}")]
    UnsupportedDtype(String),
    /// An array could not be allocated.
    #[error("{0}")]
    OutOfMemory(#[from] crate::backend::cpu::allocator::OutOfMemory),
}

pub(crate) fn to_dtype(d: Dtype) -> Result<DType, SafetensorsError> {
    Ok(match d {
        Dtype::BOOL => DType::Bool,
        Dtype::U8 => DType::U8,
        Dtype::I8 => DType::I8,
        Dtype::I16 => DType::I16,
        Dtype::U16 => DType::U16,
        Dtype::F16 => DType::F16,
        Dtype::BF16 => DType::BF16,
        Dtype::I32 => DType::I32,
        Dtype::U32 => DType::U32,
        Dtype::F32 => DType::F32,
        Dtype::F64 => DType::F64,
        Dtype::I64 => DType::I64,
        Dtype::U64 => DType::U64,
        other => return Err(SafetensorsError::UnsupportedDtype(format!("{other:?}"))),
    })
}

pub(crate) fn from_dtype(d: DType) -> Result<Dtype, SafetensorsError> {
    Ok(match d {
        DType::Bool => Dtype::BOOL,
        DType::U8 => Dtype::U8,
        DType::I8 => Dtype::I8,
        DType::I16 => Dtype::I16,
        DType::U16 => Dtype::U16,
        DType::F16 => Dtype::F16,
        DType::BF16 => Dtype::BF16,
        DType::I32 => Dtype::I32,
        DType::U32 => Dtype::U32,
        DType::F32 => Dtype::F32,
        DType::F64 => Dtype::F64,
        DType::I64 => Dtype::I64,
        DType::U64 => Dtype::U64,
        d @ (DType::C64 | DType::C128 | DType::Float0) => {
            return Err(SafetensorsError::UnsupportedDtype(d.name().to_string()))
        }
    })
}

/// Decodes safetensors bytes into named arrays. 64-bit dtypes become
/// 32-bit without x64, as `jnp.asarray` does.
pub fn from_safetensors_bytes(bytes: &[u8]) -> Result<BTreeMap<String, Array>, SafetensorsError> {
    let st = SafeTensors::deserialize(bytes)?;
    let x64 = crate::config::enable_x64();
    let mut out = BTreeMap::new();
    for (name, view) in st.tensors() {
        let dtype = to_dtype(view.dtype())?;
        let x = array_from_bytes(view.data(), view.shape(), dtype, false)?;
        let canonical = crate::core::promotion::canonicalize(dtype, x64);
        out.insert(name, crate::lax::convert_element_type(&x, canonical));
    }
    Ok(out)
}

/// A ready array of `dtype` and `shape` holding a copy of `data` (its
/// little-endian bytes; bools normalized to 0/1).
pub(crate) fn array_from_bytes(
    data: &[u8],
    shape: &[usize],
    dtype: DType,
    weak: bool,
) -> Result<Array, crate::backend::cpu::allocator::OutOfMemory> {
    let mut buf = Buffer::try_new(data.len())?;
    let dst = buf.as_mut_slice::<u8>();
    dst.copy_from_slice(data);
    if dtype == DType::Bool {
        dst.iter_mut().for_each(|b| *b = (*b != 0) as u8);
    }
    Ok(Array::from_storage(
        buf,
        Shape::from(shape.to_vec()),
        dtype,
        weak,
    ))
}

/// Loads every array of a safetensors file, by name
/// (`safetensors.numpy.load_file`).
pub fn load_safetensors(
    path: impl AsRef<Path>,
) -> Result<BTreeMap<String, Array>, SafetensorsError> {
    from_safetensors_bytes(&std::fs::read(path)?)
}

/// One array as a safetensors view.
struct ArrayView {
    dtype: Dtype,
    shape: Vec<usize>,
    data: Buffer,
}

impl View for &ArrayView {
    fn dtype(&self) -> Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self.data.bytes())
    }
    fn data_len(&self) -> usize {
        self.data.len_bytes()
    }
}

/// Encodes named arrays as safetensors bytes, with optional string metadata.
pub fn to_safetensors_bytes(
    arrays: &BTreeMap<String, Array>,
    metadata: Option<std::collections::HashMap<String, String>>,
) -> Result<Vec<u8>, SafetensorsError> {
    let views = arrays
        .iter()
        .map(|(name, x)| {
            Ok((
                name.clone(),
                ArrayView {
                    dtype: from_dtype(x.dtype())?,
                    shape: x.shape().to_vec(),
                    data: x.buffer("saving an array").clone(),
                },
            ))
        })
        .collect::<Result<Vec<_>, SafetensorsError>>()?;
    Ok(safetensors::serialize(
        views.iter().map(|(n, v)| (n.as_str(), v)),
        &metadata,
    )?)
}

/// Saves named arrays as a safetensors file (`safetensors.numpy.save_file`),
/// atomically: a temporary file beside `path` is renamed over it.
pub fn save_safetensors(
    path: impl AsRef<Path>,
    arrays: &BTreeMap<String, Array>,
) -> Result<(), SafetensorsError> {
    let bytes = to_safetensors_bytes(arrays, None)?;
    super::npy::write_atomically(path.as_ref(), &bytes).map_err(|e| match e {
        super::npy::NpyError::Io(e) => SafetensorsError::Io(e),
        other => SafetensorsError::Io(std::io::Error::other(other.to_string())),
    })
}
