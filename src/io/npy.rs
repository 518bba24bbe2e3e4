//! NumPy's `.npy` format: load and save, byte-compatible with `np.save` and
//! `np.load`.
//!
//! Loading accepts format versions 1.0–3.0, little- and big-endian data,
//! and C or Fortran order. Saving writes version 1.0 (2.0 when the header
//! needs it), little-endian, C order, with the header padded to 64 bytes as
//! NumPy does. `bfloat16` is written as NumPy writes ml_dtypes' bfloat16
//! (`'<V2'`), and a 2-byte void loads as `bfloat16`.
//!
//! A bad file is an [`NpyError`], never a panic: the header is checked,
//! and the declared data size against the file length, before anything is
//! allocated.

use crate::backend::cpu::buffer::Buffer;
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::Shape;
use std::io::{Read, Write};
use std::path::Path;

const MAGIC: &[u8] = b"\x93NUMPY";
/// Longest header accepted (NumPy's own limit for untrusted files is 10000).
const MAX_HEADER: usize = 1 << 20;

/// Why a `.npy` file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum NpyError {
    /// The file could not be opened, read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The file does not start with `\x93NUMPY`.
    #[error("not a .npy file: the magic string \\x93NUMPY is missing")]
    BadMagic,
    /// The file is a zip archive: a `.npz`, which
    /// [`load_npz`](super::npz::load_npz) reads.
    #[error("not a .npy file: this is a zip archive (.npz); load it with jnp::load_npz")]
    IsNpz,
    /// A format version other than 1.0, 2.0 or 3.0.
    #[error("unsupported .npy format version {0}.{1} (1.0, 2.0 and 3.0 are supported)")]
    UnsupportedVersion(u8, u8),
    /// The header is not the dict NumPy writes.
    #[error("bad .npy header: {0}")]
    BadHeader(String),
    /// A dtype jaxide has no counterpart for.
    #[error("unsupported .npy dtype {0:?} (bool, int8..int64, uint8..uint64, float16/32/64, complex64/128 and bfloat16 ('<V2') are supported)")]
    UnsupportedDtype(String),
    /// The file holds fewer data bytes than the header declares.
    #[error(
        "truncated .npy file: the header declares {expected} data bytes but {actual} follow it"
    )]
    Truncated {
        /// Bytes the shape and dtype need.
        expected: u128,
        /// Bytes present after the header.
        actual: u64,
    },
    /// The array could not be allocated.
    #[error("{0}")]
    OutOfMemory(#[from] crate::backend::cpu::allocator::OutOfMemory),
}

/// The element type and byte order a header declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Descr {
    pub(crate) dtype: DType,
    pub(crate) big_endian: bool,
}

/// Parses NumPy's `descr` string (`'<f4'`, `'|b1'`, `'>i8'`, `'<V2'`, ...).
fn parse_descr(s: &str) -> Result<Descr, NpyError> {
    let bad = || NpyError::UnsupportedDtype(s.to_string());
    let mut chars = s.chars();
    let order = chars.next().ok_or_else(bad)?;
    let big_endian = match order {
        '<' | '|' | '=' => false,
        '>' => true,
        _ => return Err(bad()),
    };
    let dtype = match chars.as_str() {
        "b1" => DType::Bool,
        "i1" => DType::I8,
        "i2" => DType::I16,
        "i4" => DType::I32,
        "i8" => DType::I64,
        "u1" => DType::U8,
        "u2" => DType::U16,
        "u4" => DType::U32,
        "u8" => DType::U64,
        "f2" => DType::F16,
        "f4" => DType::F32,
        "f8" => DType::F64,
        "c8" => DType::C64,
        "c16" => DType::C128,
        "V2" => DType::BF16,
        _ => return Err(bad()),
    };
    Ok(Descr { dtype, big_endian })
}

/// NumPy's `descr` for a dtype (little-endian).
fn descr_of(d: DType) -> Result<&'static str, NpyError> {
    Ok(match d {
        DType::Bool => "|b1",
        DType::I8 => "|i1",
        DType::I16 => "<i2",
        DType::I32 => "<i4",
        DType::I64 => "<i8",
        DType::U8 => "|u1",
        DType::U16 => "<u2",
        DType::U32 => "<u4",
        DType::U64 => "<u8",
        DType::F16 => "<f2",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
        DType::C64 => "<c8",
        DType::C128 => "<c16",
        DType::BF16 => "<V2",
        DType::Float0 => return Err(NpyError::UnsupportedDtype("float0".into())),
    })
}

