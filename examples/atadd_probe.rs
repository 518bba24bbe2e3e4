use jaxide::prelude::*;
fn main() {
    let x = jnp::zeros(1_000_000);
    let idx = jaxide::random::randint(&jaxide::random::key(1), &[1_000_000], 0, 1_000_000);
    let g = |x: &Array, i: &Array| x.at(i).add(1.0f32);
    println!("{}", make_jaxpr(g)(&x, &idx));
    let exe = jaxide::compiler::compile(&make_jaxpr(g)(&x, &idx));
    println!("{}", exe.describe());
    let f = jit(g);
    f(&x, &idx).block_until_ready();
    let n = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(200);
    let t = std::time::Instant::now();
    for _ in 0..n { f(&x, &idx).block_until_ready(); }
    println!("{:?} per call", t.elapsed() / n);
}
