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
    // Part 2 (next issue): grad, value_and_grad, has_aux, and the first
    // training loop.
    // ------------------------------------------------------------------

    // ------------------------------------------------------------------
    // Part 3 (later issue): jit, make_jaxpr, and in-place updates in loops.
    // ------------------------------------------------------------------
}