/// The parsed header dict.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) descr: Descr,
    pub(crate) fortran_order: bool,
    pub(crate) shape: Vec<usize>,
}

/// A tiny reader for the Python literal NumPy writes:
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
struct Literal<'a> {
    s: &'a [u8],
    at: usize,
}

impl Literal<'_> {
    fn err(&self, what: &str) -> NpyError {
        NpyError::BadHeader(format!("{what} at byte {}", self.at))
    }
    fn skip_ws(&mut self) {
        while self.at < self.s.len() && self.s[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.at) == Some(&c) {
            self.at += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: u8) -> Result<(), NpyError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.err(&format!("expected '{}'", c as char)))
        }
    }
    fn string(&mut self) -> Result<String, NpyError> {
        self.skip_ws();
        let q = match self.s.get(self.at) {
            Some(&q @ (b'\'' | b'"')) => q,
            _ => return Err(self.err("expected a string")),
        };
        let start = self.at + 1;
        let len = self.s[start..]
            .iter()
            .position(|&c| c == q)
            .ok_or_else(|| self.err("unterminated string"))?;
        self.at = start + len + 1;
        String::from_utf8(self.s[start..start + len].to_vec())
            .map_err(|_| self.err("string is not UTF-8"))
    }
    fn word(&mut self) -> &[u8] {
        self.skip_ws();
        let start = self.at;
        while self.at < self.s.len() && self.s[self.at].is_ascii_alphanumeric() {
            self.at += 1;
        }
        &self.s[start..self.at]
    }
    fn boolean(&mut self) -> Result<bool, NpyError> {
        match self.word() {
            b"True" => Ok(true),
            b"False" => Ok(false),
            _ => Err(self.err("expected True or False")),
        }
    }
    fn shape(&mut self) -> Result<Vec<usize>, NpyError> {
        self.expect(b'(')?;
        let mut dims = Vec::new();
        loop {
            if self.eat(b')') {
                return Ok(dims);
            }
            let w = self.word().to_vec();
            let w = std::str::from_utf8(&w).unwrap_or("");
            // Python 2 era files may write `3L`.
            let w = w.strip_suffix('L').unwrap_or(w);
            let d: usize = w
                .parse()
                .map_err(|_| self.err("expected a non-negative dimension"))?;
            dims.push(d);
            if !self.eat(b',') {
                self.expect(b')')?;
                return Ok(dims);
            }
        }
    }
}

fn parse_header(text: &[u8]) -> Result<Header, NpyError> {
    let mut p = Literal { s: text, at: 0 };
    p.expect(b'{')?;
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    loop {
        if p.eat(b'}') {
            break;
        }
        let key = p.string()?;
        p.expect(b':')?;
        match key.as_str() {
            "descr" => descr = Some(parse_descr(&p.string()?)?),
            "fortran_order" => fortran = Some(p.boolean()?),
            "shape" => shape = Some(p.shape()?),
            k => return Err(NpyError::BadHeader(format!("unexpected key {k:?}"))),
        }
        if !p.eat(b',') {
            p.expect(b'}')?;
            break;
        }
    }
    let missing = |k: &str| NpyError::BadHeader(format!("the key {k:?} is missing"));
    Ok(Header {
        descr: descr.ok_or_else(|| missing("descr"))?,
        fortran_order: fortran.ok_or_else(|| missing("fortran_order"))?,
        shape: shape.ok_or_else(|| missing("shape"))?,
    })
}

