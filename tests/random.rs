//! jax.random against real JAX: keys, splits, fold_in and bits, bit for
//! bit, and the printed form of key arrays. The fixture is written by
//! `tests/fixtures/random/gen_random.py`.

use jaxide::prelude::*;
use jaxide::random;
use serde_json::Value;

mod common;
use common::panic_message;

static FIXTURE: &str = include_str!("fixtures/random/random_golden.json");

fn u32s(v: &Value) -> Vec<u32> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|x| x.as_u64().expect("a u32") as u32)
        .collect()
}

/// `"2x3"` → `[2, 3]`, `"scalar"` → `[]`.
fn dims(name: &str) -> Vec<usize> {
    if name == "scalar" {
        vec![]
    } else {
        name.split('x').map(|d| d.parse().unwrap()).collect()
    }
}

fn cases() -> Vec<Value> {
    let f: Value = serde_json::from_str(FIXTURE).expect("valid fixture");
    f["cases"].as_array().expect("cases").clone()
}

#[test]
fn keys_splits_and_fold_in_match_jax() {
    for c in cases() {
        let seed = c["seed"].as_i64().unwrap();
        let k = random::key(seed);
        assert_eq!(
            random::key_data(&k).to_vec::<u32>(),
            u32s(&c["key"]),
            "seed {seed}"
        );
        let data = |k: &random::Key| random::key_data(k).to_vec::<u32>();
        assert_eq!(
            data(&random::split(&k, 2)),
            u32s(&c["split2"]),
            "seed {seed}"
        );
        assert_eq!(
            data(&random::split(&k, 3)),
            u32s(&c["split3"]),
            "seed {seed}"
        );
        let s = random::split_shape(&k, &[2, 3]);
        assert_eq!(s.shape(), &[2, 3]);
        assert_eq!(data(&s), u32s(&c["split_2x3"]), "seed {seed}");
        for (d, want) in c["fold_in"].as_object().unwrap() {
            let d: u32 = d.parse().unwrap();
            assert_eq!(
                data(&random::fold_in(&k, d)),
                u32s(want),
                "seed {seed} fold_in {d}"
            );
        }
        // Raw uint32[2] keys work the same.
        let raw = random::prng_key(seed);
        assert_eq!(data(&random::split(&raw, 2)), u32s(&c["split2"]));
    }
}

#[test]
fn bits_match_jax_for_every_shape() {
    for c in cases() {
        let k = random::key(c["seed"].as_i64().unwrap());
        for (shape, want) in c["bits"].as_object().unwrap() {
            let dims = dims(shape);
            let b = random::bits(&k, &dims);
            assert_eq!(b.shape(), &dims[..]);
            assert_eq!(b.dtype(), DType::U32);
            assert_eq!(b.to_vec::<u32>(), u32s(want), "shape {shape}");
        }
    }
}

#[test]
fn uniform_float32_matches_jax_bits() {
    for c in cases() {
        let k = random::key(c["seed"].as_i64().unwrap());
        for (shape, want) in c["uniform_f32_bits"].as_object().unwrap() {
            let dims = dims(shape);
            let u = random::uniform(&k, &dims);
            assert_eq!(u.dtype(), DType::F32);
            let got: Vec<u32> = u.to_vec::<f32>().iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, u32s(want), "shape {shape}");
        }
    }
    // Bounds: [lo, hi), within one rounding of JAX's fused multiply-add.
    let u = random::uniform_with(&random::key(3), &[1000], DType::F32, -2.0, 5.0);
    assert!(u.to_vec::<f32>().iter().all(|&v| (-2.0..5.0).contains(&v)));
}

#[test]
fn key_arrays_print_like_jax() {
    for c in cases() {
        let k = random::key(c["seed"].as_i64().unwrap());
        assert_eq!(format!("{k:?}"), c["repr_key"].as_str().unwrap());
        assert_eq!(
            format!("{:?}", random::split(&k, 2)),
            c["repr_split"].as_str().unwrap()
        );
    }
}

