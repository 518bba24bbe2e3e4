//! Loop and integer-kernel cases (issue 15): a recurrent `scan`, a scalar
//! f64 `while_loop`, and a fused int32 index chain. The Python peers are
//! in `compare_loops.py`.

use crate::cases::{case, uniform_matrix, Case};
use jaxide::lax;
use jaxide::numpy as jnp;
use jaxide::prelude::jit;
use jaxide::{Array, DType};

/// The loop cases.
pub fn loop_cases() -> Vec<Case> {
    vec![scan_rnn_case(), while_newton_case(), int_index_math_case()]
}

/// `h <- tanh(h W + x U)` over 100 steps: hidden 128, batch 32, inputs 64.
fn scan_rnn_case() -> Case {
    let w = &uniform_matrix(128, 128, 11) * 0.08f32;
    let u = &uniform_matrix(64, 128, 12) * 0.1f32;
    let xs = uniform_matrix(100 * 32, 64, 13).reshape(&[100, 32, 64]);
    let h0 = jnp::zeros([32, 128]);
    let rnn = jit(|w: &Array, u: &Array, h0: &Array, xs: &Array| {
        let (h, ()) = lax::scan(
            |h: &Array, x: &Array| (jnp::tanh(&(jnp::matmul(h, w) + jnp::matmul(x, u))), ()),
            h0,
            xs,
        );
        h
    });
    case("jit_scan_rnn", move || {
        rnn(&w, &u, &h0, &xs).block_until_ready();
    })
}

/// 10,000 Newton steps for cube roots of a moving target, f64 scalars
/// carried through a `while_loop` (x64 on).
fn while_newton_case() -> Case {
    let run = |a: &Array| {
        let (_, x) = lax::while_loop(
            |(k, _): &(Array, Array)| k.lt(10_000),
            |(k, x): &(Array, Array)| {
                let t = a + &(k.astype(DType::F64) * 1e-6f64);
                let x2 = x * x;
                (k + 1, x - (&x2 * x - t) / (x2 * 3.0f64))
            },
            &(Array::scalar(0i32), Array::scalar(1.0f64)),
        );
        x
    };
    let newton = jit(run);
    case("jit_while_newton", move || {
        jaxide::config::set_enable_x64(true);
        newton(&Array::scalar(2.0f64)).block_until_ready();
        jaxide::config::set_enable_x64(false);
    })
}

/// `sum(clip(((x * 7 + 3) % 1009) // 3 - 50, 0, 255))` over int32[1e7].
fn int_index_math_case() -> Case {
    let x = jnp::arange(10_000_000);
    let f = jit(|x: &Array| {
        let y = jnp::floor_divide(&((x * 7 + 3) % 1009), 3) - 50;
        jnp::sum(&jnp::clip(&y, 0, 255))
    });
    case("jit_int_index_math", move || {
        f(&x).block_until_ready();
    })
}
