//! The benchmark cases, shared by the compare command and criterion.

use jaxide::lax;
use jaxide::numpy as jnp;
use jaxide::prelude::{grad, jit, value_and_grad, vmap_with};
use jaxide::transforms::vmap::{InAxis, VmapOptions};
use jaxide::{Array, DType};

/// A named case: a closure that runs one iteration (blocking on its result).
pub struct Case {
    /// Stable case name (the same in the Python peer script).
    pub name: &'static str,
    /// Runs one iteration.
    pub run: Box<dyn FnMut()>,
}

/// A case named `name` that runs `run` once per iteration.
pub(crate) fn case(name: &'static str, run: impl FnMut() + 'static) -> Case {
    Case {
        name,
        run: Box::new(run),
    }
}

/// Every case, with its inputs prepared.
pub fn all_cases() -> Vec<Case> {
    let n = 10_000_000;
    let vf = jnp::arange_dtype(n, DType::F32);
    let vi = jnp::arange(n);
    let a1 = jnp::ones(1);
    let a1k = jnp::ones(1000);
    let x = &jnp::arange_dtype(n, DType::F32) / (n as f32);
    let m = matrix(1024);
    let (vf2, vi2, x2, x3) = (vf.clone(), vi.clone(), x.clone(), x.clone());
    vec![
        case("dot_f32_1e7", move || {
            jnp::dot(&vf, &vf2).block_until_ready();
        }),
        case("dot_i32_1e7", move || {
            jnp::dot(&vi, &vi2).block_until_ready();
        }),
        case("add_f32_1", move || {
            (&a1 + &a1).block_until_ready();
        }),
        case("add_f32_1000", move || {
            (&a1k + &a1k).block_until_ready();
        }),
        case("exp_f32_1e7", move || {
            jnp::exp(&x2).block_until_ready();
        }),
        case("chain_eager_f32_1e7", move || {
            jnp::sum(&jnp::tanh(&(&x3 * 2.0 + 1.0)).pow(2)).block_until_ready();
        }),
        case("matmul_f32_1024", move || {
            jnp::matmul(&m, &m).block_until_ready();
        }),
        grad_sumsq_case(),
        mlp_case(),
        jit_overhead_case(),
        jit_chain_case(),
        jit_first_call_case(),
        jit_mlp_step_case(),
        jit_fori_linreg_case(),
        jit_at_set_fori_case("jit_at_set_fori_1e4_n1e6", 1_000_000),
        jit_at_set_fori_case("jit_at_set_fori_1e4_n1e3", 1_000),
        vmap_per_example_grads_case(),
        per_example_grads_loop_case(),
        case("random_normal_1e7", || {
            jaxide::random::normal(&jaxide::random::key(0), &[10_000_000]).block_until_ready();
        }),
        take_case(),
        at_add_repeated_case(),
        bool_mask_case(),
        sort_case(),
        svd_case(),
        cholesky_case(),
        solve_case(),
        einsum_batch_matmul_case(),
        einsum_chain3_case(),
        conv2d_case("conv2d_nhwc_b128_8x8_1to32", 8, 1, 32),
        conv2d_case("conv2d_nhwc_b128_4x4_32to64", 4, 32, 64),
        conv2d_grad_case(),
        pool_case("maxpool2d_nhwc_b128_8x8x32", Pool::Max),
        pool_case("maxpool2d_grad_b128_8x8x32", Pool::MaxGrad),
        pool_case("avgpool2d_nhwc_b128_8x8x32", Pool::Avg),
    ]
    .into_iter()
    .chain(crate::train_cases::train_cases())
    .chain(crate::loop_cases::loop_cases())
    .collect()
}

/// NHWC input `(128, hw, hw, cin)` and HWIO 3×3 kernel `(3, 3, cin, cout)`.
fn conv2d_inputs(hw: usize, cin: usize, cout: usize) -> (Array, Array) {
    let (h, ci, co) = (hw as isize, cin as isize, cout as isize);
    let x = rect(128 * hw * hw, cin).reshape(&[128, h, h, ci]);
    let w = (&rect(9 * cin, cout) * (1.0 / (9.0 * cin as f32).sqrt())).reshape(&[3, 3, ci, co]);
    x.block_until_ready();
    w.block_until_ready();
    (x, w)
}

