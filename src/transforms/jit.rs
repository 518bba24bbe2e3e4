//! `jit`: stage a function to a jaxpr once per input signature, compile it,
//! and run the executable on later calls.

use super::args::{Curry, Select, TreeFn};
use crate::compiler::executable::Value;
use crate::compiler::{self, Executable};
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::jaxpr::ClosedJaxpr;
use crate::interpreters::staging::trace_to_jaxpr;
use crate::tree::{tree_flatten, tree_unflatten, PyTree, TreeDef};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

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
    pub executable: std::sync::Arc<Executable>,
    out_def: TreeDef,
}

/// A bounded least-recently-used cache of compiled versions.
struct JitCache {
    name: String,
    generation: u64,
    entries: Vec<(Signature, Arc<Compiled>)>,
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
    fn get(&mut self, sig: &Signature) -> Option<Arc<Compiled>> {
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

    fn insert(&mut self, sig: Signature, c: Arc<Compiled>) {
        // Another thread may have compiled the same signature meanwhile.
        self.entries.retain(|(s, _)| *s != sig);
        self.entries.insert(0, (sig.clone(), c));
        self.entries.truncate(crate::config::jit_cache_size());
        self.last = Some(sig);
    }
}

/// Traces and compiles `f` for `leaves` laid out as `def`.
///
/// A panic while tracing (a shape error, a concrete read of a traced value)
/// is re-raised with the jitted function's name and argument types added.
fn compile_for<Args: PyTree, R: PyTree>(
    name: &str,
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
    let traced = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        trace_to_jaxpr("jit", &flat, avals)
    }));
    let jaxpr = match traced {
        Ok(j) => j,
        Err(e) => {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
            match msg {
                Some(m) => panic!(
                    "{m}\n\nThis happened while tracing the function `{name}` for jit with \
                     argument types ({}).",
                    fmt_avals(avals)
                ),
                None => std::panic::resume_unwind(e),
            }
        }
    };
    let executable = Arc::new(compiler::compile(&jaxpr));
    Compiled {
        jaxpr,
        executable,
        out_def: out_def.into_inner().expect("the function was traced"),
    }
}

/// The cache and function behind every jitted callable. The cache sits
/// behind a mutex so that one jitted function can serve many threads (as in
/// JAX); tracing and compiling happen outside the lock.
struct JitState<F> {
    f: F,
    cache: Mutex<JitCache>,
}

impl<F> JitState<F> {
    fn new(f: F) -> JitState<F> {
        JitState {
            f,
            cache: Mutex::new(JitCache {
                name: std::any::type_name::<F>().to_string(),
                generation: CACHE_GENERATION.load(Ordering::Relaxed),
                entries: Vec::new(),
                last: None,
            }),
        }
    }

    /// The cache, usable even if another thread panicked while holding it
    /// (the cache is only a list of finished entries, never half-updated).
    fn cache(&self) -> MutexGuard<'_, JitCache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The compiled version for `args`' signature, compiling on a miss.
    fn compiled<Args: PyTree, R: PyTree, M>(&self, sig: Signature) -> Arc<Compiled>
    where
        F: TreeFn<Args, R, M>,
    {
        let hit = self.cache().get(&sig);
        if let Some(c) = hit {
            return c;
        }
        if crate::config::log_compiles() {
            let c = self.cache();
            eprintln!(
                "jaxide: compiling {} for ({}): {}",
                c.name,
                fmt_avals(&sig.avals),
                c.reason(&sig)
            );
        }
        let name = self.cache().name.clone();
        let c = Arc::new(compile_for(
            &name,
            &|a: &Args| self.f.call_args(a),
            &sig.def,
            &sig.avals,
        ));
        self.cache().insert(sig, c.clone());
        c
    }
}

fn signature(leaves: &[Array], def: TreeDef) -> Signature {
    Signature {
        def,
        avals: leaves.iter().map(|x| x.aval().clone()).collect(),
    }
}

/// Whether a call must be inlined into an enclosing transformation.
fn under_transformation(leaves: &[Array]) -> bool {
    crate::core::trace::trace_depth() > 0 || leaves.iter().any(Array::is_tracer)
}

