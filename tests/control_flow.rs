//! Control flow: `lax::cond`, `switch`, `while_loop`, `fori_loop`, `scan`,
//! eagerly, under `jit`, and under differentiation (finite-difference
//! checks), plus the messages for mismatched branches and carries.

use jaxide::prelude::*;
use jaxide::test_util::{check_grads, Mode};

mod common;
use common::panic_message;

fn f32s(x: &Array) -> Vec<f32> {
    x.to_vec::<f32>()
}

fn x64() {
    jaxide::config::set_enable_x64(true);
}

fn piecewise(x: &Array) -> Array {
    lax::cond(
        &x.sum().gt(0.0f64),
        |x: &Array| lax::sin(x) * x,
        |x: &Array| x.pow(3),
        x,
    )
}

#[test]
fn cond_eager_and_jit_pick_the_branch() {
    let x = jnp::array([1.0f32, 2.0]);
    let f = |x: &Array| lax::cond(&x.sum().gt(0.0f32), |x: &Array| x * 2.0, |x: &Array| -x, x);
    assert_eq!(f32s(&f(&x)), vec![2.0, 4.0]);
    assert_eq!(f32s(&f(&-&x)), vec![1.0, 2.0]);
    let jf = jit(f);
    assert_eq!(f32s(&jf(&x)), vec![2.0, 4.0]);
    assert_eq!(f32s(&jf(&-&x)), vec![1.0, 2.0]);
}

#[test]
fn switch_clamps_the_index() {
    let x = jnp::array([3.0f32]);
    let f = |i: &Array, x: &Array| {
        let branches: [&dyn Fn(&Array) -> Array; 3] = [&|x| x + 1.0, &|x| x * 2.0, &|x| -x];
        lax::switch(i, &branches, x)
    };
    for (i, want) in [(-5, 4.0), (0, 4.0), (1, 6.0), (2, -3.0), (9, -3.0)] {
        assert_eq!(f32s(&f(&Array::scalar(i), &x)), vec![want], "index {i}");
        assert_eq!(
            f32s(&jit(f)(&Array::scalar(i), &x)),
            vec![want],
            "jit index {i}"
        );
    }
}

#[test]
fn while_and_fori_loops() {
    let collatz_steps = |n: &Array| {
        let (_, steps) = lax::while_loop(
            |(n, _): &(Array, Array)| n.gt(1i32),
            |(n, s): &(Array, Array)| {
                let even = (n % 2i32).eq(0i32);
                (
                    lax::select(
                        &even,
                        &lax::div(n, &Array::scalar(2i32)),
                        &(n * 3i32 + 1i32),
                    ),
                    s + 1i32,
                )
            },
            &(n.clone(), Array::scalar(0i32)),
        );
        steps
    };
    assert_eq!(collatz_steps(&Array::scalar(27i32)).item::<i32>(), 111);
    assert_eq!(jit(collatz_steps)(&Array::scalar(27i32)).item::<i32>(), 111);
    let tri =
        |x: &Array| lax::fori_loop(0, 100, |i: &Array, s: &Array| s + i.astype(DType::F32), x);
    assert_eq!(tri(&Array::scalar(0.5f32)).item::<f32>(), 4950.5);
    assert_eq!(jit(tri)(&Array::scalar(0.5f32)).item::<f32>(), 4950.5);
    // An empty range returns the initial value.
    let none = lax::fori_loop(
        5,
        2,
        |_: &Array, s: &Array| s + 1.0f32,
        &Array::scalar(7.0f32),
    );
    assert_eq!(none.item::<f32>(), 7.0);
    let dynamic = jit(|n: &Array| {
        lax::fori_loop_dynamic(
            &Array::scalar(0i32),
            n,
            |_: &Array, s: &Array| s * 2.0f32,
            &Array::scalar(1.0f32),
        )
    });
    assert_eq!(dynamic(&Array::scalar(10i32)).item::<f32>(), 1024.0);
}

