//! The training loop shared by `mlp_digits` and `cnn_digits`: Adam under
//! `jit`, a shuffling data loader, an `indicatif` progress bar with the live
//! loss and throughput, NaN detection, per-epoch test loss and accuracy,
//! a checkpoint that `--resume` continues from bit for bit, and `loss.png`.

use indicatif::{ProgressBar, ProgressStyle};
use jaxide::data::{self, DataLoader, DataLoaderState};
use jaxide::io::checkpoint;
use jaxide::optim::{self, OptState};
use jaxide::prelude::*;
use jaxide::random;
use jaxide::tree::PyTree;
use std::path::PathBuf;
use std::time::Instant;

/// The shipped UCI digits.
pub const DIGITS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits/digits.npz");

/// Everything a resumed run needs: parameters, optimizer state, the data
/// iterator's position, and the per-epoch history (NaN where not yet run).
#[derive(PyTree, Clone)]
pub struct TrainState<M: PyTree + Clone> {
    /// The model's parameters.
    pub model: M,
    /// Adam's state.
    pub opt_state: OptState,
    /// Where the data loader is.
    pub data: DataLoaderState,
    /// `(epochs, 3)`: train loss, test loss, test accuracy per epoch.
    pub history: Array,
}

/// What to train and how.
pub struct Config<M> {
    /// Shown in messages and the plot title.
    pub name: &'static str,
    /// The output folder's name under `target/`.
    pub dir: &'static str,
    /// Builds the model from a key.
    pub init: fn(&random::Key) -> M,
    /// Logits of one example (the loop vmaps it over the batch).
    pub forward: fn(&M, &Array) -> Array,
    /// Turns `(n, 8, 8)` pixels in 0..16 into the model's inputs.
    pub prep: fn(&Array) -> Array,
    /// Epochs in a full run.
    pub epochs: usize,
    /// Batch size.
    pub batch: usize,
    /// Adam's learning rate.
    pub learning_rate: f64,
}

struct Args {
    epochs: Option<usize>,
    learning_rate: Option<f64>,
    resume: Option<PathBuf>,
    out: Option<PathBuf>,
}

fn parse_args() -> Args {
    let mut args = Args {
        epochs: None,
        learning_rate: None,
        resume: None,
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .unwrap_or_else(|| die(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--epochs" => {
                args.epochs = Some(value().parse().unwrap_or_else(|_| die("bad --epochs")))
            }
            "--learning-rate" => {
                let lr: f64 = value()
                    .parse()
                    .unwrap_or_else(|_| die("bad --learning-rate"));
                args.learning_rate = Some(lr);
            }
            "--resume" => args.resume = Some(PathBuf::from(value())),
            "--out" => args.out = Some(PathBuf::from(value())),
            _ => die(&format!(
                "unknown argument {a}; use --epochs N, --learning-rate LR, --resume CKPT, --out DIR"
            )),
        }
    }
    args
}

/// Prints `error: msg` and exits with status 2.
pub fn die(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(2)
}

/// Mean softmax cross-entropy of a batch.
fn loss_fn<M: PyTree + Clone + Send + Sync>(
    forward: fn(&M, &Array) -> Array,
    model: &M,
    x: &Array,
    y: &Array,
) -> Array {
    let logits = vmap(|x: &Array| forward(model, x))(x);
    optim::softmax_cross_entropy_with_integer_labels(&logits, y).mean()
}

fn accuracy<M: PyTree + Clone + Send + Sync>(
    forward: fn(&M, &Array) -> Array,
    model: &M,
    x: &Array,
    y: &Array,
) -> f32 {
    let logits = vmap(|x: &Array| forward(model, x))(x);
    let pred = jnp::argmax_axis(&logits, -1, false);
    jnp::mean(&pred.eq(y).astype(DType::F32)).item::<f32>()
}

