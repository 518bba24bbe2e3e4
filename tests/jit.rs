//! jit: staging, caching per signature, composition with grad, and the
//! simplification passes of the compiler.

use jaxide::compiler::simplify;
use jaxide::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A trace counter a jitted (so `Send + Sync`) closure can capture.
struct Counter(AtomicUsize);

impl Counter {
    fn new(v: usize) -> Counter {
        Counter(AtomicUsize::new(v))
    }
    fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
    fn set(&self, v: usize) {
        self.0.store(v, Ordering::Relaxed)
    }
}

/// Held by every test that counts traces: `clear_caches` in one test empties
/// the caches of all jitted functions, so those tests must not overlap.
static CACHE_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn cache_lock() -> std::sync::MutexGuard<'static, ()> {
    CACHE_TESTS.lock().unwrap_or_else(|e| e.into_inner())
}

fn f32s(x: &Array) -> Vec<f32> {
    x.to_vec::<f32>()
}

#[test]
fn jit_matches_eager() {
    let f = |x: &Array| jnp::sum(&jnp::tanh(&(2.0f32 * x + 1.0f32)).pow(2));
    let x = jnp::linspace(-1.0, 1.0, 1000);
    let eager = f(&x);
    let jitted = jit(f)(&x);
    assert_eq!(f32s(&eager), f32s(&jitted));
    // Pytrees in and out; outputs may be inputs or constants.
    let c = jnp::array([1.0f32, 2.0]);
    let g = jit(|p: &(Array, Array)| (p.0.clone(), &p.1 * &c, c.clone()));
    let (a, b, k) = g(&(x.clone(), jnp::array([3.0f32, 4.0])));
    assert_eq!(a.shape(), x.shape());
    assert_eq!(f32s(&b), vec![3.0, 8.0]);
    assert_eq!(f32s(&k), vec![1.0, 2.0]);
}

#[test]
fn traces_once_per_signature() {
    let _serial = cache_lock();
    let traces = Counter::new(0);
    let f = jit(|x: &Array| {
        traces.set(traces.get() + 1);
        x * 2.0f32
    });
    let x3 = jnp::ones(3);
    f(&x3);
    f(&x3);
    f(&jnp::zeros(3));
    assert_eq!(traces.get(), 1, "same shape and dtype: no retrace");
    f(&jnp::ones(4));
    assert_eq!(traces.get(), 2, "a new shape compiles again");
    f(&x3.astype(DType::I32));
    assert_eq!(traces.get(), 3, "a new dtype compiles again");
    f(&x3);
    assert_eq!(traces.get(), 3, "earlier versions stay cached");
    clear_caches();
    f(&x3);
    assert_eq!(traces.get(), 4, "clear_caches forgets compiled versions");
}

#[test]
fn changing_the_argument_structure_recompiles() {
    let _serial = cache_lock();
    let traces = Counter::new(0);
    let f = jit(|xs: &Vec<Array>| {
        traces.set(traces.get() + 1);
        xs.iter().fold(jnp::zeros(2), |acc, x| acc + x)
    });
    let a = jnp::ones(2);
    assert_eq!(f32s(&f(&vec![a.clone()])), vec![1.0, 1.0]);
    assert_eq!(f32s(&f(&vec![a.clone(), a.clone()])), vec![2.0, 2.0]);
    assert_eq!(traces.get(), 2);
}

#[test]
fn jit_composes_with_grad() {
    let loss = |w: &Array, x: &Array| (w * x).pow(2).sum();
    let x = jnp::array([1.0f32, 2.0, 3.0]);
    let w = jnp::array([0.5f32, -1.0, 2.0]);
    let eager = grad(loss)(&w, &x);
    // jit(grad(f))
    let jg = jit(grad(loss));
    assert_eq!(f32s(&jg(&w, &x)), f32s(&eager));
    // grad(jit(f)): the jitted call is inlined into grad's trace.
    let gj = grad(jit(loss));
    assert_eq!(f32s(&gj(&w, &x)), f32s(&eager));
    // jit inside jit.
    let inner = jit(loss);
    let outer = jit(|w: &Array, x: &Array| inner(w, x) * 2.0f32);
    assert_eq!(
        outer(&w, &x).item::<f32>(),
        2.0 * loss(&w, &x).item::<f32>()
    );
}

#[test]
fn concrete_reads_inside_jit_name_jit() {
    let r = std::panic::catch_unwind(|| {
        jit(|x: &Array| {
            if x.sum().item::<f32>() > 0.0 {
                x.clone()
            } else {
                -x
            }
        })(&jnp::ones(3))
    });
    let msg = r
        .unwrap_err()
        .downcast::<String>()
        .map(|s| *s)
        .unwrap_or_default();
    assert!(
        msg.contains("ConcretizationTypeError") && msg.contains("jit"),
        "{msg}"
    );
    assert!(
        msg.contains("static_argnums") && msg.contains("lax::cond"),
        "{msg}"
    );
}

