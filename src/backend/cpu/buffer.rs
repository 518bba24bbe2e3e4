//! `Buffer`: an owned, 64-byte-aligned block of host memory, from the
//! caching allocator or (for memory-mapped `.npy` loading) a private
//! copy-on-write mapping of a file.

use super::allocator::{self, OutOfMemory};
use crate::core::element::Pod;
use std::ptr::NonNull;

/// Owned host memory holding `len_bytes` initialized bytes.
///
/// The memory comes from the caching allocator (`cap > 0`), is empty
/// (`cap == 0`, dangling pointer), or is a private copy-on-write mapping of
/// a file (`mapping` is set, `cap == 0`). A mapped buffer is never given
/// to the allocator: dropping it unmaps it. Writes to it (an op reusing a
/// donated buffer in place) copy the touched pages and never reach the
/// file.
pub struct Buffer {
    ptr: NonNull<u8>,
    len_bytes: usize,
    cap: usize,
    mapping: Option<Box<memmap2::MmapMut>>,
}

// SAFETY: a Buffer uniquely owns its memory; shared access is read-only
// through `&self`, mutation needs `&mut self`.
unsafe impl Send for Buffer {}
// SAFETY: see above; `&Buffer` only hands out shared slices.
unsafe impl Sync for Buffer {}

