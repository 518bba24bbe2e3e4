//! The sampler calls of `tests/fixtures/random/gen_samplers.py`, by case
//! name, and the comparison against the fixture's values. Shared by
//! `tests/random_samplers.rs` (x64 off) and `tests/random_x64.rs`.

use jaxide::prelude::*;
use jaxide::random::{self, Key};
use serde_json::Value;

pub static FIXTURE: &str = include_str!("../fixtures/random/samplers_golden.json");

const N: usize = 300;

fn logits() -> Array {
    let p = [
        [0.1f32, 0.2, 0.7, 0.0001],
        [0.5, 0.25, 0.125, 0.125],
        [1.0, 1.0, 1.0, 1.0],
    ];
    let p = jnp::array(p);
    let p = if jaxide::config::enable_x64() {
        p.astype(DType::F64)
    } else {
        p
    };
    jnp::log(&p)
}

fn float_array(v: &[f64]) -> Array {
    let a = jnp::array(v.to_vec());
    if jaxide::config::enable_x64() {
        a
    } else {
        a.astype(DType::F32)
    }
}

fn mean3() -> Array {
    float_array(&[1.0, -2.0, 0.5])
}

fn cov3() -> Array {
    float_array(&[2.0, 0.5, 0.1, 0.5, 1.0, 0.3, 0.1, 0.3, 0.5]).reshape(&[3, 3])
}

fn p4() -> Array {
    float_array(&[0.1, 0.2, 0.3, 0.4])
}

/// `arange(1, 41) / 820`, divided in the default float dtype.
fn p40() -> Array {
    if jaxide::config::enable_x64() {
        jnp::array((1..=40).map(|i| i as f64 / 820.0).collect::<Vec<_>>())
    } else {
        jnp::array((1..=40).map(|i| i as f32 / 820.0).collect::<Vec<_>>())
    }
}

fn grid() -> Array {
    float_array(&(0..12).map(f64::from).collect::<Vec<_>>()).reshape(&[3, 4])
}

