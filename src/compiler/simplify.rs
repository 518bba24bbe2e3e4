//! Jaxpr → jaxpr simplification: algebraic identities, constant folding,
//! common-subexpression elimination and dead-code elimination.
//!
//! Every pass preserves the program's results exactly, with one documented
//! exception shared with XLA's algebraic simplifier: `x + 0 → x` also for
//! `x = -0.0` (whose IEEE sum with +0 is +0).

use crate::core::array::Array;
use crate::core::jaxpr::{Atom, ClosedJaxpr, Jaxpr, JaxprEqn, Var};
use crate::ir::{BinaryOp, UnaryOp};
use crate::lax::{ad_util, Primitive};
use std::collections::HashMap;

/// Outputs of a folded equation may become constants up to this many elements.
const FOLD_MAX_ELEMENTS: usize = 1 << 12;

/// Runs every pass to a fixed point (at most a few rounds).
pub fn simplify(cj: &ClosedJaxpr) -> ClosedJaxpr {
    let mut cur = super::index_wrap::fold_index_wrap(cj);
    for _ in 0..4 {
        let before = cur.jaxpr.eqns.len();
        cur = rewrite(&cur);
        cur = cse(&cur);
        cur = dce(&cur);
        if cur.jaxpr.eqns.len() == before {
            break;
        }
    }
    cur
}

/// A value known at compile time: a literal or a constant input.
fn known(consts: &HashMap<usize, Array>, a: &Atom) -> Option<Array> {
    match a {
        Atom::Literal(x) => Some(x.clone()),
        Atom::Var(v) => consts.get(&v.id).cloned(),
    }
}

/// Whether `x` is a rank-0 known value equal to `v`.
fn is_scalar(x: &Option<Array>, v: f64) -> bool {
    match x {
        Some(x) if x.ndim() == 0 && !x.is_tracer() && x.is_ready() => {
            ad_util::scalar_value_f64(x) == v
        }
        _ => false,
    }
}

/// Algebraic identities and constant folding, in one forward sweep.
pub fn rewrite(cj: &ClosedJaxpr) -> ClosedJaxpr {
    let j = &cj.jaxpr;
    let mut consts: HashMap<usize, Array> = j
        .constvars
        .iter()
        .zip(&cj.consts)
        .filter(|(_, c)| !c.is_tracer())
        .map(|(v, c)| (v.id, c.clone()))
        .collect();
    let mut subst: HashMap<usize, Atom> = HashMap::new();
    let mut producers: HashMap<usize, JaxprEqn> = HashMap::new();
    let mut new_consts: Vec<(Var, Array)> = Vec::new();
    let mut eqns = Vec::new();
    let mut next_id = j.num_vars();
    // How often each variable is read (a product read elsewhere too is not
    // recomputed in another layout).
    let mut uses: HashMap<usize, usize> = HashMap::new();
    for a in j.eqns.iter().flat_map(|e| &e.inputs).chain(&j.outvars) {
        if let Atom::Var(v) = a {
            *uses.entry(v.id).or_default() += 1;
        }
    }
    let sub = |subst: &HashMap<usize, Atom>, a: &Atom| match a {
        Atom::Var(v) => subst.get(&v.id).cloned().unwrap_or_else(|| a.clone()),
        lit => lit.clone(),
    };
    for eqn in &j.eqns {
        let inputs: Vec<Atom> = eqn.inputs.iter().map(|a| sub(&subst, a)).collect();
        let mut eqn = JaxprEqn {
            primitive: eqn.primitive.clone(),
            inputs,
            outvars: eqn.outvars.clone(),
        };
        // Identities that forward an operand.
        if let Some(a) = identity(&eqn, &consts) {
            if a.aval() == &eqn.outvars[0].aval {
                subst.insert(eqn.outvars[0].id, a);
                continue;
            }
        }
        // Compose layout chains; use scalars instead of their broadcasts.
        if let Some(e) = compose(&eqn, &producers) {
            eqn = e;
        }
        if let Some((dot, reshape)) =
            transpose_of_dot_modulo_unit_axes(&eqn, &producers, &uses, next_id)
        {
            next_id += 1;
            producers.insert(dot.outvars[0].id, dot.clone());
            eqns.push(dot);
            eqn = reshape;
        }
        fold_operand_transposes(&mut eqn, &producers);
        unit_axis_transpose_to_reshape(&mut eqn);
        unbroadcast_scalars(&mut eqn, &producers);
        // Fold equations whose inputs are all known.
        let vals: Option<Vec<Array>> = eqn.inputs.iter().map(|a| known(&consts, a)).collect();
        let small = eqn
            .outvars
            .iter()
            .all(|v| v.aval.size() <= FOLD_MAX_ELEMENTS);
        // Broadcasting a scalar is left to fusion (or to `unbroadcast_scalars`)
        // rather than materialized as a constant.
        let scalar_broadcast = matches!(eqn.primitive, Primitive::BroadcastInDim(_))
            && eqn.inputs[0].aval().ndim() == 0;
        let foldable = !matches!(eqn.primitive, Primitive::CustomLin(_)) && !scalar_broadcast;
        if let (Some(vals), true, true) = (vals, small, foldable) {
            if vals.iter().all(|v| !v.is_tracer()) {
                let refs: Vec<&Array> = vals.iter().collect();
                let outs = eqn.primitive.eval(&refs);
                for (v, x) in eqn.outvars.iter().zip(outs) {
                    if x.ndim() == 0 {
                        subst.insert(v.id, Atom::Literal(x));
                    } else {
                        consts.insert(v.id, x.clone());
                        new_consts.push((v.clone(), x));
                    }
                }
                continue;
            }
        }
        for v in &eqn.outvars {
            producers.insert(v.id, eqn.clone());
        }
        eqns.push(eqn);
    }
    let outvars = j.outvars.iter().map(|a| sub(&subst, a)).collect();
    let mut constvars = j.constvars.clone();
    let mut cvals = cj.consts.clone();
    for (v, x) in new_consts {
        constvars.push(v);
        cvals.push(x);
    }
    ClosedJaxpr {
        jaxpr: Jaxpr {
            constvars,
            invars: j.invars.clone(),
            eqns,
            outvars,
        },
        consts: cvals,
    }
}

