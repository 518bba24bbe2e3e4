//! The jaxide tour: the seed's walk through JAX, in Rust.
//!
//! Run with `cargo run --release --example seed_tour`.

use jaxide::numpy as jnp;
use jaxide::prelude::*;
use std::time::{Duration, Instant};

/// Median wall time of `f` over `reps` runs, after one warm-up run.
fn median_time(reps: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[reps / 2]
}

fn sum_of_squares(x: &Array) -> Array {
    x.pow(2).sum()
}

fn sum_squared_error(x: &Array, y: &Array) -> Array {
    (x - y).pow(2).sum()
}

fn squared_error_with_aux(x: &Array, y: &Array) -> (Array, Array) {
    (sum_squared_error(x, y), x - y)
}

/// The linear model `w * x + b` with `theta = [w, b]`.
fn model(theta: &Array, x: &Array) -> Array {
    let (w, b) = (theta.at(0).get(), theta.at(1).get());
    &w * x + &b
}

fn loss_fn(theta: &Array, x: &Array, y: &Array) -> Array {
    (model(theta, x) - y).pow(2).mean()
}

fn update(theta: &Array, x: &Array, y: &Array, lr: f32) -> Array {
    theta - lr * grad(loss_fn)(theta, x, y)
}

/// 100 points `xs ~ N(0, 1)` and `ys = 3 xs - 1 + N(0, 0.1)`.
///
/// jaxide has no random module yet, so this uses a small documented
/// deterministic generator: SplitMix64 for uniform bits and the Box–Muller
/// transform for normal samples. With 100 noisy points the least-squares
/// fit lands within about 0.01 of (3, -1) for a typical seed; seed 32's
/// sample fits to (2.999, -1.002), so it prints the seed's `3.00, -1.00`.
fn make_regression_data(n: usize) -> (Array, Array) {
    let mut state: u64 = 32;
    let mut uniform = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let mut normal = move || {
        let (u1, u2) = (uniform(), uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    };
    let xs: Vec<f32> = (0..n).map(|_| normal() as f32).collect();
    let noise: Vec<f32> = (0..n).map(|_| (0.1 * normal()) as f32).collect();
    let xs = Array::from_vec(xs, [n]);
    let ys = 3.0f32 * &xs - 1.0f32 + Array::from_vec(noise, [n]);
    (xs, ys)
}

fn main() {
    // ------------------------------------------------------------------
    // Part 1: arrays, asynchronous dispatch, immutability.
    // ------------------------------------------------------------------
    println!("== Part 1: NumPy-style arrays ==");
    let x = jnp::arange(10);
    println!("jnp::arange(10)            -> {x}");
    println!("and its repr               -> {x:?}");

    // The seed's headline: a 10-million-element dot product. Dispatch is
    // asynchronous, so we block until the result is ready before timing.
    let long_vector = jnp::arange(10_000_000);
    let t = median_time(15, || {
        jnp::dot(&long_vector, &long_vector).block_until_ready();
    });
    println!(
        "jnp::dot(v, v), v = arange(1e7) int32:   median {:.3} ms  (value {})",
        t.as_secs_f64() * 1e3,
        jnp::dot(&long_vector, &long_vector)
    );
    let long_f32 = jnp::arange_dtype(10_000_000, DType::F32);
    let t = median_time(15, || {
        jnp::dot(&long_f32, &long_f32).block_until_ready();
    });
    println!(
        "jnp::dot(v, v), v = arange(1e7) float32: median {:.3} ms  (value {})",
        t.as_secs_f64() * 1e3,
        jnp::dot(&long_f32, &long_f32)
    );

    // Arrays are immutable. `Array` does not implement `IndexMut`, so
    //     y[0] = 123;
    // is a compile error ("cannot assign to data in an index of `Array`").
    // Functional updates return a new array instead.
    let y = jnp::array([1, 2, 3]);
    println!();
    println!("`y[0] = 123` does not compile: jaxide arrays are immutable (no IndexMut).");
    println!("Use a functional update, which returns a new array:");
    println!("y.at(0).set(123)           -> {}", y.at(0).set(123));
    println!("y is unchanged             -> {y}");

    // ------------------------------------------------------------------
    // Part 2: grad, value_and_grad, has_aux, and the first training loop.
    // ------------------------------------------------------------------
    println!();
    println!("== Part 2: automatic differentiation ==");
    let x = jnp::array([1.0f32, 2., 3., 4.]);
    println!("sum_of_squares(x)          -> {}", sum_of_squares(&x));
    let sum_of_squares_dx = grad(sum_of_squares);
    println!("grad(sum_of_squares)(x)    -> {}", sum_of_squares_dx(&x));

    let y = &x + 0.1f32;
    println!("grad(sum_squared_error)(x, y)");
    println!("  -> {}", grad(sum_squared_error)(&x, &y));
    println!("grad_argnums(sum_squared_error, (Arg0, Arg1))(x, y)");
    println!(
        "  -> {:?}",
        grad_argnums(sum_squared_error, (Arg0, Arg1))(&x, &y)
    );
    println!("value_and_grad(sum_squared_error)(x, y)");
    println!("  -> {:?}", value_and_grad(sum_squared_error)(&x, &y));
    println!("grad_has_aux(squared_error_with_aux)(x, y)");
    println!("  -> {:?}", grad_has_aux(squared_error_with_aux)(&x, &y));
    // Without has_aux, the function must return a single Array, so
    //     grad(squared_error_with_aux)
    // does not compile: the trait bound `TreeFn<_, Array>` is not satisfied
    // because the function returns `(Array, Array)`. Use grad_has_aux.
    println!("grad(squared_error_with_aux) without has_aux is a compile error:");
    println!("  it returns (value, aux), not a scalar Array; use grad_has_aux.");

    // The first training loop: linear regression with plain SGD.
    println!();
    let (xs, ys) = make_regression_data(100);
    let mut theta = jnp::array([1.0f32, 1.]);
    for _ in 0..1000 {
        theta = update(&theta, &xs, &ys, 0.1);
    }
    println!(
        "w: {:.2}, b: {:.2}",
        theta.at(0).get().item::<f32>(),
        theta.at(1).get().item::<f32>()
    );

    // ------------------------------------------------------------------
    // Part 3: jit, make_jaxpr, and in-place updates in loops.
    // ------------------------------------------------------------------
    println!();
    println!("== Part 3: jit ==");
    let x = jnp::linspace(-5.0, 5.0, 1_000_000);
    let selu_jit = jit(selu);
    let eager = median_time(20, || {
        selu(&x).block_until_ready();
    });
    let jitted = median_time(20, || {
        selu_jit(&x).block_until_ready();
    });
    println!("selu on f32[1000000]: eager {eager:.2?}, jit {jitted:.2?}");
    println!("jit fuses the chain into one pass over the data:");
    let view = lower(selu, &(x.clone(),)).compile().as_text();
    println!("  {}", view.replace('\n', "\n  "));

    println!();
    println!("make_jaxpr(update)(theta, xs, ys):");
    let theta = jnp::array([1.0f32, 1.]);
    let step = |t: &Array, x: &Array, y: &Array| update(t, x, y, 0.1);
    println!("{}", make_jaxpr(step)(&theta, &xs, &ys));

    // The training loop, one jitted step per iteration...
    let jit_update = jit(step);
    let mut theta = jnp::array([1.0f32, 1.]);
    for _ in 0..1000 {
        theta = jit_update(&theta, &xs, &ys);
    }
    println!(
        "jit(update) x 1000:           w: {:.2}, b: {:.2}",
        theta.at(0).get().item::<f32>(),
        theta.at(1).get().item::<f32>()
    );
    // ...and the whole loop inside one jitted fori_loop.
    let train = jit(|t: &Array, x: &Array, y: &Array| {
        lax::fori_loop(0, 1000, |_: &Array, t: &Array| step(t, x, y), t)
    });
    let theta = train(&jnp::array([1.0f32, 1.]), &xs, &ys);
    println!(
        "jit(fori_loop(0, 1000, ...)): w: {:.2}, b: {:.2}",
        theta.at(0).get().item::<f32>(),
        theta.at(1).get().item::<f32>()
    );

    // Functional updates in a jitted loop run in place: 10,000 updates cost
    // about the same on f32[1000] and f32[1000000] (plus one copy of the
    // input, which the caller still owns).
    println!();
    let fill_time = |n: usize| {
        let fill = jit(move |x: &Array| {
            lax::fori_loop(
                0,
                10_000,
                |i: &Array, x: &Array| x.at(&(i % n as i32)).set(i.astype(DType::F32)),
                x,
            )
        });
        let x = jnp::zeros(n);
        median_time(5, || {
            fill(&x).block_until_ready();
        })
    };
    let (small, large) = (fill_time(1_000), fill_time(1_000_000));
    println!("10,000 x x.at(i).set(v) in a jitted fori_loop:");
    println!("  n = 1e3: {small:.2?}   n = 1e6: {large:.2?}   (O(1) per update, in place)");
}

/// SELU, written with jnp (JAX's `jax.nn.selu`).
fn selu(x: &Array) -> Array {
    let (alpha, scale) = (1.673_263_2f32, 1.050_701f32);
    scale * jnp::where_(x.gt(0.0f32), x, &(alpha * jnp::exp(x) - alpha))
}
