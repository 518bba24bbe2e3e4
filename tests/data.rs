//! `jaxide::data`: the DataLoader's epoch orders against JAX's
//! (`tests/fixtures/data/gen_data.py`), batching and last-batch policies,
//! resuming from its state, bad input, `from_npz`, and the shipped digits.

mod common;

use common::panic_message;
use jaxide::data::{self, DataLoader, DataLoaderState};
use jaxide::prelude::*;
use jaxide::random;
use serde_json::Value;

static GOLDEN: &str = include_str!("fixtures/data/data_golden.json");

fn digits_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/digits/digits.npz")
}

/// A dataset whose rows say which example they are: `x[i] = [3i, 3i+1,
/// 3i+2]` (float32), `y[i] = i` (int32).
fn numbered(n: usize) -> (Array, Array) {
    let x = jnp::arange((3 * n) as i64)
        .astype(DType::F32)
        .reshape(&[n as isize, 3]);
    (x, jnp::arange(n as i64))
}

#[test]
fn epoch_orders_are_jax_permutations_of_fold_in_keys() {
    let golden: Value = serde_json::from_str(GOLDEN).unwrap();
    for case in golden["cases"].as_array().unwrap() {
        let (seed, n) = (case["seed"].as_i64().unwrap(), case["n"].as_u64().unwrap());
        let loader = DataLoader::new(&numbered(n as usize), 8, &random::key(seed));
        for (epoch, order) in case["orders"].as_object().unwrap() {
            let want: Vec<i32> = order
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap() as i32)
                .collect();
            let got = loader.epoch_order(epoch.parse().unwrap()).to_vec::<i32>();
            assert_eq!(got, want, "seed {seed}, n {n}, epoch {epoch}");
        }
    }
}

#[test]
fn batches_follow_the_epoch_order_across_epochs() {
    let golden: Value = serde_json::from_str(GOLDEN).unwrap();
    let case = &golden["cases"][0];
    assert_eq!(
        (case["seed"].as_i64(), case["n"].as_u64()),
        (Some(7), Some(23))
    );
    let (x, y) = numbered(23);
    let mut loader = DataLoader::new(&(x, y), 5, &random::key(7));
    assert_eq!(loader.steps_per_epoch(), 5);
    for epoch in 0..3 {
        let order: Vec<i32> = case["orders"][epoch.to_string()]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap() as i32)
            .collect();
        let batches: Vec<(Array, Array)> = loader.epoch_batches().collect();
        let sizes: Vec<usize> = batches.iter().map(|(_, yb)| yb.shape()[0]).collect();
        assert_eq!(sizes, vec![5, 5, 5, 5, 3]);
        let ys: Vec<i32> = batches
            .iter()
            .flat_map(|(_, yb)| yb.to_vec::<i32>())
            .collect();
        assert_eq!(ys, order, "epoch {epoch}");
        for (xb, yb) in &batches {
            assert_eq!(xb.shape()[1..], [3]);
            assert_eq!(xb.dtype(), DType::F32);
            assert_eq!(yb.dtype(), DType::I32);
            let want: Vec<f32> = yb
                .to_vec::<i32>()
                .iter()
                .flat_map(|&i| (0..3).map(move |j| (3 * i + j) as f32))
                .collect();
            assert_eq!(xb.to_vec::<f32>(), want);
        }
        assert_eq!((loader.epoch(), loader.step()), (epoch + 1, 0));
    }
}

#[test]
fn drop_last_drops_the_short_batch_and_keeps_the_order() {
    let data = numbered(23);
    let mut keep = DataLoader::new(&data, 5, &random::key(7));
    let mut drop = DataLoader::new(&data, 5, &random::key(7)).drop_last(true);
    assert_eq!(drop.steps_per_epoch(), 4);
    let kept: Vec<(Array, Array)> = keep.epoch_batches().collect();
    let dropped: Vec<(Array, Array)> = drop.epoch_batches().collect();
    assert_eq!(dropped.len(), 4);
    for (a, b) in kept.iter().zip(&dropped) {
        assert_eq!(a.1.to_vec::<i32>(), b.1.to_vec::<i32>());
    }
    // Both then start epoch 1 with the same batch.
    assert_eq!(
        keep.next().unwrap().1.to_vec::<i32>(),
        drop.next().unwrap().1.to_vec::<i32>()
    );
}