/// The operand an equation reduces to, if it is an identity: `x*1`, `x+0`,
/// `x-0`, `x/1`, or a layout/convert op that leaves the type unchanged.
fn identity(eqn: &JaxprEqn, consts: &HashMap<usize, Array>) -> Option<Atom> {
    let k = |i: usize| match &eqn.inputs[i] {
        Atom::Literal(x) => Some(x.clone()),
        Atom::Var(v) => consts.get(&v.id).cloned(),
    };
    match &eqn.primitive {
        Primitive::Binary(b) => {
            let (x, y) = (&eqn.inputs[0], &eqn.inputs[1]);
            match b.op {
                BinaryOp::Mul if is_scalar(&k(1), 1.0) => Some(x.clone()),
                BinaryOp::Mul if is_scalar(&k(0), 1.0) => Some(y.clone()),
                BinaryOp::Add if is_scalar(&k(1), 0.0) => Some(x.clone()),
                BinaryOp::Add if is_scalar(&k(0), 0.0) => Some(y.clone()),
                BinaryOp::Sub | BinaryOp::Div
                    if is_scalar(&k(1), if b.op == BinaryOp::Sub { 0.0 } else { 1.0 }) =>
                {
                    Some(x.clone())
                }
                _ => None,
            }
        }
        Primitive::Reshape(_)
        | Primitive::ConvertElementType(_)
        | Primitive::Transpose(_)
        | Primitive::BroadcastInDim(_)
        | Primitive::Squeeze(_) => {
            // No-ops when the type is unchanged (and, for transpose, the
            // permutation is the identity).
            let x = &eqn.inputs[0];
            let same = x.aval() == &eqn.outvars[0].aval;
            let ok = match &eqn.primitive {
                Primitive::Transpose(t) => t.permutation.iter().enumerate().all(|(i, &p)| i == p),
                _ => true,
            };
            (same && ok).then(|| x.clone())
        }
        _ => None,
    }
}

