//! `jnp.einsum` and `jnp.einsum_path`.
//!
//! The plan (subscript parsing, the contraction path and its list of
//! pairwise steps) is opt_einsum's, reproduced in `einsum_path.rs`. Each
//! step is then lowered as JAX's `_einsum` lowers it: indices that only
//! one operand has are summed out first (`reduce_sum`, `reduce_or` for
//! bool), indices repeated within an operand are masked to their diagonal
//! with an iota/`eq` delta and `select_n` and summed, size-1 dims that
//! broadcast against the other operand are squeezed, and the pair is
//! contracted by one `dot_general` with batch dims, followed by a
//! `transpose` when its axes are not in the step's result order. Only lax
//! primitives are used, so `grad`, `jit` and `vmap` go straight through.

use super::einsum_path::contract_path;
pub use super::einsum_path::{ContractionStep, Optimize, PathInfo};
use super::shape_ops::AsArray;
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::promotion::{canonicalize, promote_types, result_type, WeakDType};
use crate::ir::ReduceOp;
use crate::lax;
use crate::lax::Precision;

/// Options of [`einsum_with`] (JAX's keyword arguments).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EinsumOptions {
    /// How the pairwise contraction order is chosen (JAX's `optimize`,
    /// default `"auto"`).
    pub optimize: Optimize,
    /// Accumulate and return in this dtype (canonicalized for the x64
    /// setting); `None` = the operands' promoted dtype.
    pub preferred_element_type: Option<DType>,
    /// Accepted for API parity with JAX: the CPU backend computes every
    /// contraction at the full precision of its dtype, as XLA:CPU does.
    pub precision: Option<Precision>,
}

/// Einstein summation (`jnp.einsum`) with JAX's default options.
///
/// `subscripts` names each operand's axes with letters, separated by
/// commas; an optional `->` names the output axes (without it, the output
/// is the letters that appear exactly once, sorted). A letter repeated
/// across operands is multiplied along; one missing from the output is
/// summed. `...` stands for broadcast leading axes. Operands are any
/// iterator of arrays (`&[&a, &b]`, `[a, b]`, `&vec`).
///
/// The result's dtype is the operands' promoted dtype (see
/// [`einsum_with`] for `preferred_element_type`).
///
/// ```
/// use jaxide::prelude::*;
/// let m = jnp::arange(16).reshape(&[4, 4]);
/// let x = jnp::arange(4);
/// assert_eq!(jnp::einsum("ij,j->i", [&m, &x]).to_vec::<i32>(), vec![14, 38, 62, 86]);
/// assert_eq!(jnp::einsum("ii", [&m]).item::<i32>(), 30); // trace
/// assert_eq!(jnp::einsum("ij->ji", [&m]).shape(), &[4, 4]);
/// let b = jnp::ones([8, 2, 3]);
/// let c = jnp::ones([8, 3, 5]);
/// assert_eq!(jnp::einsum("bij,bjk->bik", [&b, &c]).shape(), &[8, 2, 5]);
/// ```
pub fn einsum<I>(subscripts: &str, operands: I) -> Array
where
    I: IntoIterator,
    I::Item: AsArray,
{
    einsum_with(subscripts, operands, EinsumOptions::default())
}

