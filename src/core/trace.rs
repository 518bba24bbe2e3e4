//! The per-thread trace stack, tracers, and `bind`: the single entry point
//! through which every array operation flows.
//!
//! A transformation (jvp, batching, staging) pushes a [`MainTrace`] with its
//! [`Interpreter`] and wraps values in [`Tracer`]s tagged with that trace's
//! level. `bind` sends a primitive to the interpreter of the highest level
//! among its inputs' tracers (or the innermost *dynamic* trace, as jit's
//! staging trace will be). With no tracers and no dynamic trace, the primitive
//! goes to the stack's bottom level, [`EvalTrace`], which runs the
//! primitive's `impl` on the backend. Eager execution is nothing more than that.

use super::array::Array;
use super::aval::ShapedArray;
use crate::lax::Primitive;
use smallvec::SmallVec;
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Outputs of one primitive application (most primitives have one).
pub type Outputs = SmallVec<[Array; 1]>;

/// A value being traced by a transformation.
pub trait Tracer: Send + Sync + 'static {
    /// The abstract value the tracer stands for.
    fn aval(&self) -> &ShapedArray;
    /// The level of the main trace that owns this tracer.
    fn level(&self) -> usize;
    /// The unique id of the main trace that owns this tracer.
    fn main_id(&self) -> u64;
    /// The owning transformation's name, for error messages (e.g. `"jvp"`).
    fn transformation(&self) -> &'static str;
    /// Downcasting support for interpreters.
    fn as_any(&self) -> &dyn Any;
    /// The value this tracer stands for, when it is known: a jvp tracer
    /// over a concrete primal (so `item()` under `grad` works, as
    /// `float(x)` does under `jax.grad`). `None` for abstract tracers.
    fn known_value(&self) -> Option<&Array> {
        None
    }
}

/// Which main trace a tracer belongs to: its level and the trace's unique
/// id. Each tracer interpreter keeps one, and unpacks its own tracers with
/// [`TraceTag::own`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TraceTag {
    /// The level on the trace stack.
    pub level: usize,
    /// The main trace's unique id.
    pub main_id: u64,
}

impl TraceTag {
    /// Whether `x` is a tracer of this trace.
    pub fn owns(&self, x: &Array) -> bool {
        x.as_tracer()
            .is_some_and(|t| t.level() == self.level && t.main_id() == self.main_id)
    }

    /// `x` as this trace's tracer type `T`, or `None` when `x` is concrete
    /// or belongs to another trace (a constant at this level).
    pub fn own<'a, T: Tracer>(&self, x: &'a Array) -> Option<&'a T> {
        let t = x.as_tracer()?;
        if t.level() != self.level || t.main_id() != self.main_id {
            return None;
        }
        Some(t.as_any().downcast_ref::<T>().unwrap_or_else(|| {
            panic!(
                "internal error: a {} tracer at the level of another transformation",
                t.transformation()
            )
        }))
    }
}

/// An interpreter for one level of the trace stack.
pub trait Interpreter {
    /// Applies `prim` to `inputs`, some of which are this level's tracers.
    fn process_primitive(&self, prim: &Primitive, inputs: &[&Array]) -> Outputs;

    /// Applies a function with a custom JVP rule. Only forward-mode
    /// differentiation uses the rule; other interpreters trace through `f`.
    fn process_custom_jvp(&self, call: &CustomJvpCall<'_>, inputs: &[Array]) -> Vec<Array> {
        (call.f)(inputs)
    }

    /// Applies a function with a custom VJP rule. Only differentiation uses
    /// the rule; other interpreters trace through `f`.
    fn process_custom_vjp(&self, call: &CustomVjpCall<'_>, inputs: &[Array]) -> Vec<Array> {
        (call.f)(inputs)
    }
}

/// A flat function of arrays.
pub type FlatFn<'a> = &'a dyn Fn(&[Array]) -> Vec<Array>;

/// Two lists of arrays: (primal outputs, tangents) or (outputs, residuals).
pub type ArrayPair = (Vec<Array>, Vec<Array>);

/// The backward half of a custom VJP: `(residuals, output cotangents) -> input cotangents`.
pub type CustomBwd = std::sync::Arc<dyn Fn(&[Array], &[Array]) -> Vec<Array> + Send + Sync>;

/// A call of a function with a custom JVP rule (flat form).
pub struct CustomJvpCall<'a> {
    /// The primal function.
    pub f: FlatFn<'a>,
    /// `(primals, tangents) -> (primal outputs, tangent outputs)`.
    pub jvp: &'a dyn Fn(&[Array], &[Array]) -> ArrayPair,
}

