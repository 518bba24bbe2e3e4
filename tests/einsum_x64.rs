//! `jnp::einsum` derivatives in float64 (x64 on, so this is its own test
//! binary): forward and reverse mode match central finite differences to
//! second order for contractions, traces/diagonals, broadcasting, ellipses
//! and multi-operand chains, and jit/vmap of the gradient agree with eager.

use jaxide::prelude::*;
use jaxide::test_util::{check_grads, Mode};

/// Deterministic float64 values in [-1, 1).
fn rand(shape: &[usize], seed: u64) -> Array {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            2.0 * ((s >> 11) as f64 / (1u64 << 53) as f64) - 1.0
        })
        .collect();
    Array::from_vec(v, shape.to_vec())
}

const MODES: &[Mode] = &[Mode::Fwd, Mode::Rev];

fn check2(sub: &'static str, a: Array, b: Array) {
    check_grads(
        move |p: &(Array, Array)| jnp::einsum(sub, [&p.0, &p.1]),
        &(a, b),
        2,
        MODES,
    );
}

#[test]
fn pairwise_contractions_match_finite_differences() {
    jaxide::config::set_enable_x64(true);
    check2("ij,jk->ik", rand(&[2, 3], 1), rand(&[3, 4], 2));
    check2("bij,bjk->bik", rand(&[2, 2, 3], 3), rand(&[2, 3, 2], 4));
    check2("ijk,jil->kl", rand(&[2, 3, 2], 5), rand(&[3, 2, 2], 6));
    check2("i,j->ij", rand(&[3], 7), rand(&[2], 8));
    check2("ij,jk->i", rand(&[2, 3], 9), rand(&[3, 2], 10));
    // Broadcast size-1 dims.
    check2("ij,jk->ik", rand(&[2, 1], 11), rand(&[3, 2], 12));
    check2(
        "...ij,...jk->...ik",
        rand(&[2, 1, 2, 3], 13),
        rand(&[3, 3, 2], 14),
    );
    // Repeated indices inside a pair.
    check2("iij,jk->ik", rand(&[3, 3, 2], 15), rand(&[2, 2], 16));
    check2("ii,ij->j", rand(&[3, 3], 17), rand(&[3, 2], 18));
}

#[test]
fn single_operand_reductions_match_finite_differences() {
    jaxide::config::set_enable_x64(true);
    for sub in [
        "ii",
        "ii->i",
        "iij->ji",
        "ijj->i",
        "ij->",
        "...j->...",
        "ij->ji",
    ] {
        let shape: &[usize] = match sub {
            "iij->ji" => &[3, 3, 2],
            "ijj->i" => &[2, 3, 3],
            "...j->..." => &[2, 3, 2],
            "ij->" | "ij->ji" => &[2, 3],
            _ => &[3, 3],
        };
        check_grads(
            move |x: &Array| jnp::einsum(sub, [x]),
            &rand(shape, 20),
            2,
            MODES,
        );
    }
}

#[test]
fn chains_match_finite_differences() {
    jaxide::config::set_enable_x64(true);
    let args = (rand(&[2, 3], 31), rand(&[3, 4], 32), rand(&[4, 2], 33));
    check_grads(
        |p: &(Array, Array, Array)| jnp::einsum("ij,jk,kl->il", [&p.0, &p.1, &p.2]),
        &args,
        2,
        MODES,
    );
    let args = (
        rand(&[3, 2], 34),
        rand(&[2, 2, 2, 2], 35),
        rand(&[3, 2], 36),
        rand(&[3, 2], 37),
    );
    check_grads(
        |p: &(Array, Array, Array, Array)| {
            jnp::einsum("ea,abcd,gc,hd->egh", [&p.0, &p.1, &p.2, &p.3])
        },
        &args,
        1,
        MODES,
    );
}

#[test]
fn jit_and_vmap_of_einsum_gradients_agree_with_eager() {
    jaxide::config::set_enable_x64(true);
    let w = rand(&[3, 3], 41);
    let loss = move |x: &Array| jnp::einsum("ij,jk,ik->", [x, &w, x]);
    let xs = rand(&[5, 2, 3], 42);
    let eager: Vec<Vec<f64>> = (0..5usize)
        .map(|i| grad(&loss)(&xs.at(i).get()).to_vec::<f64>())
        .collect();
    let batched = jit(vmap(grad(&loss)))(&xs);
    for (i, e) in eager.iter().enumerate() {
        let got = batched.at(i).get().to_vec::<f64>();
        for (a, b) in got.iter().zip(e) {
            assert!((a - b).abs() < 1e-12, "example {i}: {a} vs {b}");
        }
    }
}
