//! jax.random samplers against real JAX, bit for bit (x64 off: float32 and
//! int32). The fixture is written by `tests/fixtures/random/gen_samplers.py`;
//! the calls are in `tests/common/sampler_cases.rs`.

#[path = "common/sampler_cases.rs"]
mod sampler_cases;

#[test]
fn samplers_match_jax_bit_for_bit() {
    let bad = sampler_cases::mismatches("x32");
    assert!(
        bad.is_empty(),
        "{} cases differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
