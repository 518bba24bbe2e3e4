//! Translation of a [`LoopProgram`] into one Cranelift function
//! `fn(params: *const u64, carries: *mut u64, buffers: *const *mut u8)`.
//!
//! Inline: IEEE `+ - * /`, `sqrt`, `abs`, `neg`, rounding and comparisons
//! of f32/f64; integer arithmetic with XLA's division semantics, bitwise
//! ops, min/max and comparisons; selects; conversions whose result Rust's
//! `as` defines the same way. Everything else calls the eager kernel of
//! the same operation on one element (`host.rs`).

use super::host;
use crate::core::dtype::DType;
use crate::ir::typed::{width_mask, Inst, LoopKind, LoopProgram, ScalarFn, Value};
use crate::ir::{BinaryOp, CompareOp, UnaryOp};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    types, AbiParam, InstBuilder, MemFlagsData, Signature, StackSlotData, StackSlotKind, Type,
};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};
use std::sync::Arc;

type ClValue = cranelift_codegen::ir::Value;

/// Compiles `p` into a new module; returns it with the function's address.
pub(super) fn render(
    p: &LoopProgram,
    calls: &[Arc<dyn ScalarFn>],
) -> Result<(JITModule, *const u8), String> {
    let err = |e: &dyn std::fmt::Display| format!("cranelift: {e}");
    let mut flags = settings::builder();
    for (k, v) in [
        ("use_colocated_libcalls", "false"),
        ("is_pic", "false"),
        ("opt_level", "speed"),
    ] {
        flags.set(k, v).map_err(|e| err(&e))?;
    }
    let isa = cranelift_native::builder()
        .map_err(|m| format!("this host is not supported by Cranelift: {m}"))?
        .finish(settings::Flags::new(flags))
        .map_err(|e| err(&e))?;
    let call_conv = isa.default_call_conv();
    let mut module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));
    let ptr = module.target_config().pointer_type();
    let mut ctx = module.make_context();
    ctx.func.signature = Signature::new(call_conv);
    ctx.func.signature.params = vec![AbiParam::new(ptr); 3];
    let mut fctx = FunctionBuilderContext::new();
    let b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
    let mut r = Renderer {
        b,
        p,
        ptr,
        call_conv,
        vals: vec![None; p.insts.len()],
        carry_vars: vec![],
        step: None,
        bufs: vec![],
        params_ptr: None,
        call_sites: call_sites(p, calls),
    };
    r.function()?;
    let config = module.target_config();
    r.b.finalize(config);
    let id = module
        .declare_function("jaxide_loop", Linkage::Export, &ctx.func.signature)
        .map_err(|e| err(&e))?;
    module.define_function(id, &mut ctx).map_err(|e| err(&e))?;
    if let Ok(path) = std::env::var("JAXIDE_NATIVE_DUMP") {
        if let Some(code) = ctx.compiled_code() {
            let _ = std::fs::write(path, code.code_buffer());
        }
    }
    module.clear_context(&mut ctx);
    module.finalize_definitions().map_err(|e| err(&e))?;
    let addr = module.get_finalized_function(id);
    Ok((module, addr))
}

/// For each instruction, the address of its call site (for `Inst::Call`).
fn call_sites(p: &LoopProgram, calls: &[Arc<dyn ScalarFn>]) -> Vec<Option<i64>> {
    let mut next = calls.iter();
    p.insts
        .iter()
        .map(|t| match t.inst {
            Inst::Call(..) => next.next().map(|b| b as *const Arc<dyn ScalarFn> as i64),
            _ => None,
        })
        .collect()
}

/// The Cranelift type holding a value of `d` (`bool` as `i8` 0/1; f16 and
/// bf16 as their bits).
fn cl_type(d: DType) -> Result<Type, String> {
    Ok(match d {
        DType::Bool | DType::I8 | DType::U8 => types::I8,
        DType::I16 | DType::U16 | DType::F16 | DType::BF16 => types::I16,
        DType::I32 | DType::U32 => types::I32,
        DType::I64 | DType::U64 => types::I64,
        DType::F32 => types::F32,
        DType::F64 => types::F64,
        other => return Err(format!("{} values are not supported", other.name())),
    })
}

fn is_native_float(d: DType) -> bool {
    matches!(d, DType::F32 | DType::F64)
}

fn is_half(d: DType) -> bool {
    matches!(d, DType::F16 | DType::BF16)
}

