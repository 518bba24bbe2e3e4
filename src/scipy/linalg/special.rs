//! `jax.scipy.linalg.block_diag` and the special matrices (`toeplitz`,
//! `hankel`, `circulant`, `companion`, `fiedler`, `leslie`, `hilbert`,
//! `helmert`, `hadamard`, `convolution_matrix`, `dft`, `fiedler_companion`)
//! for 1-D inputs. The
//! structured ones gather from their input with an index matrix computed
//! from the (static) sizes.

use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::lax;
use crate::numpy as jnp;
use crate::numpy::promote::{default_float, promote_dtypes, promote_to_inexact};

/// `elems[index[i][j]]` as a `rows × cols` matrix.
fn gather_matrix(
    elems: &Array,
    rows: usize,
    cols: usize,
    index: impl Fn(usize, usize) -> usize,
) -> Array {
    let idx: Vec<i32> = (0..rows * cols)
        .map(|k| index(k / cols, k % cols) as i32)
        .collect();
    jnp::take(elems, Array::from_vec(idx, [rows, cols]))
}

fn vector(name: &str, x: &Array) -> Array {
    let x = jnp::atleast_1d(x);
    if x.ndim() != 1 {
        panic!(
            "ValueError: jaxide's {name} takes 1-D input (batched input is not supported yet), \
             got shape {}",
            fmt_tuple(x.shape())
        );
    }
    x
}

/// `jax.scipy.linalg.block_diag`: the arrays (each at most 2-D; scalars and
/// vectors become rows) on the diagonal of one matrix, zeros elsewhere.
pub fn block_diag(arrays: &[&Array]) -> Array {
    if arrays.is_empty() {
        return jnp::zeros([1, 0]);
    }
    if let Some(i) = arrays.iter().position(|a| a.ndim() > 2) {
        panic!(
            "ValueError: Arguments to jax.scipy.linalg.block_diag must have at most 2 dimensions, \
             got {} at argument {i}.",
            fmt_tuple(arrays[i].shape())
        );
    }
    let arrs = promote_dtypes(arrays);
    let mats: Vec<Array> = arrs.iter().map(jnp::atleast_2d).collect();
    let total: usize = mats.iter().map(|a| a.shape()[1]).sum();
    let zero = lax::ad_util::constant(0.0, mats[0].dtype(), false);
    let mut col = 0;
    let padded: Vec<Array> = mats
        .iter()
        .map(|m| {
            let cols = m.shape()[1];
            let p = lax::pad(
                m,
                &zero,
                &[(0, 0, 0), (col as i64, (total - cols - col) as i64, 0)],
            );
            col += cols;
            p
        })
        .collect();
    jnp::concatenate(&padded, 0)
}

/// `jax.scipy.linalg.toeplitz`: the matrix with first column `c` and first
/// row `r` (`r[0]` ignored); without `r`, the Hermitian `toeplitz(c, conj(c))`.
pub fn toeplitz(c: &Array, r: Option<&Array>) -> Array {
    let c = vector("toeplitz", c);
    let r = match r {
        Some(r) => vector("toeplitz", r),
        None => jnp::conj(&c),
    };
    let (nc, nr) = (c.shape()[0], r.shape()[0]);
    if nc == 0 || nr == 0 {
        return jnp::zeros_dtype([nc, nr], jnp::promote_types(c.dtype(), r.dtype()));
    }
    let tail = lax::slice(&r, &[1], &[nr]);
    let elems = jnp::concatenate([lax::rev(&c, &[0]), tail], 0);
    gather_matrix(&elems, nc, nr, |i, j| nc - 1 + j - i)
}

/// `jax.scipy.linalg.hankel`: the matrix with first column `c` and last row
/// `r` (`r[0]` ignored; zeros without `r`), constant along anti-diagonals.
pub fn hankel(c: &Array, r: Option<&Array>) -> Array {
    let c = vector("hankel", c);
    let r = match r {
        Some(r) => vector("hankel", r),
        None => jnp::zeros_like(&c),
    };
    let (nc, nr) = (c.shape()[0], r.shape()[0]);
    if nc == 0 || nr == 0 {
        return jnp::zeros_dtype([nc, nr], jnp::promote_types(c.dtype(), r.dtype()));
    }
    let elems = jnp::concatenate([c, lax::slice(&r, &[1], &[nr])], 0);
    gather_matrix(&elems, nc, nr, |i, j| i + j)
}

/// `jax.scipy.linalg.circulant`: the matrix whose columns are the cyclic
/// shifts of `c`.
pub fn circulant(c: &Array) -> Array {
    let c = vector("circulant", c);
    let n = c.shape()[0];
    gather_matrix(&c, n, n, |i, j| (i + n - j) % n)
}

