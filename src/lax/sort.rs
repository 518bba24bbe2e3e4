//! `sort`: sorts operands along one axis by their first `num_keys`
//! operands (lexicographically), carrying the others along — JAX's
//! variadic `lax.sort`. Floats sort with `-0 == 0` and NaNs last.

use super::ad_util::{Cotangents, Differentiability, JvpResult, LinearArg};
use super::batching::{all_batch_first, BatchResult};
use super::{Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::sort::{self as kernel, SortOperand};
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::core::trace::bind;
use smallvec::{smallvec, SmallVec};

/// Sorts along `dimension` by the first `num_keys` operands.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Sort {
    /// The axis sorted along.
    pub dimension: usize,
    /// Whether equal keys keep their order (the kernel is always stable).
    pub is_stable: bool,
    /// How many leading operands are sort keys.
    pub num_keys: usize,
}

impl PrimitiveRules for Sort {
    fn name(&self) -> &'static str {
        "sort"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("dimension", self.dimension.to_string()),
            (
                "is_stable",
                if self.is_stable { "True" } else { "False" }.into(),
            ),
            ("num_keys", self.num_keys.to_string()),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        if inputs.is_empty() {
            panic!("TypeError: sort requires at least one operand");
        }
        let shape = &inputs[0].shape;
        if let Some(bad) = inputs.iter().find(|x| &x.shape != shape) {
            panic!(
                "TypeError: sort requires all operands to have the same shape, got {} and {}.",
                fmt_tuple(shape),
                fmt_tuple(&bad.shape)
            );
        }
        if self.dimension >= shape.len() {
            panic!(
                "ValueError: sort dimension {} is out of bounds for operands of rank {}.",
                self.dimension,
                shape.len()
            );
        }
        if self.num_keys == 0 || self.num_keys > inputs.len() {
            panic!(
                "ValueError: sort num_keys={} must be between 1 and the number of operands ({}).",
                self.num_keys,
                inputs.len()
            );
        }
        inputs.iter().map(|x| (*x).clone()).collect()
    }
    fn impl_cpu(
        &self,
        inputs: &[&ShapedArray],
        bufs: &[&Buffer],
        _outs: &[ShapedArray],
    ) -> Buffers {
        let ops: Vec<SortOperand> = bufs
            .iter()
            .zip(inputs)
            .map(|(b, a)| SortOperand {
                buf: b,
                dtype: a.dtype,
            })
            .collect();
        kernel::run(&ops, &inputs[0].shape, self.dimension, self.num_keys)
            .into_iter()
            .collect()
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    /// Tangents are permuted like their primals: a second sort by the same
    /// keys carrying the tangents (linear in them).
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let outs: SmallVec<[Array; 2]> = bind(&self.clone().into(), primals).into_iter().collect();
        let present: Vec<usize> = (0..primals.len())
            .filter(|&i| tangents[i].is_some())
            .collect();
        let mut touts: SmallVec<[Option<Array>; 2]> = smallvec![None; primals.len()];
        if !present.is_empty() {
            let mut ops: Vec<&Array> = primals[..self.num_keys].to_vec();
            ops.extend(present.iter().map(|&i| tangents[i].unwrap()));
            let sorted = bind(&self.clone().into(), &ops);
            for (k, &i) in present.iter().enumerate() {
                touts[i] = Some(sorted[self.num_keys + k].clone());
            }
        }
        (outs.into_iter().collect(), touts.into_iter().collect())
    }
    /// Undoes the permutation: sorts the cotangent by the source index of
    /// each sorted position.
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let keys: Vec<&Array> = args[..self.num_keys]
            .iter()
            .map(|a| a.known("sort (its keys)"))
            .collect();
        let shape = keys[0].shape().to_vec();
        let index = if shape[self.dimension] <= i32::MAX as usize {
            DType::I32
        } else {
            DType::I64
        };
        let iota = super::broadcasted_iota(index, &shape, self.dimension);
        let mut ops = keys.clone();
        ops.push(&iota);
        let source = bind(&self.clone().into(), &ops).pop().unwrap();
        let unsort = Sort {
            num_keys: 1,
            ..self.clone()
        };
        args.iter()
            .enumerate()
            .map(|(i, a)| {
                (i >= self.num_keys && a.is_linear())
                    .then(|| bind(&unsort.clone().into(), &[&source, &cts[i]])[1].clone())
            })
            .collect()
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Linear
    }
    fn batch(&self, args: &[&Array], dims: &[Option<usize>], size: usize) -> BatchResult {
        let moved = all_batch_first(args, dims, size);
        let refs: Vec<&Array> = moved.iter().collect();
        let prim = Sort {
            dimension: self.dimension + 1,
            ..self.clone()
        };
        let outs = bind(&prim.into(), &refs);
        let n = outs.len();
        (outs, smallvec![Some(0); n])
    }
}

/// Sorts `operands` along `dimension` by the first `num_keys` of them
/// (`lax.sort`); every operand is permuted the same way.
pub fn sort(operands: &[&Array], dimension: usize, is_stable: bool, num_keys: usize) -> Vec<Array> {
    let prim = Sort {
        dimension,
        is_stable,
        num_keys,
    };
    bind(&prim.into(), operands).into_iter().collect()
}

/// Sorts `values` by `keys` along `dimension` (`lax.sort_key_val`).
pub fn sort_key_val(
    keys: &Array,
    values: &Array,
    dimension: usize,
    is_stable: bool,
) -> (Array, Array) {
    let mut out = sort(&[keys, values], dimension, is_stable, 1);
    let v = out.pop().unwrap();
    (out.pop().unwrap(), v)
}
