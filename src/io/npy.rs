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
use std::io::Write;
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
struct Descr {
    dtype: DType,
    big_endian: bool,
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
struct Header {
    descr: Descr,
    fortran_order: bool,
    shape: Vec<usize>,
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

/// Splits a `.npy` file's bytes into its header and data.
fn split(bytes: &[u8]) -> Result<(Header, &[u8]), NpyError> {
    if bytes.len() < MAGIC.len() + 2 || &bytes[..MAGIC.len()] != MAGIC {
        return Err(NpyError::BadMagic);
    }
    let (major, minor) = (bytes[6], bytes[7]);
    let (len_bytes, utf8) = match (major, minor) {
        (1, 0) => (2, false),
        (2, 0) => (4, false),
        (3, 0) => (4, true),
        _ => return Err(NpyError::UnsupportedVersion(major, minor)),
    };
    let start = 8 + len_bytes;
    let len_field = bytes
        .get(8..start)
        .ok_or_else(|| NpyError::BadHeader("the header length is cut off".into()))?;
    let header_len = len_field
        .iter()
        .rev()
        .fold(0usize, |acc, &b| (acc << 8) | b as usize);
    if header_len > MAX_HEADER {
        return Err(NpyError::BadHeader(format!(
            "header of {header_len} bytes is longer than the {MAX_HEADER} accepted"
        )));
    }
    let text = bytes
        .get(start..start + header_len)
        .ok_or_else(|| NpyError::BadHeader("the header is cut off".into()))?;
    if !utf8 && !text.is_ascii() {
        return Err(NpyError::BadHeader(
            "a version 1/2 header must be ASCII".into(),
        ));
    }
    Ok((parse_header(text)?, &bytes[start + header_len..]))
}

/// Decodes a `.npy` file's bytes into an array.
///
/// 64-bit dtypes become 32-bit without x64, as `jnp.asarray(np.load(f))`
/// does.
pub fn from_npy_bytes(bytes: &[u8]) -> Result<Array, NpyError> {
    let (h, data) = split(bytes)?;
    let dtype = h.descr.dtype;
    let item = dtype.size_of();
    let count = h
        .shape
        .iter()
        .try_fold(1u128, |acc, &d| acc.checked_mul(d as u128))
        .unwrap_or(u128::MAX);
    let expected = count.saturating_mul(item as u128);
    if (data.len() as u128) < expected {
        return Err(NpyError::Truncated {
            expected,
            actual: data.len() as u64,
        });
    }
    let n_bytes = expected as usize;
    let mut buf = Buffer::try_new(n_bytes)?;
    {
        let out = buf.as_mut_slice::<u8>();
        out.copy_from_slice(&data[..n_bytes]);
        if dtype == DType::Bool {
            // NumPy bools are 0/1 bytes; anything nonzero is true.
            out.iter_mut().for_each(|b| *b = (*b != 0) as u8);
        }
        if h.descr.big_endian {
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
        Array::from_storage(buf, Shape::from(h.shape), dtype, false)
    };
    let canonical = crate::core::promotion::canonicalize(dtype, crate::config::enable_x64());
    Ok(crate::lax::convert_element_type(&x, canonical))
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
    let bytes = std::fs::read(path)?;
    from_npy_bytes(&bytes)
}

/// Encodes an array as `.npy` bytes, as `np.save` writes them.
pub fn to_npy_bytes(x: &Array) -> Result<Vec<u8>, NpyError> {
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
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    // Pad with spaces and end with '\n' so that the data starts at a
    // multiple of 64 bytes (NumPy's ARRAY_ALIGN).
    let (version, len_bytes) = if header.len() + 1 + 10 <= u16::MAX as usize {
        (1u8, 2)
    } else {
        (2u8, 4)
    };
    let total = 8 + len_bytes + header.len() + 1;
    header.push_str(&" ".repeat(total.next_multiple_of(64) - total));
    header.push('\n');
    let data = x.buffer("saving an array");
    let mut out = Vec::with_capacity(8 + len_bytes + header.len() + data.len_bytes());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[version, 0]);
    let hl = header.len() as u32;
    out.extend_from_slice(&hl.to_le_bytes()[..len_bytes]);
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data.bytes());
    Ok(out)
}

/// Saves an array as `.npy` (`jnp.save`). The file is written to a
/// temporary name next to `path` and renamed over it, so a reader never
/// sees a half-written file.
pub fn save(path: impl AsRef<Path>, x: &Array) -> Result<(), NpyError> {
    let bytes = to_npy_bytes(x)?;
    write_atomically(path.as_ref(), &bytes)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), NpyError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    Ok(written?)
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
