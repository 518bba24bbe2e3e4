//! Running control-flow primitives on buffers, and the compiled-body cache.
//!
//! Each body ([`SubJaxpr`]) is compiled once into a `CompiledBody` kept in
//! its own slot. Loops run in one of two tiers (`config::jit_tier`):
//! - the interpreter: the body's executable once per iteration; carries
//!   move from one iteration to the next as owned buffers, so a body that
//!   updates a carry with `dynamic_update_slice` does it in place;
//! - native code: the whole loop lowered to a typed program
//!   (`native_loop.rs`) and compiled by the CPU backend's Cranelift
//!   renderer, scalar carries in registers. Under `auto` the first runs use
//!   the interpreter while a background thread compiles; the machine code
//!   is swapped in when ready. A loop that does not lower, or fails to
//!   compile, stays on the interpreter (logged under `log_compiles`).

use super::executable::{Executable, Value};
use super::native_loop::{self, scalar_bits, scalar_buffer, LoweredLoop, OperandUse, ResultSource};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::native::{BufferArg, NativeLoop};
use crate::config::JitTier;
use crate::core::aval::ShapedArray;
use crate::core::jaxpr::ClosedJaxpr;
use crate::lax::control::{Cond, Scan, SubJaxpr, While};
use crate::lax::Primitive;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// What the compiler keeps in a body's slot.
pub(crate) struct CompiledBody {
    executable: Executable,
    /// The native form of the loop whose body this is.
    native: NativeSlot,
}

/// The native-tier state of one loop.
#[derive(Default)]
struct NativeSlot {
    started: AtomicBool,
    ready: OnceLock<Result<Arc<NativeProgram>, String>>,
}

/// A loop lowered and compiled to machine code.
struct NativeProgram {
    lowered: LoweredLoop,
    code: NativeLoop,
    /// For a `while`, the condition it was compiled with (the slot is the body's).
    cond: Option<SubJaxpr>,
}

fn compiled(sub: &SubJaxpr) -> &CompiledBody {
    sub.compiled(|j| CompiledBody {
        executable: super::compile(&ClosedJaxpr {
            jaxpr: j.clone(),
            consts: vec![],
        }),
        native: NativeSlot::default(),
    })
}

/// The executable of a control-flow body (compiled on first use).
pub(crate) fn executable(sub: &SubJaxpr) -> &Executable {
    &compiled(sub).executable
}

/// A loop primitive the native tier can compile.
#[derive(Clone)]
enum LoopPrim {
    While(While),
    Scan(Scan),
}

impl LoopPrim {
    fn slot(&self) -> &NativeSlot {
        match self {
            LoopPrim::While(w) => &compiled(&w.body).native,
            LoopPrim::Scan(s) => &compiled(&s.body).native,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            LoopPrim::While(_) => "while",
            LoopPrim::Scan(_) => "scan",
        }
    }

    /// Lowers and compiles; a panic anywhere in it becomes an error.
    fn build(&self) -> Result<Arc<NativeProgram>, String> {
        let attempt = catch_unwind(AssertUnwindSafe(|| {
            let (lowered, cond) = match self {
                LoopPrim::While(w) => (native_loop::lower_while(w)?, Some(w.cond.clone())),
                LoopPrim::Scan(s) => (native_loop::lower_scan(s)?, None),
            };
            let code = NativeLoop::compile(lowered.program.clone())?;
            Ok(Arc::new(NativeProgram {
                lowered,
                code,
                cond,
            }))
        }));
        let result = attempt.unwrap_or_else(|p| {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(format!("the compiler panicked: {msg}"))
        });
        if let Err(why) = &result {
            if crate::config::log_compiles() {
                eprintln!(
                    "jaxide: {} loop stays on the interpreter: {why}",
                    self.name()
                );
            }
        } else if crate::config::log_compiles() {
            eprintln!("jaxide: {} loop compiled to native code", self.name());
        }
        result
    }