/// The sample that fixture case `name` holds, for key `k`.
pub fn sample(name: &str, k: &Key) -> Array {
    let n = &[N][..];
    let default_float = if jaxide::config::enable_x64() {
        DType::F64
    } else {
        DType::F32
    };
    match name {
        "uniform_0.3_2.7" => random::uniform_with(k, n, default_float, 0.3, 2.7),
        "uniform_-5_-0.001" => random::uniform_with(k, n, default_float, -5.0, -0.001),
        "normal" => random::normal(k, n),
        "normal_2x3" => random::normal(k, &[2, 3]),
        "truncated_normal_-1.5_0.7" => random::truncated_normal(k, -1.5, 0.7, Some(n)),
        "truncated_normal_arrays" => random::truncated_normal(
            k,
            float_array(&[-1.0, 0.0, 2.0]),
            float_array(&[1.0, 3.0, 2.5]),
            None,
        ),
        "truncated_normal_-inf_inf" => {
            random::truncated_normal(k, f64::NEG_INFINITY, f64::INFINITY, Some(n))
        }
        "exponential" => random::exponential(k, n),
        "laplace" => random::laplace(k, n),
        "logistic" => random::logistic(k, n),
        "gumbel" => random::gumbel(k, n),
        "cauchy" => random::cauchy(k, n),
        "bernoulli_0.3" => random::bernoulli(k, 0.3, Some(n)),
        "bernoulli_array_2x3" => random::bernoulli(k, float_array(&[0.1, 0.5, 0.9]), Some(&[2, 3])),
        "rademacher" => random::rademacher(k, n),
        "randint_0_10" => random::randint(k, n, 0, 10),
        "randint_-1000_123456789" => random::randint(k, n, -1000, 123456789),
        "randint_5_5" => random::randint(k, &[4], 5, 5),
        "randint_-2147483648_2147483647" => random::randint(k, n, i32::MIN, i32::MAX),
        "randint_int8_-5_3" => random::randint_with(k, n, -5, 3, DType::I8),
        "randint_uint8_0_300" => random::randint_with(k, n, 0, 300, DType::U8),
        "randint_array_bounds" => random::randint(
            k,
            &[2, 3],
            jnp::array([0i32, 10, 100]),
            jnp::array([5i32, 20, 1000]),
        ),
        "categorical" => random::categorical(k, &logits(), -1, None),
        "categorical_axis0" => random::categorical(k, &logits(), 0, None),
        "categorical_shape_50x3" => random::categorical(k, &logits(), -1, Some(&[50, 3])),
        "bits_uint8" => random::bits_with(k, n, DType::U8),
        "bits_uint16" => random::bits_with(k, n, DType::U16),
        "categorical_noreplace_2x3" => {
            random::categorical_with(k, &logits(), -1, Some(&[2, 3]), false)
        }
        "permutation_10" => random::permutation(k, 10),
        "permutation_2000" => random::permutation(k, 2000),
        "permutation_grid_axis1" => random::permutation_of(k, &grid(), 1, false),
        "permutation_grid_independent" => random::permutation_of(k, &grid(), 1, true),
        "choice_10_4" => random::choice(k, 10, &[4], true, None),
        "choice_10_4_noreplace" => random::choice(k, 10, &[4], false, None),
        "choice_p4" => random::choice(k, 4, &[5], true, Some(&p4())),
        "choice_p40" => random::choice(k, 40, &[300], true, Some(&p40())),
        "choice_p4_noreplace" => random::choice(k, 4, &[2], false, Some(&p4())),
        "choice_p40_noreplace_2x5" => random::choice(k, 40, &[2, 5], false, Some(&p40())),
        "choice_grid_axis1" => random::choice_from(k, &grid(), &[2, 3], true, None, 1),
        "choice_grid_axis0_noreplace" => random::choice_from(k, &grid(), &[2], false, None, 0),
        "choice_grid_p_axis1" => random::choice_from(k, &grid(), &[5], true, Some(&p4()), 1),
        "gamma_2.5" => random::gamma(k, 2.5, Some(n)),
        "gamma_0.3" => random::gamma(k, 0.3, Some(n)),
        "gamma_array_2x3" => random::gamma(k, float_array(&[0.05, 1.0, 7.5]), Some(&[2, 3])),
        "loggamma_0.3" => random::loggamma(k, 0.3, Some(n)),
        "beta_2_3" => random::beta(k, 2.0, 3.0, Some(n)),
        "beta_0.5_0.5" => random::beta(k, 0.5, 0.5, Some(n)),
        "dirichlet_100" => random::dirichlet(k, &float_array(&[0.5, 1.0, 2.0]), Some(&[100])),
        "mvn_3_100" => random::multivariate_normal(k, &mean3(), &cov3(), Some(&[100])),
        "mvn_batch_2" => {
            let zeros = float_array(&[0.0; 6]).reshape(&[2, 3]);
            random::multivariate_normal(k, &zeros, &cov3(), None)
        }
        "orthogonal_4" => random::orthogonal(k, 4, &[]),
        "orthogonal_3x5_batch2" => random::orthogonal_with(k, 3, &[2], default_float, Some(5)),
        "orthogonal_5x3" => random::orthogonal_with(k, 5, &[], default_float, Some(3)),
        other => panic!("no Rust call for fixture case {other}"),
    }
}

/// The array's values as the fixture stores them (float bits, integers, 0/1).
fn values(a: &Array) -> Vec<i128> {
    match a.dtype() {
        DType::F32 => a
            .to_vec::<f32>()
            .iter()
            .map(|v| v.to_bits() as i128)
            .collect(),
        DType::F64 => a
            .to_vec::<f64>()
            .iter()
            .map(|v| v.to_bits() as i128)
            .collect(),
        DType::Bool => a.to_vec::<bool>().iter().map(|&v| v as i128).collect(),
        DType::U64 => a.to_vec::<u64>().iter().map(|&v| v as i128).collect(),
        DType::I64 => a.to_vec::<i64>().iter().map(|&v| v as i128).collect(),
        DType::I32 => a.to_vec::<i32>().iter().map(|&v| v as i128).collect(),
        DType::I8 => a.to_vec::<i8>().iter().map(|&v| v as i128).collect(),
        DType::U8 => a.to_vec::<u8>().iter().map(|&v| v as i128).collect(),
        DType::U16 => a.to_vec::<u16>().iter().map(|&v| v as i128).collect(),
        d => panic!("no reader for {d}"),
    }
}

