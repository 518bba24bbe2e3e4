//! The fusing compiler: which equations share a kernel, and that fused
//! kernels give the same bits as the unfused (eager) kernels — broadcasts,
//! comparisons, selects, booleans, and reductions over any contiguous axes.

use jaxide::prelude::*;

fn compiled(f: impl Fn(&Array) -> Array + Send + Sync, x: &Array) -> String {
    jaxide::compiler::compile(&make_jaxpr(f)(x)).describe()
}

/// Deterministic pseudo-random floats in [-2, 2) (with some exact ties).
fn data(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|i| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let v = ((s >> 40) as f32 / (1u64 << 24) as f32) * 4.0 - 2.0;
            if i % 17 == 0 {
                0.0
            } else {
                v
            }
        })
        .collect()
}

fn arr(shape: &[usize], seed: u64) -> Array {
    Array::from_vec(data(shape.iter().product(), seed), shape.to_vec())
}

/// Eager and jitted results, bit for bit.
fn assert_same_bits(f: impl Fn(&Array) -> Array + Clone + Send + Sync, x: &Array) {
    let (e, j) = (f(x), jit(f.clone())(x));
    assert_eq!(e.shape(), j.shape());
    assert_eq!(e.dtype(), j.dtype());
    let (e, j) = (
        e.astype(DType::F32).to_vec::<f32>(),
        j.astype(DType::F32).to_vec::<f32>(),
    );
    let same = e.iter().zip(&j).all(|(a, b)| a.to_bits() == b.to_bits());
    assert!(
        same,
        "eager {:?}\njit   {:?}",
        &e[..e.len().min(8)],
        &j[..j.len().min(8)]
    );
}

fn selu(x: &Array) -> Array {
    let (alpha, scale) = (1.673_263_2f32, 1.050_701f32);
    scale * jnp::where_(jnp::greater(x, 0.0f32), x, alpha * jnp::exp(x) - alpha)
}

#[test]
fn selu_is_one_kernel_with_compare_and_select() {
    let x = arr(&[3000], 1);
    assert_eq!(compiled(selu, &x), "fused[gt,exp,mul,sub,select_n,mul]");
    assert_same_bits(selu, &x);
    assert_same_bits(selu, &arr(&[300_001], 2));
}

#[test]
fn broadcasts_are_read_through_strides_not_materialized() {
    // A bias row and a column, broadcast into [rows, cols].
    let b = arr(&[1, 700], 3);
    let c = arr(&[50, 1], 4);
    let f = move |x: &Array| jnp::maximum(x + &b, 0.0f32) * &c;
    let x = arr(&[50, 700], 5);
    let text = compiled(&f, &x);
    assert_eq!(
        text, "fused[broadcast_in_dim,add,max,broadcast_in_dim,mul]",
        "{text}"
    );
    assert_same_bits(&f, &x);
    // A 3-d broadcast with a middle axis, across many blocks and threads.
    let m = arr(&[7, 1, 3], 6);
    let g = move |x: &Array| jnp::sin(x) * &m + 1.0f32;
    assert_same_bits(g, &arr(&[7, 9000, 3], 7));
}

#[test]
fn booleans_fuse_as_masks_and_are_stored_as_bool() {
    // relu's derivative: a comparison converted to float; the mask itself is also returned.
    let f = |x: &Array| {
        let m = jnp::greater(x, 0.0f32);
        (jnp::logical_not(&m), m.astype(DType::F32) * x)
    };
    let x = arr(&[2500], 8);
    let exe = jaxide::compiler::compile(&make_jaxpr(f)(&x));
    assert_eq!(exe.describe(), "fused[gt,not,convert_element_type,mul]");
    let (e, j) = (f(&x), jit(f)(&x));
    assert_eq!(j.0.dtype(), DType::Bool);
    assert_eq!(e.0.to_vec::<bool>(), j.0.to_vec::<bool>());
    assert_eq!(e.1.to_vec::<f32>(), j.1.to_vec::<f32>());
    // A bool argument and a bool broadcast feed selects.
    let p = jnp::greater(arr(&[40, 1], 9), 0.0f32);
    let g = move |x: &Array| jnp::where_(&p, x * 2.0f32, x);
    assert_same_bits(&g, &arr(&[40, 30], 10));
}

