//! Sampled-function calculus and signals: `trapezoid`, `gradient`,
//! `interp`, `unwrap`, `convolve`, `correlate`.

use super::array_like::ArrayLike;
use super::elementwise as ew;
use super::promote::{promote_dtypes, promote_to_inexact};
use super::reductions as red;
use super::sets::{searchsorted, Side};
use super::shape_ops as so;
use crate::core::array::Array;
use crate::core::shape::canonicalize_axis;
use crate::lax;

fn sl(a: &Array, s: isize, e: Option<isize>, axis: usize) -> Array {
    let n = a.shape()[axis] as isize;
    let fix = |v: isize| (if v < 0 { v + n } else { v }).clamp(0, n) as usize;
    let (s, e) = (fix(s), e.map(fix).unwrap_or(n as usize));
    lax::slice_in_dim(a, s, e.max(s), 1, axis)
}

/// Integral of samples `y` by the trapezoid rule along `axis`, spaced `dx`
/// apart (`jnp.trapezoid(y, dx=dx, axis=axis)`).
pub fn trapezoid(y: &Array, dx: f64, axis: isize) -> Array {
    let y = promote_to_inexact(y);
    let y = so::moveaxis(&y, axis, -1);
    let last = y.ndim() - 1;
    let ends = ew::add(sl(&y, 0, Some(1), last), sl(&y, -1, None, last));
    let ends = lax::squeeze(&ends, &[last]);
    ew::multiply(
        ew::subtract(red::sum_axis(&y, -1, false), ew::multiply(ends, 0.5)),
        dx,
    )
}

/// [`trapezoid`] at sample points `x` (1-d, or shaped like `y`).
pub fn trapezoid_x(y: &Array, x: &Array, axis: isize) -> Array {
    let v = promote_dtypes(&[y, x]);
    let (y, x) = (promote_to_inexact(&v[0]), promote_to_inexact(&v[1]));
    let dx = if x.ndim() == 1 {
        super::manipulation::diff(&x, 1, 0)
    } else {
        so::moveaxis(&super::manipulation::diff(&x, 1, axis), axis, -1)
    };
    let y = so::moveaxis(&y, axis, -1);
    let last = y.ndim() - 1;
    let mids = ew::add(sl(&y, 1, None, last), sl(&y, 0, Some(-1), last));
    ew::multiply(red::sum_axis(&ew::multiply(&dx, mids), -1, false), 0.5)
}

/// Central differences inside, one-sided at the edges, for unit spacing
/// along every axis (`jnp.gradient(f)`): one array per axis.
pub fn gradient(f: &Array) -> Vec<Array> {
    let axes: Vec<isize> = (0..f.ndim() as isize).collect();
    gradient_with(f, &axes, &[])
}

/// `jnp.gradient(f, *spacing, axis=axes)`: `spacing` is empty (unit),
/// one scalar or 1-d coordinate array for all axes, or one per axis.
pub fn gradient_with(f: &Array, axes: &[isize], spacing: &[&Array]) -> Vec<Array> {
    let a = promote_to_inexact(f);
    let axes: Vec<usize> = axes
        .iter()
        .map(|&x| canonicalize_axis(x, a.ndim(), "gradient"))
        .collect();
    if axes.iter().any(|&ax| a.shape()[ax] < 2) {
        panic!(
            "ValueError: Shape of array too small to calculate a numerical gradient, at least 2 \
             elements are required."
        );
    }
    if !(spacing.is_empty() || spacing.len() == 1 || spacing.len() == axes.len()) {
        panic!(
            "TypeError: Invalid number of spacing arguments {} for axis={:?}",
            spacing.len(),
            axes
        );
    }
    axes.iter()
        .enumerate()
        .map(|(i, &ax)| {
            let h = match spacing.len() {
                0 => None,
                1 => Some(spacing[0]),
                _ => Some(spacing[i]),
            };
            gradient_axis(&a, h, ax)
        })
        .collect()
}

