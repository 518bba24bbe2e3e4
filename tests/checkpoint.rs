//! `jaxide::io::checkpoint`: bit-exact round trips of nested pytrees (every
//! storable dtype, weak types, keys, a data loader's state), each kind of
//! mismatch against the template, truncated and corrupted files, atomic
//! saves (a failing save leaves the old file and no temporary file), and a
//! training run resumed from a checkpoint that ends bit-identical to an
//! uninterrupted one.

mod common;

use jaxide::data::{DataLoader, DataLoaderState};
use jaxide::io::checkpoint::{self, CheckpointError};
use jaxide::prelude::*;
use jaxide::random::{self, Key};
use jaxide::tree::{keystr, tree_flatten_with_path};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(PyTree, Clone)]
struct Layer {
    weight: Array,
    bias: Array,
}

#[derive(PyTree, Clone)]
struct Model {
    layers: Vec<Layer>,
    norms: BTreeMap<String, Array>,
    pair: (Array, Array),
    #[pytree(static)]
    name: String,
}

#[derive(PyTree, Clone)]
struct OptState {
    count: Array,
    lr: Array,
    mu: Vec<Array>,
}

type Everything = (Model, OptState, DataLoaderState, Key, Vec<Array>);

/// A fresh directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jaxide_ckpt_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The names of the files in `dir`, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn model(seed: i64, name: &str) -> Model {
    let k = random::split(&random::key(seed), 4);
    let mut norms = BTreeMap::new();
    norms.insert("scale".to_string(), jnp::ones([3]));
    norms.insert("shift".to_string(), random::normal(&k.idx(2), &[3]));
    Model {
        layers: vec![
            Layer {
                weight: random::normal(&k.idx(0), &[3, 2]),
                bias: jnp::zeros([2]),
            },
            Layer {
                weight: random::normal(&k.idx(1), &[2, 1]).astype(DType::BF16),
                bias: jnp::zeros([1]).astype(DType::F16),
            },
        ],
        norms,
        pair: (jnp::arange(4).lt(2), random::normal(&k.idx(3), &[2, 2])),
        name: name.to_string(),
    }
}

fn everything(seed: i64) -> Everything {
    let odd = Array::from_vec(
        vec![
            f32::from_bits(0x7fc0_0001),
            -0.0,
            f32::INFINITY,
            f32::MIN_POSITIVE / 4.0,
        ],
        [4],
    );
    let mut loader = DataLoader::new(&jnp::arange(10), 3, &random::key(seed));
    loader.next();
    (
        model(seed, "mlp"),
        OptState {
            count: jnp::array(7) + 0, // weak int32
            lr: jnp::array(0.125),    // weak float32
            mu: vec![jnp::full([2], 0.5f32), Array::scalar(3i32)],
        },
        loader.state(),
        random::split(&random::key(seed + 1), 3),
        vec![
            odd.clone(),
            odd.astype(DType::BF16),
            odd.astype(DType::F16),
            jnp::array([1u8, 255]),
            jnp::array([-128i8, 127]),
            jnp::array([65535u16]),
            jnp::array([u32::MAX]),
            jnp::array([i16::MIN]),
            jnp::zeros([0, 4]),
            jnp::array([true, false, true]),
        ],
    )
}

/// Same structure, and every leaf with the same dtype, shape, weak type
/// and bytes.
fn assert_bits_eq<T: PyTree>(a: &T, b: &T) {
    let (la, da) = tree_flatten_with_path(a);
    let (lb, db) = tree_flatten_with_path(b);
    assert_eq!(da, db);
    for ((pa, xa), (pb, xb)) in la.iter().zip(&lb) {
        assert_eq!(pa, pb);
        let p = keystr(pa);
        assert_eq!(xa.dtype(), xb.dtype(), "{p}");
        assert_eq!(xa.shape(), xb.shape(), "{p}");
        assert_eq!(xa.weak_type(), xb.weak_type(), "{p}");
        assert_eq!(
            jaxide::io::to_npy_bytes(xa).unwrap(),
            jaxide::io::to_npy_bytes(xb).unwrap(),
            "{p}"
        );
    }
}

