//! A tour of `jaxide::random`, printing exactly what JAX prints for the
//! same calls (`jax.random.key(0)`, `split`, `normal`, `uniform`,
//! `randint`, `permutation`).
//!
//! Run with `cargo run --release --example random_tour`.

use jaxide::random;

fn main() {
    let key = random::key(0);
    println!("{key:?}");
    println!("{:?}", random::split(&key, 2));
    println!("{:?}", random::normal(&key, &[3]));
    println!("{:?}", random::uniform(&random::key(42), &[2, 2]));
    println!("{:?}", random::randint(&random::key(1), &[5], 0, 10));
    println!("{:?}", random::permutation(&random::key(2), 10));
}
