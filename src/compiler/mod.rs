//! The compiler: staged jaxpr → simplified jaxpr → fusion plan → executable.
//!
//! | stage | file |
//! |---|---|
//! | negative-index wraps folded into gathers/scatters | `index_wrap.rs` |
//! | DCE, CSE, constant folding, algebraic identities, layout rewrites around `dot_general` | `simplify.rs` |
//! | fusion plan: elementwise runs (and a closing reduction) into blockwise kernels | `fusion.rs` |
//! | execution plan (liveness, buffer release, in-place updates, zero-copy reshapes) and runner | `executable.rs` |
//! | loops and branches on buffers, the compiled-body cache, loop tiers | `control.rs` |
//! | `while`/`scan` lowered to typed loop programs for the native tier | `native_loop.rs` |
//! | non-f32 elementwise chains (integer index math) as native kernels | `native_fusion.rs` |
//! | runs of small-array equations (≤ 16 elements) as straight-line native kernels | `native_small.rs` |
//! | the background compile thread (native code swapped in when ready) | `background.rs` |
//!
//! Kernels run on the CPU backend; loops that lower to the typed IR
//! (`crate::ir::typed`) also run as machine code (`backend::cpu::native`).

pub(crate) mod background;
pub mod control;
pub mod executable;
pub mod fusion;
pub mod index_wrap;
pub mod native_fusion;
pub(crate) mod native_loop;
pub(crate) mod native_small;
pub mod simplify;

pub use executable::Executable;
pub use simplify::simplify;

use crate::core::jaxpr::ClosedJaxpr;

/// Simplifies and plans `jaxpr` for the CPU backend.
pub fn compile(jaxpr: &ClosedJaxpr) -> Executable {
    Executable::new(&simplify(jaxpr))
}