/// Rewrites an equation whose operand comes from a composable producer:
/// transpose∘transpose and reshape∘reshape become one op, transpose∘dot
/// becomes the dot with swapped operands; neg∘neg becomes
/// a same-shape reshape, which `identity` removes on the next round.
fn compose(eqn: &JaxprEqn, producers: &HashMap<usize, JaxprEqn>) -> Option<JaxprEqn> {
    // Operand-free equations (iota) compose with nothing.
    let Some(Atom::Var(v)) = eqn.inputs.first() else {
        return None;
    };
    let p = producers.get(&v.id)?;
    match (&eqn.primitive, &p.primitive) {
        (Primitive::Transpose(outer), Primitive::Transpose(inner)) => {
            let perm = outer
                .permutation
                .iter()
                .map(|&i| inner.permutation[i])
                .collect();
            Some(JaxprEqn {
                primitive: Primitive::Transpose(crate::lax::Transpose { permutation: perm }),
                inputs: p.inputs.clone(),
                outvars: eqn.outvars.clone(),
            })
        }
        // A transpose that swaps a dot's lhs-free and rhs-free axes is the
        // dot with its operands swapped (no copy of the product).
        (Primitive::Transpose(t), Primitive::DotGeneral(d)) => {
            let (lhs, rhs) = (p.inputs[0].aval(), p.inputs[1].aval());
            let nb = d.lhs_batch.len();
            let nl = lhs.ndim() - nb - d.lhs_contracting.len();
            let nr = rhs.ndim() - nb - d.rhs_contracting.len();
            let swapped: Vec<usize> = (0..nb)
                .chain(nb + nl..nb + nl + nr)
                .chain(nb..nb + nl)
                .collect();
            if t.permutation[..] != swapped[..] || nl == 0 || nr == 0 {
                return None;
            }
            let dot = crate::lax::DotGeneral {
                lhs_contracting: d.rhs_contracting.clone(),
                rhs_contracting: d.lhs_contracting.clone(),
                lhs_batch: d.rhs_batch.clone(),
                rhs_batch: d.lhs_batch.clone(),
                preferred_element_type: d.preferred_element_type,
            };
            Some(JaxprEqn {
                primitive: Primitive::DotGeneral(dot),
                inputs: vec![p.inputs[1].clone(), p.inputs[0].clone()],
                outvars: eqn.outvars.clone(),
            })
        }
        (Primitive::Reshape(_), Primitive::Reshape(_) | Primitive::Squeeze(_)) => Some(JaxprEqn {
            primitive: eqn.primitive.clone(),
            inputs: p.inputs.clone(),
            outvars: eqn.outvars.clone(),
        }),
        (Primitive::Unary(a), Primitive::Unary(b))
            if a.op == UnaryOp::Neg && b.op == UnaryOp::Neg =>
        {
            // neg(neg(x)) = x: express as a no-op reshape, removed by `identity` next round.
            let x = p.inputs[0].clone();
            Some(JaxprEqn {
                primitive: Primitive::Reshape(crate::lax::Reshape {
                    new_sizes: x.aval().shape.0.clone(),
                }),
                inputs: vec![x],
                outvars: eqn.outvars.clone(),
            })
        }
        _ => None,
    }
}

/// The axes of `shape` whose size is not 1, in the order `order` lists them.
fn sized_axes(shape: &[usize], order: impl IntoIterator<Item = usize>) -> Vec<usize> {
    order.into_iter().filter(|&a| shape[a] != 1).collect()
}

/// A transpose that only moves size-1 axes keeps every element where it
/// is: it becomes a reshape (which the executable need not copy).
fn unit_axis_transpose_to_reshape(eqn: &mut JaxprEqn) {
    let Primitive::Transpose(t) = &eqn.primitive else {
        return;
    };
    let shape = &eqn.inputs[0].aval().shape;
    if sized_axes(shape, t.permutation.iter().copied()) == sized_axes(shape, 0..shape.len()) {
        eqn.primitive = Primitive::Reshape(crate::lax::Reshape {
            new_sizes: eqn.outvars[0].aval.shape.0.clone(),
        });
    }
}

