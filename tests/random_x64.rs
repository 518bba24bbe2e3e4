//! jax.random with x64 enabled (its own test binary: x64 is process-wide):
//! 64-bit seeds, uint64 bits and float64 uniforms, bit for bit with JAX.

use jaxide::prelude::*;
use jaxide::random;
use serde_json::Value;

static FIXTURE: &str = include_str!("fixtures/random/random_golden.json");

fn x64() {
    jaxide::config::set_enable_x64(true);
}

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|x| {
            x.as_str()
                .expect("a decimal string")
                .parse()
                .expect("a u64")
        })
        .collect()
}

fn dims(name: &str) -> Vec<usize> {
    if name == "scalar" {
        vec![]
    } else {
        name.split('x').map(|d| d.parse().unwrap()).collect()
    }
}

#[test]
fn bits64_and_float64_uniforms_match_jax() {
    x64();
    let f: Value = serde_json::from_str(FIXTURE).unwrap();
    for c in f["cases"].as_array().unwrap() {
        let seed = c["seed"].as_i64().unwrap();
        let k = random::key(seed);
        for (shape, want) in c["x64"]["bits64"].as_object().unwrap() {
            let b = random::bits64(&k, &dims(shape));
            assert_eq!(b.to_vec::<u64>(), u64s(want), "seed {seed} shape {shape}");
        }
        for (shape, want) in c["x64"]["uniform_f64_bits"].as_object().unwrap() {
            let u = random::uniform(&k, &dims(shape));
            assert_eq!(u.dtype(), DType::F64);
            let got: Vec<u64> = u.to_vec::<f64>().iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, u64s(want), "seed {seed} shape {shape}");
        }
    }
}

#[test]
fn negative_seeds_keep_their_high_word_with_x64() {
    x64();
    assert_eq!(
        random::key_data(&random::key(-1)).to_vec::<u32>(),
        vec![u32::MAX, u32::MAX]
    );
    assert_eq!(
        random::key_data(&random::key(1 << 32)).to_vec::<u32>(),
        vec![1, 0]
    );
}

#[path = "common/sampler_cases.rs"]
mod sampler_cases;

#[test]
fn samplers_match_jax_bit_for_bit_with_x64() {
    x64();
    let bad = sampler_cases::mismatches("x64");
    assert!(
        bad.is_empty(),
        "{} cases differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn multivariate_normal_and_orthogonal_match_jax_to_rounding_with_x64() {
    x64();
    let bad = sampler_cases::approx_mismatches("x64_approx", 1e-12, 1e-12);
    assert!(
        bad.is_empty(),
        "{} cases differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// With x64 on, literal scalars are weak 64-bit, as `jnp.array(3)` is in JAX.
#[test]
fn literal_scalars_are_weak_64_bit() {
    x64();
    assert_eq!(
        format!("{:?}", jnp::array(3)),
        "Array(3, dtype=int64, weak_type=True)"
    );
    assert_eq!(
        format!("{:?}", jnp::array(0.5)),
        "Array(0.5, dtype=float64, weak_type=True)"
    );
    assert_eq!(jnp::promote_types(DType::U32, DType::I32), DType::I64);
}
