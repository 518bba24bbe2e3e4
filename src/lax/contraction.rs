//! `dot_general`: batched tensor contraction.

use super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::{Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::dot;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::shape::{fmt_tuple, Dims, Shape};
use crate::core::trace::bind1;
use smallvec::smallvec;

/// Contracts `lhs_contracting` with `rhs_contracting` axes, batching over
/// `lhs_batch`/`rhs_batch`. The output axes are batch, then lhs free, then rhs free.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DotGeneral {
    /// Contracted axes of the lhs.
    pub lhs_contracting: Dims,
    /// Contracted axes of the rhs (paired with the lhs ones).
    pub rhs_contracting: Dims,
    /// Batch axes of the lhs.
    pub lhs_batch: Dims,
    /// Batch axes of the rhs.
    pub rhs_batch: Dims,
    /// Output dtype, if different from the operands'.
    pub preferred_element_type: Option<DType>,
}

fn tuple(d: &[usize]) -> String {
    fmt_tuple(d)
}

impl DotGeneral {
    /// Free (neither batch nor contracting) axes of an operand of rank `n`.
    pub fn free_axes(n: usize, batch: &[usize], contracting: &[usize]) -> Dims {
        crate::core::shape::free_axes(n, batch, contracting)
    }
}

impl PrimitiveRules for DotGeneral {
    fn name(&self) -> &'static str {
        "dot_general"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        let dims = format!(
            "(([{}], [{}]), ([{}], [{}]))",
            join(&self.lhs_contracting),
            join(&self.rhs_contracting),
            join(&self.lhs_batch),
            join(&self.rhs_batch)
        );
        let mut p = vec![("dimension_numbers", dims)];
        // As JAX prints it: a None preferred type is not shown.
        if let Some(d) = self.preferred_element_type {
            p.push(("preferred_element_type", d.name().to_string()));
        }
        p
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        assert_eq!(inputs.len(), 2, "dot_general takes 2 operands");
        let (l, r) = (inputs[0], inputs[1]);
        if l.dtype != r.dtype {
            panic!(
                "TypeError: dot_general requires lhs dtype and rhs dtype to be equal, got {} \
                 and {}. (jnp::dot and jnp::matmul promote automatically.)",
                l.dtype, r.dtype
            );
        }
        let valid = |axes: &[usize], n: usize| {
            axes.iter()
                .enumerate()
                .all(|(i, &a)| a < n && !axes[..i].contains(&a))
        };
        if self.lhs_contracting.len() != self.rhs_contracting.len()
            || self.lhs_batch.len() != self.rhs_batch.len()
            || !valid(
                &[&self.lhs_contracting[..], &self.lhs_batch[..]].concat(),
                l.ndim(),
            )
            || !valid(
                &[&self.rhs_contracting[..], &self.rhs_batch[..]].concat(),
                r.ndim(),
            )
        {
            panic!(
                "TypeError: dot_general got invalid dimension numbers (contracting {} / {}, \
                 batch {} / {}) for shapes {} and {}.",
                tuple(&self.lhs_contracting),
                tuple(&self.rhs_contracting),
                tuple(&self.lhs_batch),
                tuple(&self.rhs_batch),
                fmt_tuple(&l.shape),
                fmt_tuple(&r.shape)
            );
        }
        let lc: Dims = self.lhs_contracting.iter().map(|&a| l.shape[a]).collect();
        let rc: Dims = self.rhs_contracting.iter().map(|&a| r.shape[a]).collect();
        if lc != rc {
            panic!(
                "TypeError: dot_general requires contracting dimensions to have the same \
                 shape, got {} and {}.",
                tuple(&lc),
                tuple(&rc)
            );
        }
        let lb: Dims = self.lhs_batch.iter().map(|&a| l.shape[a]).collect();
        let rb: Dims = self.rhs_batch.iter().map(|&a| r.shape[a]).collect();
        if lb != rb {
            panic!(
                "TypeError: dot_general requires lhs batch dimensions and rhs batch dimensions \
                 to have the same shape, got {} and {}.",
                tuple(&lb),
                tuple(&rb)
            );
        }
        let mut shape = lb;
        for a in DotGeneral::free_axes(l.ndim(), &self.lhs_batch, &self.lhs_contracting) {
            shape.push(l.shape[a]);
        }
        for a in DotGeneral::free_axes(r.ndim(), &self.rhs_batch, &self.rhs_contracting) {
            shape.push(r.shape[a]);
        }
        let dtype = self.preferred_element_type.unwrap_or(l.dtype);
        smallvec![ShapedArray::with_weak(
            Shape(shape),
            dtype,
            l.weak_type && r.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut o = Buffer::for_dtype(outs[0].size(), outs[0].dtype);
        dot::dot_general(
            &dot::DotSpec {
                lhs_shape: &inputs[0].shape,
                rhs_shape: &inputs[1].shape,
                lhs_contracting: &self.lhs_contracting,
                rhs_contracting: &self.rhs_contracting,
                lhs_batch: &self.lhs_batch,
                rhs_batch: &self.rhs_batch,
            },
            inputs[0].dtype,
            bufs[0],
            bufs[1],
            outs[0].dtype,
            &mut o,
        );
        smallvec![o]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Contraction
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let (l, r) = (primals[0], primals[1]);
        let prim: super::Primitive = self.clone().into();
        let out = bind1(&prim, &[l, r]);
        if !out.dtype().is_inexact() {
            return (smallvec![out], smallvec![None]);
        }
        let tl = tangents[0].map(|t| bind1(&prim, &[t, r]));
        let tr = tangents[1].map(|t| bind1(&prim, &[l, t]));
        (smallvec![out], smallvec![ad_util::add_any(tl, tr)])
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let ct = &cts[0];
        let (l, r) = (&args[0], &args[1]);
        let tl = l.is_linear().then(|| {
            transpose_lhs(
                ct,
                l.aval(),
                r.known("dot_general"),
                (&self.lhs_contracting, &self.rhs_contracting),
                (&self.lhs_batch, &self.rhs_batch),
                false,
            )
        });
        let tr = r.is_linear().then(|| {
            transpose_lhs(
                ct,
                r.aval(),
                l.known("dot_general"),
                (&self.rhs_contracting, &self.lhs_contracting),
                (&self.rhs_batch, &self.lhs_batch),
                true,
            )
        });
        smallvec![tl, tr]
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Linear
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        _size: usize,
    ) -> crate::lax::batching::BatchResult {
        let up = |a: &Dims| -> Dims { a.iter().map(|d| d + 1).collect() };
        let front =
            |a: &Dims| -> Dims { std::iter::once(0).chain(a.iter().map(|d| d + 1)).collect() };
        let (lhs, rhs) = (args[0], args[1]);
        let (l, r, p, out) = match (dims[0], dims[1]) {
            // Both batched: the batch becomes a new leading dot batch axis.
            (Some(dl), Some(dr)) => (
                crate::lax::batching::move_axis(lhs, dl, 0),
                crate::lax::batching::move_axis(rhs, dr, 0),
                DotGeneral {
                    lhs_contracting: up(&self.lhs_contracting),
                    rhs_contracting: up(&self.rhs_contracting),
                    lhs_batch: front(&self.lhs_batch),
                    rhs_batch: front(&self.rhs_batch),
                    ..self.clone()
                },
                0,
            ),
            // One side batched: its batch axis is that side's first free axis.
            (Some(dl), None) => (
                crate::lax::batching::move_axis(lhs, dl, 0),
                rhs.clone(),
                DotGeneral {
                    lhs_contracting: up(&self.lhs_contracting),
                    lhs_batch: up(&self.lhs_batch),
                    ..self.clone()
                },
                self.lhs_batch.len(),
            ),
            (None, Some(dr)) => {
                let lhs_free = lhs.ndim() - self.lhs_batch.len() - self.lhs_contracting.len();
                (
                    lhs.clone(),
                    crate::lax::batching::move_axis(rhs, dr, 0),
                    DotGeneral {
                        rhs_contracting: up(&self.rhs_contracting),
                        rhs_batch: up(&self.rhs_batch),
                        ..self.clone()
                    },
                    self.rhs_batch.len() + lhs_free,
                )
            }
            (None, None) => unreachable!("a batching rule has a batched operand"),
        };
        (
            crate::lax::batching::bind_all(p.into(), &[l, r]),
            smallvec![Some(out)],
        )
    }
}

fn join(d: &[usize]) -> String {
    d.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The cotangent of the lhs `x` of a dot_general with known rhs `y`, given
/// the output cotangent `g`. With `swap_ans`, `x` was the rhs (the output
/// lists `y`'s free axes before `x`'s).
fn transpose_lhs(
    g: &Array,
    x: &ShapedArray,
    y: &Array,
    contracting: (&[usize], &[usize]),
    batch: (&[usize], &[usize]),
    swap_ans: bool,
) -> Array {
    let (x_contract, y_contract) = contracting;
    let (x_batch, y_batch) = batch;
    let x_kept = DotGeneral::free_axes(x.ndim(), x_batch, x_contract);
    let y_kept = DotGeneral::free_axes(y.ndim(), y_batch, y_contract);
    let nb = x_batch.len();
    let ans_batch: Vec<usize> = (0..nb).collect();
    let ans_y: Vec<usize> = if swap_ans {
        (nb..nb + y_kept.len()).collect()
    } else {
        let start = nb + x_kept.len();
        (start..start + y_kept.len()).collect()
    };
    // Contract g's y-free axes with y's free axes, batching over the batch
    // axes, in g's dtype (the preferred element type, if one was given).
    let y = super::convert_element_type_weak(y, g.dtype(), y.weak_type());
    let d = dot_general(g, &y, (&ans_y, &y_kept), (&ans_batch, y_batch), None);
    // d's axes: batch, x's free axes (in g's order), then x's contracting axes
    // ordered by y's contracting axes.
    let mut order: Vec<usize> = (0..y_contract.len()).collect();
    order.sort_by_key(|&i| y_contract[i]);
    let x_contract_sorted_by_y: Vec<usize> = order.iter().map(|&i| x_contract[i]).collect();
    let layout: Vec<usize> = x_batch
        .iter()
        .chain(x_kept.iter())
        .chain(x_contract_sorted_by_y.iter())
        .copied()
        .collect();
    let mut perm = vec![0; layout.len()];
    for (pos, &axis) in layout.iter().enumerate() {
        perm[axis] = pos;
    }
    let t = super::transpose(&d, &perm);
    super::convert_element_type_weak(&t, x.dtype, x.weak_type)
}

/// General contraction; see [`DotGeneral`].
pub fn dot_general(
    lhs: &Array,
    rhs: &Array,
    contracting: (&[usize], &[usize]),
    batch: (&[usize], &[usize]),
    preferred_element_type: Option<DType>,
) -> Array {
    bind1(
        &DotGeneral {
            lhs_contracting: Dims::from_slice(contracting.0),
            rhs_contracting: Dims::from_slice(contracting.1),
            lhs_batch: Dims::from_slice(batch.0),
            rhs_batch: Dims::from_slice(batch.1),
            preferred_element_type,
        }
        .into(),
        &[lhs, rhs],
    )
}

/// JAX's `lax.Precision` for contractions. Accepted by the APIs that take a
/// `precision` (e.g. `jnp::einsum_with`) for parity with JAX; the CPU
/// backend computes every contraction at the full precision of its dtype
/// whatever the value, as XLA:CPU does.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Precision {
    /// The backend's default (fastest) precision.
    #[default]
    Default,
    /// bf16_3x on TPUs; full precision on CPU.
    High,
    /// Full float32 precision.
    Highest,
}
