//! The per-thread trace stack, tracers, and `bind`: the single entry point
//! through which every array operation flows.
//!
//! A transformation (jvp, batching, staging) pushes a [`MainTrace`] with its
//! [`Interpreter`] and wraps values in [`Tracer`]s tagged with that trace's
//! level. `bind` sends a primitive to the interpreter of the highest level
//! among its inputs' tracers (or the innermost *dynamic* trace, as jit's
//! staging trace will be). With no tracers and no dynamic trace, the primitive
//! goes to the eval interpreter, which runs it on the backend. Eager
//! execution is nothing more than that.

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
}

/// An interpreter for one level of the trace stack.
pub trait Interpreter {
    /// Applies `prim` to `inputs`, some of which are this level's tracers.
    fn process_primitive(&self, prim: &Primitive, inputs: &[&Array]) -> Outputs;
}

/// One entry of the trace stack.
pub struct MainTrace {
    /// Unique id, so a leaked tracer is never mistaken for a later trace's.
    pub id: u64,
    /// Position in the stack (0 is the eval interpreter's implicit level).
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

/// Runs `f` with a new main trace pushed, popping it afterwards (also on panic).
pub fn with_main_trace<R>(
    make: impl FnOnce(usize, u64) -> Rc<dyn Interpreter>,
    dynamic: bool,
    f: impl FnOnce(&Rc<MainTrace>) -> R,
) -> R {
    struct PopGuard {
        prev_dynamic: usize,
    }
    impl Drop for PopGuard {
        fn drop(&mut self) {
            STACK.with(|s| s.borrow_mut().pop());
            DYNAMIC_LEVEL.with(|d| d.set(self.prev_dynamic));
        }
    }
    let level = STACK.with(|s| s.borrow().len()) + 1;
    static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let main = Rc::new(MainTrace {
        id,
        level,
        dynamic,
        interpreter: make(level, id),
    });
    STACK.with(|s| s.borrow_mut().push(main.clone()));
    let prev_dynamic = DYNAMIC_LEVEL.with(|d| d.get());
    if dynamic {
        DYNAMIC_LEVEL.with(|d| d.set(level));
    }
    let _guard = PopGuard { prev_dynamic };
    f(&main)
}

/// Number of main traces active on this thread.
pub fn trace_depth() -> usize {
    STACK.with(|s| s.borrow().len())
}

/// Applies a primitive to its inputs through the innermost relevant
/// interpreter. Every array operation in jaxide goes through here.
pub fn bind(prim: &Primitive, inputs: &[&Array]) -> Outputs {
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
        return crate::interpreters::eval::apply(prim, inputs);
    }
    let main = STACK.with(|s| s.borrow().get(level - 1).cloned());
    let Some(main) = main else {
        leaked_tracer_panic(prim, inputs)
    };
    if any_tracer {
        for x in inputs {
            if let Some(t) = x.as_tracer() {
                let live = STACK.with(|s| {
                    s.borrow()
                        .get(t.level() - 1)
                        .is_some_and(|m| m.id == t.main_id())
                });
                if !live {
                    leaked_tracer_panic(prim, inputs)
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

fn leaked_tracer_panic(prim: &Primitive, inputs: &[&Array]) -> ! {
    let t = inputs
        .iter()
        .filter_map(|x| x.as_tracer())
        .max_by_key(|t| t.level());
    match t {
        Some(t) => panic!(
            "UnexpectedTracerError: encountered an unexpected tracer while applying `{}`. \
             A function transformed by {} stored a traced value ({}) somewhere outside the \
             transformation (a leaked tracer), and it was used after the transformation \
             finished. Return the value from the transformed function instead of storing it.",
            prim.name(),
            t.transformation(),
            t.aval().short()
        ),
        None => panic!("internal error: no interpreter for {}", prim.name()),
    }
}
