//! NumPy's `.npz` archives: a zip file of `.npy` members, as `np.savez`
//! (stored) and `np.savez_compressed` (deflated) write them and `np.load`
//! reads them.
//!
//! Loading reads members in archive order into an [`NpzFile`]; each member
//! `name.npy` becomes the array `name`, decoded exactly as
//! [`from_npy_bytes`](super::npy::from_npy_bytes) decodes a `.npy` file
//! (every dtype, Fortran order, big-endian). Saving writes each array as
//! the `.npy` bytes `np.save` would write, so `np.load` returns bit-equal
//! arrays.
//!
//! A bad archive is an [`NpzError`], never a panic. Before a member's data
//! is allocated, its `.npy` header's declared size is checked against the
//! member's declared uncompressed size, and that against what its
//! compressed bytes can possibly expand to (deflate expands at most about
//! 1032 to 1; stored members not at all), and the compressed size against
//! the archive's length. So a lying header or a zip bomb fails before it
//! allocates more than about a thousand times the archive's size, and the
//! allocation itself is fallible. Members are checked against their CRC.
//!
//! Names: a member `x.npy` (or `x`) is the array `x`; two members that
//! name the same array are an error. (An archive that repeats one member
//! name exactly is read with one of them: the zip reader keeps one entry
//! per name, where NumPy's `NpzFile` would list both.)

use super::npy::{read_npy, NpyError};
use crate::core::array::Array;
use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};
use std::path::Path;
use zip::CompressionMethod;

/// Why a `.npz` archive could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum NpzError {
    /// The file could not be opened, read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The bytes are not a zip archive jaxide can read (bad or missing
    /// central directory, an unsupported compression method, a bad CRC).
    #[error("bad .npz archive: {0}")]
    Archive(String),
    /// A member that is not a valid `.npy` file, or an array that cannot
    /// be written as one.
    #[error(".npz member {name:?}: {source}")]
    Member {
        /// The member's name in the archive (`w.npy`).
        name: String,
        /// What is wrong with it.
        #[source]
        source: NpyError,
    },
    /// Two members or two arrays to save share a name.
    #[error("duplicate array name {0:?} in .npz")]
    DuplicateName(String),
}

impl From<zip::result::ZipError> for NpzError {
    fn from(e: zip::result::ZipError) -> NpzError {
        match e {
            zip::result::ZipError::Io(e) => NpzError::Io(e),
            e => NpzError::Archive(e.to_string()),
        }
    }
}

/// The arrays of a loaded `.npz` archive, in archive order (NumPy's
/// `NpzFile`). Look arrays up by name (`npz["w"]`, [`NpzFile::get`]),
/// list them ([`NpzFile::files`]), iterate in order, or turn the whole
/// thing into a map ([`NpzFile::into_map`]).
///
/// ```
/// use jaxide::prelude::*;
/// let path = std::env::temp_dir().join("jaxide_doc_npzfile.npz");
/// jnp::savez(&path, [("w", &jnp::ones([2, 2])), ("b", &jnp::zeros([2]))]).unwrap();
/// let npz = jaxide::io::load_npz(&path).unwrap();
/// assert_eq!(npz.files(), vec!["w", "b"]);
/// assert_eq!(npz["b"].shape(), &[2]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct NpzFile {
    entries: Vec<(String, Array)>,
}

impl NpzFile {
    /// The array names, in archive order (NumPy's `NpzFile.files`).
    pub fn files(&self) -> Vec<&str> {
        self.entries.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The array called `name`, if there is one.
    pub fn get(&self, name: &str) -> Option<&Array> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, a)| a)
    }

    /// Whether there is an array called `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The number of arrays.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the archive holds no arrays.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `(name, array)` pairs in archive order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Array)> {
        self.entries.iter().map(|(n, a)| (n.as_str(), a))
    }

    /// The arrays keyed by name (sorted; the archive order is lost).
    pub fn into_map(self) -> BTreeMap<String, Array> {
        self.entries.into_iter().collect()
    }

    /// The `(name, array)` pairs in archive order.
    pub fn into_vec(self) -> Vec<(String, Array)> {
        self.entries
    }
}