#[test]
fn simplify_removes_dead_and_duplicate_work_and_identities() {
    let f = |x: &Array| {
        let _dead = jnp::exp(x);
        let a = jnp::sin(x);
        let b = jnp::sin(x); // CSE
        let t = x.t().t(); // transpose∘transpose on a vector: a no-op
        (a + b) * 1.0f32 + 0.0f32 + t
    };
    let j = make_jaxpr(f)(&jnp::ones(3));
    let s = simplify(&j);
    s.jaxpr.typecheck().unwrap();
    assert_eq!(
        s.to_string(),
        "{ lambda ; a:f32[3]. let\n    b:f32[3] = sin a\n    c:f32[3] = add b b\n    d:f32[3] = add c a\n  in (d,) }"
    );
    // Same results.
    let x = jnp::array([0.1f32, 0.2, 0.3]);
    assert_eq!(
        f32s(&s.call(std::slice::from_ref(&x))[0]),
        f32s(&j.call(&[x])[0])
    );
}

#[test]
fn simplify_folds_constants_and_uses_scalars_for_broadcasts() {
    let c = jnp::array([1.0f32, 2.0, 3.0]);
    let f = |x: &Array| {
        let k = jnp::exp(&c) * 2.0f32; // known at compile time: folded
        let ones = jnp::ones(3); // broadcast of a scalar: becomes a literal operand
        x * &k + &ones
    };
    let j = make_jaxpr(f)(&jnp::ones(3));
    let s = simplify(&j);
    s.jaxpr.typecheck().unwrap();
    let text = s.to_string();
    assert!(
        !text.contains("exp") && !text.contains("broadcast_in_dim"),
        "{text}"
    );
    assert!(text.contains("add c 1.0:f32[]"), "{text}");
    let x = jnp::array([0.5f32, 1.0, 2.0]);
    assert_eq!(f32s(&s.call(std::slice::from_ref(&x))[0]), f32s(&f(&x)));
}

#[test]
fn elementwise_chains_and_their_reduction_fuse_into_one_kernel() {
    let f = |x: &Array| jnp::sum(&jnp::tanh(&(2.0f32 * x + 1.0f32)).pow(2));
    let exe = jaxide::compiler::compile(&make_jaxpr(f)(&jnp::ones(8)));
    assert_eq!(
        exe.describe(),
        "fused[mul,add,tanh,integer_pow[y=2],reduce_sum]"
    );
    // Same values as eager, on one block, many blocks, and many threads' parts.
    for n in [1usize, 7, 1024, 5000, 300_001] {
        let x = jnp::linspace(-2.0, 2.0, n);
        let (e, j) = (f(&x).item::<f32>(), jit(f)(&x).item::<f32>());
        assert!(
            (e - j).abs() <= 1e-5 * e.abs().max(1.0),
            "n={n}: eager {e}, jit {j}"
        );
    }
}

#[test]
fn fused_intermediates_used_later_are_written_out() {
    // `a` feeds the fused chain and is also returned; a rank-0 argument is a
    // broadcast scalar input of the kernel.
    let f = |x: &Array, s: &Array| {
        let a = jnp::exp(x) * s;
        let b = jnp::sin(&a) + 1.0f32;
        (a.clone(), b.max(), jnp::log(&(b + &a)))
    };
    let exe = jaxide::compiler::compile(&make_jaxpr(f)(&jnp::ones(4), &jnp::array(2.0f32)));
    assert!(exe.describe().starts_with("fused["), "{}", exe.describe());
    for n in [3usize, 70_000] {
        let x = jnp::linspace(-1.0, 1.0, n);
        let s = jnp::array(0.5f32);
        let (ea, eb, ec) = f(&x, &s);
        let (ja, jb, jc) = jit(f)(&x, &s);
        assert_eq!(f32s(&ea), f32s(&ja));
        assert_eq!(f32s(&eb), f32s(&jb));
        assert_eq!(f32s(&ec), f32s(&jc));
    }
}

