#!/usr/bin/env python3
"""NumPy and JAX side of `jaxide-bench compare`.

Prints one JSON object per line: {"case": ..., "peer": "numpy"|"jax", "median_s": ...}.
Timing method (same as the Rust side): one warm-up call, then `number` calls per
repeat (chosen so a repeat lasts >= MIN_TOTAL seconds), 7 repeats, median of the
per-call times. JAX results are block_until_ready()'d inside the timed call.
Usage: compare.py [case ...]   (default: all cases)
"""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_train import train_cases  # noqa: E402
from compare_loops import loop_cases  # noqa: E402

MIN_TOTAL = 0.05
REPEATS = 7


def autorange(fn):
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        dt = time.perf_counter() - t0
        if dt >= MIN_TOTAL or number >= 1_000_000:
            return number
        number = max(number * 2, int(number * MIN_TOTAL / max(dt, 1e-9) * 1.2))


def measure(fn):
    fn()
    number = autorange(fn)
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def numpy_cases(np):
    n = 10_000_000
    vf = np.arange(n, dtype=np.float32)
    vi = np.arange(n, dtype=np.int32)
    a1 = np.ones((1,), np.float32)
    a1k = np.ones((1000,), np.float32)
    x = (np.arange(n, dtype=np.float32) / n).astype(np.float32)
    m = np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32)
    m512 = np.ascontiguousarray(m[:512, :512])
    return {
        "dot_f32_1e7": lambda: np.dot(vf, vf),
        "dot_i32_1e7": lambda: np.dot(vi, vi),
        "add_f32_1": lambda: np.add(a1, a1),
        "add_f32_1000": lambda: np.add(a1k, a1k),
        "exp_f32_1e7": lambda: np.exp(x),
        "chain_eager_f32_1e7": lambda: np.sum(np.tanh(2 * x + 1) ** 2),
        "matmul_f32_1024": lambda: m @ m,
        "svd_512": lambda: np.linalg.svd(m512),
        **numpy_indexing_cases(np),
        **linalg_cases(np, np.linalg, lambda r: r),
        # NumPy's einsum only uses BLAS (and a contraction order) with optimize=True.
        **einsum_cases(np, lambda *a: np.einsum(*a, optimize=True), lambda r: r),
    }


def einsum_cases(xp, einsum, ready):
    """einsum_bij_bjk_f32 (32 products of 128x128 f32 matrices) and
    einsum_chain3_f32 (ij,jk,kl->il of 512x64, 64x512, 512x64), f32."""
    import numpy as np
    rng = np.random.default_rng(0)
    a = xp.asarray(rng.uniform(-1, 1, (32, 128, 128)).astype(np.float32))
    b = xp.asarray(rng.uniform(-1, 1, (32, 128, 128)).astype(np.float32))
    x = xp.asarray(rng.uniform(-1, 1, (512, 64)).astype(np.float32))
    y = xp.asarray(rng.uniform(-1, 1, (64, 512)).astype(np.float32))
    z = xp.asarray(rng.uniform(-1, 1, (512, 64)).astype(np.float32))
    return {
        "einsum_bij_bjk_f32": lambda: ready(einsum("bij,bjk->bik", a, b)),
        "einsum_chain3_f32": lambda: ready(einsum("ij,jk,kl->il", x, y, z)),
    }


def linalg_cases(xp, linalg, ready):
    """cholesky_512 (SPD M Mᵀ/512 + I) and solve_512 ((M + √512 I) x = b), f32."""
    import numpy as np
    rng = np.random.default_rng(0)
    m = rng.uniform(-1, 1, (512, 512)).astype(np.float32)
    spd = xp.asarray((m @ m.T / 512 + np.eye(512)).astype(np.float32))
    a = xp.asarray((m + np.sqrt(512) * np.eye(512)).astype(np.float32))
    b = xp.asarray(rng.uniform(-1, 1, 512).astype(np.float32))
    return {
        "cholesky_512": lambda: ready(linalg.cholesky(spd)),
        "solve_512": lambda: ready(linalg.solve(a, b)),
    }


def jax_inputs():
    """The indexing cases' inputs, from JAX's threefry (as the Rust side)."""
    import jax
    n = 10_000_000
    take_idx = jax.random.randint(jax.random.key(0), (1_000_000,), 0, n)
    add_idx = jax.random.randint(jax.random.key(1), (1_000_000,), 0, 1_000_000)
    normals = jax.random.normal(jax.random.key(2), (n,))
    to_sort = jax.random.normal(jax.random.key(3), (n,))
    return take_idx, add_idx, normals, to_sort


