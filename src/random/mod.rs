//! `jax.random`: counter-based pseudo-random numbers with Threefry-2x32,
//! bit-exact with JAX's default (partitionable) implementation. Built on
//! `lax` (the `threefry2x32` primitive); works under `jit`, `vmap` and `grad`.
//!
//! | sampler | file |
//! |---|---|
//! | keys, `split`, `fold_in`, `bits` | `key.rs`, `threefry.rs` |
//! | `uniform` | `uniform.rs` |
//! | `normal`, `truncated_normal` | `normal.rs` |
//! | `exponential`, `laplace`, `logistic`, `gumbel`, `cauchy` | `univariate.rs` |
//! | `bernoulli`, `rademacher`, `randint`, `categorical` | `discrete.rs` |
//! | `gamma`, `loggamma`, `beta`, `dirichlet` | `gamma.rs` |
//! | `multivariate_normal`, `orthogonal` | `multivariate.rs` |
//! | `permutation`, `choice`, `categorical` without replacement | `permutation.rs` |

mod discrete;
mod gamma;
mod key;
mod multivariate;
mod normal;
mod permutation;
mod shapes;
mod threefry;
mod uniform;
mod univariate;

pub use discrete::{
    bernoulli, categorical, categorical_with, rademacher, rademacher_with, randint, randint_with,
};
pub use gamma::{
    beta, beta_with, dirichlet, dirichlet_with, gamma, gamma_with, loggamma, loggamma_with,
};
pub use key::{concatenate_keys, key, key_data, prng_key, stack_keys, wrap_key_data, Key, KeyLike};
pub use multivariate::{multivariate_normal, orthogonal, orthogonal_with};
pub use normal::{normal, normal_with, truncated_normal, truncated_normal_with};
pub use permutation::{choice, choice_from, permutation, permutation_of};
pub use threefry::{bits, bits64, bits_with, fold_in, split, split_shape};
pub use uniform::{uniform, uniform_with};
pub use univariate::{
    cauchy, cauchy_with, exponential, exponential_with, gumbel, gumbel_with, laplace, laplace_with,
    logistic, logistic_with,
};