/// `v` truncated to the width of `d`, as Cranelift's immediates expect.
fn imm(d: DType, v: u64) -> i64 {
    (v & width_mask(d)) as i64
}

struct Renderer<'a, 'b> {
    b: FunctionBuilder<'b>,
    p: &'a LoopProgram,
    ptr: Type,
    call_conv: CallConv,
    vals: Vec<Option<ClValue>>,
    carry_vars: Vec<Variable>,
    step: Option<Variable>,
    bufs: Vec<ClValue>,
    params_ptr: Option<ClValue>,
    call_sites: Vec<Option<i64>>,
}

impl Renderer<'_, '_> {
    fn function(&mut self) -> Result<(), String> {
        let p = self.p;
        let flags = MemFlagsData::trusted();
        let entry = self.b.create_block();
        let header = self.b.create_block();
        let body = self.b.create_block();
        let exit = self.b.create_block();
        self.b.append_block_params_for_function_params(entry);
        self.b.switch_to_block(entry);
        let args = self.b.block_params(entry).to_vec();
        let (params_ptr, carries_ptr, bufs_ptr) = (args[0], args[1], args[2]);
        self.params_ptr = Some(params_ptr);
        for (k, &d) in p.carries.iter().enumerate() {
            let ty = cl_type(d)?;
            let var = self.b.declare_var(ty);
            let v = self.b.ins().load(ty, flags, carries_ptr, 8 * k as i32);
            self.b.def_var(var, v);
            self.carry_vars.push(var);
        }
        for k in 0..p.buffers.len() {
            let v = self.b.ins().load(self.ptr, flags, bufs_ptr, 8 * k as i32);
            self.bufs.push(v);
        }
        let mut range_end = None;
        match p.kind {
            LoopKind::Counted { .. } => {
                let var = self.b.declare_var(types::I64);
                let zero = self.b.ins().iconst(types::I64, 0);
                self.b.def_var(var, zero);
                self.step = Some(var);
            }
            LoopKind::Range { start, end } => {
                let var = self.b.declare_var(types::I64);
                let s = self
                    .b
                    .ins()
                    .load(types::I64, flags, params_ptr, 8 * start as i32);
                range_end = Some(
                    self.b
                        .ins()
                        .load(types::I64, flags, params_ptr, 8 * end as i32),
                );
                self.b.def_var(var, s);
                self.step = Some(var);
            }
            LoopKind::While { .. } => {}
        }
        self.region(&p.entry)?;
        self.b.ins().jump(header, &[]);

        self.b.switch_to_block(header);
        match p.kind {
            LoopKind::While { pred } => {
                self.region(&p.cond)?;
                let c = self.val(pred)?;
                self.b.ins().brif(c, body, &[], exit, &[]);
            }
            LoopKind::Counted { length, .. } => {
                let s = self.b.use_var(self.step.expect("counted loop"));
                let c = self
                    .b
                    .ins()
                    .icmp_imm_s(IntCC::SignedLessThan, s, length as i64);
                self.b.ins().brif(c, body, &[], exit, &[]);
            }
            LoopKind::Range { .. } => {
                let s = self.b.use_var(self.step.expect("range loop"));
                let end = range_end.expect("range end");
                let c = self.b.ins().icmp(IntCC::SignedLessThan, s, end);
                self.b.ins().brif(c, body, &[], exit, &[]);
            }
        }

        self.b.switch_to_block(body);
        self.region(&p.body)?;
        let next: Vec<ClValue> = p
            .next
            .iter()
            .map(|&v| self.val(v))
            .collect::<Result<_, _>>()?;
        for (k, v) in next.into_iter().enumerate() {
            self.b.def_var(self.carry_vars[k], v);
        }
        if let Some(step) = self.step {
            let s = self.b.use_var(step);
            let s1 = self.b.ins().iadd_imm_s(s, 1);
            self.b.def_var(step, s1);
        }
        self.b.ins().jump(header, &[]);

        self.b.switch_to_block(exit);
        for k in 0..p.carries.len() {
            let v = self.b.use_var(self.carry_vars[k]);
            self.b.ins().store(flags, v, carries_ptr, 8 * k as i32);
        }
        self.b.ins().return_(&[]);
        self.b.seal_all_blocks();
        Ok(())
    }

    fn val(&self, v: Value) -> Result<ClValue, String> {
        self.vals[v.0 as usize].ok_or_else(|| format!("%{} has no value", v.0))
    }