/// Trains `cfg`'s model on the digits; returns the final test accuracy.
pub fn run<M>(cfg: Config<M>) -> f32
where
    M: PyTree + Clone + Send + Sync + 'static,
{
    let args = parse_args();
    let epochs = args.epochs.unwrap_or(cfg.epochs).min(cfg.epochs);
    let out = args.out.unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join(cfg.dir)
    });
    let digits = data::load_digits(DIGITS).unwrap_or_else(|e| die(&format!("{DIGITS}: {e}")));
    let prep = |(x, y): (Array, Array)| ((cfg.prep)(&x), y);
    let (x_train, y_train) = prep(digits.train());
    let (x_test, y_test) = prep(digits.test());

    let (model_key, data_key) = {
        let k = random::split(&random::key(0), 2);
        (k.idx(0), k.idx(1))
    };
    let model = (cfg.init)(&model_key);
    let tx = optim::adam(args.learning_rate.unwrap_or(cfg.learning_rate));
    let mut loader = DataLoader::new(&(x_train.clone(), y_train.clone()), cfg.batch, &data_key);
    let fresh = TrainState {
        opt_state: tx.init(&model),
        model,
        data: loader.state(),
        history: jnp::full([cfg.epochs, 3], f32::NAN),
    };
    let mut state = match &args.resume {
        None => fresh,
        Some(path) => {
            let s = checkpoint::restore(path, &fresh)
                .unwrap_or_else(|e| die(&format!("cannot resume from {}: {e}", path.display())));
            println!(
                "resumed from {} at epoch {}",
                path.display(),
                s.data.epoch.item::<i32>()
            );
            s
        }
    };
    loader.restore_state(&state.data);

    let forward = cfg.forward;
    let step = {
        let tx = tx.clone();
        jit(
            move |model: &M, opt_state: &OptState, x: &Array, y: &Array| {
                let (loss, grads) = value_and_grad(|m: &M| loss_fn(forward, m, x, y))(model);
                let (updates, opt_state) = tx.update(&grads, opt_state.clone(), Some(model));
                (optim::apply_updates(model, &updates), opt_state, loss)
            },
        )
    };
    let eval_loss = jit(move |m: &M, x: &Array, y: &Array| loss_fn(forward, m, x, y));

    let first_epoch = loader.epoch();
    let steps = epochs.saturating_sub(first_epoch) * loader.steps_per_epoch();
    let bar = ProgressBar::new(steps as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30.cyan/blue} {pos}/{len} steps  epoch {prefix}  loss {msg}  [{elapsed_precise}, {per_sec}]",
        )
        .expect("valid template"),
    );
    let start = Instant::now();
    let mut global_step = first_epoch * loader.steps_per_epoch();
    for epoch in first_epoch..epochs {
        bar.set_prefix(format!("{}/{}", epoch + 1, epochs));
        let mut losses = Vec::new();
        for (x, y) in loader.epoch_batches() {
            let (m, o, loss) = step(&state.model, &state.opt_state, &x, &y);
            let l = loss.item::<f32>();
            if !l.is_finite() {
                bar.abandon();
                die(&format!(
                    "{}: the training loss became {l} at step {global_step} (epoch {}); \
                     stopping. Lower the learning rate or check the data.",
                    cfg.name,
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
        let train_loss = losses.iter().sum::<f32>() / losses.len().max(1) as f32;
        let test_loss = eval_loss(&state.model, &x_test, &y_test).item::<f32>();
        let acc = accuracy(forward, &state.model, &x_test, &y_test);
        state.history = state
            .history
            .at(epoch)
            .set(jnp::array([train_loss, test_loss, acc]));
    }
    bar.finish();
    state.data = loader.state();
    let elapsed = start.elapsed();

    let acc = accuracy(forward, &state.model, &x_test, &y_test);
    println!(
        "{}: trained {} epochs in {:.2?}; test accuracy: {:.2}% ({} test images)",
        cfg.name,
        epochs - first_epoch.min(epochs),
        elapsed,
        100.0 * acc,
        x_test.shape()[0]
    );

    std::fs::create_dir_all(&out).unwrap_or_else(|e| die(&format!("{}: {e}", out.display())));
    let ckpt = out.join("ckpt.safetensors");
    checkpoint::save(&ckpt, &state).unwrap_or_else(|e| die(&format!("saving checkpoint: {e}")));
    println!("checkpoint: {}", ckpt.display());

    let h = state.history.to_vec::<f32>();
    let done = h.chunks(3).take_while(|r| r[0].is_finite()).count();
    let col = |c: usize| -> Vec<f32> { h.chunks(3).take(done).map(|r| r[c]).collect() };
    let png = out.join("loss.png");
    super::plot::loss_curves(
        &png,
        &format!("{} on UCI digits (Adam, jit)", cfg.name),
        "cross-entropy loss",
        &[("train", &col(0)), ("test", &col(1))],
    )
    .unwrap_or_else(|e| die(&format!("plotting: {e}")));
    println!("loss curves: {}", png.display());
    acc
}