#[test]
fn dynamic_update_slice_of_a_dead_intermediate_runs_in_place() {
    let f = |x: &Array, i: &Array| {
        let y = jnp::exp(x);
        jaxide::lax::dynamic_update_slice(&y, &jnp::array([5.0f32, 6.0]), &[i])
    };
    let (x, i) = (jnp::array([0.0f32, 0.0, 0.0, 0.0]), jnp::array(1i32));
    let exe = jaxide::compiler::compile(&make_jaxpr(f)(&x, &i));
    assert_eq!(exe.describe(), "exp\ndynamic_update_slice (in place)");
    assert_eq!(f32s(&jit(f)(&x, &i)), vec![1.0, 5.0, 6.0, 1.0]);
    // Clamped like XLA: a start of 3 becomes 2.
    assert_eq!(
        f32s(&jit(f)(&x, &jnp::array(3i32))),
        vec![1.0, 1.0, 5.0, 6.0]
    );
    // An input operand is updated in place only if the caller gives up its
    // buffer (jit_donate, or a loop carry); here the caller still holds it.
    let g = |x: &Array| {
        jaxide::lax::dynamic_update_slice(x, &jnp::array([9.0f32]), &[&jnp::array(0i32)])
    };
    let exe = jaxide::compiler::compile(&make_jaxpr(g)(&x));
    assert_eq!(
        exe.describe(),
        "dynamic_update_slice (in place if the input is owned)"
    );
    assert_eq!(f32s(&jit(g)(&x)), vec![9.0, 0.0, 0.0, 0.0]);
    assert_eq!(f32s(&x), vec![0.0, 0.0, 0.0, 0.0]);
}

#[test]
fn static_arguments_are_part_of_the_cache_key() {
    let _serial = cache_lock();
    let traces = Counter::new(0);
    let f = jit(|x: &Array, n: &Static<i32>| {
        traces.set(traces.get() + 1);
        // A static argument is a concrete Rust value while tracing: Rust `for`
        // loops over it unroll, as in JAX.
        let mut y = x.clone();
        for _ in 0..n.0 {
            y = &y * 2.0f32;
        }
        y
    });
    let x = jnp::array([1.0f32, 3.0]);
    assert_eq!(f32s(&f(&x, &Static(3))), vec![8.0, 24.0]);
    assert_eq!(f32s(&f(&x, &Static(3))), vec![8.0, 24.0]);
    assert_eq!(traces.get(), 1);
    assert_eq!(f32s(&f(&x, &Static(1))), vec![2.0, 6.0]);
    assert_eq!(traces.get(), 2);
    // A static value that is not equal to itself could never hit the cache.
    let g = jit(|x: &Array, s: &Static<f64>| x * (s.0 as f32));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g(&x, &Static(f64::NAN))));
    let msg = r
        .unwrap_err()
        .downcast::<String>()
        .map(|s| *s)
        .unwrap_or_default();
    assert!(
        msg.starts_with("ValueError: static argument NaN (of type `f64`) is not equal to itself"),
        "{msg}"
    );
}

#[test]
fn shape_errors_while_tracing_name_the_op_and_the_function() {
    fn add_mismatched(x: &Array, y: &Array) -> Array {
        x + y
    }
    let r = std::panic::catch_unwind(|| {
        jit(add_mismatched)(&jnp::ones(3), &jnp::ones(4));
    });
    let msg = r
        .unwrap_err()
        .downcast::<String>()
        .map(|s| *s)
        .unwrap_or_default();
    assert!(
        msg.contains("add got incompatible shapes for broadcasting: (3,), (4,)"),
        "{msg}"
    );
    assert!(
        msg.contains("while tracing the function `jit::shape_errors_while_tracing_name_the_op_and_the_function::add_mismatched` for jit with argument types (f32[3], f32[4])"),
        "{msg}"
    );
}

#[test]
fn lower_compile_and_the_compiled_view() {
    let f = |x: &Array, y: &Array| (lax::sin(x) * y).sum();
    let (x, y) = (jnp::array([1.0f32, 2.0]), jnp::array([3.0f32, 4.0]));
    let lowered = lower(f, &(x.clone(), y.clone()));
    assert_eq!(
        lowered.as_text(),
        "{ lambda ; a:f32[2] b:f32[2]. let\n    c:f32[2] = sin a\n    d:f32[2] = mul c b\n    \
         e:f32[] = reduce_sum[axes=(0,) out_sharding=None] d\n  in (e,) }"
    );
    let compiled = lowered.compile();
    assert_eq!(compiled.as_text(), "fused[sin,mul,reduce_sum]");
    let out: Array = compiled.call(&(x.clone(), y.clone()));
    assert_eq!(out.item::<f32>(), f(&x, &y).item::<f32>());
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _: Array = compiled.call(&(jnp::ones(3), jnp::ones(3)));
    }));
    let msg = r
        .unwrap_err()
        .downcast::<String>()
        .map(|s| *s)
        .unwrap_or_default();
    assert!(msg.starts_with("TypeError: Argument types differ from the types for which this computation was compiled."), "{msg}");
    // Loops show their compiled bodies; the update runs in place.
    let fill = |x: &Array| lax::fori_loop(0, 10, |i: &Array, x: &Array| x.at(i).set(1.0f32), x);
    let text = lower(fill, &(jnp::zeros(10),)).compile().as_text();
    assert!(text.starts_with("scan[length=10]\n  body:\n"), "{text}");
    assert!(
        text.contains("dynamic_update_slice (in place if the input is owned)\n  tier: "),
        "{text}"
    );
}

