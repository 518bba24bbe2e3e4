//! The native loop tier against the interpreter: the same jitted loops run
//! under `JitTier::Interp` and `JitTier::Native` give the same bits, and
//! loops the native tier cannot take fall back cleanly.

use jaxide::config::{self, JitTier};
use jaxide::ir::{BinaryOp, CompareOp, UnaryOp};
use jaxide::prelude::*;
use std::sync::Mutex;

/// The tier and x64 flags are global: tests here take turns.
static GLOBAL: Mutex<()> = Mutex::new(());

/// Shape, dtype and the exact bits of every element.
fn bits(x: &Array) -> (Vec<usize>, DType, Vec<u64>) {
    let raw = match x.dtype().size_of() {
        _ if x.dtype() == DType::Bool => x.clone(),
        1 => lax::bitcast_convert_type(x, DType::U8),
        2 => lax::bitcast_convert_type(x, DType::U16),
        4 => lax::bitcast_convert_type(x, DType::U32),
        _ => lax::bitcast_convert_type(x, DType::U64),
    };
    let wide = lax::convert_element_type(&raw, DType::U64);
    (x.shape().to_vec(), x.dtype(), wide.to_vec::<u64>())
}

/// Runs `f` under both tiers; returns the interpreter's and native results.
fn both<R>(f: impl Fn() -> R) -> (R, R) {
    config::set_jit_tier(JitTier::Interp);
    let a = f();
    config::set_jit_tier(JitTier::Native);
    let b = f();
    config::set_jit_tier(JitTier::Auto);
    (a, b)
}

#[test]
fn at_set_fori_loop_runs_natively_with_the_interpreters_bits() {
    let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    let n = 1000usize;
    let fill = jit(move |x: &Array| {
        lax::fori_loop(
            0,
            2500,
            |i: &Array, x: &Array| x.at(&(i % n as i32)).set(i.astype(DType::F32)),
            x,
        )
    });
    let x = jnp::zeros(n);
    let (a, b) = both(|| fill(&x));
    assert_eq!(bits(&a), bits(&b));
    assert_eq!(b.at(3).get().item::<f32>(), 2003.0);
    // The input is not modified by the in-place loop.
    assert_eq!(x.sum().item::<f32>(), 0.0);
    config::set_jit_tier(JitTier::Native);
    let text = jaxide::transforms::jit::lower(
        move |x: &Array| {
            lax::fori_loop(
                0,
                10,
                |i: &Array, x: &Array| x.at(&(i % n as i32)).set(i.astype(DType::F32)),
                x,
            )
        },
        &(x.clone(),),
    )
    .compile();
    text.call(&(x.clone(),));
    let shown = text.as_text();
    config::set_jit_tier(JitTier::Auto);
    assert!(shown.contains("tier: native"), "{shown}");
}

#[test]
fn while_newton_on_f64_scalars() {
    let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    config::set_enable_x64(true);
    let newton = jit(|a: &Array| {
        let (x, _) = lax::while_loop(
            |(x, k): &(Array, Array)| {
                let r = x * x - a;
                lax::compare(CompareOp::Gt, &jnp::abs(&r), &Array::scalar(1e-14f64)) & k.lt(50)
            },
            |(x, k): &(Array, Array)| ((x - (x * x - a) / (x * 2.0f64)), k + 1),
            &(Array::scalar(1.0f64), Array::scalar(0i32)),
        );
        x
    });
    let a = Array::scalar(2.0f64);
    let (r1, r2) = both(|| newton(&a));
    config::set_enable_x64(false);
    assert_eq!(r1.dtype(), DType::F64);
    assert_eq!(bits(&r1), bits(&r2));
    assert!((r2.item::<f64>() - 2f64.sqrt()).abs() < 1e-15);
}

#[test]
fn scan_with_scalar_xs_and_ys() {
    let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    let f = jit(|xs: &Array| {
        lax::scan_with(
            |c: &Array, x: &Array| {
                let c2 = c * 0.5f32 + jnp::sin(x);
                (c2.clone(), c2 * 2.0f32)
            },
            &Array::scalar(0.0f32),
            xs,
            lax::ScanOptions {
                length: None,
                reverse: true,
            },
        )
    });
    let xs = jnp::linspace(0.0, 3.0, 17);
    let ((c1, y1), (c2, y2)) = both(|| f(&xs));
    assert_eq!(bits(&c1), bits(&c2));
    assert_eq!(bits(&y1), bits(&y2));
}

