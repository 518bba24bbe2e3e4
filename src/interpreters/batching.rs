//! The batching interpreter behind `vmap`: a tracer carries a value with an
//! extra batch axis (`bdim`), or no batch axis at all, and each primitive's
//! `batch` rule maps the batched operation onto one bigger operation — never
//! a loop over the batch.

use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::trace::{with_main_trace, Interpreter, Outputs, TraceTag, Tracer};
use crate::lax::Primitive;
use smallvec::SmallVec;
use std::any::Any;
use std::sync::Arc;

/// A value inside a vmap: the batched value and the axis holding the batch.
pub struct BatchTracer {
    val: Array,
    /// The batch axis of `val` (always present: unbatched values are not wrapped).
    bdim: usize,
    /// `val`'s aval without the batch axis (what the user function sees).
    aval: ShapedArray,
    level: usize,
    main_id: u64,
}

impl Tracer for BatchTracer {
    fn aval(&self) -> &ShapedArray {
        &self.aval
    }
    fn level(&self) -> usize {
        self.level
    }
    fn main_id(&self) -> u64 {
        self.main_id
    }
    fn transformation(&self) -> &'static str {
        "vmap"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The interpreter for one vmap level.
pub struct BatchTrace {
    level: usize,
    main_id: u64,
    /// The batch size.
    size: usize,
}

impl BatchTrace {
    /// Wraps `val` (batched along `bdim`, or not batched) as a value of this level.
    pub fn pack(&self, val: Array, bdim: Option<usize>) -> Array {
        let Some(bdim) = bdim else {
            return val;
        };
        let mut shape = val.shape().to_vec();
        assert_eq!(
            shape.remove(bdim),
            self.size,
            "internal error: batch axis of the wrong size"
        );
        let aval = ShapedArray::with_weak(shape.into(), val.dtype(), val.weak_type());
        Array::from_tracer(Arc::new(BatchTracer {
            val,
            bdim,
            aval,
            level: self.level,
            main_id: self.main_id,
        }))
    }

    /// Splits a value into its batched value and batch axis (`None` if it is
    /// not this level's, hence the same for every batch element).
    pub fn unpack(&self, x: &Array) -> (Array, Option<usize>) {
        let tag = TraceTag {
            level: self.level,
            main_id: self.main_id,
        };
        match tag.own::<BatchTracer>(x) {
            Some(bt) => (bt.val.clone(), Some(bt.bdim)),
            None => (x.clone(), None),
        }
    }
}

impl Interpreter for BatchTrace {
    fn process_primitive(&self, prim: &Primitive, inputs: &[&Array]) -> Outputs {
        let mut vals: SmallVec<[Array; 4]> = SmallVec::new();
        let mut dims: SmallVec<[Option<usize>; 4]> = SmallVec::new();
        for x in inputs {
            let (v, d) = self.unpack(x);
            vals.push(v);
            dims.push(d);
        }
        let refs: SmallVec<[&Array; 4]> = vals.iter().collect();
        if dims.iter().all(Option::is_none) {
            return crate::core::trace::bind(prim, &refs);
        }
        let (outs, out_dims) = prim.rules().batch(&refs, &dims, self.size);
        outs.into_iter()
            .zip(out_dims)
            .map(|(o, d)| self.pack(o, d))
            .collect()
    }
}

/// Runs `f` on `args` batched along `in_dims` (non-negative, or `None` for
/// unbatched) with batch size `size`; returns each output with its batch axis.
pub fn batch_flat(
    f: &dyn Fn(&[Array]) -> Vec<Array>,
    args: &[Array],
    in_dims: &[Option<usize>],
    size: usize,
) -> Vec<(Array, Option<usize>)> {
    assert_eq!(
        args.len(),
        in_dims.len(),
        "vmap: one batch axis per argument"
    );
    with_main_trace(
        |level, main_id| BatchTrace {
            level,
            main_id,
            size,
        },
        false,
        |trace| {
            let inputs: Vec<Array> = args
                .iter()
                .zip(in_dims)
                .map(|(x, &d)| trace.pack(x.clone(), d))
                .collect();
            f(&inputs).iter().map(|o| trace.unpack(o)).collect()
        },
    )
}
