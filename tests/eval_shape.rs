//! `eval_shape` and `ShapeDtypeStruct`: outputs as JAX 0.10 prints them,
//! sizes far beyond memory, and sampling beyond 2^32 elements with x64 off.

mod common;

use jaxide::prelude::*;
use jaxide::random;

#[test]
fn shapes_print_as_jax_prints_them() {
    let s = |shape: &[usize], dt| ShapeDtypeStruct::new(shape.to_vec(), dt);
    assert_eq!(
        eval_shape(|x: &Array| x * 2.0f32, &(s(&[3], DType::F32),)).to_string(),
        "ShapeDtypeStruct(shape=(3,), dtype=float32)"
    );
    assert_eq!(
        eval_shape(|x: &Array| x + 1i32, &(s(&[4], DType::I32),)).to_string(),
        "ShapeDtypeStruct(shape=(4,), dtype=int32)"
    );
    // A weak-typed scalar in, weak out (`jax.eval_shape(lambda x: x * 2., 1.)`).
    let weak = ShapeDtypeStruct::new([], DType::F32).weak();
    assert_eq!(
        eval_shape(|x: &Array| x * 2.0, &(weak,)).to_string(),
        "ShapeDtypeStruct(shape=(), dtype=float32, weak_type=True)"
    );
    // Pytree outputs keep their structure.
    let out = eval_shape(
        |x: &Array| {
            let mut m = std::collections::BTreeMap::new();
            m.insert("a".to_string(), vec![x.clone()]);
            m.insert("b".to_string(), vec![x.sum(), jnp::astype(x, DType::I32)]);
            m
        },
        &(s(&[2, 3], DType::F32),),
    );
    assert_eq!(
        out.to_string(),
        "{'a': [ShapeDtypeStruct(shape=(2, 3), dtype=float32)], 'b': \
         [ShapeDtypeStruct(shape=(), dtype=float32), ShapeDtypeStruct(shape=(2, 3), dtype=int32)]}"
    );
    assert_eq!(out.leaves().len(), 3);
    assert_eq!(out[2].dtype, DType::I32);
    // bool outputs, and concrete arrays as specs.
    let x = jnp::array([1.0f32, -1.0]);
    assert_eq!(
        eval_shape(|x: &Array| x.gt(0.0), &(x,))
            .single()
            .to_string(),
        "ShapeDtypeStruct(shape=(2,), dtype=bool)"
    );
}

#[test]
fn nothing_is_computed_or_allocated() {
    let big = ShapeDtypeStruct::new([1usize << 40], DType::F32);
    let out = eval_shape(|x: &Array| jnp::exp(x).sum(), &(big.clone(),));
    assert_eq!(out.single().shape(), &[] as &[usize]);
    let out = eval_shape(|x: &Array| jnp::reshape(x, &[1 << 20, -1]), &(big,));
    assert_eq!(out.single().shape(), &[1 << 20, 1 << 20]);
}

#[test]
fn sampling_beyond_two_to_the_32_elements_traces_with_x64_off() {
    assert!(!jaxide::config::enable_x64());
    let key = random::key(0);
    for n in [(1usize << 32) + 3, 1 << 40] {
        let out = eval_shape(|k: &random::Key| random::normal(k, &[n]), &(key.clone(),));
        assert_eq!(
            out.to_string(),
            format!("ShapeDtypeStruct(shape=({n},), dtype=float32)")
        );
        let out = eval_shape(|k: &random::Key| random::bits64(k, &[n]), &(key.clone(),));
        assert_eq!(out.single().dtype, DType::U64);
    }
}

#[test]
fn a_mismatched_spec_is_a_clear_error() {
    let msg = common::panic_message(|| {
        eval_shape(
            |x: &Array, y: &Array| x + y,
            &(ShapeDtypeStruct::new([3], DType::F32),),
        )
    });
    assert!(msg.contains("PyTreeDef"), "{msg}");
    let msg = common::panic_message(|| {
        eval_shape(
            |x: &Array, y: &Array| x + y,
            &(
                ShapeDtypeStruct::new([3], DType::F32),
                ShapeDtypeStruct::new([4], DType::F32),
            ),
        )
    });
    assert!(
        msg.contains("add got incompatible shapes for broadcasting: (3,), (4,)"),
        "{msg}"
    );
}
