//! `jnp.pad` in every NumPy mode: constant, edge, reflect and symmetric
//! (even or odd), wrap, linear_ramp, the statistic modes (maximum, mean,
//! median, minimum, with `stat_length`), empty, and a user function.
//!
//! Each mode is built from `slice`, `rev`, `concatenate` and `lax.pad`, one
//! axis at a time as JAX does, so grad, jit and vmap go through it.

use super::creation::zeros_dtype;
use super::elementwise::{self as ew, round, scalar_like};
use super::functional::apply_along_axis;
use super::promote::default_float;
use super::quantiles::median_axis;
use super::reductions::{max_axis, mean_axis, min_axis};
use super::shape_ops::repeat;
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::lax;

/// The padding mode of [`pad`] (NumPy's `mode=` string).
#[derive(Clone, Debug, PartialEq)]
pub enum PadMode {
    /// `'constant'`: pad with a value (per-axis values through
    /// [`PadOptions::constant_values`]).
    Constant(f64),
    /// `'edge'`: repeat the edge values.
    Edge,
    /// `'reflect'`: mirror without repeating the edge (`[1,2,3]` →
    /// `[3,2,1,2,3,2,1]`).
    Reflect,
    /// `'symmetric'`: mirror repeating the edge (`[1,2,3]` → `[2,1,1,2,3,3,2]`).
    Symmetric,
    /// `'wrap'`: continue periodically from the other end.
    Wrap,
    /// `'linear_ramp'`: a ramp from [`PadOptions::end_values`] to the edge.
    LinearRamp,
    /// `'maximum'`: the maximum of the axis (or of `stat_length` edge values).
    Maximum,
    /// `'mean'`: the mean, rounded for integer arrays.
    Mean,
    /// `'median'`: the median, rounded for integer arrays.
    Median,
    /// `'minimum'`: the minimum.
    Minimum,
    /// `'empty'`: unspecified values; zeros, as in JAX.
    Empty,
}

impl PadMode {
    fn name(&self) -> &'static str {
        match self {
            PadMode::Constant(_) => "constant",
            PadMode::Edge => "edge",
            PadMode::Reflect => "reflect",
            PadMode::Symmetric => "symmetric",
            PadMode::Wrap => "wrap",
            PadMode::LinearRamp => "linear_ramp",
            PadMode::Maximum => "maximum",
            PadMode::Mean => "mean",
            PadMode::Median => "median",
            PadMode::Minimum => "minimum",
            PadMode::Empty => "empty",
        }
    }
}

/// `reflect_type=` of the `reflect` and `symmetric` modes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReflectType {
    /// Mirror the values (the default).
    #[default]
    Even,
    /// Mirror the values through the edge value: `2 * edge - x`.
    Odd,
}

/// The keyword arguments of [`pad_with`]. Each applies only to the modes
/// NumPy allows it for; setting one for another mode is an error, as in JAX.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PadOptions {
    /// `constant_values`: one `(before, after)` pair, or one per axis.
    /// Overrides the value in [`PadMode::Constant`].
    pub constant_values: Option<Vec<(f64, f64)>>,
    /// `stat_length`: how many edge values the statistic modes use, one
    /// `(before, after)` pair or one per axis; `None` uses the whole axis.
    pub stat_length: Option<Vec<(usize, usize)>>,
    /// `end_values` of `linear_ramp`: one `(before, after)` pair or one per
    /// axis; `None` means 0.
    pub end_values: Option<Vec<(f64, f64)>>,
    /// `reflect_type` of `reflect` and `symmetric`.
    pub reflect_type: ReflectType,
}

/// Pads each axis by `(before, after)` elements (`jnp.pad(x, pad_width, mode)`).
/// `pad_width` holds one pair for every axis, or one pair for all of them.
///
/// ```
/// use jaxide::numpy as jnp;
/// let x = jnp::array([10, 20, 30, 40]);
/// assert_eq!(jnp::pad(&x, &[(2, 2)], jnp::PadMode::Reflect).to_vec::<i32>(),
///            vec![30, 20, 10, 20, 30, 40, 30, 20]);
/// ```
pub fn pad(x: &Array, pad_width: &[(usize, usize)], mode: PadMode) -> Array {
    pad_with(x, pad_width, mode, PadOptions::default())
}

