//! `jnp.linalg.multi_dot`: a chain of matrix products in the cheapest order.

use crate::core::array::Array;
use crate::core::shape::fmt_tuple;
use crate::lax;
use crate::numpy::products::matmul;

fn shapes(arrays: &[&Array]) -> String {
    let s: Vec<String> = arrays.iter().map(|a| fmt_tuple(a.shape())).collect();
    format!("[{}]", s.join(", "))
}

/// `jnp.linalg.multi_dot`: `arrays[0] @ arrays[1] @ ...`, multiplied in the
/// order of fewest flops (the classic matrix-chain dynamic program). The
/// first and last array may be vectors; the others must be matrices.
///
/// ```
/// use jaxide::prelude::*;
/// let (a, b, c) = (jnp::ones([10, 100]), jnp::ones([100, 5]), jnp::ones([5, 50]));
/// assert_eq!(jnp::linalg::multi_dot(&[&a, &b, &c]).shape(), &[10, 50]);
/// ```
pub fn multi_dot(arrays: &[&Array]) -> Array {
    let k = arrays.len();
    if k < 2 {
        panic!("ValueError: multi_dot requires at least two arrays; got len(arrays)={k}");
    }
    let (first, last) = (arrays[0], arrays[k - 1]);
    if !(matches!(first.ndim(), 1 | 2)
        && matches!(last.ndim(), 1 | 2)
        && arrays[1..k - 1].iter().all(|a| a.ndim() == 2))
    {
        panic!(
            "ValueError: multi_dot: input arrays must all be two-dimensional, except for the \
             first and last array which may be 1 or 2 dimensional. Got array shapes {}",
            shapes(arrays)
        );
    }
    if arrays
        .windows(2)
        .any(|w| w[0].shape()[w[0].ndim() - 1] != w[1].shape()[0])
    {
        panic!(
            "ValueError: multi_dot: last dimension of each array must match first dimension of \
             following array. Got array shapes {}",
            shapes(arrays)
        );
    }
    // Vectors become 1×n and n×1 matrices, squeezed off at the end.
    let mut mats: Vec<Array> = arrays.iter().map(|a| (*a).clone()).collect();
    if first.ndim() == 1 {
        mats[0] = lax::reshape(first, &[1, first.shape()[0]]);
    }
    if last.ndim() == 1 {
        mats[k - 1] = lax::reshape(last, &[last.shape()[0], 1]);
    }
    let mut dims: Vec<usize> = mats.iter().map(|m| m.shape()[0]).collect();
    dims.push(mats[k - 1].shape()[1]);
    let split = chain_order(&dims);
    let out = multiply(&mats, &split, 0, k - 1);
    match (first.ndim(), last.ndim()) {
        (1, 1) => lax::reshape(&out, &[]),
        (1, _) => lax::reshape(&out, &[out.shape()[1]]),
        (_, 1) => lax::reshape(&out, &[out.shape()[0]]),
        _ => out,
    }
}

/// The matrix-chain dynamic program: `split[i][j]` is where the cheapest
/// product of matrices `i..=j` (of sizes `dims[i] × dims[i+1]`, ...) splits.
fn chain_order(dims: &[usize]) -> Vec<Vec<usize>> {
    let k = dims.len() - 1;
    let mut cost = vec![vec![0u128; k]; k];
    let mut split = vec![vec![0usize; k]; k];
    for len in 1..k {
        for i in 0..k - len {
            let j = i + len;
            cost[i][j] = u128::MAX;
            for s in i..j {
                let c = cost[i][s] + cost[s + 1][j] + (dims[i] * dims[s + 1] * dims[j + 1]) as u128;
                if c < cost[i][j] {
                    cost[i][j] = c;
                    split[i][j] = s;
                }
            }
        }
    }
    split
}

fn multiply(mats: &[Array], split: &[Vec<usize>], i: usize, j: usize) -> Array {
    if i == j {
        return mats[i].clone();
    }
    let s = split[i][j];
    matmul(multiply(mats, split, i, s), multiply(mats, split, s + 1, j))
}
