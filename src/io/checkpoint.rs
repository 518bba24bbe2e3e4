//! Checkpoints: any pytree of arrays (parameters, optimizer state, a data
//! loader's position, ...) saved to and restored from one safetensors file.
//!
//! **Format** (version 1). Each leaf is a tensor named by its key path
//! (`keystr`: `.params['w']`, `[1][0]`; `<root>` for a tree that is a single
//! array). The safetensors `__metadata__` records
//! - `format`: `jaxide.checkpoint`, `format_version`: `1`;
//! - `treedef`: the tree structure as `TreeDef` prints it;
//! - `leaves`: a JSON list, in leaf order, of `{"path", "dtype", "shape",
//!   "weak_type", "crc32"}` (the CRC-32 of the leaf's bytes).
//!
//! Tensors are stored in order of decreasing alignment (as the
//! `safetensors` crate orders them), so each one's data is aligned to its
//! element size; the file loads in Python with `safetensors.numpy.load_file`.
//!
//! **Saving** writes a temporary file beside the target, syncs it and
//! renames it over the target: a failed save leaves the old checkpoint.
//!
//! **Restoring** needs a template of the same type (e.g. freshly
//! initialized values): the file's leaf paths, structure, dtypes and shapes
//! must match it, else the first mismatch is an `Err` naming the leaf; the
//! data is checksummed, so a corrupt file is an `Err` too, never a partial
//! load. Values come back bit-exact, weak types included (the file's weak
//! type wins over the template's).
//!
//! ```
//! use jaxide::prelude::*;
//! use jaxide::io::checkpoint;
//! let params = (jnp::ones([2, 3]), vec![jnp::zeros([3])]);
//! let path = std::env::temp_dir().join("jaxide_doc_checkpoint.safetensors");
//! checkpoint::save(&path, &params).unwrap();
//! let back = checkpoint::restore(&path, &params).unwrap();
//! assert_eq!(back.0.to_vec::<f32>(), vec![1.0; 6]);
//! // A template of another shape is refused, naming the leaf.
//! let err = checkpoint::restore(&path, &(jnp::ones([3, 2]), vec![jnp::zeros([3])])).unwrap_err();
//! assert_eq!(err.to_string(), "checkpoint leaf [0]: expected float32[3,2], found float32[2,3]");
//! ```

use super::safetensors::{array_from_bytes, from_dtype};
use crate::tree::{keystr, tree_flatten_with_path, tree_unflatten, PyTree, TreeDef};
use crate::{Array, DType};
use safetensors::tensor::{Dtype, SafeTensors};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;

/// The `format` entry of a checkpoint's metadata.
pub const FORMAT: &str = "jaxide.checkpoint";

/// The format version this jaxide writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Why a checkpoint could not be saved or restored.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The file could not be opened, read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The file is not a readable jaxide checkpoint (truncated, corrupt
    /// header, missing or malformed metadata, an unknown version).
    #[error("bad checkpoint file: {0}")]
    Format(String),
    /// A leaf's data does not match its recorded checksum.
    #[error("checkpoint leaf {path}: data is corrupt (CRC-32 mismatch)")]
    Corrupt {
        /// The leaf's key path.
        path: String,
    },
    /// The template has a leaf the checkpoint lacks.
    #[error("checkpoint is missing leaf {path}, which the template has")]
    MissingLeaf {
        /// The leaf's key path.
        path: String,
    },
    /// The checkpoint has a leaf the template lacks.
    #[error("checkpoint has leaf {path}, which the template lacks")]
    ExtraLeaf {
        /// The leaf's key path.
        path: String,
    },
    /// Same leaves, different tree structure (node types, order or static
    /// data).
    #[error("checkpoint tree structure: expected {expected}, found {found}")]
    Structure {
        /// The template's `TreeDef`.
        expected: String,
        /// The checkpoint's.
        found: String,
    },
    /// A leaf whose dtype or shape differs from the template's.
    #[error("checkpoint leaf {path}: expected {expected}, found {found}")]
    Leaf {
        /// The leaf's key path.
        path: String,
        /// The template's `dtype[shape]`.
        expected: String,
        /// The checkpoint's.
        found: String,
    },
    /// A leaf that cannot be stored (complex and float0 dtypes).
    #[error("cannot save checkpoint leaf {path}: dtype {dtype} is not supported")]
    UnsupportedDtype {
        /// The leaf's key path.
        path: String,
        /// Its dtype.
        dtype: DType,
    },
    /// A leaf whose asynchronous computation failed.
    #[error("checkpoint leaf {path}: {source}")]
    Async {
        /// The leaf's key path.
        path: String,
        /// The failure.
        #[source]
        source: crate::runtime::AsyncError,
    },
    /// An array could not be allocated.
    #[error("{0}")]
    OutOfMemory(#[from] crate::backend::cpu::allocator::OutOfMemory),
}