/// [`einsum`] with options: the contraction order (`optimize`), the
/// accumulation/result dtype (`preferred_element_type`) and `precision`.
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::numpy::{EinsumOptions, Optimize};
/// let x = jnp::arange(6).reshape(&[2, 3]);
/// let y = jnp::einsum_with(
///     "ij,kj->ik",
///     [&x, &x],
///     EinsumOptions {
///         optimize: Optimize::Greedy,
///         preferred_element_type: Some(DType::F32),
///         ..Default::default()
///     },
/// );
/// assert_eq!(y.dtype(), DType::F32);
/// assert_eq!(y.to_vec::<f32>(), vec![5., 14., 14., 50.]);
/// ```
pub fn einsum_with<I>(subscripts: &str, operands: I, options: EinsumOptions) -> Array
where
    I: IntoIterator,
    I::Item: AsArray,
{
    let operands: Vec<Array> = operands.into_iter().map(|x| x.as_array().clone()).collect();
    let shapes: Vec<Vec<usize>> = operands.iter().map(|x| x.shape().to_vec()).collect();
    let info = contract_path(subscripts, &shapes, &options.optimize);
    let x64 = crate::config::enable_x64();
    let (preferred, out_weak) = match options.preferred_element_type {
        None => {
            let ops: Vec<WeakDType> = operands
                .iter()
                .map(|x| WeakDType::new(x.dtype(), x.weak_type()))
                .collect();
            let r = result_type(&ops, x64);
            (r.dtype, r.weak)
        }
        Some(d) => (canonicalize(d, x64), false),
    };
    let mut ops = operands;
    for step in &info.steps {
        let result = &step.result;
        let (operand, names) = match step.operands.len() {
            1 => {
                let x = ops.remove(step.operands[0]);
                let names = step.inputs[0].clone();
                let counts = counts(&names);
                let uniques: Vec<char> = step
                    .removed
                    .iter()
                    .copied()
                    .filter(|c| count_of(&counts, *c) == 1)
                    .collect();
                let (x, names) = sum_uniques(x, names, &uniques, preferred);
                sum_repeats(x, names, &counts, result, preferred)
            }
            2 => {
                let lhs = ops.remove(step.operands[0]);
                let rhs = ops.remove(step.operands[1]);
                contract_pair(
                    (lhs, step.inputs[0].clone()),
                    (rhs, step.inputs[1].clone()),
                    &step.removed,
                    result,
                    preferred,
                )
            }
            _ => panic!(
                "NotImplementedError: jax.numpy.einsum does not support simultaneous \
                 contraction of 3 or more operands. Typically this means you've passed an \
                 unsupported path to the einsum optimize parameter."
            ),
        };
        debug_assert_eq!(names.len(), result.len(), "einsum: result labels");
        let operand = if names != *result {
            let perm: Vec<usize> = result
                .iter()
                .map(|c| names.iter().position(|n| n == c).expect("result label"))
                .collect();
            lax::transpose(&operand, &perm)
        } else {
            operand
        };
        ops.push(operand);
    }
    lax::convert_element_type_weak(&ops[0], preferred, out_weak)
}

/// `jnp.einsum_path`: the contraction path `einsum` would take with
/// `optimize`, and opt_einsum's report on it ([`PathInfo`] prints its
/// table). Only the operands' shapes are read.
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::numpy::Optimize;
/// let (x, y, z) = (jnp::ones([2, 3]), jnp::ones([3, 100]), jnp::ones([100, 5]));
/// let (path, info) = jnp::einsum_path("ij,jk,kl", [&x, &y, &z], Optimize::Optimal);
/// assert_eq!(path, vec![vec![1, 2], vec![0, 1]]);
/// assert!(info.to_string().contains("Optimized FLOP count:  3.060e+3"));
/// ```
pub fn einsum_path<I>(
    subscripts: &str,
    operands: I,
    optimize: Optimize,
) -> (Vec<Vec<usize>>, PathInfo)
where
    I: IntoIterator,
    I::Item: AsArray,
{
    let shapes: Vec<Vec<usize>> = operands
        .into_iter()
        .map(|x| x.as_array().shape().to_vec())
        .collect();
    let info = contract_path(subscripts, &shapes, &optimize);
    (info.path.clone(), info)
}

// ---------------------------------------------------------------------------
// The lowering of one step (JAX's `_einsum`)
// ---------------------------------------------------------------------------

/// Label counts in order of first appearance (Python's `Counter`).
fn counts(names: &[char]) -> Vec<(char, usize)> {
    let mut out: Vec<(char, usize)> = Vec::new();
    for &c in names {
        match out.iter_mut().find(|(n, _)| *n == c) {
            Some((_, k)) => *k += 1,
            None => out.push((c, 1)),
        }
    }
    out
}

fn count_of(counts: &[(char, usize)], c: char) -> usize {
    counts.iter().find(|(n, _)| *n == c).map_or(0, |&(_, k)| k)
}

fn without(names: &[char], drop: &[char]) -> Vec<char> {
    names
        .iter()
        .copied()
        .filter(|c| !drop.contains(c))
        .collect()
}