/// Fills `buf` from `r` until it is full or the stream ends; returns the
/// number of bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Reads the magic string, version, header length and header from `r`,
/// whose total length is at most `avail` bytes. Returns the parsed header
/// and the preamble's length (the offset of the data). Nothing larger than
/// [`MAX_HEADER`] is allocated.
pub(crate) fn read_preamble(r: &mut impl Read, avail: u64) -> Result<(Header, u64), NpyError> {
    let mut fixed = [0u8; 12];
    let got = read_full(r, &mut fixed[..8])?;
    if got >= 4 && &fixed[..4] == b"PK\x03\x04" {
        return Err(NpyError::IsNpz);
    }
    if got < 8 || &fixed[..MAGIC.len()] != MAGIC {
        return Err(NpyError::BadMagic);
    }
    let (major, minor) = (fixed[6], fixed[7]);
    let (len_bytes, utf8) = match (major, minor) {
        (1, 0) => (2, false),
        (2, 0) => (4, false),
        (3, 0) => (4, true),
        _ => return Err(NpyError::UnsupportedVersion(major, minor)),
    };
    let start = 8 + len_bytes;
    if read_full(r, &mut fixed[8..start])? < len_bytes {
        return Err(NpyError::BadHeader("the header length is cut off".into()));
    }
    let header_len = fixed[8..start]
        .iter()
        .rev()
        .fold(0usize, |acc, &b| (acc << 8) | b as usize);
    if header_len > MAX_HEADER {
        return Err(NpyError::BadHeader(format!(
            "header of {header_len} bytes is longer than the {MAX_HEADER} accepted"
        )));
    }
    let preamble = (start + header_len) as u64;
    if preamble > avail {
        return Err(NpyError::BadHeader("the header is cut off".into()));
    }
    let mut text = vec![0u8; header_len];
    if read_full(r, &mut text)? < header_len {
        return Err(NpyError::BadHeader("the header is cut off".into()));
    }
    if !utf8 && !text.is_ascii() {
        return Err(NpyError::BadHeader(
            "a version 1/2 header must be ASCII".into(),
        ));
    }
    Ok((parse_header(&text)?, preamble))
}

impl Header {
    /// Bytes the shape and dtype need (saturating: a product that
    /// overflows is reported as `u128::MAX`, which no file holds).
    pub(crate) fn data_bytes(&self) -> u128 {
        let count = self
            .shape
            .iter()
            .try_fold(1u128, |acc, &d| acc.checked_mul(d as u128))
            .unwrap_or(u128::MAX);
        count.saturating_mul(self.descr.dtype.size_of() as u128)
    }
}

/// Reads a whole `.npy` stream of at most `avail` bytes. The declared data
/// size is checked against `avail` before anything is allocated, and the
/// allocation itself is fallible. Bytes after the data are not read.
pub(crate) fn read_npy(r: &mut impl Read, avail: u64) -> Result<Array, NpyError> {
    let (h, preamble) = read_preamble(r, avail)?;
    let expected = h.data_bytes();
    let actual = avail - preamble;
    if expected > actual as u128 {
        return Err(NpyError::Truncated { expected, actual });
    }
    let mut buf = Buffer::try_new(expected as usize)?;
    let got = read_full(r, buf.as_mut_slice::<u8>())?;
    if got as u128 != expected {
        return Err(NpyError::Truncated {
            expected,
            actual: got as u64,
        });
    }
    Ok(decode(&h, buf))
}

/// Turns the file's data bytes (in `buf`) into the array the header
/// describes: bools normalized, big-endian swapped, Fortran order
/// transposed, 64-bit dtypes canonicalized.
pub(crate) fn decode(h: &Header, mut buf: Buffer) -> Array {
    let dtype = h.descr.dtype;
    let item = dtype.size_of();
    {
        let out = buf.as_mut_slice::<u8>();
        if dtype == DType::Bool && out.iter().any(|&b| b > 1) {
            // NumPy bools are 0/1 bytes; anything nonzero is true.
            out.iter_mut().for_each(|b| *b = (*b != 0) as u8);
        }
        if h.descr.big_endian != cfg!(target_endian = "big") && item > 1 {
            // Swap each scalar (each half of a complex value).
            let width = if dtype.is_complex() { item / 2 } else { item };
            out.chunks_exact_mut(width).for_each(|c| c.reverse());
        }
    }
    let x = if h.fortran_order {
        // Column-major data is the row-major array of the reversed shape,
        // transposed.
        let rev: Vec<usize> = h.shape.iter().rev().copied().collect();
        let t = Array::from_storage(buf, Shape::from(rev), dtype, false);
        let perm: Vec<usize> = (0..h.shape.len()).rev().collect();
        crate::lax::transpose(&t, &perm)
    } else {
        Array::from_storage(buf, Shape::from(h.shape.clone()), dtype, false)
    };
    let canonical = crate::core::promotion::canonicalize(dtype, crate::config::enable_x64());
    if canonical == dtype {
        x
    } else {
        crate::lax::convert_element_type(&x, canonical)
    }
}

