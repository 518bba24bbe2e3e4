//! Jaxpr surgery shared by the control-flow rules: tracing bodies, hoisting
//! constants into inputs, rearranging inputs and outputs, and the three
//! whole-jaxpr transformations the rules are built from (jvp, partial
//! evaluation into known and unknown parts, and transposition).

use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::jaxpr::{ClosedJaxpr, Jaxpr, Var};
use crate::core::trace::with_main_trace;
use crate::interpreters::jvp::jvp_flat_opt;
use crate::interpreters::partial_eval::PartialEvalTrace;
use crate::interpreters::staging::trace_to_jaxpr;
use crate::interpreters::transpose::backward_pass;
use crate::lax::ad_util;
use std::cell::RefCell;

/// A const-free jaxpr and the values of its hoisted constants, which are
/// its leading inputs.
pub struct Hoisted {
    /// The program; its first `consts.len()` inputs are the constants.
    pub jaxpr: Jaxpr,
    /// Values for the leading inputs (concrete arrays or outer tracers).
    pub consts: Vec<Array>,
}

/// Moves a closed jaxpr's constants to the front of its inputs.
pub fn hoist(cj: ClosedJaxpr) -> Hoisted {
    let ClosedJaxpr { mut jaxpr, consts } = cj;
    let mut invars = std::mem::take(&mut jaxpr.constvars);
    invars.append(&mut jaxpr.invars);
    jaxpr.invars = invars;
    Hoisted { jaxpr, consts }
}

/// Traces a flat function on inputs of types `avals` (`name` appears in
/// error messages), with its constants hoisted.
pub fn trace_flat(
    name: &'static str,
    f: &dyn Fn(&[Array]) -> Vec<Array>,
    avals: &[ShapedArray],
) -> Hoisted {
    hoist(trace_to_jaxpr(name, f, avals))
}

/// `j` with its inputs reordered: input `k` of the result is input `order[k]` of `j`.
pub fn permute_invars(j: &Jaxpr, order: &[usize]) -> Jaxpr {
    debug_assert_eq!(order.len(), j.invars.len());
    Jaxpr {
        invars: order.iter().map(|&i| j.invars[i].clone()).collect(),
        ..j.clone()
    }
}

/// `j` with its outputs reordered: output `k` of the result is output `order[k]` of `j`.
pub fn permute_outvars(j: &Jaxpr, order: &[usize]) -> Jaxpr {
    Jaxpr {
        outvars: order.iter().map(|&i| j.outvars[i].clone()).collect(),
        ..j.clone()
    }
}

/// `j` with unused inputs of types `avals` inserted before input `at`.
pub fn insert_unused_invars(j: &Jaxpr, at: usize, avals: &[ShapedArray]) -> Jaxpr {
    let mut next = j.num_vars();
    let fresh: Vec<Var> = avals
        .iter()
        .map(|a| {
            next += 1;
            Var {
                id: next - 1,
                aval: a.clone(),
            }
        })
        .collect();
    let mut invars = j.invars.clone();
    invars.splice(at..at, fresh);
    Jaxpr {
        invars,
        ..j.clone()
    }
}

/// Forward mode of a const-free jaxpr. Inputs with `nonzeros[i]` false have
/// a zero tangent. Returns a jaxpr from `[consts, primals, nonzero tangents]`
/// to `[primal outputs, tangents of the outputs with out_nonzeros]`, and
/// `out_nonzeros` (outputs with `instantiate` get a tangent even if zero).
pub fn jvp_jaxpr(j: &Jaxpr, nonzeros: &[bool], instantiate: &[bool]) -> (Hoisted, Vec<bool>) {
    let n = j.invars.len();
    let primal_avals: Vec<ShapedArray> = j.invars.iter().map(|v| v.aval.clone()).collect();
    let avals: Vec<ShapedArray> = primal_avals
        .iter()
        .cloned()
        .chain(
            primal_avals
                .iter()
                .zip(nonzeros)
                .filter(|(_, &nz)| nz)
                .map(|(a, _)| a.clone()),
        )
        .collect();
    let out_nz: RefCell<Vec<bool>> = RefCell::new(vec![]);
    let f = |args: &[Array]| -> Vec<Array> {
        let primals = &args[..n];
        let mut dots = args[n..].iter();
        let tangents: Vec<Option<Array>> = nonzeros
            .iter()
            .map(|&nz| if nz { dots.next().cloned() } else { None })
            .collect();
        let (outs, touts) = jvp_flat_opt(&|xs| j.eval(&[], xs), primals, &tangents, None);
        let mut result = outs.clone();
        let mut nzs = Vec::new();
        for ((o, t), &inst) in outs.iter().zip(touts).zip(instantiate) {
            let float = ad_util::is_differentiable_dtype(o.dtype());
            match t {
                Some(t) if float => {
                    nzs.push(true);
                    result.push(t);
                }
                _ if inst => {
                    nzs.push(true);
                    result.push(ad_util::zeros(o.aval()));
                }
                _ => nzs.push(false),
            }
        }
        *out_nz.borrow_mut() = nzs;
        result
    };
    let h = trace_flat("jvp", &f, &avals);
    (h, out_nz.into_inner())
}

/// A jaxpr split by partial evaluation into the part computable from the
/// known inputs and the part that needs the unknown ones.
pub struct Split {
    /// `[known_consts, known inputs] -> [known outputs, residuals]`.
    pub known: Hoisted,
    /// `[unknown_consts, residuals, unknown inputs] -> [unknown outputs]`.
    pub unknown: Hoisted,
    /// Which outputs are unknown (the others come from `known`).
    pub out_unknowns: Vec<bool>,
    /// Types of the residuals.
    pub res_avals: Vec<ShapedArray>,
}

