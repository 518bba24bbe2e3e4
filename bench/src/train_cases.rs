//! Training-stack benchmark cases (issue 14, section 7): one jitted
//! `value_and_grad` + Adam step of an MLP and of the digits CNN, and a full
//! epoch of `examples/mlp_digits.rs` including its data loader. The same
//! models, batch sizes and optimizers are in `compare.py` (JAX + optax).

use crate::cases::Case;
use jaxide::data::{self, DataLoader};
use jaxide::nn::{self, ConvLayerOptions, PoolOptions};
use jaxide::optim::{self, GradientTransformation, OptState};
use jaxide::prelude::*;
use jaxide::random;
use jaxide::tree::{tree_leaves, PyTree};

/// The digits shipped with the repository.
const DIGITS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/digits/digits.npz");

/// The training-stack cases.
pub fn train_cases() -> Vec<Case> {
    vec![
        train_step_mlp_case(),
        train_step_cnn_case(),
        digits_epoch_case(),
    ]
}

/// Mean softmax cross-entropy of `forward` vmapped over a batch.
fn loss_fn<M: PyTree + Sync>(
    forward: fn(&M, &Array) -> Array,
    m: &M,
    x: &Array,
    y: &Array,
) -> Array {
    let logits = vmap(|x: &Array| forward(m, x))(x);
    optim::softmax_cross_entropy_with_integer_labels(&logits, y).mean()
}

/// A jitted training step: `value_and_grad` of the loss, then the optimizer.
type Step<M> = Box<dyn Fn(&M, &OptState, &Array, &Array) -> (M, OptState, Array)>;

fn train_step<M>(forward: fn(&M, &Array) -> Array, tx: GradientTransformation) -> Step<M>
where
    M: PyTree + Clone + Send + Sync + 'static,
{
    Box::new(jit(
        move |m: &M, opt_state: &OptState, x: &Array, y: &Array| {
            let (loss, grads) = value_and_grad(|m: &M| loss_fn(forward, m, x, y))(m);
            let (updates, opt_state) = tx.update(&grads, opt_state.clone(), Some(m));
            (optim::apply_updates(m, &updates), opt_state, loss)
        },
    ))
}

/// Blocks on every leaf of a pytree.
fn block<T: PyTree>(tree: &T) {
    for leaf in tree_leaves(tree) {
        leaf.block_until_ready();
    }
}

/// A case that repeats one training step on a fixed batch, carrying the
/// model and optimizer state from call to call (as a training loop does).
fn repeated_step_case<M>(
    name: &'static str,
    model: M,
    forward: fn(&M, &Array) -> Array,
    x: Array,
    y: Array,
) -> Case
where
    M: PyTree + Clone + Send + Sync + 'static,
{
    let tx = optim::adam(1e-3);
    let mut opt_state = tx.init(&model);
    let step = train_step(forward, tx);
    let mut model = model;
    x.block_until_ready();
    y.block_until_ready();
    crate::cases::case(name, move || {
        let (m, o, loss) = step(&model, &opt_state, &x, &y);
        block(&m);
        block(&o);
        loss.block_until_ready();
        (model, opt_state) = (m, o);
    })
}

/// 784 → 512 (ReLU) → 10 classes on a batch of 128, Adam(1e-3).
fn train_step_mlp_case() -> Case {
    let k = random::split(&random::key(0), 3);
    let model = nn::MLP::new(784, 10, 512, 1, |x| nn::relu(x), |x| x.clone(), &k.idx(0));
    let x = random::uniform(&k.idx(1), &[128, 784]);
    let y = random::randint(&k.idx(2), &[128], 0, 10);
    repeated_step_case(
        "train_step_mlp_784_512_10_b128",
        model,
        |m: &nn::MLP, x| m.forward(x),
        x,
        y,
    )
}

/// The CNN of `examples/cnn_digits.rs`: conv 3×3 (1→32), ReLU, max-pool 2,
/// conv 3×3 (32→64), ReLU, max-pool 2, linear 256 → 10.
#[derive(PyTree, Clone)]
pub struct DigitsCnn {
    conv1: nn::Conv2d,
    conv2: nn::Conv2d,
    pool: nn::MaxPool2d,
    head: nn::Linear,
}

impl DigitsCnn {
    /// The CNN with equinox's default initialization from `key`.
    pub fn new(key: &random::Key) -> DigitsCnn {
        let k = random::split(key, 3);
        let same = || ConvLayerOptions {
            padding: 1.into(),
            ..Default::default()
        };
        let pool = PoolOptions {
            stride: 2.into(),
            ..Default::default()
        };
        DigitsCnn {
            conv1: nn::Conv2d::new_with(1, 32, 3, same(), &k.idx(0)),
            conv2: nn::Conv2d::new_with(32, 64, 3, same(), &k.idx(1)),
            pool: nn::MaxPool2d::new_with(2, pool),
            head: nn::Linear::new(64 * 2 * 2, 10, true, &k.idx(2)),
        }
    }

    /// Logits of one `(1, 8, 8)` image.
    pub fn forward(&self, x: &Array) -> Array {
        let x = self.pool.forward(&nn::relu(self.conv1.forward(x)));
        let x = self.pool.forward(&nn::relu(self.conv2.forward(&x)));
        self.head.forward(&x.reshape(&[-1]))
    }
}

/// The digits CNN on a batch of 128 images `(128, 1, 8, 8)`, Adam(1e-3).
fn train_step_cnn_case() -> Case {
    let k = random::split(&random::key(1), 3);
    let model = DigitsCnn::new(&k.idx(0));
    let x = random::uniform(&k.idx(1), &[128, 1, 8, 8]);
    let y = random::randint(&k.idx(2), &[128], 0, 10);
    repeated_step_case(
        "train_step_cnn_digits_b128",
        model,
        |m: &DigitsCnn, x| m.forward(x),
        x,
        y,
    )
}

/// One epoch of `examples/mlp_digits.rs`: the shuffling loader over the
/// 1,500 training digits in batches of 64 (the last one short), the jitted
/// step of a 64 → 128 → 128 → 10 ReLU MLP with Adam(3e-3), and reading each
/// step's loss (the example checks it for NaN and shows it).
fn digits_epoch_case() -> Case {
    let digits = data::load_digits(DIGITS).expect("data/digits/digits.npz");
    let (x, y) = digits.train();
    let x = (&x / 16.0).reshape(&[-1, 64]);
    let (model_key, data_key) = {
        let k = random::split(&random::key(0), 2);
        (k.idx(0), k.idx(1))
    };
    let mut model = nn::MLP::new(64, 10, 128, 2, |x| nn::relu(x), |x| x.clone(), &model_key);
    let tx = optim::adam(3e-3);
    let mut opt_state = tx.init(&model);
    let step = train_step(|m: &nn::MLP, x| m.forward(x), tx);
    let mut loader = DataLoader::new(&(x, y), 64, &data_key);
    crate::cases::case("digits_epoch", move || {
        let mut total = 0.0f32;
        for (xb, yb) in loader.epoch_batches() {
            let (m, o, loss) = step(&model, &opt_state, &xb, &yb);
            total += loss.item::<f32>();
            (model, opt_state) = (m, o);
        }
        assert!(total.is_finite(), "digits_epoch: the loss diverged");
    })
}