/// `lax.conv_general_dilated` NHWC/HWIO, 3×3, stride 1, SAME.
fn conv2d_nhwc(x: &Array, w: &Array) -> Array {
    let opts = lax::ConvOptions::default().with_dimension_numbers(("NHWC", "HWIO", "NHWC"));
    lax::conv_general_dilated(x, w, &[1, 1], "SAME", opts)
}

/// A jitted 3×3 SAME convolution of a batch of 128 (the digits CNN's layers).
fn conv2d_case(name: &'static str, hw: usize, cin: usize, cout: usize) -> Case {
    let (x, w) = conv2d_inputs(hw, cin, cout);
    let f = jit(conv2d_nhwc);
    case(name, move || {
        f(&x, &w).block_until_ready();
    })
}

/// Jitted `value_and_grad` of `sum(conv(x, w))` with respect to both
/// operands, `(128, 4, 4, 32)` → 64 features.
fn conv2d_grad_case() -> Case {
    use jaxide::prelude::{value_and_grad_argnums, Arg0, Arg1};
    let (x, w) = conv2d_inputs(4, 32, 64);
    let f = jit(|x: &Array, w: &Array| {
        value_and_grad_argnums(|x: &Array, w: &Array| conv2d_nhwc(x, w).sum(), (Arg0, Arg1))(x, w)
    });
    case("conv2d_grad_b128_4x4_32to64", move || {
        let (v, (dx, dw)) = f(&x, &w);
        v.block_until_ready();
        dx.block_until_ready();
        dw.block_until_ready();
    })
}

/// Which pooling computation a [`pool_case`] times.
enum Pool {
    Max,
    MaxGrad,
    Avg,
}

/// 2×2 stride-2 pooling of f32 NHWC (128, 8, 8, 32), jitted: max, the
/// gradient of `sum(maxpool(x)**2)`, or average.
fn pool_case(name: &'static str, kind: Pool) -> Case {
    let x = rect(128 * 8 * 8, 32).reshape(&[128, 8, 8, 32]);
    x.block_until_ready();
    let (w, s) = ([1, 2, 2, 1], [1, 2, 2, 1]);
    let max = move |x: &Array| lax::reduce_window_max(x, &w, &s, "VALID", Default::default());
    let f: Box<dyn Fn(&Array) -> Array> = match kind {
        Pool::Max => Box::new(jit(max)),
        Pool::MaxGrad => Box::new(jit(grad(move |x: &Array| max(x).pow(2).sum()))),
        Pool::Avg => Box::new(jit(move |x: &Array| {
            lax::reduce_window_sum(x, &w, &s, "VALID", Default::default()) / 4.0f32
        })),
    };
    case(name, move || {
        f(&x).block_until_ready();
    })
}

/// `jnp.einsum("bij,bjk->bik")`: a batch of 32 products of 128×128 f32 matrices.
fn einsum_batch_matmul_case() -> Case {
    let a = rect(32 * 128, 128).reshape(&[32, 128, 128]);
    let b = rect(32 * 128, 129).reshape(&[32, 128, 129]);
    let b = lax::slice(&b, &[0, 0, 0], &[32, 128, 128]);
    a.block_until_ready();
    b.block_until_ready();
    case("einsum_bij_bjk_f32", move || {
        jnp::einsum("bij,bjk->bik", [&a, &b]).block_until_ready();
    })
}

/// `jnp.einsum("ij,jk,kl->il")` of f32 512×64, 64×512, 512×64: the
/// optimized path contracts the last two first (8× fewer flops than left to
/// right).
fn einsum_chain3_case() -> Case {
    let (a, b, c) = (rect(512, 64), rect(64, 512), rect(512, 65));
    let c = lax::slice(&c, &[0, 0], &[512, 64]);
    c.block_until_ready();
    case("einsum_chain3_f32", move || {
        jnp::einsum("ij,jk,kl->il", [&a, &b, &c]).block_until_ready();
    })
}