/// A call of a function with a custom VJP rule (flat form).
pub struct CustomVjpCall<'a> {
    /// The primal function.
    pub f: FlatFn<'a>,
    /// `primals -> (outputs, residuals)`.
    pub fwd: &'a dyn Fn(&[Array]) -> ArrayPair,
    /// `(residuals, output cotangents) -> input cotangents`.
    pub bwd: CustomBwd,
    /// Forward mode (`jvp` without reverse mode) differentiates `f` itself
    /// instead of failing: set by `checkpoint`, whose rule only changes what
    /// reverse mode stores.
    pub jvp_through_f: bool,
}

/// The bottom of the trace stack (level 0): evaluation on concrete values,
/// as JAX's `EvalTrace`. A primitive runs its `impl` ([`Primitive::eval`]);
/// a function with custom rules is simply called.
pub struct EvalTrace;

impl Interpreter for EvalTrace {
    fn process_primitive(&self, prim: &Primitive, inputs: &[&Array]) -> Outputs {
        prim.eval(inputs)
    }
}

/// One entry of the trace stack.
pub struct MainTrace {
    /// Unique id, so a leaked tracer is never mistaken for a later trace's.
    pub id: u64,
    /// Position in the stack (0 is [`EvalTrace`]'s level, below every main trace).
    pub level: usize,
    /// Whether ops on concrete values are captured too (jit's staging trace).
    pub dynamic: bool,
    /// The interpreter that handles this level's tracers.
    pub interpreter: Rc<dyn Interpreter>,
}

thread_local! {
    static STACK: RefCell<Vec<Rc<MainTrace>>> = const { RefCell::new(Vec::new()) };
    static DYNAMIC_LEVEL: Cell<usize> = const { Cell::new(0) };
}

/// Runs `f` with a new main trace pushed, popping it afterwards (also on
/// panic). `make` builds the interpreter from the new level and trace id;
/// `f` receives it.
pub fn with_main_trace<I: Interpreter + 'static, R>(
    make: impl FnOnce(usize, u64) -> I,
    dynamic: bool,
    f: impl FnOnce(&Rc<I>) -> R,
) -> R {
    struct PopGuard {
        prev_dynamic: usize,
    }
    impl Drop for PopGuard {
        fn drop(&mut self) {
            if let Some(m) = STACK.with(|s| s.borrow_mut().pop()) {
                live_traces_remove(m.id);
            }
            DYNAMIC_LEVEL.with(|d| d.set(self.prev_dynamic));
        }
    }
    let level = STACK.with(|s| s.borrow().len()) + 1;
    static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    live_traces_insert(id);
    let interp = Rc::new(make(level, id));
    let main = Rc::new(MainTrace {
        id,
        level,
        dynamic,
        interpreter: interp.clone(),
    });
    STACK.with(|s| s.borrow_mut().push(main.clone()));
    let prev_dynamic = DYNAMIC_LEVEL.with(|d| d.get());
    if dynamic {
        DYNAMIC_LEVEL.with(|d| d.set(level));
    }
    let _guard = PopGuard { prev_dynamic };
    f(&interp)
}

/// The ids of the main traces live on any thread. Only error paths read it:
/// a tracer that is not live on this thread but is live here was sent to
/// another thread, which deserves a different message than a leak.
static LIVE_TRACES: std::sync::Mutex<Vec<u64>> = std::sync::Mutex::new(Vec::new());

fn live_traces_insert(id: u64) {
    LIVE_TRACES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(id);
}

fn live_traces_remove(id: u64) {
    let mut live = LIVE_TRACES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = live.iter().rposition(|&x| x == id) {
        live.swap_remove(i);
    }
}

/// Whether tracer `t`'s main trace is still running, on some other thread.
fn live_elsewhere(t: &dyn Tracer) -> bool {
    LIVE_TRACES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains(&t.main_id())
}

/// The `UnexpectedTracerError` for tracer `t`, used by `what` although its
/// trace is not on this thread's stack: either it leaked (its
/// transformation finished), or it was sent to another thread while the
/// transformation is still running.
pub(crate) fn misused_tracer_message(what: &str, t: &dyn Tracer) -> String {
    if live_elsewhere(t) {
        format!(
            "UnexpectedTracerError: `{what}` got a tracer ({}) of a function being \
             transformed by {} on another thread. Tracers belong to the thread that is \
             tracing the function, and that transformation is still running there. Compute \
             with traced values on the tracing thread, or send concrete arrays (the \
             transformed function's outputs) to other threads.",
            t.aval().short(),
            t.transformation()
        )
    } else {
        format!(
            "UnexpectedTracerError: encountered an unexpected tracer while applying `{what}`. \
             A function transformed by {} stored a traced value ({}) somewhere outside the \
             transformation (a leaked tracer), and it was used after the transformation \
             finished. Return the value from the transformed function instead of storing it.",
            t.transformation(),
            t.aval().short()
        )
    }
}

