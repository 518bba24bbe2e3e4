//! `jnp.linalg.norm`, `vector_norm` and `matrix_norm`: every NumPy order,
//! over one axis (vector norms) or two (matrix norms), with `keepdims`.
//! Like JAX, the 2-norm is `sqrt(sum(|x|²))`, so its gradient at `x = 0`
//! is NaN (JAX defines no special case there).

use super::decomp::{inexact, svdvals};
use crate::core::array::Array;
use crate::core::shape::canonicalize_axis;
use crate::ir::ReduceOp;
use crate::lax;
use crate::numpy::array_like::ArrayLike;
use crate::numpy::axes::Axes;
use crate::numpy::{abs, sqrt, sum_axis};

/// A norm order (`ord`): NumPy's default, a number (`f64::INFINITY` for
/// `inf`), or a string (`"fro"`, `"f"`, `"nuc"`).
#[derive(Clone, Debug, PartialEq, Default)]
pub enum NormOrd {
    /// `ord=None`: the 2-norm of vectors, Frobenius norm of matrices.
    #[default]
    Default,
    /// A numeric order: `p`, `±inf`, `0`, `±1`, `±2`.
    Num(f64),
    /// A named order: `"fro"`, `"f"` or `"nuc"`.
    Str(&'static str),
}

impl From<f64> for NormOrd {
    fn from(p: f64) -> NormOrd {
        NormOrd::Num(p)
    }
}
impl From<i32> for NormOrd {
    fn from(p: i32) -> NormOrd {
        NormOrd::Num(p as f64)
    }
}
impl From<&'static str> for NormOrd {
    fn from(s: &'static str) -> NormOrd {
        NormOrd::Str(s)
    }
}

impl std::fmt::Display for NormOrd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NormOrd::Default => f.write_str("None"),
            NormOrd::Num(p) if p.is_infinite() => {
                f.write_str(if *p > 0.0 { "inf" } else { "-inf" })
            }
            NormOrd::Num(p) if p.fract() == 0.0 => write!(f, "{}", *p as i64),
            NormOrd::Num(p) => write!(f, "{p}"),
            NormOrd::Str(s) => f.write_str(s),
        }
    }
}

/// Options of [`norm_with`] (`jnp.linalg.norm`'s keywords).
#[derive(Clone, Debug, Default)]
pub struct Norm {
    /// The order.
    pub ord: NormOrd,
    /// One axis (vector norm), two (matrix norm), or `None`: all axes
    /// (a vector norm of 1-d input, a matrix norm of 2-d input; with the
    /// default order, the 2-norm of the flattened input at any rank).
    pub axis: Option<Vec<isize>>,
    /// Keep the reduced axes with length 1.
    pub keepdims: bool,
}

/// The 2-norm of a vector, or the Frobenius norm of a matrix or any array,
/// over all its elements (`jnp.linalg.norm(x)`).
pub fn norm(x: impl ArrayLike) -> Array {
    norm_with(x, Norm::default())
}

/// `jnp.linalg.norm` with `ord`, `axis` and `keepdims`.
pub fn norm_with(x: impl ArrayLike, opts: Norm) -> Array {
    let x = inexact(x);
    let nd = x.ndim();
    let axes: Vec<usize> = match &opts.axis {
        None => {
            if opts.ord == NormOrd::Default {
                return two_norm(&x, Axes::All, opts.keepdims);
            }
            (0..nd).collect()
        }
        Some(a) => a
            .iter()
            .map(|&a| canonicalize_axis(a, nd, "norm"))
            .collect(),
    };
    match axes[..] {
        [a] => {
            let ord = match opts.ord {
                NormOrd::Default => NormOrd::Num(2.0),
                o => o,
            };
            vector_norm_impl(&x, Axes::from(vec![a as isize]), opts.keepdims, &ord)
        }
        [r, c] => matrix_norm_impl(&x, r, c, opts.keepdims, &opts.ord),
        _ => {
            panic!(
            "ValueError: Improper number of axes for norm: axis=({}). Pass one axis to compute a \
             vector-norm, or two axes to compute a matrix-norm.",
            axes.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")
        )
        }
    }
}

