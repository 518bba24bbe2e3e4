//! Primitives that support differentiation itself: `stop_gradient`, and
//! `custom_lin`, the linear stand-in that carries a custom VJP's backward
//! function through linearization to transposition.

use super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::{Avals, Buffers, FusionClass, PrimitiveRules};
use crate::backend::cpu::buffer::Buffer;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::trace::{bind, bind1, CustomBwd};
use smallvec::smallvec;
use std::sync::Arc;

/// `stop_gradient`: the identity, with a zero derivative.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StopGradient;

impl PrimitiveRules for StopGradient {
    fn name(&self) -> &'static str {
        "stop_gradient"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        super::expect_arity("stop_gradient", inputs, 1);
        smallvec![inputs[0].clone()]
    }
    fn impl_cpu(
        &self,
        _inputs: &[&ShapedArray],
        bufs: &[&Buffer],
        _outs: &[ShapedArray],
    ) -> Buffers {
        smallvec![Buffer::from_slice(bufs[0].bytes())]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Elementwise
    }
    fn jvp(&self, primals: &[&Array], _tangents: &[Option<&Array>]) -> JvpResult {
        // Stop the gradient at every enclosing level too.
        (smallvec![stop_gradient(primals[0])], smallvec![None])
    }
    fn transpose(&self, _cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        ad_util::not_linear(self.name())
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::NonDifferentiable("stop_gradient has a zero derivative by definition")
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        _size: usize,
    ) -> crate::lax::batching::BatchResult {
        crate::lax::batching::same_axis(
            &crate::lax::Primitive::StopGradient(StopGradient),
            args,
            dims,
        )
    }
}

/// Treats `x` as a constant for differentiation (`jax.lax.stop_gradient`).
pub fn stop_gradient(x: &Array) -> Array {
    if !x.is_tracer() {
        return x.clone();
    }
    bind1(&StopGradient.into(), &[x])
}

/// A value tagged with a name for checkpoint policies
/// (`jax.ad_checkpoint.checkpoint_name`, JAX's `name` primitive): the
/// identity, whose outputs `save_only_these_names`-style policies select.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name {
    /// The name.
    pub name: Arc<str>,
}

impl PrimitiveRules for Name {
    fn name(&self) -> &'static str {
        "name"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![("name", self.name.to_string())]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        super::expect_arity("name", inputs, 1);
        smallvec![inputs[0].clone()]
    }
    fn impl_cpu(
        &self,
        _inputs: &[&ShapedArray],
        bufs: &[&Buffer],
        _outs: &[ShapedArray],
    ) -> Buffers {
        smallvec![Buffer::from_slice(bufs[0].bytes())]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        (
            smallvec![checkpoint_name(primals[0], &self.name)],
            smallvec![tangents[0].cloned()],
        )
    }
    fn transpose(&self, cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        smallvec![Some(cts[0].clone())]
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
        crate::lax::batching::same_axis(&self.clone().into(), args, dims)
    }
}

/// Tags `x` with `name` for a checkpoint policy
/// (`jax.ad_checkpoint.checkpoint_name`); the identity on values. Only
/// traced values are tagged (a concrete value has nothing to save).
pub fn checkpoint_name(x: &Array, name: &str) -> Array {
    if !x.is_tracer() {
        return x.clone();
    }
    bind1(&Name { name: name.into() }.into(), &[x])
}

/// The tangent map of a `custom_vjp` function inside linearize: linear in its
/// tangent operands, with the residuals as known operands. Its transpose
/// calls the user's backward function.
#[derive(Clone)]
pub struct CustomLin {
    /// The user's backward function.
    pub bwd: CustomBwd,
    /// How many leading operands are residuals.
    pub num_res: usize,
    /// Abstract values of the primal inputs.
    pub in_avals: Vec<ShapedArray>,
    /// Abstract values of the outputs.
    pub out_avals: Vec<ShapedArray>,
}

impl std::fmt::Debug for CustomLin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CustomLin(num_res={})", self.num_res)
    }
}

impl PartialEq for CustomLin {
    fn eq(&self, other: &CustomLin) -> bool {
        Arc::ptr_eq(&self.bwd, &other.bwd) && self.num_res == other.num_res
    }
}
impl Eq for CustomLin {}

