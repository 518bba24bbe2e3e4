//! Layout work the compiler removes: transposes folded into `dot_general`
//! (the kernel reads operands stored transposed in place), transposes that
//! only move size-1 axes turned into reshapes, reshapes that hand their
//! buffer over instead of copying, and elementwise chains built leaf by
//! leaf (an optimizer update) gathered into one kernel per leaf. Every
//! rewrite gives the eager result bit for bit.

use jaxide::prelude::*;
use jaxide::{lax, random};

fn uniform(seed: i64, shape: &[usize]) -> Array {
    random::uniform(&random::key(seed), shape)
}

fn bits(x: &Array) -> Vec<u32> {
    x.to_vec::<f32>().iter().map(|v| v.to_bits()).collect()
}

#[test]
fn vmapped_matrix_vector_products_compile_without_transposes() {
    let w = uniform(0, &[48, 40]);
    let x = uniform(1, &[16, 40]);
    let f = move |x: &Array| {
        let w = w.clone();
        vmap(move |v: &Array| jnp::matmul(&w, v))(x)
    };
    let text = lower(&f, &(x.clone(),)).compile().as_text();
    assert!(!text.contains("transpose"), "{text}");
    let (e, j) = (f(&x), jit(&f)(&x));
    assert_eq!(j.shape(), &[16, 48]);
    assert_eq!(bits(&e), bits(&j));
}

#[test]
fn dot_general_reads_through_operand_transposes() {
    let a = uniform(2, &[30, 20]);
    let b = uniform(3, &[30, 10]);
    // aᵀ·b written with an explicit transpose, and a batched variant.
    let f = |a: &Array, b: &Array| jnp::matmul(lax::transpose(a, &[1, 0]), b);
    let text = lower(f, &(a.clone(), b.clone())).compile().as_text();
    assert!(!text.contains("transpose"), "{text}");
    assert_eq!(bits(&f(&a, &b)), bits(&jit(f)(&a, &b)));
    let a3 = uniform(4, &[3, 30, 20]);
    let b3 = uniform(5, &[3, 10, 30]);
    let g = |a: &Array, b: &Array| {
        let at = lax::transpose(a, &[0, 2, 1]);
        let bt = lax::transpose(b, &[0, 2, 1]);
        lax::dot_general(&at, &bt, (&[2], &[1]), (&[0], &[0]), None)
    };
    let text = lower(g, &(a3.clone(), b3.clone())).compile().as_text();
    assert!(!text.contains("transpose"), "{text}");
    assert_eq!(bits(&g(&a3, &b3)), bits(&jit(g)(&a3, &b3)));
}

#[test]
fn transposes_that_only_move_unit_axes_are_reshapes() {
    let x = uniform(6, &[5, 1, 7]);
    let f = |x: &Array| lax::transpose(x, &[1, 0, 2]) * 2.0f32;
    let text = lower(f, &(x.clone(),)).compile().as_text();
    assert!(!text.contains("transpose"), "{text}");
    let (e, j) = (f(&x), jit(f)(&x));
    assert_eq!(j.shape(), &[1, 5, 7]);
    assert_eq!(bits(&e), bits(&j));
}

#[test]
fn reshapes_alias_or_move_buffers_and_keep_their_shapes() {
    let x = uniform(7, &[6, 4]);
    // The reshaped input is returned next to the input itself and a value
    // computed from it: every output has its own shape and the input is
    // untouched.
    let f = |x: &Array| {
        let r = x.reshape(&[3, 8]);
        let s = (x * 2.0f32).reshape(&[24]);
        (r.clone(), x.clone(), s, r.reshape(&[2, 12]))
    };
    let (r, same, s, r2) = jit(f)(&x);
    assert_eq!(r.shape(), &[3, 8]);
    assert_eq!(same.shape(), &[6, 4]);
    assert_eq!(s.shape(), &[24]);
    assert_eq!(r2.shape(), &[2, 12]);
    assert_eq!(bits(&r), bits(&x));
    assert_eq!(bits(&r2), bits(&x));
    assert_eq!(bits(&same), bits(&x));
    let doubled: Vec<u32> = x
        .to_vec::<f32>()
        .iter()
        .map(|v| (v * 2.0).to_bits())
        .collect();
    assert_eq!(bits(&s), doubled);
    assert_eq!(x.shape(), &[6, 4]);
}

#[test]
fn leaf_by_leaf_updates_fuse_one_kernel_per_leaf() {
    // Like an optimizer: every leaf's moment, then every leaf's step, then
    // every leaf's new value, in separate passes over the leaves.
    let f = |p: &(Array, Array), g: &(Array, Array)| {
        let m = (&g.0 * 0.1f32, &g.1 * 0.1f32);
        let u = (jnp::sqrt(&m.0) * -0.01f32, jnp::sqrt(&m.1) * -0.01f32);
        (&p.0 + &u.0, &p.1 + &u.1)
    };
    let p = (uniform(8, &[64, 32]), uniform(9, &[32]));
    let g = (uniform(10, &[64, 32]), uniform(11, &[32]));
    let text = lower(f, &(p.clone(), g.clone())).compile().as_text();
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        vec!["fused[mul,sqrt,mul,add]", "fused[mul,sqrt,mul,add]"],
        "{text}"
    );
    let (e, j) = (f(&p, &g), jit(f)(&p, &g));
    assert_eq!(bits(&e.0), bits(&j.0));
    assert_eq!(bits(&e.1), bits(&j.1));
}