/// Compiles `f` (`jax.jit`): the returned function traces `f` with abstract
/// values the first time it sees an argument signature (structure, shapes,
/// dtypes, weak types, and the values of [`Static`](crate::tree::Static)
/// arguments), compiles the jaxpr, and afterwards runs the cached
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
pub fn jit<'f, F, M, Args, R>(f: F) -> <Args as Curry<'f, R>>::Callable
where
    F: TreeFn<Args, R, M> + Send + Sync + 'f,
    R: PyTree + 'f,
    Args: Curry<'f, R> + PyTree + Clone,
{
    let state = JitState::new(f);
    Args::curry(move |args: Args| {
        let (leaves, def) = tree_flatten(&args);
        if under_transformation(&leaves) {
            // Under another transformation: trace through (an inlined call).
            return state.f.call_args(&args);
        }
        let compiled = state.compiled::<Args, R, M>(signature(&leaves, def));
        let outs = Executable::dispatch(&compiled.executable, shared_values(&leaves));
        tree_unflatten(&compiled.out_def, outs)
    })
}

/// `jax.jit(f, donate_argnums=...)`: like [`jit`], but the function takes
/// its arguments as one tuple *by value*, and the arguments `donate` selects
/// (`Arg0`, `(Arg0, Arg2)`, ...) are donated: their buffers may be reused by
/// the computation (for example, a loop updating a donated array in place
/// skips the initial copy). A donated array cannot be used afterwards:
/// it was moved, so that is a compile-time error. A donated array that is
/// still shared (another clone is alive) is left intact and copied instead,
/// with JAX's warning.
///
/// ```
/// use jaxide::prelude::*;
/// let step = jit_donate(|(p, g): &(Array, Array)| p - g * 0.1f32, Arg0);
/// let p = jnp::array([1.0f32, 2.0]);
/// let g = jnp::array([10.0f32, 10.0]);
/// let p = step((p, g.clone()));
/// assert_eq!(p.to_vec::<f32>(), vec![0.0, 1.0]);
/// ```
///
/// ```compile_fail
/// use jaxide::prelude::*;
/// let step = jit_donate(|(p, g): &(Array, Array)| p - g, Arg0);
/// let p = jnp::array([1.0f32]);
/// let q = step((p, jnp::array([1.0f32])));
/// println!("{p}"); // error: `p` was donated (moved)
/// ```
pub fn jit_donate<'f, F, Args, R, D>(f: F, donate: D) -> Box<dyn Fn(Args) -> R + Send + Sync + 'f>
where
    F: Fn(&Args) -> R + Send + Sync + 'f,
    R: PyTree + 'f,
    Args: PyTree + 'f,
    D: Select<Args> + Send + Sync + 'f,
    D::Out: PyTree,
{
    let _ = donate;
    let state = JitState::new(SingleArg(f));
    let warned = AtomicBool::new(false);
    Box::new(move |args: Args| {
        let (leaves, def) = tree_flatten(&args);
        if under_transformation(&leaves) {
            return (state.f.0)(&args);
        }
        let donated: std::collections::HashSet<usize> = tree_flatten(&D::pick(&args))
            .0
            .iter()
            .map(Array::ptr_id)
            .collect();
        drop(args);
        let compiled =
            state.compiled::<(Args,), R, super::args::ByRef>(signature(&leaves, wrap_def(def)));
        let mut unusable = Vec::new();
        let values: Vec<Value<'static>> = leaves
            .into_iter()
            .map(|x| {
                let id = x.ptr_id();
                match x.into_device() {
                    Some(mut d) if donated.contains(&id) => {
                        match crate::runtime::DeviceArray::take_buffer_if_unique(&mut d) {
                            Some(b) => Value::Owned(b),
                            None => {
                                unusable.push(d.aval().short());
                                Value::Shared(d)
                            }
                        }
                    }
                    Some(d) => Value::Shared(d),
                    None => unreachable!("tracers are handled above"),
                }
            })
            .collect();
        if !unusable.is_empty() && !warned.swap(true, Ordering::Relaxed) {
            eprintln!(
                "UserWarning: Some donated buffers were not usable: {}. (Another reference to \
                 each is still alive, so it was copied instead.)",
                unusable.join(", ")
            );
        }
        let outs = Executable::dispatch(&compiled.executable, values);
        tree_unflatten(&compiled.out_def, outs)
    })
}

/// Adapts a one-tuple-argument function to [`TreeFn`] over `(Args,)`.
struct SingleArg<F>(F);

impl<F: Fn(&Args) -> R, Args, R> TreeFn<(Args,), R> for SingleArg<F> {
    fn call_args(&self, args: &(Args,)) -> R {
        (self.0)(&args.0)
    }
}