/// Options of [`vector_norm_with`] (`jnp.linalg.vector_norm`'s keywords).
#[derive(Clone, Debug)]
pub struct VectorNorm {
    /// Axes reduced (default: all).
    pub axis: Axes,
    /// Keep the reduced axes with length 1.
    pub keepdims: bool,
    /// The order (default 2).
    pub ord: NormOrd,
}

impl Default for VectorNorm {
    fn default() -> VectorNorm {
        VectorNorm {
            axis: Axes::All,
            keepdims: false,
            ord: NormOrd::Num(2.0),
        }
    }
}

/// The 2-norm over all elements (`jnp.linalg.vector_norm(x)`).
pub fn vector_norm(x: impl ArrayLike) -> Array {
    vector_norm_with(x, VectorNorm::default())
}

/// `jnp.linalg.vector_norm` with `axis`, `keepdims` and `ord`.
pub fn vector_norm_with(x: impl ArrayLike, opts: VectorNorm) -> Array {
    vector_norm_impl(&inexact(x), opts.axis, opts.keepdims, &opts.ord)
}

/// Options of [`matrix_norm_with`] (`jnp.linalg.matrix_norm`'s keywords).
#[derive(Clone, Debug)]
pub struct MatrixNorm {
    /// Keep the reduced axes with length 1.
    pub keepdims: bool,
    /// The order (default `"fro"`).
    pub ord: NormOrd,
}

impl Default for MatrixNorm {
    fn default() -> MatrixNorm {
        MatrixNorm {
            keepdims: false,
            ord: NormOrd::Str("fro"),
        }
    }
}

/// The Frobenius norm over the last two axes (`jnp.linalg.matrix_norm(x)`).
pub fn matrix_norm(x: impl ArrayLike) -> Array {
    matrix_norm_with(x, MatrixNorm::default())
}

/// `jnp.linalg.matrix_norm` with `keepdims` and `ord`, over the last two axes.
pub fn matrix_norm_with(x: impl ArrayLike, opts: MatrixNorm) -> Array {
    norm_with(
        x,
        Norm {
            ord: opts.ord,
            axis: Some(vec![-2, -1]),
            keepdims: opts.keepdims,
        },
    )
}

/// `sqrt(sum(re(x · conj x)))` over `axes`.
fn two_norm(x: &Array, axes: Axes, keepdims: bool) -> Array {
    let sq = if x.dtype().is_complex() {
        lax::real(&lax::mul(x, &lax::conj(x)))
    } else {
        lax::mul(x, x)
    };
    sqrt(sum_axis(&sq, axes, keepdims))
}

/// A max/min reduction; `initial` (if any) is also taken into account, so
/// an empty reduction gives it.
fn extreme(x: &Array, op: ReduceOp, axes: Axes, keepdims: bool, initial: Option<f64>) -> Array {
    let ax = axes.resolve(x.ndim(), "norm");
    let empty = ax.iter().any(|&a| x.shape()[a] == 0);
    let out = match (empty, initial) {
        (true, Some(v)) => {
            let shape: Vec<usize> = (0..x.ndim())
                .filter(|d| !ax.contains(d))
                .map(|d| x.shape()[d])
                .collect();
            lax::broadcast_in_dim(&lax::ad_util::constant(v, x.dtype(), false), &shape, &[])
        }
        (true, None) => panic!(
            "ValueError: zero-size array to reduction operation {} which has no identity",
            if op == ReduceOp::Max { "max" } else { "min" }
        ),
        _ => lax::reduce(x, op, &ax),
    };
    if !keepdims {
        return out;
    }
    let shape: Vec<usize> = (0..x.ndim())
        .map(|d| if ax.contains(&d) { 1 } else { x.shape()[d] })
        .collect();
    lax::reshape(&out, &shape)
}

