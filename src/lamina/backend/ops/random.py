"""Random K functions with explicit, traceable seed state.

Every random function takes ``seed``: None (the global stream, which
``lamina.utils.set_random_seed`` resets), an int (the same numbers every call), or
a :class:`SeedGenerator` that a layer owns. A SeedGenerator keeps its state in a
Variable of two ints (seed, counter) and advances the counter at each draw. Since
that state is a Variable, a compiled JAX train step binds it like any weight, so
random functions — the article's ``K.random_binomial(K.shape(x), 0.5)`` included —
draw fresh numbers at every step inside one jit-compiled function.

Each draw hands the engine the pair (seed, counter); the engine turns it into its
own generator state (a JAX key, a torch Generator, a NumPy Generator).

>>> from lamina import backend as K
>>> a = K.random_normal((2,), seed=1); b = K.random_normal((2,), seed=1)
>>> bool(K.all(K.equal(a, b)))
True
"""

import random as _py_random

import numpy as _np

from lamina.backend import dtypes as _dtypes
from lamina.backend.ops import arrays as _arrays
from lamina.backend.ops import core as _core
from lamina.backend.ops import math as _math
from lamina.backend import symbolic as _symbolic
from lamina.backend import tree as _tree
from lamina.backend.device import host_state_scope as _host_state_scope
from lamina.backend.variables import Variable as _Variable


class SeedGenerator:
    """A seed stream that random functions advance, usable inside compiled steps.

    ``SeedGenerator(seed=None)``: with None, the seed comes from the global stream.

    >>> from lamina import backend as K
    >>> gen = K.SeedGenerator(42)
    >>> a = K.random_uniform((3,), seed=gen); b = K.random_uniform((3,), seed=gen)
    >>> bool(K.all(K.equal(a, b)))
    False
    """

    def __init__(self, seed=None, name=None):
        if seed is None:
            seed = _py_random.randint(0, 2**31 - 1) if _global is None else int(_global.next()[0])
        if isinstance(seed, bool) or not isinstance(seed, (int, _np.integer)):
            raise TypeError(f"SeedGenerator: seed must be an int or None; received {seed!r}.")
        self.name = name or "seed_generator"
        with _host_state_scope():
            self.state = _Variable(_np.array([int(seed) % 2**31, 0], dtype="int64"),
                                   trainable=False, name=f"{self.name}_state", dtype="int64")
            self._increment = _core.convert_to_tensor([0, 1], "int64")

    def next(self):
        """The (seed, counter) pair for one draw; advances the counter."""
        state = _arrays.copy(self.state.value)  # torch assigns in place
        self.state.assign(_math.add(state, self._increment))
        return state


_global = None
_global = SeedGenerator(_py_random.randint(0, 2**31 - 1), name="global_seed_generator")


def global_seed_generator():
    """The SeedGenerator used when a random function gets ``seed=None``.

    >>> from lamina import backend as K
    >>> isinstance(K.global_seed_generator(), K.SeedGenerator)
    True
    """
    return _global


def set_seed(seed):
    """Reset the global random stream (and Python's, NumPy's and the engine's) to ``seed``.

    >>> from lamina import backend as K
    >>> K.random.set_seed(3); a = K.random_normal((2,))
    >>> K.random.set_seed(3); b = K.random_normal((2,))
    >>> bool(K.all(K.equal(a, b)))
    True
    """
    _py_random.seed(seed)
    _np.random.seed(seed % 2**32)
    from lamina.backend import engine
    engine.seed_engine(seed)
    _global.state.assign(_np.array([seed % 2**31, 0], dtype="int64"))


def reset_global_generator():
    """Give the global random stream a fresh random seed."""
    _global.state.assign(_np.array([_py_random.randint(0, 2**31 - 1), 0], dtype="int64"))


def _seed_pair(seed):
    if seed is None:
        return _global.next()
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, (int, _np.integer)) and not isinstance(seed, bool):
        return _np.array([int(seed) % 2**31, 0], dtype="int64")
    raise TypeError(f"seed must be None, an int or a SeedGenerator; received {seed!r}.")


def _has_symbolic(value):
    """True when ``value`` is or holds a symbolic tensor (a Variable is concrete)."""
    return _tree.any_leaf(lambda v: isinstance(v, _symbolic.SymbolicTensor), value)


def _unwrap(value):
    """``value`` with every Variable replaced by its current value."""
    return _tree.map_structure(lambda v: v.value if isinstance(v, _Variable) else v, value)


def _draw(kind, shape, dtype, seed, **params):
    if isinstance(shape, int):
        shape = (shape,)
    if _has_symbolic(shape) or _has_symbolic(params):
        return _symbolic.record(draw, (shape,), dict(params, kind=kind, dtype=dtype, seed=seed),
                                name=kind)
    return draw(shape, kind, dtype, seed, **params)


