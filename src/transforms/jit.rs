//! `jit`: stage a function to a jaxpr once per input signature, compile it,
//! and run the executable on later calls.

use super::args::{Curry, TreeFn};
use crate::compiler::{self, Executable};
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::jaxpr::ClosedJaxpr;
use crate::interpreters::staging::trace_to_jaxpr;
use crate::tree::{tree_flatten, tree_unflatten, PyTree, TreeDef};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

static CACHE_GENERATION: AtomicU64 = AtomicU64::new(0);

/// Empties every jit cache (`jax.clear_caches()`): the next call of each
/// jitted function traces and compiles again.
pub fn clear_caches() {
    CACHE_GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// What a compiled version is keyed on: the argument structure and each
/// leaf's shape, dtype and weak type.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct Signature {
    def: TreeDef,
    avals: Vec<ShapedArray>,
}

/// One compiled version of a jitted function.
pub struct Compiled {
    /// The staged program, before simplification.
    pub jaxpr: ClosedJaxpr,
    /// The executable that runs it.
    pub executable: Executable,
    out_def: TreeDef,
}

/// A bounded least-recently-used cache of compiled versions.
struct JitCache {
    name: String,
    generation: u64,
    entries: Vec<(Signature, Rc<Compiled>)>,
    last: Option<Signature>,
}

fn fmt_avals(avals: &[ShapedArray]) -> String {
    avals
        .iter()
        .map(|a| a.short())
        .collect::<Vec<_>>()
        .join(", ")
}

impl JitCache {
    fn get(&mut self, sig: &Signature) -> Option<Rc<Compiled>> {
        let gen = CACHE_GENERATION.load(Ordering::Relaxed);
        if gen != self.generation {
            self.entries.clear();
            self.generation = gen;
        }
        let i = self.entries.iter().position(|(s, _)| s == sig)?;
        let e = self.entries.remove(i);
        let c = e.1.clone();
        self.entries.insert(0, e);
        Some(c)
    }

    fn reason(&self, sig: &Signature) -> String {
        match &self.last {
            None => "first call".to_string(),
            Some(prev) if prev.def != sig.def => format!(
                "the argument structure changed from {} to {}",
                prev.def, sig.def
            ),
            Some(prev) => {
                let changed: Vec<String> = prev
                    .avals
                    .iter()
                    .zip(&sig.avals)
                    .enumerate()
                    .filter(|(_, (a, b))| a != b)
                    .map(|(i, (a, b))| format!("argument leaf {i}: {} -> {}", a.long(), b.long()))
                    .collect();
                if changed.is_empty() {
                    "the cache was cleared or the version was evicted".to_string()
                } else {
                    format!("new input types ({})", changed.join("; "))
                }
            }
        }
    }

    fn insert(&mut self, sig: Signature, c: Rc<Compiled>) {
        self.entries.insert(0, (sig.clone(), c));
        self.entries.truncate(crate::config::jit_cache_size());
        self.last = Some(sig);
    }
}

/// Traces and compiles `f` for `leaves` laid out as `def`.
fn compile_for<Args: PyTree, R: PyTree>(
    f: &dyn Fn(&Args) -> R,
    def: &TreeDef,
    avals: &[ShapedArray],
) -> Compiled {
    let out_def: RefCell<Option<TreeDef>> = RefCell::new(None);
    let flat = |xs: &[Array]| -> Vec<Array> {
        let args: Args = tree_unflatten(def, xs.iter().cloned());
        let (outs, d) = tree_flatten(&f(&args));
        *out_def.borrow_mut() = Some(d);
        outs
    };
    let jaxpr = trace_to_jaxpr("jit", &flat, avals);
    let executable = compiler::compile(&jaxpr);
    Compiled {
        jaxpr,
        executable,
        out_def: out_def.into_inner().expect("the function was traced"),
    }
}

/// Compiles `f` (`jax.jit`): the returned function traces `f` with abstract
/// values the first time it sees an argument signature (structure, shapes,
/// dtypes, weak types), compiles the jaxpr, and afterwards runs the cached
/// executable. Inside another transformation (`grad(jit(f))`) the call is
/// inlined into the outer trace. `jaxide::config::set_log_compiles(true)`
/// prints every compilation with its reason.
///
/// ```
/// use jaxide::prelude::*;
/// let f = jit(|x: &Array, y: &Array| (x * y + 1.0f32).sum());
/// let x = jnp::array([1.0f32, 2., 3.]);
/// assert_eq!(f(&x, &x).item::<f32>(), 17.0);
/// ```
pub fn jit<'f, F, Args, R>(f: F) -> <Args as Curry<'f, R>>::Callable
where
    F: TreeFn<Args, R> + 'f,
    R: PyTree + 'f,
    Args: Curry<'f, R> + PyTree + Clone,
{
    let cache = RefCell::new(JitCache {
        name: std::any::type_name::<F>().to_string(),
        generation: CACHE_GENERATION.load(Ordering::Relaxed),
        entries: Vec::new(),
        last: None,
    });
    Args::curry(move |args: Args| {
        let (leaves, def) = tree_flatten(&args);
        if crate::core::trace::trace_depth() > 0 || leaves.iter().any(Array::is_tracer) {
            // Under another transformation: trace through (an inlined call).
            return f.call_args(&args);
        }
        let sig = Signature {
            def,
            avals: leaves.iter().map(|x| x.aval().clone()).collect(),
        };
        let hit = cache.borrow_mut().get(&sig);
        let compiled = match hit {
            Some(c) => c,
            None => {
                if crate::config::log_compiles() {
                    let c = cache.borrow();
                    eprintln!(
                        "jaxide: compiling {} for ({}): {}",
                        c.name,
                        fmt_avals(&sig.avals),
                        c.reason(&sig)
                    );
                }
                let c = Rc::new(compile_for(
                    &|a: &Args| f.call_args(a),
                    &sig.def,
                    &sig.avals,
                ));
                cache.borrow_mut().insert(sig, c.clone());
                c
            }
        };
        let outs = compiled.executable.run(&leaves);
        tree_unflatten(&compiled.out_def, outs)
    })
}