fn vector_norm_impl(x: &Array, axes: Axes, keepdims: bool, ord: &NormOrd) -> Array {
    let p = match ord {
        NormOrd::Default => 2.0,
        NormOrd::Num(p) => *p,
        NormOrd::Str(s) => {
            let mut msg = format!("ValueError: Invalid order '{s}' for vector norm.");
            if *s == "inf" {
                msg += "Use 'jax.numpy.inf' instead.";
            }
            if *s == "-inf" {
                msg += "Use '-jax.numpy.inf' instead.";
            }
            panic!("{msg}")
        }
    };
    if p == 2.0 {
        two_norm(x, axes, keepdims)
    } else if p == f64::INFINITY {
        extreme(&abs(x), ReduceOp::Max, axes, keepdims, Some(0.0))
    } else if p == f64::NEG_INFINITY {
        extreme(&abs(x), ReduceOp::Min, axes, keepdims, None)
    } else if p == 0.0 {
        let real = x.dtype().real_dtype();
        let nz = lax::ne(x, &lax::ad_util::constant(0.0, x.dtype(), false));
        sum_axis(&lax::convert_element_type(&nz, real), axes, keepdims)
    } else if p == 1.0 {
        sum_axis(&abs(x), axes, keepdims)
    } else {
        let a = abs(x);
        let d = a.dtype();
        let powed = lax::pow(&a, &lax::ad_util::constant(p, d, false));
        let out = sum_axis(&powed, axes, keepdims);
        lax::pow(&out, &lax::ad_util::constant(1.0 / p, d, false))
    }
}

fn matrix_norm_impl(x: &Array, row: usize, col: usize, keepdims: bool, ord: &NormOrd) -> Array {
    let is = |v: f64| matches!(ord, NormOrd::Num(p) if *p == v);
    let ax = |a: usize| Axes::from(vec![a as isize]);
    // After summing one axis away (without keepdims), the other shifts down.
    let after = |kept: usize, gone: usize| {
        if !keepdims && kept > gone {
            kept - 1
        } else {
            kept
        }
    };
    match ord {
        NormOrd::Default | NormOrd::Str("fro") | NormOrd::Str("f") => {
            two_norm(x, Axes::from(vec![row as isize, col as isize]), keepdims)
        }
        _ if is(1.0) || is(-1.0) => {
            let s = sum_axis(&abs(x), ax(row), keepdims);
            let c = after(col, row);
            if is(1.0) {
                extreme(&s, ReduceOp::Max, ax(c), keepdims, Some(0.0))
            } else {
                extreme(&s, ReduceOp::Min, ax(c), keepdims, None)
            }
        }
        _ if is(f64::INFINITY) || is(f64::NEG_INFINITY) => {
            let s = sum_axis(&abs(x), ax(col), keepdims);
            let r = after(row, col);
            if is(f64::INFINITY) {
                extreme(&s, ReduceOp::Max, ax(r), keepdims, Some(0.0))
            } else {
                extreme(&s, ReduceOp::Min, ax(r), keepdims, None)
            }
        }
        _ if is(2.0) || is(-2.0) || *ord == NormOrd::Str("nuc") => {
            let moved = move_to_end(x, row, col);
            let s = svdvals(&moved);
            let last = Axes::from(vec![-1]);
            let y = if is(2.0) {
                extreme(&s, ReduceOp::Max, last, false, Some(0.0))
            } else if is(-2.0) {
                extreme(&s, ReduceOp::Min, last, false, None)
            } else {
                sum_axis(&s, last, false)
            };
            if keepdims {
                let shape: Vec<usize> = (0..x.ndim())
                    .map(|d| {
                        if d == row || d == col {
                            1
                        } else {
                            x.shape()[d]
                        }
                    })
                    .collect();
                lax::reshape(&y, &shape)
            } else {
                y
            }
        }
        _ => panic!("ValueError: Invalid order '{ord}' for matrix norm."),
    }
}

/// `x` with axes `row` and `col` moved to the end, in that order.
fn move_to_end(x: &Array, row: usize, col: usize) -> Array {
    let nd = x.ndim();
    if (row, col) == (nd - 2, nd - 1) {
        return x.clone();
    }
    let mut perm: Vec<usize> = (0..nd).filter(|&d| d != row && d != col).collect();
    perm.extend([row, col]);
    lax::transpose(x, &perm)
}