/// [`pad`] with NumPy's keyword arguments (`constant_values`, `stat_length`,
/// `end_values`, `reflect_type`).
pub fn pad_with(
    x: &Array,
    pad_width: &[(usize, usize)],
    mode: PadMode,
    options: PadOptions,
) -> Array {
    check_kwargs(&mode, &options);
    let nd = x.ndim();
    if nd == 0 {
        return x.clone();
    }
    let widths = broadcast_pairs(pad_width, nd, "pad_width");
    match mode {
        PadMode::Constant(v) => {
            let values = match &options.constant_values {
                Some(vals) => broadcast_pairs(vals, nd, "constant_values"),
                None => vec![(v, v); nd],
            };
            pad_constant(x, &widths, &values)
        }
        PadMode::Edge => pad_edge(x, &widths),
        PadMode::Wrap => pad_wrap(x, &widths),
        PadMode::Reflect | PadMode::Symmetric => {
            pad_mirror(x, &widths, mode == PadMode::Reflect, options.reflect_type)
        }
        PadMode::LinearRamp => {
            let ends = match &options.end_values {
                Some(e) => broadcast_pairs(e, nd, "end_values"),
                None => vec![(0.0, 0.0); nd],
            };
            pad_linear_ramp(x, &widths, &ends)
        }
        PadMode::Maximum | PadMode::Mean | PadMode::Median | PadMode::Minimum => {
            let lengths = options
                .stat_length
                .as_ref()
                .map(|l| broadcast_pairs(l, nd, "stat_length"));
            pad_stats(x, &widths, lengths.as_deref(), &mode)
        }
        PadMode::Empty => pad_constant(x, &widths, &vec![(0.0, 0.0); nd]),
    }
}

/// `jnp.pad(x, pad_width, func)`: pads with zeros, then lets `func(row,
/// (before, after), axis)` rewrite every 1-d row along each axis in turn
/// (vectorized with `vmap`). `func` returns the new row.
pub fn pad_fn(
    x: &Array,
    pad_width: &[(usize, usize)],
    func: impl Fn(&Array, (usize, usize), usize) -> Array + Sync + Send,
) -> Array {
    let nd = x.ndim();
    let widths = broadcast_pairs(pad_width, nd, "pad_width");
    let mut out = pad_constant(x, &widths, &vec![(0.0, 0.0); nd]);
    for (axis, &w) in widths.iter().enumerate() {
        out = apply_along_axis(|row| func(row, w, axis), axis as isize, &out);
    }
    out
}

fn check_kwargs(mode: &PadMode, o: &PadOptions) {
    let mut given: Vec<&str> = Vec::new();
    let allowed: &[&str] = match mode {
        PadMode::Constant(_) => &["constant_values"],
        PadMode::LinearRamp => &["end_values"],
        PadMode::Maximum | PadMode::Mean | PadMode::Median | PadMode::Minimum => &["stat_length"],
        PadMode::Reflect | PadMode::Symmetric => &["reflect_type"],
        _ => &[],
    };
    if o.constant_values.is_some() {
        given.push("constant_values");
    }
    if o.stat_length.is_some() {
        given.push("stat_length");
    }
    if o.end_values.is_some() {
        given.push("end_values");
    }
    if o.reflect_type != ReflectType::Even {
        given.push("reflect_type");
    }
    let bad: Vec<String> = given
        .into_iter()
        .filter(|k| !allowed.contains(k))
        .map(|k| format!("'{k}'"))
        .collect();
    if !bad.is_empty() {
        panic!(
            "ValueError: unsupported keyword arguments for mode '{}': {{{}}}",
            mode.name(),
            bad.join(", ")
        );
    }
}

/// One pair per axis from one pair, or one per axis (`_broadcast_to_pairs`).
fn broadcast_pairs<T: Copy>(pairs: &[(T, T)], nd: usize, name: &str) -> Vec<(T, T)> {
    match pairs.len() {
        1 => vec![pairs[0]; nd],
        n if n == nd => pairs.to_vec(),
        n => panic!(
            "ValueError: jnp.pad: {name} with nd={nd} has unsupported shape ({n}, 2). Valid \
             shapes are ({nd}, 2), (1, 2), (2,), (1,), or ()."
        ),
    }
}

fn slice_axis(x: &Array, axis: usize, start: usize, stop: usize) -> Array {
    lax::slice_in_dim(x, start, stop, 1, axis)
}

fn check_no_padding(w: (usize, usize), mode: &str) {
    if w.0 > 0 || w.1 > 0 {
        panic!("ValueError: Cannot apply '{mode}' padding to empty axis");
    }
}