/// `jnp.take` of 1e6 random positions (threefry, the same as JAX's) from f32[1e7].
fn take_case() -> Case {
    let src = jnp::arange_dtype(10_000_000, DType::F32);
    let idx = jaxide::random::randint(&jaxide::random::key(0), &[1_000_000], 0, 10_000_000);
    idx.block_until_ready();
    case("take_1e6_from_1e7", move || {
        jnp::take(&src, &idx).block_until_ready();
    })
}

/// Jitted `x.at[idx].add(1)` of 1e6 updates at random (repeating) positions of f32[1e6].
fn at_add_repeated_case() -> Case {
    let x = jnp::zeros(1_000_000);
    let idx = jaxide::random::randint(&jaxide::random::key(1), &[1_000_000], 0, 1_000_000);
    let f = jit(|x: &Array, i: &Array| x.at(i).add(1.0f32));
    f(&x, &idx).block_until_ready();
    case("at_add_repeated_1e6", move || {
        f(&x, &idx).block_until_ready();
    })
}

/// Eager `x[x > 0]` on 1e7 normals.
fn bool_mask_case() -> Case {
    let x = jaxide::random::normal(&jaxide::random::key(2), &[10_000_000]);
    x.block_until_ready();
    case("bool_mask_1e7", move || {
        x.idx(x.gt(0.0f32)).block_until_ready();
    })
}

/// `jnp.sort` of 1e7 normals.
fn sort_case() -> Case {
    let x = jaxide::random::normal(&jaxide::random::key(3), &[10_000_000]);
    x.block_until_ready();
    case("sort_f32_1e7", move || {
        jnp::sort(&x).block_until_ready();
    })
}

/// `jnp.linalg.svd` (u, s, vh) of a 512×512 f32 matrix.
fn svd_case() -> Case {
    let m = matrix(512);
    m.block_until_ready();
    case("svd_512", move || {
        let (u, s, vh) = jnp::linalg::svd(&m);
        u.block_until_ready();
        s.block_until_ready();
        vh.block_until_ready();
    })
}

/// `jnp.linalg.cholesky` of a 512×512 SPD matrix `M Mᵀ/512 + I` (f32).
fn cholesky_case() -> Case {
    let m = matrix(512);
    let a = (jnp::matmul(&m, m.transpose()) / 512.0f32 + jnp::eye(512))
        .block_until_ready()
        .clone();
    case("cholesky_512", move || {
        jnp::linalg::cholesky(&a).block_until_ready();
    })
}

/// `jnp.linalg.solve` of a 512×512 system `(M + √512 I) x = b`, `b` a vector (f32).
fn solve_case() -> Case {
    let a = (matrix(512) + jnp::eye(512) * 512f32.sqrt())
        .block_until_ready()
        .clone();
    let b = rect(1, 512).reshape(&[512]);
    case("solve_512", move || {
        jnp::linalg::solve(&a, &b).block_until_ready();
    })
}

/// One example's loss for the per-example gradient cases (64 -> 128 -> 10).
fn example_loss(p: &MlpParams, x: &Array, y: &Array) -> Array {
    let h = jnp::tanh(&(jnp::matmul(x, &p.0) + &p.1));
    (jnp::matmul(&h, &p.2) + &p.3 - y).pow(2).mean()
}

/// Per-example gradients of the MLP loss over a batch of 128: jitted vmap(grad).
fn vmap_per_example_grads_case() -> Case {
    let (params, _, _) = mlp_inputs();
    let (x, y) = (rect(128, 64), rect(128, 10));
    let f = jit(|p: &MlpParams, x: &Array, y: &Array| {
        let opts = VmapOptions {
            in_axes: [InAxis::None, InAxis::Axis(0), InAxis::Axis(0)].into(),
            ..Default::default()
        };
        vmap_with(
            |p: &MlpParams, x: &Array, y: &Array| grad(example_loss)(p, x, y),
            opts,
        )(p, x, y)
    });
    case("vmap_per_example_grads", move || {
        let g = f(&params, &x, &y);
        g.0.block_until_ready();
    })
}

