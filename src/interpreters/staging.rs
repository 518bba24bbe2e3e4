//! Staging: tracing a function with abstract inputs into a closed jaxpr.
//! This is jit's (and `make_jaxpr`'s) front end: a partial-evaluation trace
//! pushed as the *dynamic* trace, so every primitive bound while it is
//! innermost is recorded, including ops on concrete arrays the function
//! closes over (they become constants).

use super::partial_eval::PartialEvalTrace;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::jaxpr::ClosedJaxpr;
use crate::core::trace::with_main_trace;

/// Traces the flat function `f` on abstract inputs of types `in_avals`.
/// `name` is the transformation named in error messages (`"jit"`).
pub fn trace_to_jaxpr(
    name: &'static str,
    f: &dyn Fn(&[Array]) -> Vec<Array>,
    in_avals: &[ShapedArray],
) -> ClosedJaxpr {
    with_main_trace(
        |level, id| PartialEvalTrace::named(name, level, id),
        true,
        |trace| {
            let (args, invars): (Vec<Array>, Vec<_>) =
                in_avals.iter().map(|a| trace.new_arg(a.clone())).unzip();
            let outs = f(&args);
            trace.finish(invars, &outs)
        },
    )
}
