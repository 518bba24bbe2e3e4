//! The control-flow API: `cond`, `switch`, `while_loop`, `fori_loop` and
//! `scan`, over pytrees. Each traces its functions to jaxprs (values they
//! close over become operands) and binds one primitive, so the same call
//! works eagerly, under `jit`, and under every transformation.

use super::jaxpr_util::{trace_flat, Hoisted};
use super::{Cond, Scan, SubJaxpr, While};
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::dtype::DType;
use crate::core::trace::bind;
use crate::tree::{tree_flatten, tree_unflatten, PyTree, TreeDef};
use std::cell::RefCell;

/// A traced function: its jaxpr (constants hoisted), output structure and types.
struct Traced {
    h: Hoisted,
    out_def: TreeDef,
    out_avals: Vec<ShapedArray>,
}

/// A flat function that also reports its output structure.
type TreeFlatFn<'a> = &'a dyn Fn(&[Array]) -> (Vec<Array>, TreeDef);

fn trace_tree(name: &'static str, avals: &[ShapedArray], f: TreeFlatFn<'_>) -> Traced {
    let def = RefCell::new(None);
    let flat = |xs: &[Array]| -> Vec<Array> {
        let (outs, d) = f(xs);
        *def.borrow_mut() = Some(d);
        outs
    };
    let h = trace_flat(name, &flat, avals);
    let out_avals = h.jaxpr.outvars.iter().map(|a| a.aval().clone()).collect();
    Traced {
        h,
        out_def: def.into_inner().expect("traced"),
        out_avals,
    }
}

/// JAX's repr of an abstract value: `ShapedArray(float32[3])`.
fn repr(a: &ShapedArray) -> String {
    let dims: Vec<String> = a.shape.iter().map(|d| d.to_string()).collect();
    let weak = if a.weak_type { ", weak_type=True" } else { "" };
    format!("ShapedArray({}[{}]{weak})", a.dtype.name(), dims.join(","))
}

fn same_type(a: &ShapedArray, b: &ShapedArray) -> bool {
    a.shape == b.shape && a.dtype == b.dtype
}

/// JAX's per-leaf difference listing: `DIFFERENT ShapedArray(..) vs. ShapedArray(..)`.
fn type_diff(a: &[ShapedArray], b: &[ShapedArray]) -> String {
    let parts: Vec<String> = a
        .iter()
        .zip(b)
        .map(|(x, y)| {
            if same_type(x, y) {
                repr(x)
            } else {
                format!("DIFFERENT {} vs. {}", repr(x), repr(y))
            }
        })
        .collect();
    if parts.len() == 1 {
        parts[0].clone()
    } else {
        format!("({})", parts.join(", "))
    }
}

fn check_scalar_index(what: &str, x: &Array) {
    if !x.shape().is_empty() {
        panic!(
            "TypeError: {what} must be a scalar, got {} of shape {}.",
            x.aval().short(),
            crate::core::shape::fmt_tuple(x.shape())
        );
    }
}

/// Applies `true_fn` or `false_fn` to `operand` depending on `pred`
/// (`jax.lax.cond`). Both branches are traced and must return the same
/// structure and types; only the chosen one runs. Under `jit`, `pred` may
/// be a traced value.
///
/// ```
/// use jaxide::prelude::*;
/// let x = jnp::array([1.0f32, 2.0]);
/// let y = lax::cond(&x.sum().gt(0.0f32), |x: &Array| x * 2.0, |x: &Array| -x, &x);
/// assert_eq!(y.to_vec::<f32>(), vec![2.0, 4.0]);
/// ```
pub fn cond<T: PyTree, R: PyTree>(
    pred: &Array,
    true_fn: impl Fn(&T) -> R,
    false_fn: impl Fn(&T) -> R,
    operand: &T,
) -> R {
    check_scalar_index("Pred", pred);
    let index = if pred.dtype() == DType::Bool {
        crate::lax::convert_element_type(pred, DType::I32)
    } else {
        let zero = crate::lax::ad_util::scalar_like(pred, 0.0);
        crate::lax::convert_element_type(&crate::lax::ne(pred, &zero), DType::I32)
    };
    let branches: [&dyn Fn(&T) -> R; 2] = [&false_fn, &true_fn];
    branch_call(&index, &branches, operand, true, &|i, kind, a, b| {
        match kind {
        Mismatch::Structure => format!(
            "TypeError: true_fun and false_fun output must have same type structure, got {a} and {b}."
        ),
        Mismatch::Types => format!(
            "TypeError: true_fun and false_fun output must have identical types, got\n{a}."
        ),
    }
    .replace("{i}", &i.to_string())
    })
}