#[test]
fn donated_buffers_are_reused_or_copied_when_shared() {
    let step = jit_donate(
        |(x, v): &(Array, Array)| lax::fori_loop(0, 3, |i: &Array, x: &Array| x.at(i).set(v), x),
        Arg0,
    );
    let x = jnp::zeros(5);
    let y = step((x, Array::scalar(7.0f32)));
    assert_eq!(f32s(&y), vec![7.0, 7.0, 7.0, 0.0, 0.0]);
    // Still shared: left intact (copied), with JAX's warning on stderr.
    let x = jnp::zeros(5);
    let keep = x.clone();
    let y = step((x, Array::scalar(2.0f32)));
    assert_eq!(f32s(&y), vec![2.0, 2.0, 2.0, 0.0, 0.0]);
    assert_eq!(f32s(&keep), vec![0.0; 5]);
}

#[test]
fn a_transposed_product_becomes_the_swapped_product() {
    let f = |a: &Array, b: &Array| lax::transpose(&jnp::matmul(a, b), &[1, 0]);
    let (a, b) = (
        jnp::arange_dtype(6, DType::F32).reshape(&[2, 3]),
        jnp::arange_dtype(12, DType::F32).reshape(&[3, 4]),
    );
    let s = simplify(&make_jaxpr(f)(&a, &b));
    let text = s.to_string();
    assert!(!text.contains("transpose"), "{text}");
    assert_eq!(f32s(&s.call(&[a.clone(), b.clone()])[0]), f32s(&f(&a, &b)));
}

#[test]
fn operand_free_primitives_compile() {
    // iota has no operands; the simplifier must not assume one.
    let f = |x: &Array| x + lax::iota(DType::F32, 3);
    assert_eq!(f32s(&jit(f)(&jnp::ones(3))), vec![1.0, 2.0, 3.0]);
}

/// Bit patterns, so that NaN fill values compare equal.
fn bits(x: &Array) -> Vec<u32> {
    f32s(x).iter().map(|v| v.to_bits()).collect()
}

#[test]
fn negative_index_wrapping_folds_into_gather_and_scatter() {
    let x = jnp::arange_dtype(10, DType::F32);
    let idx = jnp::array([-1i32, 3, -10, 9, -11, 10, 0, -1]);
    let g = |x: &Array, i: &Array| x.at(i).add(1.0f32);
    let s = simplify::simplify(&make_jaxpr(g)(&x, &idx)).to_string();
    assert!(
        s.contains("wrap_negative=True") && !s.contains("select_n"),
        "{s}"
    );
    // Same results as eager (which runs the unfused lt/add/select_n).
    assert_eq!(bits(&jit(g)(&x, &idx)), bits(&g(&x, &idx)));
    let take = |x: &Array, i: &Array| jnp::take(x, i);
    assert_eq!(bits(&jit(take)(&x, &idx)), bits(&take(&x, &idx)));
    let read = |x: &Array, i: &Array| x.idx(i);
    let s = simplify::simplify(&make_jaxpr(read)(&x, &idx)).to_string();
    assert!(s.contains("wrap_negative=True"), "{s}");
    assert_eq!(bits(&jit(read)(&x, &idx)), bits(&read(&x, &idx)));
    let clip = |x: &Array, i: &Array| x.at(i).mode("clip").set(7.0f32);
    assert_eq!(bits(&jit(clip)(&x, &idx)), bits(&clip(&x, &idx)));
    // 2-d operands index one dim; the wrap uses that dim's size.
    let m = jnp::reshape(&jnp::arange_dtype(12, DType::F32), &[3, 4]);
    let rows = jnp::array([-1i32, 0, -3]);
    let pick = |m: &Array, r: &Array| m.idx(r);
    assert_eq!(bits(&jit(pick)(&m, &rows)), bits(&pick(&m, &rows)));
    let upd = |m: &Array, r: &Array| m.at(r).mul(2.0f32);
    assert_eq!(bits(&jit(upd)(&m, &rows)), bits(&upd(&m, &rows)));
}
