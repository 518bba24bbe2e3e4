//! The compiler: staged jaxpr → simplified jaxpr → executable.
//!
//! | stage | file |
//! |---|---|
//! | DCE, CSE, constant folding, algebraic identities | `simplify.rs` |
//! | execution plan (liveness, buffer release, in-place updates) and runner | `executable.rs` |
//! | loops and branches on buffers (carries passed as owned buffers) | `control.rs` |
//!
//! Fusion into blockwise kernels and in-place memory planning come next
//! (issue 4); the executable already runs without any tracing overhead.

pub mod control;
pub mod executable;
pub mod fusion;
pub mod index_wrap;
pub mod simplify;

pub use executable::Executable;
pub use simplify::simplify;

use crate::core::jaxpr::ClosedJaxpr;

/// Simplifies and plans `jaxpr` for the CPU backend.
pub fn compile(jaxpr: &ClosedJaxpr) -> Executable {
    Executable::new(&simplify(jaxpr))
}
