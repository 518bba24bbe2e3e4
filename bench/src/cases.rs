//! The benchmark cases, shared by the compare command and criterion.

use jaxide::numpy as jnp;
use jaxide::{Array, DType};

/// A named case: a closure that runs one iteration (blocking on its result).
pub struct Case {
    /// Stable case name (the same in the Python peer script).
    pub name: &'static str,
    /// Runs one iteration.
    pub run: Box<dyn FnMut()>,
}

fn case(name: &'static str, run: impl FnMut() + 'static) -> Case {
    Case {
        name,
        run: Box::new(run),
    }
}

/// Every case, with its inputs prepared.
pub fn all_cases() -> Vec<Case> {
    let n = 10_000_000;
    let vf = jnp::arange_dtype(n, DType::F32);
    let vi = jnp::arange(n);
    let a1 = jnp::ones(1);
    let a1k = jnp::ones(1000);
    let x = &jnp::arange_dtype(n, DType::F32) / (n as f32);
    let m = matrix(1024);
    let (vf2, vi2, x2, x3) = (vf.clone(), vi.clone(), x.clone(), x.clone());
    vec![
        case("dot_f32_1e7", move || {
            jnp::dot(&vf, &vf2).block_until_ready();
        }),
        case("dot_i32_1e7", move || {
            jnp::dot(&vi, &vi2).block_until_ready();
        }),
        case("add_f32_1", move || {
            (&a1 + &a1).block_until_ready();
        }),
        case("add_f32_1000", move || {
            (&a1k + &a1k).block_until_ready();
        }),
        case("exp_f32_1e7", move || {
            jnp::exp(&x2).block_until_ready();
        }),
        case("chain_eager_f32_1e7", move || {
            jnp::sum(&jnp::tanh(&(&x3 * 2.0 + 1.0)).pow(2)).block_until_ready();
        }),
        case("matmul_f32_1024", move || {
            jnp::matmul(&m, &m).block_until_ready();
        }),
    ]
}

/// A deterministic 1024×1024-style matrix with values in [-1, 1).
pub fn matrix(n: usize) -> Array {
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let data: Vec<f32> = (0..n * n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect();
    Array::from_vec(data, [n, n])
}
