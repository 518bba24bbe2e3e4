//! Host functions that generated code calls for the operations it does not
//! render inline: each applies the eager kernel of the same operation to one
//! element, so the native tier gives the eager path's bits. A panic inside
//! one is caught (unwinding through generated code is not allowed), kept
//! in a thread-local, and resumed by the caller after the native function
//! returns.

use super::{scalar_bits, scalar_buffer};
use crate::backend::cpu::kernels::{self, Operand};
use crate::core::dtype::DType;
use crate::ir::typed::ScalarFn;
use crate::ir::{BinaryOp, UnaryOp};
use std::any::Any;
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

thread_local! {
    static PANIC: RefCell<Option<Box<dyn Any + Send>>> = const { RefCell::new(None) };
}

/// Runs `f`, catching a panic into the thread-local slot (returning 0).
fn guarded(f: impl FnOnce() -> u64) -> u64 {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(p) => {
            PANIC.with(|slot| {
                slot.borrow_mut().get_or_insert(p);
            });
            0
        }
    }
}

/// Resumes a panic caught in a host function during the last native call.
pub(super) fn resume_panic() {
    if let Some(p) = PANIC.with(|slot| slot.borrow_mut().take()) {
        std::panic::resume_unwind(p);
    }
}

/// Packs an operation index and a dtype into one code word.
pub(super) fn code(op: usize, dtype: DType) -> i64 {
    let d = DType::ALL
        .iter()
        .position(|&t| t == dtype)
        .expect("a real dtype");
    ((op << 8) | d) as i64
}

fn decode(code: u64) -> (usize, DType) {
    ((code >> 8) as usize, DType::ALL[(code & 0xff) as usize])
}

/// `op(x)` for a value of the dtype in `code`.
pub(super) extern "C" fn unary(code: u64, x: u64) -> u64 {
    guarded(|| {
        let (op, dtype) = decode(code);
        let op = UnaryOp::ALL[op];
        let out_dtype = if op == UnaryOp::IsFinite {
            DType::Bool
        } else {
            dtype
        };
        let mut out = scalar_buffer(out_dtype, 0);
        kernels::unary::run(op, dtype, &scalar_buffer(dtype, x), &mut out);
        scalar_bits(&out)
    })
}

/// `op(x, y)` for values of the dtype in `code`.
pub(super) extern "C" fn binary(code: u64, x: u64, y: u64) -> u64 {
    guarded(|| {
        let (op, dtype) = decode(code);
        let (a, b, mut out) = (
            scalar_buffer(dtype, x),
            scalar_buffer(dtype, y),
            scalar_buffer(dtype, 0),
        );
        let (a, b) = (
            Operand {
                buf: &a,
                scalar: false,
            },
            Operand {
                buf: &b,
                scalar: false,
            },
        );
        kernels::binary::run(BinaryOp::ALL[op], dtype, a, b, &mut out);
        scalar_bits(&out)
    })
}

/// `convert_element_type` of `x` from the dtype in `code` to the dtype
/// whose index is the code's operation field.
pub(super) extern "C" fn convert(code: u64, x: u64) -> u64 {
    guarded(|| {
        let (to, from) = decode(code);
        let to = DType::ALL[to];
        let mut out = scalar_buffer(to, 0);
        kernels::convert::run(from, to, &scalar_buffer(from, x), &mut out);
        scalar_bits(&out)
    })
}

/// A lowering-supplied function of scalars (`Inst::Call`); `site` points
/// at the `Arc<dyn ScalarFn>` the native loop owns, `args` at `n` values.
pub(super) extern "C" fn call(site: *const Arc<dyn ScalarFn>, args: *const u64, n: u64) -> u64 {
    guarded(|| {
        // SAFETY: `site` is the address of an `Arc` owned by the `NativeLoop`
        // whose code is running (it outlives the call), and `args` points
        // at the `n` values the generated code stored in its stack slot.
        let (f, args) = unsafe { (&*site, std::slice::from_raw_parts(args, n as usize)) };
        f.eval(args)
    })
}
