//! Section 4 of the porting issue: JAX lines port mechanically. Each test
//! is a JAX spelling and its jaxide twin; the expected values were printed
//! by JAX 0.10.2.

#![allow(clippy::needless_borrows_for_generic_args)] // references are the point here

mod common;

use common::panic_message;
use jaxide::prelude::*;

#[test]
fn jnp_functions_pass_straight_to_transformations() {
    let x = jnp::array([0.0f32, 1.0, 2.0]);
    // jax.grad(jnp.sin) needs a scalar: grad(jnp.sin)(1.0).
    let g = grad(jnp::sin)(&Array::scalar(1.0f32));
    assert!((g.item::<f32>() - 1.0f32.cos()).abs() < 1e-6);
    // jax.vmap(jnp.sum)(m)
    let m = jnp::reshape(&jnp::arange_dtype(6, DType::F32), &[2, 3]);
    assert_eq!(vmap(jnp::sum)(&m).to_vec::<f32>(), vec![3.0, 12.0]);
    // jax.jit(jnp.tanh)(x)
    let t = jit(jnp::tanh)(&x).to_vec::<f32>();
    assert!((t[1] - 1.0f32.tanh()).abs() < 1e-6);
    // Two arguments, and compositions.
    assert_eq!(jit(jnp::add)(&x, &x).to_vec::<f32>(), vec![0.0, 2.0, 4.0]);
    let gs = vmap(grad(jnp::sin))(&x).to_vec::<f32>();
    assert!((gs[2] - 2.0f32.cos()).abs() < 1e-6);
    assert_eq!(
        jit(jit(jnp::exp))(&Array::scalar(0.0f32)).item::<f32>(),
        1.0
    );
}

#[test]
fn unsuffixed_literals_in_operator_chains() {
    let n = jnp::arange(6);
    // (n % 2) == 0
    assert_eq!(
        (&n % 2).eq(0).to_vec::<bool>(),
        vec![true, false, true, false, true, false]
    );
    let x = jnp::array([1.0f32, 2.0]);
    assert_eq!((&x * 2.0).eq(2).to_vec::<bool>(), vec![true, false]);
    assert_eq!(((&x + 1) * 3 - 0.5).to_vec::<f32>(), vec![5.5, 8.5]);
    assert_eq!((n.clone() << 1).to_vec::<i32>()[5], 10);
    // Weak literals keep the array's dtype; 2.5 promotes int32 to float32.
    assert_eq!((&n * 2u8).dtype(), DType::I32);
    assert_eq!((&n * 2.5).dtype(), DType::F32);
}

#[test]
fn arrays_and_scalars_by_value_or_by_reference() {
    let x = jnp::array([1.0f32, 4.0]);
    let r = &x;
    let two = 2.0f32;
    assert_eq!(jnp::add(r, &two).to_vec::<f32>(), vec![3.0, 6.0]);
    assert_eq!(jnp::add(&r, two).to_vec::<f32>(), vec![3.0, 6.0]);
    assert_eq!(
        jnp::multiply(x.clone(), &&x).to_vec::<f32>(),
        vec![1.0, 16.0]
    );
    // Nested Rust data wherever an array goes (strongly typed, as np arrays).
    assert_eq!(jnp::add(&x, [1.0f32, 1.0]).to_vec::<f32>(), vec![2.0, 5.0]);
    assert_eq!(
        jnp::add(&x, vec![1.0f32, 1.0]).to_vec::<f32>(),
        vec![2.0, 5.0]
    );
    let s: &[f32] = &[0.5, 0.5];
    assert_eq!(jnp::add(&x, s).to_vec::<f32>(), vec![1.5, 4.5]);
}

