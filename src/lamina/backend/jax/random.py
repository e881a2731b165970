"""JAX random draws.

Inside a traced computation (a jit-compiled train step) the (seed, counter) pair is
folded into a PRNG key, so the draws run on traced seed state. Outside tracing
(weight initializers, eager calls) the numbers come from lamina's reference
generator, :mod:`lamina.backend.numpy.random`, seeded by the same pair, and are
converted: compiling a ``jax.random`` function for each new shape costs 1-3 s on a
CPU, which would make building a model slow. Eager draws are then the very numbers
the numpy and torch engines draw for the same seed.
"""

import jax
import jax.numpy as jnp
import numpy as np

from lamina.backend.numpy import random as _numpy_random


def _traced(*values):
    return any(isinstance(v, jax.core.Tracer) for v in jax.tree_util.tree_leaves(values))


def _key(seed_pair):
    seed_pair = jnp.asarray(seed_pair)
    return jax.random.fold_in(jax.random.PRNGKey(seed_pair[0]), seed_pair[1])


def seed_engine(seed):
    return None


def random_draw(kind, shape, dtype, seed_pair, **p):
    if not _traced(seed_pair, p):
        draw = _numpy_random.random_draw(kind, shape, _numpy_dtype(dtype), np.asarray(seed_pair),
                                         **{k: np.asarray(v) for k, v in p.items()})
        return jnp.asarray(draw, dtype=jnp.dtype(dtype))
    key = _key(seed_pair)
    dt = jnp.dtype(dtype)
    float_dt = dt if jnp.issubdtype(dt, jnp.floating) else jnp.float32
    if kind == "normal":
        out = jax.random.normal(key, shape, float_dt) * p["stddev"] + p["mean"]
    elif kind == "uniform":
        out = jax.random.uniform(key, shape, float_dt, p["minval"], p["maxval"])
    elif kind == "truncated_normal":
        out = jax.random.truncated_normal(key, -2.0, 2.0, shape, float_dt) * p["stddev"] + p["mean"]
    elif kind == "bernoulli":
        out = jax.random.bernoulli(key, p["p"], shape)
    elif kind == "binomial":
        out = jax.random.binomial(key, jnp.asarray(p["counts"], jnp.float32),
                                  jnp.asarray(p["probabilities"], jnp.float32), shape)
    elif kind == "randint":
        out = jax.random.randint(key, shape, p["minval"], p["maxval"], jnp.int64)
    elif kind == "gamma":
        out = jax.random.gamma(key, jnp.asarray(p["alpha"], float_dt), shape, float_dt)
    elif kind == "beta":
        out = jax.random.beta(key, jnp.asarray(p["alpha"], float_dt),
                              jnp.asarray(p["beta"], float_dt), shape, float_dt)
    else:
        raise ValueError(f"random: unknown distribution {kind!r}")
    return out.astype(dt)


def random_categorical(logits, num_samples, dtype, seed_pair):
    if not _traced(seed_pair, logits):
        draw = _numpy_random.random_categorical(np.asarray(logits, np.float64), num_samples,
                                                "int64", np.asarray(seed_pair))
        return jnp.asarray(draw, dtype=jnp.dtype(dtype))
    out = jax.random.categorical(_key(seed_pair), jnp.asarray(logits)[:, None, :],
                                 axis=-1, shape=(logits.shape[0], num_samples))
    return out.astype(jnp.dtype(dtype))


def random_shuffle(x, axis, seed_pair):
    if not _traced(seed_pair, x):
        order = _numpy_random.random_shuffle(np.arange(x.shape[axis]), 0, np.asarray(seed_pair))
        return jnp.take(x, jnp.asarray(order), axis=axis)
    return jax.random.permutation(_key(seed_pair), x, axis=axis, independent=False)


def _numpy_dtype(dtype):
    return "float32" if dtype == "bfloat16" else dtype