/// Whether the main trace that made tracer `t` is still on the stack.
pub fn is_live(t: &dyn Tracer) -> bool {
    STACK.with(|s| {
        s.borrow()
            .get(t.level().wrapping_sub(1))
            .is_some_and(|m| m.id == t.main_id())
    })
}

/// The innermost main trace relevant to `inputs` (the highest tracer level,
/// or the dynamic level), or `None` for eager evaluation. Panics on leaked tracers.
fn top_trace(what: &str, inputs: &[&Array]) -> Option<Rc<MainTrace>> {
    let mut level = DYNAMIC_LEVEL.with(|d| d.get());
    for x in inputs {
        if let Some(t) = x.as_tracer() {
            if !is_live(t.as_ref()) {
                leaked_tracer_panic(what, inputs)
            }
            level = level.max(t.level());
        }
    }
    if level == 0 {
        return None;
    }
    STACK.with(|s| s.borrow().get(level - 1).cloned())
}

/// Calls a function with a custom JVP rule through the innermost relevant interpreter.
pub fn bind_custom_jvp(call: &CustomJvpCall<'_>, inputs: &[Array]) -> Vec<Array> {
    let refs: Vec<&Array> = inputs.iter().collect();
    match top_trace("custom_jvp_call", &refs) {
        None => EvalTrace.process_custom_jvp(call, inputs),
        Some(main) => main.interpreter.process_custom_jvp(call, inputs),
    }
}

/// Calls a function with a custom VJP rule through the innermost relevant interpreter.
pub fn bind_custom_vjp(call: &CustomVjpCall<'_>, inputs: &[Array]) -> Vec<Array> {
    let refs: Vec<&Array> = inputs.iter().collect();
    match top_trace("custom_vjp_call", &refs) {
        None => EvalTrace.process_custom_vjp(call, inputs),
        Some(main) => main.interpreter.process_custom_vjp(call, inputs),
    }
}

/// Number of main traces active on this thread.
pub fn trace_depth() -> usize {
    STACK.with(|s| s.borrow().len())
}

/// Applies a primitive to its inputs through the innermost relevant
/// interpreter. Every array operation in jaxide goes through here.
pub fn bind(prim: &Primitive, inputs: &[&Array]) -> Outputs {
    if inputs.iter().any(|x| x.dtype() == crate::DType::Float0) {
        panic!(
            "TypeError: {} does not accept dtype float0. float0 arrays are the gradients of \
             integer and bool inputs (grad with allow_int) and take part in no operation; \
             use jnp::zeros_like of the input instead.",
            prim.name()
        );
    }
    let dynamic = DYNAMIC_LEVEL.with(|d| d.get());
    let mut level = dynamic;
    let mut any_tracer = false;
    for x in inputs {
        if let Some(t) = x.as_tracer() {
            any_tracer = true;
            level = level.max(t.level());
        }
    }
    if level == 0 {
        return EvalTrace.process_primitive(prim, inputs);
    }
    let main = STACK.with(|s| s.borrow().get(level - 1).cloned());
    let Some(main) = main else {
        leaked_tracer_panic(prim.name(), inputs)
    };
    if any_tracer {
        for x in inputs {
            if let Some(t) = x.as_tracer() {
                if !is_live(t.as_ref()) {
                    leaked_tracer_panic(prim.name(), inputs)
                }
            }
        }
    }
    main.interpreter.process_primitive(prim, inputs)
}

/// Binds a single-output primitive.
pub fn bind1(prim: &Primitive, inputs: &[&Array]) -> Array {
    let mut out = bind(prim, inputs);
    debug_assert_eq!(out.len(), 1, "{} has one output", prim.name());
    out.swap_remove(0)
}

fn leaked_tracer_panic(what: &str, inputs: &[&Array]) -> ! {
    let t = inputs
        .iter()
        .filter_map(|x| x.as_tracer())
        .max_by_key(|t| t.level());
    match t {
        Some(t) => panic!("{}", misused_tracer_message(what, t.as_ref())),
        None => panic!("internal error: no interpreter for {what}"),
    }
}
