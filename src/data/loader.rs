//! [`DataLoader`]: shuffled minibatches of a pytree of arrays that share a
//! leading (example) axis, reproducible from a PRNG key and resumable from
//! a small [`DataLoaderState`].

use crate::lax;
use crate::numpy::{self as jnp, Take};
use crate::random::{self, Key, KeyLike};
use crate::tree::{keystr, tree_flatten_with_path, tree_unflatten, PyTree, TreeDef};
use crate::{Array, DType};
use std::marker::PhantomData;

/// Where a [`DataLoader`] stands: its key, the epoch, and the next batch's
/// step within that epoch (both int32 scalars). A pytree, so it goes into a
/// checkpoint next to the parameters; [`DataLoader::restore_state`] brings
/// a loader over the same data back to exactly the same next batch.
#[derive(crate::tree::PyTree, Clone, Debug)]
pub struct DataLoaderState {
    /// The loader's key; epoch `e` shuffles with `fold_in(key, e)`.
    pub key: Key,
    /// The current epoch (int32 scalar).
    pub epoch: Array,
    /// The next batch's index within the epoch (int32 scalar).
    pub step: Array,
}

/// A shuffling, batching iterator over in-memory data: any pytree whose
/// leaves share a leading axis of `n` examples, e.g. `(x, y)`.
///
/// Epoch `e` visits the examples in the order
/// `random::permutation(&random::fold_in(&key, e), n)` (JAX's order for the
/// same key: `jax.random.permutation(jax.random.fold_in(key, e), n)`), or
/// `0..n` with `shuffle(false)`. Batches hold `batch_size` consecutive
/// examples of that order; the last one is shorter unless
/// `drop_last(true)` drops it. Each batch gathers every leaf once
/// (`jnp::take` along axis 0; a plain slice without shuffling).
///
/// As an [`Iterator`] it runs on through the epochs (it ends only if an
/// epoch has no batches); [`DataLoader::epoch_batches`] yields the rest of
/// the current epoch.
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::{data::DataLoader, random};
/// let x = jnp::arange(10).reshape(&[5, 2]);
/// let y = jnp::arange(5);
/// let mut loader = DataLoader::new(&(x, y), 2, &random::key(0));
/// assert_eq!(loader.steps_per_epoch(), 3);
/// let sizes: Vec<usize> = loader.epoch_batches().map(|(xb, _yb)| xb.shape()[0]).collect();
/// assert_eq!(sizes, vec![2, 2, 1]);
/// assert_eq!(loader.epoch(), 1);
/// ```
pub struct DataLoader<T: PyTree> {
    leaves: Vec<Array>,
    def: TreeDef,
    num_examples: usize,
    batch_size: usize,
    shuffle: bool,
    drop_last: bool,
    key: Key,
    epoch: usize,
    step: usize,
    /// The order of the epoch it belongs to, computed once per epoch.
    order: Option<(usize, Array)>,
    tree: PhantomData<fn() -> T>,
}

impl<T: PyTree> Clone for DataLoader<T> {
    fn clone(&self) -> Self {
        DataLoader {
            leaves: self.leaves.clone(),
            def: self.def.clone(),
            order: self.order.clone(),
            key: self.key.clone(),
            ..*self
        }
    }
}

/// A leaf's key path for messages.
fn leaf_name(path: &crate::tree::KeyPath) -> String {
    let s = keystr(path);
    if s.is_empty() {
        "the data (a single array)".to_string()
    } else {
        format!("leaf {s}")
    }
}