#[test]
fn loops_the_native_tier_cannot_take_fall_back() {
    let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    // A vector carry updated elementwise: not a scalar program.
    let f = jit(|x: &Array| lax::fori_loop(0, 5, |_: &Array, x: &Array| x * 1.5f32 + 1.0f32, x));
    let x = jnp::arange(6);
    let (a, b) = both(|| f(&x.astype(DType::F32)));
    assert_eq!(bits(&a), bits(&b));
    config::set_jit_tier(JitTier::Native);
    let c = jaxide::transforms::jit::lower(
        |x: &Array| lax::fori_loop(0, 5, |_: &Array, x: &Array| x * 1.5f32, x),
        &(x.astype(DType::F32),),
    )
    .compile();
    c.call(&(x.astype(DType::F32),));
    let shown = c.as_text();
    config::set_jit_tier(JitTier::Auto);
    assert!(shown.contains("tier: interpreted ("), "{shown}");
}

#[test]
fn integer_division_by_zero_and_overflow_match_in_both_tiers() {
    let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    let f = jit(|x: &Array, y: &Array| {
        lax::fori_loop(
            0,
            1,
            |_: &Array, (q, r): &(Array, Array)| {
                (
                    lax::binary(BinaryOp::Div, q, y),
                    lax::binary(BinaryOp::Rem, r, y),
                )
            },
            &(x.clone(), x.clone()),
        )
    });
    for (x, y) in [(7, 0), (i32::MIN, -1), (-7, 2), (0, 0)] {
        let (x, y) = (Array::scalar(x), Array::scalar(y));
        let ((q1, r1), (q2, r2)) = both(|| f(&x, &y));
        let eager = (
            lax::binary(BinaryOp::Div, &x, &y),
            lax::binary(BinaryOp::Rem, &x, &y),
        );
        assert_eq!(bits(&q1), bits(&q2));
        assert_eq!(bits(&r1), bits(&r2));
        assert_eq!(bits(&q2), bits(&eager.0));
        assert_eq!(bits(&r2), bits(&eager.1));
    }
}

/// xorshift64*: a small deterministic generator for the property test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const INTS: [DType; 8] = [
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::U8,
    DType::U16,
    DType::U32,
    DType::U64,
];
const FLOATS: [DType; 4] = [DType::F32, DType::F64, DType::F16, DType::BF16];

/// One random loop: an int carry, a float carry, a carry of any dtype and
/// an array carry, each step mixing them with randomly chosen operations.
#[derive(Clone, Debug)]
struct Recipe {
    int: DType,
    float: DType,
    any: DType,
    arr: DType,
    int_op: BinaryOp,
    float_op: BinaryOp,
    unary: UnaryOp,
    cmp: CompareOp,
    any_ops: (BinaryOp, BinaryOp),
    pow: i32,
    steps: i64,
}

fn recipe(rng: &mut Rng) -> Recipe {
    let all: Vec<DType> = INTS
        .iter()
        .chain(&FLOATS)
        .copied()
        .chain([DType::Bool])
        .collect();
    let any = rng.pick(&all);
    let any_ops = if any == DType::Bool {
        (
            rng.pick(&[BinaryOp::And, BinaryOp::Or, BinaryOp::Xor]),
            BinaryOp::Or,
        )
    } else {
        let ops = [
            BinaryOp::Add,
            BinaryOp::Sub,
            BinaryOp::Mul,
            BinaryOp::Max,
            BinaryOp::Min,
            BinaryOp::Div,
        ];
        (rng.pick(&ops), rng.pick(&ops))
    };
    Recipe {
        int: rng.pick(&INTS),
        float: rng.pick(&FLOATS),
        any,
        arr: rng.pick(&all),
        int_op: rng.pick(&[
            BinaryOp::Add,
            BinaryOp::Sub,
            BinaryOp::Mul,
            BinaryOp::Div,
            BinaryOp::Rem,
            BinaryOp::Max,
            BinaryOp::Min,
            BinaryOp::And,
            BinaryOp::Or,
            BinaryOp::Xor,
            BinaryOp::ShiftLeft,
            BinaryOp::ShiftRightArithmetic,
            BinaryOp::ShiftRightLogical,
        ]),
        float_op: rng.pick(&[
            BinaryOp::Add,
            BinaryOp::Sub,
            BinaryOp::Mul,
            BinaryOp::Div,
            BinaryOp::Rem,
            BinaryOp::Max,
            BinaryOp::Min,
            BinaryOp::Pow,
            BinaryOp::Atan2,
        ]),
        unary: rng.pick(&[
            UnaryOp::Neg,
            UnaryOp::Abs,
            UnaryOp::Floor,
            UnaryOp::Round,
            UnaryOp::Sqrt,
            UnaryOp::Exp,
            UnaryOp::Sin,
            UnaryOp::Tanh,
            UnaryOp::Log1p,
            UnaryOp::Logistic,
            UnaryOp::Sign,
            UnaryOp::Square,
        ]),
        cmp: rng.pick(&CompareOp::ALL),
        any_ops,
        pow: (rng.next() % 5) as i32,
        steps: (rng.next() % 40) as i64,
    }
}