/// Sums `axes` of `x`, in the preferred dtype when `x` would promote to it
/// (`reduce_or` for bool).
fn sum(x: Array, axes: &[usize], preferred: DType) -> Array {
    let x64 = crate::config::enable_x64();
    let r = result_type(
        &[
            WeakDType::new(x.dtype(), x.weak_type()),
            WeakDType::strong(preferred),
        ],
        x64,
    );
    let x = if r.dtype != x.dtype() {
        lax::convert_element_type(&x, preferred)
    } else {
        x
    };
    let op = if x.dtype() == DType::Bool {
        ReduceOp::Or
    } else {
        ReduceOp::Sum
    };
    lax::reduce(&x, op, axes)
}

fn sum_uniques(
    x: Array,
    names: Vec<char>,
    uniques: &[char],
    preferred: DType,
) -> (Array, Vec<char>) {
    if uniques.is_empty() {
        return (x, names);
    }
    let axes: Vec<usize> = uniques
        .iter()
        .map(|u| names.iter().position(|n| n == u).expect("unique label"))
        .collect();
    (sum(x, &axes, preferred), without(&names, uniques))
}

/// A bool mask of `shape` that is true where the coordinates along `axes`
/// are all equal (`lax._delta`).
fn delta(shape: &[usize], axes: &[usize]) -> Array {
    let base: Vec<usize> = axes.iter().map(|&a| shape[a]).collect();
    let iotas: Vec<Array> = (0..base.len())
        .map(|i| lax::broadcasted_iota(DType::U32, &base, i))
        .collect();
    let eye = iotas
        .windows(2)
        .map(|w| lax::eq(&w[0], &w[1]))
        .reduce(|a, b| lax::bitwise_and(&a, &b))
        .expect("a repeated label has at least two axes");
    lax::broadcast_in_dim(&eye, shape, axes)
}

/// Takes the diagonal of every label repeated within `names`: masks `x`
/// off the diagonal and sums the repeats away, keeping one axis where the
/// label is in `keep`.
fn sum_repeats(
    mut x: Array,
    mut names: Vec<char>,
    counts: &[(char, usize)],
    keep: &[char],
    preferred: DType,
) -> (Array, Vec<char>) {
    for &(name, count) in counts {
        if count <= 1 {
            continue;
        }
        let axes: Vec<usize> = names
            .iter()
            .enumerate()
            .filter(|(_, &n)| n == name)
            .map(|(i, _)| i)
            .collect();
        let eye = delta(x.shape(), &axes);
        let zeros = super::creation::zeros_like(&x);
        x = lax::select(&eye, &x, &zeros);
        if !keep.contains(&name) {
            x = sum(x, &axes, preferred);
            names.retain(|&n| n != name);
        } else {
            x = sum(x, &axes[..axes.len() - 1], preferred);
            let mut dropped = 0;
            names.retain(|&n| {
                if n == name && dropped < count - 1 {
                    dropped += 1;
                    false
                } else {
                    true
                }
            });
        }
    }
    (x, names)
}

/// Squeezes the size-1 axes of `x` whose label the other operand has with
/// a size other than 1 (they broadcast).
fn filter_singleton_dims(
    x: Array,
    names: Vec<char>,
    other_shape: &[usize],
    other_names: &[char],
) -> (Array, Vec<char>) {
    let mut squeeze = Vec::new();
    let mut kept = Vec::new();
    for (i, &n) in names.iter().enumerate() {
        let keep = x.shape()[i] != 1
            || match other_names.iter().position(|&o| o == n) {
                None => true,
                Some(j) => other_shape[j] == 1,
            };
        if keep {
            kept.push(n);
        } else {
            squeeze.push(i);
        }
    }
    if squeeze.is_empty() {
        (x, names)
    } else {
        (lax::squeeze(&x, &squeeze), kept)
    }
}