impl Buffer {
    /// A buffer of `len_bytes` bytes whose contents are unspecified but initialized.
    ///
    /// Panics with JAX's `RESOURCE_EXHAUSTED: Out of memory allocating N bytes.`
    /// when the memory is not available; on the compute stream that panic
    /// becomes the array's error at the next sync point.
    pub fn new(len_bytes: usize) -> Buffer {
        Buffer::try_new(len_bytes).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Like [`Buffer::new`], returning the allocation failure.
    pub fn try_new(len_bytes: usize) -> Result<Buffer, OutOfMemory> {
        if len_bytes == 0 {
            return Ok(Buffer {
                ptr: NonNull::<u64>::dangling().cast(),
                len_bytes: 0,
                cap: 0,
                mapping: None,
            });
        }
        let (ptr, cap) = allocator::allocate(len_bytes)?;
        Ok(Buffer {
            ptr,
            len_bytes,
            cap,
            mapping: None,
        })
    }

    /// A buffer holding the whole of a private (copy-on-write) file
    /// mapping, such as [`memmap2::MmapOptions::map_copy`] returns. Returns
    /// the mapping back when it is empty or not 64-byte aligned, as every
    /// buffer must be.
    pub fn from_private_mapping(mut map: memmap2::MmapMut) -> Result<Buffer, memmap2::MmapMut> {
        let len_bytes = map.len();
        let Some(ptr) = NonNull::new(map.as_mut_ptr()) else {
            return Err(map);
        };
        if len_bytes == 0 || !(ptr.as_ptr() as usize).is_multiple_of(allocator::ALIGN) {
            return Err(map);
        }
        Ok(Buffer {
            ptr,
            len_bytes,
            cap: 0,
            mapping: Some(Box::new(map)),
        })
    }

    /// Whether the memory is a mapping of a file (see
    /// [`crate::io::load_mmap`]) rather than allocator memory.
    pub fn is_file_mapped(&self) -> bool {
        self.mapping.is_some()
    }

    /// A buffer holding `n` elements of `T`.
    pub fn for_elements<T: Pod>(n: usize) -> Buffer {
        Buffer::for_items(n, std::mem::size_of::<T>())
    }

    /// A buffer holding `n` elements of `dtype`.
    pub fn for_dtype(n: usize, dtype: crate::core::dtype::DType) -> Buffer {
        Buffer::for_items(n, dtype.size_of())
    }

    /// A buffer holding `n` items of `item_bytes` bytes each. The byte count
    /// is checked: one that overflows is reported as out of memory, never
    /// wrapped.
    pub fn for_items(n: usize, item_bytes: usize) -> Buffer {
        match n.checked_mul(item_bytes) {
            Some(bytes) => Buffer::new(bytes),
            None => panic!(
                "{}",
                OutOfMemory {
                    bytes: n as u128 * item_bytes as u128
                }
            ),
        }
    }

    /// A buffer holding a copy of `data`.
    pub fn from_slice<T: Pod>(data: &[T]) -> Buffer {
        let mut b = Buffer::for_elements::<T>(data.len());
        b.as_mut_slice::<T>().copy_from_slice(data);
        b
    }

    /// Length in bytes.
    pub fn len_bytes(&self) -> usize {
        self.len_bytes
    }

    /// Views the contents as elements of `T`.
    pub fn as_slice<T: Pod>(&self) -> &[T] {
        let n = self.len_bytes / std::mem::size_of::<T>();
        debug_assert_eq!(n * std::mem::size_of::<T>(), self.len_bytes);
        // SAFETY: ptr is 64-byte aligned (or dangling-but-aligned for len 0), the
        // memory is initialized (allocator memory, or a file mapping that
        // covers len_bytes and lives as long as self), and every bit
        // pattern is a valid `T: Pod`.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr() as *const T, n) }
    }

    /// Views the contents mutably as elements of `T`.
    pub fn as_mut_slice<T: Pod>(&mut self) -> &mut [T] {
        let n = self.len_bytes / std::mem::size_of::<T>();
        debug_assert_eq!(n * std::mem::size_of::<T>(), self.len_bytes);
        // SAFETY: as in `as_slice`, and `&mut self` guarantees exclusive access.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr() as *mut T, n) }
    }

    /// The raw bytes.
    pub fn bytes(&self) -> &[u8] {
        self.as_slice::<u8>()
    }
}

impl Clone for Buffer {
    /// A copy of the bytes in a fresh buffer.
    fn clone(&self) -> Buffer {
        Buffer::from_slice(self.bytes())
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        // A mapped buffer has cap 0: its mapping (dropped with the field)
        // unmaps it; it never reaches the allocator.
        debug_assert!(self.mapping.is_none() || self.cap == 0);
        if self.cap > 0 {
            // SAFETY: ptr/cap came from allocator::allocate and are dropped once.
            unsafe { allocator::release(self.ptr, self.cap) };
        }
    }
}

impl std::fmt::Debug for Buffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Buffer({} bytes)", self.len_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_typed_data() {
        let b = Buffer::from_slice(&[1.0f32, 2.0, 3.0]);
        assert_eq!(b.as_slice::<f32>(), &[1.0, 2.0, 3.0]);
        assert_eq!(b.len_bytes(), 12);
        assert_eq!(b.as_slice::<f32>().as_ptr() as usize % 64, 0);
        let e = Buffer::new(0);
        assert!(e.as_slice::<f64>().is_empty());
    }

    /// A private mapping of a temporary file holding `bytes`.
    fn mapping_of(tag: &str, bytes: &[u8]) -> (std::path::PathBuf, memmap2::MmapMut) {
        let path =
            std::env::temp_dir().join(format!("jaxide_buffer_{tag}_{}.bin", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        // SAFETY: a private mapping of a file only this test touches; it is
        // not truncated while mapped.
        let map = unsafe { memmap2::MmapOptions::new().map_copy(&file).unwrap() };
        (path, map)
    }

    #[test]
    #[cfg_attr(miri, ignore)] // Miri cannot map files
    fn mapped_buffers_copy_on_write_and_never_reach_the_allocator() {
        let data: Vec<u8> = (0..3 * 4096 + 100).map(|i| i as u8).collect();
        let (path, map) = mapping_of("cow", &data);
        let mut b = Buffer::from_private_mapping(map).unwrap();
        assert!(b.is_file_mapped());
        assert_eq!(b.bytes(), &data[..]);
        let addr = b.bytes().as_ptr() as usize;
        assert_eq!(addr % 64, 0);
        // Writing goes to private pages, not to the file.
        b.as_mut_slice::<u8>()[5000] = 0xAB;
        assert_eq!(b.bytes()[5000], 0xAB);
        assert_eq!(std::fs::read(&path).unwrap(), data);
        // A clone is ordinary allocator memory.
        let c = b.clone();
        assert!(!c.is_file_mapped());
        assert_eq!(c.bytes(), b.bytes());
        drop(b);
        assert!(!allocator::is_cached(addr));
        std::fs::remove_file(&path).unwrap();
        // A mapping that is not 64-byte aligned is refused (and given back).
        let (path, _) = mapping_of("misaligned", &data);
        let file = std::fs::File::open(&path).unwrap();
        // SAFETY: as in `mapping_of`.
        let map = unsafe {
            memmap2::MmapOptions::new()
                .offset(16)
                .map_copy(&file)
                .unwrap()
        };
        let map = Buffer::from_private_mapping(map).unwrap_err();
        assert_eq!(map[0], 16);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn overflowing_byte_counts_are_out_of_memory_not_wrapped() {
        let r = std::panic::catch_unwind(|| Buffer::for_items(1 << 62, 8));
        let msg = *r.unwrap_err().downcast::<String>().unwrap();
        assert_eq!(
            msg,
            "RESOURCE_EXHAUSTED: Out of memory allocating 36893488147419103232 bytes."
        );
        assert!(Buffer::try_new(usize::MAX).is_err());
    }
}
