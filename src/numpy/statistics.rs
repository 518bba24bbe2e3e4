//! Counting and binning (`bincount`, `digitize`, `histogram`,
//! `histogram_bin_edges`, `histogram2d`, `histogramdd`) and covariance
//! (`cov`, `corrcoef`).

use super::array_like::ArrayLike;
use super::elementwise as ew;
use super::promote::{default_int, promote_dtypes, promote_to_inexact};
use super::reductions as red;
use super::sets::{searchsorted, Side};
use super::shape_ops as so;
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::lax;

/// Counts of each non-negative integer in a 1-d `x` (`jnp.bincount`),
/// weighted when `weights` is given. `length` fixes the output length (needed
/// under `jit`); otherwise it is `max(minlength, x.max() + 1)` from concrete
/// data. Negative values count in bin 0 and values past `length` drop, as
/// in JAX.
pub fn bincount(
    x: &Array,
    weights: Option<&Array>,
    minlength: usize,
    length: Option<usize>,
) -> Array {
    let x = if x.dtype().is_bool() {
        lax::convert_element_type(x, DType::I32)
    } else {
        x.clone()
    };
    if !x.dtype().is_int() {
        panic!(
            "TypeError: x argument to bincount must have an integer type; got {}",
            x.dtype()
        );
    }
    if x.ndim() != 1 {
        panic!("ValueError: only 1-dimensional input supported.");
    }
    let length = length.unwrap_or_else(|| {
        if x.size() == 0 {
            return minlength;
        }
        let m = super::read_scalar_i64(&red::max(&x));
        minlength.max((m.max(0) + 1) as usize)
    });
    let w = match weights {
        None => lax::convert_element_type(&Array::scalar(1i32), default_int()),
        Some(w) => {
            if w.shape() != x.shape() {
                panic!(
                    "ValueError: type of weights must match type of x. Got x shape {} and \
                     weights shape {}",
                    fmt_tuple(x.shape()),
                    fmt_tuple(w.shape())
                );
            }
            w.clone()
        }
    };
    let zeros = super::creation::zeros_dtype(vec![length], w.dtype());
    let idx = lax::max(&x, &ew::strong_scalar_like(&x, 0.0));
    zeros.at(&idx).mode("drop").add(&w)
}

/// Index of the bin each `x` falls in (`jnp.digitize`): bins increasing or
/// decreasing; `right` puts a value equal to an edge in the lower bin.
pub fn digitize(x: impl ArrayLike, bins: &Array, right: bool) -> Array {
    let x = x.to_array();
    if bins.ndim() != 1 {
        panic!(
            "ValueError: digitize: bins must be a 1-dimensional array; got bins of shape {}",
            fmt_tuple(bins.shape())
        );
    }
    let n = bins.shape()[0];
    if n == 0 {
        return super::creation::zeros_dtype(x.shape().to_vec(), DType::I32);
    }
    let side = if right { Side::Left } else { Side::Right };
    let first = lax::slice_in_dim(bins, 0, 1, 1, 0);
    let last = lax::slice_in_dim(bins, n - 1, n, 1, 0);
    let increasing = lax::reshape(&lax::ge(&last, &first), &[]);
    let up = searchsorted(bins, &x, side);
    let down = ew::subtract(n as i32, searchsorted(&lax::rev(bins, &[0]), &x, side));
    ew::r#where(increasing, up, down)
}

/// How [`histogram`] chooses its bins.
#[derive(Clone, Debug)]
pub enum Bins {
    /// This many equal bins over the range.
    Count(usize),
    /// These edges (increasing, length bins + 1).
    Edges(Array),
}

impl From<usize> for Bins {
    fn from(n: usize) -> Bins {
        Bins::Count(n)
    }
}

impl From<&Array> for Bins {
    fn from(e: &Array) -> Bins {
        Bins::Edges(e.clone())
    }
}

