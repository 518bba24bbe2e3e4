//! `while`: repeat the body while the condition holds. Forward-mode
//! differentiable; reverse mode is an error, as in JAX (use `scan` or a
//! `fori_loop` with static bounds).
//!
//! Operands: `[cond_consts, body_consts, init carry]`; results: the final carry.
//! `cond`: `[cond_consts, carry] -> bool[]`; `body`: `[body_consts, carry] -> carry`.

use super::jaxpr_util::{insert_unused_invars, jvp_jaxpr, partial_eval_jaxpr, permute_invars};
use super::{param_text, same_types, types_text, SubJaxpr};
use crate::backend::cpu::buffer::Buffer;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::jaxpr::Jaxpr;
use crate::core::trace::{bind, Outputs};
use crate::interpreters::partial_eval::PartialEvalTrace;
use crate::lax::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::{Avals, Buffers, FusionClass, PrimitiveRules};

/// JAX's message when reverse mode meets a while loop.
pub const WHILE_REVERSE_MESSAGE: &str = "Reverse-mode differentiation does not work for \
    lax.while_loop or lax.fori_loop with dynamic start/stop values. Try using lax.scan, or \
    using fori_loop with static start/stop.";

/// `while` with its condition, body and layout.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct While {
    /// `[cond_consts, carry] -> bool[]`.
    pub cond: SubJaxpr,
    /// `[body_consts, carry] -> carry`.
    pub body: SubJaxpr,
    /// Leading operands that are the condition's constants.
    pub cond_nconsts: usize,
    /// Operands after those that are the body's constants.
    pub body_nconsts: usize,
}

fn truncate_outputs(j: &Jaxpr, n: usize) -> Jaxpr {
    Jaxpr {
        outvars: j.outvars[..n].to_vec(),
        ..j.clone()
    }
}

impl While {
    /// Partial evaluation with known and unknown operands: carries that do
    /// not depend on unknowns are computed now by a loop over the known
    /// part (when the condition is known); the whole loop is also staged
    /// for the unknown carries.
    fn split_known(&self, pe: &PartialEvalTrace, inputs: &[&Array]) -> Outputs {
        let (cn, bn) = (self.cond_nconsts, self.body_nconsts);
        let uk: Vec<bool> = inputs.iter().map(|x| pe.is_unknown(x)).collect();
        let stage_all = || pe.stage(&self.clone().into(), inputs);
        if uk[..cn].iter().any(|&u| u) {
            return stage_all();
        }
        let mut carry_uk = uk[cn + bn..].to_vec();
        let split = loop {
            let in_uk: Vec<bool> = [&uk[cn..cn + bn], &carry_uk[..]].concat();
            let s = partial_eval_jaxpr(self.body.jaxpr(), &in_uk, &carry_uk);
            let next: Vec<bool> = carry_uk
                .iter()
                .zip(&s.out_unknowns)
                .map(|(a, b)| *a || *b)
                .collect();
            if next == carry_uk {
                break s;
            }
            carry_uk = next;
        };
        let cond_in_uk: Vec<bool> = vec![false; cn]
            .into_iter()
            .chain(carry_uk.clone())
            .collect();
        let cond_split = partial_eval_jaxpr(self.cond.jaxpr(), &cond_in_uk, &[false]);
        if cond_split.out_unknowns[0] || carry_uk.iter().all(|&u| u) {
            return stage_all();
        }
        let nkcarry = carry_uk.iter().filter(|&&u| !u).count();
        let known_bconsts: Vec<&Array> = (cn..cn + bn)
            .filter(|&i| !uk[i])
            .map(|i| inputs[i])
            .collect();
        let known_carry: Vec<&Array> = (0..carry_uk.len())
            .filter(|&i| !carry_uk[i])
            .map(|i| inputs[cn + bn + i])
            .collect();
        let known = While {
            cond: SubJaxpr::new(truncate_outputs(&cond_split.known.jaxpr, 1)),
            body: SubJaxpr::new(truncate_outputs(&split.known.jaxpr, nkcarry)),
            cond_nconsts: cond_split.known.consts.len() + cn,
            body_nconsts: split.known.consts.len() + known_bconsts.len(),
        };
        let mut ops: Vec<&Array> = cond_split.known.consts.iter().collect();
        ops.extend(&inputs[..cn]);
        ops.extend(split.known.consts.iter());
        ops.extend(known_bconsts);
        ops.extend(known_carry);
        let kouts = bind(&known.into(), &ops);
        let uouts = stage_all();
        let mut k = kouts.into_iter();
        carry_uk
            .iter()
            .zip(uouts)
            .map(|(&u, x)| if u { x } else { k.next().expect("known carry") })
            .collect()
    }
}