impl std::hash::Hash for CustomLin {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (Arc::as_ptr(&self.bwd) as *const () as usize).hash(h);
        self.num_res.hash(h);
    }
}

/// JAX's error for forward-mode differentiation of a custom_vjp function.
pub const FORWARD_MODE_MESSAGE: &str = "TypeError: can't apply forward-mode autodiff (jvp) to a \
     custom_vjp function. Define the function with custom_jvp instead, or differentiate it in \
     reverse mode (grad, vjp).";

impl PrimitiveRules for CustomLin {
    fn name(&self) -> &'static str {
        "custom_lin"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![("num_res", self.num_res.to_string())]
    }
    fn abstract_eval(&self, _inputs: &[&ShapedArray]) -> Avals {
        self.out_avals.iter().cloned().collect()
    }
    fn impl_cpu(
        &self,
        _inputs: &[&ShapedArray],
        _bufs: &[&Buffer],
        _outs: &[ShapedArray],
    ) -> Buffers {
        panic!("{FORWARD_MODE_MESSAGE}")
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, _primals: &[&Array], _tangents: &[Option<&Array>]) -> JvpResult {
        panic!("{FORWARD_MODE_MESSAGE}")
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let res: Vec<Array> = args[..self.num_res]
            .iter()
            .map(|a| a.known("custom_lin").clone())
            .collect();
        let in_cts = (self.bwd)(&res, cts);
        if in_cts.len() != self.in_avals.len() {
            panic!(
                "TypeError: custom_vjp bwd function must produce one cotangent per primal \
                 input: the function has {} inputs (leaves), but bwd returned {}.",
                self.in_avals.len(),
                in_cts.len()
            );
        }
        let mut out: Cotangents = (0..self.num_res).map(|_| None).collect();
        for (c, a) in in_cts.into_iter().zip(&self.in_avals) {
            if c.shape() != &a.shape[..] || c.dtype() != a.dtype {
                panic!(
                    "ValueError: custom_vjp bwd function produced a cotangent of type {} for a \
                     primal input of type {}; they must match in shape and dtype.",
                    c.aval().short(),
                    a.short()
                );
            }
            out.push(Some(c));
        }
        out
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
        // Everything batched first; the backward function is vmapped.
        let xs = crate::lax::batching::all_batch_first(args, dims, size);
        let batched = |a: &ShapedArray| {
            let mut shape = vec![size];
            shape.extend_from_slice(&a.shape);
            ShapedArray::with_weak(shape.into(), a.dtype, a.weak_type)
        };
        let (orig, num_res) = (self.bwd.clone(), self.num_res);
        let bwd: CustomBwd = Arc::new(move |res: &[Array], cts: &[Array]| -> Vec<Array> {
            let mut all: Vec<Array> = res.to_vec();
            all.extend_from_slice(cts);
            let dims = vec![Some(0); all.len()];
            let f = |v: &[Array]| (orig)(&v[..num_res], &v[num_res..]);
            crate::interpreters::batching::batch_flat(&f, &all, &dims, size)
                .into_iter()
                .map(|(c, d)| crate::lax::batching::batch_first(&c, d, size))
                .collect()
        });
        let p = CustomLin {
            bwd,
            num_res,
            in_avals: self.in_avals.iter().map(batched).collect(),
            out_avals: self.out_avals.iter().map(batched).collect(),
        };
        let outs = crate::lax::batching::bind_all(p.into(), &xs);
        let n = outs.len();
        (outs, smallvec::SmallVec::from_elem(Some(0), n))
    }
}

/// Binds `custom_lin` on `residuals ++ tangents` (used by the jvp interpreter).
pub fn custom_lin(
    bwd: CustomBwd,
    num_res: usize,
    in_avals: Vec<ShapedArray>,
    out_avals: Vec<ShapedArray>,
    inputs: &[Array],
) -> Vec<Array> {
    let prim = CustomLin {
        bwd,
        num_res,
        in_avals,
        out_avals,
    };
    let refs: Vec<&Array> = inputs.iter().collect();
    bind(&prim.into(), &refs).into_vec()
}