/// The bin edges [`histogram`] uses (`jnp.histogram_bin_edges`): `bins`
/// equal bins over `range` (default: the data's min and max; an empty range
/// widens by 0.5 each way), or the given edges.
pub fn histogram_bin_edges(a: &Array, bins: impl Into<Bins>, range: Option<(f64, f64)>) -> Array {
    let dt = if a.dtype().is_inexact() {
        a.dtype()
    } else {
        super::promote::default_float()
    };
    match bins.into() {
        Bins::Edges(e) => lax::convert_element_type(&e, dt),
        Bins::Count(n) => {
            let (lo, hi) = match range {
                Some((lo, hi)) => (
                    lax::convert_element_type(&Array::scalar(lo), dt),
                    lax::convert_element_type(&Array::scalar(hi), dt),
                ),
                None => (
                    lax::convert_element_type(&red::min(a), dt),
                    lax::convert_element_type(&red::max(a), dt),
                ),
            };
            let flat = lax::eq(&lo, &hi);
            let half = ew::strong_scalar_like(&lo, 0.5);
            let lo = ew::r#where(&flat, lax::sub(&lo, &half), &lo);
            let hi = ew::r#where(&flat, lax::add(&hi, &half), &hi);
            // linspace(lo, hi, n + 1) on traced endpoints.
            let t = lax::div(
                &lax::iota(dt, n + 1),
                &ew::strong_scalar_like(&lo, n.max(1) as f64),
            );
            let span = lax::sub(&hi, &lo);
            let e = ew::add(&lo, ew::multiply(&t, &span));
            // The last edge is exactly hi.
            let is_last = lax::eq(&lax::iota(DType::I32, n + 1), &Array::scalar(n as i32));
            ew::r#where(is_last, &hi, e)
        }
    }
}

/// Counts (or summed weights) per bin and the bin edges (`jnp.histogram`);
/// the last bin includes its right edge. `density` normalizes to a density.
pub fn histogram(
    a: &Array,
    bins: impl Into<Bins>,
    range: Option<(f64, f64)>,
    weights: Option<&Array>,
    density: bool,
) -> (Array, Array) {
    let (a, w) = match weights {
        None => {
            let a = promote_to_inexact(a);
            let w = super::creation::ones_like(&a);
            (a, w)
        }
        Some(w) => {
            if w.shape() != a.shape() {
                panic!("ValueError: weights should have the same shape as a.");
            }
            let v = promote_dtypes(&[a, w]);
            (promote_to_inexact(&v[0]), promote_to_inexact(&v[1]))
        }
    };
    let edges = histogram_bin_edges(&a, bins, range);
    let ne = edges.shape()[0];
    let flat = so::ravel(&a);
    let mut idx = searchsorted(&edges, &flat, Side::Right);
    let last = lax::slice_in_dim(&edges, ne - 1, ne, 1, 0);
    let at_end = ew::equal(&flat, lax::reshape(&last, &[]));
    idx = ew::r#where(at_end, (ne - 1) as i32, &idx);
    let zeros = super::creation::zeros_dtype(vec![ne], w.dtype());
    let counts = zeros.at(&idx).add(so::ravel(&w));
    let mut counts = lax::slice_in_dim(&counts, 1, ne, 1, 0);
    if density {
        let widths = super::manipulation::diff(&edges, 1, 0);
        counts = ew::divide(ew::divide(&counts, &widths), red::sum(&counts));
    }
    (counts, edges)
}