fn cast(x: &Array, d: DType) -> Array {
    lax::convert_element_type(x, d)
}

type Carry4 = (Array, Array, Array, Array);

fn run_recipe(r: &Recipe) -> (Carry4, String) {
    let r2 = r.clone();
    let f = move |init: &Carry4| {
        let r = r2.clone();
        lax::fori_loop(
            0,
            r.steps,
            move |i: &Array, (a, b, c, arr): &(Array, Array, Array, Array)| {
                let a2 = lax::binary(r.int_op, a, &cast(&(i + 3), r.int));
                let b2 = lax::binary(r.float_op, &lax::unary(r.unary, b), &cast(&a2, r.float));
                let b2 = lax::integer_pow(&b2, r.pow);
                let k = cast(&Array::scalar(2.5f32), r.float);
                let pred = lax::compare(r.cmp, b, &k);
                let one = cast(&Array::scalar(1i32), r.any);
                let c2 = lax::select(
                    &pred,
                    &lax::binary(r.any_ops.0, c, &one),
                    &lax::binary(r.any_ops.1, c, &cast(&b2, r.any)),
                );
                let idx = cast(&a2, DType::I32);
                let arr2 = arr.at(&idx).set(cast(&c2, r.arr));
                (a2, b2, c2, arr2)
            },
            init,
        )
    };
    let init = (
        cast(&Array::scalar(5i32), r.int),
        cast(&Array::scalar(0.75f32), r.float),
        cast(&Array::scalar(2i32), r.any),
        cast(&jnp::arange(6), r.arr),
    );
    let c = jaxide::transforms::jit::lower(f, &(init.clone(),)).compile();
    let out = c.call(&(init,));
    (out, c.as_text())
}

#[test]
fn random_scalar_loops_agree_bit_for_bit() {
    let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    config::set_enable_x64(true);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut native_runs = 0;
    for _ in 0..60 {
        let r = recipe(&mut rng);
        let ((a, _), (b, text)) = both(|| run_recipe(&r));
        let a = [bits(&a.0), bits(&a.1), bits(&a.2), bits(&a.3)];
        let b = [bits(&b.0), bits(&b.1), bits(&b.2), bits(&b.3)];
        assert_eq!(a, b, "{r:?}");
        if text.contains("tier: native") {
            native_runs += 1;
        } else if r.steps > 0 {
            eprintln!("not native: {r:?}\n{text}");
        }
    }
    config::set_enable_x64(false);
    // Every recipe is a scalar loop with one-element updates: all lower
    // (a loop of 0 steps is simplified away before it runs).
    assert!(
        native_runs >= 50,
        "only {native_runs} of 60 loops ran natively"
    );
}

#[test]
fn integer_index_math_fuses_into_one_native_kernel() {
    let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    let f = |x: &Array| {
        let y = jnp::floor_divide(&((x * 7 + 3) % 1009), 3) - 50;
        let z = jnp::clip(&y, 0, 255);
        (jnp::sum(&z), z.astype(DType::I8), jnp::max(&(x % -13)))
    };
    let x = &jnp::arange(100_003) - 50_000;
    let eager = f(&x);
    let ((a, b, c), (d, e, g)) = both(|| jit(f)(&x));
    for (p, q) in [(&a, &d), (&b, &e), (&c, &g)] {
        assert_eq!(bits(p), bits(q));
    }
    assert_eq!(bits(&eager.0), bits(&d));
    assert_eq!(bits(&eager.1), bits(&e));
    assert_eq!(bits(&eager.2), bits(&g));
    config::set_jit_tier(JitTier::Native);
    let c = jaxide::transforms::jit::lower(f, &(x.clone(),)).compile();
    let shown = c.as_text();
    config::set_jit_tier(JitTier::Auto);
    assert!(shown.contains("native[mul,add,rem"), "{shown}");
}