def draw(shape, kind, dtype, seed, **params):
    """Samples of the distribution ``kind`` (``"normal"``, ``"bernoulli"``, ...) with
    ``params``: the one function that graph nodes of random K functions record, so that
    a saved graph names it (see :mod:`lamina.saving.graph_config`).

    >>> from lamina import backend as K
    >>> K.shape(draw((2, 3), "uniform", None, 1, minval=0.0, maxval=1.0))
    (2, 3)
    """
    from lamina.backend import engine
    params = _unwrap(params)
    shape = tuple(int(d) for d in shape)
    dtype = _dtypes.standardize_dtype(dtype)
    return engine.random_draw(kind, shape, dtype, _seed_pair(seed), **params)


draw._lamina_graph_function = True


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from a normal distribution.

    >>> from lamina import backend as K
    >>> K.shape(K.random.normal((2, 3)))
    (2, 3)
    """
    return _draw("normal", shape, dtype, seed, mean=mean, stddev=stddev)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples from a uniform distribution on [minval, maxval).

    >>> from lamina import backend as K
    >>> float(K.max(K.random.uniform((100,), 2.0, 3.0))) < 3.0
    True
    """
    return _draw("uniform", shape, dtype, seed, minval=minval, maxval=maxval)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples redrawn until within two standard deviations of the mean.

    >>> from lamina import backend as K
    >>> float(K.max(K.abs(K.random.truncated_normal((1000,))))) <= 2.0
    True
    """
    return _draw("truncated_normal", shape, dtype, seed, mean=mean, stddev=stddev)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Number of successes in ``counts`` trials of probability ``probabilities``.

    >>> from lamina import backend as K
    >>> float(K.max(K.random.binomial((50,), 3, 0.5))) <= 3.0
    True
    """
    return _draw("binomial", shape, dtype, seed, counts=counts, probabilities=probabilities)


def bernoulli(shape, p=0.5, dtype=None, seed=None):
    """1 with probability ``p``, else 0 (floatx unless ``dtype``).

    >>> from lamina import backend as K
    >>> sorted(set(K.convert_to_numpy(K.random.bernoulli((100,), 0.5)).tolist()))
    [0.0, 1.0]
    """
    return _draw("bernoulli", shape, dtype, seed, p=p)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers uniformly drawn from [minval, maxval).

    >>> from lamina import backend as K
    >>> v = K.convert_to_numpy(K.random.randint((100,), 0, 3)); int(v.min()) >= 0 and int(v.max()) < 3
    True
    """
    return _draw("randint", shape, dtype, seed, minval=minval, maxval=maxval)


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples from the gamma distribution of shape ``alpha`` (scale 1).

    >>> from lamina import backend as K
    >>> float(K.min(K.random.gamma((100,), 2.0))) > 0.0
    True
    """
    return _draw("gamma", shape, dtype, seed, alpha=alpha)


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples from the beta distribution with parameters ``alpha`` and ``beta``, in [0, 1].

    >>> from lamina import backend as K
    >>> v = K.convert_to_numpy(K.random.beta((100,), 2.0, 3.0))
    >>> bool(0 <= v.min() and v.max() <= 1)
    True
    """
    return _draw("beta", shape, dtype, seed, alpha=alpha, beta=beta)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Class indices drawn from the categorical distributions given by ``logits`` (batch, classes).

    >>> from lamina import backend as K
    >>> K.shape(K.random.categorical(K.zeros((2, 5)), 7))
    (2, 7)
    """
    from lamina.backend import engine
    if _has_symbolic(logits):
        return _symbolic.record(lambda lg: categorical(lg, num_samples, dtype, seed),
                                (logits,), {}, name="categorical")
    logits = engine.convert_to_tensor(_unwrap(logits))
    return engine.random_categorical(logits, int(num_samples), _dtypes.standardize_dtype(dtype),
                                     _seed_pair(seed))


def shuffle(x, axis=0, seed=None):
    """``x`` with its slices along ``axis`` in random order.

    >>> from lamina import backend as K
    >>> sorted(K.convert_to_numpy(K.random.shuffle(K.arange(5))).tolist())
    [0, 1, 2, 3, 4]
    """
    from lamina.backend import engine
    if _has_symbolic(x):
        return _symbolic.record(lambda v: shuffle(v, axis, seed), (x,), {}, name="shuffle")
    x = _unwrap(x)
    return engine.random_shuffle(engine.convert_to_tensor(x), axis, _seed_pair(seed))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """``inputs`` with each element zeroed with probability ``rate`` and the rest scaled by
    ``1 / (1 - rate)``.

    >>> from lamina import backend as K
    >>> y = K.convert_to_numpy(K.random.dropout(K.ones((1000,)), 0.5)); sorted(set(y.tolist()))
    [0.0, 2.0]
    """
    if not 0 <= float(rate) < 1:
        raise ValueError(f"dropout: rate must be in [0, 1); received {rate!r}.")
    if float(rate) == 0:
        return inputs
    from lamina.backend.ops import core, arrays, math
    shape = core.shape(inputs) if noise_shape is None else tuple(
        core.shape(inputs)[i] if d is None else d for i, d in enumerate(noise_shape))
    keep = bernoulli(shape, 1.0 - rate, dtype=core.dtype(inputs), seed=seed)
    return math.multiply(inputs, keep / (1.0 - rate))


__all__ = ["SeedGenerator", "global_seed_generator", "set_seed"]