#[test]
fn scan_cumulative_and_reverse() {
    let xs = jnp::array([1.0f32, 2., 3., 4.]);
    let step = |c: &Array, x: &Array| (c + x, c * x);
    let (c, ys) = lax::scan(step, &Array::scalar(0.0f32), &xs);
    assert_eq!(c.item::<f32>(), 10.0);
    assert_eq!(f32s(&ys), vec![0.0, 2.0, 9.0, 24.0]);
    let opts = lax::ScanOptions {
        length: None,
        reverse: true,
    };
    let (c, ys) = lax::scan_with(step, &Array::scalar(0.0f32), &xs, opts);
    assert_eq!(c.item::<f32>(), 10.0);
    assert_eq!(f32s(&ys), vec![9.0, 14.0, 12.0, 0.0]);
    let jitted = jit(|xs: &Array| lax::scan(step, &Array::scalar(0.0f32), xs));
    let (c, ys) = jitted(&xs);
    assert_eq!(c.item::<f32>(), 10.0);
    assert_eq!(f32s(&ys), vec![0.0, 2.0, 9.0, 24.0]);
}

#[test]
fn cond_gradients() {
    x64();
    let x = jnp::array([0.3f64, -0.2, 0.7]);
    check_grads(piecewise, &x, 2, &[Mode::Fwd, Mode::Rev]);
    check_grads(piecewise, &-&x, 2, &[Mode::Fwd, Mode::Rev]);
    let g = grad(|x: &Array| piecewise(x).sum())(&x);
    let want: Vec<f64> = x
        .to_vec::<f64>()
        .iter()
        .map(|v| v.sin() + v * v.cos())
        .collect();
    for (a, b) in g.to_vec::<f64>().iter().zip(want) {
        assert!((a - b).abs() < 1e-12);
    }
    let jg = jit(grad(|x: &Array| piecewise(x).sum()));
    assert_eq!(jg(&x).to_vec::<f64>(), g.to_vec::<f64>());
}

#[test]
fn scan_and_fori_gradients() {
    x64();
    let w = jnp::array([0.5f64, -0.3, 0.8]);
    let xs = jnp::array([
        [1.0f64, 2.0, 0.5],
        [0.1, -1.0, 2.0],
        [0.3, 0.3, -0.7],
        [1.5, 0.2, 0.9],
    ]);
    let rnn = |w: &Array| {
        let (h, ys) = lax::scan(
            |h: &Array, x: &Array| {
                let h2 = lax::tanh(&(h * w + x));
                (h2.clone(), h2.sum())
            },
            &jnp::zeros_dtype([3], DType::F64),
            &xs,
        );
        h.sum() + ys.pow(2).sum()
    };
    check_grads(rnn, &w, 2, &[Mode::Fwd, Mode::Rev]);
    let looped = |x: &Array| {
        lax::fori_loop(
            0,
            5,
            |i: &Array, c: &Array| lax::sin(c) * x + i.astype(DType::F64),
            x,
        )
    };
    check_grads(looped, &w, 2, &[Mode::Fwd, Mode::Rev]);
    let g1 = grad(|x: &Array| looped(x).sum())(&w);
    let g2 = jit(grad(|x: &Array| looped(x).sum()))(&w);
    let g3 = grad(jit(|x: &Array| looped(x).sum()))(&w);
    assert_eq!(g1.to_vec::<f64>(), g2.to_vec::<f64>());
    assert_eq!(g1.to_vec::<f64>(), g3.to_vec::<f64>());
}

