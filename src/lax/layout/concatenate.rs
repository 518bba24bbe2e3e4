//! The `concatenate` primitive: its rules and its `lax` function.

use super::{out_buffer, slice};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::layout as k;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::shape::{fmt_tuple, Shape};
use crate::core::trace::bind1;
use crate::lax::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::{Avals, Buffers, FusionClass, PrimitiveRules};
use smallvec::smallvec;

/// `concatenate`: joins operands along `dimension`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Concatenate {
    /// The axis to join along.
    pub dimension: usize,
}

impl PrimitiveRules for Concatenate {
    fn name(&self) -> &'static str {
        "concatenate"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![("dimension", self.dimension.to_string())]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        if inputs.is_empty() {
            panic!("ValueError: Need at least one array to concatenate.");
        }
        let first = inputs[0];
        let shapes = || {
            inputs
                .iter()
                .map(|x| fmt_tuple(&x.shape))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if inputs.iter().any(|x| x.ndim() != first.ndim()) {
            panic!(
                "TypeError: Cannot concatenate arrays with different numbers of dimensions: \
                 got {}.",
                shapes()
            );
        }
        if self.dimension >= first.ndim() {
            panic!(
                "ValueError: axis {} is out of bounds for array of dimension {}",
                self.dimension,
                first.ndim()
            );
        }
        if inputs.iter().any(|x| x.dtype != first.dtype) {
            panic!(
                "TypeError: Cannot concatenate arrays with different dtypes: {}. Use \
                 jnp::concatenate, which promotes them.",
                inputs
                    .iter()
                    .map(|x| x.dtype.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let d = self.dimension;
        let mut shape = first.shape.0.clone();
        shape[d] = 0;
        for x in inputs {
            for k in 0..shape.len() {
                if k != d && x.shape[k] != first.shape[k] {
                    panic!(
                        "TypeError: Cannot concatenate arrays with shapes that differ in \
                         dimensions other than the one being concatenated: concatenating along \
                         dimension {d} for shapes {}.",
                        shapes()
                    );
                }
            }
            shape[d] += x.shape[d];
        }
        let weak = inputs.iter().all(|x| x.weak_type);
        smallvec![ShapedArray::with_weak(Shape(shape), first.dtype, weak)]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut o = out_buffer(&outs[0]);
        let parts: Vec<(&Buffer, &[usize])> = bufs
            .iter()
            .zip(inputs)
            .map(|(b, a)| (*b, &a.shape[..]))
            .collect();
        k::concatenate(
            outs[0].dtype,
            &parts,
            self.dimension,
            &mut o,
            &outs[0].shape,
        );
        smallvec![o]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Layout
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        ad_util::linear_jvp(self.clone().into(), primals, tangents, primals.len())
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let ct = &cts[0];
        let mut offset = 0;
        args.iter()
            .map(|a| {
                let n = a.aval().shape[self.dimension];
                let mut start = vec![0; ct.ndim()];
                let mut limit = ct.shape().to_vec();
                start[self.dimension] = offset;
                limit[self.dimension] = offset + n;
                offset += n;
                a.is_linear().then(|| slice(ct, &start, &limit))
            })
            .collect()
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Linear
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        size: usize,
    ) -> crate::lax::batching::BatchResult {
        let xs = crate::lax::batching::all_batch_first(args, dims, size);
        let p = Concatenate {
            dimension: self.dimension + 1,
        };
        (
            crate::lax::batching::bind_all(p.into(), &xs),
            smallvec![Some(0)],
        )
    }
}

// ---------------------------------------------------------------- wrappers

/// Concatenates along `dimension` (operands share dtype and other dims).
pub fn concatenate(xs: &[&Array], dimension: usize) -> Array {
    if xs.len() == 1 {
        return xs[0].clone();
    }
    bind1(&Concatenate { dimension }.into(), xs)
}