def numpy_indexing_cases(np):
    try:
        take_idx, add_idx, normals, to_sort = (np.asarray(a) for a in jax_inputs())
    except ImportError:
        rng = np.random.default_rng(0)
        take_idx = rng.integers(0, 10_000_000, 1_000_000)
        add_idx = rng.integers(0, 1_000_000, 1_000_000)
        normals = rng.standard_normal(10_000_000).astype(np.float32)
        to_sort = rng.standard_normal(10_000_000).astype(np.float32)
    src = np.arange(10_000_000, dtype=np.float32)
    x = np.zeros(1_000_000, np.float32)

    def at_add():
        y = x.copy()
        np.add.at(y, add_idx, 1.0)
        return y

    return {
        "take_1e6_from_1e7": lambda: np.take(src, take_idx),
        "at_add_repeated_1e6": at_add,
        "bool_mask_1e7": lambda: normals[normals > 0],
        "sort_f32_1e7": lambda: np.sort(to_sort),
    }


def jax_indexing_cases(jax, jnp):
    take_idx, add_idx, normals, to_sort = jax_inputs()
    src = jnp.arange(10_000_000, dtype=jnp.float32)
    x = jnp.zeros(1_000_000, jnp.float32)
    at_add = jax.jit(lambda x, i: x.at[i].add(1.0))
    return {
        "take_1e6_from_1e7": lambda: jnp.take(src, take_idx).block_until_ready(),
        "at_add_repeated_1e6": lambda: at_add(x, add_idx).block_until_ready(),
        "bool_mask_1e7": lambda: normals[normals > 0].block_until_ready(),
        "sort_f32_1e7": lambda: jnp.sort(to_sort).block_until_ready(),
    }


def jax_cases(jax, jnp):
    n = 10_000_000
    vf = jnp.arange(n, dtype=jnp.float32)
    vi = jnp.arange(n, dtype=jnp.int32)
    a1 = jnp.ones((1,), jnp.float32)
    a1k = jnp.ones((1000,), jnp.float32)
    x = jnp.arange(n, dtype=jnp.float32) / n
    m = jnp.asarray(__import__("numpy").random.default_rng(0).standard_normal((1024, 1024)).astype("float32"))
    return {
        "dot_f32_1e7": lambda: jnp.dot(vf, vf).block_until_ready(),
        "dot_i32_1e7": lambda: jnp.dot(vi, vi).block_until_ready(),
        "add_f32_1": lambda: jnp.add(a1, a1).block_until_ready(),
        "add_f32_1000": lambda: jnp.add(a1k, a1k).block_until_ready(),
        "exp_f32_1e7": lambda: jnp.exp(x).block_until_ready(),
        "chain_eager_f32_1e7": lambda: jnp.sum(jnp.tanh(2 * x + 1) ** 2).block_until_ready(),
        "matmul_f32_1024": lambda: (m @ m).block_until_ready(),
        "svd_512": svd_512(jax, jnp, m[:512, :512]),
        "grad_sumsq_eager_f32_4": grad_sumsq(jax, jnp),
        "value_and_grad_mlp_eager": mlp(jax, jnp),
        "vmap_per_example_grads": vmap_per_example_grads(jax, jnp),
        "jit_call_overhead_small": jit_overhead(jax, jnp),
        "jit_chain_f32_1e7": jit_chain(jax, jnp, x),
        "jit_first_call_linreg": jit_first_call(jax, jnp),
        "jit_mlp_step": jit_mlp_step(jax, jnp),
        "jit_fori_linreg_100": jit_fori_linreg(jax, jnp),
        "jit_at_set_fori_1e4_n1e6": jit_at_set_fori(jax, jnp, 1_000_000),
        "jit_at_set_fori_1e4_n1e3": jit_at_set_fori(jax, jnp, 1_000),
        "random_normal_1e7": random_normal(jax),
        **jax_indexing_cases(jax, jnp),
        **linalg_cases(jnp, jnp.linalg, lambda r: r.block_until_ready()),
        **einsum_cases(jnp, jnp.einsum, lambda r: r.block_until_ready()),
        "conv2d_nhwc_b128_8x8_1to32": conv2d(jax, jnp, 8, 1, 32),
        "conv2d_nhwc_b128_4x4_32to64": conv2d(jax, jnp, 4, 32, 64),
        "conv2d_grad_b128_4x4_32to64": conv2d_grad(jax, jnp),
        **pool_cases(jax, jnp),
        **train_cases(jax, jnp),
        **loop_cases(jax, jnp),
    }