    fn region(&mut self, values: &[Value]) -> Result<(), String> {
        for &v in values {
            let out = self.inst(v)?;
            self.vals[v.0 as usize] = out;
        }
        Ok(())
    }

    fn inst(&mut self, v: Value) -> Result<Option<ClValue>, String> {
        let p = self.p;
        let t = &p.insts[v.0 as usize];
        let d = t.dtype;
        let ty = cl_type(d)?;
        let flags = MemFlagsData::trusted();
        let out = match &t.inst {
            Inst::Param(i) => {
                let base = self.params_ptr.expect("params pointer");
                self.b.ins().load(ty, flags, base, 8 * *i as i32)
            }
            Inst::Const(bits) => match d {
                DType::F32 => self.b.ins().f32const(f32::from_bits(*bits as u32)),
                DType::F64 => self.b.ins().f64const(f64::from_bits(*bits)),
                _ => self.b.ins().iconst(ty, imm(d, *bits)),
            },
            Inst::Carry(k) => self.b.use_var(self.carry_vars[*k]),
            Inst::LoopIndex => {
                let s = self
                    .b
                    .use_var(self.step.ok_or("loop index outside a counted loop")?);
                match p.kind {
                    LoopKind::Counted {
                        length,
                        reverse: true,
                    } => {
                        let last = self.b.ins().iconst(types::I64, length as i64 - 1);
                        self.b.ins().isub(last, s)
                    }
                    _ => s,
                }
            }
            Inst::Unary(op, a) => {
                let a = self.val(*a)?;
                self.unary(*op, d, a)?
            }
            Inst::Binary(op @ (BinaryOp::Div | BinaryOp::Rem), a, b)
                if d.is_int() && self.safe_divisor(*b, d) =>
            {
                // A constant divisor that is neither 0 nor -1 needs no
                // guards, and Cranelift turns the division into a multiply.
                let (a, b) = (self.val(*a)?, self.val(*b)?);
                match (*op, d.is_signed_int()) {
                    (BinaryOp::Div, true) => self.b.ins().sdiv(a, b),
                    (BinaryOp::Div, false) => self.b.ins().udiv(a, b),
                    (_, true) => self.b.ins().srem(a, b),
                    (_, false) => self.b.ins().urem(a, b),
                }
            }
            Inst::Binary(op, a, b) => {
                let (a, b) = (self.val(*a)?, self.val(*b)?);
                self.binary(*op, d, a, b)?
            }
            Inst::Compare(op, a, b) => {
                let from = p.dtype(*a);
                let (a, b) = (self.val(*a)?, self.val(*b)?);
                self.compare(*op, from, a, b)?
            }
            Inst::Select {
                pred,
                on_false,
                on_true,
            } => {
                let (c, f, t) = (self.val(*pred)?, self.val(*on_false)?, self.val(*on_true)?);
                self.b.ins().select(c, t, f)
            }
            Inst::Convert(a) => {
                let from = p.dtype(*a);
                let a = self.val(*a)?;
                self.convert(from, d, a)?
            }
            Inst::Call(_, args) => {
                let site = self.call_sites[v.0 as usize].ok_or("call without a site")?;
                let n = args.len().max(1);
                let slot = self.b.create_sized_stack_slot(StackSlotData::new(
                    StackSlotKind::ExplicitSlot,
                    8 * n as u32,
                    3,
                ));
                for (k, &a) in args.iter().enumerate() {
                    let bits = self.value_bits(self.val(a)?, p.dtype(a))?;
                    self.b
                        .ins()
                        .stack_store(types::I64, bits, slot, 8 * k as i32);
                }
                let addr = self.b.ins().stack_addr(self.ptr, slot, 0);
                let site = self.b.ins().iconst(self.ptr, site);
                let count = self.b.ins().iconst(types::I64, args.len() as i64);
                let r = self.host(host::call as *const () as usize, &[site, addr, count]);
                self.bits_value(r, d)?
            }
            Inst::Load { buffer, index } => {
                let addr = self.element(*buffer, *index)?;
                self.b.ins().load(ty, flags, addr, 0)
            }
            Inst::Store {
                buffer,
                index,
                value,
            } => {
                let addr = self.element(*buffer, *index)?;
                let x = self.val(*value)?;
                self.b.ins().store(flags, x, addr, 0);
                return Ok(None);
            }
        };
        Ok(Some(out))
    }