/// One pairwise step: returns the contracted array and its axis labels.
fn contract_pair(
    lhs: (Array, Vec<char>),
    rhs: (Array, Vec<char>),
    removed: &[char],
    result: &[char],
    preferred: DType,
) -> (Array, Vec<char>) {
    let (lhs, lhs_names) = lhs;
    let (rhs, rhs_names) = rhs;
    let (lhs, lhs_names) = filter_singleton_dims(lhs, lhs_names, rhs.shape(), &rhs_names);
    let (rhs, rhs_names) = filter_singleton_dims(rhs, rhs_names, lhs.shape(), &lhs_names);
    let lhs_counts = counts(&lhs_names);
    let rhs_counts = counts(&rhs_names);

    let lhs_uniques: Vec<char> = removed
        .iter()
        .copied()
        .filter(|&c| count_of(&lhs_counts, c) == 1 && count_of(&rhs_counts, c) == 0)
        .collect();
    let (lhs, lhs_names) = sum_uniques(lhs, lhs_names, &lhs_uniques, preferred);
    let rhs_uniques: Vec<char> = removed
        .iter()
        .copied()
        .filter(|&c| count_of(&rhs_counts, c) == 1 && count_of(&lhs_counts, c) == 0)
        .collect();
    let (rhs, rhs_names) = sum_uniques(rhs, rhs_names, &rhs_uniques, preferred);

    let keep_l: Vec<char> = result.iter().chain(&rhs_names).copied().collect();
    let (lhs, lhs_names) = sum_repeats(lhs, lhs_names, &lhs_counts, &keep_l, preferred);
    let keep_r: Vec<char> = result.iter().chain(&lhs_names).copied().collect();
    let (rhs, rhs_names) = sum_repeats(rhs, rhs_names, &rhs_counts, &keep_r, preferred);

    let contracted: Vec<char> = removed
        .iter()
        .copied()
        .filter(|c| lhs_names.contains(c) || rhs_names.contains(c))
        .collect();
    let batch: Vec<char> = result
        .iter()
        .copied()
        .filter(|c| lhs_names.contains(c) && rhs_names.contains(c))
        .collect();
    let pos = |names: &[char], c: char| names.iter().position(|&n| n == c).expect("label");
    let lhs_batch: Vec<usize> = batch.iter().map(|&c| pos(&lhs_names, c)).collect();
    let rhs_batch: Vec<usize> = batch.iter().map(|&c| pos(&rhs_names, c)).collect();
    let lhs_cont: Vec<usize> = contracted.iter().map(|&c| pos(&lhs_names, c)).collect();
    let rhs_cont: Vec<usize> = contracted.iter().map(|&c| pos(&rhs_names, c)).collect();
    let deleted: Vec<char> = batch.iter().chain(&contracted).copied().collect();
    let rem_lhs = without(&lhs_names, &deleted);
    let rem_rhs = without(&rhs_names, &deleted);

    // Of the two operand orders, prefer the one whose output needs no
    // transpose (opt_einsum tends to put the right operand first).
    let swapped: Vec<char> = batch
        .iter()
        .chain(&rem_rhs)
        .chain(&rem_lhs)
        .copied()
        .collect();
    if swapped == result {
        let out = dot(
            &rhs,
            &lhs,
            (&rhs_cont, &lhs_cont),
            (&rhs_batch, &lhs_batch),
            preferred,
        );
        (out, swapped)
    } else {
        let names: Vec<char> = batch
            .iter()
            .chain(&rem_lhs)
            .chain(&rem_rhs)
            .copied()
            .collect();
        let out = dot(
            &lhs,
            &rhs,
            (&lhs_cont, &rhs_cont),
            (&lhs_batch, &rhs_batch),
            preferred,
        );
        (out, names)
    }
}

/// `dot_general` with a preferred element type, with XLA:CPU's operand
/// conversions: operands of different dtypes, or of a dtype the preferred
/// one is wider than, are converted to it first.
fn dot(
    lhs: &Array,
    rhs: &Array,
    contracting: (&[usize], &[usize]),
    batch: (&[usize], &[usize]),
    preferred: DType,
) -> Array {
    let input = promote_types(lhs.dtype(), rhs.dtype());
    if !input.is_inexact() && input != preferred && bit_width(preferred) < bit_width(input) {
        panic!(
            "TypeError: `preferred_element_type` must not be narrower than the original type, \
             got preferred_element_type of {} for result type of {}.",
            preferred.name(),
            input.name()
        );
    }
    let widen = |x: &Array| {
        if x.dtype() != preferred
            && (lhs.dtype() != rhs.dtype() || promote_types(x.dtype(), preferred) == preferred)
        {
            lax::convert_element_type(x, preferred)
        } else {
            x.clone()
        }
    };
    let (l, r) = (widen(lhs), widen(rhs));
    lax::dot_general(&l, &r, contracting, batch, Some(preferred))
}

fn bit_width(d: DType) -> usize {
    if d == DType::Bool {
        8
    } else {
        d.size_of() * 8
    }
}
