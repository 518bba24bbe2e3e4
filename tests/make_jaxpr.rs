//! `make_jaxpr` prints like `jax.make_jaxpr`. Each expected string was
//! printed by JAX 0.10.2 for the Python function in the comment.

use jaxide::prelude::*;

fn x3() -> Array {
    jnp::ones(3)
}

#[test]
fn closed_over_arrays_become_constants_and_scalars_literals() {
    // c = jnp.arange(3.0); jax.make_jaxpr(lambda x: x * c + 1.0)(jnp.ones(3))
    let c = jnp::arange_dtype(3, DType::F32);
    let j = make_jaxpr(|x: &Array| x * &c + 1.0f32)(&x3());
    assert_eq!(
        j.to_string(),
        "{ lambda a:f32[3]; b:f32[3]. let\n    c:f32[3] = mul b a\n    d:f32[3] = add c 1.0:f32[]\n  in (d,) }"
    );
    assert_eq!(j.consts.len(), 1);
}

#[test]
fn elementwise_chain() {
    // jax.make_jaxpr(lambda x: jnp.tanh(2*x+1)**2)(jnp.ones(3))
    let j = make_jaxpr(|x: &Array| jnp::tanh(&(2.0f32 * x + 1.0f32)).pow(2))(&x3());
    assert_eq!(
        j.to_string(),
        "{ lambda ; a:f32[3]. let\n    b:f32[3] = mul 2.0:f32[] a\n    c:f32[3] = add b 1.0:f32[]\n    \
         d:f32[3] = tanh c\n    e:f32[3] = integer_pow[y=2] d\n  in (e,) }"
    );
}

#[test]
fn short_jaxprs_fit_on_one_line_and_outputs_may_be_inputs() {
    // jax.make_jaxpr(lambda x, y: (x, y*2))(jnp.ones(3), 1.0)
    let j =
        make_jaxpr(|x: &Array, y: &Array| (x.clone(), y * 2.0f32))(&x3(), &jnp::asarray(1.0f32));
    assert_eq!(
        j.to_string(),
        "{ lambda ; a:f32[3] b:f32[]. let c:f32[] = mul b 2.0:f32[] in (a, c) }"
    );
}

#[test]
fn long_params_break_over_lines() {
    // jax.make_jaxpr(lambda x: jnp.dot(x, x))(jnp.ones(3))
    let j = make_jaxpr(|x: &Array| jnp::dot(x, x))(&x3());
    assert_eq!(
        j.to_string(),
        "{ lambda ; a:f32[3]. let\n    b:f32[] = dot_general[\n      dimension_numbers=(([0], [0]), ([], []))\n      \
         preferred_element_type=float32\n    ] a a\n  in (b,) }"
    );
}

#[test]
fn grad_is_staged_too_and_unused_results_print_as_underscore() {
    // jax.make_jaxpr(jax.grad(lambda x: jnp.sum(x**2)))(jnp.ones(3))
    let j = make_jaxpr(grad(|x: &Array| x.pow(2).sum()))(&x3());
    j.jaxpr.typecheck().unwrap();
    let text = j.to_string();
    assert!(
        text.contains("_:f32[] = reduce_sum[axes=(0,) out_sharding=None] b"),
        "{text}"
    );
    assert!(text.contains("integer_pow[y=2] a"), "{text}");
    // Evaluating the staged program gives the gradient.
    let out = j.call(&[jnp::array([1.0f32, 2.0, 3.0])]);
    assert_eq!(out[0].to_vec::<f32>(), vec![2.0, 4.0, 6.0]);
}

#[test]
fn reading_a_staged_value_is_a_concretization_error() {
    let r = std::panic::catch_unwind(|| {
        make_jaxpr(|x: &Array| {
            if x.sum().item::<f32>() > 0.0 {
                x.clone()
            } else {
                -x
            }
        })(&jnp::ones(3))
    });
    let msg = r
        .unwrap_err()
        .downcast::<String>()
        .map(|s| *s)
        .unwrap_or_default();
    assert!(
        msg.contains("ConcretizationTypeError") && msg.contains("make_jaxpr"),
        "{msg}"
    );
}
