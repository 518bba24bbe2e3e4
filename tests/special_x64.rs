//! The Bessel functions in float64 (x64 on, so this is its own test
//! binary): `lax.bessel_i0e`, `lax.bessel_i1e` and `jnp.i0` bit for bit
//! against JAX (`tests/fixtures/special/gen_special_x64.py`), and their
//! derivatives against central finite differences to second order.

use jaxide::prelude::*;
use jaxide::test_util::{check_grads, Mode};
use serde_json::Value;

type Unary = fn(&Array) -> Array;

static FIXTURE: &str = include_str!("fixtures/special/special_x64.json");

fn column(doc: &Value, key: &str) -> Vec<f64> {
    doc[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| f64::from_bits(u64::from_str_radix(h.as_str().unwrap(), 16).unwrap()))
        .collect()
}

#[test]
fn bessel_functions_match_jax_in_float64() {
    jaxide::config::set_enable_x64(true);
    let doc: Value = serde_json::from_str(FIXTURE).unwrap();
    let xs = column(&doc, "x");
    let x = Array::from_vec(xs.clone(), [xs.len()]);
    let fns: [(&str, Unary); 3] = [
        ("bessel_i0e", |x| jaxide::lax::bessel_i0e(x)),
        ("bessel_i1e", |x| jaxide::lax::bessel_i1e(x)),
        ("i0", |x| jnp::i0(x)),
    ];
    for (name, f) in fns {
        let want = column(&doc, name);
        let got = f(&x).to_vec::<f64>();
        for i in 0..xs.len() {
            let (w, g) = (want[i], got[i]);
            let ulps = (w.to_bits() as i64 - g.to_bits() as i64).unsigned_abs();
            assert!(
                (w.is_nan() && g.is_nan()) || ulps <= 2,
                "{name}({}) = {g:e}, JAX gives {w:e} ({ulps} ulp)",
                xs[i]
            );
        }
    }
}

#[test]
fn bessel_derivatives_match_finite_differences() {
    jaxide::config::set_enable_x64(true);
    let x = Array::from_vec(vec![-9.5f64, -3.0, -0.4, 0.3, 2.0, 7.5, 8.5, 20.0], [8]);
    check_grads(
        |x: &Array| jaxide::lax::bessel_i0e(x),
        &x,
        2,
        &[Mode::Fwd, Mode::Rev],
    );
    check_grads(
        |x: &Array| jaxide::lax::bessel_i1e(x),
        &x,
        2,
        &[Mode::Fwd, Mode::Rev],
    );
    check_grads(|x: &Array| jnp::i0(x), &x, 2, &[Mode::Fwd, Mode::Rev]);
    check_grads(
        |b: &Array| jnp::kaiser(9, b),
        &Array::scalar(4.0f64),
        1,
        &[Mode::Fwd, Mode::Rev],
    );
}