/// The same per-example gradients as a loop of 128 eager grad calls (the baseline vmap must beat by 10x).
fn per_example_grads_loop_case() -> Case {
    let (params, _, _) = mlp_inputs();
    let (x, y) = (rect(128, 64), rect(128, 10));
    let rows: Vec<(Array, Array)> = (0..128).map(|i| (x.at(i).get(), y.at(i).get())).collect();
    case("per_example_grads_loop", move || {
        for (xi, yi) in &rows {
            let g = grad(example_loss)(&params, xi, yi);
            g.0.block_until_ready();
        }
    })
}

/// 100 SGD steps of the linear regression inside one jitted `fori_loop`.
fn jit_fori_linreg_case() -> Case {
    let x = &jnp::arange_dtype(1000, DType::F32) / 1000.0f32;
    let y = &x * 3.0f32 - 1.0f32;
    let theta = jnp::array([1.0f32, 1.0]);
    let train = jit(|theta: &Array, x: &Array, y: &Array| {
        lax::fori_loop(0, 100, |_: &Array, t: &Array| linreg_step(t, x, y), theta)
    });
    case("jit_fori_linreg_100", move || {
        train(&theta, &x, &y).block_until_ready();
    })
}

/// 1e4 single-element functional updates of an f32[n] inside a jitted
/// `fori_loop`: in place, so the cost does not grow with `n` (beyond one copy
/// of the non-donated input).
fn jit_at_set_fori_case(name: &'static str, n: usize) -> Case {
    let x = jnp::zeros(n);
    let fill = jit(move |x: &Array| {
        lax::fori_loop(
            0,
            10_000,
            |i: &Array, x: &Array| x.at(&(i % n as i32)).set(i.astype(DType::F32)),
            x,
        )
    });
    case(name, move || {
        fill(&x).block_until_ready();
    })
}

/// A warm jitted call on f32[4]: the per-call overhead of the executable.
fn jit_overhead_case() -> Case {
    let f = jit(|x: &Array| x * 2.0f32 + 1.0f32);
    let x = jnp::array([1.0f32, 2., 3., 4.]);
    case("jit_call_overhead_small", move || {
        f(&x).block_until_ready();
    })
}

/// `sum(tanh(2x+1)**2)` on 1e7 f32, jitted.
fn jit_chain_case() -> Case {
    let n = 10_000_000;
    let x = &jnp::arange_dtype(n, DType::F32) / (n as f32);
    let f = jit(|x: &Array| jnp::sum(&jnp::tanh(&(x * 2.0f32 + 1.0f32)).pow(2)));
    case("jit_chain_f32_1e7", move || {
        f(&x).block_until_ready();
    })
}

/// Linear-regression SGD step: `theta - 0.1 * grad(mse)(theta, x, y)`.
fn linreg_step(theta: &Array, x: &Array, y: &Array) -> Array {
    let loss = |t: &Array, x: &Array, y: &Array| {
        let pred = &t.at(0).get() * x + &t.at(1).get();
        (pred - y).pow(2).mean()
    };
    theta - 0.1f32 * grad(loss)(theta, x, y)
}

/// Trace + compile + first run of a fresh jitted SGD step on 1000 points.
fn jit_first_call_case() -> Case {
    let x = &jnp::arange_dtype(1000, DType::F32) / 1000.0f32;
    let y = &x * 3.0f32 - 1.0f32;
    let theta = jnp::array([1.0f32, 1.0]);
    case("jit_first_call_linreg", move || {
        jaxide::prelude::clear_caches();
        let step = jit(linreg_step);
        step(&theta, &x, &y).block_until_ready();
    })
}

