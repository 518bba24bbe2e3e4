//! Fusion: groups runs of elementwise equations over one shape into
//! [`FusedKernel`]s, the backend-neutral kernel IR of `crate::ir::kernel`,
//! which a backend runs blockwise.
//!
//! A group fuses float32 elementwise math (unary float ops, arithmetic
//! binary ops, `integer_pow`), comparisons and `select_n` (booleans as
//! masks), `convert_element_type` from `bool`, `not` on `bool`,
//! `broadcast_in_dim` of a float32 or `bool` operand into the group's shape
//! (read through strides, never materialized), rank-0 operands as broadcast
//! scalars, and a `reduce_sum`/`reduce_max`/`reduce_min` over a contiguous
//! run of axes that ends the group. Everything else runs as its own step.

use crate::core::dtype::DType;
use crate::core::jaxpr::{Atom, Jaxpr, JaxprEqn as Eqn, Var};
pub use crate::ir::kernel::{FusedKernel, KernelOp, Src};
use crate::ir::kernel::{KernelInput, KernelReduction, Layout};
use crate::ir::{BinaryOp, ReduceOp, UnaryOp};
use crate::lax::{FusionClass, Primitive};
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
    /// Run a native elementwise kernel (`native_fusion.rs`), made after
    /// planning from runs of single equations.
    Native {
        /// The compiled kernel.
        kernel: std::sync::Arc<super::native_fusion::NativeKernel>,
        /// Operands, one per kernel input.
        inputs: Vec<Atom>,
        /// Variables defined by the kernel (full outputs, then the reduction's).
        outputs: Vec<Var>,
        /// The equations it replaces.
        eqns: Vec<usize>,
        /// The plan items it replaces, run while its code is not compiled
        /// yet.
        fallback: Vec<PlanItem>,
    },
}

impl PlanItem {
    /// The operands the item reads.
    pub(crate) fn inputs<'a>(&'a self, j: &'a Jaxpr) -> &'a [Atom] {
        match self {
            PlanItem::Eqn(e) => &j.eqns[*e].inputs,
            PlanItem::Fused { inputs, .. } | PlanItem::Native { inputs, .. } => inputs,
        }
    }
}

/// Which plan items read each variable: whether a value defined inside a
/// run of items is needed outside it (so a kernel replacing the run must
/// write it out).
pub(crate) struct Readers {
    readers: HashMap<usize, Vec<usize>>,
    program_outputs: std::collections::HashSet<usize>,
}

impl Readers {
    /// The readers of every variable in `items`.
    pub(crate) fn new(j: &Jaxpr, items: &[PlanItem]) -> Readers {
        let mut readers: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            for a in item.inputs(j) {
                if let Atom::Var(v) = a {
                    readers.entry(v.id).or_default().push(i);
                }
            }
        }
        let program_outputs = j
            .outvars
            .iter()
            .filter_map(|a| match a {
                Atom::Var(v) => Some(v.id),
                _ => None,
            })
            .collect();
        Readers {
            readers,
            program_outputs,
        }
    }

    /// Whether `v` is a program output or read by an item outside `run`.
    pub(crate) fn escapes(&self, v: &Var, run: std::ops::Range<usize>) -> bool {
        self.program_outputs.contains(&v.id)
            || self
                .readers
                .get(&v.id)
                .is_some_and(|rs| rs.iter().any(|r| !run.contains(r)))
    }
}

/// The fused form of one equation, before its operands are resolved.
enum Candidate {
    Unary(UnaryOp),
    Binary(BinaryOp),
    IntegerPow(i32),
    Compare(crate::ir::CompareOp),
    Select,
    MaskToFloat,
    Not,
    Broadcast(Vec<usize>),
}

