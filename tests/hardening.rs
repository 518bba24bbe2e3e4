//! Hardening: shapes too large for memory, allocation failure at the sync
//! point (in a child process under `ulimit -v`), environment variables with
//! bad values, and jitted functions shared across threads.

mod common;

use common::panic_message;
use jaxide::prelude::*;
use std::process::Command;

/// Runs this test binary's test `name` in a child process with `env` set and
/// the address space capped at `vmem_kib` (through `sh -c 'ulimit -v ..'`).
/// Returns (exit success, stdout, stderr).
fn run_child(name: &str, env: &[(&str, &str)], vmem_kib: Option<u64>) -> (bool, String, String) {
    let exe = std::env::current_exe().unwrap();
    let limit = vmem_kib.map_or(String::new(), |k| format!("ulimit -v {k}; "));
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("{limit}exec \"$0\" \"$@\""))
        .arg(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env("JAXIDE_HARDENING_CHILD", name);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("spawn the child test process");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Whether this process is the child that `run_child` started for `name`.
fn is_child(name: &str) -> bool {
    std::env::var("JAXIDE_HARDENING_CHILD").as_deref() == Ok(name)
}

#[test]
fn shapes_whose_size_overflows_are_rejected_with_the_shape() {
    let msg = panic_message(|| jnp::ones([1usize << 32, 1 << 32]));
    assert!(
        msg.contains("overflow in static extent product")
            && msg.contains("(4294967296, 4294967296)")
            && msg.contains("18446744073709551616 elements"),
        "{msg}"
    );
    let msg = panic_message(|| jnp::zeros([1usize << 62, 4, 0]));
    assert!(msg.contains("overflow"), "{msg}");
}

#[test]
fn reshape_never_matches_a_wrapped_size() {
    let empty = jnp::zeros([0]);
    let msg = panic_message(|| jnp::reshape(&empty, &[1 << 32, 1 << 32]));
    assert_eq!(
        msg,
        "TypeError: cannot reshape array of shape (0,) (size 0) into shape \
         (4294967296, 4294967296) (size 18446744073709551616)"
    );
    // A real size-0 target still works.
    assert_eq!(jnp::reshape(&empty, &[0, 1 << 40]).shape(), &[0, 1 << 40]);
}

#[test]
fn out_of_memory_is_resource_exhausted_at_the_sync_point() {
    if is_child("out_of_memory_is_resource_exhausted_at_the_sync_point") {
        let keep = jnp::arange(1000).sum();
        // 4 TiB: no machine maps it, and the cap refuses it anyway.
        let huge = jnp::zeros([1usize << 40]);
        let err = huge.try_block_until_ready().unwrap_err();
        assert!(err.is_resource_exhausted(), "{err}");
        println!("TRY: {err}");
        // 8 GiB under a 3 GiB cap: a size the system could map without it.
        let big = jnp::ones([1usize << 31]) * 2.0f32;
        let err = big.try_to_vec::<f32>().unwrap_err();
        println!("TRY2: {err}");
        // The panicking accessor panics with the same status line.
        let msg = panic_message(|| big.block_until_ready().shape().to_vec());
        println!("PANIC: {msg}");
        // Everything else survives.
        assert_eq!(keep.item::<i32>(), 499_500);
        assert_eq!((jnp::arange(10) * 2i32).to_vec::<i32>()[9], 18);
        println!("SURVIVED");
        return;
    }
    let (ok, out, err) = run_child(
        "out_of_memory_is_resource_exhausted_at_the_sync_point",
        &[],
        Some(3 << 20),
    );
    assert!(ok, "child failed:\n{out}\n{err}");
    assert!(
        out.contains("TRY: RESOURCE_EXHAUSTED: Out of memory allocating 4398046511104 bytes."),
        "{out}"
    );
    assert!(
        out.contains("TRY2: RESOURCE_EXHAUSTED: Out of memory allocating 8589934592 bytes."),
        "{out}"
    );
    assert!(
        out.contains("PANIC: RESOURCE_EXHAUSTED: Out of memory allocating 8589934592 bytes."),
        "{out}"
    );
    assert!(out.contains("SURVIVED"), "{out}");
}

#[test]
fn bad_environment_values_warn_once_and_name_the_accepted_values() {
    if is_child("bad_environment_values_warn_once_and_name_the_accepted_values") {
        let x = jnp::arange(100_000) * 2i32;
        assert_eq!(x.sum().item::<i32>(), 1_409_965_408);
        return;
    }
    let (ok, out, err) = run_child(
        "bad_environment_values_warn_once_and_name_the_accepted_values",
        &[
            ("JAXIDE_NUM_THREADS", "abc"),
            ("JAXIDE_ISA", "bogus"),
            ("JAXIDE_ALLOCATOR_CACHE_BYTES", "lots"),
        ],
        None,
    );
    assert!(ok, "child failed:\n{out}\n{err}");
    for (var, accepted) in [
        ("JAXIDE_NUM_THREADS=\"abc\"", "a positive integer"),
        ("JAXIDE_ISA=\"bogus\"", "one of scalar, avx2, avx512"),
        ("JAXIDE_ALLOCATOR_CACHE_BYTES=\"lots\"", "a byte count"),
    ] {
        let lines: Vec<&str> = err.lines().filter(|l| l.contains(var)).collect();
        assert_eq!(lines.len(), 1, "one warning for {var}:\n{err}");
        assert!(
            lines[0].starts_with("jaxide: warning: ignoring") && lines[0].contains(accepted),
            "{}",
            lines[0]
        );
    }
    let (ok, _, err) = run_child(
        "bad_environment_values_warn_once_and_name_the_accepted_values",
        &[("JAXIDE_NUM_THREADS", "0")],
        None,
    );
    assert!(
        ok && err.contains("ignoring JAXIDE_NUM_THREADS=\"0\""),
        "{err}"
    );
}

fn assert_send_sync<T: Send + Sync>(_: &T) {}

#[test]
fn one_jitted_function_serves_eight_threads() {
    let f = jit(|x: &Array, y: &Array| (x * y + 1.0f32).sum());
    assert_send_sync(&f);
    let f = std::sync::Arc::new(f);
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let f = f.clone();
            std::thread::spawn(move || {
                let mut last = 0.0f32;
                for i in 0..50 {
                    let x = jnp::full([64], (t * 100 + i) as f32);
                    let y = jnp::ones([64]);
                    last = f(&x, &y).item::<f32>();
                    assert_eq!(last, 64.0 * ((t * 100 + i) as f32 + 1.0));
                }
                last
            })
        })
        .collect();
    for h in handles {
        h.join()
            .expect("a thread calling the jitted function panicked");
    }
}

#[test]
fn a_tracer_sent_to_another_thread_says_what_happened() {
    let msg = panic_message(|| {
        jit(|x: &Array| {
            let t = x.clone();
            let r = std::thread::spawn(move || (&t + 1.0f32).shape().to_vec()).join();
            if let Err(e) = r {
                std::panic::resume_unwind(e);
            }
            x * 2.0f32
        })(&jnp::ones([3]))
    });
    assert!(
        msg.contains("on another thread") && !msg.contains("after the transformation finished"),
        "{msg}"
    );
}
