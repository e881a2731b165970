"""NumPy implementations of the K functions of :mod:`lamina.backend.ops.activations_extra`.

``implement(xp, to_float)`` writes them once over a NumPy-compatible array module;
the jax engine builds its own from ``jax.numpy`` with it.
"""

import numpy as np

from lamina.backend.numpy.nn import _float

__all__ = ["celu", "glu", "hard_shrink", "hard_tanh", "soft_shrink", "sparse_plus",
           "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink", "threshold"]


def _glu_halves(x, axis):
    size = x.shape[axis]
    if size % 2:
        raise ValueError(f"glu: the size of axis {axis} must be even, to split the input in "
                         f"two halves. Received an input of shape {tuple(x.shape)}.")
    return size // 2


def implement(xp, to_float):
    """A dict of the implementations (name -> function) over the array module ``xp``;
    ``to_float`` turns an argument into a floating-point array."""

    def celu(x, alpha=1.0):
        x = to_float(x)
        return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0) / alpha)).astype(x.dtype)

    def glu(x, axis=-1):
        x = to_float(x)
        half = _glu_halves(x, axis)
        a, b = xp.split(x, [half], axis=axis)
        return (a * (1 / (1 + xp.exp(-b)))).astype(x.dtype)

    def hard_shrink(x, threshold=0.5):
        x = to_float(x)
        return xp.where(xp.abs(x) > threshold, x, 0).astype(x.dtype)

    def hard_tanh(x):
        x = to_float(x)
        return xp.clip(x, -1, 1).astype(x.dtype)

    def soft_shrink(x, threshold=0.5):
        x = to_float(x)
        shrunk = xp.where(x > threshold, x - threshold, xp.where(x < -threshold,
                                                                 x + threshold, 0))
        return shrunk.astype(x.dtype)

    def sparse_plus(x):
        x = to_float(x)
        middle = xp.square(x + 1) / 4
        return xp.where(x <= -1, 0, xp.where(x >= 1, x, middle)).astype(x.dtype)

    def sparse_sigmoid(x):
        x = to_float(x)
        return xp.clip((x + 1) / 2, 0, 1).astype(x.dtype)

    def sparsemax(x, axis=-1):
        x = to_float(x)
        moved = xp.moveaxis(x, axis, -1)
        ordered = -xp.sort(-moved, axis=-1)
        ranks = xp.arange(1, moved.shape[-1] + 1, dtype=x.dtype)
        cumulative = xp.cumsum(ordered, axis=-1)
        support = (1 + ranks * ordered > cumulative).astype(x.dtype)
        size = xp.sum(support, axis=-1, keepdims=True)
        tau = (xp.sum(ordered * support, axis=-1, keepdims=True) - 1) / size
        return xp.moveaxis(xp.maximum(moved - tau, 0), -1, axis).astype(x.dtype)

    def squareplus(x, b=4):
        x = to_float(x)
        return ((x + xp.sqrt(xp.square(x) + b)) / 2).astype(x.dtype)

    def tanh_shrink(x):
        x = to_float(x)
        return (x - xp.tanh(x)).astype(x.dtype)

    def threshold(x, threshold, default_value):
        x = to_float(x)
        return xp.where(x > threshold, x, default_value).astype(x.dtype)

    return {fn.__name__: fn for fn in (celu, glu, hard_shrink, hard_tanh, soft_shrink,
                                        sparse_plus, sparse_sigmoid, sparsemax, squareplus,
                                        tanh_shrink, threshold)}


globals().update(implement(np, _float))
