//! Fusion: groups runs of elementwise equations (and a full reduction that
//! ends them) into [`FusedKernel`]s, the backend-neutral kernel IR of
//! `crate::ir::kernel`, which a backend runs blockwise.
//!
//! Version 1 fuses float32 elementwise math (`Unary` float ops, arithmetic
//! `Binary` ops, `integer_pow`), rank-0 operands as broadcast scalars, and
//! an all-axes `reduce_sum`/`reduce_max`/`reduce_min` epilogue. Everything
//! else runs as its own step.

use crate::core::dtype::DType;
use crate::core::jaxpr::{Atom, Jaxpr, Var};
pub use crate::ir::kernel::{FusedKernel, KernelOp, Src};
use crate::ir::{BinaryOp, ReduceOp, UnaryOp};
use crate::lax::Primitive;
use std::collections::HashMap;

/// One step of an execution plan.
#[derive(Clone, Debug)]
pub enum PlanItem {
    /// Run equation `i` of the jaxpr on its own.
    Eqn(usize),
    /// Run a fused kernel reading `inputs` and defining `outputs` (the full
    /// outputs in order, then the reduction's result if any).
    Fused {
        /// The kernel.
        kernel: FusedKernel,
        /// Operands, one per kernel input.
        inputs: Vec<Atom>,
        /// Variables defined by the kernel.
        outputs: Vec<Var>,
        /// The equations it replaces (for the compiled view).
        eqns: Vec<usize>,
    },
}

/// Whether primitive `p` is elementwise float work the fused kernels implement.
fn elementwise_op(p: &Primitive) -> bool {
    match p {
        Primitive::Unary(u) => !matches!(u.op, UnaryOp::IsFinite | UnaryOp::Not),
        Primitive::Binary(b) => matches!(
            b.op,
            BinaryOp::Add
                | BinaryOp::Sub
                | BinaryOp::Mul
                | BinaryOp::Div
                | BinaryOp::Rem
                | BinaryOp::Pow
                | BinaryOp::Max
                | BinaryOp::Min
                | BinaryOp::Atan2
        ),
        Primitive::IntegerPow(_) => true,
        _ => false,
    }
}

struct Group {
    shape: Vec<usize>,
    eqns: Vec<usize>,
    regs: HashMap<usize, usize>,
    reg_vars: Vec<Var>,
    inputs: Vec<Atom>,
    input_ids: HashMap<usize, usize>,
    ops: Vec<KernelOp>,
    reduction: Option<(ReduceOp, usize, Var)>,
}

impl Group {
    fn new(shape: Vec<usize>) -> Group {
        Group {
            shape,
            eqns: Vec::new(),
            regs: HashMap::new(),
            reg_vars: Vec::new(),
            inputs: Vec::new(),
            input_ids: HashMap::new(),
            ops: Vec::new(),
            reduction: None,
        }
    }

    /// The source for operand `a`, adding it as an input if external.
    fn src(&mut self, a: &Atom) -> Src {
        if let Atom::Var(v) = a {
            if let Some(&r) = self.regs.get(&v.id) {
                return Src::Reg(r);
            }
            if let Some(&i) = self.input_ids.get(&v.id) {
                return Src::Input(i);
            }
            self.input_ids.insert(v.id, self.inputs.len());
        }
        self.inputs.push(a.clone());
        Src::Input(self.inputs.len() - 1)
    }

    /// Whether operand `a` can be read by this group.
    fn accepts(&self, a: &Atom) -> bool {
        let internal = matches!(a, Atom::Var(v) if self.regs.contains_key(&v.id));
        let aval = a.aval();
        internal
            || (aval.dtype == DType::F32 && (aval.ndim() == 0 || aval.shape[..] == self.shape[..]))
    }
}

