//! Runs one training-step benchmark case in a loop for a profiler, after
//! printing its staged program (`SHOW=1`) and compiled steps:
//!
//! ```sh
//! cargo build --release -p jaxide-bench --example profile_step
//! SHOW=1 N=2000 perf record -g target/release/examples/profile_step cnn
//! ```
//!
//! Cases: `mlp` (`train_step_mlp_784_512_10_b128`) and `cnn`
//! (`train_step_cnn_digits_b128`); `N` steps (default 1000).

use jaxide::nn;
use jaxide::optim::{self, OptState};
use jaxide::prelude::*;
use jaxide::random;
use jaxide::tree::{tree_leaves, PyTree};
use jaxide_bench::train_cases::DigitsCnn;

fn profile<M: PyTree + Clone + Send + Sync + 'static>(
    model: M,
    forward: fn(&M, &Array) -> Array,
    x: Array,
    y: Array,
) {
    let tx = optim::adam(1e-3);
    let opt = tx.init(&model);
    let step = move |m: &M, o: &OptState, x: &Array, y: &Array| {
        let (loss, grads) = value_and_grad(|m: &M| {
            let logits = vmap(|x: &Array| forward(m, x))(x);
            optim::softmax_cross_entropy_with_integer_labels(&logits, y).mean()
        })(m);
        let (updates, o) = tx.update(&grads, o.clone(), Some(m));
        (optim::apply_updates(m, &updates), o, loss)
    };
    let lowered = lower(step, &(model.clone(), opt.clone(), x.clone(), y.clone()));
    if std::env::var("SHOW").is_ok() {
        println!("{}\n", lowered.as_text());
    }
    let compiled = lowered.compile();
    println!("{}", compiled.as_text());
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let (mut m, mut o) = (model, opt);
    let start = std::time::Instant::now();
    for _ in 0..n {
        let (m2, o2, loss) = compiled.call(&(m, o, x.clone(), y.clone()));
        loss.block_until_ready();
        (m, o) = (m2, o2);
    }
    for leaf in tree_leaves(&m) {
        leaf.block_until_ready();
    }
    eprintln!(
        "{:.3} ms/step",
        start.elapsed().as_secs_f64() * 1e3 / n as f64
    );
}

fn main() {
    let case = std::env::args().nth(1).unwrap_or_else(|| "mlp".into());
    let k = random::split(&random::key(0), 3);
    let y = random::randint(&k.idx(2), &[128], 0, 10);
    match case.as_str() {
        "mlp" => profile(
            nn::MLP::new(784, 10, 512, 1, |x| nn::relu(x), |x| x.clone(), &k.idx(0)),
            |m: &nn::MLP, x| m.forward(x),
            random::uniform(&k.idx(1), &[128, 784]),
            y,
        ),
        "cnn" => profile(
            DigitsCnn::new(&k.idx(0)),
            |m: &DigitsCnn, x| m.forward(x),
            random::uniform(&k.idx(1), &[128, 1, 8, 8]),
            y,
        ),
        other => {
            eprintln!("unknown case {other}: use mlp or cnn");
            std::process::exit(2);
        }
    }
}
