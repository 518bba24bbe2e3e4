//! An MLP trained with Adam under `jit` on the UCI 8×8 handwritten digits
//! (1,797 images shipped in `data/digits/`, CC BY 4.0): a progress bar with
//! the live loss and throughput, the test accuracy, `loss.png` with the
//! train and test loss curves, and a checkpoint that `--resume` continues
//! from, bit for bit (the loop is in `examples/common/train.rs`).
//!
//! ```sh
//! cargo run --release --example mlp_digits
//! cargo run --release --example mlp_digits -- --epochs 20     # stop early...
//! cargo run --release --example mlp_digits -- --resume target/mlp_digits/ckpt.safetensors
//! ```

#[path = "common/plot.rs"]
mod plot;
#[path = "common/train.rs"]
mod train;

use jaxide::prelude::*;
use jaxide::{nn, random};

fn main() {
    train::run(train::Config {
        name: "MLP",
        dir: "mlp_digits",
        // 64 pixels -> 128 -> 128 -> 10 classes, ReLU, equinox's init.
        init: |key: &random::Key| nn::MLP::new(64, 10, 128, 2, |x| nn::relu(x), |x| x.clone(), key),
        forward: |m: &nn::MLP, x: &Array| m.forward(x),
        // Pixels are 0..16: scale to [0, 1] and flatten each image.
        prep: |x: &Array| (x / 16.0).reshape(&[-1, 64]),
        epochs: 60,
        batch: 64,
        learning_rate: 3e-3,
    });
}