/// `jax.scipy.linalg.companion`: the companion matrix of the polynomial
/// with coefficients `a` (highest degree first; `a[0] != 0`).
pub fn companion(a: &Array) -> Array {
    let a = promote_to_inexact(&vector("companion", a));
    let n = a.shape()[0];
    if n < 2 {
        panic!(
            "ValueError: The length of `a` along the last axis must be at least 2; got shape {}.",
            fmt_tuple(a.shape())
        );
    }
    let lead = lax::slice(&a, &[0], &[1]);
    let first = lax::neg(&lax::div(
        &lax::slice(&a, &[1], &[n]),
        &lax::reshape(&lead, &[]),
    ));
    let first = lax::reshape(&first, &[1, n - 1]);
    let below = lax::slice(
        &lax::linalg::util::eye(a.dtype(), &[], n - 1),
        &[0, 0],
        &[n - 2, n - 1],
    );
    jnp::concatenate([first, below], 0)
}

/// `jax.scipy.linalg.fiedler`: `|a[i] - a[j]|`.
pub fn fiedler(a: &Array) -> Array {
    let a = vector("fiedler", a);
    let n = a.shape()[0];
    let rows = lax::broadcast_in_dim(&a, &[n, n], &[0]);
    let cols = lax::broadcast_in_dim(&a, &[n, n], &[1]);
    jnp::abs(jnp::subtract(&rows, &cols))
}

/// `jax.scipy.linalg.leslie`: fecundity row `f` (length n) and survival
/// coefficients `s` (length n-1) on the subdiagonal.
pub fn leslie(f: &Array, s: &Array) -> Array {
    let (f, s) = (vector("leslie", f), vector("leslie", s));
    let n = f.shape()[0];
    if n < 2 {
        panic!(
            "ValueError: The length of f along the last axis must be at least 2; got shape {}.",
            fmt_tuple(f.shape())
        );
    }
    if s.shape()[0] != n - 1 {
        panic!(
            "ValueError: Incorrect lengths for f and s. The length of s along the last axis must be \
             one less than the length of f; got f shape {} and s shape {}.",
            fmt_tuple(f.shape()),
            fmt_tuple(s.shape())
        );
    }
    let v = promote_dtypes(&[&f, &s]);
    let zero = lax::ad_util::constant(0.0, v[0].dtype(), false);
    // The subdiagonal: s on the diagonal of an (n-1) × (n-1) block, padded.
    let diag = lax::mul(
        &lax::broadcast_in_dim(&v[1], &[n - 1, n - 1], &[1]),
        &lax::linalg::util::eye(v[0].dtype(), &[], n - 1),
    );
    let sub = lax::pad(&diag, &zero, &[(0, 0, 0), (0, 1, 0)]);
    jnp::concatenate([lax::reshape(&v[0], &[1, n]), sub], 0)
}

/// `jax.scipy.linalg.hilbert`: `1 / (i + j + 1)` in the default float dtype.
pub fn hilbert(n: usize) -> Array {
    let i = lax::broadcasted_iota(default_float(), &[n, n], 0);
    let j = lax::broadcasted_iota(default_float(), &[n, n], 1);
    let one = lax::ad_util::constant(1.0, default_float(), false);
    lax::div(&one, &lax::add(&lax::add(&i, &j), &one))
}

/// `jax.scipy.linalg.helmert`: the `(n-1) × n` Helmert matrix, or the
/// orthogonal `n × n` one with `full` (first row `1/√n`).
pub fn helmert(n: usize, full: bool) -> Array {
    if n < 1 {
        panic!("ValueError: n must be a positive integer; got {n}.");
    }
    let f = default_float();
    let rows = n - 1;
    let i = lax::broadcasted_iota(DType::I32, &[rows, n], 0);
    let j = lax::broadcasted_iota(DType::I32, &[rows, n], 1);
    let k = lax::add(&i, &lax::ad_util::constant(1.0, DType::I32, false));
    let kf = lax::convert_element_type(&k, f);
    let one = lax::ad_util::constant(1.0, f, false);
    let denom = lax::sqrt(&lax::mul(&kf, &lax::add(&kf, &one)));
    let zero = lax::ad_util::zeros(denom.aval());
    let h = lax::select(
        &lax::le(&j, &i),
        &lax::div(&one, &denom),
        &lax::select(&lax::eq(&j, &k), &lax::neg(&lax::div(&kf, &denom)), &zero),
    );
    if !full {
        return h;
    }
    let first = lax::broadcast_in_dim(
        &lax::ad_util::constant(1.0 / (n as f64).sqrt(), f, false),
        &[1, n],
        &[],
    );
    jnp::concatenate([first, h], 0)
}

/// `jax.scipy.linalg.hadamard`: the `n × n` Sylvester Hadamard matrix
/// (`n` a power of 2) of int32, `(-1)^popcount(i & j)`.
pub fn hadamard(n: usize) -> Array {
    if n < 1 || !n.is_power_of_two() {
        panic!("ValueError: n must be a positive power of 2; got {n}.");
    }
    let v: Vec<i32> = (0..n * n)
        .map(|k| {
            if ((k / n) & (k % n)).count_ones().is_multiple_of(2) {
                1
            } else {
                -1
            }
        })
        .collect();
    let h = Array::from_vec(v, [n, n]);
    h.astype(jnp::promote::default_int())
}

