//! A caching buffer allocator: freed buffers are kept by size class and reused,
//! and large buffers are mapped with transparent huge pages.
//!
//! Fresh 40 MB arrays otherwise spend most of their time in page faults. Size
//! classes are powers of two split into four steps (at most 25% slack). The
//! cache holds at most [`cache_limit_bytes`] (2 GiB unless
//! `JAXIDE_ALLOCATOR_CACHE_BYTES` says otherwise); beyond that freed memory
//! goes back to the operating system, and [`trim`] frees the whole cache.
//!
//! Allocation is fallible: when the system refuses, the cache is trimmed and
//! the request retried once, and then [`OutOfMemory`] is returned. Nothing
//! here aborts the process.

use std::alloc::Layout;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Alignment of every buffer, enough for any SIMD load.
pub const ALIGN: usize = 64;
/// Buffers of at least this many bytes are mmapped with `MADV_HUGEPAGE`.
pub const HUGE_THRESHOLD: usize = 1 << 21;
/// The default most freed memory kept for reuse.
pub const DEFAULT_CACHE_LIMIT_BYTES: usize = 2 << 30;

/// The most freed memory kept for reuse: `JAXIDE_ALLOCATOR_CACHE_BYTES` (a
/// byte count; `0` disables the cache) or [`DEFAULT_CACHE_LIMIT_BYTES`].
pub fn cache_limit_bytes() -> usize {
    static LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        let Ok(v) = std::env::var("JAXIDE_ALLOCATOR_CACHE_BYTES") else {
            return DEFAULT_CACHE_LIMIT_BYTES;
        };
        v.trim().parse::<usize>().unwrap_or_else(|_| {
            crate::config::warn_bad_env(
                "JAXIDE_ALLOCATOR_CACHE_BYTES",
                &v,
                "a byte count such as 1073741824 (0 disables the cache)",
            );
            DEFAULT_CACHE_LIMIT_BYTES
        })
    })
}

/// A refused allocation: JAX's `RESOURCE_EXHAUSTED` error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("RESOURCE_EXHAUSTED: Out of memory allocating {bytes} bytes.")]
pub struct OutOfMemory {
    /// The size requested (exact, even when it exceeds `usize`).
    pub bytes: u128,
}

const NUM_CLASSES: usize = 4 * 64;

/// The size class of a request and the capacity it rounds up to.
pub fn size_class(bytes: usize) -> (usize, usize) {
    let bytes = bytes.max(ALIGN);
    let log = usize::BITS as usize - 1 - bytes.leading_zeros() as usize;
    if log < 2 {
        return (0, ALIGN);
    }
    let base = 1usize << log;
    let step = base / 4;
    let sub = (bytes - base).div_ceil(step); // 0..=4
    let cap = base + sub * step;
    let class = log * 4 + sub;
    (class.min(NUM_CLASSES - 1), cap)
}

struct Pool {
    classes: Vec<Mutex<Vec<usize>>>,
    cached_bytes: AtomicUsize,
}

fn pool() -> &'static Pool {
    static POOL: std::sync::OnceLock<Pool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| Pool {
        classes: (0..NUM_CLASSES).map(|_| Mutex::new(Vec::new())).collect(),
        cached_bytes: AtomicUsize::new(0),
    })
}

/// Most smallest-class (64-byte) buffers a thread keeps without locking.
const LOCAL_LIMIT: usize = 256;

/// A per-thread stack of free 64-byte buffers: scalars in jitted loops are
/// allocated and freed every iteration, and the shared pool's lock dominated.
struct LocalSmall(Vec<usize>);

impl Drop for LocalSmall {
    fn drop(&mut self) {
        for addr in self.0.drain(..) {
            // SAFETY: cached addresses came from system_alloc(ALIGN).
            unsafe { system_free(NonNull::new(addr as *mut u8).unwrap(), ALIGN) };
        }
    }
}

thread_local! {
    static LOCAL_SMALL: std::cell::RefCell<LocalSmall> =
        const { std::cell::RefCell::new(LocalSmall(Vec::new())) };
}

/// Allocates `bytes` (rounded up to its class). The memory is initialized:
/// either zeroed by the system or left over from an earlier buffer. When the
/// system refuses, the cache is trimmed and the request retried once.
pub fn allocate(bytes: usize) -> Result<(NonNull<u8>, usize), OutOfMemory> {
    let too_big = OutOfMemory {
        bytes: bytes as u128,
    };
    // Requests near usize::MAX would overflow their size class.
    if bytes > isize::MAX as usize / 2 {
        return Err(too_big);
    }
    let (class, cap) = size_class(bytes);
    if cap == ALIGN {
        let local = LOCAL_SMALL
            .try_with(|l| l.borrow_mut().0.pop())
            .ok()
            .flatten();
        if let Some(addr) = local {
            return Ok((NonNull::new(addr as *mut u8).unwrap(), cap));
        }
    }
    let p = pool();
    if let Some(addr) = p.classes[class].lock().unwrap().pop() {
        p.cached_bytes.fetch_sub(cap, Ordering::Relaxed);
        // The address came from `system_alloc` and was non-null.
        return Ok((NonNull::new(addr as *mut u8).unwrap(), cap));
    }
    if let Some(ptr) = system_alloc(cap) {
        return Ok((ptr, cap));
    }
    trim();
    system_alloc(cap).map(|ptr| (ptr, cap)).ok_or(too_big)
}