/// `transpose(dot_general(a, b))` whose permutation swaps the lhs-free and
/// rhs-free axes once size-1 axes are ignored (as `vmap` of a matrix-vector
/// product makes): `dot_general(b, a)` into a fresh variable with id `id`,
/// then a reshape into the transpose's result. Both free groups must hold an
/// axis of size > 1 (else the permutation is a reshape already), and the
/// product must have no other reader.
fn transpose_of_dot_modulo_unit_axes(
    eqn: &JaxprEqn,
    producers: &HashMap<usize, JaxprEqn>,
    uses: &HashMap<usize, usize>,
    id: usize,
) -> Option<(JaxprEqn, JaxprEqn)> {
    let Primitive::Transpose(t) = &eqn.primitive else {
        return None;
    };
    let Atom::Var(v) = &eqn.inputs[0] else {
        return None;
    };
    if uses.get(&v.id) != Some(&1) {
        return None;
    }
    let p = producers.get(&v.id)?;
    let Primitive::DotGeneral(d) = &p.primitive else {
        return None;
    };
    let (lhs, rhs) = (p.inputs[0].aval(), p.inputs[1].aval());
    let shape = &v.aval.shape;
    let nb = d.lhs_batch.len();
    let nl = lhs.ndim() - nb - d.lhs_contracting.len();
    let nr = rhs.ndim() - nb - d.rhs_contracting.len();
    let (lhs_free, rhs_free) = (nb..nb + nl, nb + nl..nb + nl + nr);
    if sized_axes(shape, lhs_free.clone()).is_empty()
        || sized_axes(shape, rhs_free.clone()).is_empty()
    {
        return None;
    }
    let swapped = sized_axes(shape, (0..nb).chain(rhs_free).chain(lhs_free));
    if sized_axes(shape, t.permutation.iter().copied()) != swapped {
        return None;
    }
    let dot = crate::lax::DotGeneral {
        lhs_contracting: d.rhs_contracting.clone(),
        rhs_contracting: d.lhs_contracting.clone(),
        lhs_batch: d.rhs_batch.clone(),
        rhs_batch: d.lhs_batch.clone(),
        preferred_element_type: d.preferred_element_type,
    };
    let mut dims: Vec<usize> = d.rhs_batch.to_vec();
    let free = |n: usize, batch: &[usize], contracting: &[usize]| {
        crate::lax::DotGeneral::free_axes(n, batch, contracting)
    };
    dims.extend(
        free(rhs.ndim(), &d.rhs_batch, &d.rhs_contracting)
            .iter()
            .map(|&a| rhs.shape[a]),
    );
    dims.extend(
        free(lhs.ndim(), &d.lhs_batch, &d.lhs_contracting)
            .iter()
            .map(|&a| lhs.shape[a]),
    );
    let mut aval = eqn.outvars[0].aval.clone();
    aval.shape = dims.as_slice().into();
    let product = Var { id, aval };
    let dot = JaxprEqn {
        primitive: Primitive::DotGeneral(dot),
        inputs: vec![p.inputs[1].clone(), p.inputs[0].clone()],
        outvars: vec![product.clone()],
    };
    let reshape = JaxprEqn {
        primitive: Primitive::Reshape(crate::lax::Reshape {
            new_sizes: eqn.outvars[0].aval.shape.0.clone(),
        }),
        inputs: vec![Atom::Var(product)],
        outvars: eqn.outvars.clone(),
    };
    Some((dot, reshape))
}

/// Reads a `dot_general` operand through the transpose that produced it
/// (remapping the dimension numbers) when that keeps the operand's free
/// axes in order, so the result is unchanged; the kernel then reads the
/// untransposed data in place.
fn fold_operand_transposes(eqn: &mut JaxprEqn, producers: &HashMap<usize, JaxprEqn>) {
    let Primitive::DotGeneral(d) = &eqn.primitive else {
        return;
    };
    let mut d = d.clone();
    let mut changed = false;
    for side in 0..2 {
        let Atom::Var(v) = &eqn.inputs[side] else {
            continue;
        };
        let Some(p) = producers.get(&v.id) else {
            continue;
        };
        let Primitive::Transpose(t) = &p.primitive else {
            continue;
        };
        let perm = &t.permutation;
        let (batch, contracting) = if side == 0 {
            (&mut d.lhs_batch, &mut d.lhs_contracting)
        } else {
            (&mut d.rhs_batch, &mut d.rhs_contracting)
        };
        let free = crate::lax::DotGeneral::free_axes(perm.len(), batch, contracting);
        if !free.windows(2).all(|w| perm[w[0]] < perm[w[1]]) {
            continue;
        }
        for a in batch.iter_mut().chain(contracting.iter_mut()) {
            *a = perm[*a];
        }
        eqn.inputs[side] = p.inputs[0].clone();
        changed = true;
    }
    if changed {
        eqn.primitive = Primitive::DotGeneral(d);
    }
}

/// Replaces an operand of a binary op that is a broadcast of a rank-0 value
/// by that value, when the other operand already has the result's shape
/// (binary primitives accept a rank-0 operand).
fn unbroadcast_scalars(eqn: &mut JaxprEqn, producers: &HashMap<usize, JaxprEqn>) {
    if !matches!(eqn.primitive, Primitive::Binary(_) | Primitive::Compare(_)) {
        return;
    }
    for i in 0..2 {
        let Atom::Var(v) = &eqn.inputs[i] else {
            continue;
        };
        let Some(p) = producers.get(&v.id) else {
            continue;
        };
        let other = eqn.inputs[1 - i].aval();
        if matches!(p.primitive, Primitive::BroadcastInDim(_))
            && p.inputs[0].aval().ndim() == 0
            && other.shape == eqn.outvars[0].aval.shape
        {
            eqn.inputs[i] = p.inputs[0].clone();
            return;
        }
    }
}

