//! `jax.random`: counter-based pseudo-random numbers with Threefry-2x32,
//! bit-exact with JAX's default (partitionable) implementation. Built on
//! `lax` (the `threefry2x32` primitive); works under `jit`, `vmap` and `grad`.

mod key;
mod threefry;
mod uniform;

pub use key::{key, key_data, prng_key, wrap_key_data, Key, KeyLike};
pub use threefry::{bits, bits64, fold_in, split, split_shape};
pub use uniform::{uniform, uniform_with};
