//! The JVP (forward-mode) interpreter: tracers carry a primal and a tangent,
//! and each primitive's jvp rule maps both forward.

use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::trace::{
    with_main_trace, CustomJvpCall, CustomVjpCall, Interpreter, Outputs, Tracer,
};
use crate::lax::{ad_util, Primitive};
use smallvec::SmallVec;
use std::any::Any;
use std::sync::Arc;

/// A value inside a jvp: its primal and its (non-zero) tangent.
pub struct JvpTracer {
    primal: Array,
    tangent: Array,
    level: usize,
    main_id: u64,
}

impl Tracer for JvpTracer {
    fn aval(&self) -> &ShapedArray {
        self.primal.aval()
    }
    fn level(&self) -> usize {
        self.level
    }
    fn main_id(&self) -> u64 {
        self.main_id
    }
    fn transformation(&self) -> &'static str {
        "jvp"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The interpreter for one jvp level.
pub struct JvpTrace {
    level: usize,
    main_id: u64,
}

impl JvpTrace {
    /// Wraps a primal and tangent as a tracer of this level.
    pub fn tracer(&self, primal: Array, tangent: Array) -> Array {
        Array::from_tracer(Arc::new(JvpTracer {
            primal,
            tangent,
            level: self.level,
            main_id: self.main_id,
        }))
    }

    /// Splits a value into primal and tangent (`None` if it is not this level's).
    pub fn unpack(&self, x: &Array) -> (Array, Option<Array>) {
        if let Some(t) = x.as_tracer() {
            if t.level() == self.level && t.main_id() == self.main_id {
                let jt = t
                    .as_any()
                    .downcast_ref::<JvpTracer>()
                    .expect("internal error: foreign tracer at a jvp level");
                return (jt.primal.clone(), Some(jt.tangent.clone()));
            }
        }
        (x.clone(), None)
    }

    fn pack(&self, primal: Array, tangent: Option<Array>) -> Array {
        match tangent {
            Some(t) if ad_util::is_differentiable_dtype(primal.dtype()) => self.tracer(primal, t),
            _ => primal,
        }
    }
}

impl Interpreter for JvpTrace {
    fn process_primitive(&self, prim: &Primitive, inputs: &[&Array]) -> Outputs {
        let mut primals: SmallVec<[Array; 4]> = SmallVec::new();
        let mut tangents: SmallVec<[Option<Array>; 4]> = SmallVec::new();
        for x in inputs {
            let (p, t) = self.unpack(x);
            primals.push(p);
            tangents.push(t);
        }
        let p_refs: SmallVec<[&Array; 4]> = primals.iter().collect();
        let t_refs: SmallVec<[Option<&Array>; 4]> = tangents.iter().map(Option::as_ref).collect();
        let (outs, touts) = prim.rules().jvp(&p_refs, &t_refs);
        outs.into_iter()
            .zip(touts)
            .map(|(p, t)| self.pack(p, t))
            .collect()
    }

    fn process_custom_jvp(&self, call: &CustomJvpCall<'_>, inputs: &[Array]) -> Vec<Array> {
        let (primals, tangents) = self.unpack_all(inputs);
        let tangents: Vec<Array> = primals
            .iter()
            .zip(tangents)
            .map(|(p, t)| t.unwrap_or_else(|| ad_util::zeros(p.aval())))
            .collect();
        let (outs, touts) = (call.jvp)(&primals, &tangents);
        check_custom_outputs("custom_jvp", &outs, &touts);
        outs.into_iter()
            .zip(touts)
            .map(|(p, t)| self.pack(p, Some(t)))
            .collect()
    }

    fn process_custom_vjp(&self, call: &CustomVjpCall<'_>, inputs: &[Array]) -> Vec<Array> {
        let (primals, tangents) = self.unpack_all(inputs);
        let (outs, residuals) = (call.fwd)(&primals);
        let out_avals: Vec<ShapedArray> = outs.iter().map(|o| o.aval().clone()).collect();
        let lin_inputs: Vec<Array> = residuals
            .iter()
            .cloned()
            .chain(
                primals
                    .iter()
                    .zip(tangents)
                    .map(|(p, t)| t.unwrap_or_else(|| ad_util::zeros(p.aval()))),
            )
            .collect();
        let touts = crate::lax::custom_lin(
            call.bwd.clone(),
            residuals.len(),
            primals.iter().map(|p| p.aval().clone()).collect(),
            out_avals,
            &lin_inputs,
        );
        outs.into_iter()
            .zip(touts)
            .map(|(p, t)| self.pack(p, Some(t)))
            .collect()
    }
}

impl JvpTrace {
    fn unpack_all(&self, inputs: &[Array]) -> (Vec<Array>, Vec<Option<Array>>) {
        inputs.iter().map(|x| self.unpack(x)).unzip()
    }
}

fn check_custom_outputs(what: &str, outs: &[Array], touts: &[Array]) {
    assert_eq!(
        outs.len(),
        touts.len(),
        "{what} rule must produce one tangent per primal output, got {} primals and {} tangents",
        outs.len(),
        touts.len()
    );
    for (p, t) in outs.iter().zip(touts) {
        if p.shape() != t.shape() || p.dtype() != t.dtype() {
            panic!(
                "TypeError: {what} rule must produce primal and tangent outputs with equal \
                 shapes and dtypes, but got {} and {}.",
                p.aval().short(),
                t.aval().short()
            );
        }
    }
}

/// Forward-mode differentiation of a flat function: returns the outputs and
/// their tangents (`None` where an output does not depend on the inputs).
/// Inputs with non-float dtypes are not perturbed.
pub fn jvp_flat(
    f: &dyn Fn(&[Array]) -> Vec<Array>,
    primals: &[Array],
    tangents: &[Array],
) -> (Vec<Array>, Vec<Option<Array>>) {
    assert_eq!(primals.len(), tangents.len(), "jvp: one tangent per primal");
    with_main_trace(
        |level, main_id| JvpTrace { level, main_id },
        false,
        |trace| {
            let inputs: Vec<Array> = primals
                .iter()
                .zip(tangents)
                .map(|(p, t)| trace.pack(p.clone(), Some(t.clone())))
                .collect();
            let outs = f(&inputs);
            outs.iter().map(|o| trace.unpack(o)).unzip()
        },
    )
}