/// A multidimensional histogram of `sample` rows of shape `(N, D)`
/// (`jnp.histogramdd`): one `Bins` per dimension (or one for all). Returns
/// the counts, shape `(bins_0, ..., bins_{D-1})`, and each dimension's edges.
pub fn histogramdd(
    sample: &Array,
    bins: &[Bins],
    range: Option<&[(f64, f64)]>,
    weights: Option<&Array>,
    density: bool,
) -> (Array, Vec<Array>) {
    if sample.ndim() != 2 {
        panic!(
            "ValueError: histogramdd: sample must be 2-d (N, D), got shape {}",
            fmt_tuple(sample.shape())
        );
    }
    let (n, d) = (sample.shape()[0], sample.shape()[1]);
    if bins.len() != d && bins.len() != 1 {
        panic!("ValueError: should be a bin for each dimension.");
    }
    if let Some(r) = range {
        if r.len() != d {
            panic!("ValueError: should be a range for each dimension.");
        }
    }
    let sample = promote_to_inexact(sample);
    let w = match weights {
        Some(w) => {
            if w.shape() != [n] {
                panic!("ValueError: should have one weight for each sample.");
            }
            lax::convert_element_type(w, sample.dtype())
        }
        // Unweighted counts are integers, as in JAX.
        None => super::creation::ones_dtype(vec![n], default_int()),
    };
    let w = lax::reshape(&w, &[n]);
    let mut edges = Vec::with_capacity(d);
    let mut flat_idx: Option<Array> = None;
    let mut nbins = Vec::with_capacity(d);
    for i in 0..d {
        let col = lax::reshape(&lax::slice_in_dim(&sample, i, i + 1, 1, 1), &[n]);
        let b = bins[if bins.len() == 1 { 0 } else { i }].clone();
        let e = histogram_bin_edges(&col, b, range.map(|r| r[i]));
        let ne = e.shape()[0];
        let mut idx = searchsorted(&e, &col, Side::Right);
        let last = lax::reshape(&lax::slice_in_dim(&e, ne - 1, ne, 1, 0), &[]);
        idx = ew::r#where(ew::equal(&col, &last), (ne - 1) as i32, &idx);
        // Index in the padded (ne + 1)-wide grid, flattened row-major.
        flat_idx = Some(match flat_idx {
            None => idx,
            Some(f) => ew::add(ew::multiply(f, (ne + 1) as i32), idx),
        });
        nbins.push(ne + 1);
        edges.push(e);
    }
    let total: usize = nbins.iter().product();
    let zeros = super::creation::zeros_dtype(vec![total], w.dtype());
    let counts = zeros.at(flat_idx.unwrap()).add(&w);
    let mut counts = lax::reshape(&counts, &nbins);
    // Drop the outlier bins on both sides of each axis.
    let lo = vec![1; d];
    let hi: Vec<usize> = nbins.iter().map(|&b| b - 1).collect();
    counts = lax::slice(&counts, &lo, &hi);
    if density {
        let s = red::sum(&counts);
        counts = ew::divide(&counts, s);
        for (i, e) in edges.iter().enumerate() {
            let widths = super::manipulation::diff(e, 1, 0);
            let mut shape = vec![1; d];
            shape[i] = widths.shape()[0];
            counts = ew::divide(&counts, lax::reshape(&widths, &shape));
        }
    }
    (counts, edges)
}

/// A 2-d histogram of points `(x, y)` (`jnp.histogram2d`): counts of shape
/// `(bins_x, bins_y)` and the edges of each axis.
pub fn histogram2d(
    x: &Array,
    y: &Array,
    bins: &[Bins],
    range: Option<&[(f64, f64)]>,
    weights: Option<&Array>,
    density: bool,
) -> (Array, Array, Array) {
    let v = promote_dtypes(&[x, y]);
    let sample = so::stack([&so::ravel(&v[0]), &so::ravel(&v[1])], 1);
    let (h, mut e) = histogramdd(&sample, bins, range, weights, density);
    let ey = e.pop().unwrap();
    let ex = e.pop().unwrap();
    (h, ex, ey)
}

/// Options of [`cov_with`].
#[derive(Clone, Debug, Default)]
pub struct Cov {
    /// A second set of variables, stacked after `m`'s.
    pub y: Option<Array>,
    /// Variables are columns (observations rows) when false.
    pub rowvar_false: bool,
    /// Normalize by `N` (true) instead of `N - 1`.
    pub bias: bool,
    /// Override the delta degrees of freedom.
    pub ddof: Option<usize>,
    /// Integer frequency weight per observation.
    pub fweights: Option<Array>,
    /// Float "importance" weight per observation.
    pub aweights: Option<Array>,
}

/// The covariance matrix of the rows of `m` (`jnp.cov`).
pub fn cov(m: &Array) -> Array {
    cov_with(m, Cov::default())
}