#[test]
fn partial_reductions_end_the_kernel_and_match_eager_bits() {
    let cases: Vec<(Vec<usize>, Vec<isize>)> = vec![
        (vec![64, 10], vec![1]),
        (vec![64, 10], vec![0]),
        (vec![3, 5000], vec![1]),
        (vec![2, 9000], vec![1]),
        (vec![5, 6, 7], vec![1]),
        (vec![5, 6, 7], vec![1, 2]),
        (vec![5, 6, 7], vec![0, 1]),
        (vec![300, 1100], vec![1]),
        (vec![1100, 300], vec![0]),
        (vec![120_000, 3], vec![1]),
        (vec![3, 120_000], vec![0]),
        (vec![70_001], vec![0]),
    ];
    for (shape, axes) in cases {
        let x = arr(&shape, 11);
        let ax = axes.clone();
        let sum_sq = move |x: &Array| (jnp::exp(x) * x).sum_axis(ax.clone(), false);
        let ax = axes.clone();
        let max_sh = move |x: &Array| (x - 1.0f32).max_axis(ax.clone(), false);
        let text = compiled(&sum_sq, &x);
        assert_eq!(text, "fused[exp,mul,reduce_sum]", "{shape:?} {axes:?}");
        assert_eq!(compiled(&max_sh, &x), "fused[sub,reduce_max]");
        assert_same_bits(&sum_sq, &x);
        assert_same_bits(&max_sh, &x);
    }
}

#[test]
fn non_contiguous_reduction_axes_run_unfused_and_stay_correct() {
    let f = |x: &Array| (x * 3.0f32).sum_axis([0, 2], false);
    let x = arr(&[4, 5, 6], 12);
    let text = compiled(f, &x);
    assert!(
        text.contains("reduce_sum") && !text.contains("fused"),
        "{text}"
    );
    assert_same_bits(f, &x);
}

#[test]
fn softmax_fuses_into_a_few_kernels() {
    let f = |x: &Array| {
        let m = x.max_axis(-1, true);
        let e = jnp::exp(&(x - &m));
        &e / &e.sum_axis(-1, true)
    };
    let x = arr(&[128, 10], 13);
    let text = compiled(f, &x);
    assert!(text.matches("fused[").count() <= 3, "{text}");
    let (e, j) = (f(&x).to_vec::<f32>(), jit(f)(&x).to_vec::<f32>());
    assert_eq!(e, j);
}

#[test]
fn grad_of_an_mlp_layer_under_jit_matches_eager() {
    let w = arr(&[20, 30], 14) * 0.1f32;
    let b = arr(&[30], 15);
    let loss = move |x: &Array| {
        let h = jnp::maximum(jnp::matmul(x, &w) + &b, 0.0f32);
        (&h * &h).mean()
    };
    let x = arr(&[16, 20], 16);
    let (e, j) = (grad(loss.clone())(&x), jit(grad(loss))(&x));
    let (e, j) = (e.to_vec::<f32>(), j.to_vec::<f32>());
    for (a, b) in e.iter().zip(&j) {
        assert!((a - b).abs() <= 1e-6 * a.abs().max(1.0), "{a} vs {b}");
    }
}

#[test]
fn independent_steps_do_not_split_a_chain() {
    // `t[1]` is sliced between the two halves of the chain: it runs first.
    let f = |x: &Array, t: &Array| {
        let p = &t.at(0).get() * x;
        p + &t.at(1).get()
    };
    let (x, t) = (arr(&[3000], 17), jnp::array([2.0f32, -1.0]));
    let exe = jaxide::compiler::compile(&make_jaxpr(f)(&x, &t));
    assert_eq!(
        exe.describe().matches("fused[").count(),
        1,
        "{}",
        exe.describe()
    );
    assert!(
        exe.describe().ends_with("fused[mul,add]"),
        "{}",
        exe.describe()
    );
    assert_eq!(f(&x, &t).to_vec::<f32>(), jit(f)(&x, &t).to_vec::<f32>());
}
