"""Keras 2 backend names (``K.variable``, ``K.int_shape``, ``K.random_binomial``, ...).

Written with the K catalogue, so they run on every engine and on symbolic tensors.

>>> from lamina import backend as K
>>> K.int_shape(K.Input((3,)))
(None, 3)
"""

from lamina.backend.ops import core as _core
from lamina.backend.ops import random as _random
from lamina.backend.variables import Variable as _Variable


def variable(value, dtype=None, name=None, trainable=True, regularizer=None, constraint=None):
    """A Variable holding ``value`` (Keras 2); ``dtype`` defaults to ``floatx()`` and, unlike
    Keras 2, ``trainable=False`` makes a non-trainable weight.

    >>> from lamina import backend as K
    >>> v = K.variable([[1, 2]]); v.dtype, v.trainable
    ('float32', True)
    """
    from lamina.backend import config
    return _Variable(value, trainable=trainable, name=name, dtype=dtype or config.floatx(),
                     regularizer=regularizer, constraint=constraint)


def int_shape(x):
    """The shape of ``x`` as a tuple of ints, with None for unknown dimensions.

    >>> from lamina import backend as K
    >>> K.int_shape(K.zeros((2, 3)))
    (2, 3)
    """
    return tuple(x.shape)


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """1 with probability ``p``, else 0 (Keras 2's ``random_binomial``, a Bernoulli draw).

    >>> from lamina import backend as K
    >>> sorted(set(K.convert_to_numpy(K.random_binomial((100,), 0.5)).tolist()))
    [0.0, 1.0]
    """
    return _random.bernoulli(shape, p, dtype=dtype, seed=seed)


__all__ = ["variable", "int_shape", "random_binomial"]
del _core