fn pad_constant(x: &Array, widths: &[(usize, usize)], values: &[(f64, f64)]) -> Array {
    let nd = x.ndim();
    let uniform = values
        .iter()
        .all(|&(a, b)| a == values[0].0 && b == values[0].0);
    if uniform {
        let cfg: Vec<(i64, i64, i64)> = widths
            .iter()
            .map(|&(a, b)| (a as i64, b as i64, 0))
            .collect();
        return lax::pad(x, &scalar_like(x, values[0].0), &cfg);
    }
    let mut out = x.clone();
    for i in 0..nd {
        let mut cfg = vec![(0i64, 0i64, 0i64); nd];
        if widths[i].0 != 0 {
            cfg[i] = (widths[i].0 as i64, 0, 0);
            out = lax::pad(&out, &scalar_like(x, values[i].0), &cfg);
        }
        if widths[i].1 != 0 {
            cfg[i] = (0, widths[i].1 as i64, 0);
            out = lax::pad(&out, &scalar_like(x, values[i].1), &cfg);
        }
    }
    out
}

fn pad_edge(x: &Array, widths: &[(usize, usize)]) -> Array {
    let mut out = x.clone();
    for (i, &(before, after)) in widths.iter().enumerate() {
        let n = out.shape()[i];
        if n == 0 {
            check_no_padding((before, after), "edge");
            continue;
        }
        let lo = repeat(&slice_axis(&out, i, 0, 1), before, Some(i as isize));
        let hi = repeat(&slice_axis(&out, i, n - 1, n), after, Some(i as isize));
        out = lax::concatenate(&[&lo, &out, &hi], i);
    }
    out
}

fn pad_wrap(x: &Array, widths: &[(usize, usize)]) -> Array {
    let mut out = x.clone();
    for (i, &(before, after)) in widths.iter().enumerate() {
        let size = out.shape()[i];
        if size == 0 {
            check_no_padding((before, after), "wrap");
            continue;
        }
        let (left_reps, left_rem) = (before / size, before % size);
        let (right_reps, right_rem) = (after / size, after % size);
        let mut parts: Vec<Array> = Vec::new();
        if left_rem > 0 {
            parts.push(slice_axis(&out, i, size - left_rem, size));
        }
        for _ in 0..left_reps + right_reps + 1 {
            parts.push(out.clone());
        }
        if right_rem > 0 {
            parts.push(slice_axis(&out, i, 0, right_rem));
        }
        let refs: Vec<&Array> = parts.iter().collect();
        out = lax::concatenate(&refs, i);
    }
    out
}

/// `reflect` (edge not repeated) and `symmetric` (edge repeated), each
/// even or odd. Padding wider than the axis reflects repeatedly off the
/// growing array, as NumPy does.
fn pad_mirror(x: &Array, widths: &[(usize, usize)], reflect: bool, kind: ReflectType) -> Array {
    let mode = if reflect { "reflect" } else { "symmetric" };
    let mut out = x.clone();
    for (i, &(before, after)) in widths.iter().enumerate() {
        let axis_size = out.shape()[i];
        if axis_size == 0 {
            check_no_padding((before, after), mode);
            continue;
        }
        if before == 0 && after == 0 {
            continue;
        }
        let offset = if reflect && axis_size > 1 { 1 } else { 0 };
        for (padding, at_start) in [(before, true), (after, false)] {
            let mut padding = padding;
            let n0 = out.shape()[i];
            let mut edge = if at_start {
                slice_axis(&out, i, 0, 1)
            } else {
                slice_axis(&out, i, n0 - 1, n0)
            };
            while padding > 0 {
                let cur = padding.min(axis_size - offset);
                padding -= cur;
                let n = out.shape()[i];
                let piece = if at_start {
                    slice_axis(&out, i, offset, offset + cur)
                } else {
                    let stop = if !reflect || axis_size == 1 { n } else { n - 1 };
                    slice_axis(&out, i, n - (cur + offset), stop)
                };
                let mut piece = lax::rev(&piece, &[i]);
                if kind == ReflectType::Odd {
                    let twice = ew::multiply(scalar_like(&edge, 2.0), &edge);
                    piece = ew::subtract(&twice, &piece);
                    if axis_size > 1 {
                        let m = piece.shape()[i];
                        edge = if at_start {
                            slice_axis(&piece, i, 0, 1)
                        } else {
                            slice_axis(&piece, i, m - 1, m)
                        };
                    }
                }
                out = if at_start {
                    lax::concatenate(&[&piece, &out], i)
                } else {
                    lax::concatenate(&[&out, &piece], i)
                };
            }
        }
    }
    out
}