#[test]
fn keys_work_under_jit_and_vmap() {
    let k = random::key(0);
    let jitted = jit(|k: &random::Key| random::bits(k, &[3]))(&k);
    assert_eq!(
        jitted.to_vec::<u32>(),
        random::bits(&k, &[3]).to_vec::<u32>()
    );
    // vmap over split keys: row i is bits of key i.
    let keys = random::split(&k, 4);
    let rows = vmap(|k: &random::Key| random::bits(k, &[5]))(&keys);
    assert_eq!(rows.shape(), &[4, 5]);
    let data = random::key_data(&keys);
    for i in 0..4 {
        let ki = random::wrap_key_data(&data.at(i).get());
        assert_eq!(
            rows.at(i).get().to_vec::<u32>(),
            random::bits(&ki, &[5]).to_vec::<u32>()
        );
    }
}

#[test]
fn bad_keys_get_jax_messages() {
    let m = panic_message(|| {
        random::bits(&jnp::zeros(2), &[2]);
    });
    assert_eq!(
        m,
        "TypeError: JAX encountered invalid PRNG key data: expected key_data.dtype = uint32; got dtype=float32"
    );
    let m = panic_message(|| {
        random::bits(&Array::from_vec(vec![0u32; 3], vec![3]), &[2]);
    });
    assert!(m.starts_with("TypeError: JAX encountered invalid PRNG key data: expected key_data.shape to end with (2,); got shape=(3,)"), "{m}");
    let m = panic_message(|| {
        random::split(&random::split(&random::key(0), 2), 2);
    });
    assert_eq!(
        m,
        "ValueError: split accepts a single key, but was given a key array of shape (2,) != (). Use jax.vmap for batching."
    );
}

/// The calls of `examples/random_tour.rs` print what JAX prints, to the character.
#[test]
fn random_tour_prints_like_jax() {
    let key = random::key(0);
    let got = [
        format!("{key:?}"),
        format!("{:?}", random::split(&key, 2)),
        format!("{:?}", random::normal(&key, &[3])),
        format!("{:?}", random::uniform(&random::key(42), &[2, 2])),
        format!("{:?}", random::randint(&random::key(1), &[5], 0, 10)),
        format!("{:?}", random::permutation(&random::key(2), 10)),
    ]
    .join("\n")
        + "\n";
    assert_eq!(got, include_str!("fixtures/random/random_tour.txt"));
}

/// Samplers are lax programs: under `jit` and `vmap` they give the eager bits.
#[test]
fn samplers_under_jit_and_vmap_match_eager_bits() {
    let kd = random::key_data(&random::key(3));
    let eager = random::normal(&kd, &[5]).to_vec::<f32>();
    let jitted = jit(|k: &Array| random::normal(k, &[5]))(&kd).to_vec::<f32>();
    assert_eq!(eager, jitted);
    let t = |k: &Array| random::truncated_normal(k, -1.0, 2.0, Some(&[4]));
    assert_eq!(t(&kd).to_vec::<f32>(), jit(t)(&kd).to_vec::<f32>());
    let keys = random::key_data(&random::split(&random::key(4), 3));
    let per_key = vmap(|k: &Array| random::gamma(k, 2.0, Some(&[2])))(&keys);
    let jitted = jit(|k: &Array| random::gamma(k, 0.5, Some(&[2])))(&kd);
    assert_eq!(
        jitted.to_vec::<f32>(),
        random::gamma(&kd, 0.5, Some(&[2])).to_vec::<f32>()
    );
    for i in 0..3usize {
        let one = random::gamma(&keys.at(i).get(), 2.0, Some(&[2]));
        assert_eq!(per_key.at(i).get().to_vec::<f32>(), one.to_vec::<f32>());
    }
}

/// Typed key arrays are pytree leaves: `vmap` over split keys and `jit` of a
/// key argument give the per-key eager samples.
#[test]
fn typed_keys_under_vmap_and_jit() {
    let keys = random::split(&random::key(0), 3);
    let batched = vmap(|k: &random::Key| random::normal(k, &[2]))(&keys);
    let data = random::key_data(&keys);
    for i in 0..3usize {
        let one = random::wrap_key_data(&data.at(i).get());
        assert_eq!(
            batched.at(i).get().to_vec::<f32>(),
            random::normal(&one, &[2]).to_vec::<f32>()
        );
    }
    let k = random::key(1);
    let jitted = jit(|k: &random::Key| random::uniform(k, &[2]))(&k);
    assert_eq!(
        jitted.to_vec::<f32>(),
        random::uniform(&k, &[2]).to_vec::<f32>()
    );
}
