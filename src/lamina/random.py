"""``lamina.random``: random tensors with explicit seed state (Keras 3's ``keras.random``).

Each function takes ``seed``: None (the global stream, reset by
``lamina.utils.set_random_seed``), an int (the same numbers every call), or a
:class:`SeedGenerator` that a layer owns and that advances at each draw, also inside a
compiled train step.

>>> from lamina import random
>>> from lamina import backend as K
>>> gen = random.SeedGenerator(7)
>>> a = random.normal((3,), seed=gen); b = random.normal((3,), seed=gen)
>>> bool(K.all(K.equal(a, b)))
False
>>> bool(K.all(K.equal(random.uniform((3,), seed=1), random.uniform((3,), seed=1))))
True
"""

from lamina.backend.ops.random import (SeedGenerator, bernoulli, binomial,  # noqa: F401
                                       categorical, dropout, normal, randint, shuffle,
                                       truncated_normal, uniform)
from lamina.backend.ops.random import beta, gamma  # noqa: F401

__all__ = ["SeedGenerator", "normal", "uniform", "truncated_normal", "binomial", "bernoulli",
           "categorical", "randint", "shuffle", "dropout", "beta", "gamma"]