/// The inexact dtype the ramp is computed in (`dtypes.to_inexact_dtype`).
fn inexact(dtype: DType) -> DType {
    if dtype.is_inexact() {
        dtype
    } else {
        default_float()
    }
}

/// `num` values from `start` towards `stop` (exclusive) along `axis`,
/// computed as JAX's `linspace(endpoint=False)`: `start * (1 - t) + stop * t`
/// with `t = iota / num`; integer dtypes floor the result.
fn ramp(start: f64, stop: &Array, num: usize, axis: usize, dtype: DType) -> Array {
    let ct = inexact(dtype);
    let stop = lax::convert_element_type(stop, ct);
    let mut shape = stop.shape().to_vec();
    shape[axis] = num;
    if num == 0 {
        return zeros_dtype(shape, dtype);
    }
    let s = lax::convert_element_type(&scalar_like(&stop, start), ct);
    let it = lax::iota(ct.real_dtype(), num);
    let t = lax::convert_element_type(&ew::divide(&it, scalar_like(&it, num as f64)), ct);
    let t = lax::broadcast_in_dim(&t, &shape, &[axis]);
    let one_minus_t = ew::subtract(scalar_like(&t, 1.0), &t);
    let out = ew::add(ew::multiply(&s, &one_minus_t), ew::multiply(&stop, &t));
    let out = if dtype.is_int() {
        lax::floor(&out)
    } else {
        out
    };
    lax::convert_element_type_weak(&out, dtype, false)
}

fn pad_linear_ramp(x: &Array, widths: &[(usize, usize)], ends: &[(f64, f64)]) -> Array {
    let weak = x.weak_type();
    let mut out = x.clone();
    for (i, &(before, after)) in widths.iter().enumerate() {
        let n = out.shape()[i];
        if n == 0 {
            check_no_padding((before, after), "linear_ramp");
            continue;
        }
        let lo_edge = slice_axis(&out, i, 0, 1);
        let hi_edge = slice_axis(&out, i, n - 1, n);
        let lo = ramp(ends[i].0, &lo_edge, before, i, x.dtype());
        let hi = lax::rev(&ramp(ends[i].1, &hi_edge, after, i, x.dtype()), &[i]);
        let lo = lax::convert_element_type_weak(&lo, x.dtype(), weak);
        let hi = lax::convert_element_type_weak(&hi, x.dtype(), weak);
        out = lax::concatenate(&[&lo, &out, &hi], i);
    }
    out
}

fn pad_stats(
    x: &Array,
    widths: &[(usize, usize)],
    lengths: Option<&[(usize, usize)]>,
    mode: &PadMode,
) -> Array {
    let stat = |a: &Array, axis: usize| -> Array {
        match mode {
            PadMode::Maximum => max_axis(a, axis as isize, true),
            PadMode::Minimum => min_axis(a, axis as isize, true),
            PadMode::Mean => mean_axis(a, axis as isize, true),
            _ => median_axis(a, axis as isize, true),
        }
    };
    let integer = x.dtype().is_int();
    let mut out = x.clone();
    for (i, &(before, after)) in widths.iter().enumerate() {
        let n = out.shape()[i];
        if n == 0 {
            check_no_padding((before, after), mode.name());
            continue;
        }
        let (mut s_lo, mut s_hi) = match lengths {
            None => {
                let s = stat(&out, i);
                (s.clone(), s)
            }
            Some(l) => {
                let (lb, la) = l[i];
                if lb == 0 || la == 0 {
                    panic!("ValueError: stat_length of 0 yields no value for padding");
                }
                let (lb, la) = (lb.min(n), la.min(n));
                (
                    stat(&slice_axis(&out, i, 0, lb), i),
                    stat(&slice_axis(&out, i, n - la, n), i),
                )
            }
        };
        if integer {
            s_lo = round(&s_lo);
            s_hi = round(&s_hi);
        }
        let s_lo = lax::convert_element_type_weak(&s_lo, x.dtype(), x.weak_type());
        let s_hi = lax::convert_element_type_weak(&s_hi, x.dtype(), x.weak_type());
        let lo = repeat(&s_lo, before, Some(i as isize));
        let hi = repeat(&s_hi, after, Some(i as isize));
        out = lax::concatenate(&[&lo, &out, &hi], i);
    }
    out
}
