//! The autodiff API: grad/value_and_grad with argnums and has_aux, jvp, vjp,
//! linearize, pytrees, higher order, custom rules, JAX's conventions at tricky
//! points, and the messages for bad input. Expected values come from JAX
//! 0.10.2 (the snippets are in the comments).

use jaxide::prelude::*;
use std::collections::BTreeMap;

mod common;
use common::panic_message;

fn f32s(x: &Array) -> Vec<f32> {
    x.to_vec::<f32>()
}

fn sse(x: &Array, y: &Array) -> Array {
    (x - y).pow(2).sum()
}

#[test]
fn grad_of_sum_of_squares() {
    let x = jnp::array([1.0f32, 2., 3., 4.]);
    let g = grad(|x: &Array| x.pow(2).sum())(&x);
    assert_eq!(format!("{g}"), "[2. 4. 6. 8.]");
}

#[test]
fn argnums_select_arguments_and_types() {
    let x = jnp::array([1.0f32, 2., 3., 4.]);
    let y = &x + 0.1f32;
    // jax.grad(sse, argnums=1)(x, y)
    let dy = grad_argnums(sse, Arg1)(&x, &y);
    assert_eq!(
        format!("{dy:?}"),
        "Array([0.20000005, 0.19999981, 0.19999981, 0.19999981], dtype=float32)"
    );
    // argnums=(1,) gives a 1-tuple; (1, 0) gives them in that order.
    let (dy1,) = grad_argnums(sse, (Arg1,))(&x, &y);
    assert_eq!(f32s(&dy1), f32s(&dy));
    let (dy2, dx2) = grad_argnums(sse, (Arg1, Arg0))(&x, &y);
    assert_eq!(f32s(&dy2), f32s(&dy));
    assert_eq!(f32s(&dx2), f32s(&-&dy));
    // Mixed argument types: differentiate a Vec and a map, leave an int alone.
    let f = |w: &Vec<Array>, n: &Array, m: &BTreeMap<String, Array>| {
        (&w[0] * &w[1] * n.astype(DType::F32) + &m["b"]).sum()
    };
    let w = vec![jnp::array([2.0f32]), jnp::array([3.0f32])];
    let n = jnp::array([2i32]);
    let m: BTreeMap<String, Array> = [("b".to_string(), jnp::array([1.0f32]))].into();
    let (gw, gm) = grad_argnums(f, (Arg0, Arg2))(&w, &n, &m);
    assert_eq!(f32s(&gw[0]), vec![6.0]);
    assert_eq!(f32s(&gw[1]), vec![4.0]);
    assert_eq!(f32s(&gm["b"]), vec![1.0]);
}

#[test]
fn value_and_grad_and_has_aux() {
    let x = jnp::array([1.0f32, 2., 3., 4.]);
    let y = &x + 0.1f32;
    let (v, g) = value_and_grad(sse)(&x, &y);
    assert_eq!(format!("{v:?}"), "Array(0.03999995, dtype=float32)");
    assert_eq!(
        f32s(&g),
        vec![-0.20000005, -0.19999981, -0.19999981, -0.19999981]
    );
    let with_aux = |x: &Array, y: &Array| (sse(x, y), x - y);
    let (g2, aux) = grad_has_aux(with_aux)(&x, &y);
    assert_eq!(f32s(&g2), f32s(&g));
    assert_eq!(
        format!("{aux:?}"),
        "Array([-0.10000002, -0.0999999 , -0.0999999 , -0.0999999 ], dtype=float32)"
    );
    // value_and_grad with has_aux returns ((value, aux), grad), as in JAX.
    let ((v3, aux3), g3) = value_and_grad_has_aux(with_aux)(&x, &y);
    assert_eq!(f32s(&v3), f32s(&v));
    assert_eq!(f32s(&aux3), f32s(&aux));
    assert_eq!(f32s(&g3), f32s(&g));
    // Aux may be any pytree, and is a plain (non-traced) value afterwards.
    let (g4, (a, b)) = grad_argnums_has_aux(
        |x: &Array, y: &Array| (sse(x, y), (x * 2.0f32, y.sum())),
        Arg1,
    )(&x, &y);
    assert_eq!(f32s(&g4), f32s(&-&g));
    assert!(!a.is_tracer() && !b.is_tracer());
    let ((v5, _), (gx, gy)) = value_and_grad_argnums_has_aux(with_aux, (Arg0, Arg1))(&x, &y);
    assert_eq!(f32s(&v5), f32s(&v));
    assert_eq!(f32s(&gx), f32s(&-&gy));
    let (v6, (gx6,)) = value_and_grad_argnums(sse, (Arg0,))(&x, &y);
    assert_eq!(f32s(&v6), f32s(&v));
    assert_eq!(f32s(&gx6), f32s(&g));
}

