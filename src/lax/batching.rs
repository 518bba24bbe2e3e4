//! Helpers for batching rules (`PrimitiveRules::batch`): moving a batch
//! axis, materializing one for an unbatched operand, and the shared rules
//! of elementwise and "batch axis first" primitives.

use crate::core::array::Array;
use crate::core::trace::{bind, Outputs};
use crate::lax::{self, Primitive};
use smallvec::{smallvec, SmallVec};

/// Outputs of a batching rule with the batch axis of each (`None`: unbatched).
pub type BatchResult = (Outputs, SmallVec<[Option<usize>; 1]>);

/// `x` with axis `from` moved to position `to`.
pub fn move_axis(x: &Array, from: usize, to: usize) -> Array {
    if from == to {
        return x.clone();
    }
    let mut perm: Vec<usize> = (0..x.ndim()).filter(|&a| a != from).collect();
    perm.insert(to, from);
    lax::transpose(x, &perm)
}

/// `x` with its batch axis first: moved there, or (unbatched) broadcast to a
/// new leading axis of length `size`.
pub fn batch_first(x: &Array, bdim: Option<usize>, size: usize) -> Array {
    match bdim {
        Some(d) => move_axis(x, d, 0),
        None => {
            let mut shape = vec![size];
            shape.extend_from_slice(x.shape());
            let dims: Vec<usize> = (1..=x.ndim()).collect();
            lax::broadcast_in_dim(x, &shape, &dims)
        }
    }
}

/// Every argument with its batch axis first (unbatched ones broadcast).
pub fn all_batch_first(args: &[&Array], dims: &[Option<usize>], size: usize) -> Vec<Array> {
    args.iter()
        .zip(dims)
        .map(|(x, &d)| batch_first(x, d, size))
        .collect()
}

/// Binds `prim` on arrays.
pub fn bind_all(prim: Primitive, args: &[Array]) -> Outputs {
    let refs: SmallVec<[&Array; 4]> = args.iter().collect();
    bind(&prim, &refs)
}

/// The rule of an elementwise primitive: batched operands get their batch
/// axis first; unbatched rank-0 operands stay scalars (lax broadcasts them);
/// other unbatched operands are broadcast along the batch. When every
/// batched operand already shares one batch axis and the rest are scalars,
/// nothing moves.
pub fn elementwise(
    prim: &Primitive,
    args: &[&Array],
    dims: &[Option<usize>],
    size: usize,
) -> BatchResult {
    let first = dims.iter().flatten().next().copied();
    let batched_rank = dims
        .iter()
        .zip(args)
        .find(|(d, _)| d.is_some())
        .map(|(_, x)| x.ndim());
    let shared = dims.iter().zip(args).all(|(d, x)| {
        (*d == first && Some(x.ndim()) == batched_rank) || (d.is_none() && x.ndim() == 0)
    });
    if let (true, Some(d)) = (shared, first) {
        let outs = bind(prim, args);
        let n = outs.len();
        return (outs, smallvec![Some(d); n]);
    }
    // The per-example rank: batched operands lose their batch axis.
    let rank = args
        .iter()
        .zip(dims)
        .map(|(x, d)| x.ndim() - usize::from(d.is_some()))
        .max()
        .unwrap_or(0);
    let moved: Vec<Array> = args
        .iter()
        .zip(dims)
        .map(|(x, &d)| match d {
            None if x.ndim() == 0 => (*x).clone(),
            None if rank > 0 => batch_first(x, None, size),
            // A batched scalar among higher-rank operands: broadcast it fully.
            Some(d) if x.ndim() == 1 && rank > 0 => {
                let full = full_shape(args, dims, size);
                lax::broadcast_in_dim(x, &full, &[d])
            }
            d => batch_first(x, d, size),
        })
        .collect();
    let outs = bind_all(prim.clone(), &moved);
    let n = outs.len();
    (outs, smallvec![Some(0); n])
}

/// The batched shape `[size, per-example shape...]` of the highest-rank operand.
fn full_shape(args: &[&Array], dims: &[Option<usize>], size: usize) -> Vec<usize> {
    let mut best: Vec<usize> = vec![];
    for (x, d) in args.iter().zip(dims) {
        let mut s = x.shape().to_vec();
        if let Some(d) = d {
            s.remove(*d);
        }
        if s.len() > best.len() {
            best = s;
        }
    }
    best.insert(0, size);
    best
}

/// The rule of a one-operand primitive whose output keeps the operand's
/// batch axis in place (unary math, conversions, `stop_gradient`).
pub fn same_axis(prim: &Primitive, args: &[&Array], dims: &[Option<usize>]) -> BatchResult {
    let outs = bind(prim, args);
    let n = outs.len();
    (outs, smallvec![dims[0]; n])
}

/// Shifts axis numbers past a leading batch axis.
pub fn shifted<C: FromIterator<usize>>(axes: &[usize]) -> C {
    axes.iter().map(|a| a + 1).collect()
}

/// The rule of a one-operand primitive applied with the batch axis first:
/// `prim` (its axis parameters already shifted) on `x` moved or broadcast
/// to batch-first; the result is batched at axis 0.
pub fn on_batch_first(prim: Primitive, x: &Array, bdim: Option<usize>, size: usize) -> BatchResult {
    let x = batch_first(x, bdim, size);
    (bind(&prim, &[&x]), smallvec![Some(0)])
}