/// `jax.scipy.linalg.convolution_matrix`: the Toeplitz matrix `A` with
/// `A @ v == convolve(a, v, mode)` for `v` of length `n`; `mode` is
/// `"full"`, `"same"` or `"valid"`.
pub fn convolution_matrix(a: &Array, n: usize, mode: &str) -> Array {
    if n == 0 {
        panic!("ValueError: n must be a positive integer; got {n}.");
    }
    let a = vector("convolution_matrix", a);
    let m = a.shape()[0];
    if m < 1 {
        panic!(
            "ValueError: len(a) must be at least 1; got shape {}.",
            fmt_tuple(a.shape())
        );
    }
    let (tb, te) = match mode {
        "full" => (0, 0),
        "same" => {
            let trim = n.min(m) - 1;
            (trim / 2, trim - trim / 2)
        }
        "valid" => (n.min(m) - 1, n.min(m) - 1),
        other => panic!("ValueError: mode must be one of 'full', 'valid', 'same'; got '{other}'."),
    };
    let zero = lax::ad_util::constant(0.0, a.dtype(), false);
    let az = lax::pad(&a, &zero, &[(0, (n - 1) as i64, 0)]);
    let raz = lax::pad(&lax::rev(&a, &[0]), &zero, &[(0, (n - 1) as i64, 0)]);
    let l = m + n - 1;
    let col0 = lax::slice(&az, &[tb], &[l - te]);
    let row0 = lax::slice(&raz, &[l - n - tb], &[l - tb]);
    toeplitz(&col0, Some(&row0))
}

/// `jax.scipy.linalg.dft(n, scale)`: the `n × n` discrete Fourier transform
/// matrix `exp(-2πi jk / n)` in complex64 (complex128 with x64), divided by
/// `sqrt(n)` for `scale = Some("sqrtn")` or by `n` for `Some("n")`.
pub fn dft(n: usize, scale: Option<&str>) -> Array {
    if let Some(s) = scale {
        if s != "sqrtn" && s != "n" {
            panic!("ValueError: scale must be None, 'sqrtn', or 'n'; got '{s}'.");
        }
    }
    let dtype = default_float().complex_dtype();
    let a = lax::iota(dtype, n);
    let col = lax::reshape(&a, &[n, 1]);
    let row = lax::reshape(&a, &[1, n]);
    let w = num_complex::Complex64::new(0.0, -2.0 * std::f64::consts::PI);
    let phase = jnp::divide(jnp::multiply(jnp::multiply(w, &col), &row), n as f64);
    let omegas = jnp::exp(&phase);
    match scale {
        Some("sqrtn") => jnp::divide(&omegas, jnp::sqrt(n as f64)),
        Some(_) => jnp::divide(&omegas, n as f64),
        None => omegas,
    }
}

/// `jax.scipy.linalg.fiedler_companion`: the pentadiagonal Fiedler
/// companion matrix of the polynomial with coefficients `a` (highest degree
/// first), whose eigenvalues are its roots.
pub fn fiedler_companion(a: &Array) -> Array {
    let a = promote_to_inexact(&vector("fiedler_companion", a));
    let len = a.shape()[0];
    if len == 0 {
        panic!(
            "ValueError: fiedler_companion requires the last axis of 'a' to have nonzero length, \
             but got an array of shape {}.",
            fmt_tuple(a.shape())
        );
    }
    let n = len - 1;
    if n == 0 {
        return jnp::zeros_dtype([0, 0], a.dtype());
    }
    let a = jnp::divide(&a, lax::reshape(&lax::slice(&a, &[0], &[1]), &[]));
    let neg = jnp::negative(&a);
    if n == 1 {
        return lax::reshape(&lax::slice(&neg, &[1], &[2]), &[1, 1]);
    }
    // Each cell's value is -a[k] for a static k, 1, or 0: a gather of
    // [-a..., 1, 0] with an index matrix built from the sizes.
    let table = jnp::concatenate(
        [
            neg,
            lax::convert_element_type(&Array::from_vec(vec![1.0f32, 0.0], [2]), a.dtype()),
        ],
        0,
    );
    let (one, zero) = (len, len + 1);
    gather_matrix(&table, n, n, |i, j| {
        let even = i % 2 == 0;
        if i == 0 && j == 0 {
            1
        } else if i == 1 && j == 0 {
            one
        } else if even && j == i + 1 {
            (i + 2).min(n)
        } else if even && j == i + 2 {
            one
        } else if even && i >= 2 && j + 1 == i {
            (i + 1).min(n)
        } else if !even && i >= 3 && j + 2 == i {
            one
        } else {
            zero
        }
    })
}
