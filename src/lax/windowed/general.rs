//! `lax::reduce_window`: a reduction over windows with any combining
//! function. As in JAX, `add`/`max`/`min` with their identity as the
//! initial value become the monoid primitives; anything else is a fold over
//! the window offsets (one strided slice per offset, combined in window
//! order from `init_value`, skipping padding and dilation holes as XLA
//! does), built from lax ops so it works under every transformation.

use super::{reduce_window_max, reduce_window_min, reduce_window_sum};
use super::{ReduceWindowOptions, WindowConfig};
use crate::backend::cpu::kernels::window::dilate;
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::ir::ReduceOp;
use crate::lax::ad_util;
use crate::lax::padding::Padding;

/// The combining function of [`reduce_window`]: a [`ReduceOp`] (which maps
/// to the monoid primitives when the initial value is its identity, as
/// JAX's `lax.add`/`lax.max`/`lax.min` do) or any `Fn(&Array, &Array) ->
/// Array` applied elementwise to whole window slices.
pub trait WindowComputation {
    /// The monoid this computation is, if it is one.
    fn monoid(&self) -> Option<ReduceOp>;
    /// Combines the accumulator `acc` with the next window elements `x`.
    fn combine(&self, acc: &Array, x: &Array) -> Array;
}

impl WindowComputation for ReduceOp {
    fn monoid(&self) -> Option<ReduceOp> {
        Some(*self)
    }
    fn combine(&self, acc: &Array, x: &Array) -> Array {
        use crate::lax;
        match self {
            ReduceOp::Sum => lax::add(acc, x),
            ReduceOp::Prod => lax::mul(acc, x),
            ReduceOp::Max => lax::max(acc, x),
            ReduceOp::Min => lax::min(acc, x),
            ReduceOp::And => lax::bitwise_and(acc, x),
            ReduceOp::Or => lax::bitwise_or(acc, x),
            op => panic!(
                "TypeError: reduce_window cannot combine with {}: it is not a binary \
                 operation; use lax::reduce_window with max/min and compare instead.",
                op.name()
            ),
        }
    }
}

impl<F: Fn(&Array, &Array) -> Array> WindowComputation for F {
    fn monoid(&self) -> Option<ReduceOp> {
        None
    }
    fn combine(&self, acc: &Array, x: &Array) -> Array {
        self(acc, x)
    }
}

/// The identity of `max` (`Max`) or `min` (`Min`) in the real `dtype`, as f64.
fn identity(op: ReduceOp, dtype: DType) -> f64 {
    use crate::backend::cpu::kernels::window::WinElem;
    use crate::core::element::CastInto;
    let max = op == ReduceOp::Max;
    if dtype.is_bool() {
        return if max { 0.0 } else { 1.0 };
    }
    crate::with_real_storage_type!(dtype, T => {
        CastInto::<f64>::cast(if max { T::LOWEST } else { T::HIGHEST })
    })
}

/// `lax.reduce_window`: reduces each window of `operand` with
/// `computation`, starting from the scalar `init_value`.
///
/// ```
/// use jaxide::{lax, numpy as jnp, ir::ReduceOp};
/// let x = jnp::arange_dtype(10, jaxide::DType::F32);
/// let one = jaxide::Array::scalar(1.0f32);
/// // A windowed product (a closure: the general path).
/// let y = lax::reduce_window(&x, &one, |a: &jaxide::Array, b: &jaxide::Array| lax::mul(a, b),
///     &[2], &[1], "VALID", Default::default());
/// assert_eq!(y.to_vec::<f32>(), vec![0., 2., 6., 12., 20., 30., 42., 56., 72.]);
/// // Max pooling (the reduce_window_max primitive).
/// let m = lax::reduce_window(&x, &jaxide::Array::scalar(f32::NEG_INFINITY), ReduceOp::Max,
///     &[2], &[2], "VALID", Default::default());
/// assert_eq!(m.to_vec::<f32>(), vec![1., 3., 5., 7., 9.]);
/// ```
pub fn reduce_window(
    operand: &Array,
    init_value: &Array,
    computation: impl WindowComputation,
    window_dimensions: &[usize],
    window_strides: &[usize],
    padding: impl Into<Padding>,
    options: ReduceWindowOptions,
) -> Array {
    let padding = padding.into();
    if init_value.ndim() != 0 {
        panic!(
            "TypeError: reduce_window expected init_values to be scalars but init_values have \
             shapes [{}].",
            fmt_tuple(init_value.shape())
        );
    }
    if let (Some(op), false) = (computation.monoid(), init_value.is_tracer()) {
        if !init_value.dtype().is_complex() {
            let v = ad_util::scalar_value_f64(init_value);
            let (ws, p, o) = (window_strides, padding.clone(), options.clone());
            match op {
                ReduceOp::Sum if v == 0.0 => {
                    return reduce_window_sum(operand, window_dimensions, ws, p, o)
                }
                ReduceOp::Max if v == identity(op, init_value.dtype()) => {
                    return reduce_window_max(operand, window_dimensions, ws, p, o)
                }
                ReduceOp::Min if v == identity(op, init_value.dtype()) => {
                    return reduce_window_min(operand, window_dimensions, ws, p, o)
                }
                _ => {}
            }
        }
    }
    if init_value.dtype() != operand.dtype() {
        panic!(
            "TypeError: reduce_window got inconsistent dtypes for operands and init_values: got \
             operand dtypes [dtype('{}')] and init_value dtypes [dtype('{}')].",
            operand.dtype(),
            init_value.dtype()
        );
    }
    let config = WindowConfig::resolve(
        operand.shape(),
        window_dimensions,
        window_strides,
        padding,
        &options,
    );
    fold(operand, init_value, &computation, &config)
}

