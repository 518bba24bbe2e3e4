//! Transposition of linear jaxprs (the backward pass of reverse mode):
//! equations are walked in reverse, each linear primitive's transpose rule
//! mapping output cotangents to input cotangents.

use crate::core::array::Array;
use crate::core::jaxpr::{Atom, Jaxpr};
use crate::core::trace::bind;
use crate::lax::{ad_util, LinearArg};

/// Cotangents of `jaxpr`'s inputs given cotangents of its outputs (`None` is
/// a zero). `jaxpr` must be linear in its inputs; equations that do not
/// depend on the inputs are evaluated forward first.
pub fn backward_pass(
    jaxpr: &Jaxpr,
    consts: &[Array],
    cts_out: &[Option<Array>],
) -> Vec<Option<Array>> {
    let n = jaxpr.num_vars();
    let mut linear = vec![false; n];
    let mut known: Vec<Option<Array>> = vec![None; n];
    for (v, c) in jaxpr.constvars.iter().zip(consts) {
        known[v.id] = Some(c.clone());
    }
    for v in &jaxpr.invars {
        linear[v.id] = true;
    }
    let is_linear = |linear: &[bool], a: &Atom| matches!(a, Atom::Var(v) if linear[v.id]);
    let read = |known: &[Option<Array>], a: &Atom| -> Array {
        match a {
            Atom::Var(v) => known[v.id]
                .clone()
                .expect("internal error: non-linear value read before definition"),
            Atom::Literal(x) => x.clone(),
        }
    };
    // Forward: evaluate the non-linear equations, mark the linear ones.
    let mut linear_eqns = Vec::new();
    for (i, eqn) in jaxpr.eqns.iter().enumerate() {
        if eqn.inputs.iter().any(|a| is_linear(&linear, a)) {
            for v in &eqn.outvars {
                linear[v.id] = true;
            }
            linear_eqns.push(i);
        } else {
            let ins: Vec<Array> = eqn.inputs.iter().map(|a| read(&known, a)).collect();
            let refs: Vec<&Array> = ins.iter().collect();
            for (v, x) in eqn.outvars.iter().zip(bind(&eqn.primitive, &refs)) {
                known[v.id] = Some(x);
            }
        }
    }
    // Backward.
    let mut ct: Vec<Option<Array>> = vec![None; n];
    for (a, c) in jaxpr.outvars.iter().zip(cts_out) {
        if let (Atom::Var(v), Some(c)) = (a, c) {
            if linear[v.id] {
                ct[v.id] = ad_util::add_any(ct[v.id].take(), Some(c.clone()));
            }
        }
    }
    for &i in linear_eqns.iter().rev() {
        let eqn = &jaxpr.eqns[i];
        let outs: Vec<Option<Array>> = eqn.outvars.iter().map(|v| ct[v.id].take()).collect();
        if outs.iter().all(Option::is_none) {
            continue;
        }
        let cts: Vec<Array> = outs
            .into_iter()
            .zip(&eqn.outvars)
            .map(|(c, v)| c.unwrap_or_else(|| ad_util::zeros(&v.aval)))
            .collect();
        let known_vals: Vec<Option<Array>> = eqn
            .inputs
            .iter()
            .map(|a| (!is_linear(&linear, a)).then(|| read(&known, a)))
            .collect();
        let args: Vec<LinearArg<'_>> = eqn
            .inputs
            .iter()
            .zip(&known_vals)
            .map(|(a, k)| match k {
                Some(x) => LinearArg::Known(x),
                None => LinearArg::Undefined(a.aval()),
            })
            .collect();
        let in_cts = eqn.primitive.rules().transpose(&cts, &args);
        for (a, c) in eqn.inputs.iter().zip(in_cts) {
            if let (Atom::Var(v), Some(c)) = (a, c) {
                if linear[v.id] {
                    ct[v.id] = ad_util::add_any(ct[v.id].take(), Some(c));
                }
            }
        }
    }
    jaxpr.invars.iter().map(|v| ct[v.id].take()).collect()
}