#[test]
fn jnp_where_is_one_function_with_jax_promotion() {
    let c = jnp::array([true, false]);
    // jnp.where(c, 1, 2.0) -> float32, weak
    let w = jnp::r#where(&c, 1, 2.0);
    assert_eq!(
        format!("{w:?}"),
        "Array([1., 2.], dtype=float32, weak_type=True)"
    );
    assert_eq!(format!("{:?}", jnp::where_(&c, 1, 2.0)), format!("{w:?}"));
    // jnp.where(c, int32 array, 2.5) -> weak float32
    let i = jnp::array([1i32, 2]);
    assert_eq!(jnp::r#where(&c, &i, 2.5).dtype(), DType::F32);
    // jnp.where(c, uint8 array, -1) -> uint8
    let u = jnp::array([1u8, 2]);
    assert_eq!(jnp::r#where(&c, &u, -1).dtype(), DType::U8);
    // Broadcasting error names where.
    let msg = panic_message(|| jnp::r#where(&c, jnp::ones([3]), 0.0));
    assert_eq!(
        msg,
        "ValueError: Incompatible shapes for broadcasting: shapes=[(2,), (3,), ()]"
    );
}

#[test]
fn numpy_defaults_and_options_structs() {
    let x = jnp::array([1.0f32, 2.0, 3.0, 4.0]);
    // jnp.var(x), jnp.std(x), jnp.var(x, ddof=1)
    assert_eq!(jnp::var(&x).item::<f32>(), 1.25);
    assert_eq!(jnp::std(&x).item::<f32>(), 1.25f32.sqrt());
    let v1 = jnp::var_with(
        &x,
        jnp::Var {
            ddof: 1.0,
            ..Default::default()
        },
    );
    assert!((v1.item::<f32>() - 5.0 / 3.0).abs() < 1e-6);
    let m = jnp::reshape(&x, &[2, 2]);
    let va = jnp::var_with(
        &m,
        jnp::Var {
            axis: 0.into(),
            keepdims: true,
            ..Default::default()
        },
    );
    assert_eq!(va.shape(), &[1, 2]);
    assert_eq!(va.to_vec::<f32>(), vec![1.0, 1.0]);
    // jnp.linspace(0., 1., 5), endpoint=False
    assert_eq!(
        jnp::linspace(0., 1., 5).to_vec::<f32>(),
        vec![0.0, 0.25, 0.5, 0.75, 1.0]
    );
    let l = jnp::linspace_with(
        0,
        1,
        4,
        jnp::Linspace {
            endpoint: false,
            ..Default::default()
        },
    );
    assert_eq!(l.to_vec::<f32>(), vec![0.0, 0.25, 0.5, 0.75]);
    assert_eq!(
        jnp::logspace(0., 2., 3).to_vec::<f32>(),
        vec![1.0, 10.0, 100.0]
    );
    // jnp.eye(3), jnp.eye(2, 3, k=1, dtype=int32)
    assert_eq!(
        format!("{}", jnp::eye(3)),
        "[[1. 0. 0.]\n [0. 1. 0.]\n [0. 0. 1.]]"
    );
    let e = jnp::eye_with(
        2,
        jnp::Eye {
            m: Some(3),
            k: 1,
            dtype: Some(DType::I32),
        },
    );
    assert_eq!(format!("{e}"), "[[0 1 0]\n [0 0 1]]");
    // jnp.clip(x, 2, 5) and one-sided clips
    let n = jnp::arange(8);
    assert_eq!(
        jnp::clip(&n, 2, 5).to_vec::<i32>(),
        vec![2, 2, 2, 3, 4, 5, 5, 5]
    );
    assert_eq!(
        jnp::clip(&n, None::<i32>, 1).to_vec::<i32>(),
        vec![0, 1, 1, 1, 1, 1, 1, 1]
    );
    assert_eq!(
        jnp::clip(&x, 2.5, None::<f32>).to_vec::<f32>(),
        vec![2.5, 2.5, 3.0, 4.0]
    );
}

#[test]
fn array_literals_are_weak_and_array_dtype_converts_once() {
    // jnp.array(3) -> Array(3, dtype=int32, weak_type=True)
    assert_eq!(
        format!("{:?}", jnp::array(3)),
        "Array(3, dtype=int32, weak_type=True)"
    );
    assert_eq!(
        format!("{:?}", jnp::array(3.0)),
        "Array(3., dtype=float32, weak_type=True)"
    );
    assert_eq!(format!("{:?}", jnp::array(true)), "Array(True, dtype=bool)");
    assert_eq!(
        format!("{:?}", jnp::array([1, 2])),
        "Array([1, 2], dtype=int32)"
    );
    // A weak scalar takes the other operand's dtype.
    assert_eq!((jnp::array(3) + jnp::array([1u8, 2])).dtype(), DType::U8);
    // One rounding from f64 to bfloat16: 1 + 2^-8 + 2^-30 rounds up to 1 + 2^-7
    // directly, but to 1 through float32 (ties to even at 1 + 2^-8).
    let v = 1.0 + 2f64.powi(-8) + 2f64.powi(-30);
    let h = jnp::array_dtype([v], DType::BF16);
    assert_eq!(h.dtype(), DType::BF16);
    assert_eq!(
        jnp::astype(&h, DType::F32).to_vec::<f32>(),
        vec![1.0 + 2f32.powi(-7)]
    );
    let w = 1.0 + 2f64.powi(-11) + 2f64.powi(-40);
    let h = jnp::array_dtype([w], DType::F16);
    assert_eq!(
        jnp::astype(&h, DType::F32).to_vec::<f32>(),
        vec![1.0 + 2f32.powi(-10)]
    );
    assert_eq!(
        jnp::array_dtype([[1, 2]], DType::F32).to_vec::<f32>(),
        vec![1.0, 2.0]
    );
    assert_eq!(
        jnp::array_dtype([0.0, 2.5], DType::Bool).to_vec::<bool>(),
        vec![false, true]
    );
}

#[test]
fn in_axes_macro_is_short() {
    let (m, v) = (jnp::ones([4, 3]), jnp::arange_dtype(4, DType::F32));
    // jax.vmap(lambda c, v: c * v, in_axes=(1, None))(m, v)
    let y = vmap_with(|c: &Array, v: &Array| c * v, in_axes![1, None])(&m, &v);
    assert_eq!(y.shape(), &[3, 4]);
    // out_axes=1
    let y = vmap_with(|c: &Array, v: &Array| c * v, in_axes![1, None].out_axes(1))(&m, &v);
    assert_eq!(y.shape(), &[4, 3]);
    // Nested prefixes: in_axes=((0, None), 0)
    let f = |p: &(Array, Array), x: &Array| &p.0 * x + &p.1;
    let p = (jnp::ones([5, 2]), jnp::array([1.0f32, 2.0]));
    let y = vmap_with(f, in_axes![(0, None), 0])(&p, &jnp::ones([5, 2]));
    assert_eq!(y.shape(), &[5, 2]);
    assert_eq!(y.to_vec::<f32>()[..2], [2.0, 3.0]);
    assert_eq!(
        in_axes![-1, Some(0), None],
        InAxes::PerArg(vec![InAxis::Axis(-1), InAxis::Axis(0), InAxis::None])
    );
}

#[test]
fn cond_without_operands_and_scan_without_xs() {
    // lax.cond(True, lambda: 1., lambda: 2.) -> weak float32
    for (p, want) in [(true, 1.0f32), (false, 2.0)] {
        let r = lax::cond(
            &Array::scalar(p),
            |_: &()| jnp::array(1.0),
            |_: &()| jnp::array(2.0),
            &(),
        );
        assert_eq!(
            format!("{r:?}"),
            format!("Array({want}., dtype=float32, weak_type=True)")
        );
    }
    // lax.scan(lambda c, x: (c + 1, c * 2), 0, xs=None, length=5)
    let (c, ys) = lax::scan_with(
        |c: &Array, _x: &Option<Array>| (c + 1, c * 2),
        &jnp::array(0),
        &None,
        lax::ScanOptions {
            length: Some(5),
            ..Default::default()
        },
    );
    assert_eq!(format!("{c:?}"), "Array(5, dtype=int32, weak_type=True)");
    assert_eq!(
        format!("{ys:?}"),
        "Array([0, 2, 4, 6, 8], dtype=int32, weak_type=True)"
    );
    let msg = panic_message(|| {
        lax::scan(
            |c: &Array, _: &Option<Array>| (c + 1, c * 2),
            &jnp::array(0),
            &None,
        )
    });
    assert_eq!(
        msg,
        "ValueError: scan got no values to scan over and `length` not provided."
    );
}

#[test]
fn keys_stack_and_index_like_arrays() {
    use jaxide::random;
    let (a, b) = (random::key(0), random::key(1));
    let ks = random::stack_keys([&a, &b], 0);
    assert_eq!(
        format!("{ks:?}"),
        "Array((2,), dtype=key<fry>) overlaying:\n[[0 0]\n [0 1]]"
    );
    assert_eq!(
        format!("{:?}", ks.idx(0)),
        "Array((), dtype=key<fry>) overlaying:\n[0 0]"
    );
    assert_eq!(
        format!("{:?}", ks.idx(s![1..])),
        "Array((1,), dtype=key<fry>) overlaying:\n[[0 1]]"
    );
    let grid = random::split_shape(&a, &[2, 2]);
    assert_eq!(grid.idx(s![ELLIPSIS, 1]).shape(), &[2]);
    assert_eq!(random::concatenate_keys([&ks, &ks], 0).shape(), &[4]);
    // The same keys give the same numbers after a round trip.
    let n0 = random::normal(&ks.idx(1), &[3]).to_vec::<f32>();
    assert_eq!(n0, random::normal(&b, &[3]).to_vec::<f32>());
    // Raw uint32 keys are arrays and stack with jnp::stack.
    let raw = jnp::stack([random::prng_key(0), random::prng_key(1)], 0);
    assert_eq!(
        format!("{raw:?}"),
        "Array([[0, 0],\n       [0, 1]], dtype=uint32)"
    );
}

#[test]
fn stacking_takes_any_iterator_of_arrays() {
    let rows: Vec<Array> = (0..3).map(|i| jnp::full([2], i)).collect();
    assert_eq!(jnp::stack(&rows, 0).shape(), &[3, 2]);
    assert_eq!(jnp::stack(rows.clone(), 1).shape(), &[2, 3]);
    assert_eq!(
        jnp::stack(rows.iter().map(|r| r * 2), 0).to_vec::<i32>()[4],
        4
    );
    assert_eq!(jnp::concatenate([&rows[0], &rows[1]], 0).shape(), &[4]);
    assert_eq!(jnp::vstack(&rows).shape(), &[3, 2]);
    assert_eq!(jnp::hstack(rows.iter()).shape(), &[6]);
    let msg = panic_message(|| jnp::stack(Vec::<Array>::new(), 0));
    assert_eq!(msg, "ValueError: Need at least one array to stack.");
}

/// A `fn` item whose rule calls the function itself (the JAX pattern
/// `y = f(x)` inside `@f.defjvp`).
fn sin_with_doubled_rule(x: &Array) -> Array {
    custom_jvp(
        |x: &Array| jnp::sin(x),
        |x: &Array, t: &Array| {
            let y = sin_with_doubled_rule(x);
            (y.clone(), t * 2.0 * &y)
        },
    )(x)
}

#[test]
fn custom_jvp_rules_can_call_the_function_they_define() {
    // JAX 0.10: grad(f)(1.0) = 1.6829419, grad(grad(f))(1.0) = 3.3658838
    let x = Array::scalar(1.0f32);
    let closure = custom_jvp_rec(
        |x: &Array| jnp::sin(x),
        |f: &dyn Fn(&Array) -> Array, x: &Array, t: &Array| {
            let y = f(x);
            (y.clone(), t * 2.0 * &y)
        },
    );
    for f in [
        &closure as &(dyn Fn(&Array) -> Array + Sync),
        &sin_with_doubled_rule,
    ] {
        let g1 = grad(|x: &Array| f(x))(&x).item::<f32>();
        let g2 = grad(grad(|x: &Array| f(x)))(&x).item::<f32>();
        assert!((g1 - 1.6829419).abs() < 1e-6, "{g1}");
        assert!((g2 - 3.3658838).abs() < 1e-6, "{g2}");
    }
}

#[test]
fn weak_loop_carries_are_promoted_as_in_jax() {
    let w0 = jnp::array(0); // a weak int, like Python's 0
    let r = lax::fori_loop(0, 3, |_, c: &Array| c + 0.5, &w0);
    assert_eq!(format!("{r:?}"), "Array(1.5, dtype=float32)");
    let r = lax::fori_loop(0, 3, |_, c: &Array| c + 0.5, &jnp::array(0.0));
    assert_eq!(
        format!("{r:?}"),
        "Array(1.5, dtype=float32, weak_type=True)"
    );
    let r = lax::fori_loop(0, 3, |i: &Array, c: &Array| c + i, &w0);
    assert_eq!(format!("{r:?}"), "Array(3, dtype=int32, weak_type=True)");
    let r = lax::fori_loop(
        0,
        3,
        |_, c: &Array| c * Array::scalar(2.0f32),
        &jnp::array(1.0),
    );
    assert_eq!(format!("{r:?}"), "Array(8., dtype=float32)");
    let r = lax::fori_loop(0, 3, |_, c: &Array| c.astype(DType::F16), &jnp::array(1.0));
    assert_eq!(format!("{r:?}"), "Array(1., dtype=float16)");
    let r = lax::while_loop(|c: &Array| c.lt(2), |c: &Array| c + 0.5, &w0);
    assert_eq!(format!("{r:?}"), "Array(2., dtype=float32)");
    let r = jit(|c: &Array| lax::while_loop(|c: &Array| c.lt(2), |c: &Array| c + 1, c))(&w0);
    assert_eq!(format!("{r:?}"), "Array(2, dtype=int32, weak_type=True)");
    let (c, ys) = lax::scan_with(
        |c: &Array, _: &Option<Array>| (c + 0.5, c.clone()),
        &w0,
        &None,
        lax::ScanOptions {
            length: Some(3),
            ..Default::default()
        },
    );
    assert_eq!(format!("{c:?}"), "Array(1.5, dtype=float32)");
    assert_eq!(format!("{ys:?}"), "Array([0. , 0.5, 1. ], dtype=float32)");
    // A weak int carry cannot become bool (JAX's TypeError).
    let msg = panic_message(|| lax::fori_loop(0, 3, |_, c: &Array| c.gt(0), &w0));
    assert!(
        msg.starts_with("TypeError:") && msg.contains("bool[]"),
        "{msg}"
    );
}

#[test]
fn promote_types_follows_the_x64_lattice() {
    assert!(!jaxide::config::enable_x64());
    // JAX 0.10 with x64 off: promote_types(uint32, int32) = int32, not canonicalized.
    assert_eq!(jnp::promote_types(DType::U32, DType::I32), DType::I32);
    assert_eq!(jnp::promote_types(DType::I8, DType::U32), DType::I32);
    assert_eq!(jnp::promote_types(DType::U8, DType::I64), DType::I64);
    assert_eq!(jnp::promote_types(DType::I32, DType::U64), DType::F64);
    assert_eq!(jnp::promote_types(DType::F16, DType::BF16), DType::F32);
    // Arrays are canonicalized before promotion.
    let (a, b) = (
        jnp::zeros_dtype([1], DType::U32),
        jnp::zeros_dtype([1], DType::I32),
    );
    assert_eq!((a + b).dtype(), DType::I32);
}

/// The README's "Porting from JAX" lines compile and run as written.
#[test]
fn readme_porting_lines() {
    use jaxide::random;
    let x = jnp::linspace(0., 1., 4);
    let m = jnp::ones([2, 3]);
    let n = jnp::arange(6);
    let (xs, rows) = (
        jnp::arange_dtype(6, DType::F32),
        vec![jnp::ones([2]), jnp::zeros([2])],
    );
    let w = jnp::eye(4);
    let f = |c: &Array, v: &Array| c * v;
    let (k1, k2) = (random::key(1), random::key(2));
    #[derive(PyTree, Clone)]
    struct P {
        w: Array,
    }
    let params = P { w: jnp::ones([2]) };
    grad(jnp::sin)(&Array::scalar(0.5f32));
    vmap(jnp::sum)(&m);
    jit(jnp::tanh)(&x);
    (&n % 2).eq(0);
    jnp::var(&x);
    jnp::linspace(0., 1., 5);
    jnp::eye(3);
    jnp::clip(&x, 2, 5);
    jnp::var_with(
        &x,
        jnp::Var {
            ddof: 1.0,
            ..Default::default()
        },
    );
    assert_eq!(
        format!("{:?}", jnp::array(3)),
        "Array(3, dtype=int32, weak_type=True)"
    );
    jnp::array_dtype([0.1, 0.2], DType::BF16);
    vmap_with(f, in_axes![0, None])(&m, &jnp::ones([3]));
    lax::map_with(
        |v: &Array| v * 2,
        &xs,
        lax::MapOptions {
            batch_size: Some(32),
        },
    );
    lax::associative_scan(|a: &Array, b: &Array| a * b, &xs);
    let layer = checkpoint(|x: &Array| jnp::tanh(jnp::matmul(x, &w)));
    layer(&x);
    eval_shape(jnp::exp, &(ShapeDtypeStruct::new([1 << 40], DType::F32),));
    jnp::stack(rows.iter().map(|r| r * 2), 0);
    random::stack_keys([&k1, &k2], 0).idx(1);
    let p2 = tree_map_with_path(
        |path, x| {
            if keystr(path) == ".w" {
                x * 0.5
            } else {
                x.clone()
            }
        },
        &params,
    );
    assert_eq!(p2.w.to_vec::<f32>(), vec![0.5, 0.5]);
    let f_of_int = |x: &Array, n: &Array| (x * n.astype(DType::F32)).sum();
    let z = &x * Complex64::new(0., 1.);
    assert_eq!(z.dtype(), DType::C64);
    jnp::angle(&z);
    jnp::real(&z);
    z.conj();
    assert_eq!(jnp::abs(&z).dtype(), DType::F32);
    let g = grad(|z: &Array| jnp::abs(z).pow(2))(&z.sum());
    assert_eq!(g.dtype(), DType::C64);
    grad_with(
        jnp::sin,
        Arg0,
        GradOptions {
            holomorphic: true,
            ..Default::default()
        },
    )(&z.sum());
    let g0 = grad_with(
        f_of_int,
        Arg1,
        GradOptions {
            allow_int: true,
            ..Default::default()
        },
    )(&x, &jnp::arange(4));
    assert_eq!(g0.dtype(), DType::Float0);
}

/// `jnp.isclose`/`jnp.allclose`, against JAX's outputs.
#[test]
fn isclose_and_allclose_match_jax() {
    let inf = f32::INFINITY;
    let a = jnp::array([1.0f32, 1e10, inf, f32::NAN, -inf, 1.0, 0.0]);
    let b = jnp::array([1.0f32 + 1e-6, 1.00001e10, inf, f32::NAN, inf, 1.1, 1e-9]);
    assert_eq!(
        format!("{:?}", jnp::isclose(&a, &b)),
        "Array([ True, False,  True, False, False, False,  True], dtype=bool)"
    );
    let nan_ok = jnp::IsClose {
        equal_nan: true,
        ..Default::default()
    };
    assert_eq!(
        format!("{:?}", jnp::isclose_with(&a, &b, nan_ok)),
        "Array([ True, False,  True,  True, False, False,  True], dtype=bool)"
    );
    assert_eq!(
        format!("{:?}", jnp::allclose(&a, &a)),
        "Array(False, dtype=bool)"
    );
    assert_eq!(
        format!("{:?}", jnp::isclose(jnp::array([1, 2]), 1)),
        "Array([ True, False], dtype=bool)"
    );
    let z = jnp::array([jaxide::core::element::Complex32::new(1.0, 1.0)]);
    let w = jnp::array([jaxide::core::element::Complex32::new(1.0, 1.000001)]);
    assert!(jnp::allclose(&z, &w).item::<bool>());
    let m = std::panic::catch_unwind(|| jnp::isclose(jnp::ones([2]), jnp::ones([3])));
    assert!(m.is_err(), "mismatched shapes are rejected");
}
