//! Linear algebra of part A in float64 (x64 on, so this is its own test
//! binary): Cholesky factors of random SPD matrices reconstruct them and
//! batch over leading axes, and the `jnp.linalg` / `jax.scipy.linalg`
//! functions' derivatives match central finite differences to second order
//! (forward and reverse).

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
        let l = jnp::linalg::cholesky(&a);
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
    let batched = jnp::linalg::cholesky(&stack);
    assert_eq!(batched.shape(), &[2, 3, 3]);
    for i in 0..2usize {
        let one = jnp::linalg::cholesky(&spd(3, i as u64 + 1)).to_vec::<f64>();
        assert_eq!(batched.at(i).get().to_vec::<f64>(), one);
    }
}

#[test]
fn cholesky_gradients_match_finite_differences() {
    jaxide::config::set_enable_x64(true);
    let a = spd(3, 5);
    let w = spd(3, 9);
    check_grads(
        move |a: &Array| (jnp::linalg::cholesky(a) * &w).sum(),
        &a,
        2,
        &[Mode::Fwd, Mode::Rev],
    );
}

/// A well-conditioned general matrix: uniform noise plus `n I`.
fn general(n: usize, seed: u64) -> Array {
    let s = spd(n, seed);
    let skew = &s - s.transpose();
    (s + skew * 0.3f64) * 0.25f64
}

#[test]
fn jnp_linalg_gradients_match_finite_differences() {
    jaxide::config::set_enable_x64(true);
    use jaxide::numpy::linalg as la;
    let a = general(4, 3);
    let w = spd(4, 4);
    let b = jnp::array([0.3f64, -1.0, 0.5, 2.0]);
    let modes = &[Mode::Fwd, Mode::Rev];
    let b1 = b.clone();
    check_grads(move |a: &Array| la::solve(a, &b1), &a, 2, modes);
    let a1 = a.clone();
    check_grads(move |b: &Array| la::solve(&a1, b), &b, 2, modes);
    check_grads(|a: &Array| la::inv(a), &a, 2, modes);
    check_grads(|a: &Array| la::det(a), &a, 2, modes);
    check_grads(|a: &Array| la::det(&a.at((..3, ..3)).get()), &a, 2, modes);
    check_grads(|a: &Array| la::slogdet(a).1, &a, 2, modes);
    check_grads(|a: &Array| la::matrix_power(a, -2), &a, 2, modes);
    let w1 = w.clone();
    check_grads(
        move |a: &Array| jnp::linalg::multi_dot(&[a, &w1, a]),
        &a,
        2,
        modes,
    );
    check_grads(
        |a: &Array| jnp::linalg::cholesky(&(jnp::matmul(a, a.transpose()) + jnp::eye(4))),
        &a,
        2,
        modes,
    );
}

#[test]
fn scipy_linalg_gradients_match_finite_differences() {
    jaxide::config::set_enable_x64(true);
    use jaxide::scipy::linalg as sl;
    let a = spd(4, 7) * 0.2f64;
    let b = jnp::array([[0.3f64, 1.0], [-1.0, 0.5], [0.5, 0.25], [2.0, -0.5]]);
    let modes = &[Mode::Fwd, Mode::Rev];
    let b1 = b.clone();
    check_grads(
        move |a: &Array| {
            let (lu, piv) = sl::lu_factor(a);
            sl::lu_solve((&lu, &piv), &b1, 1)
        },
        &a,
        2,
        modes,
    );
    let b2 = b.clone();
    check_grads(
        // Cholesky reads one triangle and its rule assumes a symmetric
        // tangent (as JAX's), so the perturbations are symmetrized.
        move |a: &Array| {
            sl::solve_with(
                &sym(a),
                &b2,
                sl::Solve {
                    assume_a: "pos",
                    lower: true,
                },
            )
        },
        &a,
        2,
        modes,
    );
    let b3 = b.clone();
    check_grads(
        move |a: &Array| {
            let (c, lower) = sl::cho_factor(&sym(a), false);
            sl::cho_solve((&c, lower), &b3)
        },
        &a,
        2,
        modes,
    );
    check_grads(|a: &Array| sl::expm(a), &a, 2, modes);
    check_grads(|a: &Array| sl::lu(a).2, &a, 2, modes);
    let b4 = b.clone();
    check_grads(
        move |a: &Array| {
            sl::solve_triangular_with(
                a,
                &b4,
                sl::SolveTriangular {
                    trans: 1,
                    lower: true,
                    unit_diagonal: false,
                },
            )
        },
        &a,
        2,
        modes,
    );
}

#[test]
fn det_gradient_is_finite_on_a_rank_deficient_matrix() {
    // Rank n-1: the cofactor rule gives the adjugate, where a naive a⁻¹ would be inf.
    jaxide::config::set_enable_x64(true);
    let a = jnp::array([
        [1.0f64, 2.0, 3.0, 0.5],
        [2.0, 4.0, 6.0, 1.0],
        [0.0, 1.0, 0.0, 1.0],
        [1.0, 0.0, 1.0, 0.0],
    ]);
    let g = grad(|a: &Array| jnp::linalg::det(a))(&a).to_vec::<f64>();
    assert!(g.iter().all(|v| v.is_finite()), "{g:?}");
    assert!(g.iter().any(|&v| v != 0.0), "{g:?}");
}

fn sym(a: &Array) -> Array {
    (a + a.transpose()) * 0.5f64
}
