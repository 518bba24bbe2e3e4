//! Gradient checking against finite differences, like `jax.test_util.check_grads`.
//!
//! ```
//! use jaxide::prelude::*;
//! use jaxide::test_util::{check_grads, Mode};
//! let x = jnp::array([0.3f32, -1.2, 2.0]);
//! check_grads(|x: &Array| jnp::sin(x) * x, &x, 2, &[Mode::Fwd, Mode::Rev]);
//! ```

use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::interpreters::ad::{jvp_flat, vjp_flat};
use crate::lax::ad_util;
use crate::tree::{tree_flatten, tree_unflatten, PyTree};
use std::cell::Cell;

/// Which derivative to check.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Forward mode (`jvp`) against central differences.
    Fwd,
    /// Reverse mode (`vjp`) against forward differences, via inner products.
    Rev,
}

/// Tolerances and step size of a gradient check. `None` picks JAX's defaults
/// from the dtypes involved.
#[derive(Copy, Clone, Debug, Default)]
pub struct Tolerance {
    /// Absolute tolerance.
    pub atol: Option<f64>,
    /// Relative tolerance.
    pub rtol: Option<f64>,
    /// Finite-difference step. The default is JAX's `1e-4` for float64
    /// arguments; for float32 it is `1e-3`, and `1e-2` for 16-bit floats,
    /// where a smaller step would drown in rounding error.
    pub eps: Option<f64>,
}

/// Checks `f`'s derivatives at `args` to `order` in the given modes against
/// finite differences, panicking with a description of the first mismatch.
/// Run it in float64 (`jaxide::config::set_enable_x64(true)`) for tight
/// tolerances. Higher orders check the jvp and vjp functions themselves.
pub fn check_grads<X: PyTree, Y: PyTree>(
    f: impl Fn(&X) -> Y,
    args: &X,
    order: usize,
    modes: &[Mode],
) {
    check_grads_with(f, args, order, modes, Tolerance::default())
}

/// [`check_grads`] with explicit tolerances.
pub fn check_grads_with<X: PyTree, Y: PyTree>(
    f: impl Fn(&X) -> Y,
    args: &X,
    order: usize,
    modes: &[Mode],
    tol: Tolerance,
) {
    let (leaves, def) = tree_flatten(args);
    let flat = |xs: &[Array]| -> Vec<Array> {
        let x: X = tree_unflatten(&def, xs.iter().cloned());
        tree_flatten(&f(&x)).0
    };
    let default_eps = leaves
        .iter()
        .map(|x| match x.dtype() {
            DType::F16 | DType::BF16 => 1e-2,
            DType::F32 => 1e-3,
            _ => 1e-4,
        })
        .fold(1e-4, f64::max);
    let tol = Tolerance {
        eps: tol.eps.or(Some(default_eps)),
        ..tol
    };
    let checker = Checker {
        tol,
        seed: Cell::new(0x00C0_FFEE),
    };
    checker.check(&flat, &leaves, order, modes, "");
}

struct Checker {
    tol: Tolerance,
    seed: Cell<u64>,
}

fn default_tol(d: DType) -> f64 {
    match d {
        DType::F16 => 1e-2,
        DType::BF16 => 1e-1,
        DType::F32 => 2e-3,
        _ => 1e-5,
    }
}

/// Elements as f64.
fn values(x: &Array) -> Vec<f64> {
    let buf = x.buffer("check_grads");
    crate::with_storage_type!(x.dtype(), T => {
        use crate::core::element::CastInto;
        buf.as_slice::<T>().iter().map(|&v| CastInto::<f64>::cast(v)).collect()
    })
}

fn inner(a: &[Array], b: &[Array]) -> f64 {
    a.iter()
        .zip(b)
        .filter(|(x, _)| x.dtype().is_float())
        .map(|(x, y)| {
            values(x)
                .iter()
                .zip(values(y))
                .map(|(p, q)| p * q)
                .sum::<f64>()
        })
        .sum()
}

