//! jacfwd, jacrev and hessian: against each other, against hand-derived
//! Jacobians, and on pytree inputs and outputs (JAX's block layout).

use jaxide::prelude::*;

fn close(a: &Array, b: &Array) {
    assert_eq!(a.shape(), b.shape());
    for (x, y) in a.to_vec::<f32>().iter().zip(b.to_vec::<f32>()) {
        assert!((x - y).abs() <= 1e-4 * x.abs().max(1.0), "{x} vs {y}");
    }
}

#[test]
fn jacobians_of_a_vector_function() {
    let a = Array::from_vec(vec![1.0f32, 2., 3., 4., 5., 6.], vec![3, 2]);
    let f = move |x: &Array| jnp::tanh(jnp::matmul(&a, x));
    let x = jnp::array([0.3f32, -0.2]);
    let (jf, jr) = (jacfwd(&f)(&x), jacrev(&f)(&x));
    assert_eq!(jf.shape(), &[3, 2]);
    close(&jf, &jr);
    // d tanh(Ax) = diag(1 - tanh^2) A
    let a = Array::from_vec(vec![1.0f32, 2., 3., 4., 5., 6.], vec![3, 2]);
    let t = f(&x);
    let want = (1.0f32 - &t * &t).reshape(&[3, 1]) * &a;
    close(&jf, &want);
}

#[test]
fn hessian_of_a_scalar_function_and_hvp() {
    let f = |x: &Array| (x * x * x).sum() + (x.at(0).get() * x.at(1).get());
    let x = jnp::array([1.0f32, 2.0]);
    let h = hessian(f)(&x);
    assert_eq!(h.to_vec::<f32>(), vec![6.0, 1.0, 1.0, 12.0]);
    let v = jnp::array([1.0f32, -1.0]);
    let (_, hv) = jvp(grad(f), &x, &v);
    close(&hv, &jnp::matmul(&h, &v));
}

#[test]
fn pytree_inputs_and_outputs_give_blocks_of_out_shape_plus_in_shape() {
    let f = |p: &(Array, Array)| (p.0.sum() * &p.1, jnp::sin(&p.0));
    let p = (jnp::array([1.0f32, 2.0, 3.0]), jnp::array([0.5f32, -0.5]));
    let ((d0a, d0b), (d1a, d1b)) = jacfwd(f)(&p);
    assert_eq!(d0a.shape(), &[2, 3]);
    assert_eq!(d0b.shape(), &[2, 2]);
    assert_eq!(d1a.shape(), &[3, 3]);
    assert_eq!(d1b.shape(), &[3, 2]);
    let ((r0a, r0b), (r1a, r1b)) = jacrev(f)(&p);
    close(&d0a, &r0a);
    close(&d0b, &r0b);
    close(&d1a, &r1a);
    close(&d1b, &r1b);
    // d(sum(a) * b)/db = sum(a) * I; d sin(a)/db = 0.
    close(&d0b, &(jnp::eye(2) * 6.0f32));
    assert!(d1b.to_vec::<f32>().iter().all(|&v| v == 0.0));
}
