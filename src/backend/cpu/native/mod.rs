//! The native-code tier: typed loop programs ([`crate::ir::typed`])
//! rendered to machine code with Cranelift at run time.
//!
//! | piece | file |
//! |---|---|
//! | a compiled loop and how to call it | `mod.rs` |
//! | the IR → Cranelift translation | `render.rs` |
//! | host functions the code calls (eager kernels on one element) | `host.rs` |
//!
//! Scalar carries live in registers for the whole loop; array carries are
//! buffers updated in place. Every load and store clamps its index into its
//! buffer, so generated code never touches memory outside the buffers it
//! was given, whatever the program computes.

mod host;
mod render;

use crate::backend::cpu::buffer::Buffer;
use crate::ir::typed::{LoopProgram, ScalarFn};
use cranelift_jit::JITModule;
use std::sync::{Arc, Mutex};

/// A one-element buffer of `dtype` holding the low bytes of `bits`.
pub fn scalar_buffer(dtype: crate::core::dtype::DType, bits: u64) -> Buffer {
    Buffer::from_slice(&bits.to_le_bytes()[..dtype.size_of()])
}

/// The element of a one-element buffer, zero-extended to 64 bits.
pub fn scalar_bits(b: &Buffer) -> u64 {
    let mut word = [0u8; 8];
    word[..b.len_bytes()].copy_from_slice(b.bytes());
    u64::from_le_bytes(word)
}

/// The generated function: `(params, carries, buffers)`.
type LoopFn = unsafe extern "C" fn(*const u64, *mut u64, *const *mut u8);

/// A buffer handed to a native loop.
pub enum BufferArg<'a> {
    /// Read only.
    Read(&'a [u8]),
    /// Read and written in place.
    Write(&'a mut [u8]),
}

impl BufferArg<'_> {
    fn len(&self) -> usize {
        match self {
            BufferArg::Read(b) => b.len(),
            BufferArg::Write(b) => b.len(),
        }
    }
}

/// A loop compiled to machine code.
pub struct NativeLoop {
    entry: LoopFn,
    /// The program it was compiled from (for checking arguments).
    program: LoopProgram,
    /// Host functions the code calls through the addresses of these
    /// elements (the vector is never changed after rendering, so its heap
    /// buffer, and with it each address, stays put).
    _calls: Vec<Arc<dyn ScalarFn>>,
    /// Owns the code's memory; freed on drop.
    module: Mutex<Option<JITModule>>,
}

impl std::fmt::Debug for NativeLoop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NativeLoop({} instructions)", self.program.insts.len())
    }
}

impl NativeLoop {
    /// Compiles `program`, or says why it cannot.
    pub fn compile(program: LoopProgram) -> Result<NativeLoop, String> {
        program.validate()?;
        let calls: Vec<Arc<dyn ScalarFn>> = program
            .insts
            .iter()
            .filter_map(|t| match &t.inst {
                crate::ir::typed::Inst::Call(f, _) => Some(f.clone()),
                _ => None,
            })
            .collect();
        let (module, addr) = render::render(&program, &calls)?;
        // SAFETY: `addr` is the finalized code of a function with exactly
        // the `LoopFn` signature (built by `render`), and `module`, which
        // owns that code, lives as long as `self`.
        let entry = unsafe { std::mem::transmute::<*const u8, LoopFn>(addr) };
        Ok(NativeLoop {
            entry,
            program,
            _calls: calls,
            module: Mutex::new(Some(module)),
        })
    }

    /// The program.
    pub fn program(&self) -> &LoopProgram {
        &self.program
    }