#[derive(PyTree, Clone, Debug)]
struct Params {
    w: Array,
    b: Array,
    #[pytree(static)]
    name: String,
}

fn loss(p: &Params, x: &Array, y: &Array) -> Array {
    (&p.w * x + &p.b - y).pow(2).mean()
}

#[test]
fn grad_of_a_derived_pytree_returns_the_same_type() {
    let p = Params {
        w: jnp::array([2.0f32]),
        b: jnp::array([0.5f32]),
        name: "lin".into(),
    };
    let x = jnp::array([1.0f32, 2.0]);
    let y = jnp::array([3.0f32, 5.0]);
    let g: Params = grad(|p: &Params| loss(p, &x, &y))(&p);
    // jax: w=2, b=.5, x=[1,2], y=[3,5] -> residuals [-0.5, -0.5];
    // dw = mean(2 r x) = -1.5, db = mean(2 r) = -1.0
    assert_eq!(f32s(&g.w), vec![-1.5]);
    assert_eq!(f32s(&g.b), vec![-1.0]);
    assert_eq!(g.name, "lin");
    // The DESIGN sketch: an SGD step with tree_map2.
    let p2 = tree_map2(|p, g| p - 0.1f32 * g, &p, &g);
    assert_eq!(f32s(&p2.w), vec![2.15]);
    assert_eq!(p2.name, "lin");
}

#[test]
fn higher_order_derivatives() {
    let x = jnp::array([0.3f32, -1.2, 2.0]);
    let sin_sum = |x: &Array| jnp::sin(x).sum();
    // grad(grad(f)) for a scalar function: d2/dx2 sin = -sin.
    let d2 = grad(|x: &Array| grad(|x: &Array| jnp::sin(x).sum())(x).sum())(&x);
    for (g, v) in f32s(&d2).iter().zip(f32s(&x)) {
        assert!((g + v.sin()).abs() < 1e-6);
    }
    // Third order of x^4 at 2: 24 x = 48.
    let f = |x: &Array| x.pow(4).sum();
    let d1 = |x: &Array| grad(f)(x).sum();
    let d2 = |x: &Array| grad(d1)(x).sum();
    assert_eq!(f32s(&grad(d2)(&jnp::array([2.0f32]))), vec![48.0]);
    // jvp of grad (a Hessian-vector product): H = diag(-sin x).
    let v = jnp::array([1.0f32, 2.0, 3.0]);
    let (_, hvp) = jvp(grad(sin_sum), &x, &v);
    for ((h, xv), vv) in f32s(&hvp).iter().zip(f32s(&x)).zip(f32s(&v)) {
        assert!((h + xv.sin() * vv).abs() < 1e-5);
    }
    // grad of a function that calls grad internally, with a closed-over outer value.
    let outer = |y: &Array| {
        let inner = grad(|x: &Array| (x * y).sum());
        (inner(&x) * y).sum() // = sum(y * y)
    };
    assert_eq!(f32s(&grad(outer)(&v)), vec![2.0, 4.0, 6.0]);
}