/// Applies `branches[index]` to `operand` (`jax.lax.switch`); the index is
/// clamped to the valid range. Every branch must return the same structure
/// and types.
///
/// ```
/// use jaxide::prelude::*;
/// let x = jnp::array([3.0f32]);
/// let branches: [&dyn Fn(&Array) -> Array; 3] = [&|x| x + 1.0, &|x| x * 2.0, &|x| -x];
/// let y = lax::switch(&Array::scalar(1i32), &branches, &x);
/// assert_eq!(y.to_vec::<f32>(), vec![6.0]);
/// ```
pub fn switch<T: PyTree, R: PyTree>(
    index: &Array,
    branches: &[&dyn Fn(&T) -> R],
    operand: &T,
) -> R {
    if !index.dtype().is_int() {
        panic!(
            "TypeError: Index type must be an integer, got {}.",
            index.aval().short()
        );
    }
    check_scalar_index("Branch index", index);
    if branches.is_empty() {
        panic!("ValueError: Empty branch sequence");
    }
    let i32_index = crate::lax::convert_element_type(index, DType::I32);
    let hi = Array::scalar((branches.len() - 1) as i32);
    let lo = Array::scalar(0i32);
    let clamped = crate::lax::max(&lo, &crate::lax::min(&i32_index, &hi));
    branch_call(
        &clamped,
        branches,
        operand,
        false,
        &|i, kind, a, b| match kind {
            Mismatch::Structure => format!(
            "TypeError: branch 0 and {i} outputs must have same type structure, got {a} and {b}."
        ),
            Mismatch::Types => format!(
            "TypeError: branch 0 output and branch {i} output must have identical types, got\n{a}."
        ),
        },
    )
}

enum Mismatch {
    Structure,
    Types,
}

type MismatchText<'a> = &'a dyn Fn(usize, Mismatch, String, String) -> String;

fn branch_call<T: PyTree, R: PyTree>(
    index: &Array,
    branches: &[&dyn Fn(&T) -> R],
    operand: &T,
    swap: bool,
    message: MismatchText<'_>,
) -> R {
    let (leaves, def) = tree_flatten(operand);
    let avals: Vec<ShapedArray> = leaves.iter().map(|x| x.aval().clone()).collect();
    let traced: Vec<Traced> = branches
        .iter()
        .map(|f| {
            trace_tree("cond", &avals, &|xs| {
                let t: T = tree_unflatten(&def, xs.iter().cloned());
                tree_flatten(&f(&t))
            })
        })
        .collect();
    for (i, t) in traced.iter().enumerate().skip(1) {
        // `cond` names its branches (true, false): report them in that order.
        let (a, b) = if swap {
            (t, &traced[0])
        } else {
            (&traced[0], t)
        };
        if t.out_def != traced[0].out_def {
            panic!(
                "{}",
                message(
                    i,
                    Mismatch::Structure,
                    a.out_def.to_string(),
                    b.out_def.to_string()
                )
            );
        }
        let ok = t
            .out_avals
            .iter()
            .zip(&traced[0].out_avals)
            .all(|(a, b)| same_type(a, b));
        if !ok {
            let diff = type_diff(&a.out_avals, &b.out_avals);
            panic!("{}", message(i, Mismatch::Types, diff, String::new()));
        }
    }
    let out_def = traced[0].out_def.clone();
    let (jaxprs, consts) = super::cond::merge_consts(traced.into_iter().map(|t| t.h).collect());
    let prim = Cond {
        branches: jaxprs.into_iter().map(SubJaxpr::new).collect(),
    };
    let mut ops: Vec<&Array> = vec![index];
    ops.extend(consts.iter());
    ops.extend(leaves.iter());
    let outs = bind(&prim.into(), &ops);
    tree_unflatten(&out_def, outs)
}

