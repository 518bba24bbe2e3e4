//! Control flow as primitives: `cond` (and `switch`), `while`, and `scan`
//! (which `fori_loop` with static bounds uses). Each carries its bodies as
//! [`SubJaxpr`]s; every value a body closes over is hoisted into an explicit
//! operand, so transformations see it.
//!
//! | piece | file |
//! |---|---|
//! | `cond` primitive and its rules | `cond.rs` |
//! | `while` primitive and its rules | `while_loop.rs` |
//! | `scan` primitive and its rules | `scan.rs` |
//! | the user API (`lax::cond`, `switch`, `while_loop`, `fori_loop`, `scan`) | `api.rs` |
//! | jaxpr surgery shared by the rules | `jaxpr_util.rs` |
//!
//! Running them is the compiler's job (`crate::compiler::control`, which
//! keeps each body's compiled form in its [`SubJaxpr`] slot): this module
//! holds only their rules.

pub mod api;
pub mod associative_scan;
mod batching;
pub mod cond;
pub mod jaxpr_util;
pub mod map;
pub mod scan;
pub mod while_loop;

pub use api::*;
pub use associative_scan::{associative_scan, associative_scan_with, AssociativeScanOptions};
pub use cond::Cond;
pub use map::{map, map_with, MapOptions};
pub use scan::Scan;
pub use while_loop::While;

use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::jaxpr::Jaxpr;
use std::any::Any;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

/// A body of a control-flow primitive: a jaxpr without constants (they are
/// operands of the primitive). It keeps one slot for whatever the compiler
/// makes of it (filled on first execution), so a body is compiled once.
/// Equality and hashing are by identity.
#[derive(Clone)]
pub struct SubJaxpr(Arc<SubJaxprInner>);

struct SubJaxprInner {
    jaxpr: Jaxpr,
    compiled: OnceLock<Box<dyn Any + Send + Sync>>,
}

impl SubJaxpr {
    /// Wraps a jaxpr that has no constvars.
    pub fn new(jaxpr: Jaxpr) -> SubJaxpr {
        assert!(
            jaxpr.constvars.is_empty(),
            "internal error: a control-flow body must have its constants hoisted"
        );
        SubJaxpr(Arc::new(SubJaxprInner {
            jaxpr,
            compiled: OnceLock::new(),
        }))
    }

    /// The program.
    pub fn jaxpr(&self) -> &Jaxpr {
        &self.0.jaxpr
    }

    /// Input types.
    pub fn in_avals(&self) -> Vec<ShapedArray> {
        self.0.jaxpr.invars.iter().map(|v| v.aval.clone()).collect()
    }

    /// Output types.
    pub fn out_avals(&self) -> Vec<ShapedArray> {
        self.0
            .jaxpr
            .outvars
            .iter()
            .map(|a| a.aval().clone())
            .collect()
    }

    /// The compiler's form of this body, made by `init` on first use. The
    /// compiler always asks for the same type `T`.
    pub fn compiled<T: Any + Send + Sync>(&self, init: impl FnOnce(&Jaxpr) -> T) -> &T {
        self.0
            .compiled
            .get_or_init(|| Box::new(init(&self.0.jaxpr)))
            .downcast_ref::<T>()
            .expect("internal error: a control-flow body compiled to two types")
    }

    /// Applies the body to `args` through `bind` (traceable).
    pub fn call(&self, args: &[Array]) -> Vec<Array> {
        self.0.jaxpr.eval(&[], args)
    }
}

impl PartialEq for SubJaxpr {
    fn eq(&self, other: &SubJaxpr) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SubJaxpr {}

impl Hash for SubJaxpr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (Arc::as_ptr(&self.0) as usize).hash(state)
    }
}

impl std::fmt::Debug for SubJaxpr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.jaxpr)
    }
}

/// The sub-jaxpr printed as a parameter value: `{ lambda ; a:f32[]. let ... }`.
pub(crate) fn param_text(j: &SubJaxpr) -> String {
    j.jaxpr().to_string()
}

/// Formats a list of types for messages: `f32[3], i32[]`.
pub(crate) fn types_text(avals: &[ShapedArray]) -> String {
    avals
        .iter()
        .map(|a| a.short())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether two lists of types agree in shape and dtype (weak types may differ).
pub(crate) fn same_types(a: &[ShapedArray], b: &[&ShapedArray]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.shape == y.shape && x.dtype == y.dtype)
}
