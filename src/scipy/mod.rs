//! `jax.scipy`: SciPy's API on jaxide arrays, built from lax primitives.

pub mod linalg;