    /// Whether `v` is a constant divisor of `d` other than 0 and (for
    /// signed types) -1: dividing by it cannot trap.
    fn safe_divisor(&self, v: Value, d: DType) -> bool {
        match self.p.insts[v.0 as usize].inst {
            Inst::Const(bits) => {
                let mask = width_mask(d);
                let bits = bits & mask;
                bits != 0 && !(d.is_signed_int() && bits == mask)
            }
            _ => false,
        }
    }

    /// The address of element `index` of `buffer`, the index clamped into it.
    fn element(&mut self, buffer: usize, index: Value) -> Result<ClValue, String> {
        let decl = self.p.buffers[buffer];
        if decl.len == 0 {
            return Err("an empty buffer cannot be indexed".into());
        }
        let i = self.val(index)?;
        let last = self.b.ins().iconst(types::I64, decl.len as i64 - 1);
        let i = self.b.ins().umin(i, last);
        let off = self.b.ins().imul_imm_s(i, decl.dtype.size_of() as i64);
        Ok(self.b.ins().iadd(self.bufs[buffer], off))
    }

    /// Calls host function `f` (all arguments and the result `i64`).
    fn host(&mut self, f: usize, args: &[ClValue]) -> ClValue {
        let mut sig = Signature::new(self.call_conv);
        for a in args {
            let ty = self.b.func.dfg.value_type(*a);
            sig.params.push(AbiParam::new(ty));
        }
        sig.returns.push(AbiParam::new(types::I64));
        let sig = self.b.import_signature(sig);
        let callee = self.b.ins().iconst(self.ptr, f as i64);
        let call = self.b.ins().call_indirect(sig, callee, args);
        self.b.inst_results(call)[0]
    }

    fn host_code(&mut self, f: usize, code: i64, args: &[ClValue]) -> ClValue {
        let code = self.b.ins().iconst(types::I64, code);
        let mut all = vec![code];
        all.extend_from_slice(args);
        self.host(f, &all)
    }

    /// `v` (of `d`) as the low bits of an `i64`.
    fn value_bits(&mut self, v: ClValue, d: DType) -> Result<ClValue, String> {
        let ins = self.b.ins();
        Ok(match cl_type(d)? {
            types::F32 => {
                let i = ins.bitcast(types::I32, MemFlagsData::new(), v);
                self.b.ins().uextend(types::I64, i)
            }
            types::F64 => ins.bitcast(types::I64, MemFlagsData::new(), v),
            types::I64 => v,
            _ => ins.uextend(types::I64, v),
        })
    }

    /// The low bits of an `i64` as a value of `d`.
    fn bits_value(&mut self, v: ClValue, d: DType) -> Result<ClValue, String> {
        let ins = self.b.ins();
        Ok(match cl_type(d)? {
            types::F32 => {
                let i = ins.ireduce(types::I32, v);
                self.b.ins().bitcast(types::F32, MemFlagsData::new(), i)
            }
            types::F64 => ins.bitcast(types::F64, MemFlagsData::new(), v),
            types::I64 => v,
            ty => ins.ireduce(ty, v),
        })
    }

    fn host_unary(&mut self, op: UnaryOp, d: DType, a: ClValue) -> Result<ClValue, String> {
        let index = UnaryOp::ALL.iter().position(|&u| u == op).expect("op");
        let x = self.value_bits(a, d)?;
        let r = self.host_code(
            host::unary as *const () as usize,
            host::code(index, d),
            &[x],
        );
        self.bits_value(r, d)
    }

    fn host_binary(
        &mut self,
        op: BinaryOp,
        d: DType,
        a: ClValue,
        b: ClValue,
    ) -> Result<ClValue, String> {
        let index = BinaryOp::ALL.iter().position(|&u| u == op).expect("op");
        let (x, y) = (self.value_bits(a, d)?, self.value_bits(b, d)?);
        let r = self.host_code(
            host::binary as *const () as usize,
            host::code(index, d),
            &[x, y],
        );
        self.bits_value(r, d)
    }

