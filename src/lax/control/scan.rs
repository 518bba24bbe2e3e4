//! `scan`: a loop over the leading axis of its `xs`, threading a carry and
//! stacking per-iteration outputs. `fori_loop` with static bounds is a scan
//! with no `xs`, so it has reverse-mode autodiff.
//!
//! Operands: `[consts, init carry, xs]`; results: `[final carry, ys]`.
//! The body maps `[consts, carry, x]` to `[carry, y]`.

use super::jaxpr_util::{jvp_jaxpr, partial_eval_jaxpr, permute_invars, permute_outvars};
use super::jaxpr_util::{trace_flat, transpose_jaxpr};
use super::{param_text, same_types, types_text, SubJaxpr};
use crate::backend::cpu::buffer::Buffer;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::trace::{bind, Outputs};
use crate::interpreters::partial_eval::PartialEvalTrace;
use crate::lax::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use crate::lax::{Avals, Buffers, FusionClass, PrimitiveRules};

/// `scan` with its body and layout.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scan {
    /// `[consts, carry, x] -> [carry, y]`.
    pub body: SubJaxpr,
    /// How many leading operands are loop-invariant constants.
    pub num_consts: usize,
    /// How many operands after the constants are the carry.
    pub num_carry: usize,
    /// The trip count (the leading axis of every `xs` and `ys`).
    pub length: usize,
    /// Iterate from the last index down.
    pub reverse: bool,
}

fn stacked(length: usize, a: &ShapedArray) -> ShapedArray {
    let mut shape = vec![length];
    shape.extend_from_slice(&a.shape);
    ShapedArray::with_weak(shape.into(), a.dtype, a.weak_type)
}

impl Scan {
    fn num_xs(&self) -> usize {
        self.body.jaxpr().invars.len() - self.num_consts - self.num_carry
    }

    fn num_ys(&self) -> usize {
        self.body.jaxpr().outvars.len() - self.num_carry
    }