def pool_cases(jax, jnp):
    """2x2 stride-2 pooling of f32 NHWC (128, 8, 8, 32), jitted: max, the
    gradient of sum(maxpool(x)**2), and average."""
    import numpy as np
    from jax import lax
    x = jnp.asarray(np.random.default_rng(0).uniform(-1, 1, (128, 8, 8, 32)).astype(np.float32))
    w = (1, 2, 2, 1)
    maxpool = lambda x: lax.reduce_window(x, -jnp.inf, lax.max, w, w, "VALID")
    avgpool = jax.jit(lambda x: lax.reduce_window(x, 0.0, lax.add, w, w, "VALID") / 4)
    mp = jax.jit(maxpool)
    mg = jax.jit(jax.grad(lambda x: jnp.sum(maxpool(x) ** 2)))
    return {
        "maxpool2d_nhwc_b128_8x8x32": lambda: mp(x).block_until_ready(),
        "maxpool2d_grad_b128_8x8x32": lambda: mg(x).block_until_ready(),
        "avgpool2d_nhwc_b128_8x8x32": lambda: avgpool(x).block_until_ready(),
    }


def conv2d_inputs(jnp, hw, cin, cout):
    import numpy as onp
    rng = onp.random.default_rng(3)
    x = jnp.asarray(rng.uniform(-1, 1, (128, hw, hw, cin)).astype("float32"))
    w = jnp.asarray((rng.uniform(-1, 1, (3, 3, cin, cout)) / (9 * cin) ** 0.5).astype("float32"))
    return x, w


def conv2d_nhwc(jax, x, w):
    return jax.lax.conv_general_dilated(x, w, (1, 1), "SAME",
                                        dimension_numbers=("NHWC", "HWIO", "NHWC"))


def conv2d(jax, jnp, hw, cin, cout):
    # A jitted 3x3 SAME convolution of a batch of 128 (the digits CNN's layers).
    x, w = conv2d_inputs(jnp, hw, cin, cout)
    f = jax.jit(lambda x, w: conv2d_nhwc(jax, x, w))
    return lambda: f(x, w).block_until_ready()


def conv2d_grad(jax, jnp):
    # Jitted value_and_grad of sum(conv(x, w)) wrt both operands.
    x, w = conv2d_inputs(jnp, 4, 32, 64)
    f = jax.jit(jax.value_and_grad(lambda x, w: conv2d_nhwc(jax, x, w).sum(), argnums=(0, 1)))

    def run():
        v, (dx, dw) = f(x, w)
        v.block_until_ready()
        dx.block_until_ready()
        dw.block_until_ready()

    return run


def svd_512(jax, jnp, m):
    # jnp.linalg.svd (u, s, vh; full_matrices=True) of a 512x512 float32 matrix.
    m = m + 0  # a contiguous copy of the slice
    jax.block_until_ready(jnp.linalg.svd(m))
    return lambda: jax.block_until_ready(jnp.linalg.svd(m))


def random_normal(jax):
    # 1e7 standard normals from one key (eager call; JAX jits the sampler).
    key = jax.random.key(0)
    jax.random.normal(key, (10_000_000,)).block_until_ready()
    return lambda: jax.random.normal(key, (10_000_000,)).block_until_ready()


def jit_fori_linreg(jax, jnp):
    # 100 SGD steps of the linear regression inside one jitted fori_loop.
    x = jnp.arange(1000, dtype=jnp.float32) / 1000.0
    y = x * 3.0 - 1.0
    theta = jnp.asarray([1.0, 1.0], jnp.float32)

    def loss(t, x, y):
        return jnp.mean((t[0] * x + t[1] - y) ** 2)

    @jax.jit
    def train(theta, x, y):
        return jax.lax.fori_loop(0, 100, lambda i, t: t - 0.1 * jax.grad(loss)(t, x, y), theta)

    train(theta, x, y).block_until_ready()
    return lambda: train(theta, x, y).block_until_ready()


def jit_at_set_fori(jax, jnp, n):
    # 1e4 single-element functional updates inside a jitted fori_loop.
    x = jnp.zeros((n,), jnp.float32)

    @jax.jit
    def fill(x):
        return jax.lax.fori_loop(0, 10_000, lambda i, x: x.at[i % n].set(i.astype(jnp.float32)), x)

    fill(x).block_until_ready()
    return lambda: fill(x).block_until_ready()