#[test]
fn jvp_vjp_and_linearize_agree() {
    let x = jnp::array([0.5f32, 1.5]);
    let t = jnp::array([1.0f32, -2.0]);
    let f = |x: &Array| jnp::tanh(x) * x;
    let (y, ty) = jvp(f, &x, &t);
    let (y2, lin) = linearize(f, &x);
    assert_eq!(f32s(&y), f32s(&y2));
    assert_eq!(f32s(&ty), f32s(&lin.jvp(&t)));
    let (_, pullback) = vjp(f, &x);
    let ct = pullback.vjp(&jnp::ones_like(&y));
    assert_eq!(f32s(&ct), f32s(&grad(|x: &Array| f(x).sum())(&x)));
    // The staged linear map is a typechecked jaxpr printed like make_jaxpr.
    let jaxpr = lin.jaxpr();
    jaxpr.jaxpr.typecheck().unwrap();
    let text = format!("{jaxpr}");
    assert!(
        text.starts_with("{ lambda ") && text.contains("mul") && text.ends_with(" }"),
        "{text}"
    );
    // Pytrees in and out: a tuple of arguments, a tuple of results.
    let g = |(a, b): &(Array, Array)| (a * b, a + b);
    let (out, tout) = jvp(
        g,
        &(x.clone(), t.clone()),
        &(jnp::ones_like(&x), jnp::zeros_like(&t)),
    );
    assert_eq!(f32s(&out.0), f32s(&(&x * &t)));
    assert_eq!(f32s(&tout.0), f32s(&t));
    assert_eq!(f32s(&tout.1), vec![1.0, 1.0]);
}

#[test]
fn jaxpr_of_linearize_prints_like_make_jaxpr() {
    // The linear part of x -> sin(x) * 2: mul by cos(x) (a residual), then by 2.
    let x = jnp::array([1.0f32, 2.0]);
    let (_, lin) = linearize(|x: &Array| jnp::sin(x) * 2.0f32, &x);
    assert_eq!(
        format!("{}", lin.jaxpr()),
        "{ lambda a:f32[2]; b:f32[2]. let\n    c:f32[2] = mul b a\n    d:f32[2] = mul c 2.0:f32[]\n  in (d,) }"
    );
}

#[test]
fn tricky_points_follow_jax() {
    let g = |f: fn(&Array) -> Array, x: f32| grad(f)(&jnp::array(x)).item::<f32>();
    // jax.grad(jnp.abs)(0.) == 1.0 and also at -0.
    assert_eq!(g(|x| jnp::abs(x), 0.0), 1.0);
    assert_eq!(g(|x| jnp::abs(x), -0.0), 1.0);
    // Ties split the gradient: jax.grad(lambda x: jnp.maximum(x, 1.))(1.) == 0.5
    assert_eq!(g(|x| jnp::maximum(x, 1.0f32), 1.0), 0.5);
    assert_eq!(g(|x| jnp::minimum(x, x), 1.0), 1.0);
    // jnp.max([x, 1, x]) at x=1: 2/3 (three tied positions, two of them x).
    assert_eq!(
        g(|x| jnp::stack(&[x, &jnp::array(1.0f32), x], 0).max(), 1.0),
        0.6666667
    );
    // sqrt at 0: inf.
    assert_eq!(g(|x| jnp::sqrt(x), 0.0), f32::INFINITY);
    // where with NaN in the untaken branch: the NaN leaks into the gradient...
    assert!(g(
        |x| jnp::where_(x.gt(0.0f32), jnp::log(x), jnp::zeros_like(x)),
        0.0
    )
    .is_nan());
    // ...unless the input to the dangerous branch is made safe first ("double where").
    let safe_log = |x: &Array| {
        let ok = x.gt(0.0f32);
        let safe_x = jnp::where_(&ok, x, jnp::ones_like(x));
        jnp::where_(&ok, jnp::log(&safe_x), jnp::zeros_like(x))
    };
    assert_eq!(g(safe_log, 0.0), 0.0);
    // Piecewise-constant functions have zero gradients.
    assert_eq!(g(|x| jnp::sign(x), 0.0), 0.0);
    assert_eq!(g(|x| jnp::round(x), 1.5), 0.0);
    assert_eq!(g(|x| jnp::floor(x), 1.5), 0.0);
    // Powers at zero, as JAX: x**2. -> 0, d/dy 0.**y at y=2 -> 0.
    assert_eq!(g(|x| x.pow(2.0f32), 0.0), 0.0);
    let dy = grad_argnums(|x: &Array, y: &Array| x.pow(y), Arg1)(
        &jnp::array(0.0f32),
        &jnp::array(2.0f32),
    );
    assert_eq!(dy.item::<f32>(), 0.0);
    // reduce_prod with a zero: jax.grad(jnp.prod)([0., 2., 3.]) == [6, 0, 0]
    let gp = grad(|x: &Array| x.prod())(&jnp::array([0.0f32, 2., 3.]));
    assert_eq!(f32s(&gp), vec![6.0, 0.0, 0.0]);
}