/// The tree of `(args,)` given the tree of `args`.
fn wrap_def(def: TreeDef) -> TreeDef {
    TreeDef::tuple(vec![def])
}

/// Traces `f` for `args` without compiling (`jax.jit(f).lower(*args)`):
/// the staged program, ready to [`compile`](Lowered::compile).
///
/// ```
/// use jaxide::prelude::*;
/// let f = |x: &Array| (jnp::sin(x) * 2.0f32).sum();
/// let x = jnp::array([1.0f32, 2.0]);
/// let lowered = lower(f, &(x.clone(),));
/// assert!(lowered.as_text().contains("sin"));
/// let compiled = lowered.compile();
/// assert!(compiled.as_text().contains("fused[sin,mul,reduce_sum]"));
/// let y: Array = compiled.call(&(x,));
/// ```
pub fn lower<F, M, Args, R>(f: F, args: &Args) -> Lowered<Args, R>
where
    F: TreeFn<Args, R, M>,
    Args: PyTree,
    R: PyTree,
{
    let (leaves, def) = tree_flatten(args);
    let sig = signature(&leaves, def);
    let out_def: RefCell<Option<TreeDef>> = RefCell::new(None);
    let flat = |xs: &[Array]| -> Vec<Array> {
        let a: Args = tree_unflatten(&sig.def, xs.iter().cloned());
        let (outs, d) = tree_flatten(&f.call_args(&a));
        *out_def.borrow_mut() = Some(d);
        outs
    };
    let jaxpr = trace_to_jaxpr("jit", &flat, &sig.avals);
    Lowered {
        jaxpr,
        sig,
        out_def: out_def.into_inner().expect("traced"),
        _types: std::marker::PhantomData,
    }
}

/// A traced, not yet compiled function (`jax.stages.Lowered`).
pub struct Lowered<Args, R> {
    jaxpr: ClosedJaxpr,
    sig: Signature,
    out_def: TreeDef,
    _types: std::marker::PhantomData<fn(&Args) -> R>,
}

impl<Args: PyTree, R: PyTree> Lowered<Args, R> {
    /// The staged program, printed like `jax.make_jaxpr`.
    pub fn as_text(&self) -> String {
        self.jaxpr.to_string()
    }

    /// The staged program.
    pub fn jaxpr(&self) -> &ClosedJaxpr {
        &self.jaxpr
    }

    /// Simplifies, fuses and plans the program (`lowered.compile()`).
    pub fn compile(self) -> CompiledFn<Args, R> {
        let executable = Arc::new(compiler::compile(&self.jaxpr));
        CompiledFn {
            compiled: Compiled {
                jaxpr: self.jaxpr,
                executable,
                out_def: self.out_def,
            },
            sig: self.sig,
            _types: std::marker::PhantomData,
        }
    }
}

/// A compiled function for one argument signature (`jax.stages.Compiled`).
pub struct CompiledFn<Args, R> {
    compiled: Compiled,
    sig: Signature,
    _types: std::marker::PhantomData<fn(&Args) -> R>,
}

impl<Args: PyTree, R: PyTree> CompiledFn<Args, R> {
    /// The compiled view: one line per step (`fused[...]` kernels, single
    /// primitives, `(in place)` updates, loops with their bodies).
    pub fn as_text(&self) -> String {
        self.compiled.executable.describe()
    }

    /// Runs the executable. Panics if the arguments' types differ from the
    /// ones it was compiled for.
    pub fn call(&self, args: &Args) -> R {
        let (leaves, def) = tree_flatten(args);
        let sig = signature(&leaves, def);
        if sig != self.sig {
            panic!(
                "TypeError: Argument types differ from the types for which this computation \
                 was compiled. The mismatches are: compiled for {} ({}), called with {} ({}).",
                self.sig.def,
                fmt_avals(&self.sig.avals),
                sig.def,
                fmt_avals(&sig.avals)
            );
        }
        let outs = Executable::dispatch(&self.compiled.executable, shared_values(&leaves));
        tree_unflatten(&self.compiled.out_def, outs)
    }
}

/// Concrete arguments as shared executable inputs (pending ones stay pending).
fn shared_values(leaves: &[Array]) -> Vec<Value<'static>> {
    leaves
        .iter()
        .map(|x| {
            let d = x
                .as_device()
                .expect("internal error: a tracer reached an executable");
            Value::Shared(d.clone())
        })
        .collect()
}