/// Plans `j`: fused kernels for runs of fusible equations, single steps otherwise.
pub fn plan(j: &Jaxpr) -> Vec<PlanItem> {
    // The last equation reading each variable, and whether it is an output.
    let mut last_read = vec![0usize; j.num_vars()];
    for (i, e) in j.eqns.iter().enumerate() {
        for a in &e.inputs {
            if let Atom::Var(v) = a {
                last_read[v.id] = i;
            }
        }
    }
    for a in &j.outvars {
        if let Atom::Var(v) = a {
            last_read[v.id] = usize::MAX;
        }
    }
    let mut items = Vec::new();
    let mut cur: Option<Group> = None;
    for (i, e) in j.eqns.iter().enumerate() {
        let out = &e.outvars[0].aval;
        let fusible = elementwise_op(&e.primitive) && out.dtype == DType::F32 && out.ndim() > 0;
        if fusible {
            if cur
                .as_ref()
                .is_some_and(|g| g.shape[..] != out.shape[..] || g.reduction.is_some())
            {
                flush(&mut cur, &last_read, &mut items);
            }
            let g = cur.get_or_insert_with(|| Group::new(out.shape.to_vec()));
            if e.inputs.iter().all(|a| g.accepts(a)) {
                let srcs: Vec<Src> = e.inputs.iter().map(|a| g.src(a)).collect();
                let op = match &e.primitive {
                    Primitive::Unary(u) => KernelOp::Unary(u.op, srcs[0]),
                    Primitive::Binary(b) => KernelOp::Binary(b.op, srcs[0], srcs[1]),
                    Primitive::IntegerPow(p) => KernelOp::IntegerPow(p.y, srcs[0]),
                    _ => unreachable!(),
                };
                g.regs.insert(e.outvars[0].id, g.ops.len());
                g.reg_vars.push(e.outvars[0].clone());
                g.ops.push(op);
                g.eqns.push(i);
                continue;
            }
            flush(&mut cur, &last_read, &mut items);
            items.push(PlanItem::Eqn(i));
            continue;
        }
        // A full reduction of a register ends the group as its epilogue.
        if let (Primitive::Reduce(r), Some(g)) = (&e.primitive, cur.as_mut()) {
            let full = r.axes.len() == g.shape.len();
            let fusible_op = matches!(r.op, ReduceOp::Sum | ReduceOp::Max | ReduceOp::Min);
            if let (true, true, Atom::Var(v)) = (full, fusible_op, &e.inputs[0]) {
                if let Some(&reg) = g.regs.get(&v.id) {
                    g.reduction = Some((r.op, reg, e.outvars[0].clone()));
                    g.eqns.push(i);
                    flush(&mut cur, &last_read, &mut items);
                    continue;
                }
            }
        }
        flush(&mut cur, &last_read, &mut items);
        items.push(PlanItem::Eqn(i));
    }
    flush(&mut cur, &last_read, &mut items);
    items
}

fn flush(cur: &mut Option<Group>, last_read: &[usize], items: &mut Vec<PlanItem>) {
    let Some(g) = cur.take() else {
        return;
    };
    let end = *g.eqns.last().expect("groups are non-empty");
    if g.ops.len() == 1 && g.reduction.is_none() {
        items.push(PlanItem::Eqn(g.eqns[0]));
        return;
    }
    // Registers read after the group, or returned, are written out.
    let outputs: Vec<usize> = (0..g.ops.len())
        .filter(|&r| last_read[g.reg_vars[r].id] > end)
        .collect();
    let mut out_vars: Vec<Var> = outputs.iter().map(|&r| g.reg_vars[r].clone()).collect();
    let reduction = g.reduction.map(|(op, reg, v)| {
        out_vars.push(v);
        (op, reg)
    });
    let kernel = FusedKernel {
        size: g.shape.iter().product(),
        dtype: DType::F32,
        input_is_scalar: g.inputs.iter().map(|a| a.aval().ndim() == 0).collect(),
        ops: g.ops,
        outputs,
        reduction,
    };
    items.push(PlanItem::Fused {
        kernel,
        inputs: g.inputs,
        outputs: out_vars,
        eqns: g.eqns,
    });
}