impl std::ops::Index<&str> for NpzFile {
    type Output = Array;
    /// The array called `name`; panics with NumPy's `KeyError` message
    /// when there is none (use [`NpzFile::get`] to test).
    fn index(&self, name: &str) -> &Array {
        self.get(name)
            .unwrap_or_else(|| panic!("KeyError: '{name} is not a file in the archive'"))
    }
}

impl IntoIterator for NpzFile {
    type Item = (String, Array);
    type IntoIter = std::vec::IntoIter<(String, Array)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl From<NpzFile> for BTreeMap<String, Array> {
    fn from(f: NpzFile) -> Self {
        f.into_map()
    }
}

/// Deflate's largest expansion is 258 bytes from 2 bits (about 1032:1);
/// this bound adds room for block headers.
fn max_inflated(compressed: u64) -> u64 {
    compressed.saturating_mul(1032).saturating_add(1 << 12)
}

/// Reads every member of an archive of `archive_len` bytes.
fn read_archive<R: Read + Seek>(reader: R, archive_len: u64) -> Result<NpzFile, NpzError> {
    let mut zip = zip::ZipArchive::new(reader)?;
    let mut entries: Vec<(String, Array)> = Vec::with_capacity(zip.len().min(1 << 16));
    for i in 0..zip.len() {
        let mut member = zip.by_index(i)?;
        let raw_name = member.name()?.into_owned();
        let fail = |source: NpyError| NpzError::Member {
            name: raw_name.clone(),
            source,
        };
        let compressed = member.compressed_size();
        let declared = member.size();
        if compressed > archive_len {
            return Err(NpzError::Archive(format!(
                "member {raw_name:?} declares {compressed} compressed bytes in a \
                 {archive_len}-byte archive"
            )));
        }
        let bound = match member.compression() {
            CompressionMethod::Stored => compressed,
            CompressionMethod::Deflated => max_inflated(compressed),
            other => {
                return Err(NpzError::Archive(format!(
                    "member {raw_name:?} uses compression {other}; .npz members are \
                     stored or deflated"
                )))
            }
        };
        if declared > bound {
            return Err(NpzError::Archive(format!(
                "member {raw_name:?} declares {declared} bytes uncompressed, more than its \
                 {compressed} compressed bytes can hold"
            )));
        }
        // Never read past the declared size, whatever the stream holds.
        let broken = |e: std::io::Error| {
            NpzError::Archive(format!("member {raw_name:?} cannot be read: {e}"))
        };
        let mut limited = (&mut member).take(declared);
        let array = read_npy(&mut limited, declared).map_err(|e| match e {
            NpyError::Io(e) => broken(e),
            e => fail(e),
        })?;
        // Drain what is left (bounded by `declared`), then read once more:
        // the end of the member's stream is where its CRC is compared.
        std::io::copy(&mut limited, &mut std::io::sink()).map_err(broken)?;
        let mut probe = [0u8; 1];
        if member.read(&mut probe).map_err(broken)? != 0 {
            return Err(NpzError::Archive(format!(
                "member {raw_name:?} holds more than its declared {declared} bytes"
            )));
        }
        let name = raw_name
            .strip_suffix(".npy")
            .unwrap_or(&raw_name)
            .to_string();
        if entries.iter().any(|(n, _)| *n == name) {
            return Err(NpzError::DuplicateName(name));
        }
        entries.push((name, array));
    }
    Ok(NpzFile { entries })
}

/// Decodes `.npz` bytes (stored or deflated members) into its arrays, in
/// archive order. 64-bit dtypes become 32-bit without x64, as
/// `jnp.asarray` does.
pub fn from_npz_bytes(bytes: &[u8]) -> Result<NpzFile, NpzError> {
    // Reading from memory cannot fail; an I/O error here is a cut-off or
    // malformed archive.
    read_archive(std::io::Cursor::new(bytes), bytes.len() as u64).map_err(|e| match e {
        NpzError::Io(e) => NpzError::Archive(e.to_string()),
        e => e,
    })
}

/// Loads a `.npz` archive (`np.load` of a `.npz` file): every member
/// `name.npy` as the array `name`, in archive order. Reads archives
/// written by `np.savez` and `np.savez_compressed`.
///
/// ```
/// use jaxide::prelude::*;
/// let path = std::env::temp_dir().join("jaxide_doc_load_npz.npz");
/// jnp::savez(&path, [&jnp::arange(3), &jnp::ones([2])]).unwrap();
/// let npz = jaxide::io::load_npz(&path).unwrap();
/// assert_eq!(npz["arr_0"].to_vec::<i32>(), vec![0, 1, 2]);
/// assert_eq!(npz.files(), vec!["arr_0", "arr_1"]);
/// ```
pub fn load_npz(path: impl AsRef<Path>) -> Result<NpzFile, NpzError> {
    let f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    read_archive(std::io::BufReader::new(f), len)
}

/// Arrays to save in a `.npz`: either positional (named `arr_0`, `arr_1`,
/// ... as `np.savez(f, a, b)` names them) or named (`np.savez(f, w=w)`).
///
/// Positional: `&[Array]`, `&Vec<Array>`, `Vec<Array>`, `&[&Array]`,
/// `[&Array; N]`, `Vec<&Array>`. Named: `[(name, &Array); N]`,
/// `&[(name, Array)]`, `Vec<(name, Array)>`, `Vec<(name, &Array)>` (any
/// `name: AsRef<str>`), `&BTreeMap<String, Array>`, `&NpzFile`. To mix
/// both as `np.savez(f, a, w=w)` does, name the positional ones `arr_0`,
/// ... yourself.
pub trait NpzArrays {
    /// The `(name, array)` pairs, in the order they are written.
    fn named_arrays(self) -> Vec<(String, Array)>;
}

fn positional<'a>(xs: impl IntoIterator<Item = &'a Array>) -> Vec<(String, Array)> {
    xs.into_iter()
        .enumerate()
        .map(|(i, x)| (format!("arr_{i}"), x.clone()))
        .collect()
}

