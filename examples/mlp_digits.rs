//! An MLP trained with Adam under `jit` on the UCI 8×8 handwritten digits
//! (1,797 images shipped in `data/digits/`, CC BY 4.0): a progress bar with
//! the live loss and throughput, the test accuracy, `loss.png` with the
//! train and test loss curves, and a checkpoint that `--resume` continues
//! from, bit for bit.
//!
//! ```sh
//! cargo run --release --example mlp_digits
//! cargo run --release --example mlp_digits -- --epochs 20            # stop early...
//! cargo run --release --example mlp_digits -- --resume target/mlp_digits/ckpt.safetensors
//! ```

#[path = "common/plot.rs"]
mod plot;

use indicatif::{ProgressBar, ProgressStyle};
use jaxide::data::{self, DataLoader, DataLoaderState};
use jaxide::io::checkpoint;
use jaxide::optim::{self, OptState};
use jaxide::prelude::*;
use jaxide::{nn, random};
use std::path::PathBuf;
use std::time::Instant;

const DIGITS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits/digits.npz");
const EPOCHS: usize = 60;
const BATCH: usize = 64;

/// Everything a resumed run needs: parameters, optimizer state, the data
/// iterator's position, and the per-epoch history (NaN where not yet run).
#[derive(PyTree, Clone)]
struct TrainState {
    model: nn::MLP,
    opt_state: OptState,
    data: DataLoaderState,
    /// `(EPOCHS, 3)`: train loss, test loss, test accuracy per epoch.
    history: Array,
}

fn loss_fn(model: &nn::MLP, x: &Array, y: &Array) -> Array {
    let logits = vmap(|x: &Array| model.forward(x))(x);
    optim::softmax_cross_entropy_with_integer_labels(&logits, y).mean()
}

fn accuracy(model: &nn::MLP, x: &Array, y: &Array) -> f32 {
    let logits = vmap(|x: &Array| model.forward(x))(x);
    let pred = jnp::argmax_axis(&logits, -1, false);
    jnp::mean(&pred.eq(y).astype(DType::F32)).item::<f32>()
}

struct Args {
    epochs: usize,
    resume: Option<PathBuf>,
    out: PathBuf,
}

fn parse_args() -> Args {
    let mut args = Args {
        epochs: EPOCHS,
        resume: None,
        out: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/mlp_digits")),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| die(&format!("{a} needs a value")));
        match a.as_str() {
            "--epochs" => args.epochs = value().parse().unwrap_or_else(|_| die("bad --epochs")),
            "--resume" => args.resume = Some(PathBuf::from(value())),
            "--out" => args.out = PathBuf::from(value()),
            _ => die(&format!("unknown argument {a}; use --epochs N, --resume CKPT, --out DIR")),
        }
    }
    args.epochs = args.epochs.min(EPOCHS);
    args
}

fn die(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(2)
}

fn main() {
    let args = parse_args();
    let digits = data::load_digits(DIGITS).unwrap_or_else(|e| die(&format!("{DIGITS}: {e}")));
    // Pixels are 0..16; scale to [0, 1] and flatten each image to 64 features.
    let prep = |(x, y): (Array, Array)| ((&x / 16.0).reshape(&[-1, 64]), y);
    let (x_train, y_train) = prep(digits.train());
    let (x_test, y_test) = prep(digits.test());

    let (model_key, data_key) = {
        let k = random::split(&random::key(0), 2);
        (k.idx(0), k.idx(1))
    };
    let model = nn::MLP::new(64, 10, 128, 2, |x| nn::relu(x), |x| x.clone(), &model_key);
    let tx = optim::adam(3e-3);
    let mut loader = DataLoader::new(&(x_train.clone(), y_train.clone()), BATCH, &data_key);
    let fresh = TrainState {
        opt_state: tx.init(&model),
        model,
        data: loader.state(),
        history: jnp::full([EPOCHS, 3], f32::NAN),
    };
    let mut state = match &args.resume {
        None => fresh,
        Some(path) => {
            let s = checkpoint::restore(path, &fresh)
                .unwrap_or_else(|e| die(&format!("cannot resume from {}: {e}", path.display())));
            println!("resumed from {} at epoch {}", path.display(), loader_epoch(&s.data));
            s
        }
    };
    loader.restore_state(&state.data);

    let step = {
        let tx = tx.clone();
        jit(move |model: &nn::MLP, opt_state: &OptState, x: &Array, y: &Array| {
            let (loss, grads) = value_and_grad(loss_fn)(model, x, y);
            let (updates, opt_state) = tx.update(&grads, opt_state.clone(), Some(model));
            (optim::apply_updates(model, &updates), opt_state, loss)
        })
    };
    let eval_loss = jit(loss_fn);

    let first_epoch = loader.epoch();
    let steps = (args.epochs.saturating_sub(first_epoch)) * loader.steps_per_epoch();
    let bar = ProgressBar::new(steps as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30.cyan/blue} {pos}/{len} steps  epoch {prefix}  loss {msg}  [{elapsed_precise}, {per_sec}]",
        )
        .expect("valid template"),
    );
    let start = Instant::now();
    let mut global_step = first_epoch * loader.steps_per_epoch();
    for epoch in first_epoch..args.epochs {
        bar.set_prefix(format!("{}/{}", epoch + 1, args.epochs));
        let mut losses = Vec::new();
        for (x, y) in loader.epoch_batches() {
            let (m, o, loss) = step(&state.model, &state.opt_state, &x, &y);
            let l = loss.item::<f32>();
            if !l.is_finite() {
                bar.abandon();
                die(&format!(
                    "the training loss became {l} at step {global_step} (epoch {}); stopping. \
                     Lower the learning rate or check the data.",
                    epoch + 1
                ));
            }
            state.model = m;
            state.opt_state = o;
            losses.push(l);
            global_step += 1;
            bar.set_message(format!("{l:.4}"));
            bar.inc(1);
        }
        let train_loss = losses.iter().sum::<f32>() / losses.len() as f32;
        let test_loss = eval_loss(&state.model, &x_test, &y_test).item::<f32>();
        let acc = accuracy(&state.model, &x_test, &y_test);
        state.history = state
            .history
            .at(epoch)
            .set(jnp::array([train_loss, test_loss, acc]));
    }
    bar.finish();
    state.data = loader.state();
    let elapsed = start.elapsed();

    let acc = accuracy(&state.model, &x_test, &y_test);
    println!(
        "trained {} epochs in {:.2?}; test accuracy: {:.2}% ({} test images)",
        args.epochs - first_epoch,
        elapsed,
        100.0 * acc,
        x_test.shape()[0]
    );

    std::fs::create_dir_all(&args.out).unwrap_or_else(|e| die(&format!("{e}")));
    let ckpt = args.out.join("ckpt.safetensors");
    checkpoint::save(&ckpt, &state).unwrap_or_else(|e| die(&format!("saving checkpoint: {e}")));
    println!("checkpoint: {}", ckpt.display());

    let h = state.history.to_vec::<f32>();
    let done = h.chunks(3).take_while(|r| r[0].is_finite()).count();
    let col = |c: usize| -> Vec<f32> { h.chunks(3).take(done).map(|r| r[c]).collect() };
    let png = args.out.join("loss.png");
    plot::loss_curves(
        &png,
        "MLP on UCI digits (Adam, jit)",
        "cross-entropy loss",
        &[("train", &col(0)), ("test", &col(1))],
    )
    .unwrap_or_else(|e| die(&format!("plotting: {e}")));
    println!("loss curves: {}", png.display());
}

fn loader_epoch(s: &DataLoaderState) -> i32 {
    s.epoch.item::<i32>()
}
