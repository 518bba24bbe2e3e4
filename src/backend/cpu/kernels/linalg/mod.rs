//! CPU kernels for the linear-algebra primitives, on `faer`: each takes a
//! batch of contiguous row-major matrices and returns new buffers.
