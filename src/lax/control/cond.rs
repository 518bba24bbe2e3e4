//! `cond`: apply one of several branches, chosen by an `i32` index (clamped
//! by `lax::switch`; `lax::cond` maps `false`/`true` to branches 0/1).
//!
//! Operands: `[index, ops]`; every branch maps `ops` to outputs of the same types.

use super::jaxpr_util::{
    insert_unused_invars, jvp_jaxpr, partial_eval_jaxpr, trace_flat, transpose_jaxpr, Hoisted,
};
use super::{param_text, same_types, types_text, SubJaxpr};
use crate::backend::cpu::buffer::Buffer;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::jaxpr::Jaxpr;
use crate::core::trace::{bind, Outputs};
use crate::interpreters::partial_eval::PartialEvalTrace;
use crate::lax::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::{Avals, Buffers, FusionClass, PrimitiveRules};

/// `cond` with its branches.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cond {
    /// One jaxpr per branch, all of the same type.
    pub branches: Vec<SubJaxpr>,
}

/// Gives every branch the constants of all branches as leading inputs
/// (each reads only its own): the branches' jaxprs and the merged constants.
pub(crate) fn merge_consts(hs: Vec<Hoisted>) -> (Vec<Jaxpr>, Vec<Array>) {
    let counts: Vec<usize> = hs.iter().map(|h| h.consts.len()).collect();
    let avals: Vec<ShapedArray> = hs
        .iter()
        .flat_map(|h| h.consts.iter().map(|c| c.aval().clone()))
        .collect();
    let mut consts = Vec::new();
    let mut jaxprs = Vec::new();
    let mut before = 0;
    for (h, &n) in hs.into_iter().zip(&counts) {
        let j = insert_unused_invars(&h.jaxpr, 0, &avals[..before]);
        let j = insert_unused_invars(&j, before + n, &avals[before + n..]);
        jaxprs.push(j);
        consts.extend(h.consts);
        before += n;
    }
    (jaxprs, consts)
}

impl Cond {
    fn make(jaxprs: Vec<Jaxpr>) -> Cond {
        Cond {
            branches: jaxprs.into_iter().map(SubJaxpr::new).collect(),
        }
    }

    /// Partial evaluation with a known index: the known part of the chosen
    /// branch runs now and passes residuals (zeros in the slots of the
    /// other branches) to a staged `cond` over the unknown parts.
    fn split_known(&self, pe: &PartialEvalTrace, inputs: &[&Array]) -> Outputs {
        let uk: Vec<bool> = inputs[1..].iter().map(|x| pe.is_unknown(x)).collect();
        if pe.is_unknown(inputs[0]) || uk.iter().all(|&u| u) {
            return pe.stage(&self.clone().into(), inputs);
        }
        let nout = self.branches[0].jaxpr().outvars.len();
        let mut out_uk = vec![false; nout];
        for b in &self.branches {
            let s = partial_eval_jaxpr(b.jaxpr(), &uk, &vec![false; nout]);
            for (o, u) in out_uk.iter_mut().zip(&s.out_unknowns) {
                *o |= *u;
            }
        }
        let splits: Vec<_> = self
            .branches
            .iter()
            .map(|b| partial_eval_jaxpr(b.jaxpr(), &uk, &out_uk))
            .collect();
        let res_avals: Vec<Vec<ShapedArray>> = splits.iter().map(|s| s.res_avals.clone()).collect();
        let all_res: Vec<ShapedArray> = res_avals.iter().flatten().cloned().collect();
        let known_ops: Vec<&Array> = inputs[1..]
            .iter()
            .zip(&uk)
            .filter(|(_, &u)| !u)
            .map(|(x, _)| *x)
            .collect();
        let op_avals: Vec<ShapedArray> = known_ops.iter().map(|x| x.aval().clone()).collect();
        let nknown_out = out_uk.iter().filter(|&&u| !u).count();
        // Known branches: [consts, known ops] -> [known outs, every branch's residual slots].
        let mut known_hs = Vec::new();
        let mut unknown_hs = Vec::new();
        let mut res_before = 0;
        for (b, s) in splits.into_iter().enumerate() {
            let avals: Vec<ShapedArray> = s
                .known
                .consts
                .iter()
                .map(|c| c.aval().clone())
                .chain(op_avals.iter().cloned())
                .collect();
            let kj = &s.known.jaxpr;
            let res_avals = &res_avals;
            let f = |a: &[Array]| -> Vec<Array> {
                let r = kj.eval(&[], a);
                let mut out: Vec<Array> = r[..nknown_out].to_vec();
                for (c, avals) in res_avals.iter().enumerate() {
                    if c == b {
                        out.extend(r[nknown_out..].iter().cloned());
                    } else {
                        out.extend(avals.iter().map(ad_util::zeros));
                    }
                }
                out
            };
            let h = trace_flat("cond", &f, &avals);
            let mut consts = h.consts;
            consts.extend(s.known.consts);
            known_hs.push(Hoisted {
                jaxpr: h.jaxpr,
                consts,
            });
            // Unknown branch: [uc, all residual slots, unknown ops] -> unknown outs.
            let nuc = s.unknown.consts.len();
            let nres = s.res_avals.len();
            let j = insert_unused_invars(&s.unknown.jaxpr, nuc, &all_res[..res_before]);
            let j =
                insert_unused_invars(&j, nuc + res_before + nres, &all_res[res_before + nres..]);
            res_before += nres;
            unknown_hs.push(Hoisted {
                jaxpr: j,
                consts: s.unknown.consts,
            });
        }
        let (kjs, kconsts) = merge_consts(known_hs);
        let mut ops: Vec<&Array> = vec![inputs[0]];
        ops.extend(kconsts.iter());
        ops.extend(known_ops);
        let kouts = bind(&Cond::make(kjs).into(), &ops);
        let (ujs, uconsts) = merge_consts(unknown_hs);
        let mut ops: Vec<&Array> = vec![inputs[0]];
        ops.extend(uconsts.iter());
        ops.extend(kouts[nknown_out..].iter());
        ops.extend(
            inputs[1..]
                .iter()
                .zip(&uk)
                .filter(|(_, &u)| u)
                .map(|(x, _)| *x),
        );
        let uouts = pe.stage(&Cond::make(ujs).into(), &ops);
        let (mut k, mut u) = (kouts.into_iter(), uouts.into_iter());
        out_uk
            .iter()
            .map(|&is_u| if is_u { u.next() } else { k.next() }.expect("output"))
            .collect()
    }
}

