//! Backends: where kernels run. They know shapes, dtypes and kernel ops, and
//! nothing of tracing. Only the CPU backend exists so far.

pub mod cpu;
