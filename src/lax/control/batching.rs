//! Batching rules of the control-flow primitives, expressed through the
//! public `lax` control-flow functions on batched bodies (each body is the
//! sub-jaxpr run under a nested batching trace):
//!
//! - `cond` with an unbatched index stays a `cond` over batched branches; a
//!   batched index runs every branch and selects per element (JAX's rule).
//! - `while` batches every carry; with a per-element predicate it loops
//!   while any element's predicate holds and freezes the finished ones.
//! - `scan` batches every carry; batched `xs` are scanned over axis 0 with
//!   the batch at axis 1, and `ys` come back with the batch at axis 1.

use super::api::{scan_with, switch, while_loop, ScanOptions};
use super::{Cond, Scan, SubJaxpr, While};
use crate::core::array::Array;
use crate::interpreters::batching::batch_flat;
use crate::ir::{BinaryOp, CompareOp, ReduceOp};
use crate::lax::batching::{batch_first, move_axis, BatchResult};
use crate::lax::{self};
use smallvec::SmallVec;

/// Runs `body` on `args` batched along `dims`; every output batched at axis 0.
fn run_batched(body: &SubJaxpr, args: &[Array], dims: &[Option<usize>], size: usize) -> Vec<Array> {
    batch_flat(&|xs: &[Array]| body.call(xs), args, dims, size)
        .into_iter()
        .map(|(o, d)| batch_first(&o, d, size))
        .collect()
}

/// `pred` (batched at 0, shape `[size]`) broadcast against `like` (`[size, ...]`).
fn per_row(pred: &Array, like: &Array) -> Array {
    if pred.shape() == like.shape() {
        return pred.clone();
    }
    lax::broadcast_in_dim(pred, like.shape(), &[0])
}

/// A batched branch: operands to outputs, all batched at axis 0.
type Branch<'a> = dyn Fn(&Vec<Array>) -> Vec<Array> + 'a;

fn batched_result(outs: Vec<Array>, dim: usize) -> BatchResult {
    let n = outs.len();
    (
        outs.into_iter().collect(),
        SmallVec::from_elem(Some(dim), n),
    )
}

impl Cond {
    pub(crate) fn batch_rule(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        size: usize,
    ) -> BatchResult {
        let ops: Vec<Array> = args[1..].iter().map(|x| (*x).clone()).collect();
        let odims = &dims[1..];
        let n = self.branches.len();
        match dims[0] {
            None => {
                let fns: Vec<Box<Branch<'_>>> = (0..n)
                    .map(|k| {
                        Box::new(move |xs: &Vec<Array>| {
                            run_batched(&self.branches[k], xs, odims, size)
                        }) as Box<Branch<'_>>
                    })
                    .collect();
                let refs: Vec<&Branch<'_>> = fns.iter().map(|f| f.as_ref()).collect();
                batched_result(switch(args[0], &refs, &ops), 0)
            }
            Some(d) => {
                // Every branch runs; each element takes its (clamped) branch's value.
                let index = move_axis(args[0], d, 0);
                let lo = Array::scalar(0i32);
                let hi = Array::scalar(n as i32 - 1);
                let index =
                    lax::binary(BinaryOp::Min, &lax::binary(BinaryOp::Max, &index, &lo), &hi);
                let outs: Vec<Vec<Array>> = (0..n)
                    .map(|k| run_batched(&self.branches[k], &ops, odims, size))
                    .collect();
                let selected = (0..outs[0].len())
                    .map(|j| {
                        (1..n).fold(outs[0][j].clone(), |acc, k| {
                            let take =
                                lax::compare(CompareOp::Eq, &index, &Array::scalar(k as i32));
                            lax::select(&per_row(&take, &acc), &outs[k][j], &acc)
                        })
                    })
                    .collect();
                batched_result(selected, 0)
            }
        }
    }
}

impl While {
    pub(crate) fn batch_rule(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        size: usize,
    ) -> BatchResult {
        let (cn, bn) = (self.cond_nconsts, self.body_nconsts);
        let own = |r: std::ops::Range<usize>| -> (Vec<Array>, Vec<Option<usize>>) {
            (
                args[r.clone()].iter().map(|x| (*x).clone()).collect(),
                dims[r].to_vec(),
            )
        };
        let (cconsts, cdims) = own(0..cn);
        let (bconsts, bdims) = own(cn..cn + bn);
        let carry: Vec<Array> = args[cn + bn..]
            .iter()
            .zip(&dims[cn + bn..])
            .map(|(x, &d)| batch_first(x, d, size))
            .collect();
        let k = carry.len();
        let with = |consts: &[Array], cdims: &[Option<usize>], c: &[Array]| {
            let mut xs = consts.to_vec();
            xs.extend_from_slice(c);
            let mut ds = cdims.to_vec();
            ds.extend(std::iter::repeat_n(Some(0), k));
            (xs, ds)
        };
        // Each element's predicate, shape [size].
        let pred = |c: &Vec<Array>| -> Array {
            let (xs, ds) = with(&cconsts, &cdims, c);
            run_batched(&self.cond, &xs, &ds, size).swap_remove(0)
        };
        let cond_fn = |c: &Vec<Array>| lax::reduce(&pred(c), ReduceOp::Or, &[0]);
        let body_fn = |c: &Vec<Array>| -> Vec<Array> {
            let live = pred(c);
            let (xs, ds) = with(&bconsts, &bdims, c);
            run_batched(&self.body, &xs, &ds, size)
                .into_iter()
                .zip(c)
                .map(|(new, old)| lax::select(&per_row(&live, &new), &new, old))
                .collect()
        };
        batched_result(while_loop(cond_fn, body_fn, &carry), 0)
    }
}

impl Scan {
    pub(crate) fn batch_rule(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        size: usize,
    ) -> BatchResult {
        let (nc, nk) = (self.num_consts, self.num_carry);
        let consts: Vec<Array> = args[..nc].iter().map(|x| (*x).clone()).collect();
        let carry: Vec<Array> = args[nc..nc + nk]
            .iter()
            .zip(&dims[nc..nc + nk])
            .map(|(x, &d)| batch_first(x, d, size))
            .collect();
        // Batched xs keep the scanned axis first and put the batch second.
        let xs: Vec<Array> = args[nc + nk..]
            .iter()
            .zip(&dims[nc + nk..])
            .map(|(x, &d)| match d {
                Some(d) => move_axis(x, d, 1),
                None => (*x).clone(),
            })
            .collect();
        let mut body_dims: Vec<Option<usize>> = dims[..nc].to_vec();
        body_dims.extend(std::iter::repeat_n(Some(0), nk));
        body_dims.extend(dims[nc + nk..].iter().map(|d| d.map(|_| 0)));
        let step = |c: &Vec<Array>, x: &Vec<Array>| -> (Vec<Array>, Vec<Array>) {
            let mut inputs = consts.clone();
            inputs.extend(c.iter().cloned());
            inputs.extend(x.iter().cloned());
            let mut outs = run_batched(&self.body, &inputs, &body_dims, size);
            let ys = outs.split_off(nk);
            (outs, ys)
        };
        let options = ScanOptions {
            length: Some(self.length),
            reverse: self.reverse,
        };
        let (c, ys) = scan_with(step, &carry, &xs, options);
        let mut dims_out: SmallVec<[Option<usize>; 1]> = SmallVec::from_elem(Some(0), c.len());
        dims_out.extend(std::iter::repeat_n(Some(1), ys.len()));
        (c.into_iter().chain(ys).collect(), dims_out)
    }
}