#[test]
fn while_loop_is_forward_mode_only() {
    x64();
    let f = |x: &Array| {
        lax::while_loop(
            |c: &Array| c.sum().lt(10.0f64),
            |c: &Array| c * x + 1.0f64,
            &x.clone(),
        )
    };
    let x = jnp::array([1.1f64, 1.3]);
    check_grads(f, &x, 1, &[Mode::Fwd]);
    let msg = panic_message(|| {
        grad(|x: &Array| f(x).sum())(&x);
    });
    assert!(msg.contains("Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with dynamic start/stop values. Try using lax.scan, or using fori_loop with static start/stop."), "{msg}");
}

#[test]
fn mismatched_branches_and_carries_are_reported() {
    let x = jnp::array([1.0f32]);
    let msg = panic_message(|| {
        lax::cond(
            &Array::scalar(true),
            |x: &Array| x.clone(),
            |x: &Array| x.sum(),
            &x,
        );
    });
    assert_eq!(
        msg,
        "TypeError: true_fun and false_fun output must have identical types, got\n\
         DIFFERENT ShapedArray(float32[1]) vs. ShapedArray(float32[])."
    );
    let msg = panic_message(|| {
        lax::cond(
            &Array::scalar(true),
            |x: &Array| (x.clone(), x.clone()),
            |x: &Array| (x.clone(), x.astype(DType::F16)),
            &x,
        );
    });
    assert!(
        msg.contains("DIFFERENT ShapedArray(float32[1]) vs. ShapedArray(float16[1])"),
        "{msg}"
    );
    let msg = panic_message(|| {
        lax::while_loop(
            |c: &Array| c.sum().lt(3.0f32),
            |c: &Array| c.astype(DType::F64),
            &x,
        );
    });
    assert!(
        msg.contains("carry input and carry output must have equal types"),
        "{msg}"
    );
    assert!(
        msg.contains("f32[1] but the corresponding output carry component has type f64[1]"),
        "{msg}"
    );
    let msg = panic_message(|| {
        lax::while_loop(|c: &Array| c.sum(), |c: &Array| c.clone(), &x);
    });
    assert_eq!(msg, "TypeError: cond_fun must return a boolean scalar, but got output type(s) [ShapedArray(float32[])].");
    let msg = panic_message(|| {
        lax::scan(
            |c: &Array, x: &Array| (c + x, ()),
            &Array::scalar(0.0f32),
            &jnp::zeros_dtype([3, 1], DType::F32),
        );
    });
    assert!(
        msg.contains("carry input and carry output must have equal types"),
        "{msg}"
    );
}

#[test]
fn functional_updates_in_a_jitted_fori_loop() {
    let n = 1000usize;
    let fill = jit(move |x: &Array| {
        lax::fori_loop(
            0,
            2500,
            |i: &Array, x: &Array| x.at(&(i % n as i32)).set(i.astype(DType::F32)),
            x,
        )
    });
    let x = jnp::zeros_dtype(n, DType::F32);
    let y = fill(&x);
    let want: Vec<f32> = (0..n)
        .map(|k| (2000 + k) as f32 - if k >= 500 { 1000.0 } else { 0.0 })
        .collect();
    assert_eq!(y.to_vec::<f32>(), want);
    // The input is unchanged (the loop copies it once, then updates in place).
    assert!(x.to_vec::<f32>().iter().all(|&v| v == 0.0));
    // Traced indices: negative wraps, out of range drops (JAX's defaults).
    let g = jit(|x: &Array, i: &Array| (x.at(i).set(9.0f32), x.at(i).add(1.0f32), x.at(i).get()));
    let x = jnp::array([1.0f32, 2., 3.]);
    let (s, a, v) = g(&x, &Array::scalar(-1i32));
    assert_eq!(f32s(&s), vec![1.0, 2.0, 9.0]);
    assert_eq!(f32s(&a), vec![1.0, 2.0, 4.0]);
    assert_eq!(v.item::<f32>(), 3.0);
    let (s, _, v) = g(&x, &Array::scalar(7i32));
    assert_eq!(f32s(&s), vec![1.0, 2.0, 3.0]);
    assert_eq!(v.item::<f32>(), 3.0);
}
