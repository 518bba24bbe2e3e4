//! Hand-built loop programs through the Cranelift renderer.

use super::{BufferArg, NativeLoop};
use crate::core::dtype::DType;
use crate::ir::typed::{BufferDecl, Inst, LoopKind, LoopProgram, Typed, Value};
use crate::ir::{BinaryOp, CompareOp, UnaryOp};

/// Builds programs instruction by instruction.
struct B {
    p: LoopProgram,
}

impl B {
    fn new(kind: LoopKind) -> B {
        B {
            p: LoopProgram::new(kind),
        }
    }
    fn push(&mut self, region: u8, inst: Inst, dtype: DType) -> Value {
        let v = Value(self.p.insts.len() as u32);
        self.p.insts.push(Typed { inst, dtype });
        match region {
            0 => self.p.entry.push(v),
            1 => self.p.cond.push(v),
            _ => self.p.body.push(v),
        }
        v
    }
}

#[test]
fn counted_loop_sums_its_index_and_stores_into_a_buffer() {
    let mut b = B::new(LoopKind::Counted {
        length: 10,
        reverse: true,
    });
    b.p.carries = vec![DType::I64];
    b.p.buffers = vec![BufferDecl {
        dtype: DType::F32,
        len: 4,
        writable: true,
    }];
    let acc = b.push(2, Inst::Carry(0), DType::I64);
    let i = b.push(2, Inst::LoopIndex, DType::I64);
    let s = b.push(2, Inst::Binary(BinaryOp::Add, acc, i), DType::I64);
    let f = b.push(2, Inst::Convert(i), DType::F32);
    // Index 9 is clamped to the last element.
    b.push(
        2,
        Inst::Store {
            buffer: 0,
            index: i,
            value: f,
        },
        DType::Bool,
    );
    b.p.next = vec![s];
    let native = NativeLoop::compile(b.p).expect("compiles");
    let mut carries = [5u64];
    let mut buf = vec![0u8; 16];
    native.run(&[], &mut carries, &mut [BufferArg::Write(&mut buf)]);
    assert_eq!(carries[0], 5 + 45);
    let out: Vec<f32> = buf
        .chunks(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    // Reversed: the last store to index 3 (clamped from 3..=9) is i = 3.
    assert_eq!(out, vec![0.0, 1.0, 2.0, 3.0]);
}

#[test]
fn while_loop_runs_newton_on_f64() {
    // x <- x - (x*x - a) / (2x) while |x*x - a| > 1e-12
    let mut b = B::new(LoopKind::While { pred: Value(0) });
    b.p.params = vec![DType::F64];
    b.p.carries = vec![DType::F64];
    let a = b.push(0, Inst::Param(0), DType::F64);
    let tol = b.push(0, Inst::Const(1e-12f64.to_bits()), DType::F64);
    let two = b.push(0, Inst::Const(2f64.to_bits()), DType::F64);
    let x = b.push(1, Inst::Carry(0), DType::F64);
    let xx = b.push(1, Inst::Binary(BinaryOp::Mul, x, x), DType::F64);
    let r = b.push(1, Inst::Binary(BinaryOp::Sub, xx, a), DType::F64);
    let ar = b.push(1, Inst::Unary(UnaryOp::Abs, r), DType::F64);
    let pred = b.push(1, Inst::Compare(CompareOp::Gt, ar, tol), DType::Bool);
    b.p.kind = LoopKind::While { pred };
    let x = b.push(2, Inst::Carry(0), DType::F64);
    let xx = b.push(2, Inst::Binary(BinaryOp::Mul, x, x), DType::F64);
    let r = b.push(2, Inst::Binary(BinaryOp::Sub, xx, a), DType::F64);
    let d = b.push(2, Inst::Binary(BinaryOp::Mul, two, x), DType::F64);
    let q = b.push(2, Inst::Binary(BinaryOp::Div, r, d), DType::F64);
    let x1 = b.push(2, Inst::Binary(BinaryOp::Sub, x, q), DType::F64);
    b.p.next = vec![x1];
    let native = NativeLoop::compile(b.p).expect("compiles");
    let mut carries = [1.0f64.to_bits()];
    native.run(&[2.0f64.to_bits()], &mut carries, &mut []);
    let x = f64::from_bits(carries[0]);
    assert!((x - 2f64.sqrt()).abs() < 1e-15, "{x}");
}

#[test]
fn integer_division_follows_xla_and_host_calls_work() {
    // One step: carries (q, r, e) = (x / y, x % y, exp(f)) for params x, y, f.
    for (dt, x, y) in [
        (DType::I32, 7i64, 0i64),
        (DType::I32, i32::MIN as i64, -1),
        (DType::I8, -7, 2),
        (DType::U16, 9, 0),
        (DType::I64, -9, 4),
    ] {
        let mut b = B::new(LoopKind::Counted {
            length: 1,
            reverse: false,
        });
        b.p.params = vec![dt, dt, DType::F32];
        b.p.carries = vec![dt, dt, DType::F32];
        let px = b.push(0, Inst::Param(0), dt);
        let py = b.push(0, Inst::Param(1), dt);
        let pf = b.push(0, Inst::Param(2), DType::F32);
        let q = b.push(2, Inst::Binary(BinaryOp::Div, px, py), dt);
        let r = b.push(2, Inst::Binary(BinaryOp::Rem, px, py), dt);
        let e = b.push(2, Inst::Unary(UnaryOp::Exp, pf), DType::F32);
        b.p.next = vec![q, r, e];
        let native = NativeLoop::compile(b.p).expect("compiles");
        let mask = |v: i64| (v as u64) & (u64::MAX >> (64 - 8 * dt.size_of()));
        let mut carries = [0u64; 3];
        native.run(
            &[mask(x), mask(y), 0.5f32.to_bits() as u64],
            &mut carries,
            &mut [],
        );
        let (eq, er) = match (x, y) {
            (_, 0) => (mask(-1), mask(x)),
            (x, -1) if x == i32::MIN as i64 => (mask(x), 0),
            (x, y) => (mask(x / y), mask(x % y)),
        };
        assert_eq!((carries[0], carries[1]), (eq, er), "{dt:?} {x} {y}");
        let e = f32::from_bits(carries[2] as u32);
        let mut expect = crate::backend::cpu::buffer::Buffer::for_dtype(1, DType::F32);
        crate::backend::cpu::kernels::unary::run(
            UnaryOp::Exp,
            DType::F32,
            &crate::backend::cpu::buffer::Buffer::from_slice(&[0.5f32]),
            &mut expect,
        );
        assert_eq!(e.to_bits(), expect.as_slice::<f32>()[0].to_bits());
    }
}

#[test]
fn invalid_programs_are_rejected() {
    let mut b = B::new(LoopKind::Counted {
        length: 1,
        reverse: false,
    });
    b.p.buffers = vec![BufferDecl {
        dtype: DType::I32,
        len: 3,
        writable: false,
    }];
    let i = b.push(2, Inst::LoopIndex, DType::I64);
    let v = b.push(2, Inst::Const(1), DType::I32);
    b.push(
        2,
        Inst::Store {
            buffer: 0,
            index: i,
            value: v,
        },
        DType::Bool,
    );
    let e = NativeLoop::compile(b.p).expect_err("store to a read-only buffer");
    assert!(e.contains("read-only"), "{e}");
}