    /// Runs the loop. `params` and `carries` hold one value per scalar
    /// parameter and carry (little-endian bits); `carries` receives the
    /// final values. `buffers[i]` must hold `program.buffers[i].len`
    /// elements of its dtype, and be a [`BufferArg::Write`] when the
    /// program writes it.
    pub fn run(&self, params: &[u64], carries: &mut [u64], buffers: &mut [BufferArg<'_>]) {
        let p = &self.program;
        assert_eq!(params.len(), p.params.len(), "native loop: parameter count");
        assert_eq!(carries.len(), p.carries.len(), "native loop: carry count");
        assert_eq!(buffers.len(), p.buffers.len(), "native loop: buffer count");
        for (b, d) in buffers.iter().zip(&p.buffers) {
            assert_eq!(
                b.len(),
                d.len * d.dtype.size_of(),
                "native loop: buffer size"
            );
            assert!(
                !d.writable || matches!(b, BufferArg::Write(_)),
                "native loop: a written buffer passed read-only"
            );
        }
        let ptrs: smallvec::SmallVec<[*mut u8; 8]> = buffers
            .iter_mut()
            .map(|b| match b {
                // Never written: `validate` rejects stores to read-only buffers.
                BufferArg::Read(r) => r.as_ptr() as *mut u8,
                BufferArg::Write(w) => w.as_mut_ptr(),
            })
            .collect();
        // SAFETY: the argument counts and buffer sizes were checked above
        // against the program the code was generated from; the code reads
        // `params`, reads and writes `carries`, and accesses each buffer
        // only at indices clamped into its length (`render` emits the
        // clamp), writing only the writable ones, which were checked to be
        // `Write` arguments the caller lends exclusively.
        unsafe { (self.entry)(params.as_ptr(), carries.as_mut_ptr(), ptrs.as_ptr()) };
        host::resume_panic();
    }
}

/// A pointer that may cross to a worker thread (see `run_elementwise`).
#[derive(Copy, Clone)]
struct SendPtr(*mut u8);
// SAFETY: the pointers are only dereferenced by generated code under the
// disjointness argument of `run_elementwise`.
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}

impl NativeLoop {
    /// Runs an elementwise range program ([`LoopProgram::is_elementwise`])
    /// over `0..n`, split into `parts` contiguous ranges run on the worker
    /// threads. `params` are the program's parameters (the range bounds are
    /// filled in per part); returns each part's final carries, in order.
    pub fn run_elementwise(
        &self,
        n: usize,
        parts: usize,
        params: &[u64],
        carries: &[u64],
        buffers: &mut [BufferArg<'_>],
    ) -> Vec<Vec<u64>> {
        let p = &self.program;
        let crate::ir::typed::LoopKind::Range { start, end } = p.kind else {
            panic!("run_elementwise needs a range loop");
        };
        assert!(
            p.is_elementwise(),
            "run_elementwise needs an elementwise program"
        );
        assert_eq!(params.len(), p.params.len(), "native loop: parameter count");
        assert_eq!(carries.len(), p.carries.len(), "native loop: carry count");
        assert_eq!(buffers.len(), p.buffers.len(), "native loop: buffer count");
        for (b, d) in buffers.iter().zip(&p.buffers) {
            assert_eq!(
                b.len(),
                d.len * d.dtype.size_of(),
                "native loop: buffer size"
            );
            assert!(d.len >= n, "native loop: buffer shorter than the range");
            assert!(
                !d.writable || matches!(b, BufferArg::Write(_)),
                "native loop: a written buffer passed read-only"
            );
        }
        let ptrs: Vec<SendPtr> = buffers
            .iter_mut()
            .map(|b| match b {
                BufferArg::Read(r) => SendPtr(r.as_ptr() as *mut u8),
                BufferArg::Write(w) => SendPtr(w.as_mut_ptr()),
            })
            .collect();
        let parts = parts.clamp(1, n.max(1));
        let chunk = n.div_ceil(parts);
        let out = crate::backend::cpu::threads::map_parts(parts, |i| {
            let (lo, hi) = ((i * chunk).min(n), ((i + 1) * chunk).min(n));
            let mut params = params.to_vec();
            params[start] = lo as u64;
            params[end] = hi as u64;
            let mut carries = carries.to_vec();
            let raw: Vec<*mut u8> = ptrs.iter().map(|p| p.0).collect();
            // SAFETY: as in `run` for counts, sizes and clamped indices. The
            // parts run at once, but the program is elementwise (checked
            // above): each part loads and stores only at indices in its
            // own range `lo..hi`, and never loads a buffer that is written,
            // so no element is written by two parts or read while written.
            unsafe { (self.entry)(params.as_ptr(), carries.as_mut_ptr(), raw.as_ptr()) };
            host::resume_panic();
            carries
        });
        out
    }
}

impl Drop for NativeLoop {
    fn drop(&mut self) {
        if let Some(module) = self.module.lock().ok().and_then(|mut m| m.take()) {
            // SAFETY: `self` is being dropped, so no `run` of this loop is in
            // progress and its entry pointer is never called again.
            unsafe { module.free_memory() };
        }
    }
}

#[cfg(test)]
mod tests;
