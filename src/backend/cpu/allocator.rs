//! A caching buffer allocator: freed buffers are kept by size class and reused,
//! and large buffers are mapped with transparent huge pages.
//!
//! Fresh 40 MB arrays otherwise spend most of their time in page faults. Size
//! classes are powers of two split into four steps (at most 25% slack). The
//! cache holds at most [`CACHE_LIMIT_BYTES`]; beyond that freed memory goes
//! back to the operating system.

use std::alloc::Layout;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Alignment of every buffer, enough for any SIMD load.
pub const ALIGN: usize = 64;
/// Buffers of at least this many bytes are mmapped with `MADV_HUGEPAGE`.
pub const HUGE_THRESHOLD: usize = 1 << 21;
/// The most freed memory kept for reuse.
pub const CACHE_LIMIT_BYTES: usize = 2 << 30;

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
/// either zeroed by the system or left over from an earlier buffer.
pub fn allocate(bytes: usize) -> (NonNull<u8>, usize) {
    let (class, cap) = size_class(bytes);
    if cap == ALIGN {
        let local = LOCAL_SMALL
            .try_with(|l| l.borrow_mut().0.pop())
            .ok()
            .flatten();
        if let Some(addr) = local {
            return (NonNull::new(addr as *mut u8).unwrap(), cap);
        }
    }
    let p = pool();
    if let Some(addr) = p.classes[class].lock().unwrap().pop() {
        p.cached_bytes.fetch_sub(cap, Ordering::Relaxed);
        // The address came from `system_alloc` and was non-null.
        return (NonNull::new(addr as *mut u8).unwrap(), cap);
    }
    (system_alloc(cap), cap)
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
    if p.cached_bytes.load(Ordering::Relaxed) + cap <= CACHE_LIMIT_BYTES {
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

fn system_alloc(cap: usize) -> NonNull<u8> {
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
                std::alloc::handle_alloc_error(Layout::from_size_align(cap, ALIGN).unwrap());
            }
            libc::madvise(ptr, cap, libc::MADV_HUGEPAGE);
            NonNull::new(ptr as *mut u8).unwrap()
        }
    } else {
        let layout = Layout::from_size_align(cap, ALIGN).unwrap();
        // SAFETY: layout has non-zero size (cap >= ALIGN).
        let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
        NonNull::new(ptr).unwrap_or_else(|| std::alloc::handle_alloc_error(layout))
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
    fn reuse_returns_cached_memory() {
        let (p, cap) = allocate(3 << 20);
        // SAFETY: p points to cap writable bytes.
        unsafe { p.as_ptr().write_bytes(7, cap) };
        // SAFETY: p/cap from allocate, not used afterwards.
        unsafe { release(p, cap) };
        let (q, cap2) = allocate(3 << 20);
        assert_eq!(cap, cap2);
        // SAFETY: q points to cap2 initialized bytes.
        let first = unsafe { *q.as_ptr() };
        // Either we got the cached buffer back (holding 7s) or another thread took it.
        assert!(first == 7 || first == 0);
        // SAFETY: as above.
        unsafe { release(q, cap2) };
    }
}
