//! Reverse mode as a composition: `linearize` = jvp with unknown tangents
//! under partial evaluation (staging the linear part as a jaxpr), and
//! `vjp` = linearize + transpose.

use super::partial_eval::PartialEvalTrace;
use super::transpose::backward_pass;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::jaxpr::ClosedJaxpr;
use crate::core::trace::with_main_trace;
use crate::lax::ad_util;

pub use super::jvp::jvp_flat;

/// The linear map of a linearized function: a jaxpr from input tangents to
/// output tangents, with its residuals as constants.
#[derive(Clone, Debug)]
pub struct LinearFn {
    /// The staged linear program.
    pub jaxpr: ClosedJaxpr,
    /// Abstract values of the inputs (the primals), in order.
    pub in_avals: Vec<ShapedArray>,
    /// Abstract values of the outputs, in order.
    pub out_avals: Vec<ShapedArray>,
}

impl LinearFn {
    /// Applies the linear map to input tangents (forward).
    pub fn jvp(&self, tangents: &[Array]) -> Vec<Array> {
        let ok = tangents.len() == self.in_avals.len()
            && tangents
                .iter()
                .zip(&self.in_avals)
                .all(|(t, a)| t.shape() == &a.shape[..] && t.dtype() == a.dtype);
        if !ok {
            let got: Vec<String> = tangents.iter().map(|t| t.aval().short()).collect();
            let want: Vec<String> = self.in_avals.iter().map(|a| a.short()).collect();
            panic!(
                "ValueError: linearized function called on tangent values inconsistent with the \
                 original primal values: got tangents ({}) for primals ({}).",
                got.join(", "),
                want.join(", ")
            );
        }
        self.jaxpr.call(tangents)
    }

    /// Applies the transposed map to output cotangents (backward): the
    /// cotangent of every input, zeros where an input does not matter.
    pub fn transpose(&self, cts: &[Array]) -> Vec<Array> {
        assert_eq!(
            cts.len(),
            self.out_avals.len(),
            "vjp: the function has {} outputs, but {} cotangents were given",
            self.out_avals.len(),
            cts.len()
        );
        for (c, a) in cts.iter().zip(&self.out_avals) {
            if c.shape() != &a.shape[..] || c.dtype() != a.dtype {
                panic!(
                    "ValueError: unexpected JAX type (e.g. shape/dtype) for argument to vjp \
                     function: got {}, but expected {} because the corresponding output of \
                     the function had type {}.",
                    c.aval().short(),
                    a.short(),
                    a.short()
                );
            }
        }
        let cts: Vec<Option<Array>> = cts.iter().cloned().map(Some).collect();
        self.transpose_partial(&cts)
    }

    /// Like [`LinearFn::transpose`], with `None` for zero output cotangents.
    pub fn transpose_partial(&self, cts: &[Option<Array>]) -> Vec<Array> {
        let out = backward_pass(&self.jaxpr.jaxpr, &self.jaxpr.consts, cts);
        out.into_iter()
            .zip(&self.in_avals)
            .map(|(c, a)| match c {
                Some(c) => crate::lax::convert_element_type_weak(&c, a.dtype, a.weak_type),
                None => ad_util::zeros(a),
            })
            .collect()
    }
}

/// Linearizes a flat function at `primals`: its outputs and the linear map
/// of its derivative, staged as a jaxpr.
pub fn linearize_flat(
    f: &dyn Fn(&[Array]) -> Vec<Array>,
    primals: &[Array],
) -> (Vec<Array>, LinearFn) {
    with_main_trace(PartialEvalTrace::new, false, |pe| {
        let (tangents, invars): (Vec<Array>, Vec<_>) =
            primals.iter().map(|p| pe.new_arg(p.aval().clone())).unzip();
        let (outs, touts) = super::jvp::jvp_flat_in(f, primals, &tangents, Some(pe.key()));
        let touts: Vec<Array> = outs
            .iter()
            .zip(touts)
            .map(|(o, t)| t.unwrap_or_else(|| ad_util::zeros(o.aval())))
            .collect();
        let jaxpr = pe.finish(invars, &touts);
        let lin = LinearFn {
            jaxpr,
            in_avals: primals.iter().map(|p| p.aval().clone()).collect(),
            out_avals: outs.iter().map(|o| o.aval().clone()).collect(),
        };
        (outs, lin)
    })
}

/// Reverse-mode differentiation of a flat function: its outputs and the
/// linear map whose `transpose` pulls output cotangents back to the inputs.
pub fn vjp_flat(f: &dyn Fn(&[Array]) -> Vec<Array>, primals: &[Array]) -> (Vec<Array>, LinearFn) {
    linearize_flat(f, primals)
}
