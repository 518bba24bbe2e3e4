//! Asynchronous dispatch: large ops return before their result is computed,
//! reads wait, and failures surface at the next sync point.

use jaxide::numpy as jnp;
use std::time::Instant;

#[test]
fn large_op_returns_before_it_completes() {
    let x = jnp::ones(20_000_000);
    x.block_until_ready();
    // A chain of heavy ops: each is enqueued on the stream and returns at once.
    let t = Instant::now();
    let mut y = x.clone();
    for _ in 0..6 {
        y = jnp::sin(&y);
    }
    let dispatch = t.elapsed();
    let pending_after_dispatch = !y.is_ready();
    y.block_until_ready();
    let total = t.elapsed();
    assert!(y.is_ready());
    assert!(
        pending_after_dispatch || dispatch * 4 < total,
        "dispatch took {dispatch:?} of {total:?}; the op ran synchronously"
    );
    assert!(
        dispatch < total,
        "dispatch {dispatch:?} should be shorter than total {total:?}"
    );
    // Reads wait for the value.
    let v = jnp::sum(&y).item::<f32>();
    assert!(v.is_finite());
}

#[test]
fn small_ops_run_inline_and_are_ready() {
    let a = jnp::ones(4);
    let b = &a + &a;
    assert!(b.is_ready());
    assert_eq!(b.to_vec::<f32>(), vec![2.0; 4]);
}

#[test]
fn dependent_ops_on_pending_values_are_ordered() {
    let x = jnp::arange_dtype(1_000_000, jaxide::DType::F32);
    let y = &x * 2.0; // large: async
    let z = jnp::sum(&y); // depends on a pending value
    let expected: f64 = (0..1_000_000u64).map(|i| 2.0 * i as f64).sum();
    let got = z.item::<f32>() as f64;
    assert!(
        (got - expected).abs() / expected < 1e-5,
        "{got} vs {expected}"
    );
}

#[test]
fn a_jitted_call_on_pending_inputs_returns_at_once() {
    use jaxide::prelude::jit;
    let f = jit(|y: &jaxide::Array| jnp::sum(&jnp::sin(jnp::sin(y))));
    let x = jnp::ones(20_000_000);
    x.block_until_ready();
    f(&jnp::sin(&x)).block_until_ready(); // compiled and warm
    let t = Instant::now();
    let y = jnp::sin(&x); // pending
    let r = f(&y);
    let dispatch = t.elapsed();
    let pending_after_dispatch = !r.is_ready();
    let v = r.item::<f32>();
    let total = t.elapsed();
    assert!(
        pending_after_dispatch || dispatch * 4 < total,
        "dispatch took {dispatch:?} of {total:?}; the jitted call ran synchronously"
    );
    let expected = 20_000_000.0 * 1f32.sin().sin().sin();
    assert!((v - expected).abs() / expected < 1e-3, "{v} vs {expected}");
}