#[test]
fn nested_trees_round_trip_bit_exactly() {
    let dir = temp_dir("round_trip");
    let path = dir.join("ckpt.safetensors");
    let saved = everything(0);
    assert!(saved.1.count.weak_type() && saved.1.lr.weak_type());
    checkpoint::save(&path, &saved).unwrap();
    // Restore into a template with other values.
    let back = checkpoint::restore(&path, &everything(5)).unwrap();
    assert_bits_eq(&saved, &back);
    assert_eq!(back.0.name, "mlp");
    assert_eq!(back.1.count.item::<i32>(), 7);
    // The key samples as the saved one does.
    assert_eq!(
        random::bits(&back.3.idx(1), &[4]).to_vec::<u32>(),
        random::bits(&saved.3.idx(1), &[4]).to_vec::<u32>()
    );
    assert_eq!(files_in(&dir), vec!["ckpt.safetensors"]);

    // A single array is a tree too.
    let one = jnp::arange(5);
    checkpoint::save(&path, &one).unwrap();
    assert_bits_eq(
        &one,
        &checkpoint::restore(&path, &jnp::zeros([5]).astype(DType::I32)).unwrap(),
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_file_is_plain_safetensors_named_by_key_paths() {
    let dir = temp_dir("plain");
    let path = dir.join("ckpt.safetensors");
    let tree = everything(1);
    checkpoint::save(&path, &tree).unwrap();
    let plain = jaxide::io::load_safetensors(&path).unwrap();
    let (leaves, _) = tree_flatten_with_path(&tree);
    assert_eq!(plain.len(), leaves.len());
    for (p, x) in &leaves {
        let y = &plain[&keystr(p)];
        assert_eq!(
            jaxide::io::to_npy_bytes(x).unwrap(),
            jaxide::io::to_npy_bytes(y).unwrap()
        );
    }
    assert!(plain.contains_key("[0].layers[1].weight"));
    assert!(plain.contains_key("[0].norms['shift']"));
    assert!(plain.contains_key("[2].key"));
    // Each tensor's data starts aligned to its element size.
    let bytes = std::fs::read(&path).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    assert_eq!(n % 8, 0);
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let meta = &header["__metadata__"];
    assert_eq!(meta["format"], "jaxide.checkpoint");
    assert_eq!(meta["format_version"], "1");
    assert_eq!(
        meta["treedef"].as_str().unwrap(),
        jaxide::tree::tree_structure(&tree).to_string()
    );
    for (name, info) in header.as_object().unwrap() {
        if name == "__metadata__" {
            continue;
        }
        let start = info["data_offsets"][0].as_u64().unwrap() as usize;
        let item = match info["dtype"].as_str().unwrap() {
            "F32" | "I32" | "U32" => 4,
            "BF16" | "F16" | "I16" | "U16" => 2,
            _ => 1,
        };
        assert_eq!(start % item, 0, "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Saves `saved` and restores it into `template`, returning the error.
fn restore_err<A: PyTree, B: PyTree>(dir: &Path, saved: &A, template: &B) -> CheckpointError {
    let path = dir.join("m.safetensors");
    checkpoint::save(&path, saved).unwrap();
    match checkpoint::restore(&path, template) {
        Ok(_) => panic!("restore should fail"),
        Err(e) => e,
    }
}

#[test]
fn every_mismatch_is_an_error_naming_the_leaf() {
    let dir = temp_dir("mismatch");
    let m = model(0, "mlp");

    // Shape.
    let mut t = m.clone();
    t.layers[0].weight = jnp::zeros([2, 3]);
    let e = restore_err(&dir, &m, &t);
    assert_eq!(
        e.to_string(),
        "checkpoint leaf .layers[0].weight: expected float32[2,3], found float32[3,2]"
    );
    assert!(matches!(e, CheckpointError::Leaf { .. }));

    // Dtype.
    let mut t = m.clone();
    t.layers[1].weight = jnp::zeros([2, 1]);
    assert_eq!(
        restore_err(&dir, &m, &t).to_string(),
        "checkpoint leaf .layers[1].weight: expected float32[2,1], found bfloat16[2,1]"
    );

    // A leaf the checkpoint lacks.
    let mut t = m.clone();
    t.norms.insert("bias".into(), jnp::zeros([3]));
    assert_eq!(
        restore_err(&dir, &m, &t).to_string(),
        "checkpoint is missing leaf .norms['bias'], which the template has"
    );
    let mut t = m.clone();
    t.layers.push(t.layers[0].clone());
    assert_eq!(
        restore_err(&dir, &m, &t).to_string(),
        "checkpoint is missing leaf .layers[2].weight, which the template has"
    );

    // A leaf the template lacks.
    let mut t = m.clone();
    t.norms.remove("shift");
    assert!(matches!(
        restore_err(&dir, &m, &t),
        CheckpointError::ExtraLeaf { path } if path == ".norms['shift']"
    ));

    // Structure: static data, and a tuple where a list was.
    let t = model(0, "cnn");
    let e = restore_err(&dir, &m, &t);
    assert!(matches!(e, CheckpointError::Structure { .. }), "{e}");
    assert!(
        e.to_string().contains("Model[(\"cnn\",)]") && e.to_string().contains("Model[(\"mlp\",)]"),
        "{e}"
    );
    let e = restore_err(
        &dir,
        &(jnp::zeros([1]), jnp::zeros([1])),
        &vec![jnp::zeros([1]), jnp::zeros([1])],
    );
    assert_eq!(
        e.to_string(),
        "checkpoint tree structure: expected PyTreeDef([*, *]), found PyTreeDef((*, *))"
    );

    // A safetensors file that is not a checkpoint.
    let path = dir.join("plain.safetensors");
    let mut plain = BTreeMap::new();
    plain.insert("w".to_string(), jnp::zeros([2]));
    jaxide::io::save_safetensors(&path, &plain).unwrap();
    let e = checkpoint::restore(&path, &jnp::zeros([2])).err().unwrap();
    assert!(matches!(e, CheckpointError::Format(_)), "{e}");
    assert!(e.to_string().contains("not a jaxide checkpoint"), "{e}");

    // A missing file.
    assert!(matches!(
        checkpoint::restore(dir.join("none"), &jnp::zeros([2])),
        Err(CheckpointError::Io(_))
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn truncated_and_corrupted_files_are_errors_not_panics() {
    let tree = (model(2, "mlp"), jnp::array(3) + 0, random::key(4));
    let dir = temp_dir("corrupt");
    let path = dir.join("c.safetensors");
    checkpoint::save(&path, &tree).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_bits_eq(&tree, &checkpoint::from_bytes(&bytes, &tree).unwrap());

    for len in 0..bytes.len() {
        assert!(
            checkpoint::from_bytes(&bytes[..len], &tree).is_err(),
            "a file cut to {len} of {} bytes restored",
            bytes.len()
        );
    }
    // Random byte changes: an error, or (a change the format ignores, such
    // as header padding turned into other JSON whitespace) the same values.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut errors, mut same) = (0, 0);
    for _ in 0..2000 {
        let mut b = bytes.clone();
        for _ in 0..1 + next() % 3 {
            let i = (next() % b.len() as u64) as usize;
            b[i] ^= 1 + (next() % 255) as u8;
        }
        match checkpoint::from_bytes(&b, &tree) {
            Err(_) => errors += 1,
            Ok(back) => {
                assert_bits_eq(&tree, &back);
                same += 1;
            }
        }
    }
    assert!(errors > 1900, "{errors} errors, {same} harmless");

    // Data corruption alone is caught by the checksum.
    let mut b = bytes.clone();
    let last = b.len() - 1;
    b[last] ^= 0x40;
    assert!(matches!(
        checkpoint::from_bytes(&b, &tree),
        Err(CheckpointError::Corrupt { .. })
    ));
}

#[test]
fn a_failed_save_leaves_the_old_checkpoint_and_no_temporary_file() {
    let dir = temp_dir("atomic");
    let path = dir.join("ckpt.safetensors");
    let old = everything(0);
    checkpoint::save(&path, &old).unwrap();
    let before = std::fs::read(&path).unwrap();

    // An unstorable dtype.
    let complex = (jnp::zeros([2]), jnp::zeros([2]).astype(DType::C64));
    let e = checkpoint::save(&path, &complex).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot save checkpoint leaf [1]: dtype complex64 is not supported"
    );
    // A leaf whose computation failed (4 TiB cannot be allocated).
    let failed = (jnp::zeros([2]), jnp::zeros([1usize << 40]));
    let e = checkpoint::save(&path, &failed).unwrap_err();
    assert!(
        matches!(e, CheckpointError::Async { ref path, .. } if path == "[1]"),
        "{e}"
    );
    assert!(e.to_string().contains("RESOURCE_EXHAUSTED"), "{e}");
    // A directory that does not exist.
    assert!(matches!(
        checkpoint::save(dir.join("no/such/dir/c.safetensors"), &old),
        Err(CheckpointError::Io(_))
    ));

    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(files_in(&dir), vec!["ckpt.safetensors"]);
    assert_bits_eq(&old, &checkpoint::restore(&path, &old).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

const CHILD_ENV: &str = "JAXIDE_CHECKPOINT_CHILD";

/// A write that fails halfway (the file-size limit, `ulimit -f`, is hit
/// after 16 KiB) leaves the old checkpoint and removes the temporary file.
/// Runs in a child process so the limit touches no other test.
#[test]
fn a_save_that_fails_mid_write_leaves_the_old_checkpoint() {
    let name = "a_save_that_fails_mid_write_leaves_the_old_checkpoint";
    if std::env::var(CHILD_ENV).as_deref() == Ok(name) {
        let dir = temp_dir("midwrite");
        let path = dir.join("ckpt.safetensors");
        let old = everything(0);
        checkpoint::save(&path, &old).unwrap();
        let before = std::fs::read(&path).unwrap();
        assert!(before.len() < 12 << 10, "{}", before.len());
        let big = (jnp::ones([64, 1024]), jnp::zeros([3]));
        match checkpoint::save(&path, &big) {
            Err(CheckpointError::Io(e)) => println!("SAVE FAILED: {e}"),
            other => panic!("expected an I/O error, got {:?}", other.map(|_| ())),
        }
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert_eq!(files_in(&dir), vec!["ckpt.safetensors"]);
        assert_bits_eq(&old, &checkpoint::restore(&path, &old).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
        println!("OLD CHECKPOINT INTACT");
        return;
    }
    let exe = std::env::current_exe().unwrap();
    // `trap '' XFSZ`: an ignored signal stays ignored across exec, so the
    // write fails with EFBIG instead of killing the process.
    let out = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 32; exec \"$0\" \"$@\"")
        .arg(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, name)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("SAVE FAILED: File too large"), "{stdout}");
    assert!(stdout.contains("OLD CHECKPOINT INTACT"), "{stdout}");
}

#[test]
fn saving_a_tracer_panics_with_advice() {
    let msg = common::panic_message(|| {
        jit(|x: &Array| {
            let _ = checkpoint::save(std::env::temp_dir().join("never.safetensors"), x);
            x.clone()
        })(&jnp::zeros([2]))
    });
    assert!(
        msg.contains("is a tracer") && msg.contains("outside jit"),
        "{msg}"
    );
}

// ---------------------------------------------------------------------------
// Resuming a training run
// ---------------------------------------------------------------------------

#[derive(PyTree, Clone)]
struct Params {
    w: Array,
    b: Array,
}

#[derive(PyTree, Clone)]
struct TrainState {
    params: Params,
    momentum: Params,
    step: Array,
}

fn loss(p: &Params, x: &Array, y: &Array) -> Array {
    let h = jnp::tanh(&(jnp::matmul(x, &p.w) + &p.b));
    (h - y).pow(2).mean()
}

fn init_state() -> TrainState {
    let k = random::split(&random::key(42), 2);
    let params = Params {
        w: random::normal(&k.idx(0), &[4, 3]) * 0.5,
        b: jnp::zeros([3]),
    };
    TrainState {
        momentum: tree_map(jnp::zeros_like, &params),
        params,
        step: jnp::array(0) + 0,
    }
}

fn dataset() -> (Array, Array) {
    let k = random::split(&random::key(7), 2);
    let x = random::normal(&k.idx(0), &[50, 4]);
    let y = jnp::sin(jnp::matmul(&x, random::normal(&k.idx(1), &[4, 3])));
    (x, y)
}

/// One jitted SGD-with-momentum step.
fn train_step() -> impl Fn(&TrainState, &Array, &Array) -> TrainState {
    let step = jit(|s: &TrainState, x: &Array, y: &Array| {
        let g = grad(|p: &Params| loss(p, x, y))(&s.params);
        let momentum = tree_map2(|m, g| m * 0.9 + g, &s.momentum, &g);
        let params = tree_map2(|p, m| p - m * 0.05, &s.params, &momentum);
        TrainState {
            params,
            momentum,
            step: &s.step + 1,
        }
    });
    move |s, x, y| step(s, x, y)
}

fn run(
    mut state: TrainState,
    loader: &mut DataLoader<(Array, Array)>,
    steps: usize,
    f: &impl Fn(&TrainState, &Array, &Array) -> TrainState,
) -> TrainState {
    for _ in 0..steps {
        let (x, y) = loader.next().unwrap();
        state = f(&state, &x, &y);
    }
    state
}

#[test]
fn a_resumed_run_ends_bit_identical_to_an_uninterrupted_one() {
    let (n, k) = (23, 9);
    let data = dataset();
    let f = train_step();

    let mut loader = DataLoader::new(&data, 8, &random::key(3));
    let straight = run(init_state(), &mut loader, n, &f);
    assert_eq!(straight.step.item::<i32>(), n as i32);

    // K steps, save, then a new process's worth of fresh values.
    let dir = temp_dir("resume");
    let path = dir.join("train.safetensors");
    {
        let mut loader = DataLoader::new(&data, 8, &random::key(3));
        let state = run(init_state(), &mut loader, k, &f);
        checkpoint::save(&path, &(state, loader.state())).unwrap();
    }
    let mut loader = DataLoader::new(&data, 8, &random::key(1234));
    let template = (init_state(), loader.state());
    let (state, loader_state) = checkpoint::restore(&path, &template).unwrap();
    assert_eq!(state.step.item::<i32>(), k as i32);
    loader.restore_state(&loader_state);
    assert_eq!((loader.epoch(), loader.step()), (1, 2));
    let resumed = run(state, &mut loader, n - k, &train_step());
    assert_bits_eq(&straight, &resumed);

    // The comparison can fail: resuming the data from its start differs.
    let mut restart = DataLoader::new(&data, 8, &random::key(3));
    let (state, _) = checkpoint::restore(&path, &template).unwrap();
    let wrong = run(state, &mut restart, n - k, &f);
    assert_ne!(
        wrong.params.w.to_vec::<f32>(),
        straight.params.w.to_vec::<f32>()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
