"""JAX random draws: each (seed, counter) pair is folded into a PRNG key, so draws work
on traced seed state inside a jit-compiled step."""

import jax
import jax.numpy as jnp


def _key(seed_pair):
    seed_pair = jnp.asarray(seed_pair)
    return jax.random.fold_in(jax.random.PRNGKey(seed_pair[0]), seed_pair[1])


def seed_engine(seed):
    return None


def random_draw(kind, shape, dtype, seed_pair, **p):
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
    else:
        raise ValueError(f"random: unknown distribution {kind!r}")
    return out.astype(dt)


def random_categorical(logits, num_samples, dtype, seed_pair):
    out = jax.random.categorical(_key(seed_pair), jnp.asarray(logits)[:, None, :],
                                 axis=-1, shape=(logits.shape[0], num_samples))
    return out.astype(jnp.dtype(dtype))


def random_shuffle(x, axis, seed_pair):
    return jax.random.permutation(_key(seed_pair), x, axis=axis, independent=False)
