//! The UCI 8×8 handwritten digits shipped in `data/digits/digits.npz`
//! (CC BY 4.0; see `data/digits/README.md`), with a fixed train/test split.

use super::npz::{from_npz, DataError};
use crate::numpy::{self as jnp, Take};
use crate::{Array, DType};
use std::path::Path;

/// The seed of the split: `perm = jax.random.permutation(jax.random.key(0), 1797)`.
pub const DIGITS_SPLIT_SEED: i64 = 0;

/// The test split is the last 297 rows of `perm` (training: the first 1500).
pub const DIGITS_TEST_SIZE: usize = 297;

/// The digits dataset: all 1,797 samples and the split's row indices.
#[derive(Clone, Debug)]
pub struct Digits {
    /// float32 `(1797, 8, 8)`, pixel counts 0..16 (sklearn's `images`).
    pub images: Array,
    /// int32 `(1797,)`, the digit 0..9.
    pub target: Array,
    /// int32 `(1500,)`: `perm[:1500]`.
    pub train_idx: Array,
    /// int32 `(297,)`: `perm[1500:]`.
    pub test_idx: Array,
}

impl Digits {
    /// The training split `(images, target)`: `(1500, 8, 8)` and `(1500,)`.
    pub fn train(&self) -> (Array, Array) {
        self.rows(&self.train_idx)
    }

    /// The test split `(images, target)`: `(297, 8, 8)` and `(297,)`.
    pub fn test(&self) -> (Array, Array) {
        self.rows(&self.test_idx)
    }

    fn rows(&self, idx: &Array) -> (Array, Array) {
        let opts = || Take {
            axis: Some(0),
            ..Default::default()
        };
        (
            jnp::take_with(&self.images, idx, opts()),
            jnp::take_with(&self.target, idx, opts()),
        )
    }
}

/// Loads the digits archive written by `data/digits/make_digits.py`
/// (`data/digits/digits.npz` in the repository; an example run from the
/// source tree can pass
/// `concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits/digits.npz")`).
///
/// Errors if the file cannot be read or does not hold the four arrays with
/// the expected dtypes and consistent shapes.
pub fn load_digits(path: impl AsRef<Path>) -> Result<Digits, DataError> {
    let arrays = from_npz(path, &["images", "target", "train_idx", "test_idx"])?;
    let [images, target, train_idx, test_idx]: [Array; 4] = arrays
        .try_into()
        .map_err(|_| DataError::Invalid("digits: expected four arrays".into()))?;
    let bad = |what: String| Err(DataError::Invalid(format!("digits archive: {what}")));
    let n = images.shape().first().copied().unwrap_or(0);
    if images.dtype() != DType::F32 || images.shape() != [n, 8, 8] {
        return bad(format!(
            "images must be float32 (n, 8, 8), got {}{:?}",
            images.dtype(),
            images.shape()
        ));
    }
    for (name, x, len) in [
        ("target", &target, n),
        ("train_idx", &train_idx, n.saturating_sub(test_idx.size())),
        ("test_idx", &test_idx, test_idx.size()),
    ] {
        if x.dtype() != DType::I32 || x.shape() != [len] {
            return bad(format!(
                "{name} must be int32 ({len},), got {}{:?}",
                x.dtype(),
                x.shape()
            ));
        }
    }
    // Every row in exactly one split, so `take` never reads out of bounds.
    let mut seen = vec![false; n];
    for i in train_idx
        .to_vec::<i32>()
        .into_iter()
        .chain(test_idx.to_vec())
    {
        match usize::try_from(i).ok().filter(|&i| i < n) {
            Some(i) if !seen[i] => seen[i] = true,
            _ => return bad(format!("the split indices are not a permutation of 0..{n}")),
        }
    }
    Ok(Digits {
        images,
        target,
        train_idx,
        test_idx,
    })
}