impl PrimitiveRules for Cond {
    fn partial_eval(&self, pe: &PartialEvalTrace, inputs: &[&Array]) -> Option<Outputs> {
        Some(self.split_known(pe, inputs))
    }
    fn name(&self) -> &'static str {
        "cond"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        let bs: Vec<String> = self.branches.iter().map(param_text).collect();
        vec![("branches", format!("({})", bs.join(", ")))]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        assert!(
            inputs[0].dtype == DType::I32 && inputs[0].shape.is_empty(),
            "cond's index must be i32[], got {}",
            inputs[0].short()
        );
        for (i, b) in self.branches.iter().enumerate() {
            assert!(
                same_types(&b.in_avals(), &inputs[1..]),
                "TypeError: cond branch {i} takes ({}), but the operands are ({})",
                types_text(&b.in_avals()),
                types_text(&inputs[1..].iter().map(|a| (*a).clone()).collect::<Vec<_>>())
            );
        }
        let mut outs = self.branches[0].out_avals();
        for b in &self.branches[1..] {
            for (o, a) in outs.iter_mut().zip(b.out_avals()) {
                o.weak_type &= a.weak_type;
            }
        }
        outs.into_iter().collect()
    }
    fn impl_cpu(&self, _: &[&ShapedArray], _: &[&Buffer], _: &[ShapedArray]) -> Buffers {
        unreachable!("control flow runs through compiler::control, not a kernel")
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let nz: Vec<bool> = tangents[1..].iter().map(Option::is_some).collect();
        let nout = self.branches[0].jaxpr().outvars.len();
        let mut out_nz = vec![false; nout];
        for b in &self.branches {
            let (_, o) = jvp_jaxpr(b.jaxpr(), &nz, &vec![false; nout]);
            for (x, y) in out_nz.iter_mut().zip(o) {
                *x |= y;
            }
        }
        let hs: Vec<Hoisted> = self
            .branches
            .iter()
            .map(|b| jvp_jaxpr(b.jaxpr(), &nz, &out_nz).0)
            .collect();
        let (js, consts) = merge_consts(hs);
        let mut ops: Vec<&Array> = vec![primals[0]];
        ops.extend(consts.iter());
        ops.extend(&primals[1..]);
        ops.extend(tangents[1..].iter().flatten());
        let outs = bind(&Cond::make(js).into(), &ops);
        let primal_outs: Outputs = outs[..nout].iter().cloned().collect();
        let mut t = outs[nout..].iter();
        let touts = out_nz
            .iter()
            .map(|&z| if z { t.next().cloned() } else { None })
            .collect();
        (primal_outs, touts)
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let lin: Vec<bool> = args[1..].iter().map(LinearArg::is_linear).collect();
        let hs: Vec<Hoisted> = self
            .branches
            .iter()
            .map(|b| transpose_jaxpr(b.jaxpr(), &lin))
            .collect();
        let (js, consts) = merge_consts(hs);
        let mut ops: Vec<&Array> = vec![args[0].known("cond")];
        ops.extend(consts.iter());
        ops.extend(
            args[1..]
                .iter()
                .filter(|a| !a.is_linear())
                .map(|a| a.known("cond")),
        );
        ops.extend(cts.iter());
        let outs = bind(&Cond::make(js).into(), &ops);
        let mut o = outs.into_iter();
        std::iter::once(None)
            .chain(lin.iter().map(|&l| if l { o.next() } else { None }))
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
        self.batch_rule(args, dims, size)
    }
}