    /// Partial evaluation with known and unknown operands: the known part
    /// runs as a scan now, stacking residuals as extra `ys`; the unknown
    /// part is staged as a scan that reads them as extra `xs`.
    fn split_known(&self, pe: &PartialEvalTrace, inputs: &[&Array]) -> Outputs {
        let (nc, nk, nys) = (self.num_consts, self.num_carry, self.num_ys());
        let uk: Vec<bool> = inputs.iter().map(|x| pe.is_unknown(x)).collect();
        let mut carry_uk = uk[nc..nc + nk].to_vec();
        let (split, in_uk) = loop {
            let in_uk: Vec<bool> = [&uk[..nc], &carry_uk[..], &uk[nc + nk..]].concat();
            let inst: Vec<bool> = carry_uk.iter().copied().chain(vec![false; nys]).collect();
            let s = partial_eval_jaxpr(self.body.jaxpr(), &in_uk, &inst);
            let next: Vec<bool> = carry_uk
                .iter()
                .zip(&s.out_unknowns)
                .map(|(a, b)| *a || *b)
                .collect();
            if next == carry_uk {
                break (s, in_uk);
            }
            carry_uk = next;
        };
        if in_uk.iter().all(|&u| u) {
            return pe.stage(&self.clone().into(), inputs);
        }
        let count = |xs: &[bool], v: bool| xs.iter().filter(|&&x| x == v).count();
        let nres = split.res_avals.len();
        // The known scan: [kc, known consts, known carry, known xs] -> [known carry, known ys, residuals].
        let known = Scan {
            body: SubJaxpr::new(split.known.jaxpr),
            num_consts: split.known.consts.len() + count(&in_uk[..nc], false),
            num_carry: count(&carry_uk, false),
            length: self.length,
            reverse: self.reverse,
        };
        let known_ops: Vec<&Array> = split
            .known
            .consts
            .iter()
            .chain(
                inputs
                    .iter()
                    .zip(&in_uk)
                    .filter(|(_, &u)| !u)
                    .map(|(x, _)| *x),
            )
            .collect();
        let kouts = bind(&known.into(), &known_ops);
        let n_kcarry = count(&carry_uk, false);
        let n_kys = count(&split.out_unknowns[nk..], false);
        let residuals = &kouts[n_kcarry + n_kys..];
        debug_assert_eq!(residuals.len(), nres);
        // The unknown scan: invars [uc, res, u consts, u carry, u xs] -> [uc, u consts, u carry, res, u xs].
        let nuc = split.unknown.consts.len();
        let (nuconst, nucarry) = (count(&in_uk[..nc], true), count(&carry_uk, true));
        let nuxs = count(&in_uk[nc + nk..], true);
        let base = nuc + nres;
        let order: Vec<usize> = (0..nuc)
            .chain(base..base + nuconst + nucarry)
            .chain(nuc..base)
            .chain(base + nuconst + nucarry..base + nuconst + nucarry + nuxs)
            .collect();
        let unknown = Scan {
            body: SubJaxpr::new(permute_invars(&split.unknown.jaxpr, &order)),
            num_consts: nuc + nuconst,
            num_carry: nucarry,
            length: self.length,
            reverse: self.reverse,
        };
        let pick = |range: std::ops::Range<usize>| -> Vec<&Array> {
            range
                .filter(|&i| in_uk[i])
                .map(|i| inputs[i])
                .collect::<Vec<_>>()
        };
        let mut unknown_ops: Vec<&Array> = split.unknown.consts.iter().collect();
        unknown_ops.extend(pick(0..nc));
        unknown_ops.extend(pick(nc..nc + nk));
        unknown_ops.extend(residuals.iter());
        unknown_ops.extend(pick(nc + nk..inputs.len()));
        let uouts = pe.stage(&unknown.into(), &unknown_ops);
        let (mut ki, mut ui) = (0, 0);
        let mut kys = n_kcarry;
        let mut uys = nucarry;
        let mut outs = Outputs::new();
        for (i, &u) in split.out_unknowns.iter().enumerate() {
            let x = match (i < nk, u) {
                (true, true) => {
                    ui += 1;
                    &uouts[ui - 1]
                }
                (true, false) => {
                    ki += 1;
                    &kouts[ki - 1]
                }
                (false, true) => {
                    uys += 1;
                    &uouts[uys - 1]
                }
                (false, false) => {
                    kys += 1;
                    &kouts[kys - 1]
                }
            };
            outs.push(x.clone());
        }
        outs
    }
}

