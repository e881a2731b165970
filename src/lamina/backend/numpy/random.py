"""NumPy random draws, and lamina's reference generator for every engine.

Each (seed, counter) pair seeds its own NumPy Generator (``default_rng([seed,
counter])``), so a draw is a function of the pair alone. The jax and torch engines
draw outside compiled steps with these same functions and convert the result: the
same seed gives the same initial weights on every engine.
"""

import numpy as np


def _generator(seed_pair):
    seed, counter = (int(v) for v in np.asarray(seed_pair))
    return np.random.default_rng([seed, counter])


def seed_engine(seed):
    np.random.seed(seed % 2**32)


def random_draw(kind, shape, dtype, seed_pair, **p):
    rng = _generator(seed_pair)
    if kind == "normal":
        out = rng.normal(p["mean"], p["stddev"], shape)
    elif kind == "uniform":
        out = rng.uniform(p["minval"], p["maxval"], shape)
    elif kind == "truncated_normal":
        out = np.empty(int(np.prod(shape)))
        filled = 0
        while filled < out.size:
            draw = rng.normal(size=2 * (out.size - filled) + 8)
            draw = draw[np.abs(draw) <= 2.0][:out.size - filled]
            out[filled:filled + draw.size] = draw
            filled += draw.size
        out = out.reshape(shape) * p["stddev"] + p["mean"]
    elif kind == "bernoulli":
        out = rng.random(shape) < np.asarray(p["p"])
    elif kind == "binomial":
        out = rng.binomial(np.asarray(p["counts"]).astype(np.int64), np.asarray(p["probabilities"]), shape)
    elif kind == "randint":
        out = rng.integers(p["minval"], p["maxval"], shape)
    elif kind == "gamma":
        out = rng.standard_gamma(np.asarray(p["alpha"], dtype=np.float64), shape)
    elif kind == "beta":
        out = rng.beta(np.asarray(p["alpha"], dtype=np.float64),
                       np.asarray(p["beta"], dtype=np.float64), shape)
    else:
        raise ValueError(f"random: unknown distribution {kind!r}")
    return np.asarray(out).astype(dtype)


def random_categorical(logits, num_samples, dtype, seed_pair):
    rng = _generator(seed_pair)
    logits = np.asarray(logits, dtype=np.float64)
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    cumulative = np.cumsum(probs, -1)
    u = rng.random((logits.shape[0], num_samples, 1))
    return (u > cumulative[:, None, :]).sum(-1).clip(0, logits.shape[-1] - 1).astype(dtype)


def random_shuffle(x, axis, seed_pair):
    rng = _generator(seed_pair)
    return np.take(x, rng.permutation(x.shape[axis]), axis=axis)


def value_and_grad(fn, argnums=0, has_aux=False):
    raise NotImplementedError(
        "value_and_grad: the numpy engine has no automatic differentiation. Gradients and "
        "training need the jax or torch engine: set LAMINA_BACKEND=jax or LAMINA_BACKEND=torch.")


def grad(fn, argnums=0, has_aux=False):
    raise NotImplementedError(
        "grad: the numpy engine has no automatic differentiation. Gradients and "
        "training need the jax or torch engine: set LAMINA_BACKEND=jax or LAMINA_BACKEND=torch.")