/// The general path: `acc = computation(acc, slice_k)` over window offsets `k`.
fn fold(x: &Array, init: &Array, f: &impl WindowComputation, c: &WindowConfig) -> Array {
    use crate::lax;
    let out: Vec<usize> = c.out_shape(x.aval()).to_vec();
    let mut acc = lax::broadcast_in_dim(init, &out, &[]);
    if out.contains(&0) {
        return acc;
    }
    let n = x.ndim();
    let cfg: Vec<(i64, i64, i64)> = (0..n)
        .map(|d| {
            (
                c.padding[d].0,
                c.padding[d].1,
                c.base_dilation[d] as i64 - 1,
            )
        })
        .collect();
    let padded = lax::pad(x, init, &cfg);
    // valid[d][k][o]: whether window tap k of output o lands on an operand element.
    let valid: Vec<Vec<Vec<bool>>> = (0..n)
        .map(|d| {
            let dilated = dilate(x.shape()[d], c.base_dilation[d]) as i64;
            let bd = c.base_dilation[d] as i64;
            (0..c.window_dimensions[d])
                .map(|k| {
                    (0..out[d])
                        .map(|o| {
                            let q = (o * c.window_strides[d] + k * c.window_dilation[d]) as i64
                                - c.padding[d].0;
                            q >= 0 && q < dilated && q % bd == 0
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let taps: usize = c.window_dimensions.iter().product();
    for t in 0..taps {
        let mut k = vec![0; n];
        let mut r = t;
        for d in (0..n).rev() {
            k[d] = r % c.window_dimensions[d];
            r /= c.window_dimensions[d];
        }
        let start: Vec<usize> = (0..n).map(|d| k[d] * c.window_dilation[d]).collect();
        let limit: Vec<usize> = (0..n)
            .map(|d| start[d] + (out[d] - 1) * c.window_strides[d] + 1)
            .collect();
        let slice = lax::slice_with_strides(&padded, &start, &limit, &c.window_strides);
        let next = f.combine(&acc, &slice);
        if next.shape() != acc.shape() || next.dtype() != acc.dtype() {
            panic!(
                "TypeError: reduce_window computation must return one array like its inputs \
                 ({}), got {}.",
                acc.aval().short(),
                next.aval().short()
            );
        }
        let all_valid = (0..n).all(|d| valid[d][k[d]].iter().all(|&v| v));
        acc = if all_valid {
            next
        } else {
            let mask = mask_of(&out, |d, o| valid[d][k[d]][o]);
            lax::select(&mask, &next, &acc)
        };
    }
    acc
}

/// A bool array of `shape` whose element at `o` is the AND of `axis(d, o[d])`.
fn mask_of(shape: &[usize], axis: impl Fn(usize, usize) -> bool) -> Array {
    let size: usize = shape.iter().product();
    let mut m = vec![true; size];
    let mut stride = 1;
    for d in (0..shape.len()).rev() {
        for (i, v) in m.iter_mut().enumerate() {
            *v &= axis(d, (i / stride) % shape[d]);
        }
        stride *= shape[d];
    }
    Array::from_vec(m, shape.to_vec())
}
