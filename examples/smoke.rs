use jaxide::numpy as jnp;
fn main() {
    let x = jnp::arange(10);
    println!("{x}");
    println!("{x:?}");
    let y = jnp::array([1, 2, 3]);
    println!("{}", y.at(0).set(123));
    println!("{y}");
    let f = jnp::array([[1.0f32, 2.], [3., 4.]]);
    println!("{}", &f * 2.0 + 1.0);
    println!("{:?}", jnp::exp(&f));
    println!("{:?}", jnp::matmul(&f, &f));
    println!("{:?}", f.sum());
    println!("{:?}", jnp::linspace(0.0, 1.0, 5, true));
    let v = jnp::arange(10_000_000);
    let t = std::time::Instant::now();
    let d = jnp::dot(&v, &v);
    println!("dispatch {:?}", t.elapsed());
    d.block_until_ready();
    println!("total {:?} {d:?}", t.elapsed());
}