#[test]
fn gradients_keep_the_weak_type_of_their_inputs() {
    // jax.grad(lambda x: x * 2.)(1.) is weakly typed, like its input.
    let g = grad(|x: &Array| x * 2.0f32)(&jnp::asarray(1.0f32));
    assert_eq!(format!("{g:?}"), "Array(2., dtype=float32, weak_type=True)");
    let g = grad(|x: &Array| x * 2.0f32)(&jnp::array(1.0f32));
    assert_eq!(format!("{g:?}"), "Array(2., dtype=float32)");
}

#[test]
fn stop_gradient_blocks_derivatives() {
    let x = jnp::array([1.0f32, 2.0]);
    let g = grad(|x: &Array| (x * stop_gradient(x)).sum())(&x);
    assert_eq!(f32s(&g), vec![1.0, 2.0]);
    // Pytree form and higher order: the stopped factor stays constant.
    let h = grad(|x: &Array| {
        grad(|x: &Array| (x.pow(2) * stop_gradient(&(x.clone(),)).0).sum())(x).sum()
    })(&x);
    assert_eq!(f32s(&h), vec![2.0, 4.0]);
}

/// A numerically stable logsumexp with a custom JVP (softmax times the tangent).
fn logsumexp(x: &Array) -> Array {
    let f = custom_jvp(
        |x: &Array| {
            let m = stop_gradient(&x.max());
            jnp::log(jnp::exp(&(x - &m)).sum()) + m
        },
        |x: &Array, t: &Array| {
            let m = x.max();
            let y = jnp::log(jnp::exp(&(x - &m)).sum()) + &m;
            let softmax = jnp::exp(&(x - &y));
            (y, (softmax * t).sum())
        },
    );
    f(x)
}

#[test]
fn custom_jvp_logsumexp_is_stable_and_differentiable() {
    let x = jnp::array([1000.0f32, 1000.0, 999.0]);
    let v = logsumexp(&x).item::<f32>();
    assert!((v - 1000.0 - (2.0f32 + (-1.0f32).exp()).ln()).abs() < 1e-3);
    let g = grad(logsumexp)(&x);
    let e = (-1.0f32).exp();
    let want = [1.0 / (2.0 + e), 1.0 / (2.0 + e), e / (2.0 + e)];
    for (a, b) in f32s(&g).iter().zip(want) {
        assert!((a - b).abs() < 1e-5, "{g}");
    }
    // Forward mode uses the rule directly.
    let (_, t) = jvp(logsumexp, &x, &jnp::array([1.0f32, 0.0, 0.0]));
    assert!((t.item::<f32>() - want[0]).abs() < 1e-5);
    // Second order differentiates the rule: the softmax Jacobian's diagonal.
    let h = grad(|x: &Array| grad(logsumexp)(x).at(0).get())(&x);
    assert!((f32s(&h)[0] - want[0] * (1.0 - want[0])).abs() < 1e-5);
}

