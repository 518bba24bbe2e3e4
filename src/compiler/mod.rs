//! The compiler: staged jaxpr → simplified jaxpr → fusion plan → executable.
//!
//! | stage | file |
//! |---|---|
//! | negative-index wraps folded into gathers/scatters | `index_wrap.rs` |
//! | DCE, CSE, constant folding, algebraic identities, layout rewrites around `dot_general` | `simplify.rs` |
//! | fusion plan: elementwise runs (and a closing reduction) into blockwise kernels | `fusion.rs` |
//! | execution plan (liveness, buffer release, in-place updates, zero-copy reshapes) and runner | `executable.rs` |
//! | loops and branches on buffers (carries passed as owned buffers) | `control.rs` |
//!
//! Kernels run on the CPU backend; a typed kernel IR with a native-code
//! tier is issue 15.

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