def jit_overhead(jax, jnp):
    f = jax.jit(lambda x: x * 2.0 + 1.0)
    x = jnp.asarray([1.0, 2.0, 3.0, 4.0], jnp.float32)
    return lambda: f(x).block_until_ready()


def jit_chain(jax, jnp, x):
    f = jax.jit(lambda x: jnp.sum(jnp.tanh(2 * x + 1) ** 2))
    return lambda: f(x).block_until_ready()


def jit_first_call(jax, jnp):
    x = jnp.arange(1000, dtype=jnp.float32) / 1000.0
    y = x * 3.0 - 1.0
    theta = jnp.asarray([1.0, 1.0], jnp.float32)

    def run():
        # A fresh function object each time, so jit traces and compiles anew.
        def loss(t, x, y):
            return jnp.mean((t[0] * x + t[1] - y) ** 2)

        def step(theta, x, y):
            return theta - 0.1 * jax.grad(loss)(theta, x, y)

        jax.jit(step)(theta, x, y).block_until_ready()

    return run


def jit_mlp_step(jax, jnp):
    import numpy as onp
    rng = onp.random.default_rng(1)

    def rect(r, c):
        return jnp.asarray(rng.uniform(-1, 1, (r, c)).astype("float32"))

    params = (rect(784, 512) * 0.036, jnp.zeros(512), rect(512, 10) * 0.044, jnp.zeros(10))
    x, y = rect(128, 784), rect(128, 10)

    @jax.jit
    def step(p, x, y):
        def loss(p):
            h = jnp.tanh(x @ p[0] + p[1])
            return jnp.mean((h @ p[2] + p[3] - y) ** 2)
        l, g = jax.value_and_grad(loss)(p)
        return l, jax.tree_util.tree_map(lambda a, b: a - 0.01 * b, p, g)

    def run():
        l, p = step(params, x, y)
        l.block_until_ready()
        p[0].block_until_ready()

    return run


def grad_sumsq(jax, jnp):
    x = jnp.asarray([1.0, 2.0, 3.0, 4.0], jnp.float32)

    def sum_of_squares(x):
        return jnp.sum(x ** 2)

    # jax.grad(f) is rebuilt each call, as the Rust case does: eager, no jit.
    return lambda: jax.grad(sum_of_squares)(x).block_until_ready()


def mlp(jax, jnp):
    import numpy as onp
    rng = onp.random.default_rng(0)

    def rect(r, c):
        return jnp.asarray(rng.uniform(-1, 1, (r, c)).astype("float32"))

    params = (rect(64, 128) * 0.125, jnp.zeros(128), rect(128, 10) * 0.09, jnp.zeros(10))
    x, y = rect(32, 64), rect(32, 10)

    def loss(p):
        h = jnp.tanh(x @ p[0] + p[1])
        return jnp.mean((h @ p[2] + p[3] - y) ** 2)

    def run():
        v, g = jax.value_and_grad(loss)(params)
        v.block_until_ready()
        g[0].block_until_ready()

    return run


def vmap_per_example_grads(jax, jnp):
    import numpy as onp
    rng = onp.random.default_rng(0)

    def rect(r, c):
        return jnp.asarray(rng.uniform(-1, 1, (r, c)).astype("float32"))

    params = (rect(64, 128) * 0.125, jnp.zeros(128), rect(128, 10) * 0.09, jnp.zeros(10))
    x, y = rect(128, 64), rect(128, 10)

    def loss(p, x, y):
        h = jnp.tanh(x @ p[0] + p[1])
        return jnp.mean((h @ p[2] + p[3] - y) ** 2)

    f = jax.jit(jax.vmap(jax.grad(loss), in_axes=(None, 0, 0)))

    def run():
        f(params, x, y)[0].block_until_ready()

    return run


def emit(case, peer, t):
    print(json.dumps({"case": case, "peer": peer, "median_s": t}), flush=True)


def main():
    wanted = set(sys.argv[1:])
    try:
        import numpy as np
    except ImportError:
        np = None
    if np is not None:
        for case, fn in numpy_cases(np).items():
            if not wanted or case in wanted:
                emit(case, "numpy", measure(fn))
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        jax = None
    if jax is not None:
        for case, fn in jax_cases(jax, jnp).items():
            if not wanted or case in wanted:
                emit(case, "jax", measure(fn))


if __name__ == "__main__":
    main()