/// What the metadata records about one leaf.
#[derive(Clone, Debug, PartialEq)]
struct LeafInfo {
    path: String,
    dtype: DType,
    shape: Vec<usize>,
    weak_type: bool,
    crc32: u32,
}

/// `float32[64,32]`, as JAX prints an abstract value.
fn aval_str(dtype: DType, shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("{}[{}]", dtype.name(), dims.join(","))
}

/// The tensor name of a leaf: its key path, or `<root>` for the root.
fn tensor_name(path: &str) -> &str {
    if path.is_empty() {
        "<root>"
    } else {
        path
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum()
}

/// Saves `tree` as a checkpoint at `path`, atomically (a temporary file in
/// the same directory, synced, then renamed over `path`).
///
/// Waits for pending leaves; a leaf whose computation failed, or one of a
/// complex or float0 dtype, is an `Err` and leaves `path` untouched.
/// Panics if a leaf is a tracer (save outside `jit`/`grad`).
pub fn save<T: PyTree>(path: impl AsRef<Path>, tree: &T) -> Result<(), CheckpointError> {
    let (leaves, def) = tree_flatten_with_path(tree);
    let mut infos = Vec::with_capacity(leaves.len());
    let mut buffers = Vec::with_capacity(leaves.len());
    let mut seen = HashSet::new();
    for (key_path, x) in &leaves {
        let path = keystr(key_path);
        if x.is_tracer() {
            panic!(
                "checkpoint::save: leaf {} is a tracer ({:?}); save concrete values, outside \
                 jit, grad and vmap.",
                tensor_name(&path),
                x.aval()
            );
        }
        if let Err(source) = x.try_block_until_ready() {
            return Err(CheckpointError::Async { path, source });
        }
        if from_dtype(x.dtype()).is_err() {
            return Err(CheckpointError::UnsupportedDtype {
                path,
                dtype: x.dtype(),
            });
        }
        if !seen.insert(path.clone()) {
            return Err(CheckpointError::Format(format!(
                "two leaves share the key path {path}"
            )));
        }
        let buf = x.buffer("saving a checkpoint");
        infos.push(LeafInfo {
            path,
            dtype: x.dtype(),
            shape: x.shape().to_vec(),
            weak_type: x.weak_type(),
            crc32: crc32(buf.bytes()),
        });
        buffers.push(buf);
    }
    let (header, order) = header_bytes(&def, &infos)?;
    super::npy::write_atomically_with(path.as_ref(), |f| {
        let mut w = std::io::BufWriter::new(f);
        w.write_all(&(header.len() as u64).to_le_bytes())?;
        w.write_all(&header)?;
        for &i in &order {
            w.write_all(buffers[i].bytes())?;
        }
        w.flush()
    })?;
    Ok(())
}

/// The safetensors header (padded with spaces to a multiple of 8) and the
/// order in which the leaves' data follow it.
fn header_bytes(
    def: &TreeDef,
    infos: &[LeafInfo],
) -> Result<(Vec<u8>, Vec<usize>), CheckpointError> {
    let leaves: Vec<Value> = infos
        .iter()
        .map(|l| {
            json!({
                "path": l.path,
                "dtype": l.dtype.name(),
                "shape": l.shape,
                "weak_type": l.weak_type,
                "crc32": l.crc32,
            })
        })
        .collect();
    let metadata: BTreeMap<&str, String> = [
        ("format", FORMAT.to_string()),
        ("format_version", FORMAT_VERSION.to_string()),
        ("jaxide_version", env!("CARGO_PKG_VERSION").to_string()),
        ("treedef", def.to_string()),
        ("leaves", Value::Array(leaves).to_string()),
    ]
    .into_iter()
    .collect();
    // Larger elements first (stable), so every tensor starts aligned.
    let mut order: Vec<usize> = (0..infos.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(infos[i].dtype.size_of()));
    let mut header = serde_json::Map::new();
    header.insert("__metadata__".into(), json!(metadata));
    let mut offset = 0usize;
    for &i in &order {
        let l = &infos[i];
        let st_dtype: Dtype = from_dtype(l.dtype).expect("checked by save");
        let nbytes = l.shape.iter().product::<usize>() * l.dtype.size_of();
        header.insert(
            tensor_name(&l.path).to_string(),
            json!({
                "dtype": serde_json::to_value(st_dtype).map_err(|e| CheckpointError::Format(e.to_string()))?,
                "shape": l.shape,
                "data_offsets": [offset, offset + nbytes],
            }),
        );
        offset += nbytes;
    }
    let mut bytes = Value::Object(header).to_string().into_bytes();
    bytes.resize(bytes.len().div_ceil(8) * 8, b' ');
    Ok((bytes, order))
}

/// Restores a checkpoint saved by [`save`] into a tree shaped like
/// `template` (whose values are not used).
///
/// Every check runs before any value is built: the file must be a
/// readable checkpoint of this format, hold exactly the template's leaves
/// (same key paths, same structure), each with the template's dtype and
/// shape, and pass its checksum. The first failure is the `Err`.
pub fn restore<T: PyTree>(path: impl AsRef<Path>, template: &T) -> Result<T, CheckpointError> {
    from_bytes(&std::fs::read(path)?, template)
}

/// [`restore`] from the bytes of a checkpoint file.
pub fn from_bytes<T: PyTree>(bytes: &[u8], template: &T) -> Result<T, CheckpointError> {
    let bad = |what: String| CheckpointError::Format(what);
    let st = SafeTensors::deserialize(bytes).map_err(|e| bad(e.to_string()))?;
    let (_, meta) = SafeTensors::read_metadata(bytes).map_err(|e| bad(e.to_string()))?;
    let empty = HashMap::new();
    let meta = meta.metadata().as_ref().unwrap_or(&empty);
    let (def, infos) = parse_metadata(meta)?;

    let (expected, template_def) = tree_flatten_with_path(template);
    let expected: Vec<(String, &Array)> = expected.iter().map(|(p, x)| (keystr(p), x)).collect();
    check_paths(&expected, &infos)?;
    if template_def.to_string() != def {
        return Err(CheckpointError::Structure {
            expected: template_def.to_string(),
            found: def,
        });
    }
    for ((path, x), info) in expected.iter().zip(&infos) {
        if x.dtype() != info.dtype || x.shape() != info.shape.as_slice() {
            return Err(CheckpointError::Leaf {
                path: tensor_name(path).to_string(),
                expected: aval_str(x.dtype(), x.shape()),
                found: aval_str(info.dtype, &info.shape),
            });
        }
    }
    let mut views = Vec::with_capacity(infos.len());
    for info in &infos {
        let name = tensor_name(&info.path);
        let view = st
            .tensor(name)
            .map_err(|_| bad(format!("no tensor {name} for a leaf the metadata lists")))?;
        let recorded = from_dtype(info.dtype).map_err(|e| bad(e.to_string()))?;
        if view.dtype() != recorded || view.shape() != info.shape.as_slice() {
            return Err(bad(format!(
                "tensor {name} is {:?}{:?} but the metadata says {}",
                view.dtype(),
                view.shape(),
                aval_str(info.dtype, &info.shape)
            )));
        }
        if crc32(view.data()) != info.crc32 {
            return Err(CheckpointError::Corrupt {
                path: name.to_string(),
            });
        }
        views.push(view);
    }
    let leaves = views
        .iter()
        .zip(&infos)
        .map(|(v, info)| array_from_bytes(v.data(), &info.shape, info.dtype, info.weak_type))
        .collect::<Result<Vec<Array>, _>>()?;
    Ok(tree_unflatten(&template_def, leaves))
}

/// The template's leaf paths against the file's: the first difference is
/// a missing leaf, an extra one, or (same set, another order) a structure
/// error.
fn check_paths(expected: &[(String, &Array)], found: &[LeafInfo]) -> Result<(), CheckpointError> {
    let in_file: HashSet<&str> = found.iter().map(|l| l.path.as_str()).collect();
    let in_template: HashSet<&str> = expected.iter().map(|(p, _)| p.as_str()).collect();
    let n = expected.len().max(found.len());
    for i in 0..n {
        let e = expected.get(i).map(|(p, _)| p.as_str());
        let f = found.get(i).map(|l| l.path.as_str());
        if e == f {
            continue;
        }
        if let Some(e) = e.filter(|e| !in_file.contains(e)) {
            return Err(CheckpointError::MissingLeaf {
                path: tensor_name(e).to_string(),
            });
        }
        if let Some(f) = f.filter(|f| !in_template.contains(f)) {
            return Err(CheckpointError::ExtraLeaf {
                path: tensor_name(f).to_string(),
            });
        }
        // Both sides hold both paths: the leaves come in another order.
        return Err(CheckpointError::Structure {
            expected: format!("leaf {} at position {i}", tensor_name(e.unwrap_or(""))),
            found: format!("leaf {}", tensor_name(f.unwrap_or(""))),
        });
    }
    Ok(())
}

/// The recorded `TreeDef` string and leaves.
fn parse_metadata(
    meta: &HashMap<String, String>,
) -> Result<(String, Vec<LeafInfo>), CheckpointError> {
    let bad = |what: String| CheckpointError::Format(what);
    let get = |key: &str| {
        meta.get(key).ok_or_else(|| {
            bad(format!(
                "no {key:?} entry in the metadata; not a jaxide checkpoint"
            ))
        })
    };
    if get("format")? != FORMAT {
        return Err(bad(format!(
            "metadata format is {:?}, not {FORMAT:?}",
            meta["format"]
        )));
    }
    let version = get("format_version")?;
    if version.parse::<u32>().ok() != Some(FORMAT_VERSION) {
        return Err(bad(format!(
            "checkpoint format version {version} (this jaxide reads version {FORMAT_VERSION})"
        )));
    }
    let def = get("treedef")?.clone();
    let leaves: Value = serde_json::from_str(get("leaves")?)
        .map_err(|e| bad(format!("metadata 'leaves' is not JSON: {e}")))?;
    let leaves = leaves
        .as_array()
        .ok_or_else(|| bad("metadata 'leaves' is not a list".into()))?;
    let infos = leaves
        .iter()
        .enumerate()
        .map(|(i, l)| {
            parse_leaf(l)
                .ok_or_else(|| bad(format!("metadata entry {i} of 'leaves' is malformed: {l}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((def, infos))
}

fn parse_leaf(l: &Value) -> Option<LeafInfo> {
    let shape = l
        .get("shape")?
        .as_array()?
        .iter()
        .map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
        .collect::<Option<Vec<usize>>>()?;
    // The shape must describe an array that can exist.
    crate::core::shape::checked_size(&shape)?;
    Some(LeafInfo {
        path: l.get("path")?.as_str()?.to_string(),
        dtype: DType::from_name(l.get("dtype")?.as_str()?)?,
        shape,
        weak_type: l.get("weak_type")?.as_bool()?,
        crc32: u32::try_from(l.get("crc32")?.as_u64()?).ok()?,
    })
}