impl PrimitiveRules for While {
    fn partial_eval(&self, pe: &PartialEvalTrace, inputs: &[&Array]) -> Option<Outputs> {
        Some(self.split_known(pe, inputs))
    }
    fn name(&self) -> &'static str {
        "while"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("body_jaxpr", param_text(&self.body)),
            ("body_nconsts", self.body_nconsts.to_string()),
            ("cond_jaxpr", param_text(&self.cond)),
            ("cond_nconsts", self.cond_nconsts.to_string()),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        let (cn, bn) = (self.cond_nconsts, self.body_nconsts);
        let cond_in = self.cond.in_avals();
        let body_in = self.body.in_avals();
        let ncarry = body_in.len() - bn;
        assert_eq!(
            inputs.len(),
            cn + bn + ncarry,
            "while takes {} operands, got {}",
            cn + bn + ncarry,
            inputs.len()
        );
        assert!(
            same_types(&cond_in, &[&inputs[..cn], &inputs[cn + bn..]].concat())
                && same_types(&body_in, &inputs[cn..]),
            "TypeError: while operands have types ({}) that do not match its condition and body",
            types_text(&inputs.iter().map(|a| (*a).clone()).collect::<Vec<_>>())
        );
        self.body.out_avals().into_iter().collect()
    }
    fn impl_cpu(&self, _: &[&ShapedArray], _: &[&Buffer], _: &[ShapedArray]) -> Buffers {
        unreachable!("control flow runs through compiler::control, not a kernel")
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let (cn, bn) = (self.cond_nconsts, self.body_nconsts);
        let nz: Vec<bool> = tangents.iter().map(Option::is_some).collect();
        let mut carry_nz = nz[cn + bn..].to_vec();
        let (h, in_nz) = loop {
            let in_nz: Vec<bool> = [&nz[cn..cn + bn], &carry_nz[..]].concat();
            let (h, out_nz) = jvp_jaxpr(self.body.jaxpr(), &in_nz, &carry_nz);
            let next: Vec<bool> = carry_nz
                .iter()
                .zip(&out_nz)
                .map(|(a, b)| *a || *b)
                .collect();
            if next == carry_nz {
                break (h, in_nz);
            }
            carry_nz = next;
        };
        let count = |xs: &[bool]| xs.iter().filter(|&&x| x).count();
        let (hc, nk) = (h.consts.len(), carry_nz.len());
        let (tb, tk) = (count(&in_nz[..bn]), count(&carry_nz));
        let p0 = hc;
        let t0 = hc + bn + nk;
        let order: Vec<usize> = (0..hc)
            .chain(p0..p0 + bn)
            .chain(t0..t0 + tb)
            .chain(p0 + bn..p0 + bn + nk)
            .chain(t0 + tb..t0 + tb + tk)
            .collect();
        let body = permute_invars(&h.jaxpr, &order);
        let dot_avals: Vec<ShapedArray> = (0..nk)
            .filter(|&i| carry_nz[i])
            .map(|i| primals[cn + bn + i].aval().clone())
            .collect();
        let cond_len = self.cond.jaxpr().invars.len();
        let cond = insert_unused_invars(self.cond.jaxpr(), cond_len, &dot_avals);
        let w = While {
            cond: SubJaxpr::new(cond),
            body: SubJaxpr::new(body),
            cond_nconsts: cn,
            body_nconsts: hc + bn + tb,
        };
        let dot = |i: usize| -> Array {
            tangents[i]
                .cloned()
                .unwrap_or_else(|| ad_util::zeros(primals[i].aval()))
        };
        let mut ops: Vec<Array> = primals[..cn].iter().map(|x| (*x).clone()).collect();
        ops.extend(h.consts.iter().cloned());
        ops.extend(primals[cn..cn + bn].iter().map(|x| (*x).clone()));
        ops.extend((cn..cn + bn).filter(|&i| nz[i]).map(dot));
        ops.extend(primals[cn + bn..].iter().map(|x| (*x).clone()));
        ops.extend((0..nk).filter(|&i| carry_nz[i]).map(|i| dot(cn + bn + i)));
        let refs: Vec<&Array> = ops.iter().collect();
        let outs = bind(&w.into(), &refs);
        let primal_outs: Outputs = outs[..nk].iter().cloned().collect();
        let mut t = outs[nk..].iter();
        let touts = carry_nz
            .iter()
            .map(|&z| if z { t.next().cloned() } else { None })
            .collect();
        (primal_outs, touts)
    }
    fn transpose(&self, _cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        panic!("{WHILE_REVERSE_MESSAGE}")
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Nonlinear
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
