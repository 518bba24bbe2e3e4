//! Linear regression, the seed's first training loop: fit `y = w x + b` to
//! noisy samples of `y = 3x - 1` with plain gradient descent, first eagerly
//! and then with the whole update step under `jit`.
//!
//! ```sh
//! cargo run --release --example linear_regression
//! ```

use jaxide::prelude::*;
use jaxide::random;

/// The model's parameters: a pytree, so `grad` returns the same struct.
#[derive(PyTree, Clone)]
struct Params {
    w: Array,
    b: Array,
}

fn predict(p: &Params, x: &Array) -> Array {
    &p.w * x + &p.b
}

fn loss(p: &Params, x: &Array, y: &Array) -> Array {
    (predict(p, x) - y).pow(2).mean()
}

/// One step of gradient descent with learning rate 0.1.
fn update(p: &Params, x: &Array, y: &Array) -> Params {
    let g = grad(loss)(p, x, y);
    Params {
        w: &p.w - 0.1 * &g.w,
        b: &p.b - 0.1 * &g.b,
    }
}

fn main() {
    // 100 points x ~ N(0, 1), y = 3x - 1 + N(0, 0.1²), from jaxide::random
    // (the same numbers as jax.random for the same keys; key 2 gives a
    // sample whose least-squares fit is (2.997, -0.997)).
    let (kx, kn) = {
        let k = random::split(&random::key(2), 2);
        (k.idx(0), k.idx(1))
    };
    let xs = random::normal(&kx, &[100]);
    let ys = 3.0 * &xs - 1.0 + 0.1 * random::normal(&kn, &[100]);
    let init = Params {
        w: jnp::array(1.0f32),
        b: jnp::array(1.0f32),
    };

    // Eager: every operation runs as it is called.
    let mut p = init.clone();
    for _ in 0..1000 {
        p = update(&p, &xs, &ys);
    }
    println!(
        "eager: w: {:.2}, b: {:.2}  (loss {:.5})",
        p.w.item::<f32>(),
        p.b.item::<f32>(),
        loss(&p, &xs, &ys).item::<f32>()
    );

    // Jitted: the step is traced once and compiled into fused kernels.
    let step = jit(update);
    let mut p = init;
    for _ in 0..1000 {
        p = step(&p, &xs, &ys);
    }
    println!(
        "jit:   w: {:.2}, b: {:.2}",
        p.w.item::<f32>(),
        p.b.item::<f32>()
    );
    println!("w: {:.2}, b: {:.2}", p.w.item::<f32>(), p.b.item::<f32>());
}