/// Checks a loop body's carry output against its input, JAX's way.
fn check_carry(
    what: &str,
    in_def: &TreeDef,
    in_avals: &[ShapedArray],
    out_def: &TreeDef,
    out_avals: &[ShapedArray],
) {
    if in_def != out_def {
        panic!(
            "TypeError: {what} function carry input and carry output must have the same pytree \
             structure, but they differ: the input carry is {in_def} but the output carry is \
             {out_def}.\n\nRevise the function so that the carry output has the same pytree \
             structure as the carry input."
        );
    }
    let diffs: Vec<String> = in_avals
        .iter()
        .zip(out_avals)
        .enumerate()
        .filter(|(_, (a, b))| !same_type(a, b))
        .map(|(i, (a, b))| {
            let why = if a.shape != b.shape {
                "the shapes do not match"
            } else {
                "the dtypes do not match"
            };
            format!(
                "  * the input carry component carry[{i}] has type {} but the corresponding \
                 output carry component has type {}, so {why}",
                a.short(),
                b.short()
            )
        })
        .collect();
    if !diffs.is_empty() {
        panic!(
            "TypeError: {what} function carry input and carry output must have equal types, \
             but they differ:\n\n{}\n\nRevise the function so that all output types match the \
             corresponding input types.",
            diffs.join("\n")
        );
    }
}

/// A weak-typed carry input (a Rust scalar) whose body output has another
/// type is promoted, as JAX's `_promote_weak_typed_inputs` does: to the
/// result type of the input and the output, strongly typed (so
/// `fori_loop(0, 3, |_, c| c + 0.5, &jnp::array(0))` is float32 1.5). A
/// weak input whose output is the same dtype but strong becomes strong.
fn promote_weak_carry(carry: &mut [Array], out_avals: &[ShapedArray]) -> bool {
    use crate::core::promotion::{result_type, WeakDType};
    let mut changed = false;
    for (c, o) in carry.iter_mut().zip(out_avals) {
        if !c.weak_type() || c.shape() != &o.shape[..] {
            continue;
        }
        if c.dtype() == o.dtype {
            if !o.weak_type {
                *c = crate::lax::convert_element_type_weak(c, c.dtype(), false);
                changed = true;
            }
            continue;
        }
        let t = result_type(
            &[
                WeakDType {
                    dtype: c.dtype(),
                    weak: true,
                },
                WeakDType {
                    dtype: o.dtype,
                    weak: o.weak_type,
                },
            ],
            crate::config::enable_x64(),
        );
        if t.dtype != c.dtype() {
            *c = crate::lax::convert_element_type_weak(c, t.dtype, false);
            changed = true;
        }
    }
    changed
}

/// Runs `body_fn` on the carry while `cond_fn` holds (`jax.lax.while_loop`).
/// Forward-mode differentiable; for reverse mode use [`fori_loop`] with
/// static bounds or [`scan`].
///
/// ```
/// use jaxide::prelude::*;
/// let r = lax::while_loop(|x: &Array| x.lt(10.0f32), |x: &Array| x * 2.0, &Array::scalar(1.0f32));
/// assert_eq!(r.item::<f32>(), 16.0);
/// ```
pub fn while_loop<C: PyTree>(
    cond_fn: impl Fn(&C) -> Array,
    body_fn: impl Fn(&C) -> C,
    init: &C,
) -> C {
    let (mut carry, def) = tree_flatten(init);
    let (body, avals) = loop {
        let avals: Vec<ShapedArray> = carry.iter().map(|x| x.aval().clone()).collect();
        let body = trace_tree("while_loop", &avals, &|xs| {
            let c: C = tree_unflatten(&def, xs.iter().cloned());
            tree_flatten(&body_fn(&c))
        });
        if !promote_weak_carry(&mut carry, &body.out_avals) {
            break (body, avals);
        }
    };
    check_carry(
        "while_loop body",
        &def,
        &avals,
        &body.out_def,
        &body.out_avals,
    );
    let cond = trace_tree("while_loop", &avals, &|xs| {
        let c: C = tree_unflatten(&def, xs.iter().cloned());
        tree_flatten(&cond_fn(&c))
    });
    let ok = cond.out_avals.len() == 1
        && cond.out_avals[0].dtype == DType::Bool
        && cond.out_avals[0].shape.is_empty();
    if !ok {
        let got: Vec<String> = cond.out_avals.iter().map(repr).collect();
        panic!(
            "TypeError: cond_fun must return a boolean scalar, but got output type(s) [{}].",
            got.join(", ")
        );
    }
    let prim = While {
        cond: SubJaxpr::new(cond.h.jaxpr),
        body: SubJaxpr::new(body.h.jaxpr),
        cond_nconsts: cond.h.consts.len(),
        body_nconsts: body.h.consts.len(),
    };
    let mut ops: Vec<&Array> = cond.h.consts.iter().collect();
    ops.extend(body.h.consts.iter());
    ops.extend(carry.iter());
    let outs = bind(&prim.into(), &ops);
    tree_unflatten(&def, outs)
}