    fn unary(&mut self, op: UnaryOp, d: DType, a: ClValue) -> Result<ClValue, String> {
        use UnaryOp::*;
        if is_half(d) || op == IsFinite {
            return Err(format!(
                "{} on {} is lowered to a call",
                op.name(),
                d.name()
            ));
        }
        let ins = self.b.ins();
        Ok(match (op, d) {
            (Not, DType::Bool) => ins.bxor_imm_s(a, 1),
            (_, DType::Bool) => return Err(format!("{} on bool", op.name())),
            (Neg, _) if is_native_float(d) => ins.fneg(a),
            (Abs, _) if is_native_float(d) => ins.fabs(a),
            (Sqrt, _) if is_native_float(d) => ins.sqrt(a),
            (Floor, _) if is_native_float(d) => ins.floor(a),
            (Ceil, _) if is_native_float(d) => ins.ceil(a),
            (Round, _) if is_native_float(d) => ins.nearest(a),
            (Square, _) if is_native_float(d) => ins.fmul(a, a),
            (_, _) if is_native_float(d) => self.host_unary(op, d, a)?,
            (Neg, _) => ins.ineg(a),
            (Abs, _) if d.is_signed_int() => ins.iabs(a),
            (Abs, _) => a,
            (Not, _) => ins.bnot(a),
            (Square, _) => ins.imul(a, a),
            (Sign, _) => {
                let ty = cl_type(d)?;
                let zero = self.b.ins().iconst(ty, 0);
                let one = self.b.ins().iconst(ty, 1);
                let pos = if d.is_signed_int() {
                    self.b.ins().icmp(IntCC::SignedGreaterThan, a, zero)
                } else {
                    self.b.ins().icmp(IntCC::NotEqual, a, zero)
                };
                let pos = self.b.ins().select(pos, one, zero);
                if d.is_signed_int() {
                    let minus = self.b.ins().iconst(ty, imm(d, u64::MAX));
                    let neg = self.b.ins().icmp(IntCC::SignedLessThan, a, zero);
                    self.b.ins().select(neg, minus, pos)
                } else {
                    pos
                }
            }
            _ => return Err(format!("{} on {}", op.name(), d.name())),
        })
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        d: DType,
        a: ClValue,
        b: ClValue,
    ) -> Result<ClValue, String> {
        use BinaryOp::*;
        if is_half(d) {
            return Err(format!(
                "{} on {} is lowered to a call",
                op.name(),
                d.name()
            ));
        }
        let ins = self.b.ins();
        if is_native_float(d) {
            return Ok(match op {
                Add => ins.fadd(a, b),
                Sub => ins.fsub(a, b),
                Mul => ins.fmul(a, b),
                Div => ins.fdiv(a, b),
                _ => self.host_binary(op, d, a, b)?,
            });
        }
        if d == DType::Bool {
            return Ok(match op {
                Add | Max | Or => ins.bor(a, b),
                Mul | Min | And => ins.band(a, b),
                Xor => ins.bxor(a, b),
                _ => return Err(format!("{} on bool", op.name())),
            });
        }
        let signed = d.is_signed_int();
        Ok(match op {
            Add => ins.iadd(a, b),
            Sub => ins.isub(a, b),
            Mul => ins.imul(a, b),
            And => ins.band(a, b),
            Or => ins.bor(a, b),
            Xor => ins.bxor(a, b),
            Max if signed => ins.smax(a, b),
            Max => ins.umax(a, b),
            Min if signed => ins.smin(a, b),
            Min => ins.umin(a, b),
            Div | Rem => self.int_div(op == Div, d, a, b)?,
            ShiftLeft | ShiftRightArithmetic | ShiftRightLogical => {
                self.host_binary(op, d, a, b)?
            }
            Pow | Atan2 => return Err(format!("{} on {}", op.name(), d.name())),
        })
    }

    /// XLA's integer division: `x / 0` is all ones, `x % 0` is `x`, and
    /// `MIN / -1` wraps to `MIN` with remainder 0.
    fn int_div(&mut self, div: bool, d: DType, x: ClValue, y: ClValue) -> Result<ClValue, String> {
        let ty = cl_type(d)?;
        let signed = d.is_signed_int();
        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
        let bad = if signed {
            let bits = 8 * d.size_of() as u32;
            let min = self.b.ins().iconst(ty, imm(d, 1u64 << (bits - 1)));
            let minus_one = self.b.ins().iconst(ty, imm(d, u64::MAX));
            let xm = self.b.ins().icmp(IntCC::Equal, x, min);
            let ym = self.b.ins().icmp(IntCC::Equal, y, minus_one);
            let ovf = self.b.ins().band(xm, ym);
            self.b.ins().bor(zero, ovf)
        } else {
            zero
        };
        let one = self.b.ins().iconst(ty, 1);
        let safe = self.b.ins().select(bad, one, y);
        Ok(if div {
            let q = if signed {
                self.b.ins().sdiv(x, safe)
            } else {
                self.b.ins().udiv(x, safe)
            };
            let ones = self.b.ins().iconst(ty, imm(d, u64::MAX));
            self.b.ins().select(zero, ones, q)
        } else {
            let r = if signed {
                self.b.ins().srem(x, safe)
            } else {
                self.b.ins().urem(x, safe)
            };
            self.b.ins().select(zero, x, r)
        })
    }

