//! The training examples on bad input: a loss that turns NaN stops the run
//! with a message naming the step, a corrupt or mismatched checkpoint given
//! to `--resume` is a clear error, and so is an unknown flag — each exits
//! with status 2 instead of panicking.
//!
//! `cargo test` builds the examples before it runs the tests; these run the
//! built `mlp_digits` binary.

use std::path::PathBuf;
use std::process::{Command, Output};

/// `target/<profile>/examples/mlp_digits`, next to this test's own binary.
fn example() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir
        .join("examples")
        .join(format!("mlp_digits{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo test` (which builds the examples) or \
         `cargo build --example mlp_digits` first",
        bin.display()
    );
    bin
}

fn run(args: &[&str]) -> (Output, String) {
    let out = Command::new(example())
        .args(args)
        .output()
        .expect("run mlp_digits");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stderr)
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("jaxide-examples-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_diverging_loss_stops_naming_the_step() {
    let dir = scratch("nan");
    let (out, stderr) = run(&[
        "--epochs",
        "1",
        "--learning-rate",
        "1e30",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the training loss became") && stderr.contains("at step"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // It stopped before writing a checkpoint.
    assert!(!dir.join("ckpt.safetensors").exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn resuming_from_a_corrupt_checkpoint_is_an_error() {
    let dir = scratch("corrupt");
    let bad = dir.join("bad.safetensors");
    std::fs::write(&bad, b"\x10\x00\x00\x00\x00\x00\x00\x00{not a header").unwrap();
    let (out, stderr) = run(&[
        "--resume",
        bad.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot resume from"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let missing = dir.join("missing.safetensors");
    let (out, stderr) = run(&["--resume", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot resume from"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn resuming_from_another_models_checkpoint_is_an_error() {
    // A checkpoint of a different pytree (one array) is not this model's.
    let dir = scratch("mismatch");
    let other = dir.join("other.safetensors");
    let tree = (jaxide::numpy::zeros([3, 4]),);
    jaxide::io::checkpoint::save(&other, &tree).unwrap();
    let (out, stderr) = run(&[
        "--resume",
        other.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot resume from"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn unknown_flags_and_bad_values_are_errors() {
    let (out, stderr) = run(&["--bogus"]);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unknown argument --bogus"), "{stderr}");
    let (out, stderr) = run(&["--learning-rate", "fast"]);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad --learning-rate"), "{stderr}");
}
