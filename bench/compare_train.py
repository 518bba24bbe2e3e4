"""JAX + optax side of the training-stack cases (bench/src/train_cases.rs):
the same models, batch sizes, optimizers and data as the Rust cases, written
as a JAX user would (batched matmuls and NCHW convolutions, optax.adam)."""
import os

DIGITS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "digits", "digits.npz")


def train_cases(jax, jnp):
    try:
        import optax
    except ImportError:
        return {}
    return {
        "train_step_mlp_784_512_10_b128": train_step_mlp(jax, jnp, optax),
        "train_step_cnn_digits_b128": train_step_cnn(jax, jnp, optax),
        "digits_epoch": digits_epoch(jax, jnp, optax),
    }


def linear_init(jax, key, fan_in, shape):
    # equinox's default: uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    lim = 1.0 / fan_in ** 0.5
    return jax.random.uniform(key, shape, minval=-lim, maxval=lim)


def mlp_init(jax, key, sizes):
    keys = jax.random.split(key, 2 * (len(sizes) - 1))
    return [
        (linear_init(jax, keys[2 * i], i_, (o, i_)), linear_init(jax, keys[2 * i + 1], i_, (o,)))
        for i, (i_, o) in enumerate(zip(sizes[:-1], sizes[1:]))
    ]


def mlp_forward(jax, params, x):
    for w, b in params[:-1]:
        x = jax.nn.relu(x @ w.T + b)
    w, b = params[-1]
    return x @ w.T + b


def make_step(jax, optax, forward, tx):
    def loss(p, x, y):
        return optax.softmax_cross_entropy_with_integer_labels(forward(p, x), y).mean()

    @jax.jit
    def step(p, s, x, y):
        l, g = jax.value_and_grad(loss)(p, x, y)
        u, s = tx.update(g, s, p)
        return optax.apply_updates(p, u), s, l

    return step


def repeated_step(jax, params, step, tx, x, y):
    # Carries params and optimizer state from call to call, as training does.
    state = [params, tx.init(params)]

    def run():
        p, s, l = step(state[0], state[1], x, y)
        jax.block_until_ready((p, s, l))
        state[0], state[1] = p, s

    return run


def train_step_mlp(jax, jnp, optax):
    # 784 -> 512 (ReLU) -> 10 on a batch of 128, value_and_grad + Adam(1e-3), jitted.
    k = jax.random.split(jax.random.key(0), 3)
    params = mlp_init(jax, k[0], [784, 512, 10])
    x = jax.random.uniform(k[1], (128, 784))
    y = jax.random.randint(k[2], (128,), 0, 10)
    tx = optax.adam(1e-3)
    step = make_step(jax, optax, lambda p, x: mlp_forward(jax, p, x), tx)
    return repeated_step(jax, params, step, tx, x, y)


def cnn_init(jax, key):
    k = jax.random.split(key, 6)
    return {
        "w1": linear_init(jax, k[0], 9, (32, 1, 3, 3)),
        "b1": linear_init(jax, k[1], 9, (32, 1, 1)),
        "w2": linear_init(jax, k[2], 288, (64, 32, 3, 3)),
        "b2": linear_init(jax, k[3], 288, (64, 1, 1)),
        "wh": linear_init(jax, k[4], 256, (10, 256)),
        "bh": linear_init(jax, k[5], 256, (10,)),
    }


def cnn_forward(jax, p, x):
    # examples/cnn_digits.rs: conv 3x3 (1->32), ReLU, max-pool 2, conv 3x3
    # (32->64), ReLU, max-pool 2, linear 256 -> 10; x is NCHW (B, 1, 8, 8).
    lax = jax.lax
    dn = ("NCHW", "OIHW", "NCHW")

    def block(x, w, b):
        x = lax.conv_general_dilated(x, w, (1, 1), ((1, 1), (1, 1)), dimension_numbers=dn) + b
        x = jax.nn.relu(x)
        return lax.reduce_window(x, -jax.numpy.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")

    x = block(x, p["w1"], p["b1"])
    x = block(x, p["w2"], p["b2"])
    x = x.reshape(x.shape[0], -1)
    return x @ p["wh"].T + p["bh"]


def train_step_cnn(jax, jnp, optax):
    # The digits CNN on a batch of 128 images (128, 1, 8, 8), Adam(1e-3), jitted.
    k = jax.random.split(jax.random.key(1), 3)
    params = cnn_init(jax, k[0])
    x = jax.random.uniform(k[1], (128, 1, 8, 8))
    y = jax.random.randint(k[2], (128,), 0, 10)
    tx = optax.adam(1e-3)
    step = make_step(jax, optax, lambda p, x: cnn_forward(jax, p, x), tx)
    return repeated_step(jax, params, step, tx, x, y)


def digits_epoch(jax, jnp, optax):
    # One epoch of examples/mlp_digits.rs: 1,500 training digits shuffled with
    # permutation(fold_in(key, epoch)) in batches of 64 (the last one short),
    # a 64 -> 128 -> 128 -> 10 ReLU MLP with Adam(3e-3), each loss read back.
    import numpy as np
    d = np.load(DIGITS)
    idx = d["train_idx"]
    x = jnp.asarray(d["images"][idx] / 16.0, jnp.float32).reshape(-1, 64)
    y = jnp.asarray(d["target"][idx])
    n, batch = x.shape[0], 64
    k = jax.random.split(jax.random.key(0), 2)
    params = mlp_init(jax, k[0], [64, 128, 128, 10])
    tx = optax.adam(3e-3)
    step = make_step(jax, optax, lambda p, x: mlp_forward(jax, p, x), tx)
    state = {"p": params, "s": tx.init(params), "epoch": 0}

    def run():
        perm = jax.random.permutation(jax.random.fold_in(k[1], state["epoch"]), n)
        total = 0.0
        for i in range(0, n, batch):
            b = perm[i:i + batch]
            state["p"], state["s"], l = step(state["p"], state["s"], x[b], y[b])
            total += float(l)
        state["epoch"] += 1
        assert np.isfinite(total)

    return run