/// Key of an operand for CSE: a variable id, or a literal's type and bits.
#[derive(Clone, PartialEq, Eq, Hash)]
enum AtomKey {
    Var(usize),
    Literal(crate::core::aval::ShapedArray, u64),
}

fn atom_key(a: &Atom) -> Option<AtomKey> {
    match a {
        Atom::Var(v) => Some(AtomKey::Var(v.id)),
        Atom::Literal(x) if x.is_ready() => Some(AtomKey::Literal(
            x.aval().clone(),
            ad_util::scalar_value_f64(x).to_bits(),
        )),
        Atom::Literal(_) => None,
    }
}

/// Common-subexpression elimination: a repeated (primitive, operands) pair
/// reuses the first result.
// Control-flow params hold a lazily compiled body (a `OnceLock`), but they
// hash and compare by identity, so the key cannot change while in the map.
#[allow(clippy::mutable_key_type)]
pub fn cse(cj: &ClosedJaxpr) -> ClosedJaxpr {
    let j = &cj.jaxpr;
    let mut seen: HashMap<(Primitive, Vec<AtomKey>), Vec<Var>> = HashMap::new();
    let mut subst: HashMap<usize, Atom> = HashMap::new();
    let sub = |subst: &HashMap<usize, Atom>, a: &Atom| match a {
        Atom::Var(v) => subst.get(&v.id).cloned().unwrap_or_else(|| a.clone()),
        lit => lit.clone(),
    };
    let mut eqns = Vec::new();
    for eqn in &j.eqns {
        let inputs: Vec<Atom> = eqn.inputs.iter().map(|a| sub(&subst, a)).collect();
        let key: Option<Vec<AtomKey>> = inputs.iter().map(atom_key).collect();
        if let Some(key) = key {
            let key = (eqn.primitive.clone(), key);
            if let Some(prev) = seen.get(&key) {
                for (v, p) in eqn.outvars.iter().zip(prev) {
                    subst.insert(v.id, Atom::Var(p.clone()));
                }
                continue;
            }
            seen.insert(key, eqn.outvars.clone());
        }
        eqns.push(JaxprEqn {
            primitive: eqn.primitive.clone(),
            inputs,
            outvars: eqn.outvars.clone(),
        });
    }
    let outvars = j.outvars.iter().map(|a| sub(&subst, a)).collect();
    ClosedJaxpr {
        jaxpr: Jaxpr {
            constvars: j.constvars.clone(),
            invars: j.invars.clone(),
            eqns,
            outvars,
        },
        consts: cj.consts.clone(),
    }
}

/// Dead-code elimination: drops equations whose results are never used,
/// and constants no equation or output reads. (All primitives are pure.)
pub fn dce(cj: &ClosedJaxpr) -> ClosedJaxpr {
    let j = &cj.jaxpr;
    let mut live = vec![false; j.num_vars()];
    let mark = |live: &mut Vec<bool>, a: &Atom| {
        if let Atom::Var(v) = a {
            live[v.id] = true;
        }
    };
    for a in &j.outvars {
        mark(&mut live, a);
    }
    let mut keep = vec![false; j.eqns.len()];
    for (i, eqn) in j.eqns.iter().enumerate().rev() {
        if eqn.outvars.iter().any(|v| live[v.id]) {
            keep[i] = true;
            for a in &eqn.inputs {
                mark(&mut live, a);
            }
        }
    }
    let eqns = j
        .eqns
        .iter()
        .zip(&keep)
        .filter(|(_, &k)| k)
        .map(|(e, _)| e.clone())
        .collect();
    let (constvars, consts): (Vec<Var>, Vec<Array>) = j
        .constvars
        .iter()
        .zip(&cj.consts)
        .filter(|(v, _)| live[v.id])
        .map(|(v, c)| (v.clone(), c.clone()))
        .unzip();
    ClosedJaxpr {
        jaxpr: Jaxpr {
            constvars,
            invars: j.invars.clone(),
            eqns,
            outvars: j.outvars.clone(),
        },
        consts,
    }
}