impl NpzArrays for &[Array] {
    fn named_arrays(self) -> Vec<(String, Array)> {
        positional(self)
    }
}
impl NpzArrays for &Vec<Array> {
    fn named_arrays(self) -> Vec<(String, Array)> {
        positional(self)
    }
}
impl NpzArrays for Vec<Array> {
    fn named_arrays(self) -> Vec<(String, Array)> {
        positional(&self)
    }
}
impl NpzArrays for &[&Array] {
    fn named_arrays(self) -> Vec<(String, Array)> {
        positional(self.iter().copied())
    }
}
impl NpzArrays for Vec<&Array> {
    fn named_arrays(self) -> Vec<(String, Array)> {
        positional(self)
    }
}
impl<const N: usize> NpzArrays for [&Array; N] {
    fn named_arrays(self) -> Vec<(String, Array)> {
        positional(self)
    }
}
impl<S: AsRef<str>, const N: usize> NpzArrays for [(S, &Array); N] {
    fn named_arrays(self) -> Vec<(String, Array)> {
        self.into_iter()
            .map(|(n, x)| (n.as_ref().to_string(), x.clone()))
            .collect()
    }
}
impl<S: AsRef<str>> NpzArrays for &[(S, Array)] {
    fn named_arrays(self) -> Vec<(String, Array)> {
        self.iter()
            .map(|(n, x)| (n.as_ref().to_string(), x.clone()))
            .collect()
    }
}
impl<S: AsRef<str>> NpzArrays for Vec<(S, Array)> {
    fn named_arrays(self) -> Vec<(String, Array)> {
        self.into_iter()
            .map(|(n, x)| (n.as_ref().to_string(), x))
            .collect()
    }
}
impl<S: AsRef<str>> NpzArrays for Vec<(S, &Array)> {
    fn named_arrays(self) -> Vec<(String, Array)> {
        self.into_iter()
            .map(|(n, x)| (n.as_ref().to_string(), x.clone()))
            .collect()
    }
}
impl NpzArrays for &BTreeMap<String, Array> {
    fn named_arrays(self) -> Vec<(String, Array)> {
        self.iter().map(|(n, x)| (n.clone(), x.clone())).collect()
    }
}
impl NpzArrays for &NpzFile {
    fn named_arrays(self) -> Vec<(String, Array)> {
        self.entries.clone()
    }
}