    /// The native program to run now, if any (starting a background
    /// compile under the `auto` tier).
    fn native(&self) -> Option<Arc<NativeProgram>> {
        let slot = self.slot();
        let ready = match crate::config::jit_tier() {
            JitTier::Interp => return None,
            JitTier::Native => slot.ready.get_or_init(|| self.build()),
            JitTier::Auto => match slot.ready.get() {
                Some(r) => r,
                None => {
                    if !slot.started.swap(true, Ordering::AcqRel) {
                        let me = self.clone();
                        let spawned = std::thread::Builder::new()
                            .name("jaxide-compile".into())
                            .spawn(move || {
                                let r = me.build();
                                let _ = me.slot().ready.set(r);
                            });
                        if let Err(e) = spawned {
                            let _ = slot.ready.set(Err(format!("no compile thread: {e}")));
                        }
                    }
                    return None;
                }
            },
        };
        let prog = ready.as_ref().ok()?;
        match (self, &prog.cond) {
            (LoopPrim::While(w), Some(c)) if *c != w.cond => None,
            _ => Some(prog.clone()),
        }
    }

    /// Which tier the loop runs on now, for `describe()`.
    fn tier(&self) -> String {
        let slot = self.slot();
        match (crate::config::jit_tier(), slot.ready.get()) {
            (JitTier::Interp, _) => "interpreted (JAXIDE_JIT_TIER=interp)".into(),
            (_, Some(Ok(_))) => "native".into(),
            (_, Some(Err(why))) => format!("interpreted ({why})"),
            (_, None) if slot.started.load(Ordering::Acquire) => {
                "interpreted (native code compiling)".into()
            }
            (_, None) => "interpreted (native code not compiled yet)".into(),
        }
    }
}

/// The tier line shown by `Executable::describe` for a loop primitive.
pub(crate) fn describe_tier(p: &Primitive) -> Option<String> {
    match p {
        Primitive::While(w) => Some(LoopPrim::While(w.clone()).tier()),
        Primitive::Scan(s) => Some(LoopPrim::Scan(s.clone()).tier()),
        _ => None,
    }
}

/// Runs a control-flow primitive (`cond`, `while` or `scan`).
pub(crate) fn run(
    prim: &Primitive,
    args: Vec<Value<'_>>,
    out_avals: &[ShapedArray],
) -> Vec<Value<'static>> {
    match prim {
        Primitive::Scan(s) => run_scan(s, args, out_avals),
        Primitive::While(w) => run_while(w, args),
        Primitive::Cond(c) => run_cond(c, args),
        p => panic!(
            "internal error: {} is not a control-flow primitive",
            p.name()
        ),
    }
}