/// How equation `e` would fuse, if it can (reductions are handled apart).
/// The primitive's [`FusionClass`] rule decides first: only `Elementwise`
/// primitives (and `broadcast_in_dim`, a `Layout` one read through strides)
/// are candidates, and then only for the dtypes the kernel IR computes.
fn candidate(e: &Eqn) -> Option<Candidate> {
    let class = e.primitive.rules().fusion_class();
    let broadcast = matches!(e.primitive, Primitive::BroadcastInDim(_));
    if class != FusionClass::Elementwise && !(broadcast && class == FusionClass::Layout) {
        return None;
    }
    let out = &e.outvars[0].aval;
    let in0 = e.inputs.first()?.aval();
    let f32_out = out.dtype == DType::F32;
    Some(match &e.primitive {
        Primitive::Unary(u) if u.op == UnaryOp::Not && out.dtype == DType::Bool => Candidate::Not,
        // (`abs` of a complex64 is float32 too: only f32 inputs fuse.)
        Primitive::Unary(u)
            if f32_out
                && in0.dtype == DType::F32
                && !matches!(u.op, UnaryOp::IsFinite | UnaryOp::Not) =>
        {
            Candidate::Unary(u.op)
        }
        Primitive::Binary(b)
            if f32_out
                && matches!(
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
                ) =>
        {
            Candidate::Binary(b.op)
        }
        Primitive::IntegerPow(p) if f32_out => Candidate::IntegerPow(p.y),
        Primitive::Compare(c) if in0.dtype == DType::F32 => Candidate::Compare(c.op),
        Primitive::Select(_) if f32_out && e.inputs.len() == 3 && in0.dtype == DType::Bool => {
            Candidate::Select
        }
        Primitive::ConvertElementType(_) if f32_out && in0.dtype == DType::Bool => {
            Candidate::MaskToFloat
        }
        Primitive::BroadcastInDim(b) if matches!(in0.dtype, DType::F32 | DType::Bool) => {
            // Input strides per output axis: 0 where broadcast.
            let mut strides = vec![0usize; out.ndim()];
            let mut stride = 1;
            for (k, &d) in b.broadcast_dimensions.iter().enumerate().rev() {
                if in0.shape[k] != 1 {
                    strides[d] = stride;
                }
                stride *= in0.shape[k];
            }
            Candidate::Broadcast(strides)
        }
        _ => return None,
    })
}

struct Group {
    shape: Vec<usize>,
    eqns: Vec<usize>,
    /// Variable id → register.
    regs: HashMap<usize, usize>,
    /// Register → variable it defines (`None` for loads of external booleans).
    reg_vars: Vec<Option<Var>>,
    reg_dtypes: Vec<DType>,
    inputs: Vec<Atom>,
    kernel_inputs: Vec<KernelInput>,
    /// Variable id → direct input (float32, full or scalar).
    input_ids: HashMap<usize, usize>,
    /// Variable id → register loading that (boolean) input.
    loaded: HashMap<usize, usize>,
    ops: Vec<KernelOp>,
    reduction: Option<(KernelReduction, Var)>,
}

impl Group {
    fn new(shape: Vec<usize>) -> Group {
        Group {
            shape,
            eqns: Vec::new(),
            regs: HashMap::new(),
            reg_vars: Vec::new(),
            reg_dtypes: Vec::new(),
            inputs: Vec::new(),
            kernel_inputs: Vec::new(),
            input_ids: HashMap::new(),
            loaded: HashMap::new(),
            ops: Vec::new(),
            reduction: None,
        }
    }

    fn add_input(&mut self, a: &Atom, layout: Layout) -> usize {
        self.inputs.push(a.clone());
        self.kernel_inputs.push(KernelInput {
            dtype: a.aval().dtype,
            layout,
        });
        self.inputs.len() - 1
    }

    fn push_op(&mut self, op: KernelOp, var: Option<Var>, dtype: DType) -> usize {
        let r = self.ops.len();
        if let Some(v) = &var {
            self.regs.insert(v.id, r);
        }
        self.ops.push(op);
        self.reg_vars.push(var);
        self.reg_dtypes.push(dtype);
        r
    }

    /// Whether operand `a` can be read by this group.
    fn accepts(&self, a: &Atom) -> bool {
        if matches!(a, Atom::Var(v) if self.regs.contains_key(&v.id)) {
            return true;
        }
        let aval = a.aval();
        matches!(aval.dtype, DType::F32 | DType::Bool)
            && (aval.ndim() == 0 || aval.shape[..] == self.shape[..])
    }

    /// The source for operand `a` (accepted), adding it as an input if external.
    fn src(&mut self, a: &Atom) -> Src {
        let id = match a {
            Atom::Var(v) => Some(v.id),
            Atom::Literal(_) => None,
        };
        if let Some(id) = id {
            if let Some(&r) = self.regs.get(&id).or(self.loaded.get(&id)) {
                return Src::Reg(r);
            }
            if let Some(&i) = self.input_ids.get(&id) {
                return Src::Input(i);
            }
        }
        let aval = a.aval();
        let layout = if aval.ndim() == 0 {
            Layout::Scalar
        } else {
            Layout::Full
        };
        let i = self.add_input(a, layout);
        if aval.dtype == DType::Bool {
            let r = self.push_op(KernelOp::Load(i), None, DType::Bool);
            if let Some(id) = id {
                self.loaded.insert(id, r);
            }
            return Src::Reg(r);
        }
        if let Some(id) = id {
            self.input_ids.insert(id, i);
        }
        Src::Input(i)
    }