impl PrimitiveRules for Scan {
    fn partial_eval(&self, pe: &PartialEvalTrace, inputs: &[&Array]) -> Option<Outputs> {
        Some(self.split_known(pe, inputs))
    }
    fn name(&self) -> &'static str {
        "scan"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("jaxpr", param_text(&self.body)),
            ("length", self.length.to_string()),
            ("num_carry", self.num_carry.to_string()),
            ("num_consts", self.num_consts.to_string()),
            (
                "reverse",
                if self.reverse { "True" } else { "False" }.into(),
            ),
        ]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        let body_in = self.body.in_avals();
        let (nc, nk) = (self.num_consts, self.num_carry);
        assert_eq!(
            inputs.len(),
            body_in.len(),
            "scan takes {} operands, got {}",
            body_in.len(),
            inputs.len()
        );
        let xs: Vec<ShapedArray> = body_in[nc + nk..]
            .iter()
            .map(|a| stacked(self.length, a))
            .collect();
        let want: Vec<ShapedArray> = body_in[..nc + nk].iter().cloned().chain(xs).collect();
        assert!(
            same_types(&want, inputs),
            "TypeError: scan operands have types ({}), but its body expects ({})",
            types_text(&inputs.iter().map(|a| (*a).clone()).collect::<Vec<_>>()),
            types_text(&want)
        );
        let outs = self.body.out_avals();
        let mut avals = Avals::new();
        avals.extend(outs[..nk].iter().cloned());
        avals.extend(outs[nk..].iter().map(|a| stacked(self.length, a)));
        avals
    }
    fn impl_cpu(&self, _: &[&ShapedArray], _: &[&Buffer], _: &[ShapedArray]) -> Buffers {
        unreachable!("control flow runs through compiler::control, not a kernel")
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let (nc, nk, nys) = (self.num_consts, self.num_carry, self.num_ys());
        let nz: Vec<bool> = tangents.iter().map(Option::is_some).collect();
        let mut carry_nz = nz[nc..nc + nk].to_vec();
        let (h, out_nz, in_nz) = loop {
            let in_nz: Vec<bool> = [&nz[..nc], &carry_nz[..], &nz[nc + nk..]].concat();
            let inst: Vec<bool> = carry_nz.iter().copied().chain(vec![false; nys]).collect();
            let (h, out_nz) = jvp_jaxpr(self.body.jaxpr(), &in_nz, &inst);
            let next: Vec<bool> = carry_nz
                .iter()
                .zip(&out_nz)
                .map(|(a, b)| *a || *b)
                .collect();
            if next == carry_nz {
                break (h, out_nz, in_nz);
            }
            carry_nz = next;
        };
        let count = |xs: &[bool]| xs.iter().filter(|&&x| x).count();
        let n = primals.len();
        let hc = h.consts.len();
        let (tc, tk) = (count(&in_nz[..nc]), count(&carry_nz));
        let tx = count(&in_nz[nc + nk..]);
        // invars [hc, p(consts, carry, xs), t(consts, carry, xs)] -> scan layout.
        let p0 = hc;
        let t0 = hc + n;
        let order: Vec<usize> = (0..hc)
            .chain(p0..p0 + nc)
            .chain(t0..t0 + tc)
            .chain(p0 + nc..p0 + nc + nk)
            .chain(t0 + tc..t0 + tc + tk)
            .chain(p0 + nc + nk..p0 + n)
            .chain(t0 + tc + tk..t0 + tc + tk + tx)
            .collect();
        // outvars [p carry, p ys, t carry, t ys] -> [p carry, t carry, p ys, t ys].
        let np = nk + nys;
        let nty = count(&out_nz[nk..]);
        let out_order: Vec<usize> = (0..nk)
            .chain(np..np + tk)
            .chain(nk..np)
            .chain(np + tk..np + tk + nty)
            .collect();
        let body = permute_outvars(&permute_invars(&h.jaxpr, &order), &out_order);
        let scan = Scan {
            body: SubJaxpr::new(body),
            num_consts: hc + nc + tc,
            num_carry: nk + tk,
            length: self.length,
            reverse: self.reverse,
        };
        let dot = |i: usize| -> Array {
            tangents[i]
                .cloned()
                .unwrap_or_else(|| ad_util::zeros(primals[i].aval()))
        };
        let mut ops: Vec<Array> = h.consts.clone();
        ops.extend(primals[..nc].iter().map(|x| (*x).clone()));
        ops.extend((0..nc).filter(|&i| in_nz[i]).map(dot));
        ops.extend(primals[nc..nc + nk].iter().map(|x| (*x).clone()));
        ops.extend((nc..nc + nk).filter(|&i| in_nz[i]).map(dot));
        ops.extend(primals[nc + nk..].iter().map(|x| (*x).clone()));
        ops.extend((nc + nk..n).filter(|&i| in_nz[i]).map(dot));
        let refs: Vec<&Array> = ops.iter().collect();
        let outs = bind(&scan.into(), &refs);
        let mut primal_outs = Outputs::new();
        primal_outs.extend(outs[..nk].iter().cloned());
        primal_outs.extend(outs[nk + tk..nk + tk + nys].iter().cloned());
        let mut t_carry = outs[nk..nk + tk].iter();
        let mut t_ys = outs[nk + tk + nys..].iter();
        let touts = out_nz
            .iter()
            .enumerate()
            .map(|(i, &z)| match (z, i < nk) {
                (false, _) => None,
                (true, true) => t_carry.next().cloned(),
                (true, false) => t_ys.next().cloned(),
            })
            .collect();
        (primal_outs, touts)
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let (nc, nk, nx, nys) = (
            self.num_consts,
            self.num_carry,
            self.num_xs(),
            self.num_ys(),
        );
        let lin: Vec<bool> = args
            .iter()
            .enumerate()
            .map(|(i, a)| (nc..nc + nk).contains(&i) || a.is_linear())
            .collect();
        let t = transpose_jaxpr(self.body.jaxpr(), &lin);
        // t: [tc, known consts, known xs, ct carry, ct ys] -> [ct lin consts, ct carry, ct lin xs].
        let kc: Vec<usize> = (0..nc).filter(|&i| !lin[i]).collect();
        let lc: Vec<usize> = (0..nc).filter(|&i| lin[i]).collect();
        let kx: Vec<usize> = (nc + nk..nc + nk + nx).filter(|&i| !lin[i]).collect();
        let lx: Vec<usize> = (nc + nk..nc + nk + nx).filter(|&i| lin[i]).collect();
        let tc = t.consts.len();
        // The transposed loop: consts [tc, known consts], carry [acc for lin
        // consts, ct carry], xs [known xs, ct ys]; ys [ct lin xs].
        let body_in: Vec<ShapedArray> = t.jaxpr.invars[..tc + kc.len()]
            .iter()
            .map(|v| v.aval.clone())
            .chain(lc.iter().map(|&i| args[i].aval().clone()))
            .chain((nc..nc + nk).map(|i| args[i].aval().clone()))
            .chain(kx.iter().map(|&i| self.body.in_avals()[i].clone()))
            .chain(self.body.out_avals()[nk..].iter().cloned())
            .collect();
        let (nkc, nlc, nkx) = (kc.len(), lc.len(), kx.len());
        let tj = &t.jaxpr;
        let f = |a: &[Array]| -> Vec<Array> {
            let (consts, rest) = a.split_at(tc + nkc);
            let (acc, rest) = rest.split_at(nlc);
            let (ct_carry, rest) = rest.split_at(nk);
            let (kxs, ct_ys) = rest.split_at(nkx);
            let ins: Vec<Array> = [consts, kxs, ct_carry, ct_ys].concat();
            let r = tj.eval(&[], &ins);
            let mut out: Vec<Array> = acc
                .iter()
                .zip(&r[..nlc])
                .map(|(a, c)| crate::lax::add(a, c))
                .collect();
            out.extend(r[nlc..].iter().cloned());
            out
        };
        let body = trace_flat("transpose", &f, &body_in);
        let scan = Scan {
            body: SubJaxpr::new(body.jaxpr),
            num_consts: body.consts.len() + tc + nkc,
            num_carry: nlc + nk,
            length: self.length,
            reverse: !self.reverse,
        };
        let mut ops: Vec<Array> = body.consts.clone();
        ops.extend(t.consts.iter().cloned());
        ops.extend(kc.iter().map(|&i| args[i].known("scan").clone()));
        ops.extend(lc.iter().map(|&i| ad_util::zeros(args[i].aval())));
        ops.extend(cts[..nk].iter().cloned());
        ops.extend(kx.iter().map(|&i| args[i].known("scan").clone()));
        ops.extend(cts[nk..nk + nys].iter().cloned());
        let refs: Vec<&Array> = ops.iter().collect();
        let outs = bind(&scan.into(), &refs);
        let mut result: Cotangents = (0..args.len()).map(|_| None).collect();
        for (k, &i) in lc.iter().enumerate() {
            result[i] = Some(outs[k].clone());
        }
        for k in 0..nk {
            if args[nc + k].is_linear() {
                result[nc + k] = Some(outs[nlc + k].clone());
            }
        }
        for (k, &i) in lx.iter().enumerate() {
            result[i] = Some(outs[nlc + nk + k].clone());
        }
        result
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
