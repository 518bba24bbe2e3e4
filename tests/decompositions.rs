//! `jnp::cholesky`: factors of random symmetric positive-definite matrices
//! reconstruct them, are lower triangular with a positive diagonal, batch
//! over leading axes, and differentiate (finite-difference check).

use jaxide::prelude::*;
use jaxide::test_util::{check_grads, Mode};

/// A deterministic SPD matrix `B B^T + n I` of size `n` (float64).
fn spd(n: usize, seed: u64) -> Array {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let b: Vec<f64> = (0..n * n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        })
        .collect();
    let b = Array::from_vec(b, [n, n]);
    jnp::matmul(&b, b.transpose()) + jnp::eye(n) * n as f64
}

#[test]
fn cholesky_factors_reconstruct_random_spd_matrices() {
    jaxide::config::set_enable_x64(true);
    for n in 1..=7 {
        let a = spd(n, n as u64);
        let l = jnp::cholesky(&a);
        let back = jnp::matmul(&l, l.transpose()).to_vec::<f64>();
        let (lv, av) = (l.to_vec::<f64>(), a.to_vec::<f64>());
        for i in 0..n {
            assert!(lv[i * n + i] > 0.0, "n={n}: diagonal must be positive");
            for j in 0..n {
                assert!(
                    (back[i * n + j] - av[i * n + j]).abs() < 1e-12,
                    "n={n} ({i},{j})"
                );
                if j > i {
                    assert_eq!(lv[i * n + j], 0.0, "n={n}: upper triangle must be zero");
                }
            }
        }
    }
}

#[test]
fn cholesky_batches_over_leading_axes() {
    jaxide::config::set_enable_x64(true);
    let stack = jnp::stack(&[&spd(3, 1), &spd(3, 2)], 0);
    let batched = jnp::cholesky(&stack);
    assert_eq!(batched.shape(), &[2, 3, 3]);
    for i in 0..2usize {
        let one = jnp::cholesky(&spd(3, i as u64 + 1)).to_vec::<f64>();
        assert_eq!(batched.at(i).get().to_vec::<f64>(), one);
    }
}

#[test]
fn cholesky_gradients_match_finite_differences() {
    jaxide::config::set_enable_x64(true);
    let a = spd(3, 5);
    let w = spd(3, 9);
    check_grads(
        move |a: &Array| (jnp::cholesky(a) * &w).sum(),
        &a,
        2,
        &[Mode::Fwd, Mode::Rev],
    );
}

#[test]
fn cholesky_rejects_non_square_input() {
    let err = std::panic::catch_unwind(|| jnp::cholesky(&jnp::ones([2, 3]))).unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(msg.contains("cholesky requires a square matrix"), "{msg}");
}