    /// Adds equation `i` (`e`, fusing as `c`); false if an operand cannot be read.
    fn add(&mut self, i: usize, e: &Eqn, c: Candidate) -> bool {
        let out = &e.outvars[0];
        if let Candidate::Broadcast(strides) = c {
            let x = &e.inputs[0];
            if matches!(x, Atom::Var(v) if self.regs.contains_key(&v.id)) {
                return false;
            }
            let layout = if x.aval().ndim() == 0 {
                Layout::Scalar
            } else {
                Layout::Broadcast { strides }
            };
            let k = self.add_input(x, layout);
            self.push_op(KernelOp::Load(k), Some(out.clone()), x.aval().dtype);
            self.eqns.push(i);
            return true;
        }
        if !e.inputs.iter().all(|a| self.accepts(a)) {
            return false;
        }
        let s: Vec<Src> = e.inputs.iter().map(|a| self.src(a)).collect();
        let (op, dtype) = match c {
            Candidate::Unary(u) => (KernelOp::Unary(u, s[0]), DType::F32),
            Candidate::Binary(b) => (KernelOp::Binary(b, s[0], s[1]), DType::F32),
            Candidate::IntegerPow(y) => (KernelOp::IntegerPow(y, s[0]), DType::F32),
            Candidate::Compare(c) => (KernelOp::Compare(c, s[0], s[1]), DType::Bool),
            Candidate::Select => (KernelOp::Select(s[0], s[1], s[2]), DType::F32),
            Candidate::MaskToFloat => (KernelOp::MaskToFloat(s[0]), DType::F32),
            Candidate::Not => (KernelOp::Not(s[0]), DType::Bool),
            Candidate::Broadcast(_) => unreachable!(),
        };
        self.push_op(op, Some(out.clone()), dtype);
        self.eqns.push(i);
        true
    }

    /// Whether `e` reads a value this group defines.
    fn reads_from(&self, e: &Eqn) -> bool {
        e.inputs
            .iter()
            .any(|a| matches!(a, Atom::Var(v) if self.regs.contains_key(&v.id)))
    }

    /// Ends the group with reduction equation `i` if it reduces one of its
    /// float registers over a contiguous run of axes.
    fn try_reduce(&mut self, i: usize, e: &Eqn) -> bool {
        if e.primitive.rules().fusion_class() != FusionClass::Reduction {
            return false;
        }
        let Primitive::Reduce(red) = &e.primitive else {
            return false;
        };
        let Atom::Var(v) = &e.inputs[0] else {
            return false;
        };
        let Some(&reg) = self.regs.get(&v.id) else {
            return false;
        };
        let axes = &red.axes;
        let contiguous = axes.windows(2).all(|w| w[1] == w[0] + 1);
        if !matches!(red.op, ReduceOp::Sum | ReduceOp::Max | ReduceOp::Min)
            || self.reg_dtypes[reg] != DType::F32
            || axes.is_empty()
            || !contiguous
        {
            return false;
        }
        let (first, last) = (axes[0], axes[axes.len() - 1]);
        let reduction = KernelReduction {
            op: red.op,
            reg,
            outer: self.shape[..first].iter().product(),
            r: self.shape[first..=last].iter().product(),
            inner: self.shape[last + 1..].iter().product(),
        };
        self.reduction = Some((reduction, e.outvars[0].clone()));
        self.eqns.push(i);
        true
    }
}