impl<T: PyTree> DataLoader<T> {
    /// Batches of `batch_size` examples of `data`, shuffled each epoch with
    /// keys folded from `key`, the last short batch kept.
    ///
    /// Panics if `batch_size` is 0, if `data` has no leaves, a rank-0 leaf,
    /// or leaves whose leading axes differ.
    pub fn new(data: &T, batch_size: usize, key: &impl KeyLike) -> Self {
        if batch_size == 0 {
            panic!("ValueError: DataLoader batch_size must be a positive integer, got 0.");
        }
        let (with_paths, def) = tree_flatten_with_path(data);
        let Some((first_path, _)) = with_paths.first() else {
            panic!("ValueError: DataLoader needs data with at least one array leaf, got {def}.");
        };
        let mut num_examples = None;
        for (path, x) in &with_paths {
            if x.ndim() == 0 {
                panic!(
                    "ValueError: DataLoader: {} is a scalar; every leaf needs a leading \
                     example axis.",
                    leaf_name(path)
                );
            }
            let n = x.shape()[0];
            match num_examples {
                None => num_examples = Some(n),
                Some(m) if m != n => panic!(
                    "ValueError: DataLoader: every leaf must have the same leading (example) \
                     axis, but {} has {m} examples and {} has {n}.",
                    leaf_name(first_path),
                    leaf_name(path)
                ),
                Some(_) => {}
            }
        }
        DataLoader {
            leaves: with_paths.into_iter().map(|(_, x)| x).collect(),
            def,
            num_examples: num_examples.unwrap_or(0),
            batch_size,
            shuffle: true,
            drop_last: false,
            key: key.single_key("DataLoader"),
            epoch: 0,
            step: 0,
            order: None,
            tree: PhantomData,
        }
    }

