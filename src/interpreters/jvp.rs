//! The JVP (forward-mode) interpreter: tracers carry a primal and a tangent,
//! and each primitive's jvp rule maps both forward.

use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::trace::{
    with_main_trace, CustomJvpCall, CustomVjpCall, Interpreter, Outputs, TraceTag, Tracer,
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
    fn known_value(&self) -> Option<&Array> {
        Some(&self.primal)
    }
}

/// The interpreter for one jvp level.
pub struct JvpTrace {
    level: usize,
    main_id: u64,
    /// Under linearize: the (level, id) of the partial-evaluation trace whose
    /// unknown tracers are the only non-zero tangents.
    linearize: Option<(usize, u64)>,
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
        match self.tag().own::<JvpTracer>(x) {
            Some(jt) => (jt.primal.clone(), Some(jt.tangent.clone())),
            None => (x.clone(), None),
        }
    }

    /// Which main trace this is.
    fn tag(&self) -> TraceTag {
        TraceTag {
            level: self.level,
            main_id: self.main_id,
        }
    }

    /// Whether `x` is a tracer of this level.
    fn is_mine(&self, x: &Array) -> bool {
        self.tag().owns(x)
    }

    /// Panics if a custom rule's result holds a tracer of this level: the
    /// rule closed over a value being differentiated.
    fn check_no_closure(&self, what: &str, values: &[Array]) {
        if values.iter().any(|x| self.is_mine(x)) {
            panic!(
                "UnexpectedTracerError: a {what} function closed over a value that is being \
                 differentiated (a tracer of the enclosing jvp). Pass every differentiated value \
                 to the custom function as an explicit argument instead of capturing it."
            );
        }
    }

    /// Whether tangent `t` may be non-zero. Under linearize only the partial-
    /// evaluation trace's unknowns can be; anything else is a constant, hence zero.
    fn live_tangent(&self, t: &Array) -> bool {
        match self.linearize {
            None => true,
            Some((level, id)) => t
                .as_tracer()
                .is_some_and(|x| x.level() == level && x.main_id() == id),
        }
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
        self.check_no_closure("custom_jvp", &outs);
        self.check_no_closure("custom_jvp", &touts);
        outs.into_iter()
            .zip(touts)
            .map(|(p, t)| self.pack(p, Some(t)))
            .collect()
    }

    fn process_custom_vjp(&self, call: &CustomVjpCall<'_>, inputs: &[Array]) -> Vec<Array> {
        let (primals, tangents) = self.unpack_all(inputs);
        let tangents: Vec<Option<Array>> = tangents
            .into_iter()
            .map(|t| t.filter(|t| self.live_tangent(t)))
            .collect();
        if tangents.iter().all(Option::is_none) {
            return (call.f)(&primals);
        }
        if self.linearize.is_none() {
            if call.jvp_through_f {
                return (call.f)(inputs);
            }
            panic!("{}", crate::lax::custom::FORWARD_MODE_MESSAGE);
        }
        let (outs, residuals) = (call.fwd)(&primals);
        self.check_no_closure("custom_vjp", &outs);
        self.check_no_closure("custom_vjp", &residuals);
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
    jvp_flat_in(f, primals, tangents, None)
}

/// [`jvp_flat`], told when its tangents are the unknowns of a linearize's
/// partial-evaluation trace `(level, id)`.
pub(crate) fn jvp_flat_in(
    f: &dyn Fn(&[Array]) -> Vec<Array>,
    primals: &[Array],
    tangents: &[Array],
    linearize: Option<(usize, u64)>,
) -> (Vec<Array>, Vec<Option<Array>>) {
    assert_eq!(primals.len(), tangents.len(), "jvp: one tangent per primal");
    let tangents: Vec<Option<Array>> = tangents.iter().cloned().map(Some).collect();
    jvp_flat_opt(f, primals, &tangents, linearize)
}

/// Forward mode with symbolic zeros: `None` tangents are zero and are not
/// traced, so outputs that depend only on them come back as `None`.
pub(crate) fn jvp_flat_opt(
    f: &dyn Fn(&[Array]) -> Vec<Array>,
    primals: &[Array],
    tangents: &[Option<Array>],
    linearize: Option<(usize, u64)>,
) -> (Vec<Array>, Vec<Option<Array>>) {
    assert_eq!(primals.len(), tangents.len(), "jvp: one tangent per primal");
    with_main_trace(
        |level, main_id| JvpTrace {
            level,
            main_id,
            linearize,
        },
        false,
        |trace| {
            let inputs: Vec<Array> = primals
                .iter()
                .zip(tangents)
                .map(|(p, t)| trace.pack(p.clone(), t.clone()))
                .collect();
            let outs = f(&inputs);
            outs.iter().map(|o| trace.unpack(o)).unzip()
        },
    )
}
