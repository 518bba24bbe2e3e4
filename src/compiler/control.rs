//! Running control-flow primitives on buffers. Loop carries move from one
//! iteration to the next as owned buffers, so a body that updates a carry
//! with `dynamic_update_slice` does it in place: O(update) per iteration.

use super::executable::Value;
use crate::backend::cpu::buffer::Buffer;
use crate::core::aval::ShapedArray;
use crate::lax::control::{Cond, Scan, While};
use crate::lax::Primitive;

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
pub(crate) fn run_cond(c: &Cond, mut args: Vec<Value<'_>>) -> Vec<Value<'static>> {
    let ops = args.split_off(1);
    let index = args[0].buffer().as_slice::<i32>()[0];
    let last = c.branches.len() as i32 - 1;
    let b = &c.branches[index.clamp(0, last) as usize];
    b.executable().run_values(ops)
}

/// `while`: evaluates the condition on the carry, runs the body while it holds.
pub(crate) fn run_while(w: &While, mut args: Vec<Value<'_>>) -> Vec<Value<'static>> {
    let (cn, bn) = (w.cond_nconsts, w.body_nconsts);
    let mut carry = args.split_off(cn + bn);
    let body_consts = args.split_off(cn);
    let cond_consts = args;
    let (cond, body) = (w.cond.executable(), w.body.executable());
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
pub(crate) fn run_scan(
    s: &Scan,
    mut args: Vec<Value<'_>>,
    out_avals: &[ShapedArray],
) -> Vec<Value<'static>> {
    let (nc, nk) = (s.num_consts, s.num_carry);
    let xs = args.split_off(nc + nk);
    let mut carry = args.split_off(nc);
    let consts = args;
    let body = s.body.executable();
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