fn gradient_axis(a: &Array, h: Option<&Array>, ax: usize) -> Array {
    let s = |lo: isize, hi: Option<isize>| sl(a, lo, hi, ax);
    let upper = ew::subtract(s(1, Some(2)), s(0, Some(1)));
    let lower = ew::subtract(s(-1, None), s(-2, Some(-1)));
    let (upper, inner, lower) = match h {
        None => (
            upper,
            ew::multiply(ew::subtract(s(2, None), s(0, Some(-2))), 0.5),
            lower,
        ),
        Some(h) if h.ndim() == 0 => {
            let h = lax::convert_element_type(h, a.dtype());
            let inner = ew::divide(
                ew::multiply(ew::subtract(s(2, None), s(0, Some(-2))), 0.5),
                &h,
            );
            (ew::divide(upper, &h), inner, ew::divide(lower, &h))
        }
        Some(h) if h.ndim() == 1 => {
            if h.shape()[0] != a.shape()[ax] {
                panic!(
                    "ValueError: Spacing arrays must have the same length as the dimension along \
                     which the gradient is calculated."
                );
            }
            let h = lax::convert_element_type(h, a.dtype());
            let mut shape = vec![1; a.ndim()];
            shape[ax] = h.shape()[0];
            let h = lax::reshape(&h, &shape);
            let hs = |lo: isize, hi: Option<isize>| sl(&h, lo, hi, ax);
            let upper = ew::divide(upper, ew::subtract(hs(1, Some(2)), hs(0, Some(1))));
            let lower = ew::divide(lower, ew::subtract(hs(-1, None), hs(-2, Some(-1))));
            let dx1 = ew::subtract(hs(1, Some(-1)), hs(0, Some(-2)));
            let dx2 = ew::subtract(hs(2, None), hs(1, Some(-1)));
            let sum = ew::add(&dx1, &dx2);
            let ca = ew::divide(ew::negative(&dx2), ew::multiply(&dx1, &sum));
            let cb = ew::divide(ew::subtract(&dx2, &dx1), ew::multiply(&dx1, &dx2));
            let cc = ew::divide(&dx1, ew::multiply(&dx2, &sum));
            let inner = ew::add(
                ew::add(
                    ew::multiply(ca, s(0, Some(-2))),
                    ew::multiply(cb, s(1, Some(-1))),
                ),
                ew::multiply(cc, s(2, None)),
            );
            (upper, inner, lower)
        }
        Some(_) => panic!("ValueError: Spacing arrays must be 1D arrays or scalars."),
    };
    lax::concatenate(&[&upper, &inner, &lower], ax)
}

/// Piecewise-linear interpolation of `(xp, fp)` at `x` (`jnp.interp`);
/// `xp` increasing. Outside the range: `fp[0]` / `fp[-1]`, or `left` /
/// `right` when given.
pub fn interp(
    x: impl ArrayLike,
    xp: &Array,
    fp: &Array,
    left: Option<f64>,
    right: Option<f64>,
) -> Array {
    let x = x.to_array();
    if xp.shape() != fp.shape() || xp.ndim() != 1 {
        panic!("ValueError: xp and fp must be one-dimensional arrays of equal size");
    }
    if x.dtype().is_complex() {
        panic!("ValueError: jnp.interp: complex x values not supported.");
    }
    let v = promote_dtypes(&[&x, xp]);
    let (x, xp) = (promote_to_inexact(&v[0]), promote_to_inexact(&v[1]));
    let fp = promote_to_inexact(fp);
    let n = xp.shape()[0];
    let i = ew::clip(searchsorted(&xp, &x, Side::Right), 1, (n - 1) as i32);
    let im1 = ew::subtract(&i, 1);
    let at = |a: &Array, idx: &Array| {
        super::take::take_with(
            a,
            idx,
            super::take::Take {
                axis: Some(0),
                mode: Some("clip"),
                ..Default::default()
            },
        )
    };
    let df = ew::subtract(at(&fp, &i), at(&fp, &im1));
    let dx = ew::subtract(at(&xp, &i), at(&xp, &im1));
    let delta = ew::subtract(&x, at(&xp, &im1));
    let eps = super::dtype_info::finfo(xp.dtype()).eps;
    // np.spacing(eps) of the dtype: eps is a power of two, 2**-nmant.
    let tiny = eps * eps;
    let dx0 = ew::less_equal(ew::abs(&dx), tiny);
    let safe = ew::r#where(&dx0, 1.0, &dx);
    let f = ew::r#where(
        &dx0,
        at(&fp, &im1),
        ew::add(at(&fp, &im1), ew::multiply(ew::divide(&delta, &safe), &df)),
    );
    let first = |a: &Array| lax::reshape(&lax::slice_in_dim(a, 0, 1, 1, 0), &[]);
    let lastv = |a: &Array| lax::reshape(&lax::slice_in_dim(a, n - 1, n, 1, 0), &[]);
    let l = match left {
        Some(v) => ew::strong_scalar_like(&f, v),
        None => first(&fp),
    };
    let r = match right {
        Some(v) => ew::strong_scalar_like(&f, v),
        None => lastv(&fp),
    };
    let f = ew::r#where(ew::less(&x, first(&xp)), l, &f);
    ew::r#where(ew::greater(&x, lastv(&xp)), r, &f)
}

/// Unwraps phase jumps larger than `period / 2` along `axis` (`jnp.unwrap`
/// with the default `discont` and `period = 2π`).
pub fn unwrap(p: &Array, axis: isize) -> Array {
    unwrap_with(p, axis, std::f64::consts::TAU, None)
}