#[test]
fn without_shuffling_every_epoch_is_in_order() {
    let mut loader = DataLoader::new(&numbered(7), 3, &random::key(0)).shuffle(false);
    let ys: Vec<Vec<i32>> = loader.by_ref().take(6).map(|(_, y)| y.to_vec()).collect();
    assert_eq!(
        ys,
        vec![
            vec![0, 1, 2],
            vec![3, 4, 5],
            vec![6],
            vec![0, 1, 2],
            vec![3, 4, 5],
            vec![6]
        ]
    );
    assert_eq!(loader.epoch(), 2);
    assert_eq!(
        loader.epoch_order(5).to_vec::<i32>(),
        (0..7).collect::<Vec<_>>()
    );
}

#[test]
fn any_pytree_is_batched_leaf_by_leaf() {
    use std::collections::BTreeMap;
    let (x, y) = numbered(10);
    let mut m = BTreeMap::new();
    m.insert("x".to_string(), x);
    m.insert("mask".to_string(), jnp::arange(10).lt(5));
    let tree = (m, vec![y]);
    let mut loader = DataLoader::new(&tree, 4, &random::key(1));
    let (bm, by) = loader.next().unwrap();
    assert_eq!(bm["x"].shape(), &[4, 3]);
    assert_eq!(bm["mask"].dtype(), DType::Bool);
    let idx = by[0].to_vec::<i32>();
    let mask: Vec<bool> = idx.iter().map(|&i| i < 5).collect();
    assert_eq!(bm["mask"].to_vec::<bool>(), mask);
}

#[test]
fn a_restored_state_continues_with_the_same_batches() {
    let data = numbered(23);
    let mut a = DataLoader::new(&data, 4, &random::key(11));
    for _ in 0..8 {
        a.next();
    }
    let state: DataLoaderState = a.state();
    assert_eq!(state.epoch.item::<i32>(), 1);
    assert_eq!(state.step.item::<i32>(), 2);
    assert_eq!(state.epoch.dtype(), DType::I32);
    let rest_a: Vec<Vec<i32>> = a.by_ref().take(10).map(|(_, y)| y.to_vec()).collect();

    // A fresh loader with another key lands on the same batches.
    let mut b = DataLoader::new(&data, 4, &random::key(999)).with_state(&state);
    assert_eq!((b.epoch(), b.step()), (1, 2));
    let rest_b: Vec<Vec<i32>> = b.by_ref().take(10).map(|(_, y)| y.to_vec()).collect();
    assert_eq!(rest_a, rest_b);
    assert_eq!(a.state().step.item::<i32>(), b.state().step.item::<i32>());

    // The state is a pytree: key data and two int32 scalars.
    let leaves = tree_leaves(&state);
    assert_eq!(leaves.len(), 3);
    assert_eq!(leaves[0].dtype(), DType::U32);
}

#[test]
fn epoch_batches_reports_the_remaining_length() {
    let mut loader = DataLoader::new(&numbered(10), 3, &random::key(0));
    loader.next();
    let it = loader.epoch_batches();
    assert_eq!(it.len(), 3);
    assert_eq!(it.count(), 3);
    assert_eq!(loader.epoch(), 1);
}

#[test]
fn empty_data_yields_no_batches() {
    let empty = (jnp::zeros([0, 3]), jnp::zeros([0]));
    let mut loader = DataLoader::new(&empty, 4, &random::key(0)).drop_last(true);
    assert_eq!(loader.steps_per_epoch(), 0);
    assert!(loader.next().is_none());
    assert_eq!(loader.epoch_batches().count(), 0);
    let mut keep = DataLoader::new(&empty, 4, &random::key(0));
    assert!(keep.next().is_none());
    // Fewer examples than a batch, dropped: nothing either.
    let mut short = DataLoader::new(&numbered(3), 4, &random::key(0)).drop_last(true);
    assert!(short.next().is_none());
    // Kept: one short batch per epoch.
    let mut one = DataLoader::new(&numbered(3), 4, &random::key(0));
    assert_eq!(one.next().unwrap().1.shape(), &[3]);
    assert_eq!(one.epoch(), 1);
}