/// Partially evaluates a const-free jaxpr given which inputs are unknown;
/// outputs with `instantiate` are made unknown even if computable.
pub fn partial_eval_jaxpr(j: &Jaxpr, unknowns: &[bool], instantiate: &[bool]) -> Split {
    let known_avals: Vec<ShapedArray> = j
        .invars
        .iter()
        .zip(unknowns)
        .filter(|(_, &u)| !u)
        .map(|(v, _)| v.aval.clone())
        .collect();
    // The unknown part, which outputs are unknown, and which of its constants are residuals.
    type UnknownPart = (ClosedJaxpr, Vec<bool>, Vec<bool>);
    let unknown_part: RefCell<Option<UnknownPart>> = RefCell::new(None);
    let f = |known: &[Array]| -> Vec<Array> {
        with_main_trace(PartialEvalTrace::new, false, |pe| {
            let mut known = known.iter();
            let mut unknown_vars = Vec::new();
            let args: Vec<Array> = j
                .invars
                .iter()
                .zip(unknowns)
                .map(|(v, &u)| {
                    if u {
                        let (x, var) = pe.new_arg(v.aval.clone());
                        unknown_vars.push(var);
                        x
                    } else {
                        known
                            .next()
                            .expect("one known value per known input")
                            .clone()
                    }
                })
                .collect();
            let outs = j.eval(&[], &args);
            let out_uk: Vec<bool> = outs
                .iter()
                .zip(instantiate)
                .map(|(o, &inst)| inst || pe.is_unknown(o))
                .collect();
            let unknown_outs: Vec<Array> = outs
                .iter()
                .zip(&out_uk)
                .filter(|(_, &u)| u)
                .map(|(o, _)| o.clone())
                .collect();
            let cj = pe.finish(unknown_vars, &unknown_outs);
            // Captured tracers (of the staging trace) are residuals; captured
            // concrete arrays are constants of the unknown part.
            let is_res: Vec<bool> = cj.consts.iter().map(Array::is_tracer).collect();
            let mut result: Vec<Array> = outs
                .iter()
                .zip(&out_uk)
                .filter(|(_, &u)| !u)
                .map(|(o, _)| o.clone())
                .collect();
            result.extend(
                cj.consts
                    .iter()
                    .zip(&is_res)
                    .filter(|(_, &r)| r)
                    .map(|(c, _)| c.clone()),
            );
            *unknown_part.borrow_mut() = Some((cj, out_uk, is_res));
            result
        })
    };
    let known = trace_flat("partial_eval", &f, &known_avals);
    let (cj, out_unknowns, is_res) = unknown_part.into_inner().expect("traced");
    let ClosedJaxpr { jaxpr, consts } = cj;
    let mut res_vars = Vec::new();
    let mut const_vars = Vec::new();
    let mut unknown_consts = Vec::new();
    for ((v, c), r) in jaxpr.constvars.iter().zip(consts).zip(&is_res) {
        if *r {
            res_vars.push(v.clone());
        } else {
            const_vars.push(v.clone());
            unknown_consts.push(c);
        }
    }
    let res_avals = res_vars.iter().map(|v| v.aval.clone()).collect();
    let mut invars = const_vars;
    invars.extend(res_vars);
    invars.extend(jaxpr.invars.iter().cloned());
    let unknown = Hoisted {
        jaxpr: Jaxpr {
            constvars: vec![],
            invars,
            ..jaxpr
        },
        consts: unknown_consts,
    };
    Split {
        known,
        unknown,
        out_unknowns,
        res_avals,
    }
}

/// Transposes a const-free jaxpr that is linear in the inputs with
/// `linear[i]`: the result maps `[consts, non-linear inputs, output
/// cotangents]` to the cotangents of the linear inputs (zeros if unused).
pub fn transpose_jaxpr(j: &Jaxpr, linear: &[bool]) -> Hoisted {
    let (lin, nonlin): (Vec<&Var>, Vec<&Var>) = {
        let mut l = Vec::new();
        let mut n = Vec::new();
        for (v, &is) in j.invars.iter().zip(linear) {
            if is {
                l.push(v)
            } else {
                n.push(v)
            }
        }
        (l, n)
    };
    let view = Jaxpr {
        constvars: nonlin.iter().map(|v| (*v).clone()).collect(),
        invars: lin.iter().map(|v| (*v).clone()).collect(),
        eqns: j.eqns.clone(),
        outvars: j.outvars.clone(),
    };
    let avals: Vec<ShapedArray> = nonlin
        .iter()
        .map(|v| v.aval.clone())
        .chain(j.outvars.iter().map(|a| a.aval().clone()))
        .collect();
    let nk = nonlin.len();
    let f = |args: &[Array]| -> Vec<Array> {
        let cts: Vec<Option<Array>> = args[nk..].iter().cloned().map(Some).collect();
        backward_pass(&view, &args[..nk], &cts)
            .into_iter()
            .zip(&lin)
            .map(|(c, v)| match c {
                Some(c) => {
                    crate::lax::convert_element_type_weak(&c, v.aval.dtype, v.aval.weak_type)
                }
                None => ad_util::zeros(&v.aval),
            })
            .collect()
    };
    trace_flat("transpose", &f, &avals)
}
