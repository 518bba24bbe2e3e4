"""Writes digits.npz: the UCI optical-recognition 8x8 handwritten digits as
scikit-learn ships them, plus jaxide's fixed train/test split.

    pip install scikit-learn jax
    python3 data/digits/make_digits.py

Members (all C order, little endian):
    images     float32 (1797, 8, 8), pixel counts 0..16 (sklearn's `images`)
    target     int32   (1797,), the digit 0..9
    train_idx  int32   (1500,), rows of the training split
    test_idx   int32   (297,),  rows of the test split

The split is `perm = jax.random.permutation(jax.random.key(0), 1797)`;
train is `perm[:1500]`, test is `perm[1500:]` (the last 297). The indices are
stored so NumPy-only benchmarks read the same split; jaxide's test
recomputes them with `jaxide::random::permutation`.
"""

import os

import jax
import numpy as np
from sklearn.datasets import load_digits

N_TEST = 297
SPLIT_SEED = 0


def main():
    d = load_digits()
    images = d.images.astype(np.float32)
    target = d.target.astype(np.int32)
    assert images.shape == (1797, 8, 8) and target.shape == (1797,)
    assert images.min() == 0 and images.max() == 16
    # The float copy is exact: every pixel is a small integer.
    assert np.array_equal(images, d.images)

    perm = np.asarray(jax.random.permutation(jax.random.key(SPLIT_SEED), len(target)))
    perm = perm.astype(np.int32)
    train_idx, test_idx = perm[:-N_TEST], perm[-N_TEST:]

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "digits.npz")
    np.savez_compressed(
        out, images=images, target=target, train_idx=train_idx, test_idx=test_idx
    )
    print(f"wrote {out}: {os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
