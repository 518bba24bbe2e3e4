//! Interpreters: each gives meaning to `bind`. Only eval (eager) exists so
//! far; jvp, partial evaluation, transpose, batching and staging follow.

pub mod eval;
