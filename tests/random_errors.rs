//! Invalid sampler parameters and keys get JAX's messages.

use jaxide::prelude::*;
use jaxide::random;

mod common;
use common::panic_message;

fn expect(f: impl FnOnce() -> Array, want: &str) {
    let got = panic_message(f);
    assert_eq!(got, want);
}

#[test]
fn choice_rejects_bad_populations_and_probabilities() {
    let k = random::key(0);
    expect(
        || random::choice(&k, 5, &[6], false, None),
        "ValueError: Cannot take a larger sample (size 6) than population (size 5) when 'replace=False'",
    );
    expect(
        || random::choice(&k, 0, &[2], true, None),
        "ValueError: a must be greater than 0 unless no samples are taken",
    );
    expect(
        || random::choice(&k, 5, &[2], true, Some(&(jnp::ones([4]) / 4.0))),
        "ValueError: p must be None or a 1D vector with the same size as a.shape[axis]. p has \
         shape (4,) and a.shape[axis] is 5.",
    );
    assert_eq!(random::choice(&k, 0, &[0], true, None).shape(), &[0]);
}

#[test]
fn permutation_and_categorical_check_axes() {
    let k = random::key(0);
    expect(
        || random::permutation_of(&k, &Array::scalar(2.5f32), 0, false),
        "TypeError: x must be an integer or at least 1-dimensional",
    );
    expect(
        || random::permutation_of(&k, &jnp::ones([2, 3]), 2, false),
        "ValueError: axis 2 is out of bounds for array of dimension 2",
    );
    let logits = jnp::zeros([3, 4]);
    expect(
        || random::categorical(&k, &logits, 2, None),
        "IndexError: index 2 is out of bounds for axis 0 with size 2",
    );
    expect(
        || random::categorical(&k, &logits, -3, None),
        "IndexError: index -3 is out of bounds for axis 0 with size 2",
    );
    expect(
        || random::categorical(&k, &logits, -1, Some(&[5])),
        "ValueError: Incompatible shapes for broadcasting: shapes=[(5,), (3,)]",
    );
    expect(
        || random::categorical_with(&k, &logits, -1, Some(&[5, 3]), false),
        "ValueError: Number of samples without replacement (5) cannot exceed number of categories (4).",
    );
}

#[test]
fn samplers_check_dtypes_and_parameter_shapes() {
    let k = random::key(0);
    expect(
        || random::bernoulli(&k, 1, Some(&[2])),
        "TypeError: bernoulli probability `p` must have a floating dtype, got int32.",
    );
    expect(
        || random::bernoulli(&k, jnp::ones([3]) * 0.5, Some(&[2])),
        "ValueError: Incompatible shapes for broadcasting: shapes=[(2,), (3,)]",
    );
    expect(
        || random::uniform_with(&k, &[3], DType::I32, 0.0, 1.0),
        "ValueError: dtype argument to `uniform` must be a float dtype, got int32",
    );
    expect(
        || random::normal_with(&k, &[3], DType::I32),
        "ValueError: dtype argument to `normal` must be a float or complex dtype, got int32",
    );
    expect(
        || random::exponential_with(&k, &[2], DType::I32),
        "ValueError: dtype argument to `exponential` must be a float dtype, got int32",
    );
    expect(
        || random::bits_with(&k, &[3], DType::I32),
        "ValueError: dtype argument to `bits` must be an unsigned int dtype, got int32",
    );
    expect(
        || random::randint_with(&k, &[3], 0, 10, DType::F32),
        "TypeError: randint only accepts integer dtypes, got float32",
    );
    expect(
        || random::randint(&k, &[3], 0, jnp::array([1i32, 2])),
        "ValueError: Incompatible shapes for broadcasting: shapes=[(3,), (), (2,)]",
    );
    expect(
        || random::gamma(&k, jnp::ones([3]), Some(&[2])),
        "ValueError: Incompatible shapes for broadcasting: shapes=[(2,), (3,)]",
    );
    expect(
        || random::truncated_normal(&k, jnp::zeros([2, 3]), 1.0, Some(&[3])),
        "ValueError: truncated_normal parameter shapes must be broadcast-compatible with shape \
         argument, and the result of broadcasting the shapes must equal the shape argument, but \
         got result (2, 3) for shape argument (3,).",
    );
    expect(
        || random::dirichlet(&k, &Array::scalar(1.0f32), None),
        "ValueError: dirichlet requires alpha.ndim >= 1, got alpha.ndim == 0",
    );
}

#[test]
fn samplers_name_themselves_when_given_several_keys() {
    let keys = random::split(&random::key(0), 2);
    expect(
        || random::normal(&keys, &[2]),
        "ValueError: normal accepts a single key, but was given a key array of shape (2,) != (). \
         Use jax.vmap for batching.",
    );
    expect(
        || random::permutation(&keys, 3),
        "ValueError: permutation accepts a single key, but was given a key array of shape (2,) \
         != (). Use jax.vmap for batching.",
    );
    let raw = jnp::zeros([3]).astype(DType::U32);
    let got = panic_message(|| random::gamma(&raw, 1.0, None));
    assert!(
        got.starts_with("TypeError: JAX encountered invalid PRNG key data: expected key_data.shape to end with (2,); got shape=(3,)"),
        "{got}"
    );
}

#[test]
fn multivariate_normal_checks_mean_and_cov_shapes() {
    let k = random::key(0);
    expect(
        || random::multivariate_normal(&k, &jnp::zeros([3]), &jnp::eye(2), None),
        "ValueError: multivariate_normal requires cov.shape == (..., n, n) for n=3, but got \
         cov.shape == (2, 2).",
    );
    expect(
        || random::multivariate_normal(&k, &Array::scalar(0.0f32), &jnp::eye(2), None),
        "ValueError: multivariate_normal requires mean.ndim >= 1, got mean.ndim == 0",
    );
}