/// Decodes a `.npy` file's bytes into an array.
///
/// 64-bit dtypes become 32-bit without x64, as `jnp.asarray(np.load(f))`
/// does.
pub fn from_npy_bytes(bytes: &[u8]) -> Result<Array, NpyError> {
    read_npy(&mut &bytes[..], bytes.len() as u64)
}

/// Loads a `.npy` file (`jnp.load`).
///
/// ```
/// use jaxide::prelude::*;
/// let path = std::env::temp_dir().join("jaxide_doc_load.npy");
/// jnp::save(&path, &jnp::arange(3)).unwrap();
/// assert_eq!(jnp::load(&path).unwrap().to_vec::<i32>(), vec![0, 1, 2]);
/// ```
pub fn load(path: impl AsRef<Path>) -> Result<Array, NpyError> {
    let f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    read_npy(&mut std::io::BufReader::new(f), len)
}

/// The preamble `np.save` writes for `x`: magic string, version, header
/// length and the header dict, padded with spaces and a final `'\n'` so
/// that the data starts at a multiple of 64 bytes (NumPy's `ARRAY_ALIGN`).
/// Version 1.0 unless the header needs a 4-byte length (then 2.0).
pub(crate) fn npy_preamble(x: &Array) -> Result<Vec<u8>, NpyError> {
    let descr = descr_of(x.dtype())?;
    let shape = match x.shape() {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        dims => format!(
            "({})",
            dims.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    let padded = |len_bytes: usize| {
        let total = 8 + len_bytes + dict.len() + 1;
        dict.len() + total.next_multiple_of(64) - total + 1
    };
    let (version, len_bytes) = if padded(2) <= u16::MAX as usize {
        (1u8, 2)
    } else {
        (2u8, 4)
    };
    let header_len = padded(len_bytes);
    let mut out = Vec::with_capacity(8 + len_bytes + header_len);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[version, 0]);
    out.extend_from_slice(&(header_len as u32).to_le_bytes()[..len_bytes]);
    out.extend_from_slice(dict.as_bytes());
    out.resize(8 + len_bytes + header_len - 1, b' ');
    out.push(b'\n');
    Ok(out)
}

/// Loads a `.npy` file through a memory mapping (`np.load(path,
/// mmap_mode="c")`): the array's memory is a private copy-on-write mapping
/// of the file, so loading costs no copy and pages are read from disk as
/// they are touched.
///
/// The mapping is *private*: nothing jaxide does writes to the file. An
/// op that reuses the array's buffer in place (a donated argument under
/// [`jit_donate`](crate::transforms::jit::jit_donate)) writes to private
/// copies of the pages it touches.
///
/// Zero-copy needs what NumPy writes by default on a little-endian
/// machine: C order, little-endian, data starting at a multiple of 64
/// bytes (every NumPy since 1.13 pads the header so), and a dtype that is
/// canonical (32-bit dtypes, or any dtype with x64 on). Otherwise the
/// result is the same as [`load`]'s, at the same cost: data that is not
/// 64-byte aligned (older files padded to 16 bytes) is read into memory;
/// Fortran-order data is transposed into a new buffer; big-endian data is
/// swapped in the private mapping (which copies every page); 64-bit data
/// is converted to 32-bit without x64. Bool bytes other than 0/1 are
/// normalized in the private mapping.
///
/// # Caveat
/// As with NumPy's `memmap`, the file must not be truncated or rewritten
/// in place while the array (or anything computed lazily from it) is
/// alive: reading a page that is no longer backed by the file raises
/// `SIGBUS`, and a change made by another process to a page jaxide has
/// not copied yet may become visible. Saving with [`save`] over the same
/// path is safe: it writes a new file and renames it, leaving the mapped
/// file intact until it is unmapped.
///
/// ```
/// use jaxide::prelude::*;
/// let path = std::env::temp_dir().join("jaxide_doc_load_mmap.npy");
/// jnp::save(&path, &jnp::arange(1000)).unwrap();
/// let x = jaxide::io::load_mmap(&path).unwrap();
/// assert_eq!(x.sum().item::<i32>(), 499500);
/// ```
pub fn load_mmap(path: impl AsRef<Path>) -> Result<Array, NpyError> {
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let (h, preamble) = read_preamble(&mut std::io::BufReader::new(&file), len)?;
    let expected = h.data_bytes();
    let actual = len - preamble;
    if expected > actual as u128 {
        return Err(NpyError::Truncated { expected, actual });
    }
    if expected > 0 && preamble.is_multiple_of(crate::backend::cpu::allocator::ALIGN as u64) {
        // SAFETY: a private (MAP_PRIVATE) read-write mapping of
        // `expected` bytes at `preamble`, both within the file's length
        // checked above. Writes through it go to private copies of the
        // pages and never to the file. memmap2 marks this unsafe because
        // another process may truncate or modify the file while it is
        // mapped; that is the caveat documented above (as for NumPy's
        // memmap), and the mapping is otherwise only accessed through the
        // Buffer that owns it.
        let map = unsafe {
            memmap2::MmapOptions::new()
                .offset(preamble)
                .len(expected as usize)
                .map_copy(&file)?
        };
        if let Ok(buf) = Buffer::from_private_mapping(map) {
            return Ok(decode(&h, buf));
        }
    }
    use std::io::Seek;
    file.seek(std::io::SeekFrom::Start(0))?;
    read_npy(&mut std::io::BufReader::new(file), len)
}

/// Encodes an array as `.npy` bytes, as `np.save` writes them.
pub fn to_npy_bytes(x: &Array) -> Result<Vec<u8>, NpyError> {
    let mut out = npy_preamble(x)?;
    let data = x.buffer("saving an array");
    out.try_reserve_exact(data.len_bytes()).map_err(|_| {
        crate::backend::cpu::allocator::OutOfMemory {
            bytes: (out.len() + data.len_bytes()) as u128,
        }
    })?;
    out.extend_from_slice(data.bytes());
    Ok(out)
}

/// Saves an array as `.npy` (`jnp.save`). The file is written to a
/// temporary name next to `path` and renamed over it, so a reader never
/// sees a half-written file.
pub fn save(path: impl AsRef<Path>, x: &Array) -> Result<(), NpyError> {
    let preamble = npy_preamble(x)?;
    let data = x.buffer("saving an array");
    Ok(write_atomically_with(path.as_ref(), |f| {
        f.write_all(&preamble)?;
        f.write_all(data.bytes())
    })?)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), NpyError> {
    Ok(write_atomically_with(path, |f| f.write_all(bytes))?)
}

/// Creates a temporary file beside `path`, lets `write` fill it, syncs it
/// and renames it over `path`. On any failure the temporary file is
/// removed and `path` is untouched.
pub(crate) fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // The process id and a counter keep concurrent saves apart.
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        write(&mut f)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        sync_parent_dir(path);
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Makes a rename in `path`'s directory durable (best effort: some file
/// systems and platforms cannot sync a directory).
fn sync_parent_dir(path: &Path) {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_parse_in_any_key_order_and_python2_longs() {
        let h =
            parse_header(b"{'shape': (2L, 3L), 'fortran_order': True, 'descr': '>i8'}").unwrap();
        assert_eq!(h.shape, vec![2, 3]);
        assert!(h.fortran_order && h.descr.big_endian && h.descr.dtype == DType::I64);
        assert_eq!(
            parse_header(b"{'descr': '<f4', 'fortran_order': False, 'shape': (), }")
                .unwrap()
                .shape,
            Vec::<usize>::new()
        );
    }

    #[test]
    fn bad_headers_are_errors() {
        for bad in [
            &b"{'descr': '<f4', 'shape': (3,)}"[..],
            b"{'descr': '<q9', 'fortran_order': False, 'shape': (3,)}",
            b"{'descr': '<f4', 'fortran_order': Maybe, 'shape': (3,)}",
            b"{'descr': '<f4', 'fortran_order': False, 'shape': (-3,)}",
            b"{'descr': '<f4', 'fortran_order': False, 'shape': (3,",
            b"[1, 2]",
        ] {
            assert!(
                parse_header(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