/// One MLP training step (784-512-10, batch 128): value_and_grad + SGD, jitted.
fn jit_mlp_step_case() -> Case {
    type P = (Array, Array, Array, Array);
    let params: P = (
        &rect(784, 512) * 0.036f32,
        jnp::zeros(512),
        &rect(512, 10) * 0.044f32,
        jnp::zeros(10),
    );
    let (x, y) = (rect(128, 784), rect(128, 10));
    let step = jit(|p: &P, x: &Array, y: &Array| {
        let loss = |p: &P| {
            let h = jnp::tanh(&(jnp::matmul(x, &p.0) + &p.1));
            (jnp::matmul(&h, &p.2) + &p.3 - y).pow(2).mean()
        };
        let (l, g) = value_and_grad(loss)(p);
        let p2 = jaxide::tree::tree_map2(|a, b| a - 0.01f32 * b, p, &g);
        (l, p2)
    });
    case("jit_mlp_step", move || {
        let (l, p) = step(&params, &x, &y);
        l.block_until_ready();
        p.0.block_until_ready();
    })
}

/// `grad(sum_of_squares)` on f32[4], eagerly: the per-op cost of tracing.
fn grad_sumsq_case() -> Case {
    let x = jnp::array([1.0f32, 2., 3., 4.]);
    case("grad_sumsq_eager_f32_4", move || {
        grad(|x: &Array| x.pow(2).sum())(&x).block_until_ready();
    })
}

/// MLP parameters `(w1, b1, w2, b2)` for 64 -> 128 -> 10.
pub type MlpParams = (Array, Array, Array, Array);

/// A 2-layer MLP's mean squared error: `tanh(x w1 + b1) w2 + b2` against `y`.
pub fn mlp_loss(p: &MlpParams, x: &Array, y: &Array) -> Array {
    let h = jnp::tanh(&(jnp::matmul(x, &p.0) + &p.1));
    let out = jnp::matmul(&h, &p.2) + &p.3;
    (out - y).pow(2).mean()
}

/// Deterministic MLP inputs: params, a batch of 32 inputs and targets.
pub fn mlp_inputs() -> (MlpParams, Array, Array) {
    let scaled = |r: usize, c: usize, s: f32| &rect(r, c) * s;
    let params = (
        scaled(64, 128, 0.125),
        jnp::zeros(128),
        scaled(128, 10, 0.09),
        jnp::zeros(10),
    );
    (params, rect(32, 64), rect(32, 10))
}

/// `value_and_grad` of the MLP loss, eagerly, batch 32, 64 -> 128 -> 10.
fn mlp_case() -> Case {
    let (params, x, y) = mlp_inputs();
    case("value_and_grad_mlp_eager", move || {
        let (v, g) = value_and_grad(|p: &MlpParams| mlp_loss(p, &x, &y))(&params);
        v.block_until_ready();
        g.0.block_until_ready();
    })
}

/// A deterministic `r`×`c` matrix with values in [-1, 1).
pub fn rect(r: usize, c: usize) -> Array {
    Array::from_vec(rect_data(r, c), [r, c])
}

/// A deterministic 1024×1024-style matrix with values in [-1, 1).
pub fn matrix(n: usize) -> Array {
    Array::from_vec(matrix_data(n), [n, n])
}

/// `r`×`c` values in [-1, 1) from an xorshift generator seeded with `seed`.
pub(crate) fn uniform_matrix(r: usize, c: usize, seed: u64) -> Array {
    Array::from_vec(uniform_data(r * c, seed), [r, c])
}

/// The values of [`rect`]`(r, c)`, row-major (for peers built in Rust).
pub fn rect_data(r: usize, c: usize) -> Vec<f32> {
    uniform_data(r * c, 0x2545_F491_4F6C_DD1D ^ ((r * 1000 + c) as u64))
}

/// The values of [`matrix`]`(n)`, row-major.
pub fn matrix_data(n: usize) -> Vec<f32> {
    uniform_data(n * n, 0x9E37_79B9_7F4A_7C15)
}

/// `n` values in [-1, 1) from an xorshift generator seeded with `seed`.
fn uniform_data(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}