fn fixture_values(v: &Value) -> Vec<i128> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            x.as_i64()
                .map(i128::from)
                .unwrap_or_else(|| x.as_u64().unwrap() as i128)
        })
        .collect()
}

/// Every case of the fixture section `mode` ("x32" or "x64"), compared
/// exactly (dtype, shape, values); returns the mismatch descriptions.
pub fn mismatches(mode: &str) -> Vec<String> {
    let f: Value = serde_json::from_str(FIXTURE).expect("valid fixture");
    let mut bad = vec![];
    for (seed, cases) in f[mode].as_object().unwrap() {
        let k = random::key(seed.parse::<i64>().unwrap());
        for (name, want) in cases.as_object().unwrap() {
            let got = sample(name, &k);
            let shape: Vec<usize> = want["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap() as usize)
                .collect();
            let dtype = want["dtype"].as_str().unwrap();
            if got.dtype().name() != dtype || got.shape() != shape.as_slice() {
                bad.push(format!(
                    "seed {seed} {name}: JAX {dtype}{shape:?}, jaxide {}{:?}",
                    got.dtype().name(),
                    got.shape()
                ));
                continue;
            }
            let (w, g) = (fixture_values(&want["values"]), values(&got));
            let wrong: Vec<usize> = (0..w.len()).filter(|&i| w[i] != g[i]).collect();
            if !wrong.is_empty() {
                let i = wrong[0];
                bad.push(format!(
                    "seed {seed} {name}: {} of {} differ; first at {i}: JAX {:#x}, jaxide {:#x}",
                    wrong.len(),
                    w.len(),
                    w[i],
                    g[i]
                ));
            }
        }
    }
    bad
}

/// Every case of the fixture section `mode` ("x32_approx" or "x64_approx"),
/// compared within `atol + rtol * |JAX|` (JAX factors with LAPACK).
pub fn approx_mismatches(mode: &str, atol: f64, rtol: f64) -> Vec<String> {
    let f: Value = serde_json::from_str(FIXTURE).expect("valid fixture");
    let mut bad = vec![];
    for (seed, cases) in f[mode].as_object().unwrap() {
        let k = random::key(seed.parse::<i64>().unwrap());
        for (name, want) in cases.as_object().unwrap() {
            let got = sample(name, &k);
            let bits = fixture_values(&want["values"]);
            let want: Vec<f64> = match want["dtype"].as_str().unwrap() {
                "float32" => bits
                    .iter()
                    .map(|&b| f32::from_bits(b as u32) as f64)
                    .collect(),
                _ => bits.iter().map(|&b| f64::from_bits(b as u64)).collect(),
            };
            let got: Vec<f64> = match got.dtype() {
                DType::F32 => got.to_vec::<f32>().iter().map(|&v| v as f64).collect(),
                _ => got.to_vec::<f64>(),
            };
            if got.len() != want.len() {
                bad.push(format!(
                    "seed {seed} {name}: {} values, JAX {}",
                    got.len(),
                    want.len()
                ));
                continue;
            }
            let worst = (0..got.len())
                .map(|i| ((got[i] - want[i]).abs() - rtol * want[i].abs(), i))
                .fold((f64::MIN, 0), |a, b| if b.0 > a.0 { b } else { a });
            if worst.0 > atol {
                let i = worst.1;
                bad.push(format!(
                    "seed {seed} {name}: at {i} JAX {}, jaxide {}",
                    want[i], got[i]
                ));
            }
        }
    }
    bad
}