#[test]
fn bad_input_panics_with_clear_messages() {
    let (x, y) = numbered(10);
    let msg = panic_message(|| DataLoader::new(&(x.clone(), y.clone()), 0, &random::key(0)));
    assert_eq!(
        msg,
        "ValueError: DataLoader batch_size must be a positive integer, got 0."
    );
    let short = jnp::arange(9);
    let msg = panic_message(|| DataLoader::new(&(x.clone(), short), 2, &random::key(0)));
    assert_eq!(
        msg,
        "ValueError: DataLoader: every leaf must have the same leading (example) axis, but \
         leaf [0] has 10 examples and leaf [1] has 9."
    );
    let msg =
        panic_message(|| DataLoader::new(&(x.clone(), jnp::array(1.0f32)), 2, &random::key(0)));
    assert_eq!(
        msg,
        "ValueError: DataLoader: leaf [1] is a scalar; every leaf needs a leading example axis."
    );
    let msg = panic_message(|| DataLoader::new(&Vec::<Array>::new(), 2, &random::key(0)));
    assert!(msg.contains("at least one array leaf"), "{msg}");
    let msg = panic_message(|| DataLoader::new(&x, 2, &random::split(&random::key(0), 2)));
    assert!(msg.contains("accepts a single key"), "{msg}");

    // A state from a loader with a larger epoch is refused.
    let mut small = DataLoader::new(&x, 1, &random::key(0));
    small.nth(7);
    let state = small.state();
    let msg = panic_message(|| DataLoader::new(&x, 5, &random::key(0)).with_state(&state));
    assert!(
        msg.contains("DataLoaderState.step is 8, but an epoch of this loader has 2 batches"),
        "{msg}"
    );
}

#[test]
fn from_npz_loads_named_arrays_in_order() {
    let dir = std::env::temp_dir().join(format!("jaxide_data_npz_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("xy.npz");
    let (x, y) = numbered(6);
    jnp::savez(&path, [("x", &x), ("y", &y)]).unwrap();
    let got = data::from_npz(&path, &["y", "x"]).unwrap();
    assert_eq!(got[0].to_vec::<i32>(), y.to_vec::<i32>());
    assert_eq!(got[1].to_vec::<f32>(), x.to_vec::<f32>());
    let err = data::from_npz(&path, &["x", "labels"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no array named \"labels\" in the .npz archive (it holds [\"x\", \"y\"])"
    );
    assert!(matches!(
        data::from_npz(dir.join("missing.npz"), &["x"]),
        Err(data::DataError::Npz(_))
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_shipped_digits_load_with_the_documented_split() {
    let size = std::fs::metadata(digits_path()).unwrap().len();
    assert!(size < 200_000, "digits.npz grew to {size} bytes");
    let d = data::load_digits(digits_path()).unwrap();
    assert_eq!(
        (d.images.dtype(), d.images.shape()),
        (DType::F32, &[1797, 8, 8][..])
    );
    assert_eq!(
        (d.target.dtype(), d.target.shape()),
        (DType::I32, &[1797][..])
    );
    let px = d.images.to_vec::<f32>();
    assert!(px
        .iter()
        .all(|&v| (0.0..=16.0).contains(&v) && v.fract() == 0.0));
    assert_eq!(px.iter().cloned().fold(0.0f32, f32::max), 16.0);
    let target = d.target.to_vec::<i32>();
    let mut counts = [0; 10];
    target.iter().for_each(|&t| counts[t as usize] += 1);
    // sklearn's class counts.
    assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    // sklearn's first digit is a 0.
    assert_eq!(&px[..8], &[0., 0., 5., 13., 9., 1., 0., 0.]);

    // The split is jax.random.permutation(key(0), 1797): first 1500 / last 297.
    let perm = random::permutation(&random::key(data::DIGITS_SPLIT_SEED), 1797).to_vec::<i32>();
    assert_eq!(d.train_idx.to_vec::<i32>(), perm[..1500]);
    assert_eq!(d.test_idx.to_vec::<i32>(), perm[1500..]);
    assert_eq!(d.test_idx.size(), data::DIGITS_TEST_SIZE);
    let (xtr, ytr) = d.train();
    let (xte, yte) = d.test();
    assert_eq!((xtr.shape(), ytr.shape()), (&[1500, 8, 8][..], &[1500][..]));
    assert_eq!((xte.shape(), yte.shape()), (&[297, 8, 8][..], &[297][..]));
    let i = perm[1500] as usize;
    assert_eq!(yte.to_vec::<i32>()[0], target[i]);
    assert_eq!(xte.to_vec::<f32>()[..64], px[i * 64..(i + 1) * 64]);
}

#[test]
fn load_digits_rejects_other_archives() {
    let dir = std::env::temp_dir().join(format!("jaxide_data_digits_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.npz");
    let images = jnp::zeros([4, 8, 8]);
    let target = jnp::arange(4);
    let train = jnp::array([0i32, 1, 1]);
    let test = jnp::array([3i32]);
    jnp::savez(
        &path,
        [
            ("images", &images),
            ("target", &target),
            ("train_idx", &train),
            ("test_idx", &test),
        ],
    )
    .unwrap();
    let err = data::load_digits(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        "digits archive: the split indices are not a permutation of 0..4"
    );
    jnp::savez(&path, [("images", &images)]).unwrap();
    assert!(matches!(
        data::load_digits(&path),
        Err(data::DataError::MissingArray { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}