/// An SGD-style tail on a handful of parameters: `t - 0.1 * [2 t0, t1 + 1]`
/// built from element reads, pads and concatenation.
fn small_tail(t: &Array, g: &Array) -> Array {
    let (a, b) = (t.at(0).get(), t.at(1).get());
    let u = jnp::concatenate(
        [&(&a * 2.0f32).reshape(&[1]), &(&b + 1.0f32).reshape(&[1])],
        0,
    );
    let padded = lax::pad(&g.reshape(&[1]), &jnp::array(0.0f32), &[(1, 0, 0)]);
    t - 0.1f32 * (u + padded)
}

#[test]
fn small_array_runs_fuse_into_one_native_kernel() {
    let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    let t = jnp::array([1.5f32, -0.25]);
    let g = jnp::array(0.75f32);
    let eager = small_tail(&t, &g);
    let (a, b) = both(|| jit(small_tail)(&t, &g));
    assert_eq!(bits(&a), bits(&b));
    assert_eq!(bits(&eager), bits(&b));
    config::set_jit_tier(JitTier::Native);
    let shown = jaxide::transforms::jit::lower(small_tail, &(t.clone(), g.clone()))
        .compile()
        .as_text();
    config::set_jit_tier(JitTier::Auto);
    assert_eq!(shown.lines().count(), 1, "{shown}");
    assert!(shown.starts_with("native["), "{shown}");
}

/// Layout operations on small arrays (strided slices, interior and
/// negative padding, transposes, reversal, broadcasts, concatenation) and
/// integer and boolean math, against the interpreter and eager mode.
fn small_layouts(x: &Array, k: &Array) -> (Array, Array, Array) {
    let m = x.reshape(&[2, 3]);
    let tr = lax::transpose(&m, &[1, 0]);
    let rv = lax::rev(&tr, &[0]);
    let st = lax::slice_with_strides(&rv, &[0, 0], &[3, 2], &[2, 1]);
    let pd = lax::pad(&st, &jnp::array(-1.0f32), &[(1, -1, 1), (0, 2, 0)]);
    let bc = lax::broadcast_in_dim(&x.at(0).get(), &[2, 2], &[]);
    let cat = jnp::concatenate([&pd.reshape(&[-1]), &bc.reshape(&[-1])], 0);
    let ints = (k * 7 - 3) % 4 + jnp::floor_divide(k, &(k - 2));
    let picked = jnp::r#where(k.gt(1), &ints, &(-k));
    let flags = k.gt(0).astype(DType::F32) * &x.at(1).get();
    (cat, picked, flags)
}

#[test]
fn small_array_layouts_and_integer_math_match_the_interpreter() {
    let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    let x = jnp::array([0.5f32, -2.0, 3.25, 7.0, -0.0, 1e-30]);
    let k = jnp::array([-3i32, 0, 2, 5, 9]);
    let eager = small_layouts(&x, &k);
    let (a, b) = both(|| jit(small_layouts)(&x, &k));
    for (p, q, e) in [
        (&a.0, &b.0, &eager.0),
        (&a.1, &b.1, &eager.1),
        (&a.2, &b.2, &eager.2),
    ] {
        assert_eq!(bits(p), bits(q));
        assert_eq!(bits(e), bits(q));
    }
    config::set_jit_tier(JitTier::Native);
    let shown = jaxide::transforms::jit::lower(small_layouts, &(x.clone(), k.clone()))
        .compile()
        .as_text();
    config::set_jit_tier(JitTier::Auto);
    assert!(
        shown.contains("native[reshape,transpose,rev,slice"),
        "{shown}"
    );
}

#[test]
fn small_array_kernels_give_the_same_bits_before_and_after_their_code_is_ready() {
    let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    config::set_jit_tier(JitTier::Auto);
    let t = jnp::array([0.125f32, 3.0]);
    let g = jnp::array(-1.5f32);
    let eager = small_tail(&t, &g);
    // A fresh function: its first calls run the replaced equations while
    // the compile thread works, later ones the machine code.
    let f = jit(small_tail);
    for _ in 0..200 {
        assert_eq!(bits(&f(&t, &g)), bits(&eager));
    }
}

#[test]
fn elementwise_kernels_give_the_same_bits_while_compiling_in_the_background() {
    let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    config::set_jit_tier(JitTier::Auto);
    let f = |x: &Array| {
        let y = (x * 5 - 7) % 11 + jnp::floor_divide(x, 4);
        (jnp::sum(&y), y.astype(DType::I16))
    };
    let x = jnp::arange(50_000) - 20_000;
    let eager = f(&x);
    let h = jit(f);
    for _ in 0..20 {
        let (s, y) = h(&x);
        assert_eq!(bits(&s), bits(&eager.0));
        assert_eq!(bits(&y), bits(&eager.1));
    }
}