/// `cond`: runs the branch the (clamped) index selects.
fn run_cond(c: &Cond, mut args: Vec<Value<'_>>) -> Vec<Value<'static>> {
    let ops = args.split_off(1);
    let index = args[0].buffer().as_slice::<i32>()[0];
    let last = c.branches.len() as i32 - 1;
    let b = &c.branches[index.clamp(0, last) as usize];
    executable(b).run_values(ops)
}

/// `while`: evaluates the condition on the carry, runs the body while it holds.
fn run_while(w: &While, mut args: Vec<Value<'_>>) -> Vec<Value<'static>> {
    if let Some(prog) = LoopPrim::While(w.clone()).native() {
        return run_native(&prog, args);
    }
    let (cn, bn) = (w.cond_nconsts, w.body_nconsts);
    let mut carry = args.split_off(cn + bn);
    let body_consts = args.split_off(cn);
    let cond_consts = args;
    let (cond, body) = (executable(&w.cond), executable(&w.body));
    loop {
        let cargs: Vec<Value<'_>> = cond_consts
            .iter()
            .chain(&carry)
            .map(Value::borrow)
            .collect();
        let pred = cond.run_values(cargs);
        if pred[0].buffer().as_slice::<u8>()[0] == 0 {
            break;
        }
        let mut bargs: Vec<Value<'_>> = body_consts.iter().map(Value::borrow).collect();
        bargs.extend(std::mem::take(&mut carry));
        let next = body.run_values(bargs);
        carry = next.into_iter().map(|v| v as Value<'_>).collect();
    }
    carry.into_iter().map(Value::detach).collect()
}

/// `scan`: slices each `xs` per iteration, threads the carry, and writes
/// each iteration's `ys` into the stacked outputs.
fn run_scan(s: &Scan, mut args: Vec<Value<'_>>, out_avals: &[ShapedArray]) -> Vec<Value<'static>> {
    if let Some(prog) = LoopPrim::Scan(s.clone()).native() {
        return run_native(&prog, args);
    }
    let (nc, nk) = (s.num_consts, s.num_carry);
    let xs = args.split_off(nc + nk);
    let mut carry = args.split_off(nc);
    let consts = args;
    let body = executable(&s.body);
    let x_bytes: Vec<usize> = s.body.in_avals()[nc + nk..]
        .iter()
        .map(|a| a.size() * a.dtype.size_of())
        .collect();
    let mut ys: Vec<Buffer> = out_avals[nk..]
        .iter()
        .map(|a| Buffer::for_dtype(a.size(), a.dtype))
        .collect();
    for it in 0..s.length {
        let i = if s.reverse { s.length - 1 - it } else { it };
        let mut a: Vec<Value<'_>> = consts.iter().map(Value::borrow).collect();
        a.extend(std::mem::take(&mut carry));
        for (x, &n) in xs.iter().zip(&x_bytes) {
            let slice = &x.buffer().bytes()[i * n..(i + 1) * n];
            a.push(Value::Owned(Buffer::from_slice(slice)));
        }
        let mut outs = body.run_values(a).into_iter();
        carry = outs.by_ref().take(nk).map(|v| v as Value<'_>).collect();
        for (y, buf) in outs.zip(ys.iter_mut()) {
            let src = y.buffer().bytes();
            let n = src.len();
            buf.as_mut_slice::<u8>()[i * n..(i + 1) * n].copy_from_slice(src);
        }
    }
    carry
        .into_iter()
        .map(Value::detach)
        .chain(ys.into_iter().map(Value::Owned))
        .collect()
}

/// Runs a loop's machine code on the primitive's operands.
fn run_native(prog: &NativeProgram, mut args: Vec<Value<'_>>) -> Vec<Value<'static>> {
    let LoweredLoop {
        program,
        operands,
        results,
    } = &prog.lowered;
    let mut params = vec![0u64; program.params.len()];
    let mut carries = vec![0u64; program.carries.len()];
    let mut owned: Vec<Option<Buffer>> = (0..program.buffers.len()).map(|_| None).collect();
    let mut source: Vec<Option<usize>> = vec![None; program.buffers.len()];
    for (i, u) in operands.iter().enumerate() {
        match *u {
            OperandUse::Param(k) => params[k] = scalar_bits(args[i].buffer()),
            OperandUse::Carry(k) => carries[k] = scalar_bits(args[i].buffer()),
            OperandUse::Buffer(b) if program.buffers[b].writable => {
                // The loop's own copy of an array carry (the input itself
                // when the caller handed it over).
                let v = std::mem::replace(&mut args[i], Value::Empty);
                owned[b] = Some(v.into_buffer());
            }
            OperandUse::Buffer(b) => source[b] = Some(i),
        }
    }
    for r in results {
        if let ResultSource::Stacked(b) = *r {
            let d = program.buffers[b];
            owned[b] = Some(Buffer::for_dtype(d.len, d.dtype));
        }
    }
    {
        let mut bufs: Vec<BufferArg<'_>> = Vec::with_capacity(owned.len());
        for (b, o) in owned.iter_mut().enumerate() {
            bufs.push(match o {
                Some(buf) => BufferArg::Write(buf.as_mut_slice::<u8>()),
                None => {
                    let i = source[b].expect("internal error: a buffer without an operand");
                    BufferArg::Read(args[i].buffer().bytes())
                }
            });
        }
        prog.code.run(&params, &mut carries, &mut bufs);
    }
    results
        .iter()
        .map(|r| match *r {
            ResultSource::Carry(k) => Value::Owned(scalar_buffer(program.carries[k], carries[k])),
            ResultSource::ArrayCarry { buffer, operand } => match owned[buffer].take() {
                Some(b) => Value::Owned(b),
                None => std::mem::replace(&mut args[operand], Value::Empty).detach(),
            },
            ResultSource::Stacked(b) => Value::Owned(owned[b].take().expect("ys buffer")),
        })
        .collect()
}
