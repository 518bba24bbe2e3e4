//! The CPU backend: buffers, a caching allocator, pinned worker threads and
//! vectorized kernels with runtime ISA dispatch (AVX-512, AVX2+FMA, scalar).

pub mod allocator;
pub mod buffer;
pub mod fused;
pub mod kernels;
pub mod math;
pub mod native;
pub mod simd;
pub mod threads;