/// Options of [`scan_with`].
#[derive(Clone, Copy, Debug, Default)]
pub struct ScanOptions {
    /// The trip count; required when `xs` has no leaves.
    pub length: Option<usize>,
    /// Scan from the last element of `xs` to the first (outputs stay in index order).
    pub reverse: bool,
}

/// Loops `f` over the leading axis of `xs`, threading a carry and stacking
/// the per-step outputs (`jax.lax.scan`): returns `(final carry, ys)`.
/// Differentiable in both modes.
///
/// ```
/// use jaxide::prelude::*;
/// let xs = jnp::array([1.0f32, 2., 3.]);
/// let (total, partial) = lax::scan(|c: &Array, x: &Array| (c + x, c + x), &Array::scalar(0.0f32), &xs);
/// assert_eq!(total.item::<f32>(), 6.0);
/// assert_eq!(partial.to_vec::<f32>(), vec![1.0, 3.0, 6.0]);
/// ```
pub fn scan<C: PyTree, X: PyTree, Y: PyTree>(
    f: impl Fn(&C, &X) -> (C, Y),
    init: &C,
    xs: &X,
) -> (C, Y) {
    scan_with(f, init, xs, ScanOptions::default())
}

/// [`scan`] with a `length` (for scans without `xs`) and `reverse`.
pub fn scan_with<C: PyTree, X: PyTree, Y: PyTree>(
    f: impl Fn(&C, &X) -> (C, Y),
    init: &C,
    xs: &X,
    options: ScanOptions,
) -> (C, Y) {
    let (mut carry, cdef) = tree_flatten(init);
    let (xs_leaves, xdef) = tree_flatten(xs);
    for x in &xs_leaves {
        if x.ndim() == 0 {
            panic!(
                "ValueError: scan got value with no leading axis to scan over: {}.",
                x.aval().short()
            );
        }
    }
    let lengths: Vec<usize> = xs_leaves.iter().map(|x| x.shape()[0]).collect();
    let length = match (options.length, lengths.first()) {
        (None, None) => {
            panic!("ValueError: scan got no values to scan over and `length` not provided.")
        }
        (Some(n), _) if lengths.iter().any(|&l| l != n) => panic!(
            "ValueError: scan got `length` argument of {n} which disagrees with leading axis \
             sizes {lengths:?}."
        ),
        (None, Some(&n)) if lengths.iter().any(|&l| l != n) => {
            let s: Vec<String> = lengths.iter().map(|l| l.to_string()).collect();
            panic!(
                "ValueError: scan got values with different leading axis sizes: {}.",
                s.join(", ")
            )
        }
        (Some(n), _) => n,
        (None, Some(&n)) => n,
    };
    let x_avals: Vec<ShapedArray> = xs_leaves
        .iter()
        .map(|x| ShapedArray {
            shape: x.shape()[1..].into(),
            dtype: x.dtype(),
            weak_type: x.weak_type(),
        })
        .collect();
    let nk = carry.len();
    let ydef = RefCell::new(None);
    let (body, carry_avals) = loop {
        let carry_avals: Vec<ShapedArray> = carry.iter().map(|x| x.aval().clone()).collect();
        let avals: Vec<ShapedArray> = carry_avals.iter().chain(&x_avals).cloned().collect();
        let body = trace_tree("scan", &avals, &|a| {
            let c: C = tree_unflatten(&cdef, a[..nk].iter().cloned());
            let x: X = tree_unflatten(&xdef, a[nk..].iter().cloned());
            let (c2, y) = f(&c, &x);
            let (mut outs, d) = tree_flatten(&c2);
            let (ys, yd) = tree_flatten(&y);
            outs.extend(ys);
            *ydef.borrow_mut() = Some(yd);
            (outs, d)
        });
        if !promote_weak_carry(&mut carry, &body.out_avals[..nk.min(body.out_avals.len())]) {
            break (body, carry_avals);
        }
    };
    let nck = body.out_def.num_leaves().min(body.out_avals.len());
    check_carry(
        "scan body",
        &cdef,
        &carry_avals,
        &body.out_def,
        &body.out_avals[..nck],
    );
    let prim = Scan {
        body: SubJaxpr::new(body.h.jaxpr),
        num_consts: body.h.consts.len(),
        num_carry: nk,
        length,
        reverse: options.reverse,
    };
    let mut ops: Vec<&Array> = body.h.consts.iter().collect();
    ops.extend(carry.iter());
    ops.extend(xs_leaves.iter());
    let outs = bind(&prim.into(), &ops);
    let c: C = tree_unflatten(&cdef, outs[..nk].iter().cloned());
    let ydef = ydef.into_inner().expect("traced");
    let y: Y = tree_unflatten(&ydef, outs[nk..].iter().cloned());
    (c, y)
}