/// [`cov`] with NumPy's options.
pub fn cov_with(m: &Array, opts: Cov) -> Array {
    let m = promote_to_inexact(m);
    let y = opts.y.as_ref().map(|y| {
        let v = promote_dtypes(&[&m, y]);
        promote_to_inexact(&v[1])
    });
    let m = match &y {
        Some(y) => lax::convert_element_type(&m, y.dtype()),
        None => m,
    };
    if m.ndim() > 2 {
        panic!("ValueError: m has more than 2 dimensions");
    }
    let mut x = so::atleast_2d(&m);
    if opts.rowvar_false && m.ndim() != 1 {
        x = so::transpose(&x);
    }
    if let Some(y) = &y {
        if y.ndim() > 2 {
            panic!("ValueError: y has more than 2 dimensions");
        }
        let mut ya = so::atleast_2d(y);
        if opts.rowvar_false && ya.shape()[0] != 1 {
            ya = so::transpose(&ya);
        }
        x = so::concatenate([&x, &ya], 0);
    }
    let (vars, obs) = (x.shape()[0], x.shape()[1]);
    if obs == 0 {
        let shape = if vars == 1 { vec![] } else { vec![vars, vars] };
        return super::creation::full_dtype(shape, f64::NAN, x.dtype());
    }
    let ddof = opts.ddof.unwrap_or(if opts.bias { 0 } else { 1 });
    let mut w: Option<Array> = None;
    if let Some(fw) = &opts.fweights {
        if fw.ndim() > 1 {
            panic!("RuntimeError: cannot handle multidimensional fweights");
        }
        if fw.shape()[0] != obs {
            panic!("RuntimeError: incompatible numbers of samples and fweights");
        }
        if !fw.dtype().is_int() {
            panic!("TypeError: fweights must be integer.");
        }
        w = Some(ew::abs(fw));
    }
    let aw = opts.aweights.as_ref().map(|aw| {
        if aw.ndim() > 1 {
            panic!("RuntimeError: cannot handle multidimensional aweights");
        }
        if aw.shape()[0] != obs {
            panic!("RuntimeError: incompatible numbers of samples and aweights");
        }
        ew::abs(aw)
    });
    if let Some(a) = &aw {
        w = Some(match w {
            None => a.clone(),
            Some(f) => ew::multiply(f, a),
        });
    }
    let wf = w.as_ref().map(|w| lax::convert_element_type(w, x.dtype()));
    let (avg, wsum) = super::quantiles::average_with(&x, 1, wf.as_ref(), false);
    let wsum0 = lax::reshape(&lax::slice_in_dim(&wsum, 0, 1, 1, 0), &[]);
    let f = match (&wf, ddof, &aw) {
        (None, _, _) => ew::strong_scalar_like(&avg, (obs as f64) - ddof as f64),
        (Some(_), 0, _) => wsum0.clone(),
        (Some(_), _, None) => ew::subtract(&wsum0, ddof as f64),
        (Some(w), _, Some(a)) => {
            let a = lax::convert_element_type(a, x.dtype());
            let corr = ew::divide(red::sum(&ew::multiply(w, &a)), &wsum0);
            ew::subtract(&wsum0, ew::multiply(corr, ddof as f64))
        }
    };
    let xc = ew::subtract(&x, lax::reshape(&avg, &[vars, 1]));
    let xt = match &wf {
        None => so::transpose(&xc),
        Some(w) => so::transpose(&ew::multiply(&xc, lax::reshape(w, &[1, obs]))),
    };
    let xt = if xt.dtype().is_complex() {
        lax::conj(&xt)
    } else {
        xt
    };
    let c = ew::true_divide(super::products::dot(&xc, &xt), f);
    so::squeeze(&c, super::axes::Axes::All)
}

/// Pearson correlation coefficients of the rows of `x` (`jnp.corrcoef`).
pub fn corrcoef(x: &Array) -> Array {
    corrcoef_with(x, None, false)
}

/// [`corrcoef`] with a second set of variables and `rowvar=False`.
pub fn corrcoef_with(x: &Array, y: Option<&Array>, rowvar_false: bool) -> Array {
    let c = cov_with(
        x,
        Cov {
            y: y.cloned(),
            rowvar_false,
            ..Default::default()
        },
    );
    if c.ndim() == 0 {
        return ew::divide(&c, &c);
    }
    let d = super::matrices::diagonal(&c, 0, 0, 1);
    let sd = ew::sqrt(super::complex::real(&d));
    let sd = lax::convert_element_type(&sd, c.dtype());
    let n = sd.shape()[0];
    let c = ew::divide(
        ew::divide(&c, lax::reshape(&sd, &[n, 1])),
        lax::reshape(&sd, &[1, n]),
    );
    if c.dtype().is_complex() {
        lax::complex(
            &ew::clip(super::complex::real(&c), -1.0, 1.0),
            &ew::clip(super::complex::imag(&c), -1.0, 1.0),
        )
    } else {
        ew::clip(&c, -1.0, 1.0)
    }
}
