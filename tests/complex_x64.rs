//! complex128 with x64 on (this binary turns x64 on for all its tests).

use jaxide::prelude::*;

#[test]
fn complex128_under_x64() {
    jaxide::config::set_enable_x64(true);
    let w = jnp::array(Complex64::new(1.0, 2.0));
    assert_eq!(
        format!("{w:?}"),
        "Array(1.+2.j, dtype=complex128, weak_type=True)"
    );
    let z = jnp::array([Complex64::new(0.1, 0.2)]) * 3.0;
    assert_eq!(z.dtype(), DType::C128);
    assert_eq!(format!("{z:?}"), "Array([0.3+0.6j], dtype=complex128)");
    assert_eq!(
        (jnp::array([1.0f32]) * Complex64::new(0.0, 1.0)).dtype(),
        DType::C64
    );
    assert_eq!(
        (jnp::array([1.0f64]) * Complex32::new(0.0, 1.0)).dtype(),
        DType::C128
    );
    let eye = jnp::eye_with(
        2,
        jnp::Eye {
            dtype: Some(DType::C128),
            ..Default::default()
        },
    );
    let col = jnp::reshape(
        &jnp::array([Complex64::new(1.0, -1.0), Complex64::new(2.0, 0.5)]),
        &[2, 1],
    );
    let m = jnp::matmul(eye, col);
    assert_eq!(
        m.to_vec::<Complex64>(),
        vec![Complex64::new(1.0, -1.0), Complex64::new(2.0, 0.5)]
    );
    let s = jnp::sqrt(jnp::array([Complex64::new(-4.0, 0.0)]));
    assert_eq!(s.to_vec::<Complex64>(), vec![Complex64::new(0.0, 2.0)]);
    let g = grad(|z: &Array| jnp::abs(z))(&jnp::array([Complex64::new(3.0, 4.0)]).sum());
    assert_eq!(g.item::<Complex64>(), Complex64::new(0.6, -0.8));
}