    /// Whether each epoch shuffles the examples (default `true`); without
    /// shuffling, every epoch visits them in order.
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self.order = None;
        self
    }

    /// Whether a short final batch is dropped (default `false`: kept).
    pub fn drop_last(mut self, drop_last: bool) -> Self {
        self.drop_last = drop_last;
        self.normalize();
        self
    }

    /// The number of examples (the leaves' leading size).
    pub fn num_examples(&self) -> usize {
        self.num_examples
    }

    /// The batch size.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Batches per epoch: `n / batch_size` with `drop_last`, else rounded up.
    pub fn steps_per_epoch(&self) -> usize {
        if self.drop_last {
            self.num_examples / self.batch_size
        } else {
            self.num_examples.div_ceil(self.batch_size)
        }
    }

    /// The current epoch (0 first).
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// The index of the next batch within the current epoch.
    pub fn step(&self) -> usize {
        self.step
    }

    /// The order in which epoch `epoch` visits the examples (int32):
    /// `random::permutation(&random::fold_in(&key, epoch), n)`, or `0..n`
    /// without shuffling.
    pub fn epoch_order(&self, epoch: usize) -> Array {
        if !self.shuffle {
            return jnp::arange(self.num_examples as i64);
        }
        let e = u32::try_from(epoch).unwrap_or_else(|_| {
            panic!("OverflowError: DataLoader epoch {epoch} does not fit fold_in's uint32")
        });
        random::permutation(&random::fold_in(&self.key, e), self.num_examples)
    }

    /// The loader's position, to store in a checkpoint.
    pub fn state(&self) -> DataLoaderState {
        let as_i32 = |v: usize, what: &str| {
            let v = i32::try_from(v)
                .unwrap_or_else(|_| panic!("OverflowError: DataLoader {what} {v} exceeds int32"));
            Array::scalar(v)
        };
        DataLoaderState {
            key: self.key.clone(),
            epoch: as_i32(self.epoch, "epoch"),
            step: as_i32(self.step, "step"),
        }
    }

    /// Moves to `state` (from [`DataLoader::state`] of a loader over the
    /// same data with the same options), so the next batch is the one that
    /// loader would have given next.
    ///
    /// Panics if the state is malformed or its step lies past the end of
    /// this loader's epoch (a state saved with another batch size or data).
    pub fn restore_state(&mut self, state: &DataLoaderState) {
        if !state.key.shape().is_empty() {
            panic!(
                "ValueError: DataLoaderState.key must be a single key, got a key array of shape \
                 {:?}",
                state.key.shape()
            );
        }
        let read = |x: &Array, what: &str| -> usize {
            if x.dtype() != DType::I32 || x.ndim() != 0 {
                panic!(
                    "TypeError: DataLoaderState.{what} must be an int32 scalar, got {}{:?}",
                    x.dtype(),
                    x.shape()
                );
            }
            let v = x.item::<i32>();
            usize::try_from(v).unwrap_or_else(|_| {
                panic!("ValueError: DataLoaderState.{what} must be non-negative, got {v}")
            })
        };
        let (epoch, step) = (read(&state.epoch, "epoch"), read(&state.step, "step"));
        let steps = self.steps_per_epoch();
        if step >= steps.max(1) {
            panic!(
                "ValueError: DataLoaderState.step is {step}, but an epoch of this loader has \
                 {steps} batches ({} examples, batch_size {}, drop_last {}); was the state \
                 saved by a loader over other data or with other options?",
                self.num_examples, self.batch_size, self.drop_last
            );
        }
        let words = |k: &Key| random::key_data(k).to_vec::<u32>();
        if words(&self.key) != words(&state.key) {
            self.order = None;
        }
        self.key = state.key.clone();
        self.epoch = epoch;
        self.step = step;
    }

    /// [`DataLoader::restore_state`] as a builder.
    pub fn with_state(mut self, state: &DataLoaderState) -> Self {
        self.restore_state(state);
        self
    }

    /// The remaining batches of the current epoch; the loader moves to the
    /// next epoch after the last one.
    pub fn epoch_batches(&mut self) -> EpochBatches<'_, T> {
        EpochBatches {
            epoch: self.epoch,
            loader: self,
        }
    }

    /// The batch at `step` of `epoch` (no change of position).
    pub fn batch(&mut self, epoch: usize, step: usize) -> T {
        let steps = self.steps_per_epoch();
        if step >= steps {
            panic!("IndexError: batch {step} is out of range for an epoch of {steps} batches");
        }
        let start = step * self.batch_size;
        let end = (start + self.batch_size).min(self.num_examples);
        let leaves: Vec<Array> = if self.shuffle {
            let order = self.order_of(epoch);
            let idx = lax::slice_in_dim(&order, start, end, 1, 0);
            let opts = || Take {
                axis: Some(0),
                mode: Some("clip"),
                ..Default::default()
            };
            self.leaves
                .iter()
                .map(|x| jnp::take_with(x, &idx, opts()))
                .collect()
        } else {
            self.leaves
                .iter()
                .map(|x| lax::slice_in_dim(x, start, end, 1, 0))
                .collect()
        };
        tree_unflatten(&self.def, leaves)
    }

    /// The cached order of `epoch`.
    fn order_of(&mut self, epoch: usize) -> Array {
        match &self.order {
            Some((e, order)) if *e == epoch => order.clone(),
            _ => {
                let order = self.epoch_order(epoch);
                self.order = Some((epoch, order.clone()));
                order
            }
        }
    }

    /// Keeps `step` inside an epoch after an option changed the epoch length.
    fn normalize(&mut self) {
        let steps = self.steps_per_epoch();
        if steps > 0 && self.step >= steps {
            self.step = 0;
            self.epoch += 1;
        }
    }
}

impl<T: PyTree> Iterator for DataLoader<T> {
    type Item = T;

    /// The next batch, moving on to the next epoch after an epoch's last
    /// batch; `None` only when an epoch has no batches (no examples, or
    /// fewer than `batch_size` with `drop_last`).
    fn next(&mut self) -> Option<T> {
        let steps = self.steps_per_epoch();
        if steps == 0 {
            return None;
        }
        let batch = self.batch(self.epoch, self.step);
        self.step += 1;
        if self.step == steps {
            self.step = 0;
            self.epoch += 1;
        }
        Some(batch)
    }
}

/// The remaining batches of one epoch (from [`DataLoader::epoch_batches`]).
pub struct EpochBatches<'a, T: PyTree> {
    loader: &'a mut DataLoader<T>,
    epoch: usize,
}

impl<T: PyTree> Iterator for EpochBatches<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if self.loader.epoch != self.epoch {
            return None;
        }
        self.loader.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = if self.loader.epoch == self.epoch {
            self.loader.steps_per_epoch() - self.loader.step
        } else {
            0
        };
        (n, Some(n))
    }
}

impl<T: PyTree> ExactSizeIterator for EpochBatches<'_, T> {}
