//! Memory: a long jitted training loop keeps resident memory flat after
//! warm-up, and compiled executables (with their constants) are freed with
//! their jitted function. Measures RSS from /proc (Linux only).

use jaxide::prelude::*;

/// Resident set size in bytes, from /proc/self/statm.
fn rss_bytes() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn linreg_step(theta: &Array, x: &Array, y: &Array) -> Array {
    let loss = |t: &Array, x: &Array, y: &Array| {
        let pred = &t.at(0).get() * x + &t.at(1).get();
        (pred - y).pow(2).mean()
    };
    theta - 0.1f32 * grad(loss)(theta, x, y)
}

#[test]
fn a_long_jitted_training_loop_keeps_memory_flat() {
    let Some(_) = rss_bytes() else {
        eprintln!("skipped: no /proc/self/statm on this platform");
        return;
    };
    let x = &jnp::arange_dtype(1000, DType::F32) / 1000.0f32;
    let y = &x * 3.0f32 - 1.0f32;
    let step = jit(linreg_step);
    let mut theta = jnp::array([1.0f32, 1.0]);
    for _ in 0..2_000 {
        theta = step(&theta, &x, &y);
    }
    theta.block_until_ready();
    let before = rss_bytes().unwrap();
    for _ in 0..100_000 {
        theta = step(&theta, &x, &y);
    }
    theta.block_until_ready();
    let after = rss_bytes().unwrap();
    let growth = after.saturating_sub(before);
    assert!(
        growth < 1 << 20,
        "RSS grew by {growth} bytes over 100,000 jitted steps ({before} -> {after})"
    );
    let t = theta.to_vec::<f32>();
    assert!(
        (t[0] - 3.0).abs() < 1e-2 && (t[1] + 1.0).abs() < 1e-2,
        "{t:?}"
    );
}

#[test]
fn dropped_jitted_functions_free_their_executables_and_constants() {
    let Some(_) = rss_bytes() else {
        return;
    };
    let run = |k: usize| {
        // Each function closes over a fresh 256 KiB constant.
        let c = jnp::full([65_536], k as f32);
        let f = jit(move |x: &Array| (x + &c).sum());
        f(&jnp::ones(65_536)).block_until_ready();
    };
    for k in 0..50 {
        run(k);
    }
    let before = rss_bytes().unwrap();
    for k in 0..500 {
        run(k);
    }
    let growth = rss_bytes().unwrap().saturating_sub(before);
    // 500 leaked constants would be 125 MiB.
    assert!(
        growth < 4 << 20,
        "RSS grew by {growth} bytes over 500 compiled functions"
    );
}
