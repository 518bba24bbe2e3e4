//! Interpreters: eval (eager), jvp, partial evaluation, and transposition,
//! composed in `ad` into linearize and vjp.

pub mod ad;
pub mod batching;
pub mod jvp;
pub mod partial_eval;
pub mod staging;
pub mod transpose;