#[test]
fn custom_vjp_runs_the_user_backward_function() {
    let clip = custom_vjp(
        |x: &Array| x.clone(),
        |x: &Array| (x.clone(), ()),
        |_: &(), g: &Array| jnp::clip(g, -1.0f32, 1.0f32),
    );
    let g = grad(|x: &Array| (clip(x) * 10.0f32).sum())(&jnp::array([1.0f32, 2.0]));
    assert_eq!(f32s(&g), vec![1.0, 1.0]);
    // Pytree arguments and residuals.
    let mul = custom_vjp(
        |(a, b): &(Array, Array)| a * b,
        |(a, b): &(Array, Array)| (a * b, (a.clone(), b.clone())),
        |(a, b): &(Array, Array), g: &Array| (g * b, g * a),
    );
    let (ga, gb) =
        grad(|p: &(Array, Array)| mul(p).sum())(&(jnp::array([3.0f32]), jnp::array([4.0f32])));
    assert_eq!((f32s(&ga), f32s(&gb)), (vec![4.0], vec![3.0]));
    // Forward mode is rejected with JAX's message.
    let msg = panic_message(|| {
        jvp(&clip, &jnp::array([1.0f32]), &jnp::array([1.0f32]));
    });
    assert!(
        msg.contains("can't apply forward-mode autodiff (jvp) to a custom_vjp function"),
        "{msg}"
    );
}

// ------------------------------------------------------------ bad input

#[test]
fn grad_of_an_integer_input_is_rejected_with_jax_message() {
    let msg = panic_message(|| {
        grad(|x: &Array| x.sum().astype(DType::F32))(&jnp::array([1i32, 2]));
    });
    assert!(
        msg.contains(
            "grad requires real- or complex-valued inputs (input dtype that is a sub-dtype of \
             np.inexact), but got int32. If you want to use Boolean- or integer-valued inputs, \
             use vjp"
        ),
        "{msg}"
    );
    let msg = panic_message(|| {
        grad(|x: &Array| x.astype(DType::F32).sum())(&jnp::array([true]));
    });
    assert!(msg.contains("but got bool"), "{msg}");
}

#[test]
fn grad_of_a_non_scalar_output_is_rejected_with_jax_message() {
    let msg = panic_message(|| {
        grad(|x: &Array| x * 2.0f32)(&jnp::array([1.0f32, 2., 3., 4.]));
    });
    assert!(
        msg.contains("Gradient only defined for scalar-output functions. Output had shape: (4,)."),
        "{msg}"
    );
    let msg = panic_message(|| {
        grad(|x: &Array| x.sum().astype(DType::I32))(&jnp::array([1.0f32]));
    });
    assert!(msg.contains("grad requires real-valued outputs"), "{msg}");
}

#[test]
fn leaked_tracers_are_reported_with_the_transformation() {
    use std::sync::Mutex;
    let leaked: Mutex<Option<Array>> = Mutex::new(None);
    let x = jnp::array([1.0f32, 2.0]);
    grad(|x: &Array| {
        *leaked.lock().unwrap() = Some(x * 2.0f32);
        x.sum()
    })(&x);
    let t = leaked.into_inner().unwrap().unwrap();
    assert!(format!("{t:?}").starts_with("Traced<f32[2]>with<jvp>"));
    let msg = panic_message(|| {
        let _ = &t + 1.0f32;
    });
    assert!(
        msg.contains("UnexpectedTracerError") && msg.contains("jvp"),
        "{msg}"
    );
    let msg = panic_message(|| {
        t.to_vec::<f32>();
    });
    assert!(
        msg.contains("UnexpectedTracerError") && msg.contains("leaked tracer"),
        "{msg}"
    );
}

#[test]
fn reading_a_value_under_grad_works_as_in_jax() {
    // jax.grad(lambda x: x if x > 0 else -x)(1.) -> 1.0: a JVP tracer over
    // a concrete primal can be read.
    let f = |x: &Array| {
        if x.gt(0.0).item::<bool>() {
            x.clone()
        } else {
            -x
        }
    };
    assert_eq!(grad(f)(&Array::scalar(1.0f32)).item::<f32>(), 1.0);
    assert_eq!(grad(f)(&Array::scalar(-2.0f32)).item::<f32>(), -1.0);
    // Under jit (inside grad) the value is abstract: JAX's error kind.
    let msg = panic_message(|| jit(grad(f))(&Array::scalar(1.0f32)));
    assert!(
        msg.starts_with(
            "TracerBoolConversionError: Attempted boolean conversion of traced array with \
             shape bool[]."
        ) && msg.contains("jax.errors.TracerBoolConversionError"),
        "{msg}"
    );
    let msg =
        panic_message(|| jit(|x: &Array| Array::scalar(x.item::<f32>()))(&Array::scalar(1.0f32)));
    assert!(
        msg.starts_with(
            "ConcretizationTypeError: Abstract tracer value encountered where concrete value \
             is expected: traced array with shape float32[]\nThis occurred in the item() \
             method of jax.Array"
        ),
        "{msg}"
    );
    let msg =
        panic_message(|| jit(|x: &Array| Array::from_vec(x.to_vec::<f32>(), [3]))(&jnp::ones([3])));
    assert!(
        msg.starts_with("TracerArrayConversionError: ") && msg.contains("float32[3]"),
        "{msg}"
    );
}