    fn compare(
        &mut self,
        op: CompareOp,
        d: DType,
        a: ClValue,
        b: ClValue,
    ) -> Result<ClValue, String> {
        use CompareOp::*;
        if is_half(d) {
            return Err(format!(
                "{} on {} is lowered to a call",
                op.name(),
                d.name()
            ));
        }
        if is_native_float(d) {
            let cc = match op {
                Eq => FloatCC::Equal,
                Ne => FloatCC::NotEqual,
                Lt => FloatCC::LessThan,
                Le => FloatCC::LessThanOrEqual,
                Gt => FloatCC::GreaterThan,
                Ge => FloatCC::GreaterThanOrEqual,
            };
            return Ok(self.b.ins().fcmp(cc, a, b));
        }
        let signed = d.is_signed_int();
        let cc = match (op, signed) {
            (Eq, _) => IntCC::Equal,
            (Ne, _) => IntCC::NotEqual,
            (Lt, true) => IntCC::SignedLessThan,
            (Le, true) => IntCC::SignedLessThanOrEqual,
            (Gt, true) => IntCC::SignedGreaterThan,
            (Ge, true) => IntCC::SignedGreaterThanOrEqual,
            (Lt, false) => IntCC::UnsignedLessThan,
            (Le, false) => IntCC::UnsignedLessThanOrEqual,
            (Gt, false) => IntCC::UnsignedGreaterThan,
            (Ge, false) => IntCC::UnsignedGreaterThanOrEqual,
        };
        Ok(self.b.ins().icmp(cc, a, b))
    }

    fn convert(&mut self, from: DType, to: DType, a: ClValue) -> Result<ClValue, String> {
        if from == to {
            return Ok(a);
        }
        if is_half(from) || is_half(to) {
            return Err("f16/bf16 conversions are lowered to calls".into());
        }
        let (fty, tty) = (cl_type(from)?, cl_type(to)?);
        let float_from = is_native_float(from);
        let float_to = is_native_float(to);
        if to == DType::Bool {
            return Ok(if float_from {
                let z = if from == DType::F32 {
                    self.b.ins().f32const(0.0)
                } else {
                    self.b.ins().f64const(0.0)
                };
                self.b.ins().fcmp(FloatCC::NotEqual, a, z)
            } else {
                self.b.ins().icmp_imm_s(IntCC::NotEqual, a, 0)
            });
        }
        let signed_from = from.is_signed_int();
        Ok(match (float_from, float_to) {
            (true, true) if from == DType::F32 => self.b.ins().fpromote(tty, a),
            (true, true) => self.b.ins().fdemote(tty, a),
            (false, true) => {
                let wide = if fty.bits() < 32 {
                    if signed_from {
                        self.b.ins().sextend(types::I32, a)
                    } else {
                        self.b.ins().uextend(types::I32, a)
                    }
                } else {
                    a
                };
                if signed_from {
                    self.b.ins().fcvt_from_sint(tty, wide)
                } else {
                    self.b.ins().fcvt_from_uint(tty, wide)
                }
            }
            (true, false) => match to {
                DType::I32 | DType::I64 => self.b.ins().fcvt_to_sint_sat(tty, a),
                DType::U32 | DType::U64 => self.b.ins().fcvt_to_uint_sat(tty, a),
                _ => {
                    let x = self.value_bits(a, from)?;
                    let index = DType::ALL.iter().position(|&t| t == to).expect("dtype");
                    let r = self.host_code(
                        host::convert as *const () as usize,
                        host::code(index, from),
                        &[x],
                    );
                    self.bits_value(r, to)?
                }
            },
            (false, false) => {
                let (fb, tb) = (fty.bits(), tty.bits());
                if tb < fb {
                    self.b.ins().ireduce(tty, a)
                } else if tb == fb {
                    a
                } else if signed_from {
                    self.b.ins().sextend(tty, a)
                } else {
                    self.b.ins().uextend(tty, a)
                }
            }
        })
    }
}
