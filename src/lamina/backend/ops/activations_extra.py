"""Keras 3's less common activations as K functions: shrinkage (``hard_shrink``,
``soft_shrink``, ``tanh_shrink``), piecewise functions (``hard_tanh``, ``sparse_plus``,
``sparse_sigmoid``, ``threshold``), ``celu``, ``squareplus``, ``glu`` and
``sparsemax``.

Each is a specification (see :mod:`lamina.backend.dispatch`) bound to the engine's
function of the same name (``backend/<engine>/activations_extra.py``). Integer inputs
compute in ``floatx()``, like the other activations.

>>> from lamina import backend as K
>>> K.convert_to_numpy(K.hard_tanh([-2.0, 0.5, 3.0])).tolist()
[-1.0, 0.5, 1.0]
"""

from lamina.backend.dispatch import op as _op

__all__ = ["celu", "glu", "hard_shrink", "hard_tanh", "soft_shrink", "sparse_plus",
           "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink", "threshold"]


@_op
def celu(x, alpha=1.0):
    """Continuously differentiable ELU: ``x`` where ``x > 0``, else
    ``alpha * (exp(x / alpha) - 1)``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.celu([-1.0, 2.0], alpha=2.0)).tolist()]
    [-0.7869, 2.0]
    """


@_op
def glu(x, axis=-1):
    """Gated linear unit: ``x`` is split in two halves ``a, b`` along ``axis`` (whose
    size must be even) and the result is ``a * sigmoid(b)``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.glu([[2.0, 4.0, 0.0, 0.0]])).tolist()
    [[1.0, 2.0]]
    """


@_op
def hard_shrink(x, threshold=0.5):
    """``x`` where ``|x| > threshold``, else 0.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.hard_shrink([-1.0, 0.25, 0.75])).tolist()
    [-1.0, 0.0, 0.75]
    """


@_op
def hard_tanh(x):
    """``x`` clipped to ``[-1, 1]``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.hard_tanh([-3.0, 0.5])).tolist()
    [-1.0, 0.5]
    """


@_op
def soft_shrink(x, threshold=0.5):
    """``x`` moved towards 0 by ``threshold``: ``x - threshold`` where
    ``x > threshold``, ``x + threshold`` where ``x < -threshold``, else 0.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.soft_shrink([-1.0, 0.25, 0.75])).tolist()
    [-0.5, 0.0, 0.25]
    """


@_op
def sparse_plus(x):
    """A smooth, piecewise-quadratic softplus: 0 for ``x <= -1``,
    ``(x + 1) ** 2 / 4`` for ``-1 < x < 1``, ``x`` for ``x >= 1``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.sparse_plus([-2.0, 0.0, 3.0])).tolist()
    [0.0, 0.25, 3.0]
    """


@_op
def sparse_sigmoid(x):
    """A piecewise-linear sigmoid: 0 for ``x <= -1``, ``(x + 1) / 2`` for
    ``-1 < x < 1``, 1 for ``x >= 1``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.sparse_sigmoid([-2.0, 0.5, 3.0])).tolist()
    [0.0, 0.75, 1.0]
    """


@_op
def sparsemax(x, axis=-1):
    """The Euclidean projection of ``x`` onto the probability simplex along ``axis``
    (Martins & Astudillo, 2016): like softmax, the values are non-negative and sum to
    1, but small inputs get exactly 0.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.sparsemax([[1.0, 0.5, -2.0]])).tolist()
    [[0.75, 0.25, 0.0]]
    """


@_op
def squareplus(x, b=4):
    """A smooth ReLU: ``(x + sqrt(x ** 2 + b)) / 2``, with ``b >= 0``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.squareplus([0.0, 1.5])).tolist()
    [1.0, 2.0]
    """


@_op
def tanh_shrink(x):
    """``x - tanh(x)``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.tanh_shrink([0.0, 1.0])).tolist()]
    [0.0, 0.2384]
    """


@_op
def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.threshold([-1.0, 0.5, 2.0], 0.5, -9.0)).tolist()
    [-9.0, -9.0, 2.0]
    """
