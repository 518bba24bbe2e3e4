//! Folds jnp's negative-index normalization into the gather or scatter that
//! uses it, as XLA fuses it: `select_n(i < 0, i, i + n)` (optionally
//! reshaped) feeding only the indices of one-index gathers/scatters over an
//! operand dim of size `n` becomes `wrap_negative` on those ops, and the
//! three elementwise passes over the indices disappear.

use crate::core::jaxpr::{Atom, ClosedJaxpr, JaxprEqn};
use crate::ir::{BinaryOp, CompareOp};
use crate::lax::{ad_util, Primitive};
use std::collections::{HashMap, HashSet};

/// The pass; programs without the pattern come back unchanged.
pub fn fold_index_wrap(cj: &ClosedJaxpr) -> ClosedJaxpr {
    let j = &cj.jaxpr;
    let mut producer: HashMap<usize, usize> = HashMap::new();
    let mut uses: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
    for (i, e) in j.eqns.iter().enumerate() {
        for v in &e.outvars {
            producer.insert(v.id, i);
        }
        for (pos, a) in e.inputs.iter().enumerate() {
            if let Atom::Var(v) = a {
                uses.entry(v.id).or_default().push((i, pos));
            }
        }
    }
    let outputs: HashSet<usize> = j
        .outvars
        .iter()
        .filter_map(|a| match a {
            Atom::Var(v) => Some(v.id),
            Atom::Literal(_) => None,
        })
        .collect();
    let mut eqns = j.eqns.clone();
    let mut changed = false;
    for e in &j.eqns {
        let Some((b, n)) = wrap_idiom(e, &j.eqns, &producer) else {
            continue;
        };
        let out = e.outvars[0].id;
        if outputs.contains(&out) {
            continue;
        }
        // Every use must be an index operand (directly or through reshapes
        // used only that way) of a one-index op over a dim of size n.
        let mut targets = Vec::new();
        let mut rewired = Vec::new();
        let ok = uses.get(&out).is_some_and(|us| {
            us.iter().all(|&(k, pos)| {
                let u = &j.eqns[k];
                match &u.primitive {
                    Primitive::Reshape(_) if pos == 0 => {
                        let r = u.outvars[0].id;
                        !outputs.contains(&r)
                            && uses.get(&r).is_some_and(|rs| {
                                rs.iter().all(|&(g, p)| {
                                    p == 1 && takes_wrap(&j.eqns[g], n) && {
                                        targets.push(g);
                                        true
                                    }
                                })
                            })
                            && {
                                rewired.push(k);
                                true
                            }
                    }
                    _ => {
                        pos == 1 && takes_wrap(u, n) && {
                            rewired.push(k);
                            targets.push(k);
                            true
                        }
                    }
                }
            })
        });
        if !ok || targets.is_empty() {
            continue;
        }
        for k in rewired {
            for a in eqns[k].inputs.iter_mut() {
                if matches!(a, Atom::Var(v) if v.id == out) {
                    *a = b.clone();
                }
            }
        }
        for g in targets {
            match &mut eqns[g].primitive {
                Primitive::Gather(x) => x.wrap_negative = true,
                Primitive::Scatter(x) => x.wrap_negative = true,
                _ => unreachable!("checked by takes_wrap"),
            }
        }
        changed = true;
    }
    if !changed {
        return cj.clone();
    }
    let mut out = cj.clone();
    out.jaxpr.eqns = eqns;
    out
}

/// `select_n(lt(b, 0), b, add(b, n))` (either operand order of the add):
/// returns `b` and `n`.
fn wrap_idiom(
    e: &JaxprEqn,
    eqns: &[JaxprEqn],
    producer: &HashMap<usize, usize>,
) -> Option<(Atom, i64)> {
    let Primitive::Select(_) = e.primitive else {
        return None;
    };
    let [Atom::Var(c), b @ Atom::Var(bv), Atom::Var(d)] = e.inputs.as_slice() else {
        return None;
    };
    if !bv.aval.dtype.is_int() {
        return None;
    }
    let lit = |a: &Atom| match a {
        Atom::Literal(x) if x.ndim() == 0 => Some(ad_util::scalar_value_f64(x)),
        _ => None,
    };
    let is_b = |a: &Atom| matches!(a, Atom::Var(v) if v.id == bv.id);
    let ce = &eqns[*producer.get(&c.id)?];
    match &ce.primitive {
        Primitive::Compare(cmp)
            if cmp.op == CompareOp::Lt
                && is_b(&ce.inputs[0])
                && lit(&ce.inputs[1]) == Some(0.0) => {}
        _ => return None,
    }
    let de = &eqns[*producer.get(&d.id)?];
    let n = match &de.primitive {
        Primitive::Binary(op) if op.op == BinaryOp::Add => {
            if is_b(&de.inputs[0]) {
                lit(&de.inputs[1])?
            } else if is_b(&de.inputs[1]) {
                lit(&de.inputs[0])?
            } else {
                return None;
            }
        }
        _ => return None,
    };
    (n >= 1.0 && n.fract() == 0.0).then(|| (b.clone(), n as i64))
}

/// Whether `g` is a gather/scatter with one index entry, no batching dims,
/// over an operand dim of size `n`.
fn takes_wrap(g: &JaxprEqn, n: i64) -> bool {
    let operand = g.inputs[0].aval();
    let (map, batching) = match &g.primitive {
        Primitive::Gather(x) => (
            &x.dimension_numbers.start_index_map,
            &x.dimension_numbers.operand_batching_dims,
        ),
        Primitive::Scatter(x) => (
            &x.dimension_numbers.scatter_dims_to_operand_dims,
            &x.dimension_numbers.operand_batching_dims,
        ),
        _ => return false,
    };
    map.len() == 1 && batching.is_empty() && operand.shape[map[0]] as i64 == n
}
