//! Eager dispatch: a primitive's `impl` on concrete arrays (what the trace
//! stack's bottom level, `core::trace::EvalTrace`, runs), on the CPU
//! backend. Small ops whose inputs are ready run inline; large ops, or ops
//! whose inputs are still pending, are enqueued on the compute stream and
//! return a pending array at once (asynchronous dispatch).

use super::{stream, DeviceArray};
use crate::backend::cpu::buffer::Buffer;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::trace::Outputs;
use crate::lax::Primitive;
use smallvec::SmallVec;
use std::sync::Arc;

/// Elements of work above which an op is dispatched asynchronously.
pub const ASYNC_MIN_ELEMENTS: usize = 1 << 16;

/// Applies `prim` to concrete inputs.
pub fn apply(prim: &Primitive, inputs: &[&Array]) -> Outputs {
    let mut devs: SmallVec<[&Arc<DeviceArray>; 4]> = SmallVec::new();
    for x in inputs {
        devs.push(x.concrete(prim.name()));
    }
    let in_avals: SmallVec<[&ShapedArray; 4]> = devs.iter().map(|d| d.aval()).collect();
    let rules = prim.rules();
    let out_avals = rules.abstract_eval(&in_avals);
    let work = out_avals
        .iter()
        .map(|a| a.size())
        .chain(in_avals.iter().map(|a| a.size()))
        .max()
        .unwrap_or(0);
    let all_ready = devs.iter().all(|d| d.is_ready());
    if all_ready && work < ASYNC_MIN_ELEMENTS {
        let mut bufs: SmallVec<[&Buffer; 4]> = SmallVec::new();
        for d in &devs {
            bufs.push(d.buffer());
        }
        let outs = run_impl(prim, &in_avals, &bufs, &out_avals);
        return out_avals
            .into_iter()
            .zip(outs)
            .map(|(aval, buf)| Array::from_device(DeviceArray::ready(aval, buf)))
            .collect();
    }
    let pending: SmallVec<[Arc<DeviceArray>; 1]> = out_avals
        .iter()
        .map(|a| DeviceArray::pending(a.clone()))
        .collect();
    let owned_inputs: SmallVec<[Arc<DeviceArray>; 4]> = devs.iter().map(|d| (*d).clone()).collect();
    let in_avals_owned: Vec<ShapedArray> = in_avals.iter().map(|a| (*a).clone()).collect();
    let prim_owned = prim.clone();
    stream::enqueue(
        prim.name(),
        owned_inputs,
        pending.clone(),
        Box::new(move |bufs| {
            let refs: Vec<&ShapedArray> = in_avals_owned.iter().collect();
            run_impl(&prim_owned, &refs, bufs, &out_avals)
        }),
    );
    pending.into_iter().map(Array::from_device).collect()
}

/// Runs `prim` on ready buffers: its CPU kernel, or for control flow, the
/// compiler's loop runner (bodies compiled once and cached, as JAX's impl
/// of `while`/`cond`/`scan` compiles them).
fn run_impl(
    prim: &Primitive,
    in_avals: &[&ShapedArray],
    bufs: &[&Buffer],
    out_avals: &[ShapedArray],
) -> crate::lax::Buffers {
    if prim.is_control_flow() {
        use crate::compiler::executable::Value;
        let args = bufs.iter().map(|b| Value::Borrowed(b)).collect();
        return crate::compiler::control::run(prim, args, out_avals)
            .into_iter()
            .map(Value::into_buffer)
            .collect();
    }
    prim.rules().impl_cpu(in_avals, bufs, out_avals)
}