/// Writes the archive to `w`. Each member is the `.npy` preamble followed
/// by the array's bytes, streamed without an intermediate copy.
fn write_archive<W: Write + Seek>(
    w: W,
    arrays: Vec<(String, Array)>,
    method: CompressionMethod,
) -> Result<W, NpzError> {
    for (i, (name, _)) in arrays.iter().enumerate() {
        if arrays[..i].iter().any(|(n, _)| n == name) {
            return Err(NpzError::DuplicateName(name.clone()));
        }
    }
    let mut zip = zip::ZipWriter::new(w);
    for (name, x) in &arrays {
        let member = format!("{name}.npy");
        let preamble = super::npy::npy_preamble(x).map_err(|source| NpzError::Member {
            name: member.clone(),
            source,
        })?;
        let data = x.buffer("saving an array");
        let size = (preamble.len() + data.len_bytes()) as u64;
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .large_file(size >= u32::MAX as u64);
        zip.start_file(member, options)?;
        zip.write_all(&preamble)?;
        zip.write_all(data.bytes())?;
    }
    Ok(zip.finish()?)
}

fn to_bytes(arrays: impl NpzArrays, method: CompressionMethod) -> Result<Vec<u8>, NpzError> {
    let out = write_archive(
        std::io::Cursor::new(Vec::new()),
        arrays.named_arrays(),
        method,
    )?;
    Ok(out.into_inner())
}

fn save(path: &Path, arrays: impl NpzArrays, method: CompressionMethod) -> Result<(), NpzError> {
    let arrays = arrays.named_arrays();
    // Checked before the temporary file is created.
    for (name, x) in &arrays {
        if x.dtype() == crate::core::dtype::DType::Float0 {
            return Err(NpzError::Member {
                name: format!("{name}.npy"),
                source: NpyError::UnsupportedDtype("float0".into()),
            });
        }
    }
    let mut failure = None;
    let written = super::npy::write_atomically_with(path, |f| {
        let w = std::io::BufWriter::new(f);
        match write_archive(w, arrays, method) {
            Ok(mut w) => w.flush(),
            Err(NpzError::Io(e)) => Err(e),
            Err(e) => {
                failure = Some(e);
                Err(std::io::Error::other("not written"))
            }
        }
    });
    match (written, failure) {
        (_, Some(e)) => Err(e),
        (r, None) => Ok(r?),
    }
}

/// The bytes `np.savez` writes: an uncompressed zip of `name.npy`
/// members.
pub fn to_npz_bytes(arrays: impl NpzArrays) -> Result<Vec<u8>, NpzError> {
    to_bytes(arrays, CompressionMethod::Stored)
}

/// The bytes `np.savez_compressed` writes: a zip of deflated `name.npy`
/// members.
pub fn to_npz_bytes_compressed(arrays: impl NpzArrays) -> Result<Vec<u8>, NpzError> {
    to_bytes(arrays, CompressionMethod::Deflated)
}

/// Saves arrays as an uncompressed `.npz` (`jnp.savez` / `np.savez`).
/// Positional arrays are named `arr_0`, `arr_1`, ...; see [`NpzArrays`]
/// for the named forms. The archive is written to a temporary file and
/// renamed over `path`. Unlike NumPy, `.npz` is not appended to `path`.
///
/// ```
/// use jaxide::prelude::*;
/// let path = std::env::temp_dir().join("jaxide_doc_savez.npz");
/// let (w, b) = (jnp::ones([3, 2]), jnp::zeros([2]));
/// jnp::savez(&path, [("w", &w), ("b", &b)]).unwrap();   // np.savez(path, w=w, b=b)
/// jnp::savez(&path, [&w, &b]).unwrap();                 // np.savez(path, w, b)
/// assert_eq!(jaxide::io::load_npz(&path).unwrap().files(), vec!["arr_0", "arr_1"]);
/// ```
pub fn savez(path: impl AsRef<Path>, arrays: impl NpzArrays) -> Result<(), NpzError> {
    save(path.as_ref(), arrays, CompressionMethod::Stored)
}

/// Saves arrays as a compressed `.npz` (`np.savez_compressed`): like
/// [`savez`], with deflated members.
pub fn savez_compressed(path: impl AsRef<Path>, arrays: impl NpzArrays) -> Result<(), NpzError> {
    save(path.as_ref(), arrays, CompressionMethod::Deflated)
}
