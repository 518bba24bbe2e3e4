//! `select_n`: elementwise choice between two cases.

use super::super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::super::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::lax;
use smallvec::smallvec;

/// `select_n(pred, on_false, on_true)`: picks `on_true` where `pred` holds.
/// `pred` may be rank-0; the cases must match in shape and dtype.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Select;

impl PrimitiveRules for Select {
    fn name(&self) -> &'static str {
        "select_n"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity("select_n", inputs, 3);
        let (p, f, t) = (inputs[0], inputs[1], inputs[2]);
        if p.dtype != DType::Bool {
            panic!(
                "TypeError: select_n requires a boolean predicate, got {}. \
                 Compare first, e.g. x.gt(0).",
                p.dtype
            );
        }
        if f.shape != t.shape || f.dtype != t.dtype {
            panic!(
                "TypeError: select_n cases must have the same shapes and dtypes, got {} and {}.",
                f.short(),
                t.short()
            );
        }
        if p.ndim() != 0 && p.shape != f.shape {
            panic!(
                "TypeError: select_n predicate shape {} must be scalar or equal to the case \
                 shape {}.",
                fmt_tuple(&p.shape),
                fmt_tuple(&f.shape)
            );
        }
        smallvec![ShapedArray::with_weak(
            f.shape.clone(),
            f.dtype,
            f.weak_type && t.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let n = outs[0].size();
        let mut out = Buffer::for_dtype(n, outs[0].dtype);
        kernels::select::run(
            outs[0].dtype,
            kernels::Operand::new(bufs[0], inputs[0].size(), n),
            bufs[1],
            bufs[2],
            &mut out,
        );
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Elementwise
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let (p, f, t) = (primals[0], primals[1], primals[2]);
        let out = lax::select(p, t, f);
        if tangents[1].is_none() && tangents[2].is_none() {
            return (smallvec![out], smallvec![None]);
        }
        let tf = ad_util::instantiate(tangents[1], f.aval());
        let tt = ad_util::instantiate(tangents[2], t.aval());
        (smallvec![out], smallvec![Some(lax::select(p, &tt, &tf))])
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let ct = &cts[0];
        let p = args[0].known("select_n");
        let zeros = ad_util::zeros(ct.aval());
        smallvec![
            None,
            args[1].is_linear().then(|| lax::select(p, &zeros, ct)),
            args[2].is_linear().then(|| lax::select(p, ct, &zeros)),
        ]
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Linear
    }
    /// Batched operands move their batch axis to the front; unbatched cases
    /// (and a predicate that is not a per-example scalar) are broadcast.
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        size: usize,
    ) -> crate::lax::batching::BatchResult {
        use crate::lax::batching::move_axis;
        let case_shape: Vec<usize> = match dims[1].or(dims[2]) {
            Some(d) => {
                let i = if dims[1].is_some() { 1 } else { 2 };
                let mut s = args[i].shape().to_vec();
                s.remove(d);
                s
            }
            None => args[1].shape().to_vec(),
        };
        let mut full = vec![size];
        full.extend_from_slice(&case_shape);
        let fit = |x: &Array, d: Option<usize>| match d {
            Some(d) => {
                let m = move_axis(x, d, 0);
                if m.shape() == full.as_slice() {
                    m
                } else {
                    lax::broadcast_in_dim(&m, &full, &[0])
                }
            }
            None => {
                // An unbatched operand is the same for every batch element.
                let dims: Vec<usize> = (full.len() - x.ndim()..full.len()).collect();
                lax::broadcast_in_dim(x, &full, &dims)
            }
        };
        let pred = if dims[0].is_none() && args[0].ndim() == 0 {
            args[0].clone()
        } else {
            fit(args[0], dims[0])
        };
        let out = lax::select(&pred, &fit(args[2], dims[2]), &fit(args[1], dims[1]));
        (smallvec![out], smallvec![Some(0)])
    }
}
