//! Section 4 of the porting issue: JAX lines port mechanically. Each test
//! is a JAX spelling and its jaxide twin; the expected values were printed
//! by JAX 0.10.2.

mod common;

use common::panic_message;
use jaxide::prelude::*;

#[test]
fn jnp_functions_pass_straight_to_transformations() {
    let x = jnp::array([0.0f32, 1.0, 2.0]);
    // jax.grad(jnp.sin) needs a scalar: grad(jnp.sin)(1.0).
    let g = grad(jnp::sin)(&Array::scalar(1.0f32));
    assert!((g.item::<f32>() - 1.0f32.cos()).abs() < 1e-6);
    // jax.vmap(jnp.sum)(m)
    let m = jnp::reshape(&jnp::arange_dtype(6, DType::F32), &[2, 3]);
    assert_eq!(vmap(jnp::sum)(&m).to_vec::<f32>(), vec![3.0, 12.0]);
    // jax.jit(jnp.tanh)(x)
    let t = jit(jnp::tanh)(&x).to_vec::<f32>();
    assert!((t[1] - 1.0f32.tanh()).abs() < 1e-6);
    // Two arguments, and compositions.
    assert_eq!(jit(jnp::add)(&x, &x).to_vec::<f32>(), vec![0.0, 2.0, 4.0]);
    let gs = vmap(grad(jnp::sin))(&x).to_vec::<f32>();
    assert!((gs[2] - 2.0f32.cos()).abs() < 1e-6);
    assert_eq!(
        jit(jit(jnp::exp))(&Array::scalar(0.0f32)).item::<f32>(),
        1.0
    );
}

#[test]
fn unsuffixed_literals_in_operator_chains() {
    let n = jnp::arange(6);
    // (n % 2) == 0
    assert_eq!(
        (&n % 2).eq(0).to_vec::<bool>(),
        vec![true, false, true, false, true, false]
    );
    let x = jnp::array([1.0f32, 2.0]);
    assert_eq!((&x * 2.0).eq(2).to_vec::<bool>(), vec![true, false]);
    assert_eq!(((&x + 1) * 3 - 0.5).to_vec::<f32>(), vec![5.5, 8.5]);
    assert_eq!((n.clone() << 1).to_vec::<i32>()[5], 10);
    // Weak literals keep the array's dtype; 2.5 promotes int32 to float32.
    assert_eq!((&n * 2u8).dtype(), DType::I32);
    assert_eq!((&n * 2.5).dtype(), DType::F32);
}

#[test]
fn arrays_and_scalars_by_value_or_by_reference() {
    let x = jnp::array([1.0f32, 4.0]);
    let r = &x;
    let two = 2.0f32;
    assert_eq!(jnp::add(r, &two).to_vec::<f32>(), vec![3.0, 6.0]);
    assert_eq!(jnp::add(&r, two).to_vec::<f32>(), vec![3.0, 6.0]);
    assert_eq!(
        jnp::multiply(x.clone(), &&x).to_vec::<f32>(),
        vec![1.0, 16.0]
    );
    // Nested Rust data wherever an array goes (strongly typed, as np arrays).
    assert_eq!(jnp::add(&x, [1.0f32, 1.0]).to_vec::<f32>(), vec![2.0, 5.0]);
    assert_eq!(
        jnp::add(&x, vec![1.0f32, 1.0]).to_vec::<f32>(),
        vec![2.0, 5.0]
    );
    let s: &[f32] = &[0.5, 0.5];
    assert_eq!(jnp::add(&x, s).to_vec::<f32>(), vec![1.5, 4.5]);
}

#[test]
fn jnp_where_is_one_function_with_jax_promotion() {
    let c = jnp::array([true, false]);
    // jnp.where(c, 1, 2.0) -> float32, weak
    let w = jnp::r#where(&c, 1, 2.0);
    assert_eq!(
        format!("{w:?}"),
        "Array([1., 2.], dtype=float32, weak_type=True)"
    );
    assert_eq!(format!("{:?}", jnp::where_(&c, 1, 2.0)), format!("{w:?}"));
    // jnp.where(c, int32 array, 2.5) -> weak float32
    let i = jnp::array([1i32, 2]);
    assert_eq!(jnp::r#where(&c, &i, 2.5).dtype(), DType::F32);
    // jnp.where(c, uint8 array, -1) -> uint8
    let u = jnp::array([1u8, 2]);
    assert_eq!(jnp::r#where(&c, &u, -1).dtype(), DType::U8);
    // Broadcasting error names where.
    let msg = panic_message(|| jnp::r#where(&c, jnp::ones([3]), 0.0));
    assert_eq!(
        msg,
        "ValueError: Incompatible shapes for broadcasting: shapes=[(2,), (3,), ()]"
    );
}