impl Checker {
    fn normal(&self) -> f64 {
        let next = || {
            let s = self.seed.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
            self.seed.set(s);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let (u1, u2) = (next(), next());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// A random array like `x` (zeros for non-float leaves).
    fn random_like(&self, x: &Array) -> Array {
        if !x.dtype().is_float() {
            return ad_util::zeros(x.aval());
        }
        let v: Vec<f64> = (0..x.size()).map(|_| self.normal()).collect();
        let a = Array::from_vec(v, crate::core::shape::Shape::new(x.shape()));
        crate::lax::convert_element_type_weak(&a, x.dtype(), x.weak_type())
    }

    fn eps(&self) -> f64 {
        self.tol.eps.unwrap_or(1e-4)
    }

    /// Central-difference directional derivative of `f` at `xs` along `ts`.
    fn numerical_jvp(
        &self,
        f: &dyn Fn(&[Array]) -> Vec<Array>,
        xs: &[Array],
        ts: &[Array],
    ) -> Vec<Array> {
        let eps = self.eps();
        let shift = |sign: f64| -> Vec<Array> {
            xs.iter()
                .zip(ts)
                .map(|(x, t)| {
                    if !x.dtype().is_float() {
                        return x.clone();
                    }
                    let d = crate::lax::mul(t, &ad_util::scalar_like(t, sign * eps));
                    crate::lax::add(x, &d)
                })
                .collect()
        };
        let (pos, neg) = (f(&shift(1.0)), f(&shift(-1.0)));
        pos.iter()
            .zip(&neg)
            .map(|(p, n)| {
                if !p.dtype().is_float() {
                    return ad_util::zeros(p.aval());
                }
                let d = crate::lax::sub(p, n);
                crate::lax::mul(&d, &ad_util::scalar_like(&d, 0.5 / eps))
            })
            .collect()
    }

    fn close(&self, what: &str, got: &[f64], want: &[f64], dtype: DType) {
        let atol = self.tol.atol.unwrap_or(default_tol(dtype));
        let rtol = self.tol.rtol.unwrap_or(default_tol(dtype));
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            let ok = (g - w).abs() <= atol + rtol * w.abs() || (g.is_nan() && w.is_nan());
            if !ok {
                panic!(
                    "check_grads: {what} mismatch at element {i}: got {g}, expected {w} \
                     (atol {atol}, rtol {rtol}).\n  got:      {got:?}\n  expected: {want:?}"
                );
            }
        }
    }

    fn check_jvp(&self, f: &dyn Fn(&[Array]) -> Vec<Array>, xs: &[Array], ctx: &str) {
        let ts: Vec<Array> = xs.iter().map(|x| self.random_like(x)).collect();
        let (_, touts) = jvp_flat(f, xs, &ts);
        let expected = self.numerical_jvp(f, xs, &ts);
        for (k, (t, e)) in touts.iter().zip(&expected).enumerate() {
            if !e.dtype().is_float() {
                continue;
            }
            let got = match t {
                Some(t) => values(t),
                None => vec![0.0; e.size()],
            };
            self.close(&format!("{ctx}jvp output {k}"), &got, &values(e), e.dtype());
        }
    }

    fn check_vjp(&self, f: &dyn Fn(&[Array]) -> Vec<Array>, xs: &[Array], ctx: &str) {
        let (outs, lin) = vjp_flat(f, xs);
        let ts: Vec<Array> = xs.iter().map(|x| self.random_like(x)).collect();
        let cts: Vec<Array> = outs.iter().map(|o| self.random_like(o)).collect();
        let cts_in = lin.transpose(&cts);
        let t_out = self.numerical_jvp(f, xs, &ts);
        let ip = inner(&ts, &cts_in);
        let ip_expected = inner(&t_out, &cts);
        let dtype = outs
            .iter()
            .chain(xs)
            .map(|o| o.dtype())
            .filter(|d| d.is_float())
            .max_by_key(|d| default_tol(*d).to_bits())
            .unwrap_or(DType::F64);
        self.close(
            &format!("{ctx}vjp inner product"),
            &[ip],
            &[ip_expected],
            dtype,
        );
    }

    fn check(
        &self,
        f: &dyn Fn(&[Array]) -> Vec<Array>,
        xs: &[Array],
        order: usize,
        modes: &[Mode],
        ctx: &str,
    ) {
        if order == 0 {
            return;
        }
        if modes.contains(&Mode::Fwd) {
            self.check_jvp(f, xs, ctx);
            if order > 1 {
                let n = xs.len();
                let g = |args: &[Array]| -> Vec<Array> {
                    let (outs, touts) = jvp_flat(f, &args[..n], &args[n..]);
                    let touts = outs
                        .iter()
                        .zip(touts)
                        .map(|(o, t)| t.unwrap_or_else(|| ad_util::zeros(o.aval())));
                    outs.iter().cloned().chain(touts).collect()
                };
                let ts: Vec<Array> = xs.iter().map(|x| self.random_like(x)).collect();
                let args: Vec<Array> = xs.iter().cloned().chain(ts).collect();
                self.check(&g, &args, order - 1, modes, &format!("{ctx}(jvp) "));
            }
        }
        if modes.contains(&Mode::Rev) {
            self.check_vjp(f, xs, ctx);
            if order > 1 {
                let g = |args: &[Array]| -> Vec<Array> {
                    let (outs, lin) = vjp_flat(f, args);
                    let cts: Vec<Option<Array>> = outs
                        .iter()
                        .map(|o| o.dtype().is_float().then(|| o.clone()))
                        .collect();
                    lin.transpose_partial(&cts)
                };
                self.check(&g, xs, order - 1, modes, &format!("{ctx}(vjp) "));
            }
        }
    }
}
