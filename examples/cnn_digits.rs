//! A small CNN (two `Conv2d` + `MaxPool2d` blocks and a `Linear` head)
//! trained with Adam under `jit` on the UCI 8×8 digits shipped in
//! `data/digits/`; the same loop, progress bar, checkpoint and `loss.png`
//! as `mlp_digits` (`examples/common/train.rs`).
//!
//! ```sh
//! cargo run --release --example cnn_digits
//! ```

#[path = "common/plot.rs"]
mod plot;
#[path = "common/train.rs"]
mod train;

use jaxide::nn::{self, ConvLayerOptions, PoolOptions};
use jaxide::prelude::*;
use jaxide::random;

/// `(1, 8, 8)` -> conv 3×3 (32) -> ReLU -> max-pool 2 -> `(32, 4, 4)`
/// -> conv 3×3 (64) -> ReLU -> max-pool 2 -> `(64, 2, 2)` -> linear -> 10.
#[derive(PyTree, Clone)]
struct Cnn {
    conv1: nn::Conv2d,
    conv2: nn::Conv2d,
    pool: nn::MaxPool2d,
    head: nn::Linear,
}

impl Cnn {
    fn new(key: &random::Key) -> Cnn {
        let k = random::split(key, 3);
        let same = || ConvLayerOptions {
            padding: 1.into(),
            ..Default::default()
        };
        Cnn {
            conv1: nn::Conv2d::new_with(1, 32, 3, same(), &k.idx(0)),
            conv2: nn::Conv2d::new_with(32, 64, 3, same(), &k.idx(1)),
            pool: nn::MaxPool2d::new_with(
                2,
                PoolOptions {
                    stride: 2.into(),
                    ..Default::default()
                },
            ),
            head: nn::Linear::new(64 * 2 * 2, 10, true, &k.idx(2)),
        }
    }

    /// Logits of one `(1, 8, 8)` image.
    fn forward(&self, x: &Array) -> Array {
        let x = self.pool.forward(&nn::relu(self.conv1.forward(x)));
        let x = self.pool.forward(&nn::relu(self.conv2.forward(&x)));
        self.head.forward(&x.reshape(&[-1]))
    }
}

fn main() {
    train::run(train::Config {
        name: "CNN",
        dir: "cnn_digits",
        init: Cnn::new,
        forward: |m: &Cnn, x: &Array| m.forward(x),
        // Pixels are 0..16: scale to [0, 1], one input channel.
        prep: |x: &Array| (x / 16.0).reshape(&[-1, 1, 8, 8]),
        epochs: 30,
        batch: 64,
        learning_rate: 2e-3,
    });
}