#[test]
fn mismatched_tangents_and_cotangents_are_rejected() {
    let x = jnp::array([1.0f32, 2.0]);
    let msg = panic_message(|| {
        jvp(|x: &Array| x * 2.0f32, &x, &jnp::array([1.0f32]));
    });
    assert!(
        msg.contains("jvp called with different primal and tangent types"),
        "{msg}"
    );
    let (_, pb) = vjp(|x: &Array| x * 2.0f32, &x);
    let msg = panic_message(|| {
        pb.vjp(&jnp::array([1.0f32, 2.0, 3.0]));
    });
    assert!(msg.contains("unexpected JAX type"), "{msg}");
}

#[test]
fn custom_vjp_with_a_constant_tangent_input_is_differentiated() {
    // jax.grad(lambda x: g(x**0) + g(x))(1.0) == cos(1): x**0 is a constant.
    let g = custom_vjp(
        |x: &Array| jnp::sin(x),
        |x: &Array| (jnp::sin(x), x.clone()),
        |r: &Array, ct: &Array| ct * jnp::cos(r),
    );
    let d = grad(|x: &Array| (g(&x.pow(0)) + g(x)).sum())(&jnp::array([1.0f32]));
    assert!((d.to_vec::<f32>()[0] - 1.0f32.cos()).abs() < 1e-6);
    // Forward mode is rejected at once, even for inputs big enough to run asynchronously.
    let big = jnp::ones(100_000);
    let msg = panic_message(|| {
        jvp(&g, &big, &big);
    });
    assert!(msg.contains("can't apply forward-mode autodiff"), "{msg}");
}

#[test]
fn custom_rules_closing_over_differentiated_values_are_rejected() {
    let msg = panic_message(|| {
        grad(|w: &Array| {
            let f = custom_jvp(|x: &Array| x * w, |x: &Array, t: &Array| (x * w, t * w));
            f(w).sum()
        })(&jnp::array([3.0f32]));
    });
    assert!(
        msg.contains("UnexpectedTracerError") && msg.contains("closed over"),
        "{msg}"
    );
}

#[test]
fn linearized_functions_check_their_tangents() {
    let (_, lin) = linearize(|x: &Array| x * 2.0f32, &jnp::array([1.0f32, 2.0, 3.0]));
    let msg = panic_message(|| {
        lin.jvp(&jnp::array(1.0f32));
    });
    assert!(
        msg.contains("inconsistent with the original primal values"),
        "{msg}"
    );
}

#[test]
fn dot_general_with_a_preferred_type_is_differentiable() {
    let x = jnp::array([[1.0f32, 2.0], [3.0, 4.0]]).astype(DType::BF16);
    let y = jnp::array([[0.5f32, -1.0], [2.0, 1.0]]).astype(DType::BF16);
    let g = grad(|x: &Array| {
        jaxide::lax::dot_general(x, &y, (&[1], &[0]), (&[], &[]), Some(DType::F32)).sum()
    })(&x);
    assert_eq!(g.dtype(), DType::BF16);
    // d/dx sum(x @ y) = row sums of y, broadcast over x's rows.
    assert_eq!(
        g.astype(DType::F32).to_vec::<f32>(),
        vec![-0.5, 3.0, -0.5, 3.0]
    );
}