/// The order in which [`plan`] visits the equations: program order, except
/// that a fusible elementwise equation whose latest-defined operand comes
/// from a fusible equation of the same shape moves up to just after it.
/// Programs built leaf by leaf (an optimizer's update, say: every leaf's
/// moments, then every leaf's `-lr * u`, then every `p + u`) then fuse
/// each leaf's whole chain into one kernel. Every equation still follows
/// its operands' definitions.
fn fusion_order(j: &Jaxpr) -> Vec<usize> {
    let fusible =
        |e: &Eqn| candidate(e).is_some() && e.outvars.len() == 1 && e.outvars[0].aval.ndim() > 0;
    let mut def = HashMap::new();
    for (i, e) in j.eqns.iter().enumerate() {
        for v in &e.outvars {
            def.insert(v.id, i);
        }
    }
    let mut order: Vec<usize> = Vec::with_capacity(j.eqns.len());
    let mut pos = vec![0usize; j.eqns.len()];
    for (i, e) in j.eqns.iter().enumerate() {
        let latest = e
            .inputs
            .iter()
            .filter_map(|a| match a {
                Atom::Var(v) => def.get(&v.id).copied(),
                Atom::Literal(_) => None,
            })
            .max_by_key(|&p| pos[p]);
        let same_group = |q: usize| {
            fusible(&j.eqns[q]) && j.eqns[q].outvars[0].aval.shape == e.outvars[0].aval.shape
        };
        // Only when something that ends the group lies in between (looking
        // a bounded distance ahead; a longer run fuses as it is).
        let hoist = latest.filter(|&p| {
            fusible(e)
                && same_group(p)
                && order[pos[p] + 1..].iter().take(64).any(|&q| !same_group(q))
        });
        match hoist {
            Some(p) => {
                let at = pos[p] + 1;
                order.insert(at, i);
                for (k, &q) in order.iter().enumerate().skip(at) {
                    pos[q] = k;
                }
            }
            None => {
                pos[i] = order.len();
                order.push(i);
            }
        }
    }
    order
}

/// Plans `j`: fused kernels for runs of fusible equations, single steps otherwise.
pub fn plan(j: &Jaxpr) -> Vec<PlanItem> {
    let order = fusion_order(j);
    // Each equation's place in that order.
    let mut pos = vec![0usize; j.eqns.len()];
    for (k, &i) in order.iter().enumerate() {
        pos[i] = k;
    }
    // The place of the last equation reading each variable (MAX: an output).
    let mut last_read = vec![0usize; j.num_vars()];
    for (i, e) in j.eqns.iter().enumerate() {
        for a in &e.inputs {
            if let Atom::Var(v) = a {
                last_read[v.id] = last_read[v.id].max(pos[i]);
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
    let flush =
        |cur: &mut Option<Group>, items: &mut Vec<PlanItem>| flush(cur, &last_read, &pos, items);
    for &i in &order {
        let e = &j.eqns[i];
        let out = &e.outvars[0].aval;
        if let Some(c) = candidate(e).filter(|_| out.ndim() > 0 && e.outvars.len() == 1) {
            if cur.as_ref().is_some_and(|g| g.shape[..] != out.shape[..]) {
                flush(&mut cur, &mut items);
            }
            let g = cur.get_or_insert_with(|| Group::new(out.shape.to_vec()));
            if g.add(i, e, c) {
                continue;
            }
            flush(&mut cur, &mut items);
            items.push(PlanItem::Eqn(i));
            continue;
        }
        if cur.as_mut().is_some_and(|g| g.try_reduce(i, e)) {
            flush(&mut cur, &mut items);
            continue;
        }
        // An equation independent of the open group runs before it, so
        // unrelated steps (a slice of a parameter, say) do not split a chain.
        if cur.as_ref().is_some_and(|g| !g.reads_from(e)) {
            items.push(PlanItem::Eqn(i));
            continue;
        }
        flush(&mut cur, &mut items);
        items.push(PlanItem::Eqn(i));
    }
    flush(&mut cur, &mut items);
    items
}

fn flush(cur: &mut Option<Group>, last_read: &[usize], pos: &[usize], items: &mut Vec<PlanItem>) {
    let Some(g) = cur.take() else {
        return;
    };
    let end = pos[*g.eqns.last().expect("groups are non-empty")];
    if g.eqns.len() == 1 && g.reduction.is_none() {
        items.push(PlanItem::Eqn(g.eqns[0]));
        return;
    }
    // Registers read after the group, or returned, are written out.
    let mut outputs = Vec::new();
    let mut out_vars = Vec::new();
    for (r, v) in g.reg_vars.iter().enumerate() {
        if let Some(v) = v.as_ref().filter(|v| last_read[v.id] > end) {
            outputs.push((r, g.reg_dtypes[r]));
            out_vars.push(v.clone());
        }
    }
    let reduction = g.reduction.map(|(red, v)| {
        out_vars.push(v);
        red
    });
    let kernel = FusedKernel {
        shape: g.shape,
        inputs: g.kernel_inputs,
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