/// `body(i, carry)` for `i` in `lower..upper` (`jax.lax.fori_loop` with
/// static bounds): a `scan` over the trip count, so it is differentiable in
/// both modes. Inside `jit`, a functional update of the carry
/// (`x.at(i).set(v)`) runs in place, O(1) per iteration.
///
/// ```
/// use jaxide::prelude::*;
/// let r = lax::fori_loop(0, 5, |i: &Array, s: &Array| s + i.astype(DType::F32), &Array::scalar(0.0f32));
/// assert_eq!(r.item::<f32>(), 10.0);
/// ```
pub fn fori_loop<C: PyTree>(lower: i64, upper: i64, body: impl Fn(&Array, &C) -> C, init: &C) -> C {
    let length = (upper - lower).max(0) as usize;
    // Rust integer bounds are weak, like Python ints: `i` is a weak int32.
    let lower32 = i32::try_from(lower).expect("fori_loop bounds must fit in i32");
    let start = crate::lax::ad_util::constant(lower32 as f64, DType::I32, true);
    let one = crate::lax::ad_util::constant(1.0, DType::I32, true);
    let step = |(i, c): &(Array, C), _: &()| -> ((Array, C), ()) {
        ((crate::lax::add(i, &one), body(i, c)), ())
    };
    let ((_, c), ()) = scan_with(
        step,
        &(start, clone_tree(init)),
        &(),
        ScanOptions {
            length: Some(length),
            reverse: false,
        },
    );
    c
}

/// `fori_loop` with bounds that may be traced values: a `while_loop`, so
/// forward-mode differentiable only (as in JAX).
pub fn fori_loop_dynamic<C: PyTree>(
    lower: &Array,
    upper: &Array,
    body: impl Fn(&Array, &C) -> C,
    init: &C,
) -> C {
    let lower = crate::lax::convert_element_type(lower, DType::I32);
    let upper = crate::lax::convert_element_type(upper, DType::I32);
    let one = Array::scalar(1i32);
    let (_, c) = while_loop(
        |(i, _): &(Array, C)| crate::lax::lt(i, &upper),
        |(i, c): &(Array, C)| (crate::lax::add(i, &one), body(i, c)),
        &(lower, clone_tree(init)),
    );
    c
}

fn clone_tree<C: PyTree>(c: &C) -> C {
    let (leaves, def) = tree_flatten(c);
    tree_unflatten(&def, leaves)
}