/// [`unwrap`] with `period` and `discont`.
pub fn unwrap_with(p: &Array, axis: isize, period: f64, discont: Option<f64>) -> Array {
    if p.dtype().is_complex() {
        panic!("ValueError: jnp.unwrap does not support complex inputs.");
    }
    let p = promote_dtypes(&[p, &super::array_like::weak_float(period)])[0].clone();
    let ax = canonicalize_axis(axis, p.ndim(), "unwrap");
    if p.shape()[ax] == 0 {
        return p;
    }
    let discont = discont.unwrap_or(period / 2.0);
    let interval = period / 2.0;
    let dd = super::manipulation::diff(&p, 1, ax as isize);
    let ddmod = ew::subtract(ew::r#mod(ew::add(&dd, interval), period), interval);
    let at_edge = ew::logical_and(ew::equal(&ddmod, -interval), ew::greater(&dd, 0.0));
    let ddmod = ew::r#where(at_edge, interval, &ddmod);
    let fix = ew::r#where(
        ew::less(ew::abs(&dd), discont),
        0.0,
        ew::subtract(&ddmod, &dd),
    );
    let head = sl(&p, 0, Some(1), ax);
    let tail = ew::add(sl(&p, 1, None, ax), red::cumsum_axis(&fix, ax as isize));
    lax::concatenate(&[&head, &lax::convert_element_type(&tail, p.dtype())], ax)
}

/// Output size of [`convolve`] and [`correlate`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConvMode {
    /// Every overlap (length `n + m - 1`), the default of `convolve`.
    #[default]
    Full,
    /// Centered, the length of the longer input.
    Same,
    /// Only complete overlaps (length `max - min + 1`), `correlate`'s default.
    Valid,
}

impl ConvMode {
    /// Parses `"full"`, `"same"` or `"valid"`.
    pub fn parse(s: &str) -> ConvMode {
        match s {
            "full" => ConvMode::Full,
            "same" => ConvMode::Same,
            "valid" => ConvMode::Valid,
            _ => panic!("ValueError: mode must be one of ['full', 'same', 'valid']"),
        }
    }
}

fn conv(x: &Array, y: &Array, mode: ConvMode, op: &str) -> Array {
    if x.ndim() != 1 || y.ndim() != 1 {
        panic!("ValueError: {op}() only support 1-dimensional inputs.");
    }
    let v = promote_dtypes(&[x, y]);
    let (mut x, mut y) = (promote_to_inexact(&v[0]), promote_to_inexact(&v[1]));
    if x.size() == 0 || y.size() == 0 {
        panic!(
            "ValueError: {op}: inputs cannot be empty, got shapes ({},) and ({},).",
            x.size(),
            y.size()
        );
    }
    let mut reverse_out = false;
    if op == "correlate" {
        if y.dtype().is_complex() {
            y = lax::conj(&y);
        }
        if x.size() < y.size() {
            std::mem::swap(&mut x, &mut y);
            reverse_out = true;
        }
    } else {
        if x.size() < y.size() {
            std::mem::swap(&mut x, &mut y);
        }
        y = lax::rev(&y, &[0]);
    }
    let m = y.size();
    let (lo, hi) = match mode {
        ConvMode::Valid => (0, 0),
        ConvMode::Same => (m / 2, m - m / 2 - 1),
        ConvMode::Full => (m - 1, m - 1),
    };
    let zero = ew::strong_scalar_like(&x, 0.0);
    let xp = lax::pad(&x, &zero, &[(lo as i64, hi as i64, 0)]);
    let len = xp.size() - m + 1;
    // windows[i, k] = xp[i + k]: a static gather, then one matrix-vector product.
    let idx: Vec<i32> = (0..len)
        .flat_map(|i| (0..m).map(move |k| (i + k) as i32))
        .collect();
    let idx = Array::from_vec(idx, vec![len * m]);
    let windows = lax::reshape(
        &super::take::take_with(
            &xp,
            &idx,
            super::take::Take {
                axis: Some(0),
                ..Default::default()
            },
        ),
        &[len, m],
    );
    let out = super::products::dot(&windows, &y);
    if reverse_out {
        lax::rev(&out, &[0])
    } else {
        out
    }
}

/// Discrete linear convolution of two 1-d arrays (`jnp.convolve(a, v, mode)`).
pub fn convolve(a: impl ArrayLike, v: impl ArrayLike, mode: ConvMode) -> Array {
    conv(&a.to_array(), &v.to_array(), mode, "convolve")
}

/// Cross-correlation of two 1-d arrays (`jnp.correlate(a, v, mode)`; JAX's
/// default mode is `Valid`).
pub fn correlate(a: impl ArrayLike, v: impl ArrayLike, mode: ConvMode) -> Array {
    conv(&a.to_array(), &v.to_array(), mode, "correlate")
}