/// Returns a buffer from [`allocate`] to the cache (or to the system if the
/// cache is full).
///
/// # Safety
/// `ptr` and `cap` must come from one call of [`allocate`] and the buffer must
/// not be used afterwards.
pub unsafe fn release(ptr: NonNull<u8>, cap: usize) {
    let (class, class_cap) = size_class(cap);
    debug_assert_eq!(class_cap, cap);
    if cap == ALIGN {
        let kept = LOCAL_SMALL
            .try_with(|l| {
                let mut l = l.borrow_mut();
                let room = l.0.len() < LOCAL_LIMIT;
                if room {
                    l.0.push(ptr.as_ptr() as usize);
                }
                room
            })
            .unwrap_or(false);
        if kept {
            return;
        }
    }
    let p = pool();
    if p.cached_bytes.load(Ordering::Relaxed) + cap <= cache_limit_bytes() {
        p.cached_bytes.fetch_add(cap, Ordering::Relaxed);
        p.classes[class].lock().unwrap().push(ptr.as_ptr() as usize);
    } else {
        // SAFETY: forwarded from the caller's contract.
        unsafe { system_free(ptr, cap) };
    }
}

/// Frees every cached buffer back to the operating system.
pub fn trim() {
    let p = pool();
    for (class, slot) in p.classes.iter().enumerate() {
        let drained: Vec<usize> = std::mem::take(&mut *slot.lock().unwrap());
        for addr in drained {
            let cap = class_capacity(class);
            p.cached_bytes.fetch_sub(cap, Ordering::Relaxed);
            // SAFETY: cached addresses came from system_alloc(cap) for this class.
            unsafe { system_free(NonNull::new(addr as *mut u8).unwrap(), cap) };
        }
    }
}

/// Whether the address is held in the shared cache or this thread's
/// small-buffer stack (for tests).
#[cfg(test)]
pub(crate) fn is_cached(addr: usize) -> bool {
    let local = LOCAL_SMALL
        .try_with(|l| l.borrow().0.contains(&addr))
        .unwrap_or(false);
    local
        || pool()
            .classes
            .iter()
            .any(|c| c.lock().unwrap().contains(&addr))
}

/// Bytes currently held in the cache.
pub fn cached_bytes() -> usize {
    pool().cached_bytes.load(Ordering::Relaxed)
}

fn class_capacity(class: usize) -> usize {
    if class < 8 {
        return ALIGN;
    }
    let log = class / 4;
    let sub = class % 4;
    let base = 1usize << log;
    base + sub * (base / 4)
}

/// Fresh zeroed memory from the system, or `None` when it refuses.
fn system_alloc(cap: usize) -> Option<NonNull<u8>> {
    if cap >= HUGE_THRESHOLD {
        // SAFETY: an anonymous private mapping with no address hint; the result
        // is checked for MAP_FAILED before use.
        unsafe {
            let ptr = libc::mmap(
                std::ptr::null_mut(),
                cap,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            if ptr == libc::MAP_FAILED {
                return None;
            }
            // A hint only; Miri has no shim for it.
            #[cfg(not(miri))]
            libc::madvise(ptr, cap, libc::MADV_HUGEPAGE);
            NonNull::new(ptr as *mut u8)
        }
    } else {
        let layout = Layout::from_size_align(cap, ALIGN).ok()?;
        // SAFETY: layout has non-zero size (cap >= ALIGN).
        NonNull::new(unsafe { std::alloc::alloc_zeroed(layout) })
    }
}

/// # Safety
/// `ptr` must come from `system_alloc(cap)` and not be used afterwards.
unsafe fn system_free(ptr: NonNull<u8>, cap: usize) {
    if cap >= HUGE_THRESHOLD {
        // SAFETY: the mapping was created by mmap with exactly `cap` bytes.
        unsafe { libc::munmap(ptr.as_ptr() as *mut libc::c_void, cap) };
    } else {
        // SAFETY: allocated by alloc_zeroed with this layout.
        unsafe { std::alloc::dealloc(ptr.as_ptr(), Layout::from_size_align(cap, ALIGN).unwrap()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_round_up_with_bounded_slack() {
        for bytes in [1usize, 64, 65, 100, 1000, 4096, 5000, 1 << 20, 40_000_000] {
            let (class, cap) = size_class(bytes);
            assert!(cap >= bytes);
            assert!(cap as f64 <= (bytes.max(ALIGN) as f64) * 1.25 + 1.0);
            assert_eq!(class_capacity(class), cap, "bytes {bytes}");
            assert_eq!(size_class(cap), (class, cap));
        }
    }

    #[test]
    fn impossible_requests_are_errors_not_aborts() {
        for bytes in [usize::MAX, isize::MAX as usize, 1 << 62] {
            let err = allocate(bytes).unwrap_err();
            assert_eq!(err.bytes, bytes as u128);
            assert_eq!(
                err.to_string(),
                format!("RESOURCE_EXHAUSTED: Out of memory allocating {bytes} bytes.")
            );
        }
        // 2^47 bytes is a valid request that no test machine can map (Miri
        // reports it as its own resource exhaustion instead).
        if !cfg!(miri) {
            assert!(allocate(1 << 47).is_err());
        }
    }

    #[test]
    fn reuse_returns_cached_memory() {
        let (p, cap) = allocate(3 << 20).unwrap();
        // SAFETY: p points to cap writable bytes.
        unsafe { p.as_ptr().write_bytes(7, cap) };
        // SAFETY: p/cap from allocate, not used afterwards.
        unsafe { release(p, cap) };
        let (q, cap2) = allocate(3 << 20).unwrap();
        assert_eq!(cap, cap2);
        // SAFETY: q points to cap2 initialized bytes.
        let first = unsafe { *q.as_ptr() };
        // Either we got the cached buffer back (holding 7s) or another thread took it.
        assert!(first == 7 || first == 0);
        // SAFETY: as above.
        unsafe { release(q, cap2) };
    }
}
