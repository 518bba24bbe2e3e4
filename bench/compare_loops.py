"""JAX peers of bench/src/loop_cases.rs (same names, same inputs)."""


def uniform_matrix(jnp, r, c, seed):
    # The xorshift generator of bench/src/cases.rs::uniform_matrix.
    import numpy as np

    s = seed
    out = np.empty(r * c, np.float32)
    mask = (1 << 64) - 1
    for i in range(r * c):
        s ^= (s << 13) & mask
        s ^= s >> 7
        s ^= (s << 17) & mask
        out[i] = np.float32((s >> 40) / float(1 << 24)) * np.float32(2.0) - np.float32(1.0)
    return jnp.asarray(out.reshape(r, c))


def scan_rnn(jax, jnp):
    w = uniform_matrix(jnp, 128, 128, 11) * 0.08
    u = uniform_matrix(jnp, 64, 128, 12) * 0.1
    xs = uniform_matrix(jnp, 100 * 32, 64, 13).reshape(100, 32, 64)
    h0 = jnp.zeros((32, 128), jnp.float32)

    @jax.jit
    def rnn(w, u, h0, xs):
        h, _ = jax.lax.scan(lambda h, x: (jnp.tanh(h @ w + x @ u), None), h0, xs)
        return h

    rnn(w, u, h0, xs).block_until_ready()
    return lambda: rnn(w, u, h0, xs).block_until_ready()


def while_newton(jax, jnp):
    with jax.enable_x64(True):

        @jax.jit
        def newton(a):
            def body(c):
                k, x = c
                t = a + k.astype(jnp.float64) * 1e-6
                x2 = x * x
                return k + 1, x - (x2 * x - t) / (x2 * 3.0)

            return jax.lax.while_loop(lambda c: c[0] < 10_000, body, (jnp.int32(0), jnp.float64(1.0)))[1]

        a = jnp.float64(2.0)
        newton(a).block_until_ready()

    def run():
        with jax.enable_x64(True):
            newton(a).block_until_ready()

    return run


def int_index_math(jax, jnp):
    x = jnp.arange(10_000_000, dtype=jnp.int32)

    @jax.jit
    def f(x):
        y = ((x * 7 + 3) % 1009) // 3 - 50
        return jnp.sum(jnp.clip(y, 0, 255))

    f(x).block_until_ready()
    return lambda: f(x).block_until_ready()


def loop_cases(jax, jnp):
    return {
        "jit_scan_rnn": scan_rnn(jax, jnp),
        "jit_while_newton": while_newton(jax, jnp),
        "jit_int_index_math": int_index_math(jax, jnp),
    }
