//! # jaxide: JAX for Rust
//!
//! NumPy-style immutable arrays plus the machinery for JAX's composable
//! transformations. Every array operation goes through one primitive
//! [`bind`](core::trace::bind) and a per-thread trace stack; eager execution
//! is the trace stack's bottom level running primitives on the CPU backend.
//!
//! ```
//! use jaxide::numpy as jnp;
//! let x = jnp::arange(10);
//! assert_eq!(format!("{x}"), "[0 1 2 3 4 5 6 7 8 9]");
//! ```
//!
//! Layers (dependencies point down):
//! `numpy` → `lax` → `core` ← `interpreters`; `lax` rules call `backend`
//! kernels; `runtime` runs them asynchronously. See `docs/ARCHITECTURE.md`.

// Lets `#[derive(PyTree)]`'s `::jaxide::...` paths resolve inside this crate.
extern crate self as jaxide;

pub mod backend;
pub mod compiler;
pub mod config;
pub mod core;
pub mod data;
pub mod interpreters;
pub mod io;
pub mod ir;
pub mod lax;
pub mod nn;
pub mod numpy;
pub mod optim;
pub mod prelude;
pub mod printing;
pub mod random;
pub mod runtime;
pub mod scipy;
pub mod test_util;
pub mod transforms;
pub mod tree;

pub use crate::backend::cpu::allocator;
pub use crate::core::array::Array;
pub use crate::core::dtype::DType;
