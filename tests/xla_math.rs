//! Transcendentals bit for bit against JAX (XLA:CPU): `log`, `log1p`, `exp`,
//! `erf`, `erf_inv` in float32 and `log1p`, `exp`, `erf_inv` in float64, eager
//! and under `jit` (fused kernels). The fixture is written by
//! `tests/fixtures/xla_math/gen_xla_math.py`. Float64 arrays need x64, so
//! this binary enables it (process-wide) in every test.

use jaxide::prelude::*;
use serde_json::Value;

static FIXTURE: &str = include_str!("fixtures/xla_math/xla_math_golden.json");

fn fixture() -> Value {
    jaxide::config::set_enable_x64(true);
    serde_json::from_str(FIXTURE).expect("valid fixture")
}

fn op(name: &str) -> fn(&Array) -> Array {
    match name {
        "log" => lax::log,
        "log1p" => lax::log1p,
        "exp" => lax::exp,
        "erf" => lax::erf,
        "erf_inv" => lax::erf_inv,
        other => panic!("unknown function {other} in the fixture"),
    }
}

fn ints(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

/// The inputs whose results differ from JAX's (NaN matches any NaN).
fn mismatches<F: Fn(&Array) -> Array>(dtype: &str, name: &str, case: &Value, f: F) -> Vec<String> {
    let (x, want) = (ints(&case["x"]), ints(&case["y"]));
    let got: Vec<u64> = if dtype == "f32" {
        let xs: Vec<f32> = x.iter().map(|&b| f32::from_bits(b as u32)).collect();
        let n = xs.len();
        f(&Array::from_vec(xs, [n]))
            .to_vec::<f32>()
            .iter()
            .map(|v| v.to_bits() as u64)
            .collect()
    } else {
        let xs: Vec<f64> = x.iter().map(|&b| f64::from_bits(b)).collect();
        let n = xs.len();
        f(&Array::from_vec(xs, [n]))
            .to_vec::<f64>()
            .iter()
            .map(|v| v.to_bits())
            .collect()
    };
    let is_nan = |b: u64| {
        if dtype == "f32" {
            f32::from_bits(b as u32).is_nan()
        } else {
            f64::from_bits(b).is_nan()
        }
    };
    x.iter()
        .zip(&want)
        .zip(&got)
        .filter(|((_, &w), &g)| w != g && !(is_nan(w) && is_nan(g)))
        .map(|((&x, &w), &g)| format!("{dtype} {name}({x:#x}): JAX {w:#x}, jaxide {g:#x}"))
        .collect()
}

#[test]
fn transcendentals_match_jax_bit_for_bit_eager() {
    let f = fixture();
    let mut bad = vec![];
    for dtype in ["f32", "f64"] {
        for (name, case) in f[dtype].as_object().unwrap() {
            bad.extend(mismatches(dtype, name, case, op(name)));
        }
    }
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad[..bad.len().min(20)].join("\n")
    );
}

#[test]
fn transcendentals_match_jax_bit_for_bit_under_jit() {
    let f = fixture();
    let mut bad = vec![];
    for (name, case) in f["f32"].as_object().unwrap() {
        let g = op(name);
        // One fused kernel: the op, then an exact negation (undone outside).
        let fused = jit(move |x: &Array| lax::neg(&g(x)));
        bad.extend(mismatches("f32", name, case, |x| lax::neg(&fused(x))));
    }
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad[..bad.len().min(20)].join("\n")
    );
}

#[test]
fn rsqrt_is_within_two_ulp() {
    jaxide::config::set_enable_x64(true);
    let xs: Vec<f32> = (0..20_000).map(|i| 1e-30f32 * 1.0041f32.powi(i)).collect();
    let n = xs.len();
    let got = lax::rsqrt(&Array::from_vec(xs.clone(), [n])).to_vec::<f32>();
    for (x, g) in xs.iter().zip(got) {
        let exact = 1.0 / (*x as f64).sqrt();
        let ulp = (exact as f32).to_bits().abs_diff(g.to_bits());
        assert!(ulp <= 2, "rsqrt({x}) = {g}, want {exact} ({ulp} ulp)");
    }
}

/// Forward cumsum/cumprod add in XLA:CPU's blocked order, so they match JAX
/// bit for bit (sequentially summed, 40+ elements already differ).
#[test]
fn cumulative_sums_and_products_match_jax_bit_for_bit() {
    let f = fixture();
    for (name, case) in f["scans"].as_object().unwrap() {
        let shape: Vec<usize> = case["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        let x: Vec<f32> = ints(&case["x"])
            .iter()
            .map(|&b| f32::from_bits(b as u32))
            .collect();
        let x = Array::from_vec(x, shape.clone());
        let got = match name.as_str() {
            "cumsum_300" | "cumsum_5000" => jnp::cumsum(&x),
            "cumprod_300" => jnp::cumprod(&x),
            "cumsum_3x50_axis1" => jnp::cumsum_axis(&x, 1),
            "cumsum_50x3_axis0" => jnp::cumsum_axis(&x, 0),
            other => panic!("unknown scan case {other}"),
        };
        let got: Vec<u64> = got
            .to_vec::<f32>()
            .iter()
            .map(|v| v.to_bits() as u64)
            .collect();
        let want = ints(&case["y"]);
        let bad = got.iter().zip(&want).filter(|(g, w)| g != w).count();
        assert_eq!(bad, 0, "{name}: {bad} of {} differ", want.len());
    }
}
